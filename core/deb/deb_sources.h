/* deb_sources.h - the apt sources of one build: the suite, its -updates
 * and -security suites (--updates), the user's extra sources (--source,
 * --sources-file); and the guest's apt sources naming them all. */
#ifndef XS_DEB_SOURCES_H
#define XS_DEB_SOURCES_H

#include "context.h"
#include "repo_apt.h"
#include "suites.h"

/* Fills APT with the sources SUITE (the definition; may be empty) and the
 * options ask for, the suite itself first. */
int xs_deb_sources(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt);

/* URL resolved against the mirror BASE: an absolute URL stays, "/path"
 * keeps BASE's scheme and host, "../x" and "x" are relative to BASE as a
 * directory. Caller frees. */
char *xs_url_resolve(const char *base, const char *ref);

/* The guest's apt sources for APT's network sources, in FORMAT ("deb822":
 * etc/apt/sources.list.d/debian.sources, else etc/apt/sources.list);
 * a source's signed-by key files are copied to etc/apt/keyrings/. */
int xs_deb_write_sources(struct xs_ctx *ctx, int rootfd, const struct xs_apt *apt, const char *format);

#endif
