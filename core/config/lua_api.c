/* lua_api.c - the `xstrap` Lua module: facts, classes, confined file operations, commands. */
#include "lua_api.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "family.h"
#include "run.h"
#include "target.h"
#include "txn.h"
#include "output.h"
#include "userns.h"
#include "util.h"

#define CTX_KEY "xstrap.ctx"

static struct xs_ctx *get_ctx(lua_State *L)
{
	lua_getfield(L, LUA_REGISTRYINDEX, CTX_KEY);
	struct xs_ctx *c = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return c;
}

/* An error located at the script's line that called the API function. */
static int api_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int api_error(lua_State *L, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	luaL_where(L, 1);
	lua_pushstring(L, msg);
	lua_concat(L, 2);
	return lua_error(L);
}

/* A target path ("/etc/fstab") as a path relative to the root. The string
 * is owned by Lua (kept in the registry until the next call, off the
 * stack so argument positions stay put): a Lua error, which is a longjmp,
 * leaks nothing. */
static const char *target_rel(lua_State *L, int arg)
{
	const char *p = luaL_checkstring(L, arg);
	char *rel = xs_target_normalize(p);
	if (!rel)
		api_error(L, "%s: a target path may not contain \"..\"", p);
	lua_pushstring(L, rel);
	free(rel);
	const char *held = lua_tostring(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, "xstrap.rel");
	return held;
}

static int need_root(lua_State *L, struct xs_ctx *c)
{
	if (c->rootfd < 0)
		return api_error(L, "the target is not open yet (stage %s)", c->stage ? c->stage : "classes");
	return c->rootfd;
}

/* Lua has no octal literals: a mode may be given as "0644" too. */
static mode_t get_mode(lua_State *L, int idx, mode_t def)
{
	if (lua_isnoneornil(L, idx))
		return def;
	if (lua_type(L, idx) == LUA_TSTRING) {
		char *end;
		const char *s = lua_tostring(L, idx);
		long m = strtol(s, &end, 8);
		if (*end || m < 0 || m > 07777)
			return api_error(L, "mode \"%s\": expected octal digits like \"0644\"", s);
		return (mode_t)m;
	}
	return (mode_t)luaL_checkinteger(L, idx);
}

static int l_ifclass(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	lua_pushboolean(L, xs_strlist_has(&c->o.classes, luaL_checkstring(L, 1)));
	return 1;
}

static int l_addclass(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	const char *n = luaL_checkstring(L, 1);
	if (!xs_strlist_has(&c->o.classes, n))
		xs_strlist_add(&c->o.classes, n);
	return 0;
}

static int l_classes(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	lua_createtable(L, c->o.classes.n, 0);
	for (size_t i = 0; i < c->o.classes.n; i++) {
		lua_pushstring(L, c->o.classes.v[i]);
		lua_rawseti(L, -2, i + 1);
	}
	return 1;
}

static int l_opt(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	const char *name = luaL_checkstring(L, 1);
	size_t nl = strlen(name);
	for (size_t i = c->o.sets.n; i-- > 0;) { /* the last --set wins */
		const char *s = c->o.sets.v[i];
		if (!strncmp(s, name, nl) && s[nl] == '=') {
			lua_pushstring(L, s + nl + 1);
			return 1;
		}
	}
	if (lua_gettop(L) >= 2)
		lua_pushvalue(L, 2);
	else
		lua_pushnil(L);
	return 1;
}

static int l_read(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	int fd = xs_target_open(root, rel, O_RDONLY);
	if (fd < 0) {
		lua_pushnil(L);
		return 1;
	}
	luaL_Buffer b;
	luaL_buffinit(L, &b);
	char chunk[8192];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		luaL_addlstring(&b, chunk, n);
	close(fd);
	luaL_pushresult(&b);
	return 1;
}

static int write_common(lua_State *L, bool append)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	size_t len;
	const char *text = luaL_checklstring(L, 2, &len);
	int mode = get_mode(L, 3, 0644);
	int r;
	if (append) {
		const char *base;
		int dfd = xs_target_parent(root, rel, true, &base);
		if (dfd < 0)
			return api_error(L, "%s: %s", luaL_checkstring(L, 1), strerror(-dfd));
		int fd = openat(dfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
		close(dfd);
		if (fd < 0)
			return api_error(L, "%s: %s", luaL_checkstring(L, 1), strerror(errno));
		r = write(fd, text, len) == (ssize_t)len ? 0 : -EIO;
		close(fd);
	} else {
		r = xs_target_write(root, rel, text, len, mode);
	}
	if (r < 0)
		return api_error(L, "cannot write %s in the target: %s", luaL_checkstring(L, 1), strerror(-r));
	return 0;
}

static int l_write(lua_State *L) { return write_common(L, false); }
static int l_append(lua_State *L) { return write_common(L, true); }

static const char *lua_var(void *arg, const char *name)
{
	lua_State *L = arg;
	lua_getfield(L, 3, name);
	const char *v = lua_isnil(L, -1) ? NULL : lua_tostring(L, -1);
	lua_pop(L, 1); /* the string stays alive: it belongs to the table */
	return v;
}

static int l_template(lua_State *L)
{
	luaL_checkstring(L, 1);
	const char *text = luaL_checkstring(L, 2);
	luaL_checktype(L, 3, LUA_TTABLE);
	char *missing = NULL;
	char *out = xs_expand(text, '#', lua_var, L, &missing);
	if (!out) {
		lua_pushfstring(L, "template for %s: no value for #%s#", lua_tostring(L, 1), missing);
		free(missing);
		luaL_where(L, 1);
		lua_insert(L, -2);
		lua_concat(L, 2);
		return lua_error(L);
	}
	lua_settop(L, 1);
	lua_pushstring(L, out);
	free(out);
	return write_common(L, false);
}

static int open_in_target(lua_State *L, int flags)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	return xs_target_open(root, rel, flags);
}

static int l_exists(lua_State *L)
{
	int fd = open_in_target(L, O_PATH);
	lua_pushboolean(L, fd >= 0);
	if (fd >= 0)
		close(fd);
	return 1;
}

static int l_isdir(lua_State *L)
{
	int fd = open_in_target(L, O_PATH | O_DIRECTORY);
	lua_pushboolean(L, fd >= 0);
	if (fd >= 0)
		close(fd);
	return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int l_list(lua_State *L)
{
	int fd = open_in_target(L, O_RDONLY | O_DIRECTORY);
	lua_newtable(L);
	if (fd < 0)
		return 1;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 1;
	}
	struct xs_strlist names = { 0 };
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			xs_strlist_add(&names, de->d_name);
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		lua_pushstring(L, names.v[i]);
		lua_rawseti(L, -2, i + 1);
	}
	xs_strlist_free(&names);
	return 1;
}

static int l_remove(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	const char *base;
	int dfd = xs_target_parent(root, rel, false, &base);
	if (dfd < 0)
		return 0;
	int r = unlinkat(dfd, base, 0);
	if (r < 0 && (errno == EISDIR || errno == EPERM))
		r = unlinkat(dfd, base, AT_REMOVEDIR);
	int e = errno;
	close(dfd);
	if (r < 0 && e != ENOENT)
		return api_error(L, "cannot remove %s in the target: %s", lua_tostring(L, 1), strerror(e));
	return 0;
}

static int l_mkdir(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	int r = xs_target_mkdir_p(root, rel, get_mode(L, 2, 0755));
	if (r < 0)
		return api_error(L, "cannot create %s in the target: %s", lua_tostring(L, 1), strerror(-r));
	return 0;
}

static int l_symlink(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	const char *to = luaL_checkstring(L, 2);
	xs_target_unlink(root, rel);
	int r = xs_target_symlink(root, rel, to);
	if (r < 0)
		return api_error(L, "cannot create symlink %s -> %s in the target: %s", lua_tostring(L, 1),
				 to, strerror(-r));
	return 0;
}

static int l_chmod(lua_State *L)
{
	int fd = open_in_target(L, O_PATH);
	if (fd < 0)
		return api_error(L, "chmod %s: %s", lua_tostring(L, 1), strerror(-fd));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	luaL_checkany(L, 2);
	int r = chmod(proc, get_mode(L, 2, 0));
	int e = errno;
	close(fd);
	if (r < 0)
		return api_error(L, "chmod %s: %s", lua_tostring(L, 1), strerror(e));
	return 0;
}

static int l_chown(lua_State *L)
{
	int fd = open_in_target(L, O_PATH);
	if (fd < 0)
		return api_error(L, "chown %s: %s", lua_tostring(L, 1), strerror(-fd));
	int r = fchownat(fd, "", (uid_t)luaL_checkinteger(L, 2), (gid_t)luaL_checkinteger(L, 3),
			 AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	int e = errno;
	close(fd);
	if (r < 0)
		return api_error(L, "chown %s: %s", lua_tostring(L, 1), strerror(e));
	return 0;
}

static int l_mknod(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	const char *rel = target_rel(L, 1);
	const char *type = luaL_checkstring(L, 2);
	mode_t kind = !strcmp(type, "c") ? S_IFCHR : !strcmp(type, "b") ? S_IFBLK : 0;
	if (!kind)
		return api_error(L, "mknod %s: type must be \"c\" or \"b\", not \"%s\"", lua_tostring(L, 1), type);
	dev_t dev = makedev(luaL_checkinteger(L, 3), luaL_checkinteger(L, 4));
	mode_t mode = get_mode(L, 5, 0600);
	const char *base;
	int dfd = xs_target_parent(root, rel, true, &base);
	if (dfd < 0)
		return api_error(L, "mknod %s: %s", lua_tostring(L, 1), strerror(-dfd));
	unlinkat(dfd, base, 0);
	/* no node can be made in a user namespace: an empty file stands in
	 * for it, and the tar and image outputs write the node */
	int e = xs_userns_active() ? -xs_dev_standin(dfd, base, rel, kind | mode, dev)
				   : mknodat(dfd, base, kind | mode, dev) < 0 ? errno : 0;
	if (!e) /* the mode as asked, not as the umask left it */
		e = -xs_target_set_owner_mode(dfd, base, (uid_t)-1, 0, mode);
	close(dfd);
	if (e)
		return api_error(L, "mknod %s: %s", lua_tostring(L, 1), strerror(e));
	return 0;
}

static char **argv_from_table(lua_State *L, int idx)
{
	luaL_checktype(L, idx, LUA_TTABLE);
	size_t n = lua_rawlen(L, idx);
	if (!n)
		api_error(L, "expected a non-empty argv table");
	char **argv = xs_calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		lua_rawgeti(L, idx, i + 1);
		argv[i] = xs_strdup(luaL_checkstring(L, -1));
		lua_pop(L, 1);
	}
	return argv;
}

static void free_argv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int l_run(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	need_root(L, c);
	char **argv = argv_from_table(L, 1);
	char **env = xs_env_new(c->family ? c->family->env : NULL);
	int status = 0;
	/* a hook's command may fetch (the network stays), unlike a package's scripts */
	struct xs_target_step step = { .argv = argv, .envp = env, .network = true };
	int r = xs_target_run_steps(&c->log, c->o.target, &step, 1, -1, NULL, NULL, &status);
	xs_env_free(env);
	if (r < 0) {
		lua_pushfstring(L, "cannot run %s in the target: %s", argv[0], c->log.err);
		c->log.err[0] = 0;
		free_argv(argv);
		return api_error(L, "%s", lua_tostring(L, -1));
	}
	free_argv(argv);
	lua_pushinteger(L, status);
	return 1;
}

/* The host calls: a class script may read the host (what it is there
 * for), a hook only when it declares host = true, and only a hook that
 * does may run a host program (xs_lua_set_host). */
#define HOST_KEY "xstrap.host"

void xs_lua_set_host(lua_State *L, enum xs_lua_host level)
{
	lua_pushinteger(L, level);
	lua_setfield(L, LUA_REGISTRYINDEX, HOST_KEY);
}

/* Host calls made by the chunk running now, or -1 when none runs under
 * the step limit (xs_lua_limit_steps): each costs a system call or a
 * process, not one instruction, so they have a budget of their own. */
#define HOST_CALLS_KEY "xstrap.hostcalls"

static void need_host(lua_State *L, const char *call, enum xs_lua_host level)
{
	lua_getfield(L, LUA_REGISTRYINDEX, HOST_KEY);
	lua_Integer have = lua_tointeger(L, -1);
	lua_pop(L, 1);
	if (have < (lua_Integer)level)
		api_error(L, "x.%s reaches the host: only %s may call it (the sandbox, xstrap-hooks(5))", call,
			  level == XS_LUA_HOST_READ ? "a class script or a hook that declares host = true"
						    : "a hook that declares host = true");
	lua_getfield(L, LUA_REGISTRYINDEX, HOST_CALLS_KEY);
	lua_Integer calls = luaL_optinteger(L, -1, -1);
	lua_pop(L, 1);
	if (calls < 0)
		return;
	if (calls >= XS_LUA_CHUNK_HOST_CALLS)
		api_error(L, "x.%s: stopped after %d host calls (x.host_read, x.host_dmesg, x.run_host) in one script "
			  "(a loop that never ends?)", call, XS_LUA_CHUNK_HOST_CALLS);
	lua_pushinteger(L, calls + 1);
	lua_setfield(L, LUA_REGISTRYINDEX, HOST_CALLS_KEY);
}

static int l_run_host(lua_State *L)
{
	need_host(L, "run_host", XS_LUA_HOST_ALL);
	char **argv = argv_from_table(L, 1);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	free_argv(argv);
	if (pid < 0)
		return api_error(L, "fork: %s", strerror(errno));
	lua_pushinteger(L, WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 1;
}

/* Host files for class scripts; XSTRAP_HOST_ROOT lets tests fake them. */
static int l_host_read(lua_State *L)
{
	need_host(L, "host_read", XS_LUA_HOST_READ);
	const char *p = luaL_checkstring(L, 1);
	const char *root = getenv("XSTRAP_HOST_ROOT");
	_cleanup_free_ char *path = xs_asprintf("%s%s", root ? root : "", p);
	struct xs_buf b = { 0 };
	if (xs_read_file(path, &b) < 0)
		lua_pushnil(L);
	else
		lua_pushlstring(L, b.data, b.len);
	xs_buf_free(&b);
	return 1;
}

#define DMESG_KEY "xstrap.dmesg"

static int l_host_dmesg(lua_State *L)
{
	need_host(L, "host_dmesg", XS_LUA_HOST_READ);
	/* the kernel log once per state: every call after the first returns it */
	if (lua_getfield(L, LUA_REGISTRYINDEX, DMESG_KEY) == LUA_TSTRING)
		return 1;
	lua_pop(L, 1);
	const char *root = getenv("XSTRAP_HOST_ROOT");
	struct xs_buf b = { 0 };
	if (root) {
		_cleanup_free_ char *path = xs_asprintf("%s/dmesg", root);
		xs_read_file(path, &b);
	} else {
		int pfd[2];
		if (pipe2(pfd, O_CLOEXEC) == 0) {
			pid_t pid = fork();
			if (pid == 0) {
				dup2(pfd[1], STDOUT_FILENO);
				int nul = open("/dev/null", O_WRONLY);
				if (nul >= 0)
					dup2(nul, STDERR_FILENO);
				execlp("dmesg", "dmesg", (char *)NULL);
				_exit(127);
			}
			close(pfd[1]);
			char chunk[8192];
			ssize_t n;
			while ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
				xs_buf_add(&b, chunk, n);
			close(pfd[0]);
			if (pid > 0)
				waitpid(pid, NULL, 0);
		}
	}
	lua_pushlstring(L, b.data ? b.data : "", b.len);
	xs_buf_free(&b);
	lua_pushvalue(L, -1);
	lua_setfield(L, LUA_REGISTRYINDEX, DMESG_KEY);
	return 1;
}

static int l_installed(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	const char *n = luaL_checkstring(L, 1);
	struct xs_pkg *p = c->txn ? xs_txn_find(c->txn, n) : NULL;
	if (p && xs_strlist_has(&c->o.purge, n))
		p = NULL;
	if (p)
		lua_pushstring(L, p->version);
	else
		lua_pushnil(L);
	return 1;
}

static int add_names(lua_State *L, struct xs_strlist *l, const char *what)
{
	struct xs_ctx *c = get_ctx(L);
	if (c->txn && l != &c->o.purge)
		return api_error(L, "x.%s comes too late here (stage %s): the packages are already chosen; use a class script or packages/CLASS.lua",
				 what, c->stage ? c->stage : "?");
	luaL_checktype(L, 1, LUA_TTABLE);
	for (size_t i = 1; i <= lua_rawlen(L, 1); i++) {
		lua_rawgeti(L, 1, i);
		const char *n = luaL_checkstring(L, -1);
		if (!xs_strlist_has(l, n))
			xs_strlist_add(l, n);
		lua_pop(L, 1);
	}
	return 0;
}

static int l_include(lua_State *L) { return add_names(L, &get_ctx(L)->o.include, "include"); }
static int l_exclude(lua_State *L) { return add_names(L, &get_ctx(L)->o.exclude, "exclude"); }

/* x.purge: removes, right away, those of the names that are installed, with
 * the target's own package manager (the family's remove: dpkg --purge,
 * rpm -e). x.installed answers nil for them afterwards. */
static int l_purge(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	int root = need_root(L, c);
	luaL_checktype(L, 1, LUA_TTABLE);
	struct xs_strlist todo = { 0 };
	for (size_t i = 1; i <= lua_rawlen(L, 1); i++) {
		lua_rawgeti(L, 1, i);
		const char *n = luaL_checkstring(L, -1);
		if (c->txn && xs_txn_find(c->txn, n) && !xs_strlist_has(&c->o.purge, n) && !xs_strlist_has(&todo, n))
			xs_strlist_add(&todo, n);
		lua_pop(L, 1);
	}
	int r = 0;
	if (todo.n) {
		c->log.err[0] = 0;
		r = c->family->remove ? c->family->remove(c, root, &todo)
				      : xs_fail(&c->log, ENOTSUP, "the %s family cannot remove packages", c->family->name);
	}
	for (size_t i = 0; i < todo.n && !r; i++)
		xs_strlist_add(&c->o.purge, todo.v[i]);
	xs_strlist_free(&todo);
	if (r < 0) {
		lua_pushstring(L, c->log.err);
		c->log.err[0] = 0;
		return api_error(L, "%s", lua_tostring(L, -1));
	}
	return 0;
}

static int l_log(lua_State *L)
{
	xs_info(&get_ctx(L)->log, "%s", luaL_checkstring(L, 1));
	return 0;
}

static int l_warn(lua_State *L)
{
	xs_warn(&get_ctx(L)->log, "%s", luaL_checkstring(L, 1));
	return 0;
}

static const luaL_Reg api[] = {
	{ "ifclass", l_ifclass },   { "addclass", l_addclass }, { "classes", l_classes },
	{ "opt", l_opt },           { "read", l_read },         { "write", l_write },
	{ "append", l_append },     { "template", l_template }, { "exists", l_exists },
	{ "isdir", l_isdir },       { "list", l_list },         { "remove", l_remove },
	{ "mkdir", l_mkdir },       { "symlink", l_symlink },   { "chmod", l_chmod },
	{ "chown", l_chown },       { "mknod", l_mknod },       { "run", l_run },
	{ "run_host", l_run_host }, { "host_read", l_host_read }, { "host_dmesg", l_host_dmesg },
	{ "installed", l_installed }, { "include", l_include }, { "exclude", l_exclude },
	{ "purge", l_purge },       { "log", l_log },           { "warn", l_warn },
	{ NULL, NULL },
};

/* Facts are read when asked, so hooks see the values of their stage. */
static int core_index(lua_State *L)
{
	struct xs_ctx *c = get_ctx(L);
	const char *k = luaL_checkstring(L, 2);
	const char *v = NULL;
	if (!strcmp(k, "suite"))
		v = c->o.suite;
	else if (!strcmp(k, "arch"))
		v = c->o.arch;
	else if (!strcmp(k, "family"))
		v = c->family ? c->family->fact : NULL;
	else if (!strcmp(k, "target"))
		v = c->o.target;
	else if (!strcmp(k, "hostname"))
		v = c->o.hostname;
	else if (!strcmp(k, "variant"))
		v = xs_variant_name(c->o.variant);
	else if (!strcmp(k, "mirror"))
		v = c->o.mirror;
	else if (!strcmp(k, "stage"))
		v = c->stage;
	else if (!strcmp(k, "source_date_epoch"))
		v = getenv("SOURCE_DATE_EPOCH"); /* the build is to be reproducible */
	else if (!strcmp(k, "fs_type")) /* images only: nil for dir and tar */
		v = xs_format_is_image(c->o.format) ? xs_format_name(c->o.format) : NULL;
	else if (!strcmp(k, "fs_uuid"))
		v = xs_format_is_image(c->o.format) ? c->o.fs_uuid : NULL;
	else if (!strcmp(k, "fs_label"))
		v = xs_format_is_image(c->o.format) ? c->o.fs_label : NULL;
	else if (c->family && c->family->ctx_fact)
		v = c->family->ctx_fact(c, k); /* x.rpmdb */
	if (v)
		lua_pushstring(L, v);
	else
		lua_pushnil(L);
	return 1;
}

static int open_core(lua_State *L)
{
	luaL_newlib(L, api);
	lua_newtable(L);
	lua_pushcfunction(L, core_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	return 1;
}

/* --- the sandbox ----------------------------------------------------------
 * Class scripts, package lists, hooks and the modules they require get
 * Lua's base, string, table, math, utf8 and coroutine libraries, require
 * for Lua modules of DATADIR/lua, load for text chunks, os.time/clock/
 * date/difftime, and the xstrap module: no io, no os.execute/remove/
 * rename/exit/getenv/tmpname, no debug, no package (loadlib, C modules),
 * no dofile or loadfile. What they do to files goes through x.* (confined
 * to the target); what they do to the host through the few x.* host calls
 * (need_host). Touching what is not there is an error naming the script's
 * file and line. */

static const char *const unsafe_globals[] = { "io", "debug", "package", "dofile", "loadfile", NULL };
static const char *const safe_os[] = { "time", "clock", "date", "difftime", NULL };

static int refuse(lua_State *L, const char *what)
{
	return api_error(L, "%s is not available to hooks and class scripts (the sandbox, xstrap-hooks(5)): "
			    "use x.read, x.write and the other x.* calls, which stay inside the target",
			 what);
}

/* _G's __index: nil for an unknown name, as Lua has it, an error for one
 * the sandbox took away */
static int global_index(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	for (size_t i = 0; k && unsafe_globals[i]; i++)
		if (!strcmp(k, unsafe_globals[i]))
			return refuse(L, k);
	lua_pushnil(L);
	return 1;
}

static int os_index(lua_State *L)
{
	const char *k = lua_tostring(L, 2);
	lua_pushfstring(L, "os.%s", k ? k : "?");
	return refuse(L, lua_tostring(L, -1));
}

/* require("xstrap"), require("xstrap.network"): module names only, no
 * path of the host in disguise */
static int safe_require(lua_State *L)
{
	const char *name = luaL_checkstring(L, 1);
	bool ok = *name && name[strlen(name) - 1] != '.';
	for (const char *c = name; *c && ok; c++)
		ok = isalnum((unsigned char)*c) || *c == '_' || (*c == '.' && c[1] != '.' && c != name);
	if (!ok)
		return api_error(L, "require \"%s\": expected a module name like xstrap.network", name);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* load(chunk [, name [, mode [, env]]]) with mode "t" whatever was asked */
static int text_load(lua_State *L)
{
	lua_settop(L, 4);
	lua_pushliteral(L, "t");
	lua_replace(L, 3);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, 4, LUA_MULTRET);
	return lua_gettop(L);
}

static void open_sandbox(lua_State *L, const char *datadir)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },	     { LUA_LOADLIBNAME, luaopen_package },
		{ LUA_COLIBNAME, luaopen_coroutine }, { LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },   { LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },    { NULL, NULL },
	};
	for (const luaL_Reg *l = libs; l->name; l++) {
		luaL_requiref(L, l->name, l->func, 1);
		lua_pop(L, 1);
	}
	/* package: Lua modules of DATADIR/lua only (no C searchers, no
	 * loadlib), and out of reach: not a global, not in package.loaded */
	lua_getglobal(L, "package");
	lua_pushfstring(L, "%s/lua/?.lua", datadir);
	lua_setfield(L, -2, "path");
	lua_pushliteral(L, "");
	lua_setfield(L, -2, "cpath");
	lua_pushnil(L);
	lua_setfield(L, -2, "loadlib");
	lua_getfield(L, -1, "searchers");
	for (lua_Integer i = luaL_len(L, -1); i > 2; i--) {
		lua_pushnil(L);
		lua_rawseti(L, -2, i);
	}
	lua_pop(L, 1);
	lua_getfield(L, -1, "loaded");
	lua_pushnil(L);
	lua_setfield(L, -2, LUA_LOADLIBNAME);
	lua_pop(L, 2);
	/* os: the clock and the calendar */
	lua_pushcfunction(L, luaopen_os);
	lua_call(L, 0, 1);
	lua_newtable(L);
	for (size_t i = 0; safe_os[i]; i++) {
		lua_getfield(L, -2, safe_os[i]);
		lua_setfield(L, -2, safe_os[i]);
	}
	lua_newtable(L);
	lua_pushcfunction(L, os_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_setglobal(L, "os");
	lua_pop(L, 1);
	lua_pushglobaltable(L);
	lua_getfield(L, -1, "require");
	lua_pushcclosure(L, safe_require, 1);
	lua_setfield(L, -2, "require");
	lua_getfield(L, -1, "load");
	lua_pushcclosure(L, text_load, 1);
	lua_setfield(L, -2, "load");
	for (size_t i = 0; unsafe_globals[i]; i++) {
		lua_pushnil(L);
		lua_setfield(L, -2, unsafe_globals[i]);
	}
	lua_newtable(L);
	lua_pushcfunction(L, global_index);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_pop(L, 1);
}

/* Memory a state may use: the allocator's budget, its user data. */
struct budget {
	size_t used, limit;
};

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct budget *b = ud;
	size_t old = ptr ? osize : 0;
	if (!nsize) {
		b->used -= old;
		free(ptr);
		return NULL;
	}
	if (nsize > old && b->used + (nsize - old) > b->limit)
		return NULL; /* Lua's "not enough memory", an error the script gets */
	void *p = realloc(ptr, nsize);
	if (p)
		b->used = b->used - old + nsize;
	return p;
}

lua_State *xs_lua_new_bare(size_t bytes)
{
	struct budget *b = xs_calloc(1, sizeof(*b));
	b->limit = bytes;
	lua_State *L = lua_newstate(budget_alloc, b);
	if (!L)
		free(b);
	return L;
}

static void too_many_steps(lua_State *L, lua_Debug *ar)
{
	(void)ar;
	luaL_error(L, "stopped after %d Lua instructions (a loop that never ends?)", XS_LUA_CHUNK_STEPS);
}

void xs_lua_limit_steps(lua_State *L, bool on)
{
	lua_sethook(L, on ? too_many_steps : NULL, on ? LUA_MASKCOUNT : 0, XS_LUA_CHUNK_STEPS);
	lua_pushinteger(L, on ? 0 : -1);
	lua_setfield(L, LUA_REGISTRYINDEX, HOST_CALLS_KEY);
}

lua_State *xs_lua_new(struct xs_ctx *ctx)
{
	lua_State *L = xs_lua_new_bare(XS_LUA_MEMORY);
	if (!L)
		abort(); /* as xs_malloc does */
	open_sandbox(L, ctx->o.datadir);
	lua_pushlightuserdata(L, ctx);
	lua_setfield(L, LUA_REGISTRYINDEX, CTX_KEY);
	luaL_requiref(L, "xstrap.core", open_core, 0);
	lua_pop(L, 1);
	xs_lua_set_host(L, XS_LUA_HOST_NONE);
	return L;
}


void xs_lua_free(lua_State *L)
{
	if (!L)
		return;
	void *budget = NULL;
	lua_getallocf(L, &budget);
	lua_close(L);
	free(budget);
}

int xs_lua_dofile(struct xs_ctx *ctx, lua_State *L, const char *path, int nresults)
{
	/* text only: a precompiled chunk can break the VM's invariants */
	int r = 0;
	xs_lua_limit_steps(L, true);
	if (luaL_loadfilex(L, path, "t") != LUA_OK || lua_pcall(L, 0, nresults, 0) != LUA_OK) {
		r = xs_fail(&ctx->log, EINVAL, "%s", lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	xs_lua_limit_steps(L, false);
	return r;
}

int xs_lua_push_module(struct xs_ctx *ctx, lua_State *L)
{
	lua_getglobal(L, "require");
	lua_pushstring(L, "xstrap");
	if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
		int r = xs_fail(&ctx->log, EINVAL, "the xstrap Lua module: %s", lua_tostring(L, -1));
		lua_pop(L, 1);
		return r;
	}
	return 0;
}

int xs_lua_call_hook(struct xs_ctx *ctx, lua_State *L, const char *path)
{
	int r = xs_lua_push_module(ctx, L);
	if (r < 0) {
		lua_pop(L, 1);
		return r;
	}
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		r = xs_fail(&ctx->log, EINVAL, "hook %s failed: %s", path, lua_tostring(L, -1));
		lua_pop(L, 1);
	}
	return r;
}
