/* log.h - how the library talks to its caller: the first error kept for
 * the caller to report, and messages (info, debug, warnings, progress)
 * handed to a sink the caller sets. The library itself never prints. */
#ifndef XS_LOG_H
#define XS_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum xs_level { XS_QUIET = 0, XS_NORMAL = 1, XS_VERBOSE = 2 };

enum xs_log_kind {
	XS_LOG_INFO,
	XS_LOG_DEBUG,
	XS_LOG_WARN,
	XS_LOG_PROGRESS,     /* a status line that replaces the previous one */
	XS_LOG_PROGRESS_END, /* the status line is done (TEXT is "") */
};

/* Receives one message (no trailing newline); calls are serialized. */
typedef void (*xs_log_sink)(void *data, enum xs_log_kind kind, const char *text);

struct xs_log {
	enum xs_level level;
	xs_log_sink sink; /* NULL: messages are dropped */
	void *sink_data;
	bool progress;    /* the sink wants status lines (a terminal) */
	char err[4096];   /* the first error, in words a user can act on */
};

/* Records the error text; the caller reports it once. Returns -code (code>0). */
int xs_fail(struct xs_log *l, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends to the error kept (a hint where the failing code knows too
 * little to say what to do). */
void xs_fail_hint(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_info(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_debug(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_warn(struct xs_log *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A status line ("Extracting 12.0/80.5 MB"); nothing when quiet or when
 * the sink does not want them. */
void xs_progress(struct xs_log *l, const char *what, uint64_t done, uint64_t total,
		 const char *unit);
void xs_progress_end(struct xs_log *l);
/* LEVEL, no error, no sink (silent) until xs_log_set_sink. */
void xs_log_init(struct xs_log *l, enum xs_level level);
void xs_log_set_sink(struct xs_log *l, xs_log_sink sink, void *data, bool progress);

#endif
