/* repo_rpmmd.h - rpm-md repositories: repomd.xml (verified against
 * repomd.xml.asc with gpgme), primary, filelists and comps loaded into a
 * libsolv pool with rpm semantics. Resolution only so far (xstrap plan);
 * unpacking and the rpmdb are the rest of issue 3. */
#ifndef XS_REPO_RPMMD_H
#define XS_REPO_RPMMD_H

#include "context.h"

/* Loads ctx->o.mirror (a base URL with repodata/) into ctx->pool, which
 * must have been created with DISTTYPE_RPM. */
int xs_rpmmd_load(struct xs_ctx *ctx);
/* The rpm architecture for a Debian one (amd64 -> x86_64). */
const char *xs_rpm_arch(const char *arch);

#endif
