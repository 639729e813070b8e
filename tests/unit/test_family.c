/* test_family.c - the family interface end to end with the test-only
 * skeleton family (tests/skeleton/): a repository the test builds (INDEX
 * and tar packages) over file://, through xs_prepare and xs_build, to a
 * root whose files, database and configure marker the test checks. */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>

#include "config_space.h"
#include "context.h"
#include "family.h"
#include "skeleton.h"
#include "stages.h"

struct file {
	const char *path, *data; /* data NULL: a directory; "->x": a symlink to x */
	mode_t mode;
};

/* Writes a tar of FILES to DIR/NAME and appends its INDEX line. */
static void make_pkg(const char *dir, const char *name, const char *version, const char *requires,
		     const struct file *files, struct xs_buf *index)
{
	_cleanup_free_ char *file = xs_asprintf("%s-%s.tar", name, version);
	_cleanup_free_ char *path = ut_path(dir, file);
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (const struct file *f = files; f->path; f++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, f->path);
		archive_entry_set_mtime(e, 1700000000, 0);
		bool link = f->data && f->data[0] == '-' && f->data[1] == '>';
		if (!f->data) {
			archive_entry_set_filetype(e, AE_IFDIR);
		} else if (link) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, f->data + 2);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, strlen(f->data));
		}
		archive_entry_set_perm(e, f->mode);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (f->data && !link)
			archive_write_data(a, f->data, strlen(f->data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	char sum[XS_SHA256_HEX];
	assert_int_equal(xs_sha256_file(path, sum), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	xs_buf_printf(index, "%s %s %s %s %llu%s%s\n", name, version, file, sum, (unsigned long long)st.st_size,
		      requires ? " " : "", requires ? requires : "");
}

struct fx {
	char *dir, *repo, *root;
	struct xs_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->dir = ut_tmpdir("family");
	f->repo = ut_path(f->dir, "repo");
	f->root = ut_path(f->dir, "root");
	mkdir(f->repo, 0755);
	static const struct file greet[] = {
		{ "usr", NULL, 0755 },
		{ "usr/lib", NULL, 0755 },
		{ "usr/lib/libgreet.so.1", "greet\n", 0644 },
		{ "usr/lib/libgreet.so", "->libgreet.so.1", 0777 },
		{ NULL, NULL, 0 },
	};
	static const struct file hello[] = {
		{ "./etc/", NULL, 0755 },
		{ "./etc/hello.conf", "greeting = hi\n", 0640 },
		{ "./usr/bin/hello", "#!/bin/sh\necho hi\n", 0755 },
		{ NULL, NULL, 0 },
	};
	static const struct file unused[] = { { "opt/unused", "no\n", 0644 }, { NULL, NULL, 0 } };
	struct xs_buf index = { 0 };
	make_pkg(f->repo, "hello", "1.0", "libgreet", hello, &index);
	make_pkg(f->repo, "libgreet", "2.1", NULL, greet, &index);
	make_pkg(f->repo, "unused", "0.1", NULL, unused, &index);
	_cleanup_free_ char *ipath = ut_path(f->repo, "INDEX");
	ut_write_len(ipath, index.data, index.len);
	xs_buf_free(&index);

	/* an empty built-in config space, with the real lua/xstrap.lua */
	ut_install_lua_module(f->dir);
	/* a hook of the family's class that reads its fact and purges */
	_cleanup_free_ char *hook = ut_path(f->dir, "hook.lua");
	ut_write(hook, "return { classes = { 'SKEL' }, run = function(x)\n"
		       "  x.write('/etc/family', x.family)\n"
		       "  x.purge({ 'unused-not-installed', 'libgreet' })\n"
		       "end }\n");

	assert_int_equal(xs_family_register(&xs_family_skel), 0);
	struct xs_opts *o = &f->ctx.o;
	xs_log_init(&f->ctx.log, XS_QUIET);
	f->ctx.rootfd = -1;
	f->ctx.jobs = 2;
	o->variant = XS_VARIANT_CUSTOM;
	o->merged_usr_opt = -1;
	o->repo_type = xs_strdup("skel");
	o->suite = xs_strdup("demo");
	o->target = xs_strdup(f->root);
	o->mirror = xs_strdup(f->repo); /* a plain path: file:// */
	o->datadir = xs_strdup(f->dir);
	o->cache_dir = ut_path(f->dir, "cache");
	o->arch = xs_strdup("amd64");
	xs_strlist_add(&o->include, "hello");
	_cleanup_free_ char *spec = xs_asprintf("customize:%s", hook);
	xs_strlist_add(&o->hook_files, spec);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	xs_release(&f->ctx);
	xs_config_free(&f->ctx);
	xs_opts_free(&f->ctx.o);
	xs_rm_rf(f->dir);
	free(f->dir);
	free(f->repo);
	free(f->root);
	free(f);
	return 0;
}

static void test_skeleton_builds_a_root(void **state)
{
	struct fx *f = *state;
	int r = xs_prepare(&f->ctx);
	if (r)
		fail_msg("xs_prepare: %s", f->ctx.log.err);
	assert_ptr_equal(f->ctx.family, &xs_family_skel);
	assert_true(xs_strlist_has(&f->ctx.o.classes, "SKEL"));
	r = xs_build(&f->ctx);
	if (r)
		fail_msg("xs_build: %s", f->ctx.log.err);

	_cleanup_free_ char *hello = ut_path(f->root, "usr/bin/hello");
	ut_assert_file(hello, "#!/bin/sh\necho hi\n");
	struct stat st;
	assert_int_equal(stat(hello, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	_cleanup_free_ char *conf = ut_path(f->root, "etc/hello.conf");
	assert_int_equal(stat(conf, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_mtime, 1700000000);
	/* the dependency came, in order before what needs it */
	_cleanup_free_ char *db = ut_path(f->root, "var/lib/skel/installed");
	_cleanup_free_ char *dbtext = ut_read(db, NULL);
	assert_non_null(dbtext);
	assert_true(xs_str_startswith(dbtext, "libgreet 2.1 /usr /usr/lib /usr/lib/libgreet.so.1 /usr/lib/libgreet.so\n"));
	assert_contains(dbtext, "hello 1.0 /etc /etc/hello.conf /usr/bin/hello\n");
	assert_not_contains(dbtext, "unused");
	_cleanup_free_ char *unused = ut_path(f->root, "opt/unused");
	assert_false(ut_exists(unused));
	_cleanup_free_ char *marker = ut_path(f->root, "etc/skel-configured");
	ut_assert_file(marker, "2 packages\n");
	/* the hook saw the family's fact, and its purge went to the family */
	_cleanup_free_ char *fam = ut_path(f->root, "etc/family");
	ut_assert_file(fam, "skel");
	_cleanup_free_ char *lib = ut_path(f->root, "usr/lib/libgreet.so.1");
	assert_false(ut_exists(lib));
	/* downloads are cached by digest, below the family's folder */
	_cleanup_free_ char *cache = ut_path(f->dir, "cache/skel");
	assert_true(ut_exists(cache));
}

static void test_unknown_repo_type_names_the_families(void **state)
{
	struct fx *f = *state;
	free(f->ctx.o.repo_type);
	f->ctx.o.repo_type = xs_strdup("apk");
	assert_int_equal(xs_prepare(&f->ctx), -EINVAL);
	assert_contains(f->ctx.log.err, "deb, apt, rpm");
	assert_contains(f->ctx.log.err, "skel");
	assert_contains(f->ctx.log.err, "\"apk\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_skeleton_builds_a_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_repo_type_names_the_families, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
