#include "solve.h"

#include <errno.h>
#include <string.h>

#include <solv/bitmap.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/selection.h>
#include <solv/solver.h>
#include <solv/transaction.h>

#include "repo_rpmmd.h"

static bool priority_in(const char *prio, enum xs_variant v)
{
	if (!prio)
		return false;
	if (!strcmp(prio, "required"))
		return v != XS_VARIANT_EXTRACT && v != XS_VARIANT_CUSTOM && v != XS_VARIANT_ESSENTIAL;
	if (!strcmp(prio, "important"))
		return v == XS_VARIANT_IMPORTANT || v == XS_VARIANT_STANDARD;
	if (!strcmp(prio, "standard"))
		return v == XS_VARIANT_STANDARD;
	return false;
}

static void job_name(Pool *pool, Queue *jobs, const char *name)
{
	queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, pool_str2id(pool, name, 1));
}

static bool name_exists(Pool *pool, const char *name)
{
	Id id = pool_str2id(pool, name, 0);
	if (!id)
		return false;
	Id p, pp;
	FOR_PROVIDES(p, pp, id)
	if (pool->solvables[p].name == id && (!pool->considered || MAPTST(pool->considered, p)))
		return true;
	return false;
}

/* The seed set a variant asks for, as debootstrap and mmdebstrap define it. */
static void variant_jobs(struct xs_ctx *ctx, const struct xs_suite *suite, Queue *jobs,
			 bool required_only)
{
	Pool *pool = ctx->pool;
	enum xs_variant v = required_only ? XS_VARIANT_REQUIRED : ctx->o.variant;
	Id kprio = xs_key_priority(pool), kess = xs_key_essential(pool);
	Map seen;
	map_init(&seen, pool->ss.nstrings);
	Id p;
	Solvable *s;
	FOR_POOL_SOLVABLES(p)
	{
		s = pool->solvables + p;
		if (pool->considered && !MAPTST(pool->considered, p))
			continue;
		if (!pool_installable(pool, s) || MAPTST(&seen, s->name))
			continue;
		bool want = priority_in(solvable_lookup_str(s, kprio), v) ||
			    (v == XS_VARIANT_ESSENTIAL && solvable_lookup_void(s, kess));
		if (want) {
			MAPSET(&seen, s->name);
			queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, s->name);
		}
	}
	map_free(&seen);
	if (v == XS_VARIANT_MINBASE || v == XS_VARIANT_BUILDD)
		job_name(pool, jobs, "apt");
	if (v == XS_VARIANT_BUILDD)
		job_name(pool, jobs, "build-essential");
	if (v != XS_VARIANT_EXTRACT && v != XS_VARIANT_CUSTOM)
		for (size_t i = 0; i < suite->add.n; i++)
			if (name_exists(pool, suite->add.v[i]))
				job_name(pool, jobs, suite->add.v[i]);
}

/* apt satisfies a dependency on a name that is a real package with that
 * package, and turns to other providers only for purely virtual names;
 * libsolv weighs all providers alike (libelogind0 provides libsystemd0).
 * Favouring the real packages that have competing providers makes the
 * solver choose as apt and debootstrap do. */
static void favor_real_packages(Pool *pool, Queue *jobs)
{
	Map real, favored;
	map_init(&real, pool->ss.nstrings);
	map_init(&favored, pool->ss.nstrings);
	Id p;
	FOR_POOL_SOLVABLES(p)
	MAPSET(&real, pool->solvables[p].name);
	FOR_POOL_SOLVABLES(p)
	{
		Solvable *s = pool->solvables + p;
		if (!s->provides)
			continue;
		for (Id *pp = s->repo->idarraydata + s->provides; *pp; pp++) {
			Id n = *pp;
			while (ISRELDEP(n))
				n = GETRELDEP(pool, n)->name;
			if (n != s->name && n < pool->ss.nstrings && MAPTST(&real, n) && !MAPTST(&favored, n)) {
				MAPSET(&favored, n);
				queue_push2(jobs, SOLVER_FAVOR | SOLVER_SOLVABLE_NAME, n);
			}
		}
	}
	/* apt (and debootstrap) take the first alternative of "a | b" when
	 * nothing else decides; libsolv would take the name that sorts first
	 * (dracut over initramfs-tools). Favour every first alternative. */
	FOR_POOL_SOLVABLES(p)
	{
		Solvable *s = pool->solvables + p;
		if (!s->requires)
			continue;
		for (Id *dp = s->repo->idarraydata + s->requires; *dp; dp++) {
			if (!ISRELDEP(*dp) || GETRELDEP(pool, *dp)->flags != REL_OR)
				continue;
			Id n = GETRELDEP(pool, *dp)->name;
			while (ISRELDEP(n))
				n = GETRELDEP(pool, n)->name;
			if (n < pool->ss.nstrings && MAPTST(&real, n) && !MAPTST(&favored, n)) {
				MAPSET(&favored, n);
				queue_push2(jobs, SOLVER_FAVOR | SOLVER_SOLVABLE_NAME, n);
			}
		}
	}
	map_free(&real);
	map_free(&favored);
}

/* Excluded packages vanish from the pool, as with dnf's exclude: nothing
 * can choose them to satisfy a dependency. */
/* Takes excluded packages out of the pool (as dnf does); a name both
 * included and excluded is an error. */
static int apply_excludes(struct xs_ctx *ctx, const struct xs_suite *suite)
{
	Pool *pool = ctx->pool;
	for (size_t i = 0; i < ctx->o.include.n; i++)
		if (xs_strlist_has(&ctx->o.exclude, ctx->o.include.v[i]))
			return xs_fail(&ctx->log, EINVAL, "package %s is both included and excluded",
				       ctx->o.include.v[i]);
	if (!pool->considered) {
		pool->considered = solv_calloc(1, sizeof(Map));
		map_init(pool->considered, pool->nsolvables);
		map_setall(pool->considered);
	}
	Id p;
	FOR_POOL_SOLVABLES(p)
	{
		const char *n = pool_id2str(pool, pool->solvables[p].name);
		if (xs_strlist_has(&ctx->o.exclude, n) ||
		    (xs_strlist_has(&suite->exclude, n) && !xs_strlist_has(&ctx->o.include, n)))
			MAPCLR(pool->considered, p);
	}
	return 0;
}

static int describe_problems(struct xs_ctx *ctx, Solver *solv, int nprob)
{
	struct xs_buf b = { 0 };
	for (Id pr = 1; pr <= nprob; pr++) {
		/* libsolv's "disabled" is xstrap's exclusion: say which */
		const char *text = solver_problem2str(solv, pr);
		size_t tl = strlen(text), dl = strlen(" is disabled");
		if (tl > dl && !strcmp(text + tl - dl, " is disabled"))
			xs_buf_printf(&b, "%s%.*s is excluded (--exclude, a class script or packages/CLASS.lua)",
				      pr > 1 ? "; " : "", (int)(tl - dl), text);
		else
			xs_buf_printf(&b, "%s%s", pr > 1 ? "; " : "", text);
		int nsol = solver_solution_count(solv, pr);
		if (nsol > 0) {
			Id e = 0, p, rp;
			xs_buf_addstr(&b, " (a way out: ");
			bool first = true;
			while ((e = solver_next_solutionelement(solv, pr, 1, e, &p, &rp)) != 0) {
				xs_buf_printf(&b, "%s%s", first ? "" : ", ",
					      solver_solutionelement2str(solv, p, rp));
				first = false;
			}
			xs_buf_addstr(&b, ")");
		}
	}
	int r = xs_fail(&ctx->log, EINVAL, "cannot satisfy the request for %s: %s", ctx->o.suite, b.data);
	xs_buf_free(&b);
	return r;
}

/* Solves JOBS and returns, in *order, the packages to install in the
 * order libsolv's transaction_order gives (Pre-Depends/prerequisites first). */
static int run_solver(struct xs_ctx *ctx, Queue *jobs, bool rpm, Queue *order)
{
	Solver *solv = solver_create(ctx->pool);
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, !ctx->o.recommends);
	solver_set_flag(solv, SOLVER_FLAG_ADD_ALREADY_RECOMMENDED, 0);
	if (rpm) { /* as dnf sets them */
		solver_set_flag(solv, SOLVER_FLAG_YUM_OBSOLETES, 1);
		solver_set_flag(solv, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
	}
	int nprob = solver_solve(solv, jobs);
	if (nprob) {
		int r = describe_problems(ctx, solv, nprob);
		solver_free(solv);
		return r;
	}
	Transaction *trans = solver_create_transaction(solv);
	transaction_order(trans, 0);
	for (int i = 0; i < trans->steps.count; i++) {
		Id p = trans->steps.elements[i];
		if (transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_ACTIVE) == SOLVER_TRANSACTION_INSTALL)
			queue_push(order, p);
	}
	transaction_free(trans);
	solver_free(solv);
	return 0;
}

static int fill_pkg(struct xs_ctx *ctx, struct xs_apt *apt, Id p, struct xs_pkg *out)
{
	Pool *pool = ctx->pool;
	Solvable *s = pool->solvables + p;
	out->id = p;
	out->name = xs_strdup(pool_id2str(pool, s->name));
	out->version = xs_strdup(pool_id2str(pool, s->evr));
	out->arch = xs_strdup(pool_id2str(pool, s->arch));
	const char *loc = solvable_lookup_location(s, NULL);
	out->filename = xs_strdup(loc);
	out->url = xs_asprintf("%s/%s", apt->mirror, loc);
	out->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
	out->priority = xs_strdup(solvable_lookup_str(s, xs_key_priority(pool)));
	out->section = xs_strdup(solvable_lookup_str(s, xs_key_section(pool)));
	out->essential = solvable_lookup_void(s, xs_key_essential(pool));
	const char *ma = solvable_lookup_str(s, SOLVABLE_MULTIARCH);
	out->multiarch_same = ma && !strcmp(ma, "same");
	out->stanza_off = solvable_lookup_num(s, xs_key_stanza_off(pool), 0);
	out->stanza_len = solvable_lookup_num(s, xs_key_stanza_len(pool), 0);
	struct xs_index *ix = s->repo->appdata;
	out->repo_index = ix - apt->idx;
	Id type = 0;
	const char *sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
	if (sum && type == REPOKEY_TYPE_SHA256)
		memcpy(out->sha256, sum, XS_SHA256_HEX);
	else if (!ctx->o.no_verify)
		return xs_fail(&ctx->log, EBADMSG,
			       "%s %s: the index gives no SHA256 for %s; refusing to install an unverifiable package",
			       out->name, out->version, loc);
	out->cache_path = xs_asprintf("%s/debs/%s.deb", ctx->o.cache_dir,
				      out->sha256[0] ? out->sha256 : "unverified");
	return 0;
}

static struct xs_pkg *txn_by_id(struct xs_txn *txn, Id p)
{
	for (size_t i = 0; i < txn->n; i++)
		if (txn->v[i].id == p)
			return &txn->v[i];
	return NULL;
}

/* Adds P and, recursively, what it depends on among the still unassigned
 * base packages to PHASE. */
static void claim_closure(Pool *pool, struct xs_txn *txn, struct xs_pkg *p, int phase)
{
	Queue todo, deps;
	queue_init(&todo);
	queue_init(&deps);
	p->phase = phase;
	queue_push(&todo, p->id);
	while (todo.count) {
		Id id = queue_pop(&todo);
		queue_empty(&deps);
		solvable_lookup_deparray(pool->solvables + id, SOLVABLE_REQUIRES, &deps, 0);
		for (int k = 0; k < deps.count; k++) {
			if (deps.elements[k] == SOLVABLE_PREREQMARKER)
				continue;
			Id q, qq;
			FOR_PROVIDES(q, qq, deps.elements[k])
			{
				struct xs_pkg *d = txn_by_id(txn, q);
				if (d && d->phase == XS_PHASE_BASE) {
					d->phase = phase;
					queue_push(&todo, q);
				}
			}
		}
	}
	queue_free(&todo);
	queue_free(&deps);
}

/* Of the base packages, debootstrap first installs those another base
 * package Pre-Depends on, one dpkg --install round each, with their
 * dependencies; each round becomes a phase of its own here. */
static void mark_predeps(Pool *pool, struct xs_txn *txn)
{
	Queue pre;
	queue_init(&pre);
	int phase = 2;
	for (size_t i = 0; i < txn->n; i++) {
		if (txn->v[i].phase != XS_PHASE_BASE)
			continue;
		queue_empty(&pre);
		solvable_lookup_deparray(pool->solvables + txn->v[i].id, SOLVABLE_REQUIRES, &pre, 1);
		for (int k = 0; k < pre.count; k++) {
			Id p, pp;
			FOR_PROVIDES(p, pp, pre.elements[k])
			{
				struct xs_pkg *d = txn_by_id(txn, p);
				if (d && d->phase == XS_PHASE_BASE && d != &txn->v[i])
					claim_closure(pool, txn, d, phase++);
			}
		}
	}
	queue_free(&pre);
}

/* debootstrap installs and configures the closure of Priority: required
 * first and the variant's other packages ("base") after it; the order of
 * maintainer scripts decides uids, gids and more, so xstrap does the same. */
static void mark_phases(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_txn *txn)
{
	Pool *pool = ctx->pool;
	enum xs_variant v = ctx->o.variant;
	for (size_t i = 0; i < txn->n; i++)
		txn->v[i].phase = 1;
	if (v == XS_VARIANT_EXTRACT || v == XS_VARIANT_CUSTOM || v == XS_VARIANT_ESSENTIAL)
		return;
	Queue jobs;
	queue_init(&jobs);
	variant_jobs(ctx, suite, &jobs, true);
	favor_real_packages(pool, &jobs);
	Solver *solv = solver_create(pool);
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
	if (!solver_solve(solv, &jobs)) {
		Queue inst;
		queue_init(&inst);
		solver_get_decisionqueue(solv, &inst);
		Map in_core;
		map_init(&in_core, pool->nsolvables);
		for (int i = 0; i < inst.count; i++)
			if (inst.elements[i] > 0)
				MAPSET(&in_core, inst.elements[i]);
		for (size_t i = 0; i < txn->n; i++)
			txn->v[i].phase = MAPTST(&in_core, txn->v[i].id) ? 1 : XS_PHASE_BASE;
		map_free(&in_core);
		mark_predeps(pool, txn);
		queue_free(&inst);
	}
	solver_free(solv);
	queue_free(&jobs);
}

int xs_resolve(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt,
	       struct xs_txn *out)
{
	Pool *pool = ctx->pool;
	Queue jobs;
	int r = 0;
	queue_init(&jobs);
	memset(out, 0, sizeof(*out));
	if ((r = apply_excludes(ctx, suite)) < 0)
		goto out;
	for (size_t i = 0; i < ctx->o.include.n; i++) {
		const char *n = ctx->o.include.v[i];
		if (!name_exists(pool, n)) {
			Id id = pool_str2id(pool, n, 0);
			Id p, pp;
			bool virtual = false;
			if (id)
				FOR_PROVIDES(p, pp, id) virtual = true;
			if (!virtual) {
				r = xs_fail(&ctx->log, ENOENT,
					    "package \"%s\" not found in %s (components: %s) on %s", n,
					    ctx->o.suite, ctx->o.components.v[0], apt->mirror);
				goto out;
			}
			queue_push2(&jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, id);
			continue;
		}
		job_name(pool, &jobs, n);
	}
	variant_jobs(ctx, suite, &jobs, false);
	if (!jobs.count) {
		r = xs_fail(&ctx->log, EINVAL, "nothing to install: variant %s selects no package in %s%s",
			    xs_variant_name(ctx->o.variant), ctx->o.suite,
			    ctx->o.variant <= XS_VARIANT_CUSTOM ? " (give --include=PKG,...)" : "");
		goto out;
	}
	favor_real_packages(pool, &jobs);
	Queue order;
	queue_init(&order);
	r = run_solver(ctx, &jobs, false, &order);
	out->v = xs_calloc(order.count ? order.count : 1, sizeof(*out->v));
	for (int i = 0; i < order.count && !r; i++) {
		r = fill_pkg(ctx, apt, order.elements[i], &out->v[out->n]);
		out->bytes += out->v[out->n].size;
		out->n++;
	}
	queue_free(&order);
	if (!r) {
		mark_phases(ctx, suite, out);
		for (size_t i = 0; i < out->n; i++)
			if (out->v[i].phase > 1)
				xs_debug(&ctx->log, "phase %d: %s", out->v[i].phase, out->v[i].name);
	}
out:
	queue_free(&jobs);
	return r;
}

/* dnf installs a group's mandatory and default packages as hard requests;
 * libsolv's group solvable has them as requires and recommends. A group
 * that several repositories define (BaseOS and AppStream) is their union,
 * as dnf merges comps. */
static int expand_group(struct xs_ctx *ctx, const char *spec, Queue *jobs)
{
	Pool *pool = ctx->pool;
	_cleanup_free_ char *name = xs_asprintf("group:%s", spec + 1);
	Id gid = pool_str2id(pool, name, 0), p;
	Queue q;
	queue_init(&q);
	bool found = false;
	FOR_POOL_SOLVABLES(p)
	if (gid && pool->solvables[p].name == gid) {
		found = true;
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_REQUIRES, &q, -1);
		solvable_lookup_deparray(pool->solvables + p, SOLVABLE_RECOMMENDS, &q, -1);
	}
	if (!found) {
		queue_free(&q);
		return xs_fail(&ctx->log, ENOENT, "group \"%s\" not found in the repositories' comps (%s)",
			       spec + 1, ctx->o.mirror);
	}
	for (int i = 0; i < q.count; i++) {
		Id d = q.elements[i];
		if (ISRELDEP(d))
			continue; /* conditional packages: dnf installs them only with their condition */
		if (name_exists(pool, pool_id2str(pool, d)))
			queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, d);
		else
			xs_debug(&ctx->log, "group %s: %s is not in the repositories", spec + 1, pool_id2str(pool, d));
	}
	queue_free(&q);
	return 0;
}

/* A package name, a provide or an @group. */
static int rpm_spec_jobs(struct xs_ctx *ctx, const char *n, Queue *jobs)
{
	Pool *pool = ctx->pool;
	if (n[0] == '@')
		return expand_group(ctx, n, jobs);
	if (name_exists(pool, n)) {
		job_name(pool, jobs, n);
		return 0;
	}
	Id id = pool_str2id(pool, n, 0), p, pp;
	bool provided = false;
	if (id)
		FOR_PROVIDES(p, pp, id) provided = true;
	if (!provided)
		return xs_fail(&ctx->log, ENOENT, "package \"%s\" not found in %s", n, ctx->o.mirror);
	queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_PROVIDES, id);
	return 0;
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

int xs_resolve_rpm(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_txn *out)
{
	Pool *pool = ctx->pool;
	Queue jobs;
	int r = 0;
	queue_init(&jobs);
	memset(out, 0, sizeof(*out));
	r = apply_excludes(ctx, suite);
	for (size_t i = 0; i < ctx->o.include.n && !r; i++)
		r = rpm_spec_jobs(ctx, ctx->o.include.v[i], &jobs);
	/* a distribution's groups are its variant: every one but custom and extract */
	bool custom = ctx->o.variant == XS_VARIANT_CUSTOM || ctx->o.variant == XS_VARIANT_EXTRACT;
	for (size_t i = 0; i < suite->groups.n && !r && !custom; i++)
		r = rpm_spec_jobs(ctx, suite->groups.v[i], &jobs);
	if (!r && !jobs.count)
		r = xs_fail(&ctx->log, EINVAL, "nothing to install: give --include=PKG,@GROUP,...");
	if (r) {
		queue_free(&jobs);
		return r;
	}
	Queue order;
	queue_init(&order);
	r = run_solver(ctx, &jobs, true, &order);
	out->v = xs_calloc(order.count ? order.count : 1, sizeof(*out->v));
	for (int i = 0; i < order.count && !r; i++) {
		Id p = order.elements[i];
		Solvable *s = pool->solvables + p;
		struct xs_pkg *k = &out->v[out->n++];
		k->id = p;
		k->phase = 1;
		k->name = xs_strdup(pool_id2str(pool, s->name));
		k->version = rpm_evr(pool, s->evr);
		k->arch = xs_strdup(pool_id2str(pool, s->arch));
		const char *loc = solvable_lookup_location(s, NULL);
		k->filename = xs_strdup(loc ? loc : "");
		const struct xs_rpmmd_repo *from = s->repo->appdata;
		k->url = xs_asprintf("%s/%s", from->url, k->filename);
		k->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
		out->bytes += k->size;
		Id type = 0;
		const char *sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
		if (sum && type == REPOKEY_TYPE_SHA256)
			memcpy(k->sha256, sum, XS_SHA256_HEX);
		else if (!ctx->o.no_verify)
			r = xs_fail(&ctx->log, EBADMSG, "%s-%s.%s: the primary metadata gives no SHA256 for %s; refusing an unverifiable package",
				    k->name, k->version, k->arch, k->filename);
		k->cache_path = xs_asprintf("%s/rpms/%s.rpm", ctx->o.cache_dir, k->sha256[0] ? k->sha256 : "unverified");
	}
	queue_free(&order);
	queue_free(&jobs);
	return r;
}
