/* fuzz_suites.c - the distribution definitions (repos/debian.conf and
 * repos/rpm.conf, a DATADIR a site may replace): the input is both files;
 * each known suite of the shipped files is looked up, and an rpm one's
 * repositories are expanded below a mirror. (The Lua part of the config
 * space is not fuzzed: that would be Lua's own parser running code.) */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "deb_suites.h"
#include "rpm_suites.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *datadir = fuzz_dir("repos");
	fuzz_put(datadir, "repos/debian.conf", data, size);
	fuzz_put(datadir, "repos/rpm.conf", data, size);
	static const char *const names[] = { "bookworm", "stable", "sid", "centos-stream9", "fedora", "rocky9" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct xs_log log;
		xs_log_init(&log, XS_QUIET);
		struct xs_suite s = { 0 };
		if (!xs_deb_suite_lookup(datadir, names[i], &s, &log))
			xs_suite_free(&s);
		memset(&s, 0, sizeof(s));
		if (!xs_rpm_suite_lookup(datadir, names[i], &s, &log)) {
			struct xs_strlist choices = { 0 }, n = { 0 }, u = { 0 };
			xs_strlist_add(&choices, "+extras");
			xs_strlist_add(&choices, "-*");
			xs_strlist_add(&choices, "+baseos");
			xs_rpm_suite_repos(&s, "http://mirror.invalid/x", "x86_64", &choices, &n, &u, &log);
			xs_strlist_free(&choices);
			xs_strlist_free(&n);
			xs_strlist_free(&u);
			xs_suite_free(&s);
		}
	}
	return 0;
}
