/* apt_sources.c - apt's sources in both formats (one-line and deb822):
 * the host's (the default mirror) and the user's (--source, --sources-file). */
#include "apt_sources.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

void xs_apt_entries_free(struct xs_apt_entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].uri);
		free(e->v[i].suite);
		free(e->v[i].where);
		xs_strlist_free(&e->v[i].components);
		xs_strlist_free(&e->v[i].signed_by);
		xs_strlist_free(&e->v[i].arches);
	}
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static const char blanks[] = " \t";

/* Appends the words of S (split at blanks and, when COMMAS, at commas). */
static void add_words(struct xs_strlist *l, const char *s, size_t len, bool commas)
{
	const char *sep = commas ? " \t," : blanks;
	const char *end = s + len;
	while (s < end) {
		s += strspn(s, sep);
		size_t wl = strcspn(s, sep);
		if (s + wl > end)
			wl = end - s;
		if (wl) {
			_cleanup_free_ char *w = xs_strndup(s, wl);
			xs_strlist_add(l, w);
		}
		s += wl;
	}
}

/* Appends each word of S once; a field of more than 256 different words
 * (no real sources file has that many URIs or suites) is refused. */
static int add_unique_words(struct xs_strlist *l, const char *s)
{
	struct xs_strlist all = { 0 };
	add_words(&all, s, strlen(s), false);
	for (size_t i = 0; i < all.n && l->n <= 256; i++)
		if (!xs_strlist_has(l, all.v[i]))
			xs_strlist_add(l, all.v[i]);
	xs_strlist_free(&all);
	return l->n > 256 ? -E2BIG : 0;
}

static struct xs_apt_entry *new_entry(struct xs_apt_entries *out, bool deb, const char *uri,
				      size_t urilen, const char *suite, size_t suitelen)
{
	out->v = xs_realloc(out->v, (out->n + 1) * sizeof(*out->v));
	struct xs_apt_entry *e = &out->v[out->n++];
	memset(e, 0, sizeof(*e));
	while (urilen > 1 && uri[urilen - 1] == '/')
		urilen--;
	e->deb = deb;
	e->uri = xs_strndup(uri, urilen);
	e->suite = xs_strndup(suite, suitelen);
	return e;
}

static int bad_source(struct xs_log *log, const char *name, int n, const char *what, const char *line)
{
	if (!log)
		return 0;
	return xs_fail(log, EINVAL, "%s line %d: expected %s, found \"%s\"", name, n, what, line);
}

/* "[opt=val opt2=val]" of a one-line entry: signed-by is kept; an option
 * that would weaken verification is refused. */
static int oneline_options(const char *opts, size_t len, struct xs_apt_entry *e, const char *name,
			   int n, struct xs_log *log)
{
	struct xs_strlist words = { 0 };
	add_words(&words, opts, len, false);
	int r = 0;
	for (size_t i = 0; i < words.n && !r; i++) {
		const char *w = words.v[i];
		if (xs_str_startswith(w, "signed-by="))
			add_words(&e->signed_by, w + 10, strlen(w + 10), true);
		else if (xs_str_startswith(w, "arch="))
			add_words(&e->arches, w + 5, strlen(w + 5), true);
		else if (xs_str_startswith(w, "trusted=") || xs_str_startswith(w, "allow-insecure=") ||
			 xs_str_startswith(w, "allow-weak=") || xs_str_startswith(w, "allow-downgrade-to-insecure="))
			r = log ? xs_fail(log, EINVAL, "%s line %d: %s: xstrap verifies every source; give its key with signed-by=FILE (or --no-verify)",
					  name, n, w)
				: -EINVAL;
	}
	xs_strlist_free(&words);
	return r;
}

int xs_sources_parse_oneline(const char *text, const char *name, struct xs_apt_entries *out,
			     struct xs_log *log)
{
	int n = 0;
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		_cleanup_free_ char *line = eol ? xs_strndup(p, eol - p) : xs_strdup(p);
		p = eol ? eol + 1 : NULL;
		n++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *s = line + strspn(line, blanks);
		if (!*s)
			continue;
		size_t tl = strcspn(s, blanks);
		bool deb = tl == 3 && !strncmp(s, "deb", 3);
		if (!deb && !(tl == 7 && !strncmp(s, "deb-src", 7))) {
			int r = bad_source(log, name, n, "\"deb [OPTIONS] URI SUITE COMPONENT...\"", s);
			if (r)
				return r;
			continue;
		}
		s += tl;
		s += strspn(s, blanks);
		const char *opts = NULL;
		size_t optlen = 0;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close) {
				int r = bad_source(log, name, n, "a closing ] after the options", line);
				if (r)
					return r;
				continue;
			}
			opts = s + 1;
			optlen = close - s - 1;
			s = close + 1;
			s += strspn(s, blanks);
		}
		size_t ul = strcspn(s, blanks);
		const char *suite = s + ul + strspn(s + ul, blanks);
		size_t sl = strcspn(suite, blanks);
		if (!ul || !sl) {
			int r = bad_source(log, name, n, "a URI and a suite", line);
			if (r)
				return r;
			continue;
		}
		struct xs_apt_entry *e = new_entry(out, deb, s, ul, suite, sl);
		e->where = xs_asprintf("%s line %d", name, n);
		const char *comps = suite + sl;
		add_words(&e->components, comps, strlen(comps), false);
		if (opts) {
			int r = oneline_options(opts, optlen, e, name, n, log);
			if (r)
				return r;
		}
	}
	return 0;
}

enum { F_TYPES, F_URIS, F_SUITES, F_COMPONENTS, F_SIGNED_BY, F_ENABLED, F_ARCHES, F_N };

/* A deb822 paragraph's fields; continuation lines are appended in place
 * (amortized, so a long field costs its length, not its square). */
struct para {
	char *v[F_N];
	size_t len[F_N], cap[F_N];
};

static void para_free(struct para *pa)
{
	for (int i = 0; i < F_N; i++)
		free(pa->v[i]);
	memset(pa, 0, sizeof(*pa));
}

static int para_field(const char *key, size_t kl)
{
	static const char *const names[F_N] = { "Types", "URIs", "Suites", "Components", "Signed-By",
						"Enabled", "Architectures" };
	for (int i = 0; i < F_N; i++)
		if (strlen(names[i]) == kl && !strncasecmp(names[i], key, kl))
			return i;
	return -1;
}

static void para_append(struct para *pa, int f, const char *s, size_t n)
{
	size_t need = pa->len[f] + n + 2;
	if (need > pa->cap[f]) {
		pa->cap[f] = need * 2;
		pa->v[f] = xs_realloc(pa->v[f], pa->cap[f]);
	}
	if (pa->len[f])
		pa->v[f][pa->len[f]++] = ' ';
	memcpy(pa->v[f] + pa->len[f], s, n);
	pa->len[f] += n;
	pa->v[f][pa->len[f]] = 0;
}

static int para_entries(struct para *pa, const char *name, int np, struct xs_apt_entries *out,
			struct xs_log *log)
{
	if (pa->v[F_ENABLED] && !strncasecmp(pa->v[F_ENABLED] + strspn(pa->v[F_ENABLED], blanks), "no", 2))
		return 0;
	if (!pa->v[F_TYPES] || !pa->v[F_URIS] || !pa->v[F_SUITES]) {
		if (!log)
			return 0;
		return xs_fail(log, EINVAL, "%s paragraph %d: expected Types, URIs and Suites fields", name, np);
	}
	if (pa->v[F_SIGNED_BY] && strstr(pa->v[F_SIGNED_BY], "BEGIN PGP"))
		return log ? xs_fail(log, EINVAL, "%s paragraph %d: Signed-By with an inline key: put the key in a file and name the file",
				     name, np)
			   : 0;
	/* Each URI and suite once: a paragraph makes types x URIs x suites
	 * entries, and repeated words (the fuzzer found this) would make
	 * that product grow with the cube of the file's length. */
	struct xs_strlist types = { 0 }, uris = { 0 }, suites = { 0 };
	if (add_unique_words(&types, pa->v[F_TYPES]) || add_unique_words(&uris, pa->v[F_URIS]) ||
	    add_unique_words(&suites, pa->v[F_SUITES])) {
		xs_strlist_free(&types);
		xs_strlist_free(&uris);
		xs_strlist_free(&suites);
		return log ? xs_fail(log, E2BIG, "%s paragraph %d: expected at most 256 types, URIs or suites, found more",
				     name, np)
			   : 0;
	}
	for (size_t t = 0; t < types.n; t++) {
		bool deb = !strcmp(types.v[t], "deb");
		if (!deb && strcmp(types.v[t], "deb-src"))
			continue;
		for (size_t u = 0; u < uris.n; u++)
			for (size_t s = 0; s < suites.n; s++) {
				struct xs_apt_entry *e = new_entry(out, deb, uris.v[u], strlen(uris.v[u]),
								   suites.v[s], strlen(suites.v[s]));
				e->where = xs_asprintf("%s paragraph %d", name, np);
				if (pa->v[F_COMPONENTS])
					add_words(&e->components, pa->v[F_COMPONENTS], strlen(pa->v[F_COMPONENTS]), false);
				if (pa->v[F_SIGNED_BY])
					add_words(&e->signed_by, pa->v[F_SIGNED_BY], strlen(pa->v[F_SIGNED_BY]), false);
				if (pa->v[F_ARCHES])
					add_words(&e->arches, pa->v[F_ARCHES], strlen(pa->v[F_ARCHES]), false);
			}
	}
	xs_strlist_free(&types);
	xs_strlist_free(&uris);
	xs_strlist_free(&suites);
	return 0;
}

/* One line of a paragraph: a field, or the continuation of the last
 * (*LAST: the field being read, -1 for one xstrap does not use). */
static int para_line(struct para *pa, int *last, const char *line, size_t len, const char *name,
		     int np, struct xs_log *log)
{
	if (line[0] == ' ' || line[0] == '\t') {
		if (*last >= 0 && pa->v[*last])
			para_append(pa, *last, line, len);
		return 0;
	}
	const char *colon = memchr(line, ':', len);
	if (!colon)
		return log ? xs_fail(log, EINVAL, "%s paragraph %d: expected \"Field: value\", found \"%.*s\"",
				     name, np, (int)len, line)
			   : 0;
	*last = para_field(line, colon - line);
	if (*last >= 0) {
		const char *v = colon + 1;
		v += strspn(v, blanks);
		pa->len[*last] = 0;
		if (v > line + len)
			v = line + len;
		para_append(pa, *last, v, line + len - v);
	}
	return 0;
}

int xs_sources_parse_deb822(const char *text, const char *name, struct xs_apt_entries *out,
			    struct xs_log *log)
{
	struct para pa = { 0 };
	int last = -1, np = 0, r = 0;
	bool open = false;
	for (const char *p = text; p && *p && !r;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *line = p;
		p = eol ? eol + 1 : NULL;
		if (line[0] == '#')
			continue; /* comments do not end a paragraph */
		if (strspn(line, blanks) >= len) {
			if (open)
				r = para_entries(&pa, name, ++np, out, log);
			para_free(&pa);
			last = -1;
			open = false;
			continue;
		}
		open = true;
		r = para_line(&pa, &last, line, len, name, np + 1, log);
	}
	if (open && !r)
		r = para_entries(&pa, name, ++np, out, log);
	para_free(&pa);
	return r;
}

int xs_sources_parse(const char *text, const char *name, struct xs_apt_entries *out,
		     struct xs_log *log)
{
	for (const char *p = text; p && *p;) {
		const char *s = p + strspn(p, " \t\n");
		const char *eol = strchr(s, '\n');
		if (*s == '#') {
			p = eol ? eol + 1 : NULL;
			continue;
		}
		if (!strncmp(s, "deb", 3) && (s[3] == ' ' || s[3] == '\t' || !strncmp(s + 3, "-src", 4)))
			return xs_sources_parse_oneline(text, name, out, log);
		break;
	}
	return xs_sources_parse_deb822(text, name, out, log);
}

/* A suite like "bookworm" or "sid" names the archive proper; "-security",
 * "-updates" and "-backports" live elsewhere or carry only part of it. */
static bool main_suite(const char *suite)
{
	return suite[0] && !strchr(suite, '-') && !strchr(suite, '/');
}

static char *from_glob(const char *pattern, bool deb822)
{
	glob_t g;
	char *found = NULL;
	if (glob(pattern, 0, NULL, &g))
		return NULL;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		struct xs_buf b = { 0 };
		struct xs_apt_entries e = { 0 };
		if (!xs_read_file(g.gl_pathv[i], &b) && b.data) {
			if (deb822)
				xs_sources_parse_deb822(b.data, g.gl_pathv[i], &e, NULL);
			else
				xs_sources_parse_oneline(b.data, g.gl_pathv[i], &e, NULL);
		}
		for (size_t k = 0; k < e.n && !found; k++)
			if (e.v[k].deb && main_suite(e.v[k].suite))
				found = xs_strdup(e.v[k].uri);
		xs_apt_entries_free(&e);
		xs_buf_free(&b);
	}
	globfree(&g);
	return found;
}

char *xs_host_mirror(const char *etcdir)
{
	_cleanup_free_ char *p1 = xs_asprintf("%s/sources.list.d/*.sources", etcdir);
	_cleanup_free_ char *p2 = xs_asprintf("%s/sources.list", etcdir);
	_cleanup_free_ char *p3 = xs_asprintf("%s/sources.list.d/*.list", etcdir);
	char *m = from_glob(p1, true);
	if (!m)
		m = from_glob(p2, false);
	if (!m)
		m = from_glob(p3, false);
	return m;
}
