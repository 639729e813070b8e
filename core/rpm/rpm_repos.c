/* rpm_repos.c - extra rpm-md repositories: --repo and dnf .repo files. */
#include "rpm_repos.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "target.h"
#include "util.h"

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._:-", *s))
			return false;
	return true;
}

static int add_extra(struct xs_rpm_extras *out, const char *what, const char *name, const char *url,
		     const char *keyfile, struct xs_log *log)
{
	if (!valid_name(name))
		return xs_fail(log, EINVAL, "%s: the repository name \"%s\" is not one dnf accepts (letters, digits, . _ : -)",
			       what, name);
	if (!strstr(url, "://"))
		return xs_fail(log, EINVAL, "%s: expected the repository's URL (http://, https:// or file://, the directory holding repodata/), found \"%s\"",
			       what, url);
	if (keyfile && access(keyfile, R_OK) < 0)
		return xs_fail(log, errno, "%s: the key file %s: %s", what, keyfile, strerror(errno));
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i].name, name))
			return xs_fail(log, EINVAL, "%s: a repository named \"%s\" is given twice", what, name);
	out->v = xs_realloc(out->v, (out->n + 1) * sizeof(*out->v));
	struct xs_rpm_extra *e = &out->v[out->n++];
	memset(e, 0, sizeof(*e));
	e->name = xs_strdup(name);
	size_t len = strlen(url);
	while (len > 1 && url[len - 1] == '/')
		len--;
	e->url = xs_strndup(url, len);
	e->keyfile = keyfile ? xs_strdup(keyfile) : NULL;
	return 0;
}

/* NAME,URL[,KEYFILE]: the key file is what follows the last comma when
 * that is no URL (a URL may hold commas, a name never does). */
static int parse_option(struct xs_rpm_extras *out, const char *arg, struct xs_log *log)
{
	_cleanup_free_ char *what = xs_asprintf("--repo=%s", arg);
	const char *c1 = strchr(arg, ',');
	if (!c1)
		return xs_fail(log, EINVAL, "%s: expected NAME,URL[,KEYFILE]", what);
	_cleanup_free_ char *name = xs_strndup(arg, c1 - arg);
	_cleanup_free_ char *rest = xs_strdup(c1 + 1);
	char *c2 = strrchr(rest, ',');
	const char *keyfile = NULL;
	if (c2 && !strstr(c2 + 1, "://")) {
		*c2 = 0;
		keyfile = c2 + 1;
	}
	return add_extra(out, what, name, rest, keyfile && *keyfile ? keyfile : NULL, log);
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* The first of a .repo file's space- or comma-separated values. */
static char *first_value(char *v)
{
	v[strcspn(v, " \t,")] = 0;
	return v;
}

struct repo_section {
	char *id, *baseurl, *gpgkey;
	bool enabled;
};

static int end_section(struct xs_rpm_extras *out, const char *path, struct repo_section *s, struct xs_log *log)
{
	int r = 0;
	if (s->id && s->enabled) {
		_cleanup_free_ char *what = xs_asprintf("%s: [%s]", path, s->id);
		const char *key = s->gpgkey;
		if (key && !xs_str_startswith(key, "file://"))
			r = xs_fail(log, EINVAL, "%s: gpgkey=%s: only a local key (file://PATH) is read, so the key is the one you checked", what,
				    key);
		else if (!s->baseurl)
			r = xs_fail(log, EINVAL, "%s: no baseurl= (metalink= and mirrorlist= are not read)", what);
		else
			r = add_extra(out, what, s->id, s->baseurl, key ? key + strlen("file://") : NULL, log);
	}
	free(s->id);
	free(s->baseurl);
	free(s->gpgkey);
	memset(s, 0, sizeof(*s));
	return r;
}

/* A dnf .repo file: [id] sections with baseurl=, gpgkey=, enabled=. */
static int parse_repo_file(struct xs_rpm_extras *out, const char *path, struct xs_log *log)
{
	struct xs_buf b = { 0 };
	int r = xs_read_file(path, &b);
	if (r < 0)
		return xs_fail(log, -r, "--sources-file=%s: %s", path, strerror(-r));
	xs_buf_add(&b, "", 1);
	struct repo_section s = { 0 };
	unsigned lineno = 0;
	for (char *line = b.data, *next; line && *line && !r; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		char *t = trim(line);
		if (!*t || *t == '#' || *t == ';')
			continue;
		if (*t == '[') {
			char *close = strchr(t, ']');
			if (!close) {
				r = xs_fail(log, EINVAL, "%s:%u: expected [REPOSITORY-ID], found \"%s\"", path, lineno, t);
				break;
			}
			if ((r = end_section(out, path, &s, log)) < 0)
				break;
			*close = 0;
			s.id = xs_strdup(trim(t + 1));
			s.enabled = true;
			continue;
		}
		char *eq = strchr(t, '=');
		if (!eq || !s.id) {
			r = xs_fail(log, EINVAL, "%s:%u: expected KEY=VALUE inside a [REPOSITORY-ID] section, found \"%s\"",
				    path, lineno, t);
			break;
		}
		*eq = 0;
		char *key = trim(t), *val = trim(eq + 1);
		if (!strcmp(key, "baseurl")) {
			free(s.baseurl);
			s.baseurl = xs_strdup(first_value(val));
		} else if (!strcmp(key, "gpgkey")) {
			free(s.gpgkey);
			s.gpgkey = xs_strdup(first_value(val));
		} else if (!strcmp(key, "enabled"))
			s.enabled = strcmp(val, "0") && strcasecmp(val, "false") && strcasecmp(val, "no");
	}
	if (!r)
		r = end_section(out, path, &s, log);
	free(s.id);
	free(s.baseurl);
	free(s.gpgkey);
	xs_buf_free(&b);
	return r;
}

int xs_rpm_extras_parse(const struct xs_opts *o, struct xs_rpm_extras *out, struct xs_log *log)
{
	int r = 0;
	for (size_t i = 0; i < o->rpm_repos.n && !r; i++)
		r = parse_option(out, o->rpm_repos.v[i], log);
	for (size_t i = 0; i < o->sources_files.n && !r; i++)
		r = parse_repo_file(out, o->sources_files.v[i], log);
	return r;
}

void xs_rpm_extras_free(struct xs_rpm_extras *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].name);
		free(e->v[i].url);
		free(e->v[i].keyfile);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

int xs_rpm_all_keyfiles(const struct xs_opts *o, struct xs_strlist *out, struct xs_log *log)
{
	struct xs_rpm_extras e = { 0 };
	int r = xs_rpm_extras_parse(o, &e, log);
	for (size_t i = 0; i < o->keyrings.n; i++)
		xs_strlist_add(out, o->keyrings.v[i]);
	for (size_t i = 0; i < e.n && !r; i++)
		if (e.v[i].keyfile && !xs_strlist_has(out, e.v[i].keyfile))
			xs_strlist_add(out, e.v[i].keyfile);
	xs_rpm_extras_free(&e);
	return r;
}

int xs_rpm_extras_write_guest(struct xs_log *log, int rootfd, const struct xs_rpm_extras *e)
{
	int r = 0;
	for (size_t i = 0; i < e->n && !r; i++) {
		const struct xs_rpm_extra *x = &e->v[i];
		_cleanup_free_ char *keyrel = NULL;
		if (x->keyfile) {
			const char *base = strrchr(x->keyfile, '/');
			base = base ? base + 1 : x->keyfile;
			keyrel = xs_asprintf("etc/pki/rpm-gpg/%s", base);
			struct xs_buf key = { 0 };
			if ((r = xs_read_file(x->keyfile, &key)) < 0)
				r = xs_fail(log, -r, "%s: %s", x->keyfile, strerror(-r));
			else if ((r = xs_target_write(rootfd, keyrel, key.data, key.len, 0644)) < 0)
				r = xs_fail(log, -r, "cannot write /%s in the target: %s", keyrel, strerror(-r));
			xs_buf_free(&key);
		}
		struct xs_buf text = { 0 };
		xs_buf_printf(&text, "[%s]\nname=%s\nbaseurl=%s\nenabled=1\ngpgcheck=1\nrepo_gpgcheck=%d\n", x->name,
			      x->name, x->url, x->repomd_signed ? 1 : 0);
		if (keyrel)
			xs_buf_printf(&text, "gpgkey=file:///%s\n", keyrel);
		_cleanup_free_ char *rel = xs_asprintf("etc/yum.repos.d/%s.repo", x->name);
		if (!r && (r = xs_target_write(rootfd, rel, text.data, text.len, 0644)) < 0)
			r = xs_fail(log, -r, "cannot write /%s in the target: %s", rel, strerror(-r));
		xs_buf_free(&text);
	}
	return r;
}
