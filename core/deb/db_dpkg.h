/* db_dpkg.h - /var/lib/dpkg written from the transaction and manifests:
 * status (install ok unpacked), info/PKG.{list,md5sums,conffiles,scripts},
 * trigger interests and the available file, so the target's own dpkg can
 * then configure everything. */
#ifndef XS_DB_DPKG_H
#define XS_DB_DPKG_H

#include "context.h"
#include "repo_apt.h"
#include "txn.h"

int xs_dpkg_write_db(struct xs_log *log, int rootfd, const struct xs_apt *apt,
		     const struct xs_txn *txn);
/* Only packages of phase 1 enter the status file at first; this adds the
 * packages of PHASE (as "install ok unpacked") once phase 1 is configured. */
int xs_dpkg_add_phase(struct xs_log *log, int rootfd, const struct xs_txn *txn, int phase);
/* "PKG" or "PKG:ARCH" (Multi-Arch: same), as dpkg names info files. */
char *xs_dpkg_info_name(const struct xs_pkg *p);
/* The status paragraph for P, from its control file, the archive's
 * Priority/Section and the conffile digests of the manifest. */
void xs_dpkg_status_para(const struct xs_pkg *p, const char *status, struct xs_buf *out);

#endif
