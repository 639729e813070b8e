/* txn.h - the two records that carry a build through the pipeline:
 * the transaction (packages the solver chose, in order) and, per package,
 * the manifest of what extraction wrote. */
#ifndef XS_TXN_H
#define XS_TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

struct xs_rpminfo;

struct xs_ctrlfile {
	char *name; /* control member: control, preinst, md5sums, conffiles... */
	char *data;
	size_t len;
	mode_t mode;
};

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

#define XS_PHASE_BASE 1000

struct xs_pkg {
	int id; /* libsolv Id */
	char *name, *version, *arch;
	char *filename; /* path below the mirror */
	char *url;
	char *cache_path;
	uint64_t size;
	char sha256[XS_SHA256_HEX];
	char *priority, *section;
	bool essential;
	bool multiarch_same;
	/* The order debootstrap configures in: 1 the Priority: required
	 * closure; 2, 3, ... one round per base package that another base
	 * package Pre-Depends on, with its dependencies; XS_PHASE_BASE the other
	 * base packages. */
	int phase;
	int repo_index; /* which loaded index the package came from */
	uint64_t stanza_off, stanza_len;
	/* filled by extraction */
	struct xs_ctrlfile *ctrl;
	size_t nctrl;
	struct xs_manifest manifest;
	struct xs_rpminfo *rpm; /* rpm only: the header, kept for configure */
};

struct xs_txn {
	struct xs_pkg *v;
	size_t n;
	uint64_t bytes;
};

void xs_txn_free(struct xs_txn *t);
const struct xs_ctrlfile *xs_pkg_ctrl(const struct xs_pkg *p, const char *name);
struct xs_pkg *xs_txn_find(const struct xs_txn *t, const char *name);

#endif
