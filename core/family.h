/* family.h - one package family (deb, rpm, ...) behind one interface: the
 * pipeline (stages.c) calls these and never asks which family it holds.
 * Families are registered in one table (family.c) and chosen once, from
 * --repo-type or from the distribution definition that knows the suite. */
#ifndef XS_FAMILY_H
#define XS_FAMILY_H

#include <stdbool.h>

#include "context.h"
#include "suites.h"
#include "txn.h"

struct s_Queue;
struct xs_buf;

struct xs_family {
	const char *name;		/* "deb", "rpm": --repo-type accepts it */
	const char *const *aliases;	/* more --repo-type names ("apt"), NULL-terminated */
	const char *fact;		/* x.family in Lua ("debian", "rpm") */
	const char *class_name;		/* the class every build of the family has ("DEBIAN") */
	const char *pkg_cache;		/* the cache folder of its packages ("debs") */
	const char *pkg_ext;		/* their file extension ("deb") */
	const char *const *env;		/* what programs in the target get besides PATH and HOME */
	const char *kernel_package;	/* what to --include for a kernel, %s the arch ("linux-image-%s") */
	const char *initrd_name;	/* /boot's initrd of kernel version %s ("initrd.img-%s") */

	/* SUITE (ctx->o.suite) in the family's definitions: 0 with *out
	 * filled, -ENOENT when it does not define it, another -errno when the
	 * definitions cannot be read. NULL: the family defines no suites. */
	int (*lookup)(struct xs_ctx *ctx, struct xs_suite *out);
	/* Options the user left out (mirror, keys, components), checks, the
	 * repositories to load; KNOWN when lookup found ctx->suite. Hangs the
	 * family's private state on ctx->family_state. */
	int (*prepare)(struct xs_ctx *ctx, bool known);
	/* Verified metadata into a new ctx->pool (cached as .solv). */
	int (*load)(struct xs_ctx *ctx);
	/* The solver jobs: variant, groups, --include (after excludes). */
	int (*jobs)(struct xs_ctx *ctx, struct s_Queue *jobs);
	/* Solver flags the family's own tool sets (dnf's); may be NULL. */
	void (*solver_flags)(void *solver);
	/* Fills P for solvable ID: name, version, URL, size, digest, cache
	 * path and the family's own data (p->family_data). */
	int (*locate)(struct xs_ctx *ctx, int id, struct xs_pkg *p);
	/* Reorders or groups the transaction (Debian's phases); may be NULL. */
	void (*order)(struct xs_ctx *ctx, struct xs_txn *txn);

	/* Decoding runs in parallel workers, each with its own state (rpm's
	 * gpgme verifier): worker_new may be NULL (no state). */
	int (*worker_new)(struct xs_ctx *ctx, void **worker);
	void (*worker_free)(void *worker);
	/* Reads and verifies P's file, keeps its metadata in P and its
	 * decompressed payload in *data. Thread-safe. A payload that unpacks
	 * to more than ctx->stream_above stays out of memory: decode sets
	 * p->stream and leaves *data empty, and write streams the payload from
	 * p->cache_path (a family that never does holds every payload whole).
	 * A cached file whose digest is not the signed one is -ESTALE with
	 * p->found_sha256 set and no message: extract fetches it once more. */
	int (*decode)(struct xs_ctx *ctx, void *worker, struct xs_pkg *p, struct xs_buf *data);
	/* Lays DATA (or, when p->stream, the cached file's payload) down in
	 * the target (one writer, transaction order). */
	int (*write)(struct xs_ctx *ctx, int rootfd, struct xs_pkg *p, const struct xs_buf *data);

	/* How many packages of TXN (its first, in order) land before record
	 * and configure; configure lays down the others itself when it wants
	 * them (xs_extract_until), as debootstrap unpacks its later rounds
	 * only after the required packages are configured. NULL: all. */
	size_t (*extract_first)(const struct xs_txn *txn);

	/* The empty target before any package (merged /usr); may be NULL. */
	int (*setup)(struct xs_ctx *ctx, int rootfd);
	/* The package database; may be NULL when configure writes it. */
	int (*record)(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
	/* Scripts in the target: a configured root. */
	int (*configure)(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
	/* Removes what only the build needed, after the customize hooks. */
	void (*cleanup)(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn);
	/* Removes installed packages by the target's own tool (x.purge). */
	int (*remove)(struct xs_ctx *ctx, int rootfd, const struct xs_strlist *names);

	/* A family-specific fact for Lua (x.rpmdb) or plan field ("priority");
	 * NULL when it has none. Either may be NULL. */
	const char *(*ctx_fact)(const struct xs_ctx *ctx, const char *name);
	const char *(*pkg_field)(const struct xs_pkg *p, const char *name);
	/* Frees p->family_data; frees ctx->family_state. */
	void (*pkg_free)(struct xs_pkg *p);
	void (*state_free)(struct xs_ctx *ctx);
};

/* Adds F to the table (after the built-in ones); for tests and plug-ins. */
int xs_family_register(const struct xs_family *f);
/* The family --repo-type NAME means, or NULL. */
const struct xs_family *xs_family_find(const char *name);
/* "deb, apt, rpm, rpm-md, ...": what --repo-type accepts (caller frees). */
char *xs_family_names(void);
/* Sets ctx->family and fills ctx->suite: the family --repo-type names (its
 * lookup may find nothing), else the first whose lookup knows the suite,
 * else the first of the table. *known: the suite is defined. */
int xs_family_choose(struct xs_ctx *ctx, bool *known);

#endif
