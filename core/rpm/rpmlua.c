/* rpmlua.c - rpm's Lua scriptlets (%post -p <lua>) run by xstrap.
 *
 * rpm embeds Lua with two extra modules, `posix` (luaposix's old flat API)
 * and `rpm`. Neither exists outside rpm, so this file gives scriptlets the
 * subset distribution packages use. It runs in a child that is already
 * inside the target's chroot (xs_target_run_steps), so every path is the
 * target's. Hand-written: no library offers rpm's Lua environment. */
#include "rpmlua.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <solv/evr.h>
#include <solv/pool.h>

static int push_result(lua_State *L, int ok, const char *path)
{
	if (ok) {
		lua_pushinteger(L, 0);
		return 1;
	}
	int e = errno;
	lua_pushnil(L);
	lua_pushfstring(L, "%s: %s", path, strerror(e));
	lua_pushinteger(L, e);
	return 3;
}

static mode_t mode_arg(lua_State *L, int idx, mode_t def)
{
	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_type(L, idx) == LUA_TNUMBER)
		return (mode_t)lua_tointeger(L, idx);
	return (mode_t)strtol(luaL_checkstring(L, idx), NULL, 8);
}

static int l_access(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	const char *m = luaL_optstring(L, 2, "f");
	int mode = 0;
	for (; *m; m++)
		mode |= *m == 'r' ? R_OK : *m == 'w' ? W_OK : *m == 'x' ? X_OK : F_OK;
	return push_result(L, access(p, mode) == 0, p);
}

static const char *type_name(mode_t m)
{
	return S_ISREG(m)    ? "regular"
	       : S_ISDIR(m)  ? "directory"
	       : S_ISLNK(m)  ? "link"
	       : S_ISCHR(m)  ? "character device"
	       : S_ISBLK(m)  ? "block device"
	       : S_ISFIFO(m) ? "fifo"
	       : S_ISSOCK(m) ? "socket"
			     : "?";
}

static int l_stat(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	const char *field = luaL_optstring(L, 2, NULL); /* before the table takes index 2 */
	struct stat st;
	if (lstat(p, &st) < 0)
		return push_result(L, 0, p);
	char perm[10];
	static const char rwx[] = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		perm[i] = st.st_mode & (0400 >> i) ? rwx[i] : '-';
	perm[9] = 0;
	lua_newtable(L);
	lua_pushstring(L, perm), lua_setfield(L, -2, "mode");
	lua_pushinteger(L, st.st_ino), lua_setfield(L, -2, "ino");
	lua_pushinteger(L, st.st_dev), lua_setfield(L, -2, "dev");
	lua_pushinteger(L, st.st_nlink), lua_setfield(L, -2, "nlink");
	lua_pushinteger(L, st.st_uid), lua_setfield(L, -2, "uid");
	lua_pushinteger(L, st.st_gid), lua_setfield(L, -2, "gid");
	lua_pushinteger(L, st.st_size), lua_setfield(L, -2, "size");
	lua_pushinteger(L, st.st_atime), lua_setfield(L, -2, "atime");
	lua_pushinteger(L, st.st_mtime), lua_setfield(L, -2, "mtime");
	lua_pushinteger(L, st.st_ctime), lua_setfield(L, -2, "ctime");
	lua_pushstring(L, type_name(st.st_mode)), lua_setfield(L, -2, "type");
	if (field)
		lua_getfield(L, -1, field);
	return 1;
}

static int l_mkdir(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, mkdir(p, mode_arg(L, 2, 0777)) == 0, p);
}

static int l_rmdir(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, rmdir(p) == 0, p);
}

static int l_unlink(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, unlink(p) == 0, p);
}

static int l_symlink(lua_State *L)
{
	const char *from = luaL_checkstring(L, 1), *to = luaL_checkstring(L, 2);
	return push_result(L, symlink(from, to) == 0, to);
}

static int l_link(lua_State *L)
{
	const char *from = luaL_checkstring(L, 1), *to = luaL_checkstring(L, 2);
	return push_result(L, link(from, to) == 0, to);
}

static int l_readlink(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	char buf[4096];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return push_result(L, 0, p);
	lua_pushlstring(L, buf, n);
	return 1;
}

static int l_chmod(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, chmod(p, mode_arg(L, 2, 0644)) == 0, p);
}

static long id_arg(lua_State *L, int idx, bool user)
{
	if (lua_type(L, idx) == LUA_TNUMBER)
		return (long)lua_tointeger(L, idx);
	if (lua_isnoneornil(L, idx))
		return -1;
	const char *n = luaL_checkstring(L, idx);
	if (user) {
		struct passwd *pw = getpwnam(n);
		return pw ? (long)pw->pw_uid : -1;
	}
	struct group *gr = getgrnam(n);
	return gr ? (long)gr->gr_gid : -1;
}

static int l_chown(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, chown(p, (uid_t)id_arg(L, 2, true), (gid_t)id_arg(L, 3, false)) == 0, p);
}

static int l_utime(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	time_t now = time(NULL);
	struct utimbuf u = { .modtime = (time_t)luaL_optinteger(L, 2, now) };
	u.actime = (time_t)luaL_optinteger(L, 3, u.modtime);
	return push_result(L, utime(p, &u) == 0, p);
}

static int l_dir(lua_State *L)
{
	const char *p = luaL_optstring(L, 1, ".");
	DIR *d = opendir(p);
	if (!d)
		return push_result(L, 0, p);
	lua_newtable(L);
	int i = 1;
	for (struct dirent *de; (de = readdir(d));) {
		lua_pushstring(L, de->d_name);
		lua_rawseti(L, -2, i++);
	}
	closedir(d);
	return 1;
}

static int l_getenv(lua_State *L)
{
	const char *v = getenv(luaL_checkstring(L, 1));
	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	return 1;
}

static int l_setenv(lua_State *L)
{
	const char *n = luaL_checkstring(L, 1);
	if (lua_isnoneornil(L, 2))
		unsetenv(n);
	else
		setenv(n, luaL_checkstring(L, 2), lua_toboolean(L, 3) || lua_isnoneornil(L, 3));
	lua_pushinteger(L, 0);
	return 1;
}

static int l_getpid(lua_State *L)
{
	lua_pushinteger(L, getpid());
	return 1;
}

static int l_fork(lua_State *L)
{
	fflush(NULL);
	pid_t p = fork();
	if (p < 0)
		return push_result(L, 0, "fork");
	lua_pushinteger(L, p);
	return 1;
}

/* The arguments as a NULL-terminated argv (caller frees the array). All
 * are checked first: a bad one raises a Lua error, which would leak it. */
static char **argv_of(lua_State *L)
{
	int n = lua_gettop(L);
	luaL_checkstring(L, 1);
	for (int i = 2; i <= n; i++)
		luaL_checkstring(L, i);
	char **argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		luaL_error(L, "out of memory");
	for (int i = 0; i < n; i++)
		argv[i] = (char *)lua_tostring(L, i + 1);
	return argv;
}

static int do_exec(lua_State *L, bool path)
{
	char **argv = argv_of(L);
	if (path)
		execvp(argv[0], argv);
	else
		execv(argv[0], argv);
	free(argv);
	return push_result(L, 0, luaL_checkstring(L, 1));
}

static int l_exec(lua_State *L)
{
	return do_exec(L, false);
}

static int l_execp(lua_State *L)
{
	return do_exec(L, true);
}

static int l_wait(lua_State *L)
{
	pid_t p = (pid_t)luaL_optinteger(L, 1, -1);
	int st;
	pid_t r = waitpid(p, &st, 0);
	if (r < 0)
		return push_result(L, 0, "wait");
	lua_pushinteger(L, r);
	lua_pushstring(L, WIFEXITED(st) ? "exited" : "killed");
	lua_pushinteger(L, WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 3;
}

static int l_sleep(lua_State *L)
{
	lua_pushinteger(L, sleep((unsigned)luaL_checkinteger(L, 1)));
	return 1;
}

static int l_getcwd(lua_State *L)
{
	char buf[4096];
	if (!getcwd(buf, sizeof(buf)))
		return push_result(L, 0, ".");
	lua_pushstring(L, buf);
	return 1;
}

static int l_chdir(lua_State *L)
{
	const char *p = luaL_checkstring(L, 1);
	return push_result(L, chdir(p) == 0, p);
}

static int l_umask(lua_State *L)
{
	mode_t old = umask(mode_arg(L, 1, 022));
	if (lua_isnoneornil(L, 1))
		umask(old);
	lua_pushinteger(L, old);
	return 1;
}

static const luaL_Reg posix_fns[] = {
	{ "access", l_access }, { "stat", l_stat },	  { "mkdir", l_mkdir },	    { "rmdir", l_rmdir },
	{ "unlink", l_unlink }, { "symlink", l_symlink }, { "link", l_link },	    { "readlink", l_readlink },
	{ "chmod", l_chmod },	{ "chown", l_chown },	  { "utime", l_utime },	    { "dir", l_dir },
	{ "getenv", l_getenv }, { "setenv", l_setenv },	  { "getpid", l_getpid },   { "fork", l_fork },
	{ "exec", l_exec },	{ "execp", l_execp },	  { "wait", l_wait },	    { "sleep", l_sleep },
	{ "getcwd", l_getcwd }, { "chdir", l_chdir },	  { "umask", l_umask },	    { NULL, NULL },
};

/* rpm.* */

static int l_vercmp(lua_State *L)
{
	const char *a = luaL_checkstring(L, 1), *b = luaL_checkstring(L, 2); /* may raise: before the pool */
	Pool *pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_RPM);
	int c = pool_evrcmp_str(pool, a, b, EVRCMP_COMPARE);
	pool_free(pool);
	lua_pushinteger(L, c < 0 ? -1 : c > 0);
	return 1;
}

/* The macros a scriptlet may expand at run time: the standard paths. */
static const char *const macros[][2] = {
	{ "_prefix", "/usr" },		 { "_exec_prefix", "/usr" },	  { "_bindir", "/usr/bin" },
	{ "_sbindir", "/usr/sbin" },	 { "_libdir", "/usr/lib64" },	  { "_libexecdir", "/usr/libexec" },
	{ "_datadir", "/usr/share" },	 { "_sysconfdir", "/etc" },	  { "_localstatedir", "/var" },
	{ "_sharedstatedir", "/var/lib" }, { "_mandir", "/usr/share/man" }, { "_infodir", "/usr/share/info" },
	{ "_rundir", "/run" },		 { "_unitdir", "/usr/lib/systemd/system" },
	{ "_tmppath", "/var/tmp" },	 { "_var", "/var" },		  { "_usr", "/usr" },
};

static const char *macro_value(lua_State *L, const char *name, size_t len)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "xstrap.rpm.macros");
	lua_pushlstring(L, name, len);
	lua_gettable(L, -2);
	const char *v = lua_tostring(L, -1);
	lua_pop(L, 2); /* the string stays alive in the registry table */
	if (v)
		return v;
	for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
		if (strlen(macros[i][0]) == len && !strncmp(macros[i][0], name, len))
			return macros[i][1];
	return NULL;
}

static int l_expand(lua_State *L)
{
	const char *s = luaL_checkstring(L, 1);
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	while (*s) {
		if (s[0] == '%' && s[1] == '%') {
			luaL_addchar(&b, '%');
			s += 2;
			continue;
		}
		if (s[0] == '%' && s[1] == '{') {
			const char *e = strchr(s, '}');
			const char *name = s + 2;
			bool optional = *name == '?';
			name += optional;
			const char *v = e ? macro_value(L, name, e - name) : NULL;
			if (v || (e && optional)) {
				luaL_addstring(&b, v ? v : "");
				s = e + 1;
				continue;
			}
		}
		luaL_addchar(&b, *s++);
	}
	luaL_pushresult(&b);
	return 1;
}

static int l_define(lua_State *L)
{
	const char *d = luaL_checkstring(L, 1);
	size_t n = strcspn(d, " \t");
	const char *v = d + n + strspn(d + n, " \t");
	lua_getfield(L, LUA_REGISTRYINDEX, "xstrap.rpm.macros");
	lua_pushlstring(L, d, n);
	lua_pushstring(L, v);
	lua_settable(L, -3);
	lua_pop(L, 1);
	return 0;
}

static int l_execute(lua_State *L)
{
	char **argv = argv_of(L);
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	int st = 0;
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return push_result(L, 0, luaL_checkstring(L, 1));
	if (WIFEXITED(st) && !WEXITSTATUS(st)) {
		lua_pushboolean(L, 1);
		return 1;
	}
	lua_pushnil(L);
	lua_pushfstring(L, "exit code %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	lua_pushinteger(L, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 3;
}

static int l_false(lua_State *L)
{
	lua_pushboolean(L, 0);
	return 1;
}

static int l_noop(lua_State *L)
{
	(void)L;
	return 0;
}

static const luaL_Reg rpm_fns[] = {
	{ "vercmp", l_vercmp },	     { "expand", l_expand },	 { "define", l_define },
	{ "execute", l_execute },    { "interactive", l_false }, { "redirect2null", l_noop },
	{ NULL, NULL },
};

int xs_rpmlua_run(const char *name, const char *script, int arg1, int arg2)
{
	lua_State *L = luaL_newstate();
	if (!L)
		return 1;
	luaL_openlibs(L);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, "xstrap.rpm.macros");
	luaL_newlib(L, posix_fns);
	lua_setglobal(L, "posix");
	luaL_newlib(L, rpm_fns);
	lua_setglobal(L, "rpm");
	/* rpm's convention: arg[1] the scriptlet's name, arg[2] $1, arg[3] $2 */
	lua_newtable(L);
	lua_pushstring(L, name);
	lua_rawseti(L, -2, 1);
	if (arg1 >= 0) {
		lua_pushinteger(L, arg1);
		lua_rawseti(L, -2, 2);
	}
	if (arg2 >= 0) {
		lua_pushinteger(L, arg2);
		lua_rawseti(L, -2, 3);
	}
	lua_setglobal(L, "arg");
	int r = 0;
	if (luaL_loadbuffer(L, script, strlen(script), name) != LUA_OK ||
	    lua_pcall(L, 0, 0, 0) != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		if (!msg)
			msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, -1));
		fprintf(stderr, "%s: %s\n", name, msg);
		r = 1;
	}
	fflush(NULL);
	lua_close(L);
	return r;
}
