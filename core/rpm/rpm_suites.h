/* rpm_suites.h - rpm distributions in repos/rpm.conf: their repositories
 * below a mirror and where their keys are. */
#ifndef XS_RPM_SUITES_H
#define XS_RPM_SUITES_H

#include "suites.h"

/* Looks SUITE up in DATADIR/repos/rpm.conf (out->rpm set); as
 * xs_deb_suite_lookup otherwise. */
int xs_rpm_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log);

/* The repositories of rpm distribution S to load: its enabled ones, changed
 * by CHOICES in order ("+NAME" enables, "-NAME" disables, "-*" disables
 * all; names match case-insensitively), each with its base URL expanded
 * below MIRROR for BASEARCH. Appends to NAMES and URLS in step. */
int xs_rpm_suite_repos(const struct xs_suite *s, const char *mirror, const char *basearch,
		       const struct xs_strlist *choices, struct xs_strlist *names,
		       struct xs_strlist *urls, struct xs_log *log);

/* Where an rpm distribution's key files are looked for when no --keyring
 * is given, in order ($family: the suite's key-family). */
#define XS_RPM_KEYDIRS "/etc/pki/rpm-gpg:/usr/share/distribution-gpg-keys/$family"

/* Finds S's key: each directory of DIRS (colon-separated, $family
 * expanded; NULL means XS_RPM_KEYDIRS), then DATADIR/repos/keys, each
 * tried with every name of S->gpgkeys. Returns 0 and *path (caller frees),
 * or -ENOKEY with a message naming every place it looked. */
int xs_rpm_suite_find_key(const struct xs_suite *s, const char *datadir, const char *dirs,
			  const char *basearch, char **path, struct xs_log *log);

#endif
