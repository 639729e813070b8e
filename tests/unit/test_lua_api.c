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

/* The sandbox: what a config-space script may not reach is an error with
 * the script's line; what it may still use works. */
static void test_sandbox_refuses_host_access_with_line(void **state)
{
	struct fx *f = *state;
	static const char *const refused[][2] = {
		{ "local h = io.open('/etc/passwd')", "io is not available" },
		{ "os.execute('true')", "os.execute is not available" },
		{ "os.remove('/tmp/x')", "os.remove is not available" },
		{ "os.getenv('HOME')", "os.getenv is not available" },
		{ "dofile('/etc/passwd')", "dofile is not available" },
		{ "loadfile('/etc/passwd')", "loadfile is not available" },
		{ "package.loadlib('/lib/x.so', 'f')", "package is not available" },
		{ "debug.getinfo(1)", "debug is not available" },
		{ "require('io')", "module 'io' not found" },
		{ "require('../../../tmp/evil')", "expected a module name" },
		{ "assert(load(string.dump(function() end)))", "binary chunk" },
		{ "x.run_host({ 'true' })", "x.run_host reaches the host" },
		{ "x.host_read('/etc/hostname')", "x.host_read reaches the host" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		_cleanup_free_ char *code = xs_asprintf("\n%s", refused[i][0]);
		_cleanup_free_ char *err = run_lua(f, code);
		if (!err)
			fail_msg("%s: expected a refusal, the sandbox let it run", refused[i][0]);
		assert_contains(err, refused[i][1]);
		if (i < 8)
			assert_contains(err, ":3:"); /* run_lua's line 1, the blank line 2 */
	}
	_cleanup_free_ char *ok = run_lua(f, "assert(os.time() > 0 and os.date('%Y') and os.clock())\n"
					     "assert(load('return 1 + 1')() == 2)\n"
					     "assert(require('xstrap').version_less('1', '2'))\n"
					     "assert(string.format('%d', 3) == '3' and math.max(1, 2) == 2)");
	assert_null(ok);
}

static void test_host_calls_need_the_level(void **state)
{
	struct fx *f = *state;
	lua_State *L = xs_lua_new(&f->ctx);
	xs_lua_set_host(L, XS_LUA_HOST_READ);
	assert_int_equal(luaL_dostring(L, "local x = require('xstrap.core')\n"
					  "assert(x.host_read('/proc/self/status'))\n"
					  "x.run_host({ 'true' })"),
			 1); /* luaL_dostring: true on an error */
	assert_contains(lua_tostring(L, -1), "x.run_host reaches the host");
	lua_pop(L, 1);
	xs_lua_set_host(L, XS_LUA_HOST_ALL);
	assert_int_equal(luaL_dostring(L, "assert(require('xstrap.core').run_host({ 'true' }) == 0)"), 0);
	xs_lua_free(L);
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
		cmocka_unit_test_setup_teardown(test_sandbox_refuses_host_access_with_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_calls_need_the_level, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
