/* completion.h - the bash completion script, written from the option table.
 *
 * `xstrap --bash-completion` prints it; `make install` and the packages
 * install what the built binary printed. */
#ifndef XS_COMPLETION_H
#define XS_COMPLETION_H

#include <stdio.h>

#include "log.h"

/* One command-line option as the completion offers it. */
struct xs_completion_opt {
	const char *name; /* long name, without "--" */
	char short_name;  /* 0: none */
	const char *arg;  /* the value's name (FILE and DIR complete paths); NULL: none */
};

/* Writes the script to OUT: the options, the SUBCOMMANDS (NULL-ended),
 * the variants, the hook stages and the suites named in DATADIR/repos/\*.conf.
 * 0, or -errno with a message in LOG (DATADIR/repos unreadable). */
int xs_completion_bash(FILE *out, const struct xs_completion_opt *opts, size_t n_opts,
		       const char *const *subcommands, const char *datadir, struct xs_log *log);

#endif
