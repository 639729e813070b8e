/* cache.c - the cache's layout in one place, and .solv files in and out. */
#include "cache.h"

#include <errno.h>
#include <stdio.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>

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
