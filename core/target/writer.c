/* writer.c - the confined writer both package families share: archive
 * entries laid down in the target through the root fd, each recorded in the
 * package's manifest in the same pass. */
#include "writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "run.h"
#include "target.h"
#include "userns.h"

static struct xs_mentry *manifest_add(struct xs_manifest *m)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->v = xs_realloc(m->v, m->cap * sizeof(*m->v));
	}
	struct xs_mentry *e = &m->v[m->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Most entries of a package are regular files in the directory of the
 * entry before them: the writer keeps that directory open instead of
 * resolving it again. Any other kind of entry may change the tree, so it
 * drops the cache. */
struct writer {
	int rootfd;
	char *dir; /* relative path of the cached directory */
	int dirfd;
	bool dir_setgid;
	xs_writer_digest_fn want_md5;
};

static void writer_forget(struct writer *w)
{
	if (w->dirfd >= 0)
		close(w->dirfd);
	w->dirfd = -1;
	free(w->dir);
	w->dir = NULL;
}

/* The parent of REL, from the cache when it is the same directory. */
static int writer_parent(struct writer *w, const char *rel, const char **base)
{
	const char *slash = strrchr(rel, '/');
	size_t dl = slash ? (size_t)(slash - rel) : 0;
	*base = slash ? slash + 1 : rel;
	if (w->dir && strlen(w->dir) == dl && !strncmp(w->dir, rel, dl))
		return w->dirfd;
	writer_forget(w);
	const char *b;
	int fd = xs_target_parent(w->rootfd, rel, true, &b);
	if (fd < 0)
		return fd;
	struct stat st;
	w->dir_setgid = fstat(fd, &st) == 0 && (st.st_mode & S_ISGID);
	w->dirfd = fd;
	w->dir = xs_strndup(rel, dl);
	return fd;
}

static mode_t process_umask(void)
{
	static mode_t mask = (mode_t)-1;
	if (mask == (mode_t)-1) {
		mask = umask(022);
		umask(mask);
	}
	return mask;
}

static int write_regular(struct xs_log *log, struct writer *w, struct xs_pkg *p, struct archive *a,
			 int dfd, const char *base, struct xs_mentry *me, const char *rel, time_t mtime)
{
	mode_t perm = me->mode & 07777;
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dfd, base, flags, perm & 0777);
	if (fd < 0 && errno == EEXIST) {
		/* replace whatever is there (file or symlink), as dpkg does */
		if (unlinkat(dfd, base, 0) < 0)
			return xs_fail(log, errno, "%s: cannot replace /%s in the target: %s", p->name, rel,
				       strerror(errno));
		fd = openat(dfd, base, flags, perm & 0777);
	}
	if (fd < 0)
		return xs_fail(log, errno, "%s: cannot create /%s in the target: %s", p->name, rel,
			       strerror(errno));
	struct xs_digest *md5 = w->want_md5 && w->want_md5(p, rel) ? xs_digest_new_md5() : NULL;
	const void *buf;
	size_t size;
	la_int64_t off;
	int r;
	int err = 0;
	la_int64_t pos = 0;
	while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
		/* sparse entries: libarchive reports the offset of each block */
		if (off != pos && lseek(fd, off, SEEK_SET) < 0) {
			err = errno;
			break;
		}
		pos = off + size;
		for (size_t done = 0; done < size;) {
			ssize_t got = write(fd, (const char *)buf + done, size - done);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				err = errno;
				break;
			}
			done += got;
		}
		if (err)
			break;
		if (md5)
			xs_digest_add(md5, buf, size);
	}
	if (!err && r != ARCHIVE_EOF) {
		close(fd);
		xs_digest_abort(md5);
		return xs_fail(log, EBADMSG, "%s: data.tar entry /%s: %s", p->cache_path, rel,
			       archive_error_string(a));
	}
	/* Only the calls that change something: a file we create is ours
	 * (root:root as root) with the umask applied to its mode. */
	if (!err && (uint64_t)pos != me->size && ftruncate(fd, me->size) < 0)
		err = errno;
	bool owner_differs = me->uid != geteuid() || me->gid != getegid() || w->dir_setgid;
	if (!err && owner_differs && fchown(fd, me->uid, me->gid) < 0)
		err = errno;
	if (!err && (owner_differs || perm != (perm & 0777 & ~process_umask())) && fchmod(fd, perm) < 0)
		err = errno;
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	if (!err)
		futimens(fd, ts);
	if (md5)
		xs_digest_final(md5, me->md5);
	close(fd);
	if (err)
		return xs_fail(log, err, "%s: cannot write /%s in the target: %s", p->name, rel,
			       strerror(err));
	return 0;
}

static int set_meta_at(int dfd, const char *base, const struct xs_mentry *me, time_t mtime)
{
	int r = xs_target_set_owner_mode(dfd, base, me->uid, me->gid, me->mode & 07777);
	if (r < 0)
		return r;
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int unpack_entry(struct xs_log *log, struct writer *w, struct xs_pkg *p, struct archive *a,
			struct archive_entry *e)
{
	int rootfd = w->rootfd;
	const char *raw = archive_entry_pathname(e);
	_cleanup_free_ char *rel = xs_target_normalize(raw ? raw : "");
	if (!rel)
		return xs_fail(log, EPERM, "%s: archive entry \"%s\" leaves the target (\"..\"); refusing the package",
			       p->name, raw);
	struct xs_mentry *me = manifest_add(&p->manifest);
	me->path = xs_strdup(rel);
	me->mode = archive_entry_mode(e);
	me->uid = archive_entry_uid(e);
	me->gid = archive_entry_gid(e);
	me->size = archive_entry_size(e);
	time_t mtime = archive_entry_mtime(e);
	const char *hl = archive_entry_hardlink(e);
	if (!*rel) /* the root itself: dpkg leaves it alone */
		return 0;
	const char *base;
	if (!hl && archive_entry_filetype(e) == AE_IFREG) {
		int pfd = writer_parent(w, rel, &base);
		if (pfd < 0)
			return xs_fail(log, -pfd, "%s: cannot reach the directory of /%s in the target: %s",
				       p->name, rel, strerror(-pfd));
		return write_regular(log, w, p, a, pfd, base, me, rel, mtime);
	}
	writer_forget(w);
	_cleanup_close_ int dfd = xs_target_parent(rootfd, rel, true, &base);
	if (dfd < 0)
		return xs_fail(log, -dfd, "%s: cannot reach the directory of /%s in the target: %s",
			       p->name, rel, strerror(-dfd));
	if (hl) {
		_cleanup_free_ char *src = xs_target_normalize(hl);
		if (!src)
			return xs_fail(log, EPERM, "%s: hard link /%s -> \"%s\" leaves the target; refusing the package",
				       p->name, rel, hl);
		me->hardlink = true;
		me->link = xs_strdup(src);
		const char *sbase;
		_cleanup_close_ int sfd = xs_target_parent(rootfd, src, false, &sbase);
		if (sfd < 0)
			return xs_fail(log, -sfd, "%s: hard link /%s: its source /%s is not in the target",
				       p->name, rel, src);
		unlinkat(dfd, base, 0);
		if (linkat(sfd, sbase, dfd, base, 0) < 0)
			return xs_fail(log, errno, "%s: cannot link /%s to /%s in the target: %s", p->name,
				       rel, src, strerror(errno));
		return 0;
	}
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR: {
		if (mkdirat(dfd, base, 0700) == 0)
			return set_meta_at(dfd, base, me, mtime) < 0
				       ? xs_fail(log, errno, "%s: /%s: %s", p->name, rel, strerror(errno))
				       : 0;
		if (errno != EEXIST)
			return xs_fail(log, errno, "%s: cannot create /%s in the target: %s", p->name, rel,
				       strerror(errno));
		/* An existing directory, or a symlink to one inside the target
		 * (merged /usr: bin -> usr/bin), stays as it is, as with dpkg. */
		int fd = xs_target_open(rootfd, rel, O_PATH | O_DIRECTORY);
		if (fd >= 0) {
			close(fd);
			return 0;
		}
		if (unlinkat(dfd, base, 0) < 0 || mkdirat(dfd, base, 0700) < 0)
			return xs_fail(log, errno, "%s: cannot replace /%s by a directory: %s", p->name,
				       rel, strerror(errno));
		return set_meta_at(dfd, base, me, mtime) < 0 ? xs_fail(log, errno, "%s: /%s", p->name, rel) : 0;
	}
	case AE_IFLNK: {
		const char *to = archive_entry_symlink(e);
		me->link = xs_strdup(to ? to : "");
		if (symlinkat(me->link, dfd, base) < 0) {
			if (errno != EEXIST)
				return xs_fail(log, errno, "%s: cannot create symlink /%s: %s", p->name, rel,
					       strerror(errno));
			struct stat st;
			if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
				return xs_fail(log, EEXIST, "%s: /%s is a directory in the target, the package wants a symlink to %s",
					       p->name, rel, me->link);
			unlinkat(dfd, base, 0);
			if (symlinkat(me->link, dfd, base) < 0)
				return xs_fail(log, errno, "%s: cannot create symlink /%s: %s", p->name,
					       rel, strerror(errno));
		}
		set_meta_at(dfd, base, me, mtime);
		return 0;
	}
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO: {
		dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
		unlinkat(dfd, base, 0);
		if (!S_ISFIFO(me->mode) && xs_userns_active()) {
			/* no device node in a user namespace: an empty file
			 * stands in, the tar and image outputs write the node */
			int r = xs_dev_standin(dfd, base, rel, me->mode, dev);
			if (r < 0)
				return xs_fail(log, -r, "%s: cannot create /%s: %s", p->name, rel, strerror(-r));
		} else if (mknodat(dfd, base, me->mode, dev) < 0)
			return xs_fail(log, errno, "%s: cannot create device /%s: %s", p->name, rel,
				       strerror(errno));
		set_meta_at(dfd, base, me, mtime);
		return 0;
	}
	default:
		return xs_fail(log, EINVAL, "%s: /%s has an unsupported file type", p->name, rel);
	}
}

struct xs_writer *xs_writer_new(int rootfd, xs_writer_digest_fn want_md5)
{
	struct writer *w = xs_calloc(1, sizeof(*w));
	w->rootfd = rootfd;
	w->dirfd = -1;
	w->want_md5 = want_md5;
	return (struct xs_writer *)w;
}

void xs_writer_free(struct xs_writer *xw)
{
	if (!xw)
		return;
	writer_forget((struct writer *)xw);
	free(xw);
}

int xs_writer_entry(struct xs_log *log, struct xs_writer *xw, struct xs_pkg *p, struct archive *a,
		    struct archive_entry *e)
{
	return unpack_entry(log, (struct writer *)xw, p, a, e);
}

int xs_writer_archive(struct xs_log *log, struct xs_writer *xw, struct xs_pkg *p, struct archive *a,
		      const char *what)
{
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		int u = unpack_entry(log, (struct writer *)xw, p, a, e);
		if (u < 0)
			return u;
	}
	if (r != ARCHIVE_EOF)
		return xs_fail(log, EBADMSG, "%s (%s): %s: %s", p->cache_path, p->name, what, archive_error_string(a));
	return 0;
}

