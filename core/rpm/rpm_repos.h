/* rpm_repos.h - extra rpm-md repositories (EPEL's kind) beside a
 * distribution's: --repo=NAME,URL[,KEYFILE] and dnf .repo files
 * (--sources-file), each verified with its own key, and the .repo file and
 * key the guest gets for each. */
#ifndef XS_RPM_REPOS_H
#define XS_RPM_REPOS_H

#include <stdbool.h>

#include "context.h"

struct xs_rpm_extra {
	char *name;    /* the repository id: [A-Za-z0-9._:-]+ */
	char *url;     /* the base URL holding repodata/ */
	char *keyfile; /* the only key it is verified with; NULL: the distribution's */
	bool repomd_signed; /* set once loaded: it publishes a signed repomd.xml */
};

struct xs_rpm_extras {
	struct xs_rpm_extra *v;
	size_t n;
};

/* The repositories of O's --repo options and the .repo files of its
 * --sources-file options (enabled ones only), in that order. A repository
 * without a key file is verified with the distribution's keys. Returns 0
 * or -errno with the option or file named in LOG. */
int xs_rpm_extras_parse(const struct xs_opts *o, struct xs_rpm_extras *out, struct xs_log *log);
void xs_rpm_extras_free(struct xs_rpm_extras *e);

/* O's --keyring files and every extra repository's key file (the keys a
 * package in the target may be signed by). */
int xs_rpm_all_keyfiles(const struct xs_opts *o, struct xs_strlist *out, struct xs_log *log);

/* /etc/yum.repos.d/NAME.repo for each of E in the target behind ROOTFD,
 * and its key in /etc/pki/rpm-gpg/ (under the key file's own name), so
 * the guest's dnf uses and verifies it as the build did (repo_gpgcheck
 * when its repomd.xml is signed). */
int xs_rpm_extras_write_guest(struct xs_log *log, int rootfd, const struct xs_rpm_extras *e);

#endif
