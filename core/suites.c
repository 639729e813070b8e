/* suites.c - the distribution definitions in repos/ (*.conf): one reader of
 * their sections; each family knows its own keys. */
#include "suites.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"

static char *trim(char *s)
{
	s += strspn(s, " \t");
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

void xs_suite_free(struct xs_suite *s)
{
	free(s->name);
	free(s->keyring);
	free(s->updates);
	free(s->security);
	free(s->security_mirror);
	free(s->sources_format);
	free(s->guest_keyring);
	xs_strlist_free(&s->aliases);
	xs_strlist_free(&s->signers);
	xs_strlist_free(&s->security_signers);
	xs_strlist_free(&s->components);
	xs_strlist_free(&s->add);
	xs_strlist_free(&s->exclude);
	free(s->releasever);
	free(s->rpmdb);
	free(s->rpmdb_backend);
	free(s->key_family);
	xs_strlist_free(&s->gpgkeys);
	xs_strlist_free(&s->enabled);
	xs_strlist_free(&s->groups);
	for (size_t i = 0; i < s->nrepos; i++) {
		free(s->repos[i].name);
		free(s->repos[i].baseurl);
	}
	free(s->repos);
	memset(s, 0, sizeof(*s));
}

static bool matches(const struct xs_suite *s, const char *want)
{
	return s->name && (!strcmp(s->name, want) || xs_strlist_has(&s->aliases, want));
}

int xs_suites_lookup(const char *datadir, const char *file, xs_suite_key_fn set_key, xs_suite_check_fn check,
		     const char *suite, struct xs_suite *out, struct xs_log *log)
{
	_cleanup_free_ char *path = xs_asprintf("%s/repos/%s", datadir, file);
	struct xs_buf b = { 0 };
	int r = xs_read_file(path, &b);
	if (r < 0) /* an installation problem, never "unknown suite" */
		return xs_fail(log, EIO, "%s: cannot read the suite definitions: %s (set XSTRAP_DATADIR to the directory holding repos/)",
			       path, strerror(-r));
	struct xs_suite cur = { 0 };
	int lineno = 0;
	r = -ENOENT;
	for (char *line = b.data, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		if (*l == '[') {
			if (matches(&cur, suite))
				break;
			xs_suite_free(&cur);
			char *e = strchr(l, ']');
			if (!e) {
				r = xs_fail(log, EINVAL, "%s: line %d: expected [suite], found \"%s\"",
					    path, lineno, l);
				goto out;
			}
			cur.name = xs_strndup(l + 1, e - l - 1);
			continue;
		}
		char *eq = strchr(l, '=');
		if (!eq || !cur.name) {
			r = xs_fail(log, EINVAL, "%s: line %d: expected key = value inside a [suite], found \"%s\"",
				    path, lineno, l);
			goto out;
		}
		*eq = 0;
		char *key = trim(l), *val = trim(eq + 1);
		if (!set_key(&cur, key, val, datadir)) {
			r = xs_fail(log, EINVAL, "%s: line %d: unknown key \"%s\"", path, lineno, key);
			goto out;
		}
	}
	if (matches(&cur, suite)) {
		r = check ? check(&cur, path, log) : 0;
		if (!r) {
			*out = cur;
			memset(&cur, 0, sizeof(cur));
		}
	}
out:
	xs_suite_free(&cur);
	xs_buf_free(&b);
	return r;
}

