/* test_sources.c - which mirror xstrap takes from the host's apt sources. */
#include "unit.h"

#include "apt_sources.h"

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
	};
	return cmocka_run_group_tests_name("sources", tests, NULL, NULL);
}
