/* cache.c - the cache's layout in one place, and .solv files in and out. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>

#include "fetch.h"
#include "util.h"

char *xs_cache_dir(const struct xs_ctx *ctx, const char *kind, bool metadata)
{
	char *dir = xs_asprintf("%s/%s%s", ctx->o.cache_dir, kind,
				metadata && ctx->o.no_verify ? "-unverified" : "");
	xs_mkdir_p(dir, 0755);
	return dir;
}

char *xs_cache_pkg_path(const struct xs_ctx *ctx, const struct xs_pkg *p, const char *kind,
			const char *ext)
{
	if (p->sha256[0])
		return xs_asprintf("%s/%s/%s.%s", ctx->o.cache_dir, kind, p->sha256, ext);
	return xs_asprintf("%s/%s/unverified-%s_%s_%s.%s", ctx->o.cache_dir, kind, p->name, p->version,
			   p->arch, ext);
}

/* PATH.sum: the digest of the verified metadata a .solv was made from,
 * and of the .solv itself, written beside it. */
static char *sum_path(const char *path)
{
	return xs_asprintf("%s.sum", path);
}

/* Reads the whole regular file PATH (never through a symlink) into *out. */
static int read_whole(const char *path, struct xs_buf *out)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EBADMSG;
	char chunk[1 << 16];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		xs_buf_add(out, chunk, (size_t)n);
	}
	return 0;
}

int xs_solv_load(Repo *repo, const char *path, const char *from_sha256, struct xs_log *log)
{
	struct xs_buf solv = { 0 }, sum = { 0 };
	_cleanup_free_ char *sp = sum_path(path);
	int r = read_whole(path, &solv);
	if (!r)
		r = read_whole(sp, &sum);
	if (r < 0) {
		xs_buf_free(&solv);
		xs_buf_free(&sum);
		return r == -ENOENT ? r : -EBADMSG;
	}
	char have[XS_SHA256_HEX], want_from[XS_SHA256_HEX] = "", want_solv[XS_SHA256_HEX] = "";
	xs_sha256_mem(solv.data, solv.len, have);
	if (sscanf(sum.data ? sum.data : "", "from %64s\nsolv %64s", want_from, want_solv) != 2 ||
	    strcmp(want_from, from_sha256) || strcmp(want_solv, have)) {
		/* a pool of other metadata, or changed since it was written:
		 * never used; the caller parses the verified metadata again */
		xs_warn(log, "%s: not the parsed pool of the verified metadata (made from SHA256 %s, expected %s; its own SHA256 %s, recorded %s); parsing the metadata again",
			path, *want_from ? want_from : "(unknown)", from_sha256, have, *want_solv ? want_solv : "(none)");
		r = -EBADMSG;
	}
	xs_buf_free(&sum);
	if (!r) {
		FILE *f = fmemopen(solv.data, solv.len, "r");
		r = !f ? -errno : repo_add_solv(repo, f, 0) ? -EBADMSG : 0;
		if (f)
			fclose(f);
		if (r)
			repo_empty(repo, 1);
	}
	xs_buf_free(&solv);
	return r;
}

int xs_solv_write(const char *path, Repo *repo, const char *from_sha256)
{
	char *data = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&data, &len);
	if (!m)
		return -errno;
	repo_write(repo, m);
	if (fclose(m)) {
		free(data);
		return -EIO;
	}
	char have[XS_SHA256_HEX];
	xs_sha256_mem(data, len, have);
	_cleanup_free_ char *sum = xs_asprintf("from %s\nsolv %s\n", from_sha256, have);
	_cleanup_free_ char *sp = sum_path(path);
	/* the pool first: a reader that meets the old sum beside it parses
	 * the metadata again, never trusts a pool its sum does not name */
	int r = xs_write_file_atomically(path, data, len);
	if (!r)
		r = xs_write_file_atomically(sp, sum, strlen(sum));
	free(data);
	return r;
}

struct xs_cache_reader {
	int fd;
	struct xs_digest *digest;
	char want[XS_SHA256_HEX];
	struct xs_digest *file_digest; /* the whole file's, or NULL */
	char want_file[XS_SHA256_HEX];
	int err; /* first read error, -errno */
	char buf[1 << 16];
};

int xs_cache_reader_open_fd(int fd, uint64_t offset, const char *want_sha256, struct xs_cache_reader **out)
{
	int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (own < 0)
		return -errno;
	if (lseek(own, (off_t)offset, SEEK_SET) < 0) {
		int e = -errno;
		close(own);
		return e;
	}
	struct xs_cache_reader *r = xs_calloc(1, sizeof(*r));
	r->fd = own;
	r->digest = xs_digest_new_sha256();
	if (want_sha256)
		snprintf(r->want, sizeof(r->want), "%s", want_sha256);
	*out = r;
	return 0;
}

int xs_cache_reader_open(const char *path, uint64_t offset, const char *want_sha256, struct xs_cache_reader **out)
{
	/* a symlink in the cache is never one of its files */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return xs_cache_reader_open_fd(fd, offset, want_sha256, out);
}

int xs_cache_reader_open_pkg(const struct xs_pkg *p, uint64_t offset, const char *want_sha256,
			     struct xs_cache_reader **out)
{
	if (p->has_cache_fd)
		return xs_cache_reader_open_fd(p->cache_fd, offset, want_sha256, out);
	return xs_cache_reader_open(p->cache_path, offset, want_sha256, out);
}

void xs_cache_pkg_drop_fd(struct xs_pkg *p)
{
	if (p->has_cache_fd)
		close(p->cache_fd);
	p->has_cache_fd = false;
}

void xs_cache_reader_keep_fd(struct xs_cache_reader *r, struct xs_pkg *p)
{
	int fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return; /* the next pass opens the name, and checks it all the same */
	xs_cache_pkg_drop_fd(p);
	p->cache_fd = fd;
	p->has_cache_fd = true;
}

static ssize_t reader_fill(struct xs_cache_reader *r, void *buf, size_t n)
{
	ssize_t k;
	do
		k = read(r->fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0) {
		if (!r->err)
			r->err = -errno;
		return -1;
	}
	xs_digest_add(r->digest, buf, (size_t)k);
	if (r->file_digest)
		xs_digest_add(r->file_digest, buf, (size_t)k);
	return k;
}

void xs_cache_reader_whole_file(struct xs_cache_reader *r, const void *head, size_t len, const char *want_sha256)
{
	r->file_digest = xs_digest_new_sha256();
	xs_digest_add(r->file_digest, head, len);
	snprintf(r->want_file, sizeof(r->want_file), "%s", want_sha256);
}

int xs_cache_read(struct xs_cache_reader *r, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t k = reader_fill(r, (char *)buf + got, n - got);
		if (k < 0)
			return r->err;
		if (k == 0)
			return -EBADMSG;
		got += (size_t)k;
	}
	return 0;
}

static la_ssize_t reader_archive_read(struct archive *a, void *arg, const void **buf)
{
	struct xs_cache_reader *r = arg;
	(void)a;
	*buf = r->buf;
	return reader_fill(r, r->buf, sizeof(r->buf));
}

int xs_cache_reader_archive(struct xs_cache_reader *r, struct archive *a)
{
	return archive_read_open(a, r, NULL, reader_archive_read, NULL) == ARCHIVE_OK ? 0 : -EBADMSG;
}

void xs_cache_reader_abort(struct xs_cache_reader *r)
{
	if (!r)
		return;
	xs_digest_abort(r->digest);
	if (r->file_digest)
		xs_digest_abort(r->file_digest);
	close(r->fd);
	free(r);
}

int xs_cache_reader_close_file(struct xs_cache_reader *r, char got[XS_SHA256_HEX], char got_file[XS_SHA256_HEX])
{
	char hex[XS_SHA256_HEX], file_hex[XS_SHA256_HEX] = "";
	while (reader_fill(r, r->buf, sizeof(r->buf)) > 0)
		;
	xs_digest_final(r->digest, hex);
	r->digest = NULL;
	if (r->file_digest) {
		xs_digest_final(r->file_digest, file_hex);
		r->file_digest = NULL;
	}
	int e = r->err				       ? r->err
		: *file_hex && strcasecmp(file_hex, r->want_file) ? -ESTALE
		: *r->want && strcasecmp(hex, r->want)	       ? -EBADMSG
							       : 0;
	if (got)
		memcpy(got, hex, sizeof(hex));
	if (got_file)
		memcpy(got_file, file_hex, sizeof(file_hex));
	xs_cache_reader_abort(r);
	return e;
}

int xs_cache_reader_close(struct xs_cache_reader *r, char got[XS_SHA256_HEX])
{
	return xs_cache_reader_close_file(r, got, NULL);
}

int xs_cache_newest(const struct xs_ctx *ctx, const char *key, long long value, long long *seen,
		    struct xs_log *log)
{
	_cleanup_free_ char *dir = xs_cache_dir(ctx, "release-dates", true);
	int r = xs_fetch_check_dir(log, dir);
	if (r < 0)
		return r;
	char hex[XS_SHA256_HEX];
	xs_sha256_mem(key, strlen(key), hex);
	_cleanup_free_ char *path = xs_asprintf("%s/%s", dir, hex);
	struct xs_buf b = { 0 };
	*seen = 0;
	if (xs_read_file(path, &b) == 0 && b.data)
		*seen = strtoll(b.data, NULL, 10);
	xs_buf_free(&b);
	if (value <= *seen)
		return 0;
	_cleanup_free_ char *line = xs_asprintf("%lld %s\n", value, key);
	if ((r = xs_write_file_atomically(path, line, strlen(line))) < 0)
		xs_warn(log, "%s: cannot remember the newest metadata seen for %s: %s", path, key, strerror(-r));
	return 0;
}

int xs_cache_pkg_changed(struct xs_log *log, const struct xs_pkg *p)
{
	return xs_fail(log, EBADMSG,
		       "%s (package %s %s): the cached file is not the one the signed index names: expected SHA256 %s, found %s; refusing it (nothing of it was unpacked)",
		       p->cache_path, p->name, p->version, p->sha256, p->found_sha256);
}

int xs_cache_pkg_refetch(struct xs_log *log, const struct xs_pkg *p)
{
	xs_warn(log, "%s (package %s %s): the cached file is not the one the signed index names (expected SHA256 %s, found %s); discarded, fetching it again",
		p->cache_path, p->name, p->version, p->sha256, p->found_sha256);
	if (unlink(p->cache_path) < 0 && errno != ENOENT)
		return xs_fail(log, errno, "%s: cannot remove the changed file from the cache: %s", p->cache_path,
			       strerror(errno));
	struct xs_transfer t = { .url = p->url, .dest = p->cache_path, .sha256 = p->sha256, .size = p->size };
	return xs_fetch_one(log, &t);
}
