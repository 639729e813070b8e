/* solve.h - from the family's jobs to an ordered transaction, with
 * libsolv; problems in plain words. Helpers the families' jobs share. */
#ifndef XS_SOLVE_H
#define XS_SOLVE_H

#include <stdbool.h>

#include <solv/pool.h>
#include <solv/queue.h>

#include "context.h"
#include "txn.h"

/* Resolves ctx->family's jobs against ctx->pool into *OUT, in the order
 * libsolv's transaction_order gives (prerequisites first), each package
 * located by the family, then ordered by it. */
int xs_resolve(struct xs_ctx *ctx, struct xs_txn *out);

/* Takes the excluded packages out of the pool (as dnf's exclude: nothing
 * can choose them to satisfy a dependency): --exclude, and SUITE_EXCLUDE
 * unless --include names them. A name both included and excluded is an error. */
int xs_apply_excludes(struct xs_ctx *ctx, const struct xs_strlist *suite_exclude);
/* Whether a package (not only a provide) NAME exists and is not excluded. */
bool xs_name_exists(Pool *pool, const char *name);
/* Adds the jobs that install what SPEC names, as users write it: a name,
 * a provide, a glob ("lib*-dev": every matching name), NAME=VERSION or
 * "NAME>=VERSION", NAME.ARCH, NAME-VERSION-RELEASE.ARCH (rpm), or a file
 * path ("/usr/bin/foo"); any of these with /REPO (only from the
 * repositories named REPO or REPO/...: a suite, "bookworm-backports").
 * 0, or -ENOENT with a message naming SPEC and WHERE (the suite, mirror). */
int xs_job_select(struct xs_ctx *ctx, const char *spec, const char *where, Queue *jobs);
/* Adds "install the package NAME" to JOBS. */
void xs_job_name(Pool *pool, Queue *jobs, const char *name);

#endif
