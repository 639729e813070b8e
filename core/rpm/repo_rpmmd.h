/* repo_rpmmd.h - rpm-md repositories: repomd.xml (verified against
 * repomd.xml.asc with gpgme), primary, filelists and comps loaded into a
 * libsolv pool with rpm semantics, one libsolv repo per repository. */
#ifndef XS_REPO_RPMMD_H
#define XS_REPO_RPMMD_H

#include <stdbool.h>

#include "context.h"

/* One repository: a base URL holding repodata/. */
struct xs_rpmmd_repo {
	char *name; /* BaseOS, updates; the suite for a single --repo-type=rpm-md URL */
	char *url;
	void *repo; /* its libsolv Repo once loaded, whose appdata points here */
};

struct xs_rpmmd {
	struct xs_rpmmd_repo *v;
	size_t n;
	const char *distribution; /* the rpm.conf name, or NULL */
	bool repomd_unsigned;     /* the distribution publishes no repomd.xml.asc */
};

void xs_rpmmd_add(struct xs_rpmmd *md, const char *name, const char *url);
void xs_rpmmd_free(struct xs_rpmmd *md);

/* Fetches, verifies (with ctx->o.keyrings) and loads every repository of
 * MD into ctx->pool, which must have been created with DISTTYPE_RPM. */
int xs_rpmmd_load(struct xs_ctx *ctx, struct xs_rpmmd *md);
/* The rpm architecture for a Debian one (amd64 -> x86_64). */
const char *xs_rpm_arch(const char *arch);

#endif
