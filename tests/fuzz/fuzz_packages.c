/* fuzz_packages.c - a Packages index into a libsolv pool, as repo_apt.c
 * loads it (libsolv's parser and the fields xstrap adds), then one
 * stanza looked up again the way dpkg's available file is written. */
#include <solv/pool.h>
#include <solv/repo.h>

#include "fuzz.h"
#include "repo_apt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	Pool *pool = pool_create();
	Repo *repo = repo_create(pool, "main");
	char *text = fuzz_str(data, size);
	xs_apt_add_packages(repo, text, size, "Packages", &log);
	Id p;
	Solvable *s;
	FOR_REPO_SOLVABLES(repo, p, s) {
		uint64_t off = solvable_lookup_num(s, xs_key_stanza_off(pool), 0);
		uint64_t len = solvable_lookup_num(s, xs_key_stanza_len(pool), 0);
		if (off > size || len > size - off)
			abort(); /* a stanza outside the index */
		solvable_lookup_str(s, xs_key_priority(pool));
	}
	pool_free(pool);
	free(text);
	return 0;
}
