/* apt_sources.h - apt's sources in both formats: the one-line
 * "deb [opts] URI SUITE COMPONENT..." and deb822 paragraphs. Read from the
 * host (the default mirror) and from the user (--source, --sources-file). */
#ifndef XS_APT_SOURCES_H
#define XS_APT_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

#include "context.h"

/* One URI and suite (a deb822 paragraph with several of each becomes
 * one entry per pair, as apt reads it). */
struct xs_apt_entry {
	bool deb;       /* Types: deb (deb-src entries are kept, not used) */
	char *uri;      /* no trailing slash */
	char *suite;
	struct xs_strlist components;
	struct xs_strlist signed_by; /* key files; empty when not given */
	struct xs_strlist arches;    /* arch=, Architectures: empty when not given */
	char *where;    /* "FILE line N" or "FILE paragraph N", for messages */
};

struct xs_apt_entries {
	struct xs_apt_entry *v;
	size_t n;
};

/* Parses TEXT in one-line format (NAME for messages) and appends its "deb"
 * and "deb-src" entries to OUT. Returns 0, or -EINVAL with the line named
 * in LOG (LOG may be NULL: bad lines are skipped). */
int xs_sources_parse_oneline(const char *text, const char *name, struct xs_apt_entries *out,
			     struct xs_log *log);
/* The same for deb822 paragraphs (Types, URIs, Suites, Components,
 * Signed-By, Enabled; "Enabled: no" paragraphs are left out). */
int xs_sources_parse_deb822(const char *text, const char *name, struct xs_apt_entries *out,
			    struct xs_log *log);
/* Either format, told apart by the first field line. */
int xs_sources_parse(const char *text, const char *name, struct xs_apt_entries *out,
		     struct xs_log *log);
void xs_apt_entries_free(struct xs_apt_entries *e);

/* Returns the URI (no trailing slash) of the first "deb" source of the
 * Debian archive proper (a suite with no "-security"/"-updates" suffix) in
 * ETCDIR/sources.list.d/[*].sources, ETCDIR/sources.list.d/[*].list and
 * ETCDIR/sources.list, or NULL. ETCDIR is normally /etc/apt. Caller frees. */
char *xs_host_mirror(const char *etcdir);

#endif
