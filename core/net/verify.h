/* verify.h - OpenPGP signatures (gpgme) over InRelease and Release.gpg. */
#ifndef XS_VERIFY_H
#define XS_VERIFY_H

#include <stddef.h>

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

#endif
