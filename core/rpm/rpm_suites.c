/* rpm_suites.c - rpm distributions in repos/rpm.conf: their repositories
 * below a mirror and where their keys are. */
#include "rpm_suites.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

static void set_str(char **field, const char *val)
{
	free(*field);
	*field = xs_strdup(val);
}

static bool set_rpm_key(struct xs_suite *cur, const char *key, const char *val,
			const char *datadir)
{
	(void)datadir;
	cur->rpm = true;
	if (!strncmp(key, "repo ", 5) || !strncmp(key, "repo\t", 5)) {
		const char *name = key + 5 + strspn(key + 5, " \t");
		if (!*name || strpbrk(name, " \t,"))
			return false;
		cur->repos = xs_realloc(cur->repos, (cur->nrepos + 1) * sizeof(*cur->repos));
		cur->repos[cur->nrepos].name = xs_strdup(name);
		cur->repos[cur->nrepos++].baseurl = xs_strdup(val);
	} else if (!strcmp(key, "aliases"))
		xs_strlist_add_split(&cur->aliases, val);
	else if (!strcmp(key, "releasever"))
		set_str(&cur->releasever, val);
	else if (!strcmp(key, "enabled"))
		xs_strlist_add_split(&cur->enabled, val);
	else if (!strcmp(key, "groups"))
		xs_strlist_add_split(&cur->groups, val);
	else if (!strcmp(key, "rpmdb"))
		set_str(&cur->rpmdb, val);
	else if (!strcmp(key, "rpmdb-backend"))
		set_str(&cur->rpmdb_backend, val);
	else if (!strcmp(key, "gpgkey"))
		xs_strlist_add_split(&cur->gpgkeys, val);
	else if (!strcmp(key, "key-family"))
		set_str(&cur->key_family, val);
	else if (!strcmp(key, "repomd-signed"))
		cur->repomd_unsigned = !strcmp(val, "no");
	else
		return false;
	return true;
}

static const struct xs_suite_repo *find_repo(const struct xs_suite *s, const char *name)
{
	for (size_t i = 0; i < s->nrepos; i++)
		if (!strcasecmp(s->repos[i].name, name))
			return &s->repos[i];
	return NULL;
}

/* What every rpm distribution must say, checked once its section is read. */
static int check_rpm_suite(struct xs_suite *s, const char *path, struct xs_log *log)
{
	if (!s->rpm) /* no keys at all: xs_rpm_suite_lookup says so */
		return 0;
	const char *missing = !s->releasever ? "releasever" : !s->nrepos ? "repo NAME" : !s->enabled.n ? "enabled"
			    : !s->gpgkeys.n ? "gpgkey" : !s->key_family ? "key-family" : NULL;
	if (missing)
		return xs_fail(log, EINVAL, "%s: [%s]: no \"%s = ...\"; every rpm distribution needs one", path,
			       s->name, missing);
	for (size_t i = 0; i < s->enabled.n; i++)
		if (!find_repo(s, s->enabled.v[i]))
			return xs_fail(log, EINVAL, "%s: [%s]: enabled names \"%s\", which no \"repo %s = ...\" defines",
				       path, s->name, s->enabled.v[i], s->enabled.v[i]);
	static const char *const probe[] = { "releasever", "9", "basearch", "x86_64", NULL };
	for (size_t i = 0; i < s->nrepos; i++) {
		_cleanup_free_ char *bad = NULL;
		_cleanup_free_ char *url = xs_expand_vars(s->repos[i].baseurl, probe, &bad);
		if (!url)
			return xs_fail(log, EINVAL, "%s: [%s]: repo %s: unknown variable $%s (known: $releasever, $basearch)",
				       path, s->name, s->repos[i].name, bad);
	}
	for (size_t i = 0; i < s->gpgkeys.n; i++) {
		_cleanup_free_ char *bad = NULL;
		_cleanup_free_ char *name = xs_expand_vars(s->gpgkeys.v[i], probe, &bad);
		if (!name)
			return xs_fail(log, EINVAL, "%s: [%s]: gpgkey %s: unknown variable $%s (known: $releasever, $basearch)",
				       path, s->name, s->gpgkeys.v[i], bad);
	}
	if (!s->rpmdb)
		s->rpmdb = xs_strdup("/var/lib/rpm");
	if (s->rpmdb_backend && strcmp(s->rpmdb_backend, "sqlite") && strcmp(s->rpmdb_backend, "bdb"))
		return xs_fail(log, EINVAL, "%s: [%s]: rpmdb-backend is sqlite or bdb, found \"%s\"", path, s->name,
			       s->rpmdb_backend);
	if (s->rpmdb[0] != '/')
		return xs_fail(log, EINVAL, "%s: [%s]: rpmdb must be an absolute path, found \"%s\"", path, s->name,
			       s->rpmdb);
	return 0;
}

int xs_rpm_suite_lookup(const char *datadir, const char *suite, struct xs_suite *out,
			struct xs_log *log)
{
	int r = xs_suites_lookup(datadir, "rpm.conf", set_rpm_key, check_rpm_suite, suite, out, log);
	if (!r && !out->rpm) { /* a section with no keys at all */
		xs_suite_free(out);
		return xs_fail(log, EINVAL, "%s/repos/rpm.conf: [%s] defines nothing", datadir, suite);
	}
	return r;
}

static void list_names(struct xs_buf *b, const struct xs_suite *s)
{
	for (size_t i = 0; i < s->nrepos; i++)
		xs_buf_printf(b, "%s%s", i ? ", " : "", s->repos[i].name);
}

int xs_rpm_suite_repos(const struct xs_suite *s, const char *mirror, const char *basearch,
		       const struct xs_strlist *choices, struct xs_strlist *names,
		       struct xs_strlist *urls, struct xs_log *log)
{
	bool *on = xs_calloc(s->nrepos, sizeof(*on));
	int r = 0;
	for (size_t i = 0; i < s->nrepos; i++)
		for (size_t k = 0; k < s->enabled.n; k++)
			on[i] |= !strcasecmp(s->repos[i].name, s->enabled.v[k]);
	for (size_t c = 0; c < choices->n && !r; c++) {
		const char *name = choices->v[c] + 1;
		bool enable = choices->v[c][0] == '+', any = false;
		for (size_t i = 0; i < s->nrepos; i++)
			if (!strcmp(name, "*") || !strcasecmp(s->repos[i].name, name)) {
				on[i] = enable;
				any = true;
			}
		if (!any) {
			struct xs_buf known = { 0 };
			list_names(&known, s);
			r = xs_fail(log, ENOENT, "--%s-repo=%s: %s has no repository of that name (it has: %s)",
				    enable ? "enable" : "disable", name, s->name, known.data);
			xs_buf_free(&known);
		}
	}
	const char *vars[] = { "releasever", s->releasever, "basearch", basearch, NULL };
	size_t n = 0;
	for (size_t i = 0; i < s->nrepos && !r; i++) {
		if (!on[i])
			continue;
		_cleanup_free_ char *bad = NULL;
		_cleanup_free_ char *rel = xs_expand_vars(s->repos[i].baseurl, vars, &bad);
		if (!rel) { /* check_rpm_suite saw to that */
			r = xs_fail(log, EINVAL, "repo %s: unknown variable $%s", s->repos[i].name, bad);
			break;
		}
		_cleanup_free_ char *url = xs_asprintf("%s/%s", mirror, rel);
		size_t len = strlen(url);
		while (len > 1 && url[len - 1] == '/')
			url[--len] = 0;
		xs_strlist_add(names, s->repos[i].name);
		xs_strlist_add(urls, url);
		n++;
	}
	if (!r && !n) {
		struct xs_buf known = { 0 };
		list_names(&known, s);
		r = xs_fail(log, EINVAL, "no repository of %s is enabled; enable one with --enable-repo=NAME (it has: %s)",
			    s->name, known.data);
		xs_buf_free(&known);
	}
	free(on);
	return r;
}

int xs_rpm_suite_find_key(const struct xs_suite *s, const char *datadir, const char *dirs,
			  const char *basearch, char **path, struct xs_log *log)
{
	const char *vars[] = { "releasever", s->releasever, "basearch", basearch,
			       "family", s->key_family, NULL };
	_cleanup_free_ char *all = xs_asprintf("%s:%s/repos/keys", dirs ? dirs : XS_RPM_KEYDIRS, datadir);
	struct xs_strlist tried_dirs = { 0 }, tried_names = { 0 };
	int r = -ENOKEY;
	*path = NULL;
	for (char *d = all, *next; d && r == -ENOKEY; d = next) {
		next = strchr(d, ':');
		if (next)
			*next++ = 0;
		_cleanup_free_ char *bad = NULL;
		_cleanup_free_ char *dir = *d ? xs_expand_vars(d, vars, &bad) : NULL;
		if (!dir) {
			if (bad)
				xs_warn(log, "key directory %s: unknown variable $%s (known: $family, $releasever, $basearch); skipped",
					d, bad);
			continue;
		}
		xs_strlist_add(&tried_dirs, dir);
		for (size_t i = 0; i < s->gpgkeys.n && r == -ENOKEY; i++) {
			_cleanup_free_ char *unknown = NULL;
			_cleanup_free_ char *name = xs_expand_vars(s->gpgkeys.v[i], vars, &unknown);
			if (!name) /* check_rpm_suite saw to that */
				continue;
			if (!xs_strlist_has(&tried_names, name))
				xs_strlist_add(&tried_names, name);
			_cleanup_free_ char *candidate = xs_asprintf("%s/%s", dir, name);
			if (access(candidate, R_OK) == 0) {
				*path = candidate;
				candidate = NULL;
				r = 0;
			}
		}
	}
	if (r) {
		struct xs_buf where = { 0 }, names = { 0 };
		for (size_t i = 0; i < tried_dirs.n; i++)
			xs_buf_printf(&where, "%s%s", i ? ", " : "", tried_dirs.v[i]);
		for (size_t i = 0; i < tried_names.n; i++)
			xs_buf_printf(&names, "%s%s", i ? " or " : "", tried_names.v[i]);
		r = xs_fail(log, ENOKEY, "no key for %s: looked for %s in %s; install the distribution's keys (e.g. the distribution-gpg-keys package) or give the key with --keyring=FILE",
			    s->name, names.data ? names.data : "(no name)", where.data ? where.data : "(nowhere)");
		xs_buf_free(&where);
		xs_buf_free(&names);
	}
	xs_strlist_free(&tried_dirs);
	xs_strlist_free(&tried_names);
	return r;
}
