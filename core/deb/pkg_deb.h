/* pkg_deb.h - .deb packages: ar + control.tar.* + data.tar.* with
 * libarchive, unpacked straight into the target in one streaming pass. */
#ifndef XS_PKG_DEB_H
#define XS_PKG_DEB_H

#include "context.h"
#include "txn.h"

struct xs_ctrlfile {
	char *name; /* control member: control, preinst, md5sums, conffiles... */
	char *data;
	size_t len;
	mode_t mode;
};

#define XS_PHASE_BASE 1000

/* What a .deb package carries besides the shared record (p->family_data). */
struct xs_debinfo {
	char *priority, *section;
	bool essential;
	bool multiarch_same;
	/* The order debootstrap configures in: 1 the Priority: required
	 * closure; 2, 3, ... one round per base package that another base
	 * package Pre-Depends on, with its dependencies; XS_PHASE_BASE the other
	 * base packages. */
	int phase;
	int repo_index; /* which loaded index the package came from */
	uint64_t stanza_off, stanza_len;
	/* filled by extraction */
	struct xs_ctrlfile *ctrl;
	size_t nctrl;
};

/* P's Debian record, made on first use. */
struct xs_debinfo *xs_deb(struct xs_pkg *p);
/* P's Debian record, or an empty one when it has none. */
const struct xs_debinfo *xs_deb_c(const struct xs_pkg *p);
void xs_debinfo_free(struct xs_pkg *p);
const struct xs_ctrlfile *xs_pkg_ctrl(const struct xs_pkg *p, const char *name);
/* The path in one line (LEN bytes) of a conffiles member: the word that
 * starts with "/"; the others are flags, which dpkg writes before it
 * ("remove-on-upgrade /etc/foo", deb-conffiles(5)). NULL when there is
 * none; *PLEN its length. */
const char *xs_deb_conffile_path(const char *line, size_t len, size_t *plen);

/* Unpacks P (from p->cache_path): control members into p->ctrl, data into
 * the target behind ROOTFD, recording every entry in p->manifest. Entries
 * that would leave the target are refused with an error naming them. */
int xs_deb_unpack(struct xs_log *log, int rootfd, struct xs_pkg *p);

/* The two halves of xs_deb_unpack, so that decompression (the costly part)
 * runs in parallel while packages are written in transaction order:
 * decode reads the control members into p->ctrl and the decompressed
 * data.tar into *data_tar; write lays data_tar down in the target. */
int xs_deb_decode(struct xs_log *log, struct xs_pkg *p, struct xs_buf *data_tar);
/* xs_deb_decode in bounded memory: a data member that unpacks to more than
 * LIMIT bytes (by Installed-Size, or found while decompressing) is left in
 * the file: p->stream is set and xs_deb_write streams it from there.
 * The file is hashed while it is decoded: one whose digest is not p->sha256
 * gives -ESTALE with p->found_sha256 set and no message (the caller fetches
 * it again, or fails with xs_cache_pkg_changed). */
int xs_deb_decode_within(struct xs_log *log, struct xs_pkg *p, struct xs_buf *data_tar, uint64_t limit);
int xs_deb_write(struct xs_log *log, int rootfd, struct xs_pkg *p, const struct xs_buf *data_tar);

#endif
