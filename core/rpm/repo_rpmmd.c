/* repo_rpmmd.c - rpm-md repositories: verified repomd.xml, primary, filelists, comps into libsolv. */
#include "repo_rpmmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <solv/chksum.h>
#include <solv/dataiterator.h>
#include <solv/knownid.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_comps.h>
#include <solv/repo_repomdxml.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solv_xfopen.h>

#include "cache.h"
#include "fetch.h"
#include "util.h"
#include "verify.h"

const char *xs_rpm_arch(const char *arch)
{
	static const char *const map[][2] = {
		{ "amd64", "x86_64" }, { "arm64", "aarch64" }, { "i386", "i686" }, { "ppc64el", "ppc64le" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(arch, map[i][0]))
			return map[i][1];
	return arch;
}

struct md_file {
	char *location;
	char sha256[XS_SHA256_HEX];
	bool has_sha256;
	uint64_t size; /* 0 when repomd.xml gives none */
};

/* The <data type="WHAT"> entry of repomd.xml, as libsolv parsed it. */
static bool repomd_find(Repo *meta, const char *what, struct md_file *out)
{
	Pool *pool = meta->pool;
	Dataiterator di;
	bool found = false;
	memset(out, 0, sizeof(*out));
	dataiterator_init(&di, pool, meta, SOLVID_META, REPOSITORY_REPOMD_TYPE, what, SEARCH_STRING);
	dataiterator_prepend_keyname(&di, REPOSITORY_REPOMD);
	if (dataiterator_step(&di)) {
		dataiterator_setpos_parent(&di);
		const char *loc = pool_lookup_str(pool, SOLVID_POS, REPOSITORY_REPOMD_LOCATION);
		Id type = 0;
		const unsigned char *sum = pool_lookup_bin_checksum(pool, SOLVID_POS, REPOSITORY_REPOMD_CHECKSUM, &type);
		if (loc) {
			found = true;
			out->location = xs_strdup(loc);
			out->size = pool_lookup_num(pool, SOLVID_POS, REPOSITORY_REPOMD_SIZE, 0);
			if (sum && type == REPOKEY_TYPE_SHA256) {
				memcpy(out->sha256, pool_bin2hex(pool, sum, 32), 65);
				out->has_sha256 = true;
			}
		}
	}
	dataiterator_free(&di);
	return found;
}

static int fetch_md(struct xs_ctx *ctx, const struct xs_rpmmd_repo *rr, const char *what,
		    const struct md_file *f, char **path)
{
	struct xs_log *log = &ctx->log;
	_cleanup_free_ char *url = xs_asprintf("%s/%s", rr->url, f->location);
	if (!f->has_sha256 && !ctx->o.no_verify)
		return xs_fail(log, EBADMSG, "%s: repomd.xml gives no SHA256 for the %s metadata; refusing it (--no-verify skips this check)",
			       url, what);
	const char *base = strrchr(f->location, '/');
	base = base ? base + 1 : f->location;
	_cleanup_free_ char *dir = xs_cache_dir(ctx, "rpmmd", true);
	/* named by content; createrepo_c's names already start with it */
	bool by_sum = f->has_sha256 && !ctx->o.no_verify && !xs_str_startswith(base, f->sha256);
	*path = by_sum ? xs_asprintf("%s/%s-%s", dir, f->sha256, base) : xs_asprintf("%s/%s", dir, base);
	if (ctx->o.no_verify)
		unlink(*path);
	/* the size bounds the download: a mirror sending more is cut off */
	struct xs_transfer t = { .url = url, .dest = *path, .size = f->size,
				 .sha256 = ctx->o.no_verify ? NULL : f->sha256,
				 .missing_ok = !strcmp(what, "group") };
	return xs_fetch_one(log, &t);
}

static int add_file(struct xs_ctx *ctx, Repo *repo, const char *path, const char *what)
{
	FILE *fp = solv_xfopen(path, "r");
	if (!fp)
		return xs_fail(&ctx->log, EIO, "%s: cannot open the %s metadata: %s", path, what, strerror(errno));
	int r;
	if (!strcmp(what, "primary"))
		r = repo_add_rpmmd(repo, fp, NULL, 0);
	else if (!strcmp(what, "filelists"))
		r = repo_add_rpmmd(repo, fp, "FL", REPO_EXTEND_SOLVABLES);
	else
		r = repo_add_comps(repo, fp, 0);
	fclose(fp);
	if (r)
		return xs_fail(&ctx->log, EBADMSG, "%s: cannot parse the %s metadata: %s", path, what,
			       pool_errstr(repo->pool));
	return 0;
}

void xs_rpmmd_add(struct xs_rpmmd *md, const char *name, const char *url)
{
	md->v = xs_realloc(md->v, (md->n + 1) * sizeof(*md->v));
	md->v[md->n++] = (struct xs_rpmmd_repo){ .name = xs_strdup(name), .url = xs_strdup(url) };
}

void xs_rpmmd_add_extra(struct xs_rpmmd *md, const char *name, const char *url, const char *keyfile)
{
	xs_rpmmd_add(md, name, url);
	md->v[md->n - 1].extra = true;
	md->v[md->n - 1].keyfile = keyfile ? xs_strdup(keyfile) : NULL;
}

void xs_rpmmd_free(struct xs_rpmmd *md)
{
	for (size_t i = 0; i < md->n; i++) {
		free(md->v[i].name);
		free(md->v[i].url);
		free(md->v[i].keyfile);
	}
	free(md->v);
	memset(md, 0, sizeof(*md));
}

/* repomd.xml of RR, checked against its detached signature with V (NULL
 * under --no-verify). */
static int fetch_repomd(struct xs_ctx *ctx, const struct xs_rpmmd *md,
			struct xs_rpmmd_repo *rr, struct xs_verifier *v, struct xs_buf *out)
{
	struct xs_log *log = &ctx->log;
	_cleanup_free_ char *u_md = xs_asprintf("%s/repodata/repomd.xml", rr->url);
	_cleanup_free_ char *u_sig = xs_asprintf("%s/repodata/repomd.xml.asc", rr->url);
	struct xs_buf sig = { 0 };
	struct xs_transfer t = { .url = u_md, .mem = out, .missing_ok = true };
	int r = xs_fetch_one(log, &t);
	if (r == -ENOENT)
		r = md->distribution
			    ? xs_fail(log, ENOENT, "%s: not found: no %s repository %s below the mirror %s (is MIRROR the distribution's tree, the directory the repositories are below?)",
				      u_md, md->distribution, rr->name, ctx->o.mirror)
			    : xs_fail(log, ENOENT, "%s: not found: %s is not an rpm-md repository (expected repodata/repomd.xml below it)",
				      u_md, rr->url);
	if (r || !v)
		return r;
	struct xs_transfer ts = { .url = u_sig, .mem = &sig, .missing_ok = true };
	r = xs_fetch_one(log, &ts);
	if (r == -ENOENT && (md->repomd_unsigned || rr->extra)) {
		/* dnf's repo_gpgcheck=0, gpgcheck=1: every package is still
		 * checked against the repository's key before it is unpacked */
		xs_warn(log, "%s: %s publishes no signature for its repository metadata (no repomd.xml.asc); trusting each package's own signature instead, as dnf does",
			u_md, rr->extra ? rr->name : md->distribution);
		xs_buf_free(&sig);
		return 0;
	} else if (r == -ENOENT)
		r = xs_fail(log, EBADMSG, "%s: repomd.xml is not signed (no repomd.xml.asc); refusing it (--no-verify skips this check)",
			    u_md);
	if (!r)
		r = xs_verify_detached(v, u_sig, out->data, out->len, sig.data, sig.len, log);
	if (r && rr->extra)
		xs_fail_hint(log, rr->keyfile ? " (repository %s is checked with %s only)"
					      : " (repository %s is checked with the distribution's key; give its own as --repo=NAME,URL,KEYFILE or gpgkey=file:// in its .repo file)",
			     rr->name, rr->keyfile);
	rr->repomd_signed = !r;
	xs_buf_free(&sig);
	return r;
}

/* repomd.xml's <revision> (createrepo writes the time it ran) may not go
 * back from the newest this cache has seen for the repository: an older
 * signed repomd.xml is a rollback. A revision that is not a number cannot
 * be ordered and is not compared. */
static int check_revision(struct xs_ctx *ctx, const struct xs_rpmmd_repo *rr, Repo *meta)
{
	const char *rev = repo_lookup_str(meta, SOLVID_META, REPOSITORY_REVISION);
	char *end;
	long long n = rev && *rev ? strtoll(rev, &end, 10) : 0;
	if (!rev || !*rev || *end || n <= 0)
		return 0;
	_cleanup_free_ char *key = xs_asprintf("%s repomd.xml", rr->url);
	long long seen = 0;
	int r = xs_cache_newest(ctx, key, n, &seen, &ctx->log);
	if (r < 0 || seen <= n)
		return r;
	if (!ctx->o.allow_older_metadata)
		return xs_fail(&ctx->log, ESTALE,
			       "%s/repodata/repomd.xml: revision %lld is older than revision %lld this cache saw for the repository: a rollback to older metadata (a stale or replaying mirror); refusing it (--allow-older-metadata takes it)",
			       rr->url, n, seen);
	xs_warn(&ctx->log, "%s/repodata/repomd.xml: revision %lld is older than revision %lld seen before; taken (--allow-older-metadata)",
		rr->url, n, seen);
	return 0;
}

int xs_rpmmd_verifiers(struct xs_rpmmd *md, const struct xs_strlist *keyrings, struct xs_verifier ***out, size_t *n,
		       struct xs_log *log)
{
	*out = NULL;
	*n = 0;
	int r = 0;
	for (size_t i = 0; i <= md->n && !r; i++) {
		struct xs_rpmmd_repo *rr = i ? &md->v[i - 1] : NULL;
		if (rr && !rr->keyfile)
			continue; /* the distribution's keys: verifier 0 */
		struct xs_strlist one = { 0 };
		if (rr)
			xs_strlist_add(&one, rr->keyfile);
		*out = xs_realloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n] = NULL;
		if (rr)
			rr->verifier = (unsigned)*n;
		/* no distribution key at all (only extra repositories'): nothing
		 * is accepted by verifier 0 */
		if (!rr && !keyrings->n) {
			(*n)++;
			continue;
		}
		r = xs_verifier_new(&(*out)[*n], rr ? &one : keyrings, log);
		(*n)++;
		xs_strlist_free(&one);
	}
	return r;
}

/* True when SOLV held RR's parsed metadata and it is now loaded. */
static bool load_cached(struct xs_ctx *ctx, struct xs_rpmmd_repo *rr, const char *solv, const char *cookie)
{
	Repo *repo = rr->repo;
	int r = xs_solv_load(repo, solv, cookie, &ctx->log);
	if (r == -EBADMSG) /* another libsolv's format, or damaged: parse again */
		xs_debug(&ctx->log, "%s: unusable (%s); parsing the metadata again", solv, pool_errstr(repo->pool));
	return r == 0;
}

static int load_repo(struct xs_ctx *ctx, const struct xs_rpmmd *md, struct xs_rpmmd_repo *rr,
		     struct xs_verifier *v)
{
	struct xs_log *log = &ctx->log;
	Pool *pool = ctx->pool;
	struct xs_buf text = { 0 };
	Repo *meta = NULL;
	_cleanup_free_ char *solv = NULL;
	int r = fetch_repomd(ctx, md, rr, v, &text);
	if (r)
		goto out;
	meta = repo_create(pool, "repomd");
	FILE *fp = fmemopen(text.data, text.len, "r");
	int bad = repo_add_repomdxml(meta, fp, 0);
	fclose(fp);
	if (bad) {
		r = xs_fail(log, EBADMSG, "%s/repodata/repomd.xml: cannot parse: %s", rr->url, pool_errstr(pool));
		goto out;
	}
	if (!ctx->o.no_verify && (r = check_revision(ctx, rr, meta)) < 0)
		goto out;
	Repo *repo = repo_create(pool, rr->name);
	repo->appdata = rr;
	rr->repo = repo;
	/* The parsed repository, keyed by the verified repomd.xml that names
	 * every file it was made of: a second run reads it in milliseconds. */
	char cookie[XS_SHA256_HEX];
	xs_sha256_mem(text.data, text.len, cookie);
	if (!ctx->o.no_verify) {
		_cleanup_free_ char *dir = xs_cache_dir(ctx, "rpmmd", true);
		solv = xs_asprintf("%s/%s.solv", dir, cookie);
		if ((r = xs_fetch_check_dir(log, dir)) < 0)
			goto out;
	}
	if (solv && load_cached(ctx, rr, solv, cookie)) {
		xs_debug(log, "%s: loaded from cache %s", rr->url, solv);
		goto out;
	}
	static const char *const kinds[] = { "primary", "filelists", "group_gz", "group" };
	bool have_group = false;
	for (size_t k = 0; k < 4 && !r; k++) {
		struct md_file f;
		if (!repomd_find(meta, kinds[k], &f)) {
			if (k == 0)
				r = xs_fail(log, EBADMSG, "%s/repodata/repomd.xml: lists no primary metadata", rr->url);
			continue;
		}
		if (k >= 2 && have_group) {
			free(f.location);
			continue;
		}
		_cleanup_free_ char *path = NULL;
		r = fetch_md(ctx, rr, kinds[k], &f, &path);
		if (r == -ENOENT && k == 3) /* "group" is often not published next to group_gz */
			r = 0;
		else if (!r)
			r = add_file(ctx, repo, path, k < 2 ? kinds[k] : "comps");
		have_group |= k >= 2 && !r;
		free(f.location);
	}
	if (!r && solv) { /* fetch_md made the directory */
		int w = xs_solv_write(solv, repo, cookie);
		if (w < 0)
			xs_warn(log, "%s: cannot cache the parsed repository: %s", solv, strerror(-w));
		/* Solvables come back from a .solv in another order than the
		 * XML gave them, and the solver's ties follow that order: read
		 * what was written, so the first run plans as every later one. */
		if (w == 0)
			repo_empty(repo, 1);
		if (w == 0 && !load_cached(ctx, rr, solv, cookie))
			r = xs_fail(log, EIO, "%s: the parsed repository just written cannot be read back: %s",
				    solv, pool_errstr(pool));
	}
out:
	if (meta)
		repo_free(meta, 1);
	xs_buf_free(&text);
	return r;
}

int xs_rpmmd_load(struct xs_ctx *ctx, struct xs_rpmmd *md)
{
	struct xs_log *log = &ctx->log;
	struct xs_verifier *v = NULL;
	int r = 0;
	if (!md->n)
		return xs_fail(log, EINVAL, "no rpm-md repository to load: give the mirror, e.g. xstrap plan %s MIRROR",
			       ctx->o.suite);
	struct xs_verifier **vs = NULL;
	size_t nv = 0;
	if (!ctx->o.no_verify) {
		if (!ctx->o.keyrings.n)
			return xs_fail(log, ENOKEY, "%s/repodata/repomd.xml: no key to check it with: give the distribution's key with --keyring=FILE",
				       md->v[0].url);
		if ((r = xs_rpmmd_verifiers(md, &ctx->o.keyrings, &vs, &nv, log)) < 0)
			goto out;
	}
	for (size_t i = 0; i < md->n && !r; i++) {
		double t0 = xs_now();
		v = vs ? vs[md->v[i].verifier] : NULL;
		r = load_repo(ctx, md, &md->v[i], v);
		if (!r)
			xs_debug(log, "%s: %d packages in %.2f s", md->v[i].name,
				 ((Repo *)md->v[i].repo)->nsolvables, xs_now() - t0);
	}
out:
	for (size_t i = 0; i < nv; i++)
		xs_verifier_free(vs[i]);
	free(vs);
	if (r)
		return r;
	pool_addfileprovides(ctx->pool);
	pool_createwhatprovides(ctx->pool);
	return 0;
}
