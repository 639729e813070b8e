/* configure.h - making an unpacked Debian root live: device nodes,
 * policy-rc.d, preinsts in dependency order, then the target's own
 * `dpkg --configure -a` (maintainer scripts and triggers). */
#ifndef XS_CONFIGURE_H
#define XS_CONFIGURE_H

#include "context.h"
#include "txn.h"

/* Device nodes and /dev links a root needs before any script runs. */
int xs_setup_dev(struct xs_log *log, int rootfd);
int xs_configure_debian(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
/* An unlinked temporary file that collects the target's script output,
 * and its last SIZE-1 bytes on one line (newlines as '|'), for errors. */
int xs_configure_log(struct xs_log *log);
void xs_configure_log_tail(int logfd, char *tail, size_t size);
/* Removes what only the build needed (policy-rc.d, staging dirs; on rpm
 * roots the /dev nodes no package owns). */
int xs_configure_cleanup(struct xs_ctx *ctx, int rootfd);

#endif
