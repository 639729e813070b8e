/* pkg_deb.h - .deb packages: ar + control.tar.* + data.tar.* with
 * libarchive, unpacked straight into the target in one streaming pass. */
#ifndef XS_PKG_DEB_H
#define XS_PKG_DEB_H

#include "context.h"
#include "txn.h"

/* Unpacks P (from p->cache_path): control members into p->ctrl, data into
 * the target behind ROOTFD, recording every entry in p->manifest. Entries
 * that would leave the target are refused with an error naming them. */
int xs_deb_unpack(struct xs_log *log, int rootfd, struct xs_pkg *p);

#endif
