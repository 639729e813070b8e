/* test_suites.c - suite definitions from DATADIR/repos/debian.conf, on
 * scratch data and on the repos/ this tree ships. */
#include "unit.h"

#include "suites.h"

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
	assert_int_equal(xs_suite_lookup(f->datadir, "alpha", &s, &f->log), 0);
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
	assert_int_equal(xs_suite_lookup(f->datadir, "oldstable", &s, &f->log), 0);
	assert_string_equal(s.name, "beta");
	assert_string_equal(s.keyring, "/opt/keys/beta.gpg"); /* absolute stays as given */
	assert_false(s.merged_usr);
	assert_int_equal(s.add.n, 0);
	assert_int_equal(s.components.n, 1);
	xs_suite_free(&s);

	assert_int_equal(xs_suite_lookup(f->datadir, "latest", &s, &f->log), 0);
	assert_string_equal(s.name, "alpha");
	xs_suite_free(&s);
}

static void test_unknown_suite_is_enoent(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(xs_suite_lookup(f->datadir, "gamma", &s, &f->log), -ENOENT);
	assert_null(s.name);
	/* a prefix of a name is not the name */
	assert_int_equal(xs_suite_lookup(f->datadir, "alph", &s, &f->log), -ENOENT);
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
	int r = xs_suite_lookup(f->datadir, "beta", &s, &f->log);
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
	assert_int_equal(xs_suite_lookup(f->datadir, "alpha", &s, &f->log), -EINVAL);
	assert_contains(f->log.err, f->conf);
	assert_contains(f->log.err, "line 3");
	assert_contains(f->log.err, "colour");

	struct xs_log log2;
	xs_log_init(&log2, XS_QUIET);
	ut_write(f->conf, "keyring = a.asc\n[alpha]\n");
	assert_int_equal(xs_suite_lookup(f->datadir, "alpha", &s, &log2), -EINVAL);
	assert_contains(log2.err, "line 1");

	struct xs_log log3;
	xs_log_init(&log3, XS_QUIET);
	ut_write(f->conf, "[alpha\nkeyring = a.asc\n");
	assert_int_equal(xs_suite_lookup(f->datadir, "alpha", &s, &log3), -EINVAL);
	assert_contains(log3.err, "line 1");
	assert_contains(log3.err, "[alpha");
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
	assert_int_equal(xs_suite_lookup(f->datadir, "beta", &s, &f->log), -EINVAL);
	assert_contains(f->log.err, "line 5");
}

static void test_missing_file_names_it(void **state)
{
	struct fixture *f = *state;
	struct xs_suite s = { 0 };
	assert_int_equal(unlink(f->conf), 0);
	int r = xs_suite_lookup(f->datadir, "alpha", &s, &f->log);
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
	int r = xs_suite_lookup(top_dir(), "bookworm", &s, &log);
	if (r)
		fail_msg("bookworm: %d %s (run from the top of the tree or set XSTRAP_TOP)", r, log.err);
	assert_string_equal(s.name, "bookworm");
	assert_true(xs_strlist_has(&s.add, "usr-is-merged"));
	assert_true(xs_strlist_has(&s.exclude, "usrmerge"));
	assert_true(xs_strlist_has(&s.components, "main"));
	assert_true(s.merged_usr);
	assert_true(xs_str_endswith(s.keyring, "repos/keys/debian-archive-keyring.asc"));
	assert_true(ut_exists(s.keyring));
	xs_suite_free(&s);

	/* the aliases lead to the suites the file names */
	assert_int_equal(xs_suite_lookup(top_dir(), "oldstable", &s, &log), 0);
	assert_string_equal(s.name, "bookworm");
	xs_suite_free(&s);
	assert_int_equal(xs_suite_lookup(top_dir(), "unstable", &s, &log), 0);
	assert_string_equal(s.name, "sid");
	assert_int_equal(s.add.n, 0); /* only bookworm needs usr-is-merged */
	xs_suite_free(&s);
	assert_int_equal(xs_suite_lookup(top_dir(), "no-such-suite", &s, &log), -ENOENT);
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
	};
	return cmocka_run_group_tests_name("suites", tests, NULL, NULL);
}
