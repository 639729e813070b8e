/* test_suites.c - suite definitions from DATADIR/repos/debian.conf, on
 * scratch data and on the repos/ this tree ships. */
#include "unit.h"

#include "deb_suites.h"
#include "rpm_suites.h"

static const char conf[] = "# test suites\n"
			   "[alpha]\n"
			   "aliases = stable, latest\n"
			   "keyring = alpha.asc\n"
			   "components = main, contrib\n"
			   "merged-usr = yes\n"
			   "add = usr-is-merged\n"
			   "exclude = usrmerge  other\n"
			   "\n"
			   "[beta]\n"
			   "  aliases = oldstable  \n"
			   "keyring = /opt/keys/beta.gpg\n"
			   "components = main\n"
			   "merged-usr = no\n";

struct fixture {
	char *datadir, *conf;
	struct xs_log log;
};

static int setup_datadir(void **state)
{
	struct fixture *f = xs_calloc(1, sizeof(*f));
	f->datadir = ut_tmpdir("suites");
	_cleanup_free_ char *repos = ut_path(f->datadir, "repos");
	if (mkdir(repos, 0755) < 0)
		return -1;
	f->conf = ut_path(f->datadir, "repos/debian.conf");
	ut_write(f->conf, conf);
	xs_log_init(&f->log, XS_QUIET);
	*state = f;
	return 0;
}

static int teardown_datadir(void **state)
{
	struct fixture *f = *state;
	xs_rm_rf(f->datadir);
	free(f->datadir);
	free(f->conf);
	free(f);
	return 0;
}

static void test_lookup_by_codename(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &f->log), 0);
	assert_string_equal(s.name, "alpha");
	_cleanup_free_ char *key = xs_asprintf("%s/repos/keys/alpha.asc", f->datadir);
	assert_string_equal(s.keyring, key);
	assert_true(s.merged_usr);
	assert_int_equal(s.aliases.n, 2);
	assert_string_equal(s.aliases.v[0], "stable");
	assert_string_equal(s.aliases.v[1], "latest");
	assert_int_equal(s.components.n, 2);
	assert_string_equal(s.components.v[0], "main");
	assert_string_equal(s.components.v[1], "contrib");
	assert_int_equal(s.add.n, 1);
	assert_string_equal(s.add.v[0], "usr-is-merged");
	assert_int_equal(s.exclude.n, 2);
	assert_true(xs_strlist_has(&s.exclude, "usrmerge"));
	assert_true(xs_strlist_has(&s.exclude, "other"));
	assert_string_equal(f->log.err, "");
	xs_suite_free(&s);
	assert_null(s.name);
}

static void test_lookup_by_alias_in_last_section(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "oldstable", &s, &f->log), 0);
	assert_string_equal(s.name, "beta");
	assert_string_equal(s.keyring, "/opt/keys/beta.gpg"); /* absolute stays as given */
	assert_false(s.merged_usr);
	assert_int_equal(s.add.n, 0);
	assert_int_equal(s.components.n, 1);
	xs_suite_free(&s);

	assert_int_equal(xs_deb_suite_lookup(f->datadir, "latest", &s, &f->log), 0);
	assert_string_equal(s.name, "alpha");
	xs_suite_free(&s);
}

static void test_unknown_suite_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "gamma", &s, &f->log), -ENOENT);
	assert_null(s.name);
	/* a prefix of a name is not the name */
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alph", &s, &f->log), -ENOENT);
	assert_null(s.name);
}

static void test_malformed_line_names_file_and_line(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	ut_write(f->conf, "# comment\n"
			  "[alpha]\n"
			  "keyring = a.asc\n"
			  "this line has no equals sign\n"
			  "[beta]\n");
	int r = xs_deb_suite_lookup(f->datadir, "beta", &s, &f->log);
	assert_true(r < 0);
	assert_int_not_equal(r, -ENOENT);
	assert_null(s.name);
	assert_contains(f->log.err, f->conf);
	assert_contains(f->log.err, "line 4");
	assert_contains(f->log.err, "this line has no equals sign");
}

static void test_unknown_key_and_key_outside_section(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	ut_write(f->conf, "[alpha]\nkeyring = a.asc\ncolour = blue\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &f->log), -EINVAL);
	assert_contains(f->log.err, f->conf);
	assert_contains(f->log.err, "line 3");
	assert_contains(f->log.err, "colour");

	struct xs_log log2;
	xs_log_init(&log2, XS_QUIET);
	ut_write(f->conf, "keyring = a.asc\n[alpha]\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &log2), -EINVAL);
	assert_contains(log2.err, "line 1");

	struct xs_log log3;
	xs_log_init(&log3, XS_QUIET);
	ut_write(f->conf, "[alpha\nkeyring = a.asc\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &log3), -EINVAL);
	assert_contains(log3.err, "line 1");
	assert_contains(log3.err, "[alpha");

	struct xs_log log4;
	xs_log_init(&log4, XS_QUIET);
	ut_write(f->conf, "[alpha]\nkeyring = a.asc\nsources-format = yaml\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &log4), -EINVAL);
	assert_contains(log4.err, "[alpha]: sources-format: expected one-line or deb822, found \"yaml\"");

	/* a pinned key is a whole fingerprint: a short key id could be forged */
	struct xs_log log5;
	xs_log_init(&log5, XS_QUIET);
	ut_write(f->conf, "[alpha]\nkeyring = a.asc\nsigners = B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8 6ED0E7B82643E131\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "alpha", &s, &log5), -EINVAL);
	assert_contains(log5.err, "[alpha]: signers: expected 40-digit key fingerprints, found \"6ED0E7B82643E131\"");
}

static void test_malformed_line_after_blank_lines(void **state)
{
	/* Was a bug (fixed): core/suites.c:47 splits the file with strtok_r(..., "\n"),
	 * which swallows empty lines, so lineno counts only non-empty lines:
	 * with a blank line before it, the bad line 5 is reported as "line 4".
	 * The shipped repos/debian.conf has blank lines between sections, so
	 * every error message there points at the wrong line. */
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	ut_write(f->conf, "[alpha]\n"
			  "keyring = a.asc\n"
			  "\n"
			  "[beta]\n"
			  "bogus\n");
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "beta", &s, &f->log), -EINVAL);
	assert_contains(f->log.err, "line 5");
}

static void test_missing_file_names_it(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(unlink(f->conf), 0);
	int r = xs_deb_suite_lookup(f->datadir, "alpha", &s, &f->log);
	/* an installation problem: not -ENOENT, which means "no such suite" */
	assert_true(r < 0);
	assert_int_not_equal(r, -ENOENT);
	assert_null(s.name);
	assert_contains(f->log.err, f->conf);
}

/* The repository's top: XSTRAP_TOP (set by tests/run.sh), else the
 * current directory (make and run.sh run from the top). */
static const char *top_dir(void)
{
	const char *top = getenv("XSTRAP_TOP");
	return top && *top ? top : ".";
}

static void test_shipped_bookworm(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_suite s = { 0 };
	int r = xs_deb_suite_lookup(top_dir(), "bookworm", &s, &log);
	if (r)
		fail_msg("bookworm: %d %s (run from the top of the tree or set XSTRAP_TOP)", r, log.err);
	assert_string_equal(s.name, "bookworm");
	assert_true(xs_strlist_has(&s.add, "usr-is-merged"));
	assert_true(xs_strlist_has(&s.exclude, "usrmerge"));
	assert_true(xs_strlist_has(&s.components, "main"));
	assert_true(s.merged_usr);
	assert_true(xs_str_endswith(s.keyring, "repos/keys/debian-archive-keyring.asc"));
	assert_true(ut_exists(s.keyring));
	/* --updates: its stable-updates and security suites, one-line sources */
	assert_string_equal(s.updates, "bookworm-updates");
	assert_string_equal(s.security, "bookworm-security");
	assert_null(s.security_mirror); /* the default: beside the mirror */
	assert_string_equal(s.sources_format, "one-line");
	assert_string_equal(s.guest_keyring, "/usr/share/keyrings/debian-archive-keyring.gpg");
	/* the keys that sign it: bookworm's archive and release keys, not
	 * (say) the security archive's, which the same keyring holds */
	assert_true(xs_strlist_has(&s.signers, "B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8"));
	assert_true(xs_strlist_has(&s.signers, "4D64FEC119C2029067D6E791F8D2585B8783D481"));
	assert_false(xs_strlist_has(&s.signers, "05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0"));
	assert_true(xs_strlist_has(&s.security_signers, "05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0"));
	xs_suite_free(&s);
	assert_int_equal(xs_deb_suite_lookup(top_dir(), "stable", &s, &log), 0);
	assert_string_equal(s.name, "trixie");
	assert_string_equal(s.security, "trixie-security");
	assert_string_equal(s.sources_format, "deb822");
	xs_suite_free(&s);

	/* the aliases lead to the suites the file names */
	assert_int_equal(xs_deb_suite_lookup(top_dir(), "oldstable", &s, &log), 0);
	assert_string_equal(s.name, "bookworm");
	xs_suite_free(&s);
	assert_int_equal(xs_deb_suite_lookup(top_dir(), "unstable", &s, &log), 0);
	assert_string_equal(s.name, "sid");
	assert_int_equal(s.add.n, 0); /* only bookworm needs usr-is-merged */
	xs_suite_free(&s);
	assert_int_equal(xs_deb_suite_lookup(top_dir(), "no-such-suite", &s, &log), -ENOENT);
}

/* --- rpm distributions (repos/rpm.conf) ---------------------------------- */

static const char rpm_conf[] = "# test distributions\n"
			       "[stream9]\n"
			       "aliases = s9, st9\n"
			       "releasever = 9\n"
			       "repo BaseOS = $releasever-stream/BaseOS/$basearch/os/\n"
			       "repo AppStream = ${releasever}-stream/AppStream/$basearch/os\n"
			       "repo CRB = $releasever-stream/CRB/$basearch/os\n"
			       "enabled = BaseOS, AppStream\n"
			       "groups = @core\n"
			       "gpgkey = KEY-official, KEY-Official-$releasever\n"
			       "key-family = stream\n"
			       "\n"
			       "[fed]\n"
			       "releasever = 41\n"
			       "repo fedora = releases/$releasever/Everything/$basearch/os\n"
			       "enabled = fedora\n"
			       "rpmdb = /usr/lib/sysimage/rpm\n"
			       "gpgkey = KEY-fedora-$releasever-primary\n"
			       "key-family = fedora\n"
			       "repomd-signed = no\n";

static struct fixture *rpm_fixture(void **state, const char *text)
{
	struct fixture *f = *state;
	_cleanup_free_ char *p = ut_path(f->datadir, "repos/rpm.conf");
	ut_write(p, text);
	return f;
}

static void test_rpm_lookup(void **state)
{
	struct fixture *f = rpm_fixture(state, rpm_conf);
	struct xs_suite s = { 0 };
	assert_int_equal(xs_rpm_suite_lookup(f->datadir, "st9", &s, &f->log), 0);
	assert_string_equal(s.name, "stream9");
	assert_true(s.rpm);
	assert_string_equal(s.releasever, "9");
	assert_int_equal(s.nrepos, 3);
	assert_string_equal(s.repos[1].name, "AppStream");
	assert_string_equal(s.repos[1].baseurl, "${releasever}-stream/AppStream/$basearch/os");
	assert_int_equal(s.enabled.n, 2);
	assert_true(xs_strlist_has(&s.groups, "@core"));
	assert_string_equal(s.rpmdb, "/var/lib/rpm"); /* the default */
	assert_int_equal(s.gpgkeys.n, 2);
	assert_string_equal(s.key_family, "stream");
	assert_false(s.repomd_unsigned);
	xs_suite_free(&s);

	assert_int_equal(xs_rpm_suite_lookup(f->datadir, "fed", &s, &f->log), 0);
	assert_string_equal(s.rpmdb, "/usr/lib/sysimage/rpm");
	assert_true(s.repomd_unsigned);
	assert_int_equal(s.groups.n, 0);
	xs_suite_free(&s);

	/* rpm names are not Debian suites, and the other way round */
	assert_int_equal(xs_deb_suite_lookup(f->datadir, "stream9", &s, &f->log), -ENOENT);
	assert_int_equal(xs_rpm_suite_lookup(f->datadir, "alpha", &s, &f->log), -ENOENT);
	assert_string_equal(f->log.err, "");
}

/* LOOKUP of SUITE in TEXT fails with a message holding every one of the
 * NULL-terminated phrases. */
static void assert_rpm_conf_error(void **state, const char *text, const char *suite, ...)
	__attribute__((sentinel));
static void assert_rpm_conf_error(void **state, const char *text, const char *suite, ...)
{
	struct fixture *f = rpm_fixture(state, text);
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_suite s = { 0 };
	int r = xs_rpm_suite_lookup(f->datadir, suite, &s, &log);
	if (r >= 0 || r == -ENOENT)
		fail_msg("%s: expected an error, got %d", suite, r);
	assert_null(s.name);
	assert_contains(log.err, "rpm.conf");
	va_list ap;
	va_start(ap, suite);
	for (const char *phrase; (phrase = va_arg(ap, const char *));)
		assert_contains(log.err, phrase);
	va_end(ap);
}

static void test_rpm_conf_errors(void **state)
{
	static const char head[] = "[d]\nreleasever = 9\nrepo BaseOS = $releasever/BaseOS\ngpgkey = K\nkey-family = k\n";
	_cleanup_free_ char *t1 = xs_asprintf("%senabled = BaseOS, Extras\n", head);
	assert_rpm_conf_error(state, t1, "d", "[d]", "\"Extras\"", "repo Extras", NULL);
	_cleanup_free_ char *t2 = xs_asprintf("%senabled = BaseOS\nrepo X = $releasever/$arch/os\n", head);
	assert_rpm_conf_error(state, t2, "d", "repo X", "$arch", NULL);
	_cleanup_free_ char *t3 = xs_asprintf("%senabled = BaseOS\nrpmdb = var/lib/rpm\n", head);
	assert_rpm_conf_error(state, t3, "d", "rpmdb", "absolute", NULL);
	_cleanup_free_ char *t4 = xs_asprintf("%senabled = BaseOS\ncomponents = main\n", head);
	assert_rpm_conf_error(state, t4, "d", "line 7", "components", NULL);
	_cleanup_free_ char *t5 = xs_asprintf("%senabled = BaseOS\nrepo two words = x\n", head);
	assert_rpm_conf_error(state, t5, "d", "line 7", "repo two words", NULL);
	_cleanup_free_ char *t6 = xs_asprintf("%senabled = BaseOS\ngpgkey = K-$version\n", head);
	assert_rpm_conf_error(state, t6, "d", "gpgkey", "$version", NULL);
	assert_rpm_conf_error(state, "[d]\nrepo BaseOS = x\nenabled = BaseOS\n", "d", "releasever", NULL);
	assert_rpm_conf_error(state, "[d]\nreleasever = 1\nenabled = BaseOS\n", "d", "repo NAME", NULL);
	assert_rpm_conf_error(state, "[d]\n", "d", "defines nothing", NULL);
}

static void test_rpm_repos_and_choices(void **state)
{
	struct fixture *f = rpm_fixture(state, rpm_conf);
	struct xs_suite s = { 0 };
	assert_int_equal(xs_rpm_suite_lookup(f->datadir, "stream9", &s, &f->log), 0);
	struct xs_strlist choices = { 0 }, names = { 0 }, urls = { 0 };

	/* the enabled ones, in file order; no doubled slashes */
	assert_int_equal(xs_rpm_suite_repos(&s, "http://MIRROR/cs", "aarch64", &choices, &names, &urls, &f->log), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "BaseOS");
	assert_string_equal(urls.v[0], "http://MIRROR/cs/9-stream/BaseOS/aarch64/os");
	assert_string_equal(urls.v[1], "http://MIRROR/cs/9-stream/AppStream/aarch64/os");
	xs_strlist_free(&names);
	xs_strlist_free(&urls);

	/* in order, case-insensitively: -* then +crb, +baseos */
	xs_strlist_add(&choices, "-*");
	xs_strlist_add(&choices, "+crb");
	xs_strlist_add(&choices, "+baseos");
	assert_int_equal(xs_rpm_suite_repos(&s, "file:///m", "x86_64", &choices, &names, &urls, &f->log), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "BaseOS");
	assert_string_equal(names.v[1], "CRB");
	assert_string_equal(urls.v[1], "file:///m/9-stream/CRB/x86_64/os");
	xs_strlist_free(&names);
	xs_strlist_free(&urls);
	xs_strlist_free(&choices);

	/* an unknown name is named, with the ones there are */
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	xs_strlist_add(&choices, "+Extras");
	assert_int_equal(xs_rpm_suite_repos(&s, "file:///m", "x86_64", &choices, &names, &urls, &log), -ENOENT);
	assert_contains(log.err, "--enable-repo=Extras");
	assert_contains(log.err, "BaseOS, AppStream, CRB");
	xs_strlist_free(&choices);

	/* nothing left enabled */
	xs_log_init(&log, XS_QUIET);
	xs_strlist_add(&choices, "-BaseOS");
	xs_strlist_add(&choices, "-appstream");
	assert_int_equal(xs_rpm_suite_repos(&s, "file:///m", "x86_64", &choices, &names, &urls, &log), -EINVAL);
	assert_contains(log.err, "--enable-repo");
	assert_int_equal(names.n, 0);
	xs_strlist_free(&choices);
	xs_strlist_free(&names);
	xs_strlist_free(&urls);
	xs_suite_free(&s);
}

static void put_key(const char *dir, const char *name)
{
	xs_mkdir_p(dir, 0755);
	_cleanup_free_ char *p = ut_path(dir, name);
	ut_write(p, "key\n");
}

static void test_rpm_find_key(void **state)
{
	struct fixture *f = rpm_fixture(state, rpm_conf);
	struct xs_suite s = { 0 };
	assert_int_equal(xs_rpm_suite_lookup(f->datadir, "stream9", &s, &f->log), 0);
	_cleanup_free_ char *pki = ut_path(f->datadir, "pki");
	_cleanup_free_ char *dgk = ut_path(f->datadir, "dgk");
	_cleanup_free_ char *dgk_family = ut_path(f->datadir, "dgk/stream");
	_cleanup_free_ char *shipped = ut_path(f->datadir, "repos/keys");
	_cleanup_free_ char *dirs = xs_asprintf("%s:%s/$family", pki, dgk);
	char *path = NULL;

	/* nowhere: every directory and every name is in the message */
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	assert_int_equal(xs_rpm_suite_find_key(&s, f->datadir, dirs, "x86_64", &path, &log), -ENOKEY);
	assert_null(path);
	assert_contains(log.err, "stream9");
	assert_contains(log.err, pki);
	assert_contains(log.err, dgk_family);
	assert_contains(log.err, shipped);
	assert_contains(log.err, "KEY-official or KEY-Official-9");
	assert_contains(log.err, "--keyring");

	/* the shipped directory comes last, the second name is tried too */
	put_key(shipped, "KEY-Official-9");
	assert_int_equal(xs_rpm_suite_find_key(&s, f->datadir, dirs, "x86_64", &path, &f->log), 0);
	_cleanup_free_ char *want3 = ut_path(shipped, "KEY-Official-9");
	assert_string_equal(path, want3);
	free(path);
	put_key(dgk_family, "KEY-Official-9");
	assert_int_equal(xs_rpm_suite_find_key(&s, f->datadir, dirs, "x86_64", &path, &f->log), 0);
	_cleanup_free_ char *want2 = ut_path(dgk_family, "KEY-Official-9");
	assert_string_equal(path, want2);
	free(path);
	put_key(pki, "KEY-official");
	assert_int_equal(xs_rpm_suite_find_key(&s, f->datadir, dirs, "x86_64", &path, &f->log), 0);
	_cleanup_free_ char *want1 = ut_path(pki, "KEY-official");
	assert_string_equal(path, want1);
	free(path);

	/* an empty entry and an unknown variable are skipped, not fatal */
	_cleanup_free_ char *odd = xs_asprintf("::%s/$nope:%s/$family", pki, dgk);
	assert_int_equal(xs_rpm_suite_find_key(&s, f->datadir, odd, "x86_64", &path, &f->log), 0);
	assert_string_equal(path, want2);
	free(path);
	xs_suite_free(&s);
}

/* Every distribution the tree ships parses and checks, and the facts the
 * loader relies on hold. */
static void test_shipped_rpm_distributions(void **state)
{
	(void)state;
	static const char *const names[] = { "centos-stream9", "centos-stream10", "rocky8", "rocky9",
					     "alma8", "alma9", "fedora41", "fedora42" };
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct xs_suite s = { 0 };
		int r = xs_rpm_suite_lookup(top_dir(), names[i], &s, &log);
		if (r)
			fail_msg("%s: %d %s (run from the top of the tree or set XSTRAP_TOP)", names[i], r, log.err);
		assert_true(xs_strlist_has(&s.groups, "@core"));
		bool fedora = xs_str_startswith(names[i], "fedora");
		bool usr_db = fedora || !strcmp(names[i], "centos-stream10");
		assert_string_equal(s.rpmdb, usr_db ? "/usr/lib/sysimage/rpm" : "/var/lib/rpm");
		assert_int_equal(s.repomd_unsigned, fedora);
		assert_int_equal(s.enabled.n, 2);
		xs_suite_free(&s);
	}
	/* the URLs of the one the tests build a mirror for */
	struct xs_suite s = { 0 };
	assert_int_equal(xs_rpm_suite_lookup(top_dir(), "c9s", &s, &log), 0);
	assert_string_equal(s.name, "centos-stream9");
	struct xs_strlist choices = { 0 }, rn = { 0 }, urls = { 0 };
	assert_int_equal(xs_rpm_suite_repos(&s, "MIRROR", "x86_64", &choices, &rn, &urls, &log), 0);
	assert_string_equal(urls.v[0], "MIRROR/9-stream/BaseOS/x86_64/os");
	assert_string_equal(urls.v[1], "MIRROR/9-stream/AppStream/x86_64/os");
	xs_strlist_free(&rn);
	xs_strlist_free(&urls);
	xs_suite_free(&s);
	assert_int_equal(xs_rpm_suite_lookup(top_dir(), "f42", &s, &log), 0);
	assert_int_equal(xs_rpm_suite_repos(&s, "MIRROR", "aarch64", &choices, &rn, &urls, &log), 0);
	assert_string_equal(urls.v[0], "MIRROR/releases/42/Everything/aarch64/os");
	assert_string_equal(urls.v[1], "MIRROR/updates/42/Everything/aarch64");
	xs_strlist_free(&rn);
	xs_strlist_free(&urls);
	xs_suite_free(&s);
	/* a Debian name is no rpm distribution */
	assert_int_equal(xs_rpm_suite_lookup(top_dir(), "bookworm", &s, &log), -ENOENT);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_datadir, teardown_datadir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lookup_by_codename),
		T(test_lookup_by_alias_in_last_section),
		T(test_unknown_suite_is_enoent),
		T(test_malformed_line_names_file_and_line),
		T(test_unknown_key_and_key_outside_section),
		T(test_malformed_line_after_blank_lines),
		T(test_missing_file_names_it),
		cmocka_unit_test(test_shipped_bookworm),
		T(test_rpm_lookup),
		T(test_rpm_conf_errors),
		T(test_rpm_repos_and_choices),
		T(test_rpm_find_key),
		cmocka_unit_test(test_shipped_rpm_distributions),
	};
	return cmocka_run_group_tests_name("suites", tests, NULL, NULL);
}
