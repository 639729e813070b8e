/* fuzz_sources.c - the host's apt sources reader: the input is both a
 * deb822 sources.list.d/x.sources and a one-line sources.list. */
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "apt_sources.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *etc = fuzz_dir("sources.list.d");
	fuzz_put(etc, "sources.list.d/x.sources", data, size);
	fuzz_put(etc, "sources.list", data, size);
	free(xs_host_mirror(etc));
	return 0;
}
