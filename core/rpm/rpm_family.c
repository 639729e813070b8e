/* rpm_family.c - the rpm family: rpm-md repositories, .rpm packages,
 * scriptlets and the rpmdb behind struct xs_family. */
#include "rpm_family.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solver.h>

#include "cache.h"
#include "rpm_configure.h"
#include "pkg_rpm.h"
#include "repo_rpmmd.h"
#include "solve.h"
#include "rpm_repos.h"
#include "rpm_suites.h"
#include "verify.h"

struct rpm_state {
	struct xs_rpmmd md;		      /* the solvables' repos point into it */
	struct xs_strlist repos, urls;	      /* the repositories to load, in step */
	struct xs_rpm_extras extras;	      /* --repo, .repo files: after those */
};

static struct rpm_state *rpm_state(struct xs_ctx *ctx)
{
	if (!ctx->family_state)
		ctx->family_state = xs_calloc(1, sizeof(struct rpm_state));
	return ctx->family_state;
}

static void rpm_state_free(struct xs_ctx *ctx)
{
	struct rpm_state *st = ctx->family_state;
	if (!st)
		return;
	xs_rpmmd_free(&st->md);
	xs_strlist_free(&st->repos);
	xs_strlist_free(&st->urls);
	xs_rpm_extras_free(&st->extras);
	free(st);
	ctx->family_state = NULL;
}

static int rpm_lookup(struct xs_ctx *ctx, struct xs_suite *out)
{
	return xs_rpm_suite_lookup(ctx->o.datadir, ctx->o.suite, out, &ctx->log);
}

/* The repositories to load (an rpm distribution's enabled ones below the
 * mirror, or the mirror itself) and the key. */
static int rpm_prepare(struct xs_ctx *ctx, bool known)
{
	struct xs_opts *o = &ctx->o;
	struct xs_suite *suite = ctx->suite;
	struct rpm_state *st = rpm_state(ctx);
	const char *basearch = xs_rpm_arch(o->arch);
	if (o->updates || o->sources.n || o->security_mirror)
		return xs_fail(&ctx->log, EINVAL, "--updates, --security-mirror, --source: apt sources, for Debian suites; %s is an rpm distribution (its updates repositories are chosen with --enable-repo/--disable-repo, extra ones given with --repo=NAME,URL[,KEYFILE] or --sources-file=FILE.repo)",
			       o->suite);
	int r = xs_rpm_extras_parse(o, &st->extras, &ctx->log);
	if (r < 0)
		return r;
	if (!known) {
		if (o->repo_choices.n)
			return xs_fail(&ctx->log, EINVAL, "--enable-repo/--disable-repo: \"%s\" is not an rpm distribution xstrap knows (%s/repos/rpm.conf); MIRROR is its one repository",
				       o->suite, o->datadir);
		suite->name = xs_strdup(o->suite);
		if (o->mirror) {
			xs_strlist_add(&st->repos, o->suite);
			xs_strlist_add(&st->urls, o->mirror);
		}
		return 0;
	}
	if (!o->keyrings.n && !o->no_verify) {
		_cleanup_free_ char *key = NULL;
		r = xs_rpm_suite_find_key(suite, o->datadir, getenv("XSTRAP_RPM_KEYDIRS"), basearch, &key,
					      &ctx->log);
		if (r < 0)
			return r;
		xs_debug(&ctx->log, "%s: key %s", suite->name, key);
		xs_strlist_add(&o->keyrings, key);
	}
	if (!o->mirror) /* no default: the host's sources are Debian's */
		return 0;
	return xs_rpm_suite_repos(suite, o->mirror, basearch, &o->repo_choices, &st->repos, &st->urls,
				  &ctx->log);
}

static int rpm_load(struct xs_ctx *ctx)
{
	struct rpm_state *st = rpm_state(ctx);
	ctx->pool = pool_create();
	pool_setdisttype(ctx->pool, DISTTYPE_RPM);
	pool_setarch(ctx->pool, xs_rpm_arch(ctx->o.arch));
	st->md.distribution = ctx->suite->rpm ? ctx->suite->name : NULL;
	st->md.repomd_unsigned = ctx->suite->repomd_unsigned;
	for (size_t i = 0; i < st->repos.n; i++)
		xs_rpmmd_add(&st->md, st->repos.v[i], st->urls.v[i]);
	for (size_t i = 0; i < st->extras.n; i++) {
		const struct xs_rpm_extra *x = &st->extras.v[i];
		if (xs_strlist_has(&st->repos, x->name))
			return xs_fail(&ctx->log, EINVAL, "extra repository %s: %s already has a repository of that name; call it something else",
				       x->name, ctx->suite->name);
		xs_rpmmd_add_extra(&st->md, x->name, x->url, x->keyfile);
	}
	return xs_rpmmd_load(ctx, &st->md);
}

/* dnf installs a group's mandatory and default packages as hard requests;
 * libsolv's group solvable has them as requires and recommends. A group
 * that several repositories define (BaseOS and AppStream) is their union,
 * as dnf merges comps. GNAME is the solvable name "group:ID". */
static void expand_group(struct xs_ctx *ctx, Id gname, Queue *jobs)
{
	Pool *pool = ctx->pool;
	Queue q;
	queue_init(&q);
	Id p;
	FOR_POOL_SOLVABLES(p)
	if (pool->solvables[p].name == gname) {
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_REQUIRES, &q, -1);
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_RECOMMENDS, &q, -1);
	}
	for (int i = 0; i < q.count; i++) {
		Id d = q.elements[i];
		if (ISRELDEP(d))
			continue; /* conditional packages: dnf installs them only with their condition */
		if (xs_name_exists(pool, pool_id2str(pool, d)))
			queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, d);
		else
			xs_debug(&ctx->log, "%s: %s is not in the repositories", pool_id2str(pool, gname),
				 pool_id2str(pool, d));
	}
	queue_free(&q);
}

/* An environment is its mandatory groups, as dnf 4 installs it: the
 * optional ones (libsolv's suggests), default or not, are only recorded by
 * dnf, never installed. The groups go into GROUPS (each once). */
static void environment_groups(Pool *pool, Id ename, Queue *groups)
{
	Queue q;
	queue_init(&q);
	Id p;
	FOR_POOL_SOLVABLES(p)
	if (pool->solvables[p].name == ename)
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_REQUIRES, &q, -1);
	for (int i = 0; i < q.count; i++)
		if (!ISRELDEP(q.elements[i]))
			queue_pushunique(groups, q.elements[i]);
	queue_free(&q);
}

/* Whether comps solvable S ("group:ID", "environment:ID") is what PAT
 * names: its id or its name, exactly, or as a glob ignoring case (dnf's
 * match when nothing matches exactly). */
static bool comps_match(Pool *pool, Solvable *s, const char *pat, bool glob)
{
	const char *n = pool_id2str(pool, s->name), *id;
	if (xs_str_startswith(n, "group:"))
		id = n + 6;
	else if (xs_str_startswith(n, "environment:"))
		id = n + 12;
	else
		return false;
	const char *name = solvable_lookup_str(s, SOLVABLE_SUMMARY);
	if (!glob)
		return !strcmp(id, pat) || (name && !strcmp(name, pat));
	return !fnmatch(pat, id, FNM_CASEFOLD) || (name && !fnmatch(pat, name, FNM_CASEFOLD));
}

/* @SPEC: the environments and groups it names (by id or name), each
 * environment as its mandatory groups, each group as its mandatory and
 * default packages. */
static int expand_comps(struct xs_ctx *ctx, const char *spec, Queue *jobs)
{
	Pool *pool = ctx->pool;
	const char *pat = spec + 1;
	Queue groups;
	queue_init(&groups);
	bool found = false;
	for (int glob = 0; glob < 2 && !found; glob++) {
		Id p;
		FOR_POOL_SOLVABLES(p)
		{
			Solvable *s = pool->solvables + p;
			if (!comps_match(pool, s, pat, glob))
				continue;
			found = true;
			if (xs_str_startswith(pool_id2str(pool, s->name), "environment:"))
				environment_groups(pool, s->name, &groups);
			else
				queue_pushunique(&groups, s->name);
		}
	}
	for (int i = 0; i < groups.count; i++)
		expand_group(ctx, groups.elements[i], jobs);
	queue_free(&groups);
	if (!found)
		return xs_fail(&ctx->log, ENOENT, "group or environment \"%s\" not found in the repositories' comps (%s): neither an id nor a name matches",
			       pat, ctx->o.mirror);
	return 0;
}

/* A package (name, provide, glob, name.arch, name-version...) or an @group. */
static int rpm_spec_jobs(struct xs_ctx *ctx, const char *n, Queue *jobs)
{
	if (n[0] == '@')
		return expand_comps(ctx, n, jobs);
	return xs_job_select(ctx, n, ctx->o.mirror, jobs);
}

static char *rpm_evr(Pool *pool, Id evr)
{
	const char *s = pool_id2str(pool, evr);
	const char *colon = strchr(s, ':');
	const char *dash = strchr(s, '-');
	if (colon && (!dash || colon < dash))
		return xs_strdup(s);
	return xs_asprintf("0:%s", s);
}


static int rpm_jobs(struct xs_ctx *ctx, Queue *jobs)
{
	const struct xs_suite *suite = ctx->suite;
	int r = xs_apply_excludes(ctx, &suite->exclude);
	for (size_t i = 0; i < ctx->o.include.n && !r; i++)
		r = rpm_spec_jobs(ctx, ctx->o.include.v[i], jobs);
	/* a distribution's groups are its variant: every one but custom and extract */
	bool custom = ctx->o.variant == XS_VARIANT_CUSTOM || ctx->o.variant == XS_VARIANT_EXTRACT;
	for (size_t i = 0; i < suite->groups.n && !r && !custom; i++)
		r = rpm_spec_jobs(ctx, suite->groups.v[i], jobs);
	if (!r && !jobs->count)
		r = xs_fail(&ctx->log, EINVAL, "nothing to install: give --include=PKG,@GROUP,...");
	return r;
}

static void rpm_solver_flags(void *solver)
{
	/* as dnf sets them */
	solver_set_flag(solver, SOLVER_FLAG_YUM_OBSOLETES, 1);
	solver_set_flag(solver, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
}

/* Each package's URL is below the repository it comes from. */
static int rpm_locate(struct xs_ctx *ctx, int p, struct xs_pkg *k)
{
	Pool *pool = ctx->pool;
	Solvable *s = pool->solvables + p;
	k->id = p;
	k->name = xs_strdup(pool_id2str(pool, s->name));
	k->version = rpm_evr(pool, s->evr);
	k->arch = xs_strdup(pool_id2str(pool, s->arch));
	const char *loc = solvable_lookup_location(s, NULL);
	k->filename = xs_strdup(loc ? loc : "");
	const struct xs_rpmmd_repo *from = s->repo->appdata;
	k->url = xs_asprintf("%s/%s", from->url, k->filename);
	k->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
	k->cache_path = NULL;
	Id type = 0;
	int r = 0;
	const char *sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
	if (sum && type == REPOKEY_TYPE_SHA256)
		memcpy(k->sha256, sum, XS_SHA256_HEX);
	else if (!ctx->o.no_verify)
		r = xs_fail(&ctx->log, EBADMSG, "%s-%s.%s: the primary metadata gives no SHA256 for %s; refusing an unverifiable package",
			    k->name, k->version, k->arch, k->filename);
	k->cache_path = xs_cache_pkg_path(ctx, k, xs_family_rpm.pkg_cache, xs_family_rpm.pkg_ext);
	return r;
}

/* Each worker checks signatures with its own gpgme contexts: one for the
 * distribution's keys, one per extra repository with its own key. */
struct rpm_worker {
	struct xs_verifier **v;
	size_t n;
};

static void rpm_worker_free(void *worker)
{
	struct rpm_worker *w = worker;
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		xs_verifier_free(w->v[i]);
	free(w->v);
	free(w);
}

static int rpm_worker_new(struct xs_ctx *ctx, void **worker)
{
	*worker = NULL;
	if (ctx->o.no_verify)
		return 0;
	struct rpm_worker *w = xs_calloc(1, sizeof(*w));
	int r = xs_rpmmd_verifiers(&rpm_state(ctx)->md, &ctx->o.keyrings, &w->v, &w->n, &ctx->log);
	if (r < 0) {
		rpm_worker_free(w);
		return r;
	}
	*worker = w;
	return 0;
}

/* P is checked with the keys of the repository it comes from only. */
static int rpm_decode(struct xs_ctx *ctx, void *worker, struct xs_pkg *p, struct xs_buf *data)
{
	struct rpm_worker *w = worker;
	struct xs_verifier *v = NULL;
	if (w) {
		const struct xs_rpmmd_repo *rr = ctx->pool->solvables[p->id].repo->appdata;
		v = w->v[rr && rr->verifier < w->n ? rr->verifier : 0];
	}
	return xs_rpm_decode_within(&ctx->log, v, p, data, ctx->stream_above);
}

/* As rpm configures, then each extra repository's .repo file and key. */
static int rpm_configure(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	int r = xs_configure_rpm(ctx, rootfd, txn);
	struct rpm_state *st = rpm_state(ctx);
	for (size_t i = 0; i < st->extras.n && i < st->md.n; i++)
		for (size_t k = 0; k < st->md.n; k++)
			if (st->md.v[k].extra && !strcmp(st->md.v[k].name, st->extras.v[i].name))
				st->extras.v[i].repomd_signed = st->md.v[k].repomd_signed;
	if (!r)
		r = xs_rpm_extras_write_guest(&ctx->log, rootfd, &st->extras);
	return r;
}

static int rpm_write(struct xs_ctx *ctx, int rootfd, struct xs_pkg *p, const struct xs_buf *data)
{
	int r = xs_rpm_write(&ctx->log, rootfd, p, data);
	if (!r && xs_rpm(p)->root_mode)
		ctx->root_mode = xs_rpm(p)->root_mode;
	return r;
}

static const char *rpm_ctx_fact(const struct xs_ctx *ctx, const char *name)
{
	if (strcmp(name, "rpmdb"))
		return NULL;
	return ctx->suite && ctx->suite->rpmdb ? ctx->suite->rpmdb : "/var/lib/rpm";
}

static void rpm_pkg_free(struct xs_pkg *p)
{
	xs_rpminfo_free(p->family_data);
	p->family_data = NULL;
}

static const char *const rpm_aliases[] = { "rpm-md", "rpmmd", NULL };

const struct xs_family xs_family_rpm = {
	.name = "rpm",
	.aliases = rpm_aliases,
	.fact = "rpm",
	.class_name = "RPM",
	.pkg_cache = "rpms",
	.pkg_ext = "rpm",
	.kernel_package = "kernel",
	.initrd_name = "initramfs-%s.img",
	.env = xs_rpm_env,
	.lookup = rpm_lookup,
	.prepare = rpm_prepare,
	.load = rpm_load,
	.jobs = rpm_jobs,
	.solver_flags = rpm_solver_flags,
	.locate = rpm_locate,
	.worker_new = rpm_worker_new,
	.worker_free = rpm_worker_free,
	.decode = rpm_decode,
	.write = rpm_write,
	.configure = rpm_configure,
	.cleanup = xs_rpm_remove_dev,
	.remove = xs_rpm_erase,
	.ctx_fact = rpm_ctx_fact,
	.pkg_free = rpm_pkg_free,
	.state_free = rpm_state_free,
};
