/* deb_resolve.h - Debian's jobs for the solver and debootstrap's configure order. */
#ifndef XS_DEB_RESOLVE_H
#define XS_DEB_RESOLVE_H

#include <solv/queue.h>

#include "context.h"
#include "txn.h"

/* The solver jobs: --include as users write it (xs_job_select, and apt's
 * NAME:ARCH; MIRROR named when nothing matches), the variant's packages as debootstrap defines them, the
 * suite's additions, with the excludes applied and apt's preferences among
 * providers (real packages, first alternatives). */
int xs_deb_jobs(struct xs_ctx *ctx, Queue *jobs, const char *mirror);
/* debootstrap's configure phases on TXN (struct xs_debinfo's phase). */
void xs_deb_order(struct xs_ctx *ctx, struct xs_txn *txn);
/* How many packages (the first of TXN, in phase order) are unpacked before
 * phase 1 is configured: the phase 1 ones. */
size_t xs_deb_extract_first(const struct xs_txn *txn);

#endif
