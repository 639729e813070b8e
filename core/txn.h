/* txn.h - the two records that carry a build through the pipeline:
 * the transaction (packages the solver chose, in order) and, per package,
 * the manifest of what extraction wrote. */
#ifndef XS_TXN_H
#define XS_TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct xs_family;

struct xs_mentry {
	char *path; /* archive path without "./", "" for the root */
	mode_t mode; /* type and permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	char *link;  /* symlink target or hard-link source */
	bool hardlink;
	char md5[XS_MD5_HEX]; /* computed for conffiles only */
};

struct xs_manifest {
	struct xs_mentry *v;
	size_t n, cap;
};

struct xs_pkg {
	int id; /* libsolv Id */
	char *name, *version, *arch;
	char *filename; /* path below the mirror */
	char *url;
	char *cache_path;
	uint64_t size;
	char sha256[XS_SHA256_HEX];
	struct xs_manifest manifest; /* filled by extraction */
	/* set by decode: the payload is larger than ctx->stream_above, so
	 * write reads it from cache_path instead of the decoded buffer */
	bool stream;
	/* set by decode when it returns -ESTALE: the cached file's digest,
	 * which is not the signed one (extract fetches it once more) */
	char found_sha256[XS_SHA256_HEX];
	/* set by decode for a streamed package: open on the cached file it
	 * verified whole, so write reads those bytes and never the name again */
	bool has_cache_fd;
	int cache_fd;
	void *family_data; /* the family's own record, opaque to the rest */
};

struct xs_txn {
	struct xs_pkg *v;
	size_t n;
	uint64_t bytes;
	const struct xs_family *family; /* frees each package's family_data */
};

void xs_txn_free(struct xs_txn *t);
struct xs_pkg *xs_txn_find(const struct xs_txn *t, const char *name);

#endif
