/* extract.h - the download and extract stages of the pipeline. */
#ifndef XS_EXTRACT_H
#define XS_EXTRACT_H

#include "context.h"
#include "txn.h"

/* Every package of TXN into the cache (p->cache_path), verified while it
 * streams; 6 transfers at a time. */
int xs_download(struct xs_ctx *ctx, struct xs_txn *txn);
/* Every package of TXN into the target behind ROOTFD: ctx->jobs workers
 * decode (the family's decode, in parallel, within a memory budget) ahead
 * of one writer that lays them down strictly in transaction order (the
 * family's write), so "later package wins" holds as with dpkg and rpm. */
int xs_extract(struct xs_ctx *ctx, struct xs_txn *txn, int rootfd);
/* The same in steps, for a family that configures part of the transaction
 * before the rest lands (Debian's phases, as debootstrap): start sets
 * ctx->extraction and the workers decoding; until lays down the packages
 * before index END (transaction order) while the workers keep decoding
 * ahead within the memory budget; finish stops and joins the workers and
 * fails when a package was left unwritten. Finish always, after a failure
 * too. */
int xs_extract_start(struct xs_ctx *ctx, struct xs_txn *txn, int rootfd);
int xs_extract_until(struct xs_ctx *ctx, size_t end);
int xs_extract_finish(struct xs_ctx *ctx);

#endif
