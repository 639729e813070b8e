/* deb_suites.h - Debian suites in repos/debian.conf. */
#ifndef XS_DEB_SUITES_H
#define XS_DEB_SUITES_H

#include "suites.h"

/* Looks SUITE (a codename or an alias) up in DATADIR/repos/debian.conf.
 * Returns 0 and fills *out, -ENOENT when the suite is not defined, or
 * another -errno when the file cannot be read or parsed (message in log). */
int xs_deb_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log);

#endif
