/* test_solve.c - solve.c on libsolv test pools (testtags, as libsolv's own
 * test/ directory writes them): excludes, the family's jobs, the order of
 * the transaction (prerequisites first) and problems in plain words. */
#include "unit.h"

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/testcase.h>

#include "family.h"
#include "solve.h"
#include "suites.h"

/* A family whose repository is a testtags text and whose jobs install
 * --include by name: what solve.c asks of a family, and nothing more. */
static const char *pool_text;

static int tc_load(struct xs_ctx *ctx)
{
	ctx->pool = pool_create();
	pool_setdisttype(ctx->pool, DISTTYPE_RPM);
	pool_setarch(ctx->pool, "x86_64");
	Repo *repo = repo_create(ctx->pool, "test");
	FILE *f = fmemopen((void *)pool_text, strlen(pool_text), "r");
	int r = testcase_add_testtags(repo, f, 0);
	fclose(f);
	/* testtags gives no self-provides; every real repository has them */
	Id p;
	Solvable *s;
	FOR_REPO_SOLVABLES(repo, p, s)
	s->provides = repo_addid_dep(repo, s->provides, pool_rel2id(ctx->pool, s->name, s->evr, REL_EQ, 1), 0);
	pool_createwhatprovides(ctx->pool);
	return r ? -EBADMSG : 0;
}

static int tc_jobs(struct xs_ctx *ctx, Queue *jobs)
{
	int r = xs_apply_excludes(ctx, &ctx->suite->exclude);
	for (size_t i = 0; i < ctx->o.include.n && !r; i++)
		xs_job_name(ctx->pool, jobs, ctx->o.include.v[i]);
	return r;
}

static int tc_locate(struct xs_ctx *ctx, int id, struct xs_pkg *p)
{
	Solvable *s = ctx->pool->solvables + id;
	p->id = id;
	p->name = xs_strdup(pool_id2str(ctx->pool, s->name));
	p->version = xs_strdup(pool_id2str(ctx->pool, s->evr));
	p->arch = xs_strdup(pool_id2str(ctx->pool, s->arch));
	p->size = 1000;
	return 0;
}

static const struct xs_family tc_family = {
	.name = "testcase", .fact = "testcase", .class_name = "TESTCASE",
	.load = tc_load, .jobs = tc_jobs, .locate = tc_locate,
};

struct fx {
	struct xs_ctx ctx;
	struct xs_suite suite;
	struct xs_txn txn;
};

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	xs_log_init(&f->ctx.log, XS_QUIET);
	f->ctx.family = &tc_family;
	f->ctx.suite = &f->suite;
	f->ctx.o.suite = xs_strdup("test");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	xs_txn_free(&f->txn);
	if (f->ctx.pool) {
		if (f->ctx.pool->considered) {
			map_free(f->ctx.pool->considered);
			solv_free(f->ctx.pool->considered);
			f->ctx.pool->considered = NULL;
		}
		pool_free(f->ctx.pool);
	}
	xs_suite_free(&f->suite);
	xs_opts_free(&f->ctx.o);
	free(f);
	return 0;
}

static int resolve(struct fx *f, const char *text, const char *include)
{
	pool_text = text;
	xs_strlist_add_split(&f->ctx.o.include, include);
	int r = f->ctx.family->load(&f->ctx);
	return r ? r : xs_resolve(&f->ctx, &f->txn);
}

static char *names(const struct xs_txn *t)
{
	struct xs_buf b = { 0 };
	xs_buf_addstr(&b, "");
	for (size_t i = 0; i < t->n; i++)
		xs_buf_printf(&b, "%s%s", i ? " " : "", t->v[i].name);
	return b.data;
}

static const char web_pool[] = "=Ver: 3.0\n"
			       "=Pkg: webapp 1.0 1 x86_64\n"
			       "=Req: httpd\n"
			       "=Req: libssl\n"
			       "=Pkg: httpd 2.4 1 x86_64\n"
			       "=Prq: setup\n"
			       "=Req: libssl\n"
			       "=Pkg: setup 1 1 x86_64\n"
			       "=Pkg: libssl 3.0 1 x86_64\n"
			       "=Pkg: nginx 1.2 1 x86_64\n"
			       "=Prv: httpd\n"
			       "=Pkg: unrelated 1 1 x86_64\n";

static void test_closure_in_prerequisite_order(void **state)
{
	struct fx *f = *state;
	assert_int_equal(resolve(f, web_pool, "webapp"), 0);
	_cleanup_free_ char *got = names(&f->txn);
	/* setup before httpd (a prerequisite), libssl before both users */
	assert_int_equal(f->txn.n, 4);
	assert_not_contains(got, "unrelated");
	assert_true(strstr(got, "setup") < strstr(got, "httpd"));
	assert_true(strstr(got, "libssl") < strstr(got, "webapp"));
	assert_true(strstr(got, "httpd") < strstr(got, "webapp"));
	assert_int_equal(f->txn.bytes, 4000);
	assert_ptr_equal(f->txn.family, &tc_family);
}

static void test_excluded_package_gives_way_to_another_provider(void **state)
{
	struct fx *f = *state;
	xs_strlist_add(&f->ctx.o.exclude, "httpd");
	assert_int_equal(resolve(f, web_pool, "webapp"), 0);
	_cleanup_free_ char *got = names(&f->txn);
	assert_contains(got, "nginx");
	assert_not_contains(got, "httpd");
	assert_not_contains(got, "setup");
}

static void test_suite_exclude_unless_included(void **state)
{
	struct fx *f = *state;
	xs_strlist_add(&f->suite.exclude, "libssl");
	assert_int_equal(resolve(f, web_pool, "webapp"), -EINVAL);
	/* libsolv's "is disabled" said as xstrap's exclusion, with a way out */
	assert_contains(f->ctx.log.err, "cannot satisfy the request for test");
	assert_contains(f->ctx.log.err, "is excluded (--exclude, a class script or packages/CLASS.lua)");
	assert_contains(f->ctx.log.err, "libssl");
}

static void test_suite_exclude_yields_to_include(void **state)
{
	struct fx *f = *state;
	xs_strlist_add(&f->suite.exclude, "libssl");
	assert_int_equal(resolve(f, web_pool, "webapp,libssl"), 0);
	_cleanup_free_ char *got = names(&f->txn);
	assert_contains(got, "libssl");
}

static void test_included_and_excluded_is_refused(void **state)
{
	struct fx *f = *state;
	xs_strlist_add(&f->ctx.o.exclude, "webapp");
	assert_int_equal(resolve(f, web_pool, "webapp"), -EINVAL);
	assert_string_equal(f->ctx.log.err, "package webapp is both included and excluded");
}

static void test_conflict_is_named(void **state)
{
	struct fx *f = *state;
	static const char conflict[] = "=Ver: 3.0\n"
				       "=Pkg: a 1 1 x86_64\n"
				       "=Con: b\n"
				       "=Pkg: b 1 1 x86_64\n";
	assert_int_equal(resolve(f, conflict, "a,b"), -EINVAL);
	assert_contains(f->ctx.log.err, "conflicts with");
	assert_contains(f->ctx.log.err, "a way out");
	assert_int_equal(f->txn.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_closure_in_prerequisite_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_excluded_package_gives_way_to_another_provider, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suite_exclude_unless_included, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suite_exclude_yields_to_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_included_and_excluded_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_is_named, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
