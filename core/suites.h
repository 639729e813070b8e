/* suites.h - distribution definitions read from repos/: Debian suites
 * (debian.conf) and rpm distributions (rpm.conf): their repositories as
 * templates below a mirror, default groups, rpmdb location and key files. */
#ifndef XS_SUITES_H
#define XS_SUITES_H

#include <stdbool.h>

#include "context.h"

/* One repository of an rpm distribution. */
struct xs_rpm_repo {
	char *name;    /* as the distribution calls it: BaseOS, AppStream, updates */
	char *baseurl; /* below the mirror, with $releasever and $basearch */
};

struct xs_suite {
	char *name;       /* the section name: the codename */
	char *keyring;    /* absolute path of the key file */
	bool merged_usr;
	bool buildd_unmerged; /* buildd-merged-usr = no */
	struct xs_strlist aliases, components, add, exclude;
	/* rpm distributions only */
	bool rpm;
	char *releasever;
	char *rpmdb;         /* where the rpm database lives in the guest */
	char *key_family;    /* the key's directory in distribution-gpg-keys */
	bool repomd_unsigned; /* the distribution publishes no repomd.xml.asc */
	struct xs_strlist gpgkeys; /* names of the one key file, as each place calls it */
	struct xs_strlist enabled; /* repositories loaded by default */
	struct xs_strlist groups;  /* installed unless --variant=custom: @core */
	struct xs_rpm_repo *repos;
	size_t nrepos;
};

/* Looks SUITE (a codename or an alias) up in DATADIR/repos/debian.conf.
 * Returns 0 and fills *out, -ENOENT when the suite is not defined, or
 * another -errno when the file cannot be read or parsed (message in log). */
int xs_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
		    struct xs_log *log);
/* The same for rpm distributions, in DATADIR/repos/rpm.conf (out->rpm set). */
int xs_rpm_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log);
void xs_suite_free(struct xs_suite *s);

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
