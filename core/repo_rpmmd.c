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
#include <solv/solv_xfopen.h>

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
			if (sum && type == REPOKEY_TYPE_SHA256) {
				memcpy(out->sha256, pool_bin2hex(pool, sum, 32), 65);
				out->has_sha256 = true;
			}
		}
	}
	dataiterator_free(&di);
	return found;
}

static int fetch_md(struct xs_ctx *ctx, const char *what, const struct md_file *f, char **path)
{
	struct xs_log *log = &ctx->log;
	_cleanup_free_ char *url = xs_asprintf("%s/%s", ctx->o.mirror, f->location);
	if (!f->has_sha256 && !ctx->o.no_verify)
		return xs_fail(log, EBADMSG, "%s: repomd.xml gives no SHA256 for the %s metadata; refusing it (--no-verify skips this check)",
			       url, what);
	const char *base = strrchr(f->location, '/');
	base = base ? base + 1 : f->location;
	_cleanup_free_ char *dir = xs_asprintf("%s/%s", ctx->o.cache_dir,
					       ctx->o.no_verify ? "rpmmd-unverified" : "rpmmd");
	xs_mkdir_p(dir, 0755);
	*path = f->has_sha256 && !ctx->o.no_verify ? xs_asprintf("%s/%s-%s", dir, f->sha256, base)
						   : xs_asprintf("%s/%s", dir, base);
	if (ctx->o.no_verify)
		unlink(*path);
	struct xs_transfer t = { .url = url, .dest = *path,
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

int xs_rpmmd_load(struct xs_ctx *ctx)
{
	struct xs_log *log = &ctx->log;
	Pool *pool = ctx->pool;
	struct xs_buf md = { 0 }, sig = { 0 };
	_cleanup_free_ char *u_md = xs_asprintf("%s/repodata/repomd.xml", ctx->o.mirror);
	_cleanup_free_ char *u_sig = xs_asprintf("%s/repodata/repomd.xml.asc", ctx->o.mirror);
	struct xs_verifier *v = NULL;
	Repo *meta = NULL;
	int r;
	struct xs_transfer t = { .url = u_md, .mem = &md, .missing_ok = true };
	r = xs_fetch_one(log, &t);
	if (r == -ENOENT)
		r = xs_fail(log, ENOENT, "%s: not found: %s is not an rpm-md repository (expected repodata/repomd.xml below it)",
			    u_md, ctx->o.mirror);
	if (r)
		goto out;
	if (!ctx->o.no_verify) {
		struct xs_transfer ts = { .url = u_sig, .mem = &sig, .missing_ok = true };
		r = xs_fetch_one(log, &ts);
		if (r == -ENOENT)
			r = xs_fail(log, EBADMSG, "%s: repomd.xml is not signed (no repomd.xml.asc); refusing it (--no-verify skips this check)",
				    u_md);
		if (!r && !ctx->o.keyrings.n)
			r = xs_fail(log, ENOKEY, "%s: no key to check it with: give the distribution's key with --keyring=FILE",
				    u_md);
		if (!r)
			r = xs_verifier_new(&v, &ctx->o.keyrings, log);
		if (!r)
			r = xs_verify_detached(v, u_sig, md.data, md.len, sig.data, sig.len, log);
		if (r)
			goto out;
	}
	meta = repo_create(pool, "repomd");
	FILE *fp = fmemopen(md.data, md.len, "r");
	int bad = repo_add_repomdxml(meta, fp, 0);
	fclose(fp);
	if (bad) {
		r = xs_fail(log, EBADMSG, "%s: cannot parse: %s", u_md, pool_errstr(pool));
		goto out;
	}
	Repo *repo = repo_create(pool, "rpmmd");
	static const char *const kinds[] = { "primary", "filelists", "group_gz", "group" };
	bool have_group = false;
	for (size_t k = 0; k < 4 && !r; k++) {
		struct md_file f;
		if (!repomd_find(meta, kinds[k], &f)) {
			if (k == 0)
				r = xs_fail(log, EBADMSG, "%s: lists no primary metadata", u_md);
			continue;
		}
		if (k >= 2 && have_group) {
			free(f.location);
			continue;
		}
		_cleanup_free_ char *path = NULL;
		r = fetch_md(ctx, kinds[k], &f, &path);
		if (r == -ENOENT && k == 3) /* "group" is often not published next to group_gz */
			r = 0;
		else if (!r)
			r = add_file(ctx, repo, path, k < 2 ? kinds[k] : "comps");
		have_group |= k >= 2 && !r;
		free(f.location);
	}
	if (r)
		goto out;
	repo_free(meta, 1);
	meta = NULL;
	pool_addfileprovides(pool);
	pool_createwhatprovides(pool);
out:
	if (meta)
		repo_free(meta, 1);
	xs_verifier_free(v);
	xs_buf_free(&md);
	xs_buf_free(&sig);
	return r;
}
