/* pkg_deb.c - .deb packages: ar, control.tar and data.tar with libarchive. */
#include "pkg_deb.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cache.h"
#include "target.h"
#include "writer.h"

struct xs_debinfo *xs_deb(struct xs_pkg *p)
{
	if (!p->family_data)
		p->family_data = xs_calloc(1, sizeof(struct xs_debinfo));
	return p->family_data;
}

const struct xs_debinfo *xs_deb_c(const struct xs_pkg *p)
{
	static const struct xs_debinfo none = { .phase = 1 };
	return p->family_data ? p->family_data : &none;
}

void xs_debinfo_free(struct xs_pkg *p)
{
	struct xs_debinfo *d = p->family_data;
	if (!d)
		return;
	free(d->priority);
	free(d->section);
	for (size_t k = 0; k < d->nctrl; k++) {
		free(d->ctrl[k].name);
		free(d->ctrl[k].data);
	}
	free(d->ctrl);
	free(d);
	p->family_data = NULL;
}

const struct xs_ctrlfile *xs_pkg_ctrl(const struct xs_pkg *p, const char *name)
{
	const struct xs_debinfo *d = xs_deb_c(p);
	for (size_t k = 0; k < d->nctrl; k++)
		if (!strcmp(d->ctrl[k].name, name))
			return &d->ctrl[k];
	return NULL;
}

/* libarchive reads the inner tar straight out of the outer ar member. */
struct inner {
	struct archive *outer;
};

static la_ssize_t inner_read(struct archive *a, void *arg, const void **buf)
{
	struct inner *in = arg;
	size_t size;
	la_int64_t off;
	(void)a;
	int r = archive_read_data_block(in->outer, buf, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK)
		return -1;
	return size;
}

/* A reader of a member's compressions (.deb allows these five). */
static struct archive *member_reader(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_lzma(a);
	return a;
}

static struct archive *open_inner(struct archive *outer, struct inner *in)
{
	struct archive *a = member_reader();
	archive_read_support_format_tar(a);
	in->outer = outer;
	if (archive_read_open(a, in, NULL, inner_read, NULL) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int read_control(struct xs_log *log, struct xs_pkg *p, struct archive *a)
{
	struct archive_entry *e;
	int r;
	size_t cap = 0;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		_cleanup_free_ char *name = xs_target_normalize(archive_entry_pathname(e));
		if (!name || !*name || strchr(name, '/'))
			continue;
		struct xs_buf b = { 0 };
		const void *buf;
		size_t size;
		la_int64_t off;
		while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
			xs_buf_add(&b, buf, size);
		if (r != ARCHIVE_EOF) {
			xs_buf_free(&b);
			return xs_fail(log, EBADMSG, "%s: control.tar member %s: %s", p->cache_path, name,
				       archive_error_string(a));
		}
		xs_buf_add(&b, "", 0);
		struct xs_debinfo *d = xs_deb(p);
		if (d->nctrl == cap) {
			cap = cap ? cap * 2 : 8;
			d->ctrl = xs_realloc(d->ctrl, cap * sizeof(*d->ctrl));
		}
		struct xs_ctrlfile *c = &d->ctrl[d->nctrl++];
		c->name = xs_strdup(name);
		c->data = b.data;
		c->len = b.len;
		c->mode = archive_entry_perm(e);
	}
	if (r != ARCHIVE_EOF)
		return xs_fail(log, EBADMSG, "%s: control.tar: %s", p->cache_path, archive_error_string(a));
	return 0;
}

const char *xs_deb_conffile_path(const char *line, size_t len, size_t *plen)
{
	for (size_t i = 0; i < len;) {
		size_t w = i;
		while (w < len && line[w] != ' ' && line[w] != '\t')
			w++;
		if (w > i && line[i] == '/') {
			*plen = w - i;
			return line + i;
		}
		i = w + 1;
	}
	return NULL;
}

static bool is_conffile(const struct xs_pkg *p, const char *rel)
{
	const struct xs_ctrlfile *c = xs_pkg_ctrl(p, "conffiles");
	if (!c)
		return false;
	size_t rl = strlen(rel);
	for (const char *l = c->data; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l), sl = 0;
		const char *s = xs_deb_conffile_path(l, ll, &sl);
		if (s) {
			size_t slash = strspn(s, "/");
			s += slash;
			sl -= slash;
		}
		if (s && sl == rl && !strncmp(s, rel, rl))
			return true;
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Decompresses the data member into memory: the costly part, done in
 * parallel by several workers while one writer lays packages down in order. */
static int read_member(struct xs_log *log, struct xs_pkg *p, struct archive *ar, const char *name,
		       struct xs_buf *out, uint64_t limit)
{
	struct archive *a = member_reader();
	archive_read_support_format_raw(a);
	struct inner in = { .outer = ar };
	struct archive_entry *e;
	int r = 0;
	if (archive_read_open(a, &in, NULL, inner_read, NULL) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = xs_fail(log, EBADMSG, "%s (%s): cannot open %s: %s", p->cache_path, p->name, name,
			    archive_error_string(a));
		goto out;
	}
	const void *buf;
	size_t size;
	la_int64_t off;
	int k;
	while ((k = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
		if (out->len + size > limit) {
			/* larger than its Installed-Size said: the writer streams it */
			xs_buf_free(out);
			p->stream = true;
			goto out;
		}
		xs_buf_add(out, buf, size);
	}
	if (k != ARCHIVE_EOF)
		r = xs_fail(log, EBADMSG, "%s (%s): %s: %s", p->cache_path, p->name, name,
			    archive_error_string(a));
out:
	archive_read_free(a);
	return r;
}

/* Installed-Size (KiB) of P's control file, in bytes; 0 when absent. */
static uint64_t installed_size(const struct xs_pkg *p)
{
	const struct xs_ctrlfile *c = xs_pkg_ctrl(p, "control");
	if (!c || !c->data)
		return 0;
	for (const char *l = c->data; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncasecmp(l, "Installed-Size:", 15))
			return strtoull(l + 15, NULL, 10) * 1024;
	return 0;
}

int xs_deb_decode(struct xs_log *log, struct xs_pkg *p, struct xs_buf *data_tar)
{
	return xs_deb_decode_within(log, p, data_tar, UINT64_MAX);
}

static int decode_from(struct xs_log *log, struct xs_cache_reader *rd, struct xs_pkg *p, struct xs_buf *data_tar,
		       uint64_t limit)
{
	struct archive *ar = archive_read_new();
	archive_read_support_format_ar(ar);
	int r = 0;
	if (xs_cache_reader_archive(rd, ar) < 0) {
		r = xs_fail(log, EBADMSG, "%s (%s): not a .deb: %s", p->cache_path, p->name,
			    archive_error_string(ar));
		goto out;
	}
	struct archive_entry *e;
	bool seen_binary = false, seen_control = false, seen_data = false;
	int h;
	while (!r && !seen_data && (h = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!strcmp(name, "debian-binary")) {
			char v[8] = { 0 };
			archive_read_data(ar, v, sizeof(v) - 1);
			if (strncmp(v, "2.", 2))
				r = xs_fail(log, EBADMSG, "%s (%s): expected .deb format 2.x, found \"%.4s\"",
					    p->cache_path, p->name, v);
			seen_binary = true;
			continue;
		}
		bool control = xs_str_startswith(name, "control.tar");
		bool data = xs_str_startswith(name, "data.tar");
		if (!control && !data)
			continue;
		if (!seen_binary || (data && !seen_control)) {
			r = xs_fail(log, EBADMSG, "%s (%s): members out of order (%s)", p->cache_path,
				    p->name, name);
			break;
		}
		if (control) {
			struct inner in;
			struct archive *a = open_inner(ar, &in);
			if (!a) {
				r = xs_fail(log, EBADMSG, "%s (%s): cannot open %s", p->cache_path, p->name, name);
				break;
			}
			r = read_control(log, p, a);
			archive_read_free(a);
			seen_control = true;
		} else {
			if (installed_size(p) > limit)
				p->stream = true; /* the writer reads it from the file */
			else
				r = read_member(log, p, ar, name, data_tar, limit);
			seen_data = true;
		}
	}
	if (!r && !seen_data)
		r = xs_fail(log, EBADMSG, "%s (%s): expected control.tar and data.tar members, found %s",
			    p->cache_path, p->name, seen_control ? "no data.tar" : "neither");
out:
	archive_read_free(ar);
	return r;
}

int xs_deb_decode_within(struct xs_log *log, struct xs_pkg *p, struct xs_buf *data_tar, uint64_t limit)
{
	p->stream = false;
	p->found_sha256[0] = 0;
	xs_cache_pkg_drop_fd(p);
	struct xs_cache_reader *rd;
	int r = xs_cache_reader_open(p->cache_path, 0, p->sha256[0] ? p->sha256 : NULL, &rd);
	if (r < 0)
		return xs_fail(log, -r, "%s (%s): %s", p->cache_path, p->name, strerror(-r));
	/* the file is hashed in the pass that decodes it; what it says counts
	 * only once the digest is the signed one, so its errors wait */
	struct xs_log scratch = *log;
	scratch.err[0] = 0;
	r = decode_from(&scratch, rd, p, data_tar, limit);
	/* streamed: the rest is hashed now, and the writer reads these very
	 * bytes through the descriptor kept here (hashing them once more) */
	if (!r && p->stream)
		xs_cache_reader_keep_fd(rd, p);
	char got[XS_SHA256_HEX];
	if (xs_cache_reader_close(rd, got) == -EBADMSG && p->sha256[0]) {
		memcpy(p->found_sha256, got, sizeof(got));
		xs_cache_pkg_drop_fd(p);
		xs_buf_free(data_tar);
		return -ESTALE;
	}
	if (r < 0)
		xs_fail(log, -r, "%s", scratch.err);
	return r;
}

/* A streamed package: the .deb read once more, its data member straight
 * into the writer, the whole file hashed in the same pass and compared
 * with the digest the download was checked against. */
static int write_streamed(struct xs_log *log, int rootfd, struct xs_pkg *p)
{
	struct xs_cache_reader *rd;
	int r = xs_cache_reader_open_pkg(p, 0, p->sha256[0] ? p->sha256 : NULL, &rd);
	if (r < 0)
		return xs_fail(log, -r, "%s (%s): %s", p->cache_path, p->name, strerror(-r));
	struct archive *ar = archive_read_new();
	archive_read_support_format_ar(ar);
	struct archive_entry *e;
	bool written = false;
	if (xs_cache_reader_archive(rd, ar) < 0)
		r = xs_fail(log, EBADMSG, "%s (%s): not a .deb: %s", p->cache_path, p->name, archive_error_string(ar));
	while (!r && !written && archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!xs_str_startswith(name, "data.tar"))
			continue;
		struct inner in;
		struct archive *a = open_inner(ar, &in);
		if (!a) {
			r = xs_fail(log, EBADMSG, "%s (%s): cannot open %s", p->cache_path, p->name, name);
			break;
		}
		struct xs_writer *w = xs_writer_new(rootfd, is_conffile);
		r = xs_writer_archive(log, w, p, a, name);
		xs_writer_free(w);
		archive_read_free(a);
		written = true;
	}
	if (!r && !written)
		r = xs_fail(log, EBADMSG, "%s (%s): expected a data.tar member, found none", p->cache_path, p->name);
	archive_read_free(ar);
	char got[XS_SHA256_HEX];
	int c = xs_cache_reader_close(rd, got);
	xs_cache_pkg_drop_fd(p);
	if (!r && c < 0)
		r = xs_fail(log, -c, "%s (%s): %s while it was unpacked: expected SHA256 %s, found %s; the target is incomplete",
			    p->cache_path, p->name, c == -EBADMSG ? "changed" : strerror(-c), p->sha256, got);
	return r;
}

int xs_deb_write(struct xs_log *log, int rootfd, struct xs_pkg *p, const struct xs_buf *data_tar)
{
	if (p->stream)
		return write_streamed(log, rootfd, p);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	int r;
	if (archive_read_open_memory(a, data_tar->data ? data_tar->data : "", data_tar->len) != ARCHIVE_OK)
		r = xs_fail(log, EBADMSG, "%s (%s): data.tar: %s", p->cache_path, p->name,
			    archive_error_string(a));
	else {
		struct xs_writer *w = xs_writer_new(rootfd, is_conffile);
		r = xs_writer_archive(log, w, p, a, "data.tar");
		xs_writer_free(w);
	}
	archive_read_free(a);
	return r;
}

int xs_deb_unpack(struct xs_log *log, int rootfd, struct xs_pkg *p)
{
	struct xs_buf data = { 0 };
	int r = xs_deb_decode(log, p, &data);
	if (r == -ESTALE)
		r = xs_cache_pkg_changed(log, p);
	if (!r)
		r = xs_deb_write(log, rootfd, p, &data);
	xs_buf_free(&data);
	return r;
}
