/* fuzz_rpmmd.c - rpm-md metadata as repo_rpmmd.c loads it: the first byte
 * picks repomd.xml, primary, filelists (extending primary's solvables) or
 * comps; the rest is the XML. */
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_comps.h>
#include <solv/repo_repomdxml.h>
#include <solv/repo_rpmmd.h>
#include <stdio.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > (1 << 20))
		return 0;
	FILE *f = fmemopen((void *)(data + 1), size - 1, "r");
	if (!f)
		return 0;
	Pool *pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_RPM);
	Repo *repo = repo_create(pool, "fuzz");
	switch (data[0] % 4) {
	case 0:
		repo_add_repomdxml(repo, f, 0);
		break;
	case 1:
		repo_add_rpmmd(repo, f, NULL, 0);
		break;
	case 2:
		repo_add_rpmmd(repo, f, NULL, 0);
		rewind(f);
		repo_add_rpmmd(repo, f, "FL", REPO_EXTEND_SOLVABLES);
		break;
	default:
		repo_add_comps(repo, f, 0);
		break;
	}
	fclose(f);
	pool_free(pool);
	return 0;
}
