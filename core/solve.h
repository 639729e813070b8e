/* solve.h - from variant, suite rules and --include/--exclude to an
 * ordered transaction, with libsolv; problems in plain words. */
#ifndef XS_SOLVE_H
#define XS_SOLVE_H

#include "context.h"
#include "repo_apt.h"
#include "suites.h"
#include "txn.h"

int xs_resolve(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt,
	       struct xs_txn *out);

/* rpm-md: --include names, provides and @groups (a comps group's
 * mandatory and default packages, as dnf installs them), and the suite's
 * groups (an rpm distribution's @core) unless --variant=custom. Each
 * package's URL is below the repository it comes from. */
int xs_resolve_rpm(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_txn *out);

#endif
