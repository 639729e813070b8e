/* repo_apt.h - Debian archives: InRelease/Release (verified), Packages
 * indices (checksum-verified) loaded into a libsolv pool and cached as .solv
 * files keyed by the index's SHA256. */
#ifndef XS_REPO_APT_H
#define XS_REPO_APT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "context.h"
#include "suites.h"
#include "txn.h"

struct xs_release_file {
	char *path;
	uint64_t size;
	char sha256[XS_SHA256_HEX];
};

struct xs_release {
	char *suite, *codename;
	time_t date, valid_until; /* 0 when absent */
	bool by_hash;             /* Acquire-By-Hash: yes */
	bool not_automatic;       /* NotAutomatic: yes (experimental, backports) */
	bool but_automatic_upgrades; /* ButAutomaticUpgrades: yes (backports) */
	struct xs_strlist architectures, components;
	struct xs_release_file *files;
	size_t nfiles;
};

/* Parses the (already verified) text of a Release file. */
int xs_release_parse(const char *text, struct xs_release *rel, const char *name,
		     struct xs_log *log);
void xs_release_free(struct xs_release *rel);
const struct xs_release_file *xs_release_find(const struct xs_release *rel, const char *path);
/* Parses an RFC 2822 date as used in Release files; returns 0 on failure. */
time_t xs_release_time(const char *s);

/* One signed suite of one archive: what a "deb URI SUITE COMPONENTS" line
 * or a deb822 paragraph names, with the keys that may sign it. */
struct xs_apt_source {
	char *uri;   /* no trailing slash */
	char *suite; /* below URI/dists/ */
	struct xs_strlist components;
	struct xs_strlist keyrings; /* empty: ctx->o.keyrings (the suite's key) */
	char *origin;               /* for messages: "--source 1", "FILE paragraph 2" */
	char *signed_by;            /* as the user wrote it (the guest's sources) */
	const char *guest_keyring;  /* the suite's key file in the guest, when it signs this */
	/* what its Release may call itself (Suite or Codename) besides
	 * SUITE, and the keys that may sign it (primary fingerprints; empty:
	 * any key of its keyring), from repos/debian.conf */
	struct xs_strlist names, signers;
	struct xs_release rel;      /* once loaded */
};

struct xs_index {
	char *component;
	char *text_path; /* the uncompressed Packages, for dpkg's available file */
	int text_fd;     /* open on it, checked against the signed digest; -1 */
	void *repo;      /* libsolv Repo */
	size_t source;   /* its xs_apt_source in xs_apt.src */
};

/* The sources of one build, each a separate libsolv repo per component;
 * all have apt's default priority, so the highest version wins. */
struct xs_apt {
	struct xs_apt_source *src;
	size_t nsrc;
	struct xs_index *idx;
	size_t nidx;
};

/* Adds a source (strings copied; KEYRINGS may be NULL). */
struct xs_apt_source *xs_apt_add_source(struct xs_apt *apt, const char *uri, const char *suite,
					const struct xs_strlist *components,
					const struct xs_strlist *keyrings, const char *origin);
/* Fetches and verifies every source's metadata (without sources: the
 * mirror, suite, components and keys of ctx->o) into ctx->pool, one repo
 * per source and component. */
int xs_apt_load(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt);
void xs_apt_free(struct xs_apt *apt);
/* The source a solvable of the pool came from. */
const struct xs_apt_source *xs_apt_source_of(const struct xs_apt *apt, const void *repo);
/* The Packages stanza of P, as the archive has it (for dpkg's available). */
int xs_apt_stanza(const struct xs_apt *apt, const struct xs_pkg *p, struct xs_buf *out);

/* Parses the (verified, decompressed) Packages TEXT into the libsolv Repo
 * REPO, with the fields libsolv does not keep; NAME names it in messages.
 * TEXT[LEN] must be 0, as in an xs_buf. */
int xs_apt_add_packages(void *repo, const char *text, size_t len, const char *name, struct xs_log *log);
/* Custom keys stored per solvable (and in the .solv cache). */
int xs_key_priority(void *pool);
int xs_key_section(void *pool);
int xs_key_essential(void *pool);
int xs_key_stanza_off(void *pool);
int xs_key_stanza_len(void *pool);

#endif
