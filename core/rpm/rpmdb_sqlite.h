/* rpmdb_sqlite.h - the rpm database in rpm's sqlite format (rpm >= 4.16),
 * written by xstrap for a target whose package set has no rpm.
 *
 * What rpm -i stores: each package's header as rpm keeps it installed
 * (the signed immutable region as the package carries it, the signature
 * header's tags merged in, and the install-time tags FILESTATES,
 * INSTALLTID, INSTALLTIME, INSTALLCOLOR, INSTPREFIXES), one row in
 * Packages, and its keys in the 17 index tables rpm looks packages up by
 * (Name, Basenames, Providename, Requirename, ...). The keys that signed the
 * packages go in first as gpg-pubkey entries, as dnf imports them. */
#ifndef XS_RPMDB_SQLITE_H
#define XS_RPMDB_SQLITE_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "pkg_rpm.h"
#include "txn.h"
#include "verify.h"

/* The keys that signed a transaction's packages, each once, in the order
 * the packages name them: fingerprints and the keys exported from the
 * verification keyrings (the distribution's and the extra repositories';
 * armored, or as OpenPGP packets). */
struct xs_rpm_keys {
	struct xs_strlist fprs;
	struct xs_buf *v;
	struct xs_keyinfo *info; /* ids, times and user id of each, from gpgme */
	size_t n;
};
int xs_rpm_signing_keys(struct xs_ctx *ctx, const struct xs_txn *txn, bool armor, struct xs_rpm_keys *out);
void xs_rpm_keys_free(struct xs_rpm_keys *k);

/* rpm's %_transaction_color for ARCH (rpm's installplatform): 3 on the
 * 64-bit multilib architectures, 2 on ia64, 0 elsewhere. */
uint32_t xs_rpmdb_color(const char *arch);

/* The header RI's package gets in the database, without the 8-byte magic
 * (what the Packages table holds), into *OUT. Returns 0, or -EBADMSG with
 * *why set when the signature header's tags cannot be merged. */
int xs_rpmdb_header(const struct xs_rpminfo *ri, uint32_t tid, uint32_t installtime, uint32_t color,
		    struct xs_buf *out, const char **why);

/* The gpg-pubkey header rpm --import makes of KEY (one OpenPGP v4
 * certificate as packets, described by INFO) imported at TID, without the
 * magic, into *OUT: name gpg-pubkey, version and release the short key id
 * and creation time in hex, the key armored as description, gpg(...)
 * provides of the user id and of each key id. */
int xs_rpmdb_pubkey_header(const unsigned char *key, size_t len, const struct xs_keyinfo *info, uint32_t tid,
			   struct xs_buf *out, const char **why);

/* Writes a new database DBPATH/rpmdb.sqlite (DBPATH absolute, inside the
 * target behind ROOTFD): KEYS (may be NULL) as gpg-pubkey entries, then TXN's
 * packages in its order, with TID as INSTALLTID and INSTALLTIME. The
 * database is built in a private host directory and copied in through the
 * root fd. */
int xs_rpmdb_sqlite_write(struct xs_log *log, int rootfd, const char *dbpath, const struct xs_rpm_keys *keys,
			  const struct xs_txn *txn, const char *arch, uint32_t tid);


/* The database of a target without rpm: where and in which format the
 * distribution's rpm keeps it (repos/rpm.conf: rpmdb, rpmdb-backend;
 * /var/lib/rpm and sqlite for a bare repository URL). INSTALLTIME and
 * INSTALLTID are SOURCE_DATE_EPOCH when set, else now. A distribution whose
 * rpm reads another format (EL8's Berkeley DB) is refused. */
int xs_rpmdb_write_own(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);

#endif
