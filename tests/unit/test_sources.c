/* test_sources.c - which mirror xstrap takes from the host's apt sources. */
#include "unit.h"

#include "apt_sources.h"
#include "deb_sources.h"

/* An empty ETCDIR with a sources.list.d/ in it. */
static int setup_etc(void **state)
{
	char *etc = ut_tmpdir("sources");
	_cleanup_free_ char *d = ut_path(etc, "sources.list.d");
	if (mkdir(d, 0755) < 0)
		return -1;
	*state = etc;
	return 0;
}

static int teardown_etc(void **state)
{
	char *etc = *state;
	xs_rm_rf(etc);
	free(etc);
	return 0;
}

static void put(const char *etc, const char *rel, const char *text)
{
	_cleanup_free_ char *p = ut_path(etc, rel);
	ut_write(p, text);
}

static void test_deb822_picks_the_main_archive(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list.d/debian.sources",
	    "# the security archive is listed first on purpose\n"
	    "Types: deb\n"
	    "URIs: http://security.mirror.invalid/debian-security\n"
	    "Suites: bookworm-security\n"
	    "Components: main\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
	    "\n"
	    "Types: deb\n"
	    "URIs: http://deb.example.org/debian/\n"
	    "Suites: bookworm bookworm-updates\n"
	    "Components: main contrib\n"
	    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://deb.example.org/debian");
}

static void test_deb822_updates_only_is_not_the_archive(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list.d/a.sources",
	    "Types: deb\nURIs: http://upd.example.org/debian\nSuites: bookworm-updates bookworm-backports\n"
	    "Components: main\n\n"
	    "Types: deb\nURIs: http://main.example.org/debian///\nSuites: sid\nComponents: main\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://main.example.org/debian");
}

static void test_deb822_disabled_entry_is_skipped(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list.d/debian.sources",
	    "Types: deb\n"
	    "URIs: http://disabled.example.org/debian\n"
	    "Suites: bookworm\n"
	    "Components: main\n"
	    "Enabled: no\n"
	    "\n"
	    "Types: deb\n"
	    "URIs: http://enabled.example.org/debian\n"
	    "Suites: bookworm\n"
	    "Components: main\n"
	    "Enabled: yes\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://enabled.example.org/debian");
}

static void test_deb822_source_only_entry_is_ignored(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list.d/debian.sources",
	    "Types: deb-src\n"
	    "URIs: http://src.example.org/debian\n"
	    "Suites: bookworm\n"
	    "Components: main\n"
	    "\n"
	    "Types: deb-src deb\n"
	    "URIs: http://both.example.org/debian\n"
	    "Suites: bookworm\n"
	    "Components: main\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://both.example.org/debian");
}

static void test_oneline_with_options(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list",
	    "# deb http://commented.example.org/debian bookworm main\n"
	    "deb-src http://src.example.org/debian bookworm main\n"
	    "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg arch=amd64] http://security.mirror.invalid/debian-security bookworm-security main\n"
	    "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] https://deb.example.org/debian/ bookworm main contrib # the archive\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "https://deb.example.org/debian");
}

static void test_oneline_in_sources_list_d(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list.d/mirror.list", "\tdeb\thttp://tab.example.org/debian\ttrixie\tmain\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://tab.example.org/debian");
}

static void test_deb_src_only_gives_nothing(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list", "deb-src http://src.example.org/debian bookworm main\n");
	assert_null(xs_host_mirror(etc));
}

static void test_deb822_takes_precedence_over_sources_list(void **state)
{
	const char *etc = *state;
	put(etc, "sources.list", "deb http://oneline.example.org/debian bookworm main\n");
	put(etc, "sources.list.d/debian.sources",
	    "Types: deb\nURIs: http://deb822.example.org/debian\nSuites: bookworm\nComponents: main\n");
	_cleanup_free_ char *m = xs_host_mirror(etc);
	assert_non_null(m);
	assert_string_equal(m, "http://deb822.example.org/debian");
}

static void test_nothing_configured(void **state)
{
	const char *etc = *state;
	assert_null(xs_host_mirror(etc));
	/* a file with only comments and blank lines is nothing too */
	put(etc, "sources.list", "# nothing here\n\n   \n");
	put(etc, "sources.list.d/empty.sources", "\n# Types: deb\n");
	assert_null(xs_host_mirror(etc));
	/* nor is an ETCDIR that does not exist */
	assert_null(xs_host_mirror("/nonexistent/xs-unit/etc/apt"));
}

/* --source: the one-line entry as mmdebstrap users write it */
static void test_source_line_with_signed_by(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_apt_entries e = { 0 };
	assert_int_equal(xs_sources_parse_oneline("deb [arch=amd64 signed-by=/k/site.asc,/k/b.gpg] http://repo.example.org/site/ bookworm main extra",
						  "--source 1", &e, &log), 0);
	assert_int_equal(e.n, 1);
	assert_true(e.v[0].deb);
	assert_string_equal(e.v[0].uri, "http://repo.example.org/site");
	assert_string_equal(e.v[0].suite, "bookworm");
	assert_int_equal(e.v[0].components.n, 2);
	assert_string_equal(e.v[0].components.v[1], "extra");
	assert_int_equal(e.v[0].signed_by.n, 2);
	assert_string_equal(e.v[0].signed_by.v[0], "/k/site.asc");
	assert_string_equal(e.v[0].where, "--source 1 line 1");
	assert_int_equal(e.v[0].arches.n, 1);
	assert_string_equal(e.v[0].arches.v[0], "amd64");
	xs_apt_entries_free(&e);
}

static void test_source_line_errors_name_the_line(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_apt_entries e = { 0 };
	assert_int_equal(xs_sources_parse_oneline("deb [trusted=yes] http://x.example.org/d sid main", "--source 2", &e, &log),
			 -EINVAL);
	assert_contains(log.err, "--source 2 line 1");
	assert_contains(log.err, "trusted=yes");
	xs_apt_entries_free(&e);
	xs_log_init(&log, XS_QUIET);
	assert_int_equal(xs_sources_parse_oneline("deb http://x.example.org/d", "f.list", &e, &log), -EINVAL);
	assert_contains(log.err, "expected a URI and a suite");
	xs_apt_entries_free(&e);
	xs_log_init(&log, XS_QUIET);
	assert_int_equal(xs_sources_parse_oneline("rpm http://x.example.org/d sid main", "f.list", &e, &log), -EINVAL);
	assert_contains(log.err, "found \"rpm http");
	xs_apt_entries_free(&e);
}

/* --sources-file: a deb822 paragraph is one entry per URI and suite */
static void test_sources_file_deb822(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_apt_entries e = { 0 };
	static const char text[] = "# site\n"
				   "Types: deb deb-src\n"
				   "URIs: http://a.example.org/d\n"
				   "Suites: bookworm\n"
				   " bookworm-backports\n"
				   "Components: main\n"
				   "Signed-By: /k/a.asc\n"
				   "\n"
				   "Types: deb\n"
				   "URIs: http://b.example.org/d\n"
				   "Suites: sid\n"
				   "Components: main\n"
				   "Enabled: no\n";
	assert_int_equal(xs_sources_parse(text, "site.sources", &e, &log), 0);
	assert_int_equal(e.n, 4); /* deb and deb-src, two suites each */
	assert_true(e.v[0].deb);
	assert_string_equal(e.v[1].suite, "bookworm-backports");
	assert_false(e.v[2].deb);
	assert_string_equal(e.v[1].signed_by.v[0], "/k/a.asc");
	assert_string_equal(e.v[1].where, "site.sources paragraph 1");
	xs_apt_entries_free(&e);
	/* an inline key is refused with what to do instead */
	assert_int_equal(xs_sources_parse("Types: deb\nURIs: http://a.example.org/d\nSuites: x\nComponents: main\n"
					  "Signed-By: -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n abc\n",
					  "k.sources", &e, &log),
			 -EINVAL);
	assert_contains(log.err, "inline key");
	xs_apt_entries_free(&e);
}

/* Repeated words count once, and a field of hundreds of different URIs or
 * suites is refused: the fuzzer's 1 KB paragraph of repeated "deb" types,
 * URIs and suites made types x URIs x suites entries (regress/sources/). */
static void test_deb822_repeats_and_too_many(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_apt_entries e = { 0 };
	assert_int_equal(xs_sources_parse("Types: deb deb\n deb\nURIs: http://a.example.org/d http://a.example.org/d\n"
					  "Suites: x x\n x\nComponents: main\n",
					  "r.sources", &e, &log),
			 0);
	assert_int_equal(e.n, 1);
	xs_apt_entries_free(&e);
	struct xs_buf b = { 0 };
	xs_buf_printf(&b, "Types: deb\nURIs: http://a.example.org/d\nSuites:");
	for (int i = 0; i < 300; i++)
		xs_buf_printf(&b, "\n s%d", i);
	xs_buf_printf(&b, "\nComponents: main\n");
	assert_int_equal(xs_sources_parse(b.data, "many.sources", &e, &log), -E2BIG);
	assert_contains(log.err, "many.sources paragraph 1: expected at most 256");
	xs_apt_entries_free(&e);
	xs_buf_free(&b);
}

/* the security archive beside the mirror, as on Debian's mirrors */
static void test_url_resolve(void **state)
{
	(void)state;
	const char *cases[][3] = {
		{ "http://h.example.org/debian", "../debian-security", "http://h.example.org/debian-security" },
		{ "http://h.example.org/debian/", "../debian-security", "http://h.example.org/debian-security" },
		{ "http://h.example.org/a/debian", "/debian-security", "http://h.example.org/debian-security" },
		{ "http://h.example.org/debian", "https://s.example.org/ds", "https://s.example.org/ds" },
		{ "file:///srv/m/debian", "../debian-security", "file:///srv/m/debian-security" },
		{ "http://h.example.org/debian", "sub", "http://h.example.org/debian/sub" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *u = xs_url_resolve(cases[i][0], cases[i][1]);
		assert_string_equal(u, cases[i][2]);
	}
}

/* The guest's sources: bookworm and its updates and security suites, a
 * site repository with its key, and a file:// source the guest cannot use */
static void guest_sources(const char *format, char **top, char **root)
{
	int rootfd = ut_mkroot("guest", top, root, O_RDONLY);
	assert_true(rootfd >= 0);
	_cleanup_free_ char *key = ut_path(*top, "site.asc");
	ut_write(key, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n");
	struct xs_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	xs_log_init(&ctx.log, XS_QUIET);
	ctx.o.target = *root;
	struct xs_strlist main_only = { 0 }, keys = { 0 };
	xs_strlist_add(&main_only, "main");
	xs_strlist_add(&keys, key);
	struct xs_apt apt = { 0 };
	xs_apt_add_source(&apt, "http://m.example.org/debian/", "trixie", &main_only, NULL, "trixie");
	xs_apt_add_source(&apt, "http://m.example.org/debian", "trixie-updates", &main_only, NULL, "u");
	xs_apt_add_source(&apt, "http://m.example.org/debian-security", "trixie-security", &main_only, NULL, "s");
	xs_apt_add_source(&apt, "file:///srv/local", "local", &main_only, NULL, "l");
	struct xs_apt_source *site = xs_apt_add_source(&apt, "https://r.example.org/site", "trixie", &main_only, &keys, "site");
	site->signed_by = xs_strdup(key);
	/* the suite's own sources, signed by the archive key the guest has */
	_cleanup_free_ char *kdir = ut_path(*root, "usr/share/keyrings");
	assert_int_equal(xs_mkdir_p(kdir, 0755), 0);
	_cleanup_free_ char *archive = ut_path(kdir, "debian-archive-keyring.gpg");
	ut_write(archive, "k");
	for (size_t i = 0; i < 3; i++)
		apt.src[i].guest_keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
	assert_int_equal(xs_deb_write_sources(&ctx, rootfd, &apt, format), 0);
	xs_apt_free(&apt);
	xs_strlist_free(&main_only);
	xs_strlist_free(&keys);
	close(rootfd);
}

/* Writes the sources above in FORMAT: REL holds TEXT, ABSENT is not
 * there, the site's key is copied. */
static void check_guest_sources(const char *format, const char *rel, const char *text, const char *absent)
{
	char *top, *root;
	guest_sources(format, &top, &root);
	_cleanup_free_ char *path = ut_path(root, rel);
	ut_assert_file(path, text);
	_cleanup_free_ char *key = ut_path(root, "etc/apt/keyrings/site.asc");
	ut_assert_file(key, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n");
	_cleanup_free_ char *other = ut_path(root, absent);
	assert_false(ut_exists(other));
	xs_rm_rf(top);
	free(top);
	free(root);
}

static void test_guest_sources_deb822(void **state)
{
	(void)state;
	check_guest_sources("deb822", "etc/apt/sources.list.d/debian.sources",
			    "Types: deb\nURIs: http://m.example.org/debian\nSuites: trixie trixie-updates\nComponents: main\n"
			    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
			    "\n"
			    "Types: deb\nURIs: http://m.example.org/debian-security\nSuites: trixie-security\nComponents: main\n"
			    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
			    "\n"
			    "Types: deb\nURIs: https://r.example.org/site\nSuites: trixie\nComponents: main\n"
			    "Signed-By: /etc/apt/keyrings/site.asc\n",
			    "etc/apt/sources.list");
}

static void test_guest_sources_one_line(void **state)
{
	(void)state;
	check_guest_sources("one-line", "etc/apt/sources.list",
			    "deb http://m.example.org/debian trixie main\n"
			    "deb http://m.example.org/debian trixie-updates main\n"
			    "deb http://m.example.org/debian-security trixie-security main\n"
			    "deb [signed-by=/etc/apt/keyrings/site.asc] https://r.example.org/site trixie main\n",
			    "etc/apt/sources.list.d/debian.sources");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_etc, teardown_etc)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_deb822_picks_the_main_archive),
		T(test_deb822_updates_only_is_not_the_archive),
		T(test_deb822_disabled_entry_is_skipped),
		T(test_deb822_source_only_entry_is_ignored),
		T(test_oneline_with_options),
		T(test_oneline_in_sources_list_d),
		T(test_deb_src_only_gives_nothing),
		T(test_deb822_takes_precedence_over_sources_list),
		T(test_nothing_configured),
		cmocka_unit_test(test_source_line_with_signed_by),
		cmocka_unit_test(test_source_line_errors_name_the_line),
		cmocka_unit_test(test_sources_file_deb822),
		cmocka_unit_test(test_deb822_repeats_and_too_many),
		cmocka_unit_test(test_url_resolve),
		cmocka_unit_test(test_guest_sources_deb822),
		cmocka_unit_test(test_guest_sources_one_line),
	};
	return cmocka_run_group_tests_name("sources", tests, NULL, NULL);
}
