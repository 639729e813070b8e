/* cache.c - the cache's layout in one place, and .solv files in and out. */
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
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

int xs_solv_load(Repo *repo, const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	int bad = repo_add_solv(repo, f, 0);
	fclose(f);
	if (bad) {
		repo_empty(repo, 1);
		return -EBADMSG;
	}
	return 0;
}

static void write_solv(FILE *f, void *repo)
{
	repo_write(repo, f);
}

int xs_solv_write(const char *path, Repo *repo)
{
	return xs_write_atomically(path, write_solv, repo);
}

struct xs_cache_reader {
	int fd;
	struct xs_digest *digest;
	char want[XS_SHA256_HEX];
	int err; /* first read error, -errno */
	char buf[1 << 16];
};

int xs_cache_reader_open(const char *path, uint64_t offset, const char *want_sha256, struct xs_cache_reader **out)
{
	/* a symlink in the cache is never one of its files */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (offset && lseek(fd, (off_t)offset, SEEK_SET) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	struct xs_cache_reader *r = xs_calloc(1, sizeof(*r));
	r->fd = fd;
	r->digest = xs_digest_new_sha256();
	if (want_sha256)
		snprintf(r->want, sizeof(r->want), "%s", want_sha256);
	*out = r;
	return 0;
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
	return k;
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
	close(r->fd);
	free(r);
}

int xs_cache_reader_close(struct xs_cache_reader *r, char got[XS_SHA256_HEX])
{
	char hex[XS_SHA256_HEX];
	while (reader_fill(r, r->buf, sizeof(r->buf)) > 0)
		;
	xs_digest_final(r->digest, hex);
	int e = r->err ? r->err : *r->want && strcasecmp(hex, r->want) ? -EBADMSG : 0;
	if (got)
		memcpy(got, hex, sizeof(hex));
	r->digest = NULL;
	xs_cache_reader_abort(r);
	return e;
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
