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
/* write_db records the packages of phase 1 only (status, info files,
 * trigger interests); this adds the packages of PHASE (status as "install
 * ok unpacked", info files, interests) once they are unpacked, after the
 * phases before it are configured. */
int xs_dpkg_add_phase(struct xs_log *log, int rootfd, const struct xs_txn *txn, int phase);
/* "PKG" or "PKG:ARCH" (Multi-Arch: same), as dpkg names info files. */
char *xs_dpkg_info_name(const struct xs_pkg *p);
/* The status paragraph for P, from its control file, the archive's
 * Priority/Section and the conffile digests of the manifest. */
void xs_dpkg_status_para(const struct xs_pkg *p, const char *status, struct xs_buf *out);

#endif
