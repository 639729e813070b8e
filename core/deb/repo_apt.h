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

struct xs_index {
	char *component;
	char *text_path; /* the uncompressed Packages, for dpkg's available file */
	void *repo;      /* libsolv Repo */
};

struct xs_apt {
	char *mirror;
	struct xs_release rel;
	struct xs_index *idx;
	size_t nidx;
};

/* Fetches and verifies the suite's metadata from the mirror and fills
 * ctx->pool. */
int xs_apt_load(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt);
void xs_apt_free(struct xs_apt *apt);
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
