/* log.h - the one place xstrap talks to the user: errors, progress, info. */
#ifndef XS_LOG_H
#define XS_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum xs_level { XS_QUIET = 0, XS_NORMAL = 1, XS_VERBOSE = 2 };

struct xs_log {
	enum xs_level level;
	bool tty;          /* progress lines are redrawn only on a terminal */
	bool progress_open;
	char err[4096];    /* the last error, in words a user can act on */
};

/* Records the error text; main() prints it once. Returns -code (code>0). */
int xs_fail(struct xs_log *l, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xs_info(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_debug(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_warn(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One redrawn status line on a terminal; nothing when quiet or not a tty. */
void xs_progress(struct xs_log *l, const char *what, uint64_t done, uint64_t total,
		 const char *unit);
void xs_progress_end(struct xs_log *l);
void xs_log_init(struct xs_log *l, enum xs_level level);

#endif
