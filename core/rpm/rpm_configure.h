/* rpm_configure.h - making an unpacked rpm root live: owners by name, the
 * scriptlets in transaction order, triggers, and the rpmdb.
 *
 * Order, as rpm runs a fresh install: every %pretrans; then per package in
 * transaction order %pre, its files' owners (names resolved against the
 * target's passwd/group as they are after %pre), %post, and the %triggerin
 * scripts it sets off or that it has on packages already there; then every
 * %posttrans and the %transfiletriggerin scripts by priority. The rpmdb is
 * written by the target's own rpm (`rpm --justdb`), from header-only copies
 * of the packages, so its format is always the one the target reads. */
#ifndef XS_RPM_CONFIGURE_H
#define XS_RPM_CONFIGURE_H

#include "context.h"
#include "txn.h"

/* What rpm gives its scriptlets besides HOME. */
extern const char *const xs_rpm_env[];

int xs_configure_rpm(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
/* Removes the /dev nodes configure made for the scriptlets and no package
 * of TXN owns (the cleanup stage calls it). */
void xs_rpm_remove_dev(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
/* rpm -e NAMES in the target, by the target's rpm; < 0 on failure. */
int xs_rpm_erase(struct xs_ctx *ctx, int rootfd, const struct xs_strlist *names);

#endif
