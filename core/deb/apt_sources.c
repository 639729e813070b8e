/* apt_sources.c - the host's apt sources: where the default Debian mirror is. */
#include "apt_sources.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* A suite like "bookworm" or "sid" names the archive proper; "-security",
 * "-updates" and "-backports" live elsewhere or carry only part of it. */
static bool main_suite(const char *suite)
{
	return suite[0] && !strchr(suite, '-') && !strchr(suite, '/');
}

static char *clean_uri(const char *uri, size_t len)
{
	while (len && uri[len - 1] == '/')
		len--;
	return xs_strndup(uri, len);
}

static bool has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p;) {
		p += strspn(p, " \t");
		size_t l = strcspn(p, " \t");
		if (l == wl && !strncmp(p, word, wl))
			return true;
		p += l;
	}
	return false;
}

/* deb822: paragraphs of Types/URIs/Suites; Enabled: no skips one. */
static char *from_deb822(const char *text)
{
	struct xs_buf para = { 0 };
	char *found = NULL;
	const char *p = text;
	while (!found) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		bool blank = strspn(p, " \t") == len;
		if (!blank && p[0] != '#')
			xs_buf_add(&para, p, len), xs_buf_add(&para, "\n", 1);
		if ((blank || !eol) && para.len) {
			char types[256] = "", uris[1024] = "", suites[1024] = "", enabled[16] = "yes";
			for (char *l = para.data; l && *l;) {
				char *n = strchr(l, '\n');
				if (n)
					*n = 0;
				sscanf(l, "Types: %255[^\n]", types);
				sscanf(l, "URIs: %1023[^\n]", uris);
				sscanf(l, "Suites: %1023[^\n]", suites);
				sscanf(l, "Enabled: %15s", enabled);
				l = n ? n + 1 : NULL;
			}
			if (has_word(types, "deb") && strcmp(enabled, "no")) {
				bool ok = false;
				for (char *s = strtok(suites, " \t"); s; s = strtok(NULL, " \t"))
					ok |= main_suite(s);
				if (ok && uris[0])
					found = clean_uri(uris, strcspn(uris, " \t"));
			}
			para.len = 0;
			para.data[0] = 0;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	xs_buf_free(&para);
	return found;
}

/* One-line format: deb [options] URI SUITE COMPONENT... */
static char *from_oneline(const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		_cleanup_free_ char *line = eol ? xs_strndup(p, eol - p) : xs_strdup(p);
		p = eol ? eol + 1 : NULL;
		char *s = line + strspn(line, " \t");
		if (strncmp(s, "deb", 3) || (s[3] != ' ' && s[3] != '\t'))
			continue;
		s += 3;
		s += strspn(s, " \t");
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e)
				continue;
			s = e + 1;
			s += strspn(s, " \t");
		}
		size_t ul = strcspn(s, " \t");
		char *suite = s + ul + strspn(s + ul, " \t");
		char *se = suite + strcspn(suite, " \t#");
		*se = 0;
		if (ul && main_suite(suite))
			return clean_uri(s, ul);
	}
	return NULL;
}

static char *from_glob(const char *pattern, char *(*parse)(const char *))
{
	glob_t g;
	char *found = NULL;
	if (glob(pattern, 0, NULL, &g))
		return NULL;
	for (size_t i = 0; i < g.gl_pathc && !found; i++) {
		struct xs_buf b = { 0 };
		if (!xs_read_file(g.gl_pathv[i], &b))
			found = parse(b.data);
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
	char *m = from_glob(p1, from_deb822);
	if (!m)
		m = from_glob(p2, from_oneline);
	if (!m)
		m = from_glob(p3, from_oneline);
	return m;
}
