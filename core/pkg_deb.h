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

/* The two halves of xs_deb_unpack, so that decompression (the costly part)
 * runs in parallel while packages are written in transaction order:
 * decode reads the control members into p->ctrl and the decompressed
 * data.tar into *data_tar; write lays data_tar down in the target. */
int xs_deb_decode(struct xs_log *log, struct xs_pkg *p, struct xs_buf *data_tar);
int xs_deb_write(struct xs_log *log, int rootfd, struct xs_pkg *p, const struct xs_buf *data_tar);

/* The entry writer both formats share: lays archive entry E (its data read
 * from A) down in the target, confined to it, and records it in
 * p->manifest. Mode, owner and mtime come from E. */
struct archive;
struct archive_entry;
struct xs_writer;
struct xs_writer *xs_writer_new(int rootfd);
void xs_writer_free(struct xs_writer *w);
int xs_writer_entry(struct xs_log *log, struct xs_writer *w, struct xs_pkg *p, struct archive *a,
		    struct archive_entry *e);

#endif
