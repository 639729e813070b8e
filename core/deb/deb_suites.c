/* deb_suites.c - Debian suites in repos/debian.conf. */
#include "deb_suites.h"

#include <string.h>

#include "util.h"

static bool set_debian_key(struct xs_suite *cur, const char *key, const char *val,
			   const char *datadir)
{
	if (!strcmp(key, "aliases"))
		xs_strlist_add_split(&cur->aliases, val);
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
	else if (!strcmp(key, "keyring")) {
		free(cur->keyring);
		cur->keyring = val[0] == '/' ? xs_strdup(val)
					     : xs_asprintf("%s/repos/keys/%s", datadir, val);
	} else
		return false;
	return true;
}

int xs_deb_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log)
{
	return xs_suites_lookup(datadir, "debian.conf", set_debian_key, NULL, suite, out, log);
}
