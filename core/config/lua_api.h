/* lua_api.h - the `xstrap` module every class script and hook sees: build
 * facts, classes, options, file operations confined to the target,
 * commands in the target or on the host, package queries, logging. */
#ifndef XS_LUA_API_H
#define XS_LUA_API_H

#include "context.h"

struct lua_State;

/* A Lua state for config-space scripts: the sandbox (no io, no os but
 * its clock, no debug, no C modules, no binary chunks; xstrap-hooks(5),
 * SANDBOX), require on DATADIR/lua, `xstrap.core` bound to CTX (which
 * must outlive the state). */
struct lua_State *xs_lua_new(struct xs_ctx *ctx);

/* What the x.* host calls may do for the script that runs next: nothing,
 * read the host (x.host_read, x.host_dmesg: class scripts), or also run
 * host programs (x.run_host: a hook that declares host = true). */
enum xs_lua_host { XS_LUA_HOST_NONE, XS_LUA_HOST_READ, XS_LUA_HOST_ALL };
void xs_lua_set_host(struct lua_State *L, enum xs_lua_host level);
void xs_lua_free(struct lua_State *L);

/* Limits: the memory of a config state, the instructions of a chunk run
 * by xs_lua_dofile (a class script, a package list, a hook's top level;
 * not a hook's run function). */
#define XS_LUA_MEMORY (256u << 20)
#define XS_LUA_CHUNK_STEPS 10000000
/* ... and after this many host calls (x.host_read, x.host_dmesg,
 * x.run_host), each a system call or a process rather than an instruction */
#define XS_LUA_CHUNK_HOST_CALLS 10000
/* A Lua state without libraries that may use at most BYTES of memory
 * (free it with xs_lua_free). */
struct lua_State *xs_lua_new_bare(size_t bytes);
/* Stops the code run on L after XS_LUA_CHUNK_STEPS instructions (ON), or
 * no longer. */
void xs_lua_limit_steps(struct lua_State *L, bool on);

/* Runs the chunk in PATH. With NRESULTS = 1 its return value stays on the
 * stack. A Lua error becomes an xs_fail naming the script and line. */
int xs_lua_dofile(struct xs_ctx *ctx, struct lua_State *L, const char *path, int nresults);
/* Calls the function on top of the stack with the module as argument. */
int xs_lua_call_hook(struct xs_ctx *ctx, struct lua_State *L, const char *path);
/* Pushes the module table (require "xstrap"). */
int xs_lua_push_module(struct xs_ctx *ctx, struct lua_State *L);

#endif
