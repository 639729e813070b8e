/* solve.c - from the family's jobs to an ordered transaction, with
 * libsolv: excludes, the solver, problems in plain words. */
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

#include "family.h"

void xs_job_name(Pool *pool, Queue *jobs, const char *name)
{
	queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, pool_str2id(pool, name, 1));
}

/* The versions of the package PATTERN names ("webapp" of "webapp-1.3",
 * "alt-a = 3.0", "busybox.noarch"), for an error that says what exists. */
static void list_versions(Pool *pool, const char *pattern, struct xs_buf *b)
{
	_cleanup_free_ char *name = xs_strndup(pattern, strcspn(pattern, " <>=*?["));
	Id id = 0;
	for (;;) {
		if ((id = pool_str2id(pool, name, 0)))
			break;
		char *cut = strrchr(name, '-'), *dot = strrchr(name, '.');
		if (dot && (!cut || dot > cut))
			cut = dot;
		if (!cut)
			return;
		*cut = 0;
	}
	Id p;
	FOR_POOL_SOLVABLES(p)
	{
		Solvable *s = pool->solvables + p;
		if (id && s->name == id && (!pool->considered || MAPTST(pool->considered, p)))
			xs_buf_printf(b, "%s%s %s %s (%s)", b->len ? ", " : "", pool_id2str(pool, s->name),
				      pool_id2str(pool, s->evr), pool_id2str(pool, s->arch),
				      s->repo->name ? s->repo->name : "?");
	}
}

/* Narrows SEL to the repositories named REPO or "REPO/..." (a suite of
 * Debian's, whose repositories are SUITE/COMPONENT). */
static int filter_repo(struct xs_ctx *ctx, Queue *sel, const char *spec, const char *repo_name)
{
	Pool *pool = ctx->pool;
	Queue rsel;
	queue_init(&rsel);
	size_t rl = strlen(repo_name);
	struct xs_buf names = { 0 };
	Repo *repo;
	int i;
	FOR_REPOS(i, repo)
	{
		if (!repo->name || !repo->nsolvables)
			continue;
		xs_buf_printf(&names, "%s%s", names.len ? ", " : "", repo->name);
		if (!strcmp(repo->name, repo_name) || (!strncmp(repo->name, repo_name, rl) && repo->name[rl] == '/'))
			queue_push2(&rsel, SOLVER_SOLVABLE_REPO | SOLVER_SETREPO, repo->repoid);
	}
	int r = 0;
	if (!rsel.count)
		r = xs_fail(&ctx->log, ENOENT, "\"%s\": no repository \"%s\" is loaded (loaded: %s)", spec, repo_name,
			    names.data ? names.data : "none");
	else
		selection_filter(pool, sel, &rsel);
	queue_free(&rsel);
	xs_buf_free(&names);
	return r;
}

int xs_job_select(struct xs_ctx *ctx, const char *spec, const char *where, Queue *jobs)
{
	Pool *pool = ctx->pool;
	_cleanup_free_ char *pattern = NULL;
	const char *slash = spec[0] != '/' ? strrchr(spec, '/') : NULL;
	const char *eq = strchr(spec, '=');
	if (eq && eq > spec && !strchr("<>!=", eq[-1]) && eq[1] != '=' && (!slash || eq < slash))
		/* apt's NAME=VERSION as libsolv's relation "NAME = VERSION" */
		pattern = xs_asprintf("%.*s = %.*s", (int)(eq - spec), spec,
				      (int)((slash ? slash : spec + strlen(spec)) - eq - 1), eq + 1);
	else
		pattern = xs_strndup(spec, slash ? (size_t)(slash - spec) : strlen(spec));
	Queue sel;
	queue_init(&sel);
	/* names first, then provides; then NAME-VERSION-RELEASE.ARCH as dnf takes it */
	int flags = SELECTION_NAME | SELECTION_PROVIDES | SELECTION_GLOB | SELECTION_DOTARCH | SELECTION_REL |
		    SELECTION_CANON;
	selection_make(pool, &sel, pattern, flags);
	if (!sel.count && spec[0] == '/')
		selection_make(pool, &sel, pattern, SELECTION_FILELIST | SELECTION_GLOB);
	int r = 0;
	if (sel.count && slash)
		r = filter_repo(ctx, &sel, spec, slash + 1);
	if (!r) {
		Queue found;
		queue_init(&found);
		selection_solvables(pool, &sel, &found);
		if (!found.count) {
			struct xs_buf versions = { 0 };
			list_versions(pool, pattern, &versions);
			r = versions.len ? xs_fail(&ctx->log, ENOENT, "\"%s\": no package matches it in %s (there are: %s)",
						   spec, where, versions.data)
					 : xs_fail(&ctx->log, ENOENT, "package \"%s\" not found in %s", spec, where);
			xs_buf_free(&versions);
		}
		queue_free(&found);
	}
	for (int i = 0; i + 1 < sel.count && !r; i += 2)
		queue_push2(jobs, SOLVER_INSTALL | sel.elements[i], sel.elements[i + 1]);
	queue_free(&sel);
	return r;
}

bool xs_name_exists(Pool *pool, const char *name)
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

int xs_apply_excludes(struct xs_ctx *ctx, const struct xs_strlist *suite_exclude)
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
		    (xs_strlist_has(suite_exclude, n) && !xs_strlist_has(&ctx->o.include, n)))
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
static int run_solver(struct xs_ctx *ctx, Queue *jobs, Queue *order)
{
	Solver *solv = solver_create(ctx->pool);
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, !ctx->o.recommends);
	solver_set_flag(solv, SOLVER_FLAG_ADD_ALREADY_RECOMMENDED, 0);
	if (ctx->family->solver_flags)
		ctx->family->solver_flags(solv);
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

int xs_resolve(struct xs_ctx *ctx, struct xs_txn *out)
{
	const struct xs_family *f = ctx->family;
	Queue jobs, order;
	queue_init(&jobs);
	queue_init(&order);
	memset(out, 0, sizeof(*out));
	out->family = f;
	int r = f->jobs(ctx, &jobs);
	if (!r)
		r = run_solver(ctx, &jobs, &order);
	out->v = xs_calloc(order.count ? order.count : 1, sizeof(*out->v));
	for (int i = 0; i < order.count && !r; i++) {
		r = f->locate(ctx, order.elements[i], &out->v[out->n]);
		out->bytes += out->v[out->n].size;
		out->n++;
	}
	if (!r && f->order)
		f->order(ctx, out);
	queue_free(&order);
	queue_free(&jobs);
	return r;
}
