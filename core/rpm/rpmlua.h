/* rpmlua.h - rpm's Lua scriptlets, run with the `posix` and `rpm` modules
 * rpm gives them. Call only inside the target (a chrooted child). */
#ifndef XS_RPMLUA_H
#define XS_RPMLUA_H

/* Runs SCRIPT as the scriptlet NAME with arg = {NAME, ARG1, ARG2} (an
 * argument below 0 is left out). Returns 0, or 1 with the error on
 * stderr. */
int xs_rpmlua_run(const char *name, const char *script, int arg1, int arg2);

#endif
