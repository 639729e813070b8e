/* suites.h - distribution definitions read from repos/ (*.conf): Debian
 * suites (suites_deb.h) and rpm distributions (suites_rpm.h): their
 * repositories as templates below a mirror, default groups, rpmdb location
 * and key files. */
#ifndef XS_SUITES_H
#define XS_SUITES_H

#include <stdbool.h>

#include "context.h"

/* One repository of an rpm distribution. */
struct xs_suite_repo {
	char *name;    /* as the distribution calls it: BaseOS, AppStream, updates */
	char *baseurl; /* below the mirror, with $releasever and $basearch */
};

struct xs_suite {
	char *name;       /* the section name: the codename */
	char *keyring;    /* absolute path of the key file */
	bool merged_usr;
	bool buildd_unmerged; /* buildd-merged-usr = no */
	struct xs_strlist aliases, components, add, exclude;
	/* Debian suites only: the suites --updates adds, the security
	 * archive's location (relative to the mirror, or a URL), and the
	 * format of the guest's apt sources ("one-line" or "deb822") */
	char *updates, *security, *security_mirror, *sources_format;
	char *guest_keyring; /* the key file the guest's sources name (deb822's Signed-By) */
	/* Debian suites: the primary fingerprints of the keys that may sign the
	 * suite (and its -updates), and its security suite; empty: any key of
	 * the keyring */
	struct xs_strlist signers, security_signers;
	/* rpm distributions only */
	bool rpm;
	char *releasever;
	char *rpmdb;         /* where the rpm database lives in the guest */
	char *rpmdb_backend; /* its format: "sqlite" (rpm >= 4.16) or "bdb" */
	char *key_family;    /* the key's directory in distribution-gpg-keys */
	bool repomd_unsigned; /* the distribution publishes no repomd.xml.asc */
	struct xs_strlist gpgkeys; /* names of the one key file, as each place calls it */
	struct xs_strlist enabled; /* repositories loaded by default */
	struct xs_strlist groups;  /* installed unless --variant=custom: @core */
	struct xs_suite_repo *repos;
	size_t nrepos;
};

void xs_suite_free(struct xs_suite *s);

/* Sets one key of the section being read; returns false for a key the
 * file does not know. */
typedef bool (*xs_suite_key_fn)(struct xs_suite *cur, const char *key, const char *val,
				const char *datadir);
/* Checks a section once read (PATH names the file in messages). */
typedef int (*xs_suite_check_fn)(struct xs_suite *s, const char *path, struct xs_log *log);

/* Looks SUITE (a codename or an alias) up in DATADIR/repos/FILE, each key
 * set by SET_KEY, the section then checked by CHECK (may be NULL).
 * Returns 0 and fills *out, -ENOENT when the suite is not defined, or
 * another -errno when the file cannot be read or parsed (message in log). */
int xs_suites_lookup(const char *datadir, const char *file, xs_suite_key_fn set_key, xs_suite_check_fn check,
		     const char *suite, struct xs_suite *out, struct xs_log *log);

#endif
