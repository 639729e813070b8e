/* The config space (config/config_space.c), in the order a site relies on: the built-in
 * space first, then each --config-space in the order given; a script with
 * the file name of an earlier one replaces it; class scripts run in name
 * order across the spaces, after the classes every build has; hooks of a
 * stage run in name order, then --hook files in the order given; the
 * package list of a class comes from the last space that has one. */
#include "unit.h"

#include "rpm_family.h"

struct fx {
	char *dir;                    /* scratch */
	char *builtin, *site1, *site2; /* the built-in space and two --config-space */
	char *root;                   /* the target */
	struct xs_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->dir = ut_tmpdir("config");
	f->builtin = ut_path(f->dir, "builtin");
	f->site1 = ut_path(f->dir, "site1");
	f->site2 = ut_path(f->dir, "site2");
	f->root = ut_path(f->dir, "root");
	xs_mkdir_p(f->root, 0755);
	xs_mkdir_p(f->site1, 0755);
	xs_mkdir_p(f->site2, 0755);
	/* the real lua/xstrap.lua: hooks get it as their argument */
	ut_ctx_init(&f->ctx, f->root, f->builtin);
	f->ctx.o.hostname = xs_strdup("web1");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ut_ctx_free(&f->ctx);
	xs_rm_rf(f->dir);
	free(f->dir);
	free(f->builtin);
	free(f->site1);
	free(f->site2);
	free(f->root);
	free(f);
	return 0;
}

/* Writes TEXT to SPACE/REL, making the directories. */
static void put(const char *space, const char *rel, const char *text)
{
	_cleanup_free_ char *path = ut_path(space, rel);
	_cleanup_free_ char *dir = xs_strdup(path);
	*strrchr(dir, '/') = 0;
	xs_mkdir_p(dir, 0755);
	ut_write(path, text);
}

/* A class script that sets CLASS. */
static void put_class_script(const char *space, const char *name, const char *cls)
{
	_cleanup_free_ char *rel = xs_asprintf("classes/%s", name);
	_cleanup_free_ char *text = xs_asprintf("return { '%s' }\n", cls);
	put(space, rel, text);
}

/* A customize hook, gated by CLASSES (a Lua list, "" for none), that
 * appends WORD to the target's /order. */
static void put_hook(const char *space, const char *name, const char *classes, const char *word)
{
	_cleanup_free_ char *rel = xs_asprintf("hooks/customize/%s", name);
	_cleanup_free_ char *text = xs_asprintf(
		"return { %s%s run = function(x) x.append('/order', '%s\\n') end }\n",
		classes, *classes ? "," : "", word);
	put(space, rel, text);
}

static void use_sites(struct fx *f)
{
	xs_strlist_add(&f->ctx.o.config_spaces, f->site1);
	xs_strlist_add(&f->ctx.o.config_spaces, f->site2);
}

/* The class set, space-separated, in the order the classes were set. */
static char *classes_of(struct fx *f)
{
	struct xs_buf b = { 0 };
	for (size_t i = 0; i < f->ctx.o.classes.n; i++)
		xs_buf_printf(&b, "%s%s", i ? " " : "", f->ctx.o.classes.v[i]);
	return b.data ? b.data : xs_strdup("");
}

/* What the customize hooks wrote to /order, one word a line. */
static char *order_of(struct fx *f)
{
	_cleanup_free_ char *path = ut_path(f->root, "order");
	char *text = ut_read(path, NULL);
	return text ? text : xs_strdup("");
}

static void test_builtin_classes_then_given_then_scripts(void **state)
{
	struct fx *f = *state;
	put_class_script(f->builtin, "50-web.lua", "SCRIPTED");
	xs_strlist_add(&f->ctx.o.classes, "XEN_DOMU");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	_cleanup_free_ char *got = classes_of(f);
	assert_string_equal(got, "DEFAULT DEBIAN BOOKWORM AMD64 WEB1 XEN_DOMU SCRIPTED");
}

static void test_family_class_and_unnamed_guest(void **state)
{
	struct fx *f = *state;
	/* an RPM build of a guest without --hostname ("debian") is not DEBIAN */
	f->ctx.family = &xs_family_rpm;
	free(f->ctx.o.hostname);
	f->ctx.o.hostname = xs_strdup("debian");
	free(f->ctx.o.suite);
	f->ctx.o.suite = xs_strdup("centos-stream9");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	_cleanup_free_ char *got = classes_of(f);
	assert_string_equal(got, "DEFAULT RPM CENTOS_STREAM9 AMD64");
}

static void test_class_scripts_in_name_order_across_spaces(void **state)
{
	struct fx *f = *state;
	put_class_script(f->builtin, "10-a.lua", "A10");
	put_class_script(f->site2, "15-x.lua", "X15");
	put_class_script(f->site1, "20-b.lua", "B20");
	put_class_script(f->builtin, "30-c.lua", "C30");
	/* not scripts: no leading digit, or not .lua */
	put_class_script(f->site1, "README.lua", "README");
	put_class_script(f->site1, "40-d.lua~", "BACKUP");
	/* a later script sees the classes of the earlier ones */
	put(f->site2, "classes/25-seen.lua",
	    "local x = require('xstrap')\n"
	    "if x.ifclass('B20') and not x.ifclass('C30') then return { 'SAW_B20_ONLY' } end\n");
	use_sites(f);
	assert_int_equal(xs_config_load(&f->ctx), 0);
	_cleanup_free_ char *got = classes_of(f);
	assert_string_equal(got, "DEFAULT DEBIAN BOOKWORM AMD64 WEB1 A10 X15 B20 SAW_B20_ONLY C30");
}

static void test_same_name_replaces_and_the_last_space_wins(void **state)
{
	struct fx *f = *state;
	put_class_script(f->builtin, "50-same.lua", "FROM_BUILTIN");
	put_class_script(f->site1, "50-same.lua", "FROM_SITE1");
	put_class_script(f->site2, "50-same.lua", "FROM_SITE2");
	put_class_script(f->site1, "60-only-site1.lua", "ONLY_SITE1");
	use_sites(f);
	assert_int_equal(xs_config_load(&f->ctx), 0);
	_cleanup_free_ char *got = classes_of(f);
	assert_string_equal(got, "DEFAULT DEBIAN BOOKWORM AMD64 WEB1 FROM_SITE2 ONLY_SITE1");
}

static void test_hooks_in_name_order_then_hook_files_in_given_order(void **state)
{
	struct fx *f = *state;
	put_hook(f->builtin, "10-fstab.lua", "classes = { 'XEN_DOMU' }", "builtin-10");
	put_hook(f->site1, "15-site.lua", "", "site1-15");
	put_hook(f->builtin, "20-console.lua", "", "builtin-20");
	put_hook(f->site2, "20-console.lua", "", "site2-20");
	put_hook(f->site1, "20-console.lua", "", "site1-20");
	put_hook(f->site2, "05-first.lua", "", "site2-05");
	put_hook(f->builtin, "90-last.lua", "", "builtin-90");
	/* gated by a class that is not set: replaces the built-in all the same */
	put_hook(f->builtin, "30-gated.lua", "", "builtin-30");
	put_hook(f->site1, "30-gated.lua", "classes = { 'NOT_SET' }", "site1-30");
	/* --hook files: after the spaces' hooks, in the order given */
	_cleanup_free_ char *lua = ut_path(f->dir, "extra.lua");
	ut_write(lua, "return { run = function(x) x.append('/order', 'hook-lua\\n') end }\n");
	_cleanup_free_ char *sh = ut_path(f->dir, "00-extra.sh");
	ut_write(sh, "#!/bin/sh\necho hook-exec >>\"$1/order\"\n");
	chmod(sh, 0755);
	_cleanup_free_ char *spec_lua = xs_asprintf("customize:%s", lua);
	_cleanup_free_ char *spec_sh = xs_asprintf("customize:%s", sh);
	xs_strlist_add(&f->ctx.o.hook_files, spec_lua);
	xs_strlist_add(&f->ctx.o.hook_files, spec_sh);
	xs_strlist_add(&f->ctx.o.classes, "XEN_DOMU");
	use_sites(f);
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_int_equal(xs_config_run_stage(&f->ctx, "customize"), 0);
	_cleanup_free_ char *got = order_of(f);
	assert_string_equal(got, "site2-05\nbuiltin-10\nsite1-15\nsite2-20\nbuiltin-90\nhook-lua\nhook-exec\n");
	/* another stage runs none of them */
	_cleanup_free_ char *order = ut_path(f->root, "order");
	unlink(order);
	assert_int_equal(xs_config_run_stage(&f->ctx, "cleanup"), 0);
	assert_false(ut_exists(order));
}

static void test_match_all_needs_every_class(void **state)
{
	struct fx *f = *state;
	put_hook(f->builtin, "10-any.lua", "classes = { 'XEN_DOMU', 'RPM' }", "any");
	put_hook(f->builtin, "20-all-deb.lua", "classes = { 'XEN_DOMU', 'DEBIAN' }, match = 'all'", "all-deb");
	put_hook(f->builtin, "30-all-rpm.lua", "classes = { 'XEN_DOMU', 'RPM' }, match = 'all'", "all-rpm");
	put_hook(f->builtin, "40-all-none.lua", "match = 'all'", "all-none");
	xs_strlist_add(&f->ctx.o.classes, "XEN_DOMU");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_int_equal(xs_config_run_stage(&f->ctx, "customize"), 0);
	_cleanup_free_ char *got = order_of(f);
	assert_string_equal(got, "any\nall-deb\nall-none\n");
}

static void test_bad_match_is_refused_naming_the_hook(void **state)
{
	struct fx *f = *state;
	put_hook(f->site1, "10-both.lua", "classes = { 'XEN_DOMU' }, match = 'both'", "both");
	use_sites(f);
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_true(xs_config_run_stage(&f->ctx, "customize") < 0);
	assert_contains(f->ctx.log.err, "10-both.lua");
	assert_contains(f->ctx.log.err, "\"both\"");
	assert_contains(f->ctx.log.err, "\"all\"");
}

static void test_package_list_from_the_last_space_that_has_one(void **state)
{
	struct fx *f = *state;
	put(f->builtin, "packages/WEB1.lua", "return { include = { 'from-builtin' } }\n");
	put(f->site1, "packages/WEB1.lua", "return { include = { 'from-site1' }, exclude = { 'gone' } }\n");
	put(f->builtin, "packages/AMD64.lua", "return { include = { 'arch-pkg' } }\n");
	use_sites(f);
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_true(xs_strlist_has(&f->ctx.o.include, "from-site1"));
	assert_false(xs_strlist_has(&f->ctx.o.include, "from-builtin"));
	assert_true(xs_strlist_has(&f->ctx.o.include, "arch-pkg"));
	assert_true(xs_strlist_has(&f->ctx.o.exclude, "gone"));
}

static void test_list_hooks_says_where_from_and_why(void **state)
{
	struct fx *f = *state;
	put_hook(f->builtin, "10-fstab.lua", "classes = { 'XEN_DOMU' }", "b");
	put_hook(f->site1, "10-fstab.lua", "classes = { 'WEB1' }", "s");
	put_hook(f->builtin, "20-rpm.lua", "classes = { 'XEN_DOMU', 'RPM' }, match = 'all'", "r");
	put_hook(f->builtin, "30-always.lua", "", "a");
	use_sites(f);
	xs_strlist_add(&f->ctx.o.classes, "XEN_DOMU");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_int_equal(xs_config_list_hooks(&f->ctx, out), 0);
	fclose(out);
	_cleanup_free_ char *site_fstab = ut_path(f->site1, "hooks/customize/10-fstab.lua");
	assert_contains(text, site_fstab);
	assert_contains(text, "replaces an earlier script of that name]  runs: class WEB1");
	assert_contains(text, "skipped: class RPM is not set (it needs all of XEN_DOMU RPM)");
	assert_contains(text, "[built-in]  runs: every build");
	/* the stages in pipeline order, customize's hooks under customize */
	const char *customize = strstr(text, "\ncustomize:\n"), *cleanup = strstr(text, "\ncleanup:\n");
	const char *fstab = strstr(text, site_fstab);
	assert_non_null(customize);
	assert_non_null(cleanup);
	assert_true(strstr(text, "\nsetup:\n") < customize);
	assert_true(customize < fstab && fstab < cleanup);
	free(text);
}

/* --list-hooks reads a hook's classes without running any of its code:
 * neither its top level (which here would add a class and write a file)
 * nor its run function. */
static void test_list_hooks_runs_no_hook_code(void **state)
{
	struct fx *f = *state;
	put(f->builtin, "hooks/customize/10-side-effects.lua",
	    "local x = require('xstrap.core')\n"
	    "x.addclass('RAN_AT_TOP')\n"
	    "x.write('/top-level-ran', 'x')\n"
	    "local h = io.open('/tmp/xs-unit-list-hooks', 'w')\n"
	    "return { classes = { 'XEN_DOMU' }, host = true,\n"
	    "         run = function(x) x.addclass('RAN') end }\n");
	put(f->builtin, "hooks/customize/20-endless.lua", "while true do end\n");

	assert_int_equal(xs_config_load(&f->ctx), 0);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int r = xs_config_list_hooks(&f->ctx, out);
	fclose(out);
	/* the endless top level is stopped by the instruction limit */
	assert_int_equal(r, -EINVAL);
	assert_contains(f->ctx.log.err, "20-endless.lua");
	assert_contains(f->ctx.log.err, "instructions");
	assert_contains(text, "10-side-effects.lua");
	assert_contains(text, "[built-in, host]  skipped: none of its classes is set");
	assert_false(xs_strlist_has(&f->ctx.o.classes, "RAN_AT_TOP"));
	assert_false(xs_strlist_has(&f->ctx.o.classes, "RAN"));
	_cleanup_free_ char *ran = ut_path(f->root, "top-level-ran");
	assert_false(ut_exists(ran));
	assert_false(ut_exists("/tmp/xs-unit-list-hooks"));
	free(text);
}

/* Host calls cost a system call or a process each, not an instruction:
 * they have a budget of their own per script, renewed for each script, so
 * a loop on them stops, naming the script, long before its 10^7
 * instructions would. */
static void test_host_calls_have_a_budget_per_script(void **state)
{
	struct fx *f = *state;
	put(f->site1, "host/etc/hostname", "dom0\n");
	_cleanup_free_ char *host = xs_asprintf("%s/host", f->site1);
	setenv("XSTRAP_HOST_ROOT", host, 1);
	/* two scripts of 9000 calls each: within the budget of each */
	put(f->builtin, "classes/10-many.lua",
	    "local x = require('xstrap')\n"
	    "for i = 1, 9000 do assert(x.host_read('/etc/hostname') == 'dom0\\n') end\n"
	    "return { 'MANY' }\n");
	put(f->builtin, "classes/20-many-again.lua",
	    "local x = require('xstrap')\n"
	    "for i = 1, 4500 do x.host_read('/etc/hostname'); x.host_dmesg() end\n"
	    "return { 'AGAIN' }\n");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_true(xs_strlist_has(&f->ctx.o.classes, "MANY"));
	assert_true(xs_strlist_has(&f->ctx.o.classes, "AGAIN"));
	xs_config_free(&f->ctx);

	put(f->builtin, "classes/30-endless.lua",
	    "local x = require('xstrap')\n"
	    "while true do x.host_read('/etc/hostname') end\n");
	int r = xs_config_load(&f->ctx);
	unsetenv("XSTRAP_HOST_ROOT");
	assert_int_equal(r, -EINVAL);
	assert_contains(f->ctx.log.err, "30-endless.lua:2:");
	assert_contains(f->ctx.log.err, "stopped after 10000 host calls");
}

/* classes computed by code cannot be read without running it: refused,
 * naming the hook, rather than listed as a hook of every build */
static void test_list_hooks_refuses_computed_classes(void **state)
{
	struct fx *f = *state;
	put(f->builtin, "hooks/customize/30-computed.lua",
	    "local x = require('xstrap')\nreturn { classes = { x.hostname }, run = function(x) end }\n");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	FILE *out = fopen("/dev/null", "we");
	assert_int_equal(xs_config_list_hooks(&f->ctx, out), -EINVAL);
	fclose(out);
	assert_contains(f->ctx.log.err, "30-computed.lua: expected classes = {");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtin_classes_then_given_then_scripts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_class_and_unnamed_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_class_scripts_in_name_order_across_spaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_name_replaces_and_the_last_space_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hooks_in_name_order_then_hook_files_in_given_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_match_all_needs_every_class, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_match_is_refused_naming_the_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_package_list_from_the_last_space_that_has_one, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list_hooks_says_where_from_and_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_hooks_runs_no_hook_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_hooks_refuses_computed_classes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_calls_have_a_budget_per_script, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
