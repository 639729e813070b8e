/* The xstrap Lua module: templates, confinement of file operations,
 * class scripts, hook errors that name the script and line. */
#include "unit.h"

#include <lauxlib.h>
#include <lua.h>

#include "config_space.h"
#include "context.h"
#include "deb_family.h"
#include "rpm_family.h"
#include "lua_api.h"
#include "target.h"

struct fx {
	char *dir;  /* scratch: datadir, target, config space */
	char *root; /* the target */
	struct xs_ctx ctx;
};

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->dir = ut_tmpdir("lua");
	f->root = ut_path(f->dir, "root");
	mkdir(f->root, 0755);
	/* the real lua/xstrap.lua, in an otherwise empty built-in space */
	ut_ctx_init(&f->ctx, f->root, f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ut_ctx_free(&f->ctx);
	xs_rm_rf(f->dir);
	free(f->dir);
	free(f->root);
	free(f);
	return 0;
}

/* Runs Lua CODE with x = require("xstrap.core"); returns the error or NULL. */
static char *run_lua(struct fx *f, const char *code)
{
	lua_State *L = xs_lua_new(&f->ctx);
	_cleanup_free_ char *chunk = xs_asprintf("local x = require('xstrap.core')\n%s", code);
	char *err = NULL;
	if (luaL_loadstring(L, chunk) != LUA_OK || lua_pcall(L, 0, 0, 0) != LUA_OK)
		err = xs_strdup(lua_tostring(L, -1));
	xs_lua_free(L);
	return err;
}

static const char *vars(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "ROOT_PARTITION") ? "/dev/xvda" : !strcmp(name, "GROOT") ? "(hd0)" : NULL;
}

static void test_template_expand(void **state)
{
	(void)state;
	char *missing = NULL;
	_cleanup_free_ char *out = xs_expand("root #GROOT#\nkernel root=#ROOT_PARTITION# # not a var #x", '#', vars,
						 NULL, &missing);
	assert_string_equal(out, "root (hd0)\nkernel root=/dev/xvda # not a var #x");
	assert_null(xs_expand("#NOPE#", '#', vars, NULL, &missing));
	assert_string_equal(missing, "NOPE");
	free(missing);
}

static void test_write_through_planted_symlink_stays_inside(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *link = ut_path(f->root, "evil");
	assert_int_equal(symlink("/", link), 0);
	_cleanup_free_ char *err = run_lua(f, "x.write('/evil/tmp/xs-unit-lua-escape', 'x')\n"
					      "x.mkdir('/evil/tmp/xs-unit-lua-dir')\n"
					      "x.append('/evil/tmp/xs-unit-lua-escape', 'y')");
	assert_null(err);
	assert_false(ut_exists("/tmp/xs-unit-lua-escape"));
	assert_false(ut_exists("/tmp/xs-unit-lua-dir"));
	_cleanup_free_ char *inside = ut_path(f->root, "tmp/xs-unit-lua-escape");
	ut_assert_file(inside, "xy");
}

static void test_facts(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *err = run_lua(f, "assert(x.suite == 'bookworm' and x.family == 'debian')\n"
					      "assert(x.rpmdb == nil)");
	assert_null(err);
	struct xs_suite suite = { .rpmdb = (char *)"/usr/lib/sysimage/rpm" };
	f->ctx.family = &xs_family_rpm;
	f->ctx.suite = &suite;
	_cleanup_free_ char *err2 = run_lua(f, "assert(x.family == 'rpm')\n"
					       "assert(x.rpmdb == '/usr/lib/sysimage/rpm')");
	f->ctx.suite = NULL;
	assert_null(err2);
}

static void test_dotdot_is_refused_with_line(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *err = run_lua(f, "\nx.write('/../etc/x', 'x')");
	assert_non_null(err);
	assert_contains(err, ":3:");
	assert_contains(err, "..");
}

static void test_file_api(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *err = run_lua(
		f, "x.write('/etc/a', 'one\\n', 384)\n"
		   "assert(x.read('/etc/a') == 'one\\n')\n"
		   "assert(x.exists('/etc/a') and x.isdir('/etc') and not x.isdir('/etc/a'))\n"
		   "x.template('/boot/grub/menu.lst', 'root #G#\\n', { G = '(hd0)' })\n"
		   "x.symlink('/etc/l', '/etc/a')\n"
		   "local l = x.list('/etc'); assert(#l == 2 and l[1] == 'a' and l[2] == 'l')\n"
		   "x.remove('/etc/l'); x.remove('/etc/missing')\n"
		   "assert(x.read('/nope') == nil)\n"
		   "assert(x.opt('swap', 'none') == 'none')");
	assert_null(err);
	_cleanup_free_ char *a = ut_path(f->root, "etc/a");
	struct stat st;
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	_cleanup_free_ char *menu = ut_path(f->root, "boot/grub/menu.lst");
	ut_assert_file(menu, "root (hd0)\n");
	_cleanup_free_ char *l = ut_path(f->root, "etc/l");
	assert_false(ut_exists(l));
}

static void test_classes_and_failing_hook(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *space = ut_path(f->dir, "site");
	_cleanup_free_ char *cls = ut_path(f->dir, "site/classes");
	_cleanup_free_ char *hooks = ut_path(f->dir, "site/hooks/customize");
	xs_mkdir_p(cls, 0755);
	xs_mkdir_p(hooks, 0755);
	_cleanup_free_ char *c1 = ut_path(cls, "50-web.lua");
	ut_write(c1, "local x = require('xstrap.core')\nif x.ifclass('XEN_DOMU') then return { 'WEB' } end\n");
	_cleanup_free_ char *h1 = ut_path(hooks, "10-fail.lua");
	ut_write(h1, "return { classes = { 'WEB' },\n run = function(x)\n  error('boom')\n end }\n");
	xs_strlist_add(&f->ctx.o.config_spaces, space);
	xs_strlist_add(&f->ctx.o.classes, "XEN_DOMU");
	assert_int_equal(xs_config_load(&f->ctx), 0);
	assert_true(xs_strlist_has(&f->ctx.o.classes, "WEB"));
	assert_true(xs_strlist_has(&f->ctx.o.classes, "BOOKWORM"));
	assert_true(xs_config_run_stage(&f->ctx, "customize") < 0);
	assert_contains(f->ctx.log.err, h1);
	assert_contains(f->ctx.log.err, ":3:");
	assert_contains(f->ctx.log.err, "boom");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_expand),
		cmocka_unit_test_setup_teardown(test_write_through_planted_symlink_stays_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_is_refused_with_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_api, setup, teardown),
		cmocka_unit_test_setup_teardown(test_classes_and_failing_hook, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
