/* config_space.c - the FAI-style config space: class scripts, package lists, files, stage hooks. */
#include "config_space.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>

#include "confine.h"
#include "family.h"
#include "lua_api.h"
#include "target.h"
#include "util.h"

const char *const xs_stages[] = { "setup", "extract", "configure", "customize", "cleanup", NULL };

struct script {
	char *name;   /* file name: what a later space overrides */
	char *path;
	char *origin; /* "built-in", "config space DIR", "--hook" */
	bool lua;
	bool overrides;
	bool loaded;
	bool match_all; /* match = "all": every class of the list, not any one */
	bool host;      /* host = true: may use the x.* host calls */
	bool have_meta; /* classes, match and host are read */
	int ref;        /* the hook's table in the registry */
	struct xs_strlist classes;
};

struct script_list {
	struct script *v;
	size_t n;
};

struct xs_config {
	lua_State *L;
	struct xs_strlist spaces; /* built-in first */
	struct script_list classes;
	struct script_list hooks[5];
};

static void scripts_free(struct script_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
		free(l->v[i].origin);
		xs_strlist_free(&l->v[i].classes);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void xs_config_free(struct xs_ctx *ctx)
{
	struct xs_config *c = ctx->config;
	if (!c)
		return;
	xs_lua_free(c->L);
	xs_strlist_free(&c->spaces);
	scripts_free(&c->classes);
	for (int i = 0; i < 5; i++)
		scripts_free(&c->hooks[i]);
	free(c);
	ctx->config = NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct script *)a)->name, ((const struct script *)b)->name);
}

static void add_script(struct script_list *l, const char *dir, const char *name, const char *origin,
		       bool lua)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name)) {
			free(l->v[i].path);
			free(l->v[i].origin);
			l->v[i].path = xs_asprintf("%s/%s", dir, name);
			l->v[i].origin = xs_strdup(origin);
			l->v[i].overrides = true;
			return;
		}
	l->v = xs_realloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct script *s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->name = xs_strdup(name);
	s->path = xs_asprintf("%s/%s", dir, name);
	s->origin = xs_strdup(origin);
	s->lua = lua;
	s->ref = LUA_NOREF;
}

/* Scripts are NN-name.lua; an editor's backup or a README is not one. */
static void scan(struct script_list *l, const char *dir, const char *origin)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) && xs_str_endswith(de->d_name, ".lua"))
			add_script(l, dir, de->d_name, origin, true);
	closedir(d);
	qsort(l->v, l->n, sizeof(*l->v), by_name);
}

static int stage_index(const char *stage)
{
	for (int i = 0; xs_stages[i]; i++)
		if (!strcmp(xs_stages[i], stage))
			return i;
	return -1;
}

static char *upper(const char *s)
{
	char *u = xs_strdup(s);
	for (char *p = u; *p; p++)
		*p = *p == '-' || *p == '.' ? '_' : toupper((unsigned char)*p);
	return u;
}

static void add_class(struct xs_ctx *ctx, const char *name)
{
	if (!xs_strlist_has(&ctx->o.classes, name))
		xs_strlist_add(&ctx->o.classes, name);
}

/* A class script returns an array of class names. */
static int run_class_script(struct xs_ctx *ctx, struct script *s)
{
	lua_State *L = ctx->config->L;
	xs_lua_set_host(L, XS_LUA_HOST_READ);
	int r = xs_lua_dofile(ctx, L, s->path, 1);
	xs_lua_set_host(L, XS_LUA_HOST_NONE);
	if (r < 0)
		return r;
	if (lua_istable(L, -1)) {
		for (size_t i = 1; i <= lua_rawlen(L, -1); i++) {
			lua_rawgeti(L, -1, i);
			if (!lua_isstring(L, -1)) {
				lua_pop(L, 2);
				return xs_fail(&ctx->log, EINVAL, "%s: expected class names (strings) in the returned list, found a %s",
					       s->path, luaL_typename(L, -1));
			}
			add_class(ctx, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, -1)) {
		r = xs_fail(&ctx->log, EINVAL, "%s: expected the script to return a list of class names, found a %s",
			    s->path, luaL_typename(L, -1));
	}
	lua_pop(L, 1);
	return r;
}

static void names_from(lua_State *L, int idx, const char *field, struct xs_strlist *out)
{
	lua_getfield(L, idx, field);
	if (lua_istable(L, -1))
		for (size_t i = 1; i <= lua_rawlen(L, -1); i++) {
			lua_rawgeti(L, -1, i);
			if (lua_isstring(L, -1) && !xs_strlist_has(out, lua_tostring(L, -1)))
				xs_strlist_add(out, lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	lua_pop(L, 1);
}

/* packages/CLASS.lua of the last space that has one, for each class set. */
static int apply_package_lists(struct xs_ctx *ctx)
{
	struct xs_config *c = ctx->config;
	for (size_t k = 0; k < ctx->o.classes.n; k++) {
		_cleanup_free_ char *path = NULL;
		for (size_t s = c->spaces.n; s-- > 0 && !path;) {
			char *p = xs_asprintf("%s/packages/%s.lua", c->spaces.v[s], ctx->o.classes.v[k]);
			if (!access(p, R_OK))
				path = p;
			else
				free(p);
		}
		if (!path)
			continue;
		int r = xs_lua_dofile(ctx, c->L, path, 1);
		if (r < 0)
			return r;
		if (!lua_istable(c->L, -1)) {
			lua_pop(c->L, 1);
			return xs_fail(&ctx->log, EINVAL, "%s: expected { include = {...}, exclude = {...} }, found a %s",
				       path, luaL_typename(c->L, -1));
		}
		names_from(c->L, -1, "include", &ctx->o.include);
		names_from(c->L, -1, "exclude", &ctx->o.exclude);
		lua_pop(c->L, 1);
	}
	return 0;
}

int xs_config_load(struct xs_ctx *ctx)
{
	struct xs_config *c = xs_calloc(1, sizeof(*c));
	ctx->config = c;
	c->L = xs_lua_new(ctx);
	xs_strlist_add(&c->spaces, ctx->o.datadir);
	for (size_t i = 0; i < ctx->o.config_spaces.n; i++) {
		struct stat st;
		const char *d = ctx->o.config_spaces.v[i];
		if (stat(d, &st) < 0 || !S_ISDIR(st.st_mode))
			return xs_fail(&ctx->log, ENOENT, "--config-space %s: expected a directory (with classes/, hooks/STAGE/, packages/, files/), found %s",
				       d, errno == ENOENT ? "nothing" : "something else");
		xs_strlist_add(&c->spaces, d);
	}
	for (size_t s = 0; s < c->spaces.n; s++) {
		_cleanup_free_ char *origin = s ? xs_asprintf("config space %s", c->spaces.v[s])
						: xs_strdup("built-in");
		_cleanup_free_ char *cd = xs_asprintf("%s/classes", c->spaces.v[s]);
		scan(&c->classes, cd, origin);
		for (int st = 0; xs_stages[st]; st++) {
			_cleanup_free_ char *hd = xs_asprintf("%s/hooks/%s", c->spaces.v[s], xs_stages[st]);
			scan(&c->hooks[st], hd, origin);
		}
	}
	for (size_t i = 0; i < ctx->o.hook_files.n; i++) {
		const char *spec = ctx->o.hook_files.v[i];
		const char *colon = strchr(spec, ':');
		_cleanup_free_ char *stage = colon ? xs_strndup(spec, colon - spec) : NULL;
		int st = stage ? stage_index(stage) : -1;
		if (st < 0)
			return xs_fail(&ctx->log, EINVAL, "--hook %s: expected STAGE:FILE with STAGE one of setup, extract, configure, customize, cleanup",
				       spec);
		const char *file = colon + 1;
		if (access(file, R_OK) < 0)
			return xs_fail(&ctx->log, ENOENT, "--hook %s: cannot read %s: %s", spec, file, strerror(errno));
		bool lua = xs_str_endswith(file, ".lua");
		if (!lua && access(file, X_OK) < 0)
			return xs_fail(&ctx->log, EACCES, "--hook %s: %s is neither a .lua script nor executable", spec, file);
		struct script_list *l = &c->hooks[st];
		l->v = xs_realloc(l->v, (l->n + 1) * sizeof(*l->v));
		struct script *s = &l->v[l->n++];
		memset(s, 0, sizeof(*s));
		const char *slash = strrchr(file, '/');
		s->name = xs_strdup(slash ? slash + 1 : file);
		s->path = xs_strdup(file);
		s->origin = xs_strdup("--hook");
		s->lua = lua;
		s->ref = LUA_NOREF;
	}
	/* the classes every build has, then --class, then the scripts' */
	struct xs_strlist given = ctx->o.classes;
	memset(&ctx->o.classes, 0, sizeof(ctx->o.classes));
	add_class(ctx, "DEFAULT");
	add_class(ctx, ctx->family->class_name);
	_cleanup_free_ char *su = upper(ctx->o.suite), *au = upper(ctx->o.arch);
	add_class(ctx, su);
	add_class(ctx, au);
	/* A guest without --hostname is called "debian" (main.c); its class
	 * would claim the Debian family for an RPM build. A Debian build has
	 * that class anyway. */
	if (ctx->o.hostname && strcmp(ctx->o.hostname, "debian")) {
		_cleanup_free_ char *hu = upper(ctx->o.hostname);
		add_class(ctx, hu);
	}
	for (size_t i = 0; i < given.n; i++)
		add_class(ctx, given.v[i]);
	xs_strlist_free(&given);
	ctx->stage = "classes";
	for (size_t i = 0; i < c->classes.n; i++) {
		int r = run_class_script(ctx, &c->classes.v[i]);
		if (r < 0)
			return r;
	}
	return apply_package_lists(ctx);
}

/* match = "any" (the default) or "all" */
static int read_match(struct xs_ctx *ctx, lua_State *L, struct script *s)
{
	lua_getfield(L, -1, "match");
	const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
	int r = 0;
	if (m && (!strcmp(m, "all") || !strcmp(m, "any")))
		s->match_all = !strcmp(m, "all");
	else if (!lua_isnil(L, -1))
		r = xs_fail(&ctx->log, EINVAL, "%s: expected match = \"any\" or \"all\" (of its classes), found %s%s%s",
			    s->path, m ? "\"" : "a ", m ? m : luaL_typename(L, -1), m ? "\"" : "");
	lua_pop(L, 1);
	return r;
}

/* The hook's table on top of L: classes, match and host. */
static int read_meta(struct xs_ctx *ctx, lua_State *L, struct script *s)
{
	int r = read_match(ctx, L, s);
	if (r < 0)
		return r;
	lua_getfield(L, -1, "host");
	s->host = lua_toboolean(L, -1);
	bool ok = lua_isnil(L, -1) || lua_isboolean(L, -1);
	lua_pop(L, 1);
	if (!ok)
		return xs_fail(&ctx->log, EINVAL, "%s: expected host = true or false", s->path);
	/* a list of names as written: --list-hooks reads it without running
	 * the hook, where a computed list would come out empty */
	lua_getfield(L, -1, "classes");
	int list = lua_gettop(L);
	ok = lua_isnil(L, list) || (lua_istable(L, list) && !lua_getmetatable(L, list));
	for (size_t i = 1; ok && i <= lua_rawlen(L, list); i++) {
		ok = lua_rawgeti(L, list, i) == LUA_TSTRING;
		lua_pop(L, 1);
	}
	lua_settop(L, list - 1);
	if (!ok)
		return xs_fail(&ctx->log, EINVAL, "%s: expected classes = { \"NAME\", ... }, a list of names written out (--list-hooks reads it without running the hook)",
			       s->path);
	xs_strlist_free(&s->classes);
	names_from(L, -1, "classes", &s->classes);
	s->have_meta = true;
	return 0;
}

/* Loads a Lua hook once: it returns { classes = {...}, match = "all",
 * host = true, run = function }. */
static int load_hook(struct xs_ctx *ctx, struct script *s)
{
	if (s->loaded || !s->lua)
		return 0;
	lua_State *L = ctx->config->L;
	int r = xs_lua_dofile(ctx, L, s->path, 1);
	if (r < 0)
		return r;
	lua_getfield(L, -1, "run");
	bool ok = lua_istable(L, -2) && lua_isfunction(L, -1);
	lua_pop(L, 1);
	if (!ok) {
		r = xs_fail(&ctx->log, EINVAL, "%s: expected the script to return { classes = {...}, run = function(x) ... end }, found a %s",
			    s->path, luaL_typename(L, -1));
		lua_pop(L, 1);
		return r;
	}
	if ((r = read_meta(ctx, L, s)) < 0) {
		lua_pop(L, 1);
		return r;
	}
	s->ref = luaL_ref(L, LUA_REGISTRYINDEX);
	s->loaded = true;
	return 0;
}

/* --- metadata without running the hook ------------------------------------
 * --list-hooks reads classes, match and host from the table a hook
 * returns, in a Lua state of its own that has nothing to act on: no
 * library, no xstrap module, every global (require included) an inert
 * stub that answers every index and call with itself, at most
 * XS_LUA_CHUNK_STEPS instructions and 16 MB of memory. The run function is
 * never called; top-level code that needs a real value fails, and the
 * message says so. */
static int stub_self(lua_State *L)
{
	lua_pushvalue(L, lua_upvalueindex(1));
	return 1;
}

static void push_stub(lua_State *L)
{
	lua_newtable(L);
	lua_newtable(L);
	lua_pushvalue(L, -2);
	lua_pushcclosure(L, stub_self, 1);
	lua_setfield(L, -2, "__index");
	lua_pushvalue(L, -2);
	lua_pushcclosure(L, stub_self, 1);
	lua_setfield(L, -2, "__call");
	lua_setmetatable(L, -2);
}

static int list_meta(struct xs_ctx *ctx, struct script *s)
{
	if (s->have_meta || !s->lua)
		return 0;
	lua_State *M = xs_lua_new_bare(16u << 20);
	if (!M)
		return xs_fail(&ctx->log, ENOMEM, "%s: no memory to read its metadata", s->path);
	xs_lua_limit_steps(M, true);
	int r = 0;
	if (luaL_loadfilex(M, s->path, "t") != LUA_OK) {
		r = xs_fail(&ctx->log, EINVAL, "%s", lua_tostring(M, -1));
	} else {
		push_stub(M);
		lua_setupvalue(M, -2, 1); /* _ENV */
		if (lua_pcall(M, 0, 1, 0) != LUA_OK)
			r = xs_fail(&ctx->log, EINVAL, "%s: cannot read the hook's classes without running it: %s",
				    s->path, lua_tostring(M, -1));
		else if (!lua_istable(M, -1) || lua_getmetatable(M, -1))
			r = xs_fail(&ctx->log, EINVAL, "%s: expected the script to return { classes = {...}, run = function(x) ... end }",
				    s->path);
		else
			r = read_meta(ctx, M, s);
	}
	xs_lua_free(M);
	return r;
}

/* Whether the hook's classes select it: any one of them, or with match =
 * "all" every one; a hook without classes runs in every build. *why is
 * the class that decided: the first one set, or (all) the first not set. */
static bool selected(struct xs_ctx *ctx, const struct script *s, const char **why)
{
	*why = NULL;
	for (size_t i = 0; i < s->classes.n; i++) {
		bool set = xs_strlist_has(&ctx->o.classes, s->classes.v[i]);
		if (set != s->match_all) {
			*why = s->classes.v[i];
			return set;
		}
	}
	return s->match_all || !s->classes.n;
}

static int run_executable(struct xs_ctx *ctx, const struct script *s)
{
	struct xs_buf classes = { 0 };
	for (size_t i = 0; i < ctx->o.classes.n; i++)
		xs_buf_printf(&classes, "%s%s", i ? " " : "", ctx->o.classes.v[i]);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("XSTRAP_TARGET", ctx->o.target, 1);
		setenv("XSTRAP_SUITE", ctx->o.suite, 1);
		setenv("XSTRAP_ARCH", ctx->o.arch, 1);
		setenv("XSTRAP_CLASSES", classes.data ? classes.data : "", 1);
		setenv("XSTRAP_STAGE", ctx->stage, 1);
		setenv("XSTRAP_HOSTNAME", ctx->o.hostname ? ctx->o.hostname : "", 1);
		setenv("XSTRAP_MIRROR", ctx->o.mirror, 1);
		int c = xs_confine(XS_CONFINE_NETWORK);
		if (c < 0) {
			dprintf(STDERR_FILENO, "xstrap: cannot confine hook %s: %s\n", s->path, strerror(-c));
			_exit(126);
		}
		execl(s->path, s->path, ctx->o.target, (char *)NULL);
		dprintf(STDERR_FILENO, "xstrap: cannot run %s: %s\n", s->path, strerror(errno));
		_exit(127);
	}
	xs_buf_free(&classes);
	int st = 0;
	if (pid < 0)
		return xs_fail(&ctx->log, errno, "fork: %s", strerror(errno));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (code)
		return xs_fail(&ctx->log, EIO, "hook %s (stage %s) failed with exit status %d", s->path,
			       ctx->stage, code);
	return 0;
}

/* FAI's fcopy: files/PATH/CLASS becomes PATH when CLASS is set; of
 * several, the class set last wins, and a later space over an earlier. */
static int copy_files(struct xs_ctx *ctx, const char *top, const char *rel)
{
	_cleanup_free_ char *dir = xs_asprintf("%s/%s", top, rel);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	int r = 0;
	long best = -1;
	_cleanup_free_ char *best_path = NULL;
	bool leaf = false;
	while ((de = readdir(d)) && !r) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = xs_asprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			_cleanup_free_ char *sub = *rel ? xs_asprintf("%s/%s", rel, de->d_name)
							: xs_strdup(de->d_name);
			r = copy_files(ctx, top, sub);
			continue;
		}
		leaf = true;
		for (size_t k = 0; k < ctx->o.classes.n; k++)
			if (!strcmp(ctx->o.classes.v[k], de->d_name) && (long)k > best) {
				best = k;
				free(best_path);
				best_path = xs_strdup(p);
			}
	}
	closedir(d);
	if (r || !leaf || !best_path)
		return r;
	struct xs_buf b = { 0 };
	struct stat st;
	if (xs_read_file(best_path, &b) < 0 || stat(best_path, &st) < 0)
		r = xs_fail(&ctx->log, errno, "%s: cannot read: %s", best_path, strerror(errno));
	else if ((r = xs_target_write(ctx->rootfd, rel, b.data, b.len, st.st_mode & 0777)) < 0)
		r = xs_fail(&ctx->log, -r, "%s: cannot copy to /%s in the target: %s", best_path, rel, strerror(-r));
	else
		xs_debug(&ctx->log, "files: /%s from %s", rel, best_path);
	xs_buf_free(&b);
	return r;
}

int xs_config_run_stage(struct xs_ctx *ctx, const char *stage)
{
	struct xs_config *c = ctx->config;
	int st = stage_index(stage);
	if (!c || st < 0)
		return 0;
	ctx->stage = stage;
	int r = 0;
	if (!strcmp(stage, "customize"))
		for (size_t s = 0; s < c->spaces.n && !r; s++) {
			_cleanup_free_ char *top = xs_asprintf("%s/files", c->spaces.v[s]);
			r = copy_files(ctx, top, "");
		}
	for (size_t i = 0; i < c->hooks[st].n && !r; i++) {
		struct script *s = &c->hooks[st].v[i];
		if ((r = load_hook(ctx, s)) < 0)
			break;
		const char *why;
		if (!selected(ctx, s, &why))
			continue;
		xs_debug(&ctx->log, "hook %s: %s", stage, s->path);
		if (!s->lua) {
			r = run_executable(ctx, s);
			continue;
		}
		lua_rawgeti(c->L, LUA_REGISTRYINDEX, s->ref);
		lua_getfield(c->L, -1, "run");
		lua_remove(c->L, -2);
		xs_lua_set_host(c->L, s->host ? XS_LUA_HOST_ALL : XS_LUA_HOST_NONE);
		r = xs_lua_call_hook(ctx, c->L, s->path);
		xs_lua_set_host(c->L, XS_LUA_HOST_NONE);
	}
	return r;
}

/* --list-hooks' reason for running a hook, or for skipping it */
static void print_why(struct xs_ctx *ctx, const struct script *s, FILE *out)
{
	const char *why;
	bool runs = selected(ctx, s, &why);
	if (!s->classes.n) {
		fprintf(out, "runs: every build\n");
	} else if (!s->match_all) {
		if (runs)
			fprintf(out, "runs: class %s\n", why);
		else
			fprintf(out, "skipped: none of its classes is set\n");
	} else {
		struct xs_buf all = { 0 };
		for (size_t k = 0; k < s->classes.n; k++)
			xs_buf_printf(&all, "%s%s", k ? " " : "", s->classes.v[k]);
		if (runs)
			fprintf(out, "runs: classes %s (all set)\n", all.data);
		else
			fprintf(out, "skipped: class %s is not set (it needs all of %s)\n", why, all.data);
		xs_buf_free(&all);
	}
}

int xs_config_list_hooks(struct xs_ctx *ctx, FILE *out)
{
	struct xs_config *c = ctx->config;
	fprintf(out, "classes:");
	for (size_t i = 0; i < ctx->o.classes.n; i++)
		fprintf(out, " %s", ctx->o.classes.v[i]);
	fprintf(out, "\n");
	for (int st = 0; xs_stages[st]; st++) {
		fprintf(out, "%s:\n", xs_stages[st]);
		for (size_t i = 0; i < c->hooks[st].n; i++) {
			struct script *s = &c->hooks[st].v[i];
			int r = list_meta(ctx, s);
			if (r < 0)
				return r;
			fprintf(out, "  %-28s %s  [%s%s%s]  ", s->name, s->path, s->origin,
				s->overrides ? ", replaces an earlier script of that name" : "",
				s->host ? ", host" : "");
			print_why(ctx, s, out);
		}
	}
	return 0;
}
