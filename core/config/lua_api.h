/* lua_api.h - the `xstrap` module every class script and hook sees: build
 * facts, classes, options, file operations confined to the target,
 * commands in the target or on the host, package queries, logging. */
#ifndef XS_LUA_API_H
#define XS_LUA_API_H

#include "context.h"

struct lua_State;

/* A Lua state with package.path on DATADIR/lua and `xstrap.core` bound to
 * CTX (which must outlive the state). */
struct lua_State *xs_lua_new(struct xs_ctx *ctx);
void xs_lua_free(struct lua_State *L);

/* Runs the chunk in PATH. With NRESULTS = 1 its return value stays on the
 * stack. A Lua error becomes an xs_fail naming the script and line. */
int xs_lua_dofile(struct xs_ctx *ctx, struct lua_State *L, const char *path, int nresults);
/* Calls the function on top of the stack with the module as argument. */
int xs_lua_call_hook(struct xs_ctx *ctx, struct lua_State *L, const char *path);
/* Pushes the module table (require "xstrap"). */
int xs_lua_push_module(struct xs_ctx *ctx, struct lua_State *L);

#endif
