/* repo_rpmmd.h - rpm-md repositories: repomd.xml (verified against
 * repomd.xml.asc with gpgme), primary, filelists and comps loaded into a
 * libsolv pool with rpm semantics, one libsolv repo per repository. */
#ifndef XS_REPO_RPMMD_H
#define XS_REPO_RPMMD_H

#include <stdbool.h>

#include "context.h"

struct xs_verifier;

/* One repository: a base URL holding repodata/. */
struct xs_rpmmd_repo {
	char *name; /* BaseOS, updates; the suite for a single --repo-type=rpm-md URL */
	char *url;
	void *repo; /* its libsolv Repo once loaded, whose appdata points here */
	/* an extra repository (--repo, a .repo file): verified with KEYFILE
	 * only (NULL: the distribution's keys); its repomd.xml may be
	 * unsigned (EPEL's is), its packages never */
	bool extra;
	char *keyfile;
	bool repomd_signed; /* set by loading: repomd.xml.asc was there and good */
	unsigned verifier;  /* which of xs_rpmmd_verifiers' list checks its packages */
};

struct xs_rpmmd {
	struct xs_rpmmd_repo *v;
	size_t n;
	const char *distribution; /* the rpm.conf name, or NULL */
	bool repomd_unsigned;     /* the distribution publishes no repomd.xml.asc */
};

void xs_rpmmd_add(struct xs_rpmmd *md, const char *name, const char *url);
/* An extra repository verified with KEYFILE only (NULL: the distribution's
 * keys). */
void xs_rpmmd_add_extra(struct xs_rpmmd *md, const char *name, const char *url, const char *keyfile);
/* One verifier for the distribution's keys (KEYRINGS) and one per extra
 * repository with its own key, each repository's index in rr->verifier:
 * every package is checked with its repository's keys only. */
int xs_rpmmd_verifiers(struct xs_rpmmd *md, const struct xs_strlist *keyrings, struct xs_verifier ***out, size_t *n,
		       struct xs_log *log);
void xs_rpmmd_free(struct xs_rpmmd *md);

/* Fetches, verifies (with ctx->o.keyrings) and loads every repository of
 * MD into ctx->pool, which must have been created with DISTTYPE_RPM. */
int xs_rpmmd_load(struct xs_ctx *ctx, struct xs_rpmmd *md);
/* The rpm architecture for a Debian one (amd64 -> x86_64). */
const char *xs_rpm_arch(const char *arch);

#endif
