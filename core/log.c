/* log.c - errors kept for the caller, messages handed to the caller's sink. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Extraction workers log too: one lock keeps the sink's calls apart. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void xs_log_init(struct xs_log *l, enum xs_level level)
{
	memset(l, 0, sizeof(*l));
	l->level = level;
}

void xs_log_set_sink(struct xs_log *l, xs_log_sink sink, void *data, bool progress)
{
	l->sink = sink;
	l->sink_data = data;
	l->progress = progress;
}

int xs_fail(struct xs_log *l, int code, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&log_lock);
	/* Keep the first error: it is the cause, later ones are consequences. */
	if (!l->err[0]) {
		va_start(ap, fmt);
		vsnprintf(l->err, sizeof(l->err), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&log_lock);
	return code > 0 ? -code : code;
}

void xs_fail_hint(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&log_lock);
	size_t used = strlen(l->err);
	if (used && used + 1 < sizeof(l->err)) {
		va_start(ap, fmt);
		vsnprintf(l->err + used, sizeof(l->err) - used, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&log_lock);
}

static void emit(struct xs_log *l, enum xs_log_kind kind, const char *fmt, va_list ap)
{
	if (!l->sink)
		return;
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	pthread_mutex_lock(&log_lock);
	l->sink(l->sink_data, kind, text);
	pthread_mutex_unlock(&log_lock);
	free(text);
}

void xs_info(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	if (l->level < XS_NORMAL)
		return;
	va_start(ap, fmt);
	emit(l, XS_LOG_INFO, fmt, ap);
	va_end(ap);
}

void xs_debug(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	if (l->level < XS_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(l, XS_LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void xs_warn(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(l, XS_LOG_WARN, fmt, ap);
	va_end(ap);
}

static void emit_kind(struct xs_log *l, enum xs_log_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(l, kind, fmt, ap);
	va_end(ap);
}

void xs_progress(struct xs_log *l, const char *what, uint64_t done, uint64_t total,
		 const char *unit)
{
	if (l->level < XS_NORMAL || !l->progress)
		return;
	if (unit && !strcmp(unit, "MB"))
		emit_kind(l, XS_LOG_PROGRESS, "%s %.1f/%.1f MB", what, done / 1e6, total / 1e6);
	else
		emit_kind(l, XS_LOG_PROGRESS, "%s %llu/%llu %s", what, (unsigned long long)done,
			  (unsigned long long)total, unit ? unit : "");
}

void xs_progress_end(struct xs_log *l)
{
	if (l->progress)
		emit_kind(l, XS_LOG_PROGRESS_END, "%s", "");
}
