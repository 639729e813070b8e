/* deb_suites.c - Debian suites in repos/debian.conf. */
#include "deb_suites.h"

#include <errno.h>
#include <string.h>

#include "util.h"

static void replace_str(char **dst, const char *val)
{
	free(*dst);
	*dst = xs_strdup(val);
}

static bool set_debian_key(struct xs_suite *cur, const char *key, const char *val,
			   const char *datadir)
{
	if (!strcmp(key, "aliases"))
		xs_strlist_add_split(&cur->aliases, val);
	else if (!strcmp(key, "signers"))
		xs_strlist_add_split(&cur->signers, val);
	else if (!strcmp(key, "security-signers"))
		xs_strlist_add_split(&cur->security_signers, val);
	else if (!strcmp(key, "components"))
		xs_strlist_add_split(&cur->components, val);
	else if (!strcmp(key, "add"))
		xs_strlist_add_split(&cur->add, val);
	else if (!strcmp(key, "exclude"))
		xs_strlist_add_split(&cur->exclude, val);
	else if (!strcmp(key, "merged-usr"))
		cur->merged_usr = !strcmp(val, "yes");
	else if (!strcmp(key, "buildd-merged-usr"))
		cur->buildd_unmerged = !strcmp(val, "no");
	else if (!strcmp(key, "updates"))
		replace_str(&cur->updates, val);
	else if (!strcmp(key, "security"))
		replace_str(&cur->security, val);
	else if (!strcmp(key, "security-mirror"))
		replace_str(&cur->security_mirror, val);
	else if (!strcmp(key, "guest-keyring"))
		replace_str(&cur->guest_keyring, val);
	else if (!strcmp(key, "sources-format"))
		replace_str(&cur->sources_format, val);
	else if (!strcmp(key, "keyring")) {
		free(cur->keyring);
		cur->keyring = val[0] == '/' ? xs_strdup(val)
					     : xs_asprintf("%s/repos/keys/%s", datadir, val);
	} else
		return false;
	return true;
}

/* A key's primary fingerprint: 40 hex digits (v4 keys). */
static bool is_fingerprint(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789ABCDEFabcdef") == 40;
}

static int check_debian_suite(struct xs_suite *s, const char *path, struct xs_log *log)
{
	for (int k = 0; k < 2; k++) {
		const struct xs_strlist *l = k ? &s->security_signers : &s->signers;
		for (size_t i = 0; i < l->n; i++)
			if (!is_fingerprint(l->v[i]))
				return xs_fail(log, EINVAL, "%s: [%s]: %s: expected 40-digit key fingerprints, found \"%s\"", path,
					       s->name, k ? "security-signers" : "signers", l->v[i]);
	}
	if (s->sources_format && strcmp(s->sources_format, "one-line") && strcmp(s->sources_format, "deb822"))
		return xs_fail(log, EINVAL, "%s: [%s]: sources-format: expected one-line or deb822, found \"%s\"", path,
			       s->name, s->sources_format);
	return 0;
}

int xs_deb_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log)
{
	return xs_suites_lookup(datadir, "debian.conf", set_debian_key, check_debian_suite, suite, out, log);
}
