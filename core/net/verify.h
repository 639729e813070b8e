/* verify.h - OpenPGP signatures (gpgme) over InRelease and Release.gpg. */
#ifndef XS_VERIFY_H
#define XS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "util.h"

struct xs_verifier;

/* Imports every key file (armored or binary) into a private, temporary
 * keyring: the host's keyrings are never read or changed. */
int xs_verifier_new(struct xs_verifier **out, const struct xs_strlist *keyfiles,
		    struct xs_log *log);
void xs_verifier_free(struct xs_verifier *v);

/* From now on only signatures by keys whose primary fingerprint is in
 * FPRS count (FPRS must outlive V; NULL or empty: any key of the keyring). */
void xs_verifier_pin(struct xs_verifier *v, const struct xs_strlist *fprs);

/* Checks a clearsigned document (InRelease) named NAME and returns the
 * signed text only in *plain: data outside the signature never reaches
 * the caller. */
int xs_verify_clearsigned(struct xs_verifier *v, const char *name, const char *data, size_t len,
			  struct xs_buf *plain, struct xs_log *log);
/* Checks a detached signature SIG (Release.gpg) over DATA. */
int xs_verify_detached(struct xs_verifier *v, const char *name, const char *data, size_t len,
		       const char *sig, size_t siglen, struct xs_log *log);

/* The fingerprint of the key that made the last good signature ("" when
 * none did yet). */
const char *xs_verifier_signer(const struct xs_verifier *v);
/* Appends key FPR from the keyring, ASCII-armored, to OUT. */
int xs_verifier_export(struct xs_verifier *v, const char *fpr, struct xs_buf *out, struct xs_log *log);
/* The same as OpenPGP packets (what rpm keeps of an imported key). */
int xs_verifier_export_binary(struct xs_verifier *v, const char *fpr, struct xs_buf *out, struct xs_log *log);

/* What rpm names an imported key by: the primary key's and each subkey's
 * id (16 lowercase hex digits) and creation time, the first user id. */
struct xs_keyinfo {
	struct {
		char keyid[17];
		uint32_t created;
		bool v4; /* a v4 key (a 40-digit fingerprint) */
	} part[16];
	size_t nparts; /* the primary key first */
	char *userid;  /* NULL when it has none */
};
int xs_verifier_key_info(struct xs_verifier *v, const char *fpr, struct xs_keyinfo *out, struct xs_log *log);
void xs_keyinfo_free(struct xs_keyinfo *k);

#endif
