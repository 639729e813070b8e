/* deb_configure.h - making an unpacked Debian root live: device nodes,
 * policy-rc.d, preinsts in dependency order, then the target's own
 * `dpkg --configure -a` (maintainer scripts and triggers). */
#ifndef XS_DEB_CONFIGURE_H
#define XS_DEB_CONFIGURE_H

#include "context.h"
#include "txn.h"

/* What every program dpkg's world runs gets besides PATH and HOME. */
extern const char *const xs_deb_env[];
int xs_configure_debian(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
/* Removes what only the build needed (policy-rc.d, the staging dir). */
int xs_deb_cleanup(struct xs_ctx *ctx, int rootfd);

#endif
