/* suites.h - distribution definitions read from repos/ (debian.conf). */
#ifndef XS_SUITES_H
#define XS_SUITES_H

#include <stdbool.h>

#include "context.h"

struct xs_suite {
	char *name;       /* the section name: the codename */
	char *keyring;    /* absolute path of the key file */
	bool merged_usr;
	bool buildd_unmerged; /* buildd-merged-usr = no */
	struct xs_strlist aliases, components, add, exclude;
};

/* Looks SUITE (a codename or an alias) up in DATADIR/repos/debian.conf.
 * Returns 0 and fills *out, -ENOENT when the suite is not defined, or
 * another -errno when the file cannot be read or parsed (message in log). */
int xs_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
		    struct xs_log *log);
void xs_suite_free(struct xs_suite *s);

#endif
