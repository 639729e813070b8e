/* test_repo_rpmmd.c - the rpm-md .solv cache: the first load parses the
 * verified metadata and writes CACHE/rpmmd/SHA256-of-repomd.solv, the next
 * one reads it back (same packages), a damaged cache file is parsed again
 * and replaced, a changed repomd.xml is another cookie, and --no-verify
 * neither reads nor writes the verified cache. Repository written by hand
 * here (repomd.xml, primary.xml), signed by a key made here. */
#include "unit.h"

#include <dirent.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>

#include "repo_rpmmd.h"

#define KEY "xsunit-rpmmd@unit.invalid"

struct fx {
	char *dir, *repo, *home, *pubkey, *cache;
	struct xs_ctx ctx;
	struct xs_buf debug; /* what the log said at debug level */
};

static void capture(void *data, enum xs_log_kind kind, const char *text)
{
	struct xs_buf *b = data;
	if (kind == XS_LOG_DEBUG || kind == XS_LOG_WARN)
		xs_buf_printf(b, "%s\n", text);
}

static const char primary_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"%d\">\n";
static const char primary_pkg[] =
	"<package type=\"rpm\"><name>%s</name><arch>x86_64</arch>"
	"<version epoch=\"0\" ver=\"1.0\" rel=\"1\"/>"
	"<checksum type=\"sha256\" pkgid=\"YES\">%064d</checksum>"
	"<location href=\"Packages/%s-1.0-1.x86_64.rpm\"/>"
	"<format><rpm:provides><rpm:entry name=\"%s\" flags=\"EQ\" epoch=\"0\" ver=\"1.0\" rel=\"1\"/></rpm:provides></format>"
	"</package>\n";

/* The repository with packages NAMES (comma-separated), signed. */
static void write_repo(struct fx *f, const char *names)
{
	struct xs_strlist l = { 0 };
	xs_strlist_add_split(&l, names);
	struct xs_buf primary = { 0 };
	xs_buf_printf(&primary, primary_head, (int)l.n);
	for (size_t i = 0; i < l.n; i++)
		xs_buf_printf(&primary, primary_pkg, l.v[i], (int)i + 1, l.v[i], l.v[i]);
	xs_buf_addstr(&primary, "</metadata>\n");
	xs_strlist_free(&l);
	_cleanup_free_ char *repodata = ut_path(f->repo, "repodata");
	mkdir(repodata, 0755);
	_cleanup_free_ char *ppath = ut_path(f->repo, "repodata/primary.xml");
	ut_write_len(ppath, primary.data, primary.len);
	char sum[XS_SHA256_HEX];
	xs_sha256_mem(primary.data, primary.len, sum);
	_cleanup_free_ char *repomd = xs_asprintf(
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>%zu</revision>\n"
		"<data type=\"primary\"><checksum type=\"sha256\">%s</checksum>"
		"<location href=\"repodata/primary.xml\"/><size>%zu</size></data>\n</repomd>\n",
		primary.len, sum, primary.len);
	xs_buf_free(&primary);
	_cleanup_free_ char *mpath = ut_path(f->repo, "repodata/repomd.xml");
	_cleanup_free_ char *apath = ut_path(f->repo, "repodata/repomd.xml.asc");
	ut_write(mpath, repomd);
	unlink(apath);
	if (UT_RUN(f->home, NULL, "gpg", "--batch", "--local-user", KEY, "--armor", "--detach-sign", "-o", apath,
		   mpath))
		fail_msg("gpg --detach-sign %s failed", mpath);
}

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->dir = ut_tmpdir("rpmmd");
	f->repo = ut_path(f->dir, "repo");
	f->home = ut_path(f->dir, "gnupg");
	f->pubkey = ut_path(f->dir, "key.asc");
	f->cache = ut_path(f->dir, "cache");
	mkdir(f->repo, 0755);
	if (mkdir(f->home, 0700) < 0 || ut_gpg_gen_key(f->home, "xsunit rpmmd <" KEY ">", "ed25519") ||
	    UT_RUN(f->home, f->pubkey, "gpg", "--batch", "--armor", "--export", KEY))
		fail_msg("cannot make a gpg key in %s", f->home);
	write_repo(f, "alpha,beta");
	xs_log_init(&f->ctx.log, XS_VERBOSE);
	xs_log_set_sink(&f->ctx.log, capture, &f->debug, false);
	f->ctx.o.suite = xs_strdup("unit");
	f->ctx.o.cache_dir = xs_strdup(f->cache);
	xs_strlist_add(&f->ctx.o.keyrings, f->pubkey);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	UT_RUN(f->home, NULL, "gpgconf", "--kill", "gpg-agent");
	xs_opts_free(&f->ctx.o);
	xs_buf_free(&f->debug);
	xs_rm_rf(f->dir);
	free(f->dir);
	free(f->repo);
	free(f->home);
	free(f->pubkey);
	free(f->cache);
	free(f);
	return 0;
}

/* Loads the repository into a fresh pool; returns its package names. */
static char *load(struct fx *f, int *result)
{
	struct xs_rpmmd md = { 0 };
	_cleanup_free_ char *url = xs_asprintf("file://%s", f->repo);
	xs_rpmmd_add(&md, "unit", url);
	f->ctx.pool = pool_create();
	pool_setdisttype(f->ctx.pool, DISTTYPE_RPM);
	pool_setarch(f->ctx.pool, "x86_64");
	f->debug.len = 0;
	if (f->debug.data)
		f->debug.data[0] = 0;
	f->ctx.log.err[0] = 0;
	*result = xs_rpmmd_load(&f->ctx, &md);
	struct xs_buf names = { 0 };
	xs_buf_addstr(&names, "");
	Pool *pool = f->ctx.pool;
	Id p;
	FOR_POOL_SOLVABLES(p)
	xs_buf_printf(&names, "%s%s", names.len ? " " : "", pool_id2str(pool, pool->solvables[p].name));
	xs_rpmmd_free(&md);
	pool_free(f->ctx.pool);
	f->ctx.pool = NULL;
	return names.data;
}

/* The .solv files in CACHE/rpmmd */
static int count_solv(struct fx *f, char **one)
{
	_cleanup_free_ char *dir = ut_path(f->cache, "rpmmd");
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (xs_str_endswith(e->d_name, ".solv")) {
			n++;
			if (one) {
				free(*one);
				*one = xs_asprintf("%s/%s", dir, e->d_name);
			}
		}
	if (d)
		closedir(d);
	return n;
}

static void test_second_load_reads_the_cache(void **state)
{
	struct fx *f = *state;
	int r;
	_cleanup_free_ char *first = load(f, &r);
	if (r)
		fail_msg("first load: %s", f->ctx.log.err);
	assert_string_equal(first, "alpha beta");
	assert_not_contains(f->debug.data, "loaded from cache");
	_cleanup_free_ char *solv = NULL;
	assert_int_equal(count_solv(f, &solv), 1);
	/* keyed by the SHA256 of the verified repomd.xml */
	_cleanup_free_ char *mpath = ut_path(f->repo, "repodata/repomd.xml");
	char cookie[XS_SHA256_HEX];
	assert_int_equal(xs_sha256_file(mpath, cookie), 0);
	assert_contains(solv, cookie);

	_cleanup_free_ char *second = load(f, &r);
	assert_int_equal(r, 0);
	assert_string_equal(second, first);
	assert_contains(f->debug.data, "loaded from cache");
}

static void test_damaged_cache_is_parsed_again(void **state)
{
	struct fx *f = *state;
	int r;
	_cleanup_free_ char *first = load(f, &r);
	assert_int_equal(r, 0);
	_cleanup_free_ char *solv = NULL;
	assert_int_equal(count_solv(f, &solv), 1);
	ut_write(solv, "not a solv file");
	_cleanup_free_ char *again = load(f, &r);
	assert_int_equal(r, 0);
	assert_string_equal(again, "alpha beta");
	assert_contains(f->debug.data, "parsing the metadata again");
	/* and the cache is whole again */
	_cleanup_free_ char *third = load(f, &r);
	assert_int_equal(r, 0);
	assert_contains(f->debug.data, "loaded from cache");
}

static void test_new_metadata_is_a_new_cookie(void **state)
{
	struct fx *f = *state;
	int r;
	_cleanup_free_ char *first = load(f, &r);
	assert_int_equal(r, 0);
	write_repo(f, "alpha,beta,gamma");
	_cleanup_free_ char *second = load(f, &r);
	assert_int_equal(r, 0);
	assert_string_equal(second, "alpha beta gamma");
	assert_not_contains(f->debug.data, "loaded from cache");
	assert_int_equal(count_solv(f, NULL), 2);
}

static void test_no_verify_keeps_out_of_the_verified_cache(void **state)
{
	struct fx *f = *state;
	f->ctx.o.no_verify = true;
	int r;
	_cleanup_free_ char *names = load(f, &r);
	assert_int_equal(r, 0);
	assert_string_equal(names, "alpha beta");
	assert_int_equal(count_solv(f, NULL), 0);
	_cleanup_free_ char *unverified = ut_path(f->cache, "rpmmd-unverified");
	assert_true(ut_exists(unverified));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_second_load_reads_the_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_cache_is_parsed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_metadata_is_a_new_cookie, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_verify_keeps_out_of_the_verified_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
