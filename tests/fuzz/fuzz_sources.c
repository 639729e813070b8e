/* fuzz_sources.c - the host's apt sources reader: the input is both a
 * deb822 sources.list.d/x.sources and a one-line sources.list. */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "apt_sources.h"

static char *etc;

static void remove_etc(void)
{
	xs_rm_rf(etc);
}

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char *path = xs_asprintf("%s/%s", etc, rel);
	FILE *f = fopen(path, "we");
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
	}
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!etc) {
		char tmpl[] = "/dev/shm/xstrap-fuzz-sources.XXXXXX";
		if (!mkdtemp(tmpl))
			abort();
		etc = xs_strdup(tmpl);
		char *d = xs_asprintf("%s/sources.list.d", etc);
		mkdir(d, 0700);
		free(d);
		atexit(remove_etc);
	}
	put("sources.list.d/x.sources", data, size);
	put("sources.list", data, size);
	free(xs_host_mirror(etc));
	return 0;
}
