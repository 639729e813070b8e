/* cache.h - the cache's layout in one place: metadata, parsed pools (.solv)
 * and packages below --cache-dir, verified and unverified kept apart. */
#ifndef XS_CACHE_H
#define XS_CACHE_H

#include <stdbool.h>

#include "context.h"
#include "txn.h"

struct s_Repo;

/* CACHE/KIND, created: KIND is a family's metadata or package folder
 * ("index", "rpmmd", "debs"). Under --no-verify, metadata folders are
 * KIND-unverified, so unverified bytes never enter the verified cache. */
char *xs_cache_dir(const struct xs_ctx *ctx, const char *kind, bool metadata);
/* Where package P is cached: KIND/SHA256.EXT when its digest is known,
 * else KIND/unverified-NAME_VERSION_ARCH.EXT (never shared, never trusted). */
char *xs_cache_pkg_path(const struct xs_ctx *ctx, const struct xs_pkg *p, const char *kind,
			const char *ext);

/* A parsed pool: loads PATH into REPO (0), or leaves REPO empty and returns
 * -ENOENT (absent) or -EBADMSG (another libsolv's format, or damaged). */
int xs_solv_load(struct s_Repo *repo, const char *path);
/* Writes REPO to PATH atomically (concurrent runs share the cache). */
int xs_solv_write(const char *path, struct s_Repo *repo);

#endif
