/* deb_resolve.c - what debootstrap asks the solver for (variants, apt's
 * choices among providers) and the order it configures in (phases). */
#include "deb_resolve.h"

#include <errno.h>
#include <string.h>

#include <solv/bitmap.h>
#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/solver.h>

#include "pkg_deb.h"
#include "repo_apt.h"
#include "solve.h"

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
		xs_job_name(pool, jobs, "apt");
	if (v == XS_VARIANT_BUILDD)
		xs_job_name(pool, jobs, "build-essential");
	if (v != XS_VARIANT_EXTRACT && v != XS_VARIANT_CUSTOM)
		for (size_t i = 0; i < suite->add.n; i++)
			if (xs_name_exists(pool, suite->add.v[i]))
				xs_job_name(pool, jobs, suite->add.v[i]);
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
	xs_deb(p)->phase = phase;
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
				if (d && xs_deb(d)->phase == XS_PHASE_BASE) {
					xs_deb(d)->phase = phase;
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
		if (xs_deb(&txn->v[i])->phase != XS_PHASE_BASE)
			continue;
		queue_empty(&pre);
		solvable_lookup_deparray(pool->solvables + txn->v[i].id, SOLVABLE_REQUIRES, &pre, 1);
		for (int k = 0; k < pre.count; k++) {
			Id p, pp;
			FOR_PROVIDES(p, pp, pre.elements[k])
			{
				struct xs_pkg *d = txn_by_id(txn, p);
				if (d && xs_deb(d)->phase == XS_PHASE_BASE && d != &txn->v[i])
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
		xs_deb(&txn->v[i])->phase = 1;
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
			xs_deb(&txn->v[i])->phase = MAPTST(&in_core, txn->v[i].id) ? 1 : XS_PHASE_BASE;
		map_free(&in_core);
		mark_predeps(pool, txn);
		queue_free(&inst);
	}
	solver_free(solv);
	queue_free(&jobs);
}


/* apt's NAME:ARCH as libsolv's NAME.ARCH (the rest of SPEC unchanged);
 * any other colon (an epoch in NAME=1:2.0) stays. Caller frees. */
static char *dotted_arch(Pool *pool, const char *spec)
{
	size_t nl = strcspn(spec, "=/<>");
	const char *colon = memchr(spec, ':', nl);
	if (!colon)
		return xs_strdup(spec);
	_cleanup_free_ char *arch = xs_strndup(colon + 1, spec + nl - colon - 1);
	Id id = pool_str2id(pool, arch, 0);
	if (!id || !pool->id2arch || id >= pool->lastarch || !pool->id2arch[id])
		return xs_strdup(spec);
	return xs_asprintf("%.*s.%s", (int)(colon - spec), spec, colon + 1);
}

int xs_deb_jobs(struct xs_ctx *ctx, Queue *jobs, const char *mirror)
{
	Pool *pool = ctx->pool;
	int r = xs_apply_excludes(ctx, &ctx->suite->exclude);
	if (r < 0)
		return r;
	_cleanup_free_ char *where = xs_asprintf("%s (components: %s) on %s", ctx->o.suite, ctx->o.components.v[0],
						 mirror);
	for (size_t i = 0; i < ctx->o.include.n; i++) {
		_cleanup_free_ char *spec = dotted_arch(pool, ctx->o.include.v[i]);
		if ((r = xs_job_select(ctx, spec, where, jobs)) < 0)
			return r;
	}
	variant_jobs(ctx, ctx->suite, jobs, false);
	if (!jobs->count)
		return xs_fail(&ctx->log, EINVAL, "nothing to install: variant %s selects no package in %s%s",
			       xs_variant_name(ctx->o.variant), ctx->o.suite,
			       ctx->o.variant <= XS_VARIANT_CUSTOM ? " (give --include=PKG,...)" : "");
	favor_real_packages(pool, jobs);
	return 0;
}

/* Stable: the solver's order within a phase. */
static void sort_by_phase(struct xs_txn *txn)
{
	for (size_t i = 1; i < txn->n; i++) {
		struct xs_pkg p = txn->v[i];
		size_t j = i;
		for (; j > 0 && xs_deb_c(&txn->v[j - 1])->phase > xs_deb_c(&p)->phase; j--)
			txn->v[j] = txn->v[j - 1];
		txn->v[j] = p;
	}
}

size_t xs_deb_extract_first(const struct xs_txn *txn)
{
	size_t n = 0;
	while (n < txn->n && xs_deb_c(&txn->v[n])->phase <= 1)
		n++;
	return n;
}

void xs_deb_order(struct xs_ctx *ctx, struct xs_txn *txn)
{
	mark_phases(ctx, ctx->suite, txn);
	/* debootstrap unpacks the required packages first, then each later
	 * round: the later rounds' files land (and win) after them */
	sort_by_phase(txn);
	for (size_t i = 0; i < txn->n; i++)
		if (xs_deb(&txn->v[i])->phase > 1)
			xs_debug(&ctx->log, "phase %d: %s", xs_deb(&txn->v[i])->phase, txn->v[i].name);
}
