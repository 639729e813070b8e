/* verify.c - OpenPGP signatures with gpgme in a private, temporary keyring. */
#include "verify.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gpgme.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

struct xs_verifier {
	gpgme_ctx_t ctx;
	char home[PATH_MAX];
	int home_slot; /* removed on a signal too (xs_cleanup_add) */
	int nkeys;
	char signer[64]; /* fingerprint of the last good signature's key */
	const struct xs_strlist *pins; /* primary fingerprints that may sign; NULL: any */
};

void xs_verifier_pin(struct xs_verifier *v, const struct xs_strlist *fprs)
{
	v->pins = fprs && fprs->n ? fprs : NULL;
}

/* The primary fingerprint of the key that made signature S (gpg names
 * the signing subkey), into PRIMARY; false when the keyring lacks it. */
static bool primary_of(struct xs_verifier *v, gpgme_signature_t s, char *primary, size_t size)
{
	gpgme_key_t key = NULL;
	if (!s->fpr || gpgme_get_key(v->ctx, s->fpr, &key, 0) || !key || !key->fpr) {
		if (key)
			gpgme_key_unref(key);
		return false;
	}
	snprintf(primary, size, "%s", key->fpr);
	gpgme_key_unref(key);
	return true;
}

static bool is_pinned(const struct xs_verifier *v, const char *primary)
{
	for (size_t i = 0; v->pins && i < v->pins->n; i++)
		if (!strcasecmp(v->pins->v[i], primary))
			return true;
	return !v->pins;
}

/* Hashes no signature may rest on any more: collisions for them exist
 * (SHA1: SHAttered, 2017; MD5 long before), as apt refuses them too. */
static bool weak_hash(gpgme_hash_algo_t h)
{
	return h == GPGME_MD_SHA1 || h == GPGME_MD_MD5 || h == GPGME_MD_RMD160 || h == GPGME_MD_MD2 ||
	       h == GPGME_MD_MD4;
}

static int gpg_fail(struct xs_log *log, const char *what, gpgme_error_t e)
{
	return xs_fail(log, EIO, "%s: %s", what, gpgme_strerror(e));
}

void xs_verifier_free(struct xs_verifier *v)
{
	if (!v)
		return;
	if (v->ctx)
		gpgme_release(v->ctx);
	if (v->home[0]) {
		xs_rm_rf(v->home);
		xs_cleanup_drop(v->home_slot);
	}
	free(v);
}

int xs_verifier_new(struct xs_verifier **out, const struct xs_strlist *keyfiles,
		    struct xs_log *log)
{
	struct xs_verifier *v = xs_calloc(1, sizeof(*v));
	gpgme_error_t e;
	int r;
	*out = NULL;
	gpgme_check_version(NULL);
	gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	v->home_slot = -1;
	if ((size_t)snprintf(v->home, sizeof(v->home), "%s/xstrap-gpg-XXXXXX", tmp) < sizeof(v->home) &&
	    mkdtemp(v->home)) {
		v->home_slot = xs_cleanup_add(v->home);
	} else {
		r = xs_fail(log, errno, "cannot create a temporary keyring directory in %s: %s", tmp,
			    strerror(errno));
		v->home[0] = 0;
		goto fail;
	}
	/* Verification needs no agent: never leave one running behind us. */
	static const char gpgconf[] = "no-autostart\nno-auto-check-trustdb\ntrust-model always\n";
	char *conf = xs_asprintf("%s/gpg.conf", v->home);
	r = xs_write_file_at(AT_FDCWD, conf, gpgconf, sizeof(gpgconf) - 1, 0600);
	if (r < 0)
		xs_fail(log, -r, "%s: %s", conf, strerror(-r));
	free(conf);
	if (r < 0)
		goto fail;
	if ((e = gpgme_new(&v->ctx))) {
		r = gpg_fail(log, "gpgme", e);
		goto fail;
	}
	e = gpgme_ctx_set_engine_info(v->ctx, GPGME_PROTOCOL_OpenPGP, NULL, v->home);
	if (e) {
		r = gpg_fail(log, "gpgme (is gpg installed?)", e);
		goto fail;
	}
	for (size_t i = 0; i < keyfiles->n; i++) {
		struct xs_buf b = { 0 };
		r = xs_read_file(keyfiles->v[i], &b);
		if (r < 0) {
			xs_fail(log, -r, "%s: cannot read the keyring: %s (give the archive key with --keyring=FILE)",
				keyfiles->v[i], strerror(-r));
			xs_buf_free(&b);
			goto fail;
		}
		gpgme_data_t d;
		gpgme_data_new_from_mem(&d, b.data, b.len, 0);
		e = gpgme_op_import(v->ctx, d);
		gpgme_data_release(d);
		xs_buf_free(&b);
		gpgme_import_result_t ir = e ? NULL : gpgme_op_import_result(v->ctx);
		if (!ir || ir->considered == 0) {
			r = xs_fail(log, EINVAL, "%s: expected OpenPGP public keys, found none%s%s",
				    keyfiles->v[i], e ? ": " : "", e ? gpgme_strerror(e) : "");
			goto fail;
		}
		v->nkeys += ir->imported + ir->unchanged;
	}
	*out = v;
	return 0;
fail:
	xs_verifier_free(v);
	return r;
}

/* Accept when at least one signature is good, made over a strong hash by
 * a pinned key (when keys are pinned), and none is bad: an archive is
 * signed by several keys and the user may hold only one of them. */
static int judge(struct xs_verifier *v, const char *name, struct xs_log *log)
{
	gpgme_verify_result_t res = gpgme_op_verify_result(v->ctx);
	int good = 0;
	const char *missing = NULL;
	char unpinned[64] = "", weak[64] = "";
	const char *weak_algo = NULL;
	for (gpgme_signature_t s = res ? res->signatures : NULL; s; s = s->next) {
		gpgme_err_code_t c = gpgme_err_code(s->status);
		char primary[64] = "";
		if (c == GPG_ERR_NO_ERROR && weak_hash(s->hash_algo)) {
			snprintf(weak, sizeof(weak), "%s", s->fpr ? s->fpr : "?");
			weak_algo = gpgme_hash_algo_name(s->hash_algo);
		} else if (c == GPG_ERR_NO_ERROR && v->pins &&
			   (!primary_of(v, s, primary, sizeof(primary)) || !is_pinned(v, primary))) {
			snprintf(unpinned, sizeof(unpinned), "%s", *primary ? primary : s->fpr ? s->fpr : "?");
		} else if (c == GPG_ERR_NO_ERROR) {
			good++;
			snprintf(v->signer, sizeof(v->signer), "%s", s->fpr ? s->fpr : "");
		}
		else if (c == GPG_ERR_NO_PUBKEY)
			missing = s->fpr;
		else if (c == GPG_ERR_BAD_SIGNATURE)
			return xs_fail(log, EBADMSG,
				       "%s: BAD signature by key %s: the file was changed after it was signed",
				       name, s->fpr ? s->fpr : "?");
		else if (c == GPG_ERR_SIG_EXPIRED || c == GPG_ERR_KEY_EXPIRED || c == GPG_ERR_CERT_REVOKED)
			return xs_fail(log, EKEYREJECTED, "%s: signature by key %s not accepted: %s",
				       name, s->fpr ? s->fpr : "?", gpgme_strerror(s->status));
	}
	if (good)
		return 0;
	if (*unpinned) {
		_cleanup_free_ char *pins = xs_strlist_join(v->pins, ", ");
		return xs_fail(log, EKEYREJECTED,
			       "%s: signed by key %s, which is in the keyring but not one of the keys pinned for this suite (%s); refusing it",
			       name, unpinned, pins);
	}
	if (*weak)
		return xs_fail(log, EKEYREJECTED,
			       "%s: the only good signature (key %s) is made over %s, a hash with known collisions; refusing it",
			       name, weak, weak_algo ? weak_algo : "a weak hash");
	if (missing)
		return xs_fail(log, ENOKEY,
			       "%s: signed by key %s, but no public key for it is in the keyring (NO_PUBKEY; pass the archive key with --keyring=FILE)",
			       name, missing);
	return xs_fail(log, EBADMSG, "%s: expected an OpenPGP signature, found no valid one", name);
}

int xs_verify_clearsigned(struct xs_verifier *v, const char *name, const char *data, size_t len,
			  struct xs_buf *plain, struct xs_log *log)
{
	gpgme_data_t sig, out;
	gpgme_data_new_from_mem(&sig, data, len, 0);
	gpgme_data_new(&out);
	gpgme_error_t e = gpgme_op_verify(v->ctx, sig, NULL, out);
	int r;
	if (e && gpgme_err_code(e) != GPG_ERR_NO_DATA) {
		r = xs_fail(log, EBADMSG, "%s: cannot check the signature: %s", name, gpgme_strerror(e));
	} else if (gpgme_err_code(e) == GPG_ERR_NO_DATA) {
		r = xs_fail(log, EBADMSG, "%s: expected a clearsigned document, found no OpenPGP signature", name);
	} else if (!(r = judge(v, name, log))) {
		size_t n = 0;
		char *p = gpgme_data_release_and_get_mem(out, &n);
		out = NULL;
		xs_buf_add(plain, p ? p : "", n);
		gpgme_free(p);
	}
	if (out)
		gpgme_data_release(out);
	gpgme_data_release(sig);
	return r;
}

int xs_verify_detached(struct xs_verifier *v, const char *name, const char *data, size_t len,
		       const char *sigp, size_t siglen, struct xs_log *log)
{
	gpgme_data_t sig, text;
	gpgme_data_new_from_mem(&sig, sigp, siglen, 0);
	gpgme_data_new_from_mem(&text, data, len, 0);
	gpgme_error_t e = gpgme_op_verify(v->ctx, sig, text, NULL);
	int r = e ? xs_fail(log, EBADMSG, "%s: cannot check the signature: %s", name, gpgme_strerror(e))
		  : judge(v, name, log);
	gpgme_data_release(sig);
	gpgme_data_release(text);
	return r;
}

const char *xs_verifier_signer(const struct xs_verifier *v)
{
	return v->signer;
}

static int export_key(struct xs_verifier *v, const char *fpr, bool armor, struct xs_buf *out, struct xs_log *log)
{
	gpgme_data_t d;
	gpgme_data_new(&d);
	gpgme_set_armor(v->ctx, armor);
	gpgme_error_t e = gpgme_op_export(v->ctx, fpr, 0, d);
	gpgme_set_armor(v->ctx, 0);
	size_t n = 0;
	char *p = gpgme_data_release_and_get_mem(d, &n);
	int r = 0;
	if (e || !n)
		r = xs_fail(log, ENOKEY, "key %s: cannot export it from the keyring%s%s", fpr, e ? ": " : "",
			    e ? gpgme_strerror(e) : "");
	else
		xs_buf_add(out, p, n);
	gpgme_free(p);
	return r;
}

int xs_verifier_export(struct xs_verifier *v, const char *fpr, struct xs_buf *out, struct xs_log *log)
{
	return export_key(v, fpr, true, out, log);
}

int xs_verifier_export_binary(struct xs_verifier *v, const char *fpr, struct xs_buf *out, struct xs_log *log)
{
	return export_key(v, fpr, false, out, log);
}

int xs_verifier_key_info(struct xs_verifier *v, const char *fpr, struct xs_keyinfo *out, struct xs_log *log)
{
	memset(out, 0, sizeof(*out));
	gpgme_key_t key = NULL;
	gpgme_error_t e = gpgme_get_key(v->ctx, fpr, &key, 0);
	if (e || !key)
		return xs_fail(log, ENOKEY, "key %s: not in the keyring%s%s", fpr, e ? ": " : "", e ? gpgme_strerror(e) : "");
	for (gpgme_subkey_t s = key->subkeys; s && out->nparts < sizeof(out->part) / sizeof(out->part[0]); s = s->next) {
		if (!s->keyid || strlen(s->keyid) != 16)
			continue;
		for (int i = 0; i < 16; i++)
			out->part[out->nparts].keyid[i] = (char)tolower((unsigned char)s->keyid[i]);
		out->part[out->nparts].created = s->timestamp > 0 ? (uint32_t)s->timestamp : 0;
		out->part[out->nparts].v4 = s->fpr && strlen(s->fpr) == 40;
		out->nparts++;
	}
	if (key->uids && key->uids->uid)
		out->userid = xs_strdup(key->uids->uid);
	gpgme_key_unref(key);
	return out->nparts ? 0 : xs_fail(log, ENOKEY, "key %s: the keyring lists no key id for it", fpr);
}

void xs_keyinfo_free(struct xs_keyinfo *k)
{
	free(k->userid);
	memset(k, 0, sizeof(*k));
}
