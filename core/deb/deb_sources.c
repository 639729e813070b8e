/* deb_sources.c - the apt sources of one build (the suite, --updates,
 * --source, --sources-file) and the guest's apt sources naming them. */
#include "deb_sources.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "apt_sources.h"
#include "target.h"
#include "util.h"

char *xs_url_resolve(const char *base, const char *ref)
{
	if (strstr(ref, "://"))
		return xs_strdup(ref);
	const char *scheme = strstr(base, "://");
	const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
	if (!path) /* "http://host" */
		path = base + strlen(base);
	if (ref[0] == '/')
		return xs_asprintf("%.*s%s", (int)(path - base), base, ref);
	size_t keep = strlen(base);
	while (keep > (size_t)(path - base) && base[keep - 1] == '/')
		keep--;
	for (;;) {
		if (!strncmp(ref, "./", 2)) {
			ref += 2;
		} else if (!strncmp(ref, "../", 3) || !strcmp(ref, "..")) {
			ref += ref[2] ? 3 : 2;
			while (keep > (size_t)(path - base) && base[keep - 1] != '/')
				keep--;
			while (keep > (size_t)(path - base) && base[keep - 1] == '/')
				keep--;
		} else
			break;
	}
	return xs_asprintf("%.*s/%s", (int)keep, base, ref);
}

/* The suite's -updates and -security, as repos/debian.conf defines them. */
static int updates_sources(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt)
{
	struct xs_opts *o = &ctx->o;
	if (!suite->updates && !suite->security)
		return xs_fail(&ctx->log, ENOENT,
			       "--updates: %s/repos/debian.conf defines no updates or security suite for \"%s\" (keys updates = SUITE-updates, security = SUITE-security); name them with --source instead",
			       o->datadir, o->suite);
	if (suite->updates) {
		_cleanup_free_ char *origin = xs_asprintf("--updates (%s)", suite->updates);
		xs_apt_add_source(apt, o->mirror, suite->updates, &o->components, NULL, origin);
	}
	if (suite->security) {
		_cleanup_free_ char *url =
			o->security_mirror ? xs_strdup(o->security_mirror)
					   : xs_url_resolve(o->mirror, suite->security_mirror ? suite->security_mirror
											       : "../debian-security");
		_cleanup_free_ char *origin =
			xs_asprintf("--updates: %s at %s (--security-mirror=URL names another place)", suite->security, url);
		xs_apt_add_source(apt, url, suite->security, &o->components, NULL, origin);
	}
	return 0;
}

/* SRC, the suite or its -updates or -security, verified with the suite's
 * own key file: the keys repos/debian.conf pins for it, and the names its
 * Release may carry (the suite's and its aliases, with the same suffix:
 * oldstable-updates for bookworm-updates). */
static void pin_suite_source(const struct xs_suite *suite, struct xs_apt_source *src)
{
	src->guest_keyring = suite->guest_keyring;
	bool security = suite->security && !strcmp(src->suite, suite->security);
	const struct xs_strlist *pins = security ? &suite->security_signers : &suite->signers;
	for (size_t i = 0; i < pins->n; i++)
		xs_strlist_add(&src->signers, pins->v[i]);
	size_t nl = strlen(suite->name);
	if (strncmp(src->suite, suite->name, nl))
		return; /* asked by an alias: SUITE itself is the name to match */
	const char *suffix = src->suite + nl;
	for (size_t i = 0; i < suite->aliases.n; i++) {
		_cleanup_free_ char *n = xs_asprintf("%s%s", suite->aliases.v[i], suffix);
		xs_strlist_add(&src->names, n);
	}
}

/* The "deb" entries of one --source or --sources-file. */
static int add_entries(struct xs_ctx *ctx, const struct xs_apt_entries *e, const char *what,
		       struct xs_apt *apt)
{
	size_t added = 0;
	for (size_t i = 0; i < e->n; i++) {
		const struct xs_apt_entry *en = &e->v[i];
		if (!en->deb)
			continue;
		added++;
		/* apt leaves out a source whose arch= does not name the build's */
		if (en->arches.n && !xs_strlist_has(&en->arches, ctx->o.arch)) {
			xs_info(&ctx->log, "%s: %s %s left out: its architectures do not include %s", en->where,
				en->uri, en->suite, ctx->o.arch);
			continue;
		}
		if (!en->components.n)
			return xs_fail(&ctx->log, EINVAL,
				       "%s: %s %s names no component (a flat repository, SUITE ending in /, is not supported); expected \"deb URI SUITE COMPONENT...\"",
				       en->where, en->uri, en->suite);
		for (size_t k = 0; k < en->signed_by.n; k++)
			if (access(en->signed_by.v[k], R_OK) < 0)
				return xs_fail(&ctx->log, errno == ENOENT ? ENOENT : EACCES,
					       "%s: signed-by %s: %s (expected a key file: a fingerprint is not enough for xstrap)",
					       en->where, en->signed_by.v[k], strerror(errno));
		_cleanup_free_ char *origin = xs_asprintf("%s (%s %s)", en->where, en->uri, en->suite);
		struct xs_apt_source *src = xs_apt_add_source(apt, en->uri, en->suite, &en->components,
							      &en->signed_by, origin);
		if (en->signed_by.n)
			src->signed_by = xs_strdup(en->signed_by.v[0]);
	}
	if (!added)
		return xs_fail(&ctx->log, EINVAL, "%s: expected at least one \"deb\" source, found none", what);
	return 0;
}

int xs_deb_sources(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt)
{
	struct xs_opts *o = &ctx->o;
	int r = 0;
	xs_apt_add_source(apt, o->mirror, o->suite, &o->components, NULL, o->suite);
	if (o->updates && (r = updates_sources(ctx, suite, apt)) < 0)
		return r;
	/* the suite's own sources, signed by the suite's key (not --keyring's) */
	bool suite_key = suite->keyring && o->keyrings.n == 1 && !strcmp(o->keyrings.v[0], suite->keyring);
	for (size_t i = 0; i < apt->nsrc && suite_key; i++)
		pin_suite_source(suite, &apt->src[i]);
	for (size_t i = 0; i < o->sources.n && !r; i++) {
		struct xs_apt_entries e = { 0 };
		_cleanup_free_ char *name = xs_asprintf("--source %zu", i + 1);
		r = xs_sources_parse_oneline(o->sources.v[i], name, &e, &ctx->log);
		for (size_t k = 0; k < e.n; k++) { /* one line: its number says nothing */
			free(e.v[k].where);
			e.v[k].where = xs_strdup(name);
		}
		if (!r)
			r = add_entries(ctx, &e, name, apt);
		xs_apt_entries_free(&e);
	}
	for (size_t i = 0; i < o->sources_files.n && !r; i++) {
		const char *path = o->sources_files.v[i];
		struct xs_buf b = { 0 };
		struct xs_apt_entries e = { 0 };
		r = xs_read_file(path, &b);
		if (r < 0)
			r = xs_fail(&ctx->log, -r, "--sources-file %s: %s", path, strerror(-r));
		else
			r = xs_sources_parse(b.data ? b.data : "", path, &e, &ctx->log);
		if (!r)
			r = add_entries(ctx, &e, path, apt);
		xs_apt_entries_free(&e);
		xs_buf_free(&b);
	}
	return r;
}

/* Where a source's key goes in the guest, for its signed-by. */
static char *guest_key_path(const struct xs_apt_source *src)
{
	const char *slash = strrchr(src->signed_by, '/');
	return xs_asprintf("/etc/apt/keyrings/%s", slash ? slash + 1 : src->signed_by);
}

static int copy_key(struct xs_ctx *ctx, int rootfd, const struct xs_apt_source *src)
{
	struct xs_buf key = { 0 };
	_cleanup_free_ char *dest = guest_key_path(src);
	int r = xs_read_file(src->signed_by, &key);
	if (!r)
		r = xs_target_mkdir_p(rootfd, "etc/apt/keyrings", 0755);
	if (!r)
		r = xs_target_write(rootfd, dest + 1, key.data, key.len, 0644);
	xs_buf_free(&key);
	return r < 0 ? xs_fail(&ctx->log, -r, "cannot copy the key %s to %s in %s: %s", src->signed_by, dest,
			       ctx->o.target, strerror(-r))
		     : 0;
}

static bool same_strlist(const struct xs_strlist *a, const struct xs_strlist *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

static bool same_place(const struct xs_apt_source *a, const struct xs_apt_source *b)
{
	return !strcmp(a->uri, b->uri) && same_strlist(&a->components, &b->components) &&
	       !strcmp(a->signed_by ? a->signed_by : "", b->signed_by ? b->signed_by : "");
}

static void add_joined(struct xs_buf *b, const struct xs_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		xs_buf_printf(b, " %s", l->v[i]);
}

/* Whether the guest has the file PATH (absolute, as the guest sees it). */
static bool guest_has(int rootfd, const char *path)
{
	_cleanup_close_ int fd = xs_target_open(rootfd, path + (path[0] == '/'), O_PATH);
	return fd >= 0;
}

/* deb822 as Debian's installer writes it from trixie on: one paragraph
 * per archive, its suites together (Suites: trixie trixie-updates). */
static void deb822_text(int rootfd, const struct xs_apt *apt, const bool *in_guest, struct xs_buf *b)
{
	bool *done = xs_calloc(apt->nsrc ? apt->nsrc : 1, sizeof(bool));
	for (size_t i = 0; i < apt->nsrc; i++) {
		const struct xs_apt_source *s = &apt->src[i];
		if (!in_guest[i] || done[i])
			continue;
		xs_buf_printf(b, "%sTypes: deb\nURIs: %s\nSuites:", b->len ? "\n" : "", s->uri);
		for (size_t k = i; k < apt->nsrc; k++)
			if (in_guest[k] && !done[k] && same_place(s, &apt->src[k])) {
				xs_buf_printf(b, " %s", apt->src[k].suite);
				done[k] = true;
			}
		xs_buf_addstr(b, "\nComponents:");
		add_joined(b, &s->components);
		xs_buf_addstr(b, "\n");
		if (s->signed_by) {
			_cleanup_free_ char *key = guest_key_path(s);
			xs_buf_printf(b, "Signed-By: %s\n", key);
		} else if (s->guest_keyring && guest_has(rootfd, s->guest_keyring)) {
			xs_buf_printf(b, "Signed-By: %s\n", s->guest_keyring);
		}
	}
	free(done);
}

/* One-line, as debootstrap and bookworm's installer write it. */
static void oneline_text(const struct xs_apt *apt, const bool *in_guest, struct xs_buf *b)
{
	for (size_t i = 0; i < apt->nsrc; i++) {
		const struct xs_apt_source *s = &apt->src[i];
		if (!in_guest[i])
			continue;
		xs_buf_addstr(b, "deb ");
		if (s->signed_by) {
			_cleanup_free_ char *key = guest_key_path(s);
			xs_buf_printf(b, "[signed-by=%s] ", key);
		}
		xs_buf_printf(b, "%s %s", s->uri, s->suite);
		add_joined(b, &s->components);
		xs_buf_addstr(b, "\n");
	}
}

int xs_deb_write_sources(struct xs_ctx *ctx, int rootfd, const struct xs_apt *apt, const char *format)
{
	/* a file:// source is a path on the build host, meaningless in the guest */
	bool *in_guest = xs_calloc(apt->nsrc ? apt->nsrc : 1, sizeof(bool));
	size_t n = 0;
	int r = 0;
	for (size_t i = 0; i < apt->nsrc; i++) {
		in_guest[i] = xs_str_startswith(apt->src[i].uri, "http");
		n += in_guest[i];
		if (in_guest[i] && apt->src[i].signed_by && (r = copy_key(ctx, rootfd, &apt->src[i])) < 0)
			break;
	}
	struct xs_buf b = { 0 };
	bool deb822 = format && !strcmp(format, "deb822") && apt->nsrc > 1;
	if (!r && n) {
		if (deb822)
			deb822_text(rootfd, apt, in_guest, &b);
		else
			oneline_text(apt, in_guest, &b);
		const char *path = deb822 ? "etc/apt/sources.list.d/debian.sources" : "etc/apt/sources.list";
		r = xs_target_mkdir_p(rootfd, deb822 ? "etc/apt/sources.list.d" : "etc/apt", 0755);
		if (!r)
			r = xs_target_write(rootfd, path, b.data, b.len, 0644);
		if (r < 0)
			r = xs_fail(&ctx->log, -r, "cannot write /%s in %s: %s", path, ctx->o.target, strerror(-r));
	}
	xs_buf_free(&b);
	free(in_guest);
	return r;
}
