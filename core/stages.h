/* stages.h - the pipeline: metadata, resolve, download, extract,
 * configure, cleanup, output. */
#ifndef XS_STAGES_H
#define XS_STAGES_H

#include "context.h"

/* Fills defaults the user did not give (mirror, keyring, components,
 * arch, cache dir) and checks the suite. */
int xs_prepare(struct xs_ctx *ctx);
/* Resolve only: print the package set (text or --json). */
int xs_plan(struct xs_ctx *ctx);
/* The whole build into ctx->o.target. */
int xs_build(struct xs_ctx *ctx);

#endif
