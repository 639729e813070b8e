/* apt_sources.h - the host's apt sources: where the default Debian mirror is. */
#ifndef XS_APT_SOURCES_H
#define XS_APT_SOURCES_H

/* Returns the URI (no trailing slash) of the first "deb" source of the
 * Debian archive proper (a suite with no "-security"/"-updates" suffix) in
 * ETCDIR/sources.list.d/[*].sources, ETCDIR/sources.list.d/[*].list and
 * ETCDIR/sources.list, or NULL. ETCDIR is normally /etc/apt. Caller frees. */
char *xs_host_mirror(const char *etcdir);

#endif
