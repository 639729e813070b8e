/* out_tar.c - a reproducible tar of a finished root. */
#include "out_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define ACL_ACCESS "system.posix_acl_access"
#define ACL_DEFAULT "system.posix_acl_default"

/* A POSIX ACL as the kernel hands it out as an xattr (linux/posix_acl_xattr.h:
 * a little-endian version 2 header, then {tag, perm, id} entries) turned
 * into libarchive's entries, which pax writes as SCHILY.acl.access/default,
 * the form GNU tar --acls and bsdtar restore. */
static int add_acl(struct archive_entry *e, const struct xs_xattr *x, int type)
{
	static const struct { unsigned tag; int ae; } tags[] = {
		{ 0x01, ARCHIVE_ENTRY_ACL_USER_OBJ }, { 0x02, ARCHIVE_ENTRY_ACL_USER },
		{ 0x04, ARCHIVE_ENTRY_ACL_GROUP_OBJ }, { 0x08, ARCHIVE_ENTRY_ACL_GROUP },
		{ 0x10, ARCHIVE_ENTRY_ACL_MASK }, { 0x20, ARCHIVE_ENTRY_ACL_OTHER },
	};
	const unsigned char *p = x->value;
	if (x->len < 4 || (x->len - 4) % 8 || (p[0] | p[1] << 8 | p[2] << 16 | (unsigned)p[3] << 24) != 2)
		return -EINVAL;
	for (size_t off = 4; off < x->len; off += 8) {
		unsigned tag = p[off] | p[off + 1] << 8, perm = p[off + 2] | p[off + 3] << 8;
		unsigned id = p[off + 4] | p[off + 5] << 8 | p[off + 6] << 16 | (unsigned)p[off + 7] << 24;
		int ae = 0;
		for (size_t k = 0; k < sizeof(tags) / sizeof(tags[0]); k++)
			if (tags[k].tag == tag)
				ae = tags[k].ae;
		if (!ae)
			return -EINVAL;
		bool qualified = ae == ARCHIVE_ENTRY_ACL_USER || ae == ARCHIVE_ENTRY_ACL_GROUP;
		if (archive_entry_acl_add_entry(e, type, perm & 7, ae, qualified ? (int)id : -1, NULL) != ARCHIVE_OK)
			return -EINVAL;
	}
	return 0;
}

static int add_xattrs(struct xs_log *log, struct archive_entry *e, const struct xs_walk_entry *we)
{
	for (size_t k = 0; k < we->nxattrs; k++) {
		const struct xs_xattr *x = &we->xattrs[k];
		int r = 0;
		if (!strcmp(x->name, ACL_ACCESS))
			r = add_acl(e, x, ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
		else if (!strcmp(x->name, ACL_DEFAULT))
			r = add_acl(e, x, ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
		else
			archive_entry_xattr_add_entry(e, x->name, x->value, x->len);
		if (r < 0)
			return xs_fail(log, EINVAL, "/%s: the POSIX ACL in %s is not in the kernel's format (version 2)",
				       we->path, x->name);
	}
	return 0;
}

static int copy_data(struct xs_log *log, struct archive *a, const struct xs_walk *w, size_t i)
{
	_cleanup_close_ int fd = xs_walk_open(w, i);
	if (fd < 0)
		return xs_fail(log, -fd, "/%s: %s", w->v[i].path, strerror(-fd));
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (archive_write_data(a, buf, n) < 0)
			return xs_fail(log, EIO, "/%s: %s", w->v[i].path, archive_error_string(a));
	return n < 0 ? xs_fail(log, errno, "/%s: %s", w->v[i].path, strerror(errno)) : 0;
}

static int add_entry(struct xs_log *log, struct archive *a, const struct xs_walk *w, size_t i, time_t clamp)
{
	const struct xs_walk_entry *we = &w->v[i];
	if (S_ISSOCK(we->st.st_mode)) { /* as GNU tar does: no tar format holds one */
		xs_warn(log, "/%s: a socket; a tar cannot hold it, left out", we->path);
		return 0;
	}
	struct archive_entry *e = archive_entry_new();
	_cleanup_free_ char *path = xs_asprintf("./%s", we->path);
	archive_entry_copy_stat(e, &we->st);
	archive_entry_copy_pathname(e, path);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	archive_entry_set_ino(e, 0); /* the walk knows the links; no host inode numbers */
	archive_entry_set_dev(e, 0);
	archive_entry_set_nlink(e, we->nlink);
	time_t mt = we->st.st_mtime;
	if (clamp && mt > clamp)
		mt = clamp;
	archive_entry_set_mtime(e, mt, 0);
	if (we->link)
		archive_entry_copy_symlink(e, we->link);
	if (we->first != i) {
		_cleanup_free_ char *target = xs_asprintf("./%s", w->v[we->first].path);
		archive_entry_copy_hardlink(e, target);
		archive_entry_set_size(e, 0);
	}
	int r = add_xattrs(log, e, we);
	if (!r && archive_write_header(a, e) != ARCHIVE_OK)
		r = xs_fail(log, EIO, "/%s: %s", we->path, archive_error_string(a));
	if (!r && S_ISREG(we->st.st_mode) && we->first == i && we->st.st_size > 0)
		r = copy_data(log, a, w, i);
	archive_entry_free(e);
	return r;
}

int xs_write_tar(struct xs_log *log, const struct xs_walk *w, const char *tarpath, time_t clamp)
{
	int r = 0;
	/* pax stores names as UTF-8, converted from the locale's charset: with
	 * C.UTF-8 Debian's (UTF-8) names pass unchanged, whatever the caller's
	 * locale, and the tar does not depend on it */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	/* xattrs as SCHILY.xattr.NAME only, the form GNU tar and bsdtar read
	 * (GNU tar warns about LIBARCHIVE.xattr.NAME) */
	archive_write_set_format_option(a, "pax", "xattrheader", "SCHILY");
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp", tarpath);
	int tmp_slot = xs_cleanup_add(tmp); /* no half archive left on a signal */
	if (archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		r = xs_fail(log, EIO, "%s: %s", tmp, archive_error_string(a));
	} else {
		for (size_t i = 0; i < w->n && !r; i++)
			r = add_entry(log, a, w, i, clamp);
		if (archive_write_close(a) != ARCHIVE_OK && !r)
			r = xs_fail(log, EIO, "%s: %s", tmp, archive_error_string(a));
	}
	archive_write_free(a);
	if (utf8) {
		uselocale(old);
		freelocale(utf8);
	}
	if (!r && rename(tmp, tarpath) < 0)
		r = xs_fail(log, errno, "%s: %s", tarpath, strerror(errno));
	if (r)
		unlink(tmp);
	xs_cleanup_drop(tmp_slot);
	return r;
}
