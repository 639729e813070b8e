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

#endif
