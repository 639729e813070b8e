/* test_verify.c - OpenPGP checks over InRelease-like (clearsigned) and
 * Release.gpg-like (detached) data, with keys made here by the gpg CLI. */
#include "unit.h"

#include <dirent.h>

#include "verify.h"

/* What the group setup made: a keyring that can sign with key A, A's and an
 * unrelated key B's public keys, and signed documents. */
struct keys {
	char *home;            /* GNUPGHOME holding both secret keys */
	char *pub_a;           /* A, armored */
	char *pub_a_bin;       /* A, binary */
	char *pub_b;           /* B, armored (signs nothing here) */
	char *garbage;         /* not a key */
	struct xs_buf clear;   /* TEXT clearsigned by A */
	struct xs_buf sig;     /* detached armored signature of TEXT by A */
};

static const char TEXT[] = "Origin: xstrap unit\n"
			   "Suite: unstable\n"
			   "Codename: sid\n"
			   "- a line that gpg dash-escapes\n"
			   "SHA256:\n"
			   " e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 main/binary-amd64/Packages\n";

static int setup_keys(void **state)
{
	struct keys *k = xs_calloc(1, sizeof(*k));
	*state = k;
	k->home = ut_tmpdir("gpg");
	k->pub_a = ut_path(k->home, "a.asc");
	k->pub_a_bin = ut_path(k->home, "a.gpg");
	k->pub_b = ut_path(k->home, "b.asc");
	k->garbage = ut_path(k->home, "garbage.asc");
	_cleanup_free_ char *text = ut_path(k->home, "text");
	_cleanup_free_ char *clear = ut_path(k->home, "text.asc");
	_cleanup_free_ char *sig = ut_path(k->home, "text.sig");
	ut_write(text, TEXT);
	ut_write(k->garbage, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot really a key\n"
			     "-----END PGP PUBLIC KEY BLOCK-----\n");
	if (ut_gpg_gen_key(k->home, "xstrap unit A <a@unit.invalid>", "ed25519") ||
	    ut_gpg_gen_key(k->home, "xstrap unit B <b@unit.invalid>", "ed25519")) {
		print_error("gpg --quick-gen-key failed (is gpg installed?)\n");
		return -1;
	}
	char *h = k->home;
	if (UT_RUN(h, k->pub_a, "gpg", "--batch", "--armor", "--export", "a@unit.invalid") ||
	    UT_RUN(h, k->pub_a_bin, "gpg", "--batch", "--export", "a@unit.invalid") ||
	    UT_RUN(h, k->pub_b, "gpg", "--batch", "--armor", "--export", "b@unit.invalid") ||
	    UT_RUN(h, NULL, "gpg", "--batch", "--local-user", "a@unit.invalid", "--clearsign", "-o",
		clear, text) ||
	    UT_RUN(h, NULL, "gpg", "--batch", "--local-user", "a@unit.invalid", "--armor",
		"--detach-sign", "-o", sig, text)) {
		print_error("gpg export/sign failed\n");
		return -1;
	}
	if (xs_read_file(clear, &k->clear) < 0 || xs_read_file(sig, &k->sig) < 0)
		return -1;
	return 0;
}

static int teardown_keys(void **state)
{
	struct keys *k = *state;
	if (!k)
		return 0;
	/* signing started an agent for our home; stop it */
	UT_RUN(k->home, NULL, "gpgconf", "--kill", "all");
	xs_rm_rf(k->home);
	free(k->home);
	free(k->pub_a);
	free(k->pub_a_bin);
	free(k->pub_b);
	free(k->garbage);
	xs_buf_free(&k->clear);
	xs_buf_free(&k->sig);
	free(k);
	return 0;
}

/* A verifier holding the given key files; fails the test if it cannot. */
static struct xs_verifier *verifier(struct xs_log *log, const char *k1, const char *k2)
{
	struct xs_strlist l = { 0 };
	if (k1)
		xs_strlist_add(&l, k1);
	if (k2)
		xs_strlist_add(&l, k2);
	struct xs_verifier *v = NULL;
	int r = xs_verifier_new(&v, &l, log);
	xs_strlist_free(&l);
	if (r)
		fail_msg("xs_verifier_new: %d %s", r, log->err);
	assert_non_null(v);
	return v;
}

static struct xs_log fresh_log(void)
{
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	return log;
}

static void test_clearsigned_good_gives_exact_text(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	struct xs_buf plain = { 0 };
	assert_int_equal(xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log), 0);
	assert_int_equal(plain.len, strlen(TEXT));
	assert_memory_equal(plain.data, TEXT, plain.len);
	xs_buf_free(&plain);

	/* the binary export of the same key does as well */
	xs_verifier_free(v);
	v = verifier(&log, k->pub_a_bin, NULL);
	assert_int_equal(xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log), 0);
	assert_string_equal(plain.data, TEXT);
	xs_buf_free(&plain);
	xs_verifier_free(v);
	assert_string_equal(log.err, "");
}

static void test_clearsigned_text_outside_signature_is_dropped(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	struct xs_buf doc = { 0 }, plain = { 0 };
	xs_buf_addstr(&doc, "Injected-Before: yes\n\n");
	xs_buf_add(&doc, k->clear.data, k->clear.len);
	xs_buf_addstr(&doc, "Injected-After: yes\n");
	int r = xs_verify_clearsigned(v, "InRelease", doc.data, doc.len, &plain, &log);
	if (r == 0) {
		assert_string_equal(plain.data, TEXT);
	} else {
		/* refusing the whole document is fine too; leaking is not */
		assert_int_equal(plain.len, 0);
	}
	assert_not_contains(plain.data, "Injected");
	xs_buf_free(&doc);
	xs_buf_free(&plain);
	xs_verifier_free(v);
}

static void test_clearsigned_flipped_byte_is_bad(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	_cleanup_free_ char *doc = xs_strndup(k->clear.data, k->clear.len);
	char *p = strstr(doc, "Suite: unstable");
	assert_non_null(p);
	p[7] ^= 0x01; /* "unstable" -> "tnstable" */
	struct xs_buf plain = { 0 };
	int r = xs_verify_clearsigned(v, "http://m.example.org/InRelease", doc, k->clear.len, &plain, &log);
	assert_int_equal(r, -EBADMSG);
	assert_contains(log.err, "BAD signature");
	assert_contains(log.err, "http://m.example.org/InRelease");
	assert_int_equal(plain.len, 0); /* nothing of a tampered file reaches the caller */
	xs_buf_free(&plain);
	xs_verifier_free(v);
}

static void test_clearsigned_unknown_key(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_b, NULL);
	struct xs_buf plain = { 0 };
	int r = xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log);
	assert_int_equal(r, -ENOKEY);
	assert_contains(log.err, "NO_PUBKEY");
	assert_contains(log.err, "no public key");
	assert_contains(log.err, "InRelease");
	assert_int_equal(plain.len, 0);
	xs_verifier_free(v);

	/* with the right key among others, it is accepted */
	struct xs_log log2 = fresh_log();
	v = verifier(&log2, k->pub_b, k->pub_a);
	assert_int_equal(xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log2), 0);
	assert_string_equal(plain.data, TEXT);
	xs_buf_free(&plain);
	xs_verifier_free(v);
}

static void test_host_keyring_is_not_used(void **state)
{
	/* GNUPGHOME points at a keyring that holds key A: a verifier without
	 * key files must still not know A. */
	struct keys *k = *state;
	const char *old = getenv("GNUPGHOME");
	_cleanup_free_ char *saved = old ? xs_strdup(old) : NULL;
	setenv("GNUPGHOME", k->home, 1);
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, NULL, NULL);
	struct xs_buf plain = { 0 };
	int r = xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log);
	xs_verifier_free(v);
	if (saved)
		setenv("GNUPGHOME", saved, 1);
	else
		unsetenv("GNUPGHOME");
	assert_int_equal(r, -ENOKEY);
	assert_int_equal(plain.len, 0);
}

static void test_unsigned_document_is_refused(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	struct xs_buf plain = { 0 };
	int r = xs_verify_clearsigned(v, "dists/sid/InRelease", TEXT, strlen(TEXT), &plain, &log);
	assert_true(r < 0);
	assert_contains(log.err, "dists/sid/InRelease");
	assert_int_equal(plain.len, 0);
	xs_verifier_free(v);
}

static void test_detached_good_and_bad(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	assert_int_equal(xs_verify_detached(v, "Release.gpg", TEXT, strlen(TEXT), k->sig.data,
					    k->sig.len, &log),
			 0);
	assert_string_equal(log.err, "");

	_cleanup_free_ char *tampered = xs_strdup(TEXT);
	tampered[strlen(tampered) - 2] ^= 0x20; /* "Packages" -> "PackageS" */
	int r = xs_verify_detached(v, "http://m.example.org/Release.gpg", tampered, strlen(tampered),
				   k->sig.data, k->sig.len, &log);
	assert_int_equal(r, -EBADMSG);
	assert_contains(log.err, "BAD signature");
	assert_contains(log.err, "http://m.example.org/Release.gpg");

	/* a truncated text is bad too */
	struct xs_log log2 = fresh_log();
	r = xs_verify_detached(v, "Release.gpg", TEXT, strlen(TEXT) - 1, k->sig.data, k->sig.len, &log2);
	assert_int_equal(r, -EBADMSG);
	assert_contains(log2.err, "BAD signature");
	xs_verifier_free(v);

	struct xs_log log3 = fresh_log();
	v = verifier(&log3, k->pub_b, NULL);
	r = xs_verify_detached(v, "Release.gpg", TEXT, strlen(TEXT), k->sig.data, k->sig.len, &log3);
	assert_int_equal(r, -ENOKEY);
	assert_contains(log3.err, "NO_PUBKEY");
	xs_verifier_free(v);
}

static void test_garbage_key_file_is_named(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_strlist l = { 0 };
	xs_strlist_add(&l, k->pub_a);
	xs_strlist_add(&l, k->garbage);
	struct xs_verifier *v = (struct xs_verifier *)1;
	int r = xs_verifier_new(&v, &l, &log);
	xs_strlist_free(&l);
	assert_true(r < 0);
	assert_null(v);
	assert_contains(log.err, k->garbage);

	struct xs_log log2 = fresh_log();
	_cleanup_free_ char *missing = ut_path(k->home, "no-such-key.asc");
	xs_strlist_add(&l, missing);
	v = (struct xs_verifier *)1;
	r = xs_verifier_new(&v, &l, &log2);
	xs_strlist_free(&l);
	assert_int_equal(r, -ENOENT);
	assert_null(v);
	assert_contains(log2.err, missing);
}

/* The /tmp/xstrap-gpg-* directories that exist now. */
static void list_verifier_homes(struct xs_strlist *out)
{
	DIR *d = opendir("/tmp");
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (xs_str_startswith(de->d_name, "xstrap-gpg-")) {
			_cleanup_free_ char *p = xs_asprintf("/tmp/%s", de->d_name);
			xs_strlist_add(out, p);
		}
	closedir(d);
}

static bool process_mentions(const char *path)
{
	return UT_RUN(NULL, NULL, "pgrep", "-f", (char *)path) == 0;
}

static void test_no_agent_left_behind(void **state)
{
	struct keys *k = *state;
	struct xs_log log = fresh_log();
	struct xs_strlist before = { 0 }, after = { 0 }, mine = { 0 };
	list_verifier_homes(&before);
	struct xs_verifier *v = verifier(&log, k->pub_a, NULL);
	list_verifier_homes(&after);
	for (size_t i = 0; i < after.n; i++)
		if (!xs_strlist_has(&before, after.v[i]))
			xs_strlist_add(&mine, after.v[i]);
	assert_true(mine.n >= 1);

	/* exercise it: import, clearsigned and detached checks */
	struct xs_buf plain = { 0 };
	assert_int_equal(xs_verify_clearsigned(v, "InRelease", k->clear.data, k->clear.len, &plain, &log), 0);
	assert_int_equal(xs_verify_detached(v, "Release.gpg", TEXT, strlen(TEXT), k->sig.data, k->sig.len,
					    &log),
			 0);
	xs_buf_free(&plain);
	bool running_during = false;
	for (size_t i = 0; i < mine.n; i++)
		running_during |= process_mentions(mine.v[i]);

	xs_verifier_free(v);
	bool running_after = false, dir_left = false;
	for (size_t i = 0; i < mine.n; i++) {
		running_after |= process_mentions(mine.v[i]);
		dir_left |= ut_exists(mine.v[i]);
	}
	if (running_during || running_after || dir_left)
		fail_msg("verifier home %s: %s%s%s", mine.v[0],
			 running_during ? "a process (gpg-agent?) ran for it while in use; " : "",
			 running_after ? "a process still runs for it after xs_verifier_free; " : "",
			 dir_left ? "the directory is left behind" : "");
	xs_strlist_free(&before);
	xs_strlist_free(&after);
	xs_strlist_free(&mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clearsigned_good_gives_exact_text),
		cmocka_unit_test(test_clearsigned_text_outside_signature_is_dropped),
		cmocka_unit_test(test_clearsigned_flipped_byte_is_bad),
		cmocka_unit_test(test_clearsigned_unknown_key),
		cmocka_unit_test(test_host_keyring_is_not_used),
		cmocka_unit_test(test_unsigned_document_is_refused),
		cmocka_unit_test(test_detached_good_and_bad),
		cmocka_unit_test(test_garbage_key_file_is_named),
		cmocka_unit_test(test_no_agent_left_behind),
	};
	return cmocka_run_group_tests_name("verify", tests, setup_keys, teardown_keys);
}
