/* stages.h - the pipeline: metadata, resolve, download, extract,
 * configure, cleanup, output; the family (family.h) does each stage's
 * family-specific part. */
#ifndef XS_STAGES_H
#define XS_STAGES_H

#include "context.h"
#include "txn.h"

/* Chooses the package family, fills defaults the user did not give
 * (mirror, keyring, components, arch, cache dir), checks the suite and
 * runs the class scripts. */
int xs_prepare(struct xs_ctx *ctx);
/* Resolve only: the package set in *txn (the caller frees it with
 * xs_txn_free; on failure it is empty). */
int xs_plan(struct xs_ctx *ctx, struct xs_txn *txn);
/* The whole build into ctx->o.target. */
int xs_build(struct xs_ctx *ctx);
/* Frees what xs_prepare and the stages keep in CTX (pool, suite, the
 * family's state). */
void xs_release(struct xs_ctx *ctx);

#endif
