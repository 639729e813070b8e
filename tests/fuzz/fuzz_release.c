/* fuzz_release.c - the Release/InRelease text parser (the signed text, as
 * gpgme hands it over) and the date parser it uses. */
#include "fuzz.h"
#include "repo_apt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	struct xs_release rel = { 0 };
	if (!xs_release_parse(text, &rel, "Release", &log)) {
		for (size_t i = 0; i < rel.nfiles; i++)
			xs_release_find(&rel, rel.files[i].path);
		xs_release_find(&rel, "main/binary-amd64/Packages.xz");
	}
	xs_release_free(&rel);
	xs_release_time(text);
	free(text);
	return 0;
}
