#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Extraction workers report progress too: one lock keeps lines whole. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void xs_log_init(struct xs_log *l, enum xs_level level)
{
	memset(l, 0, sizeof(*l));
	l->level = level;
	l->tty = isatty(STDERR_FILENO);
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

static void emit(struct xs_log *l, const char *prefix, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&log_lock);
	if (l->progress_open) {
		fputs("\r\033[K", stderr);
		l->progress_open = false;
	}
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

void xs_info(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	if (l->level < XS_NORMAL)
		return;
	va_start(ap, fmt);
	emit(l, "", fmt, ap);
	va_end(ap);
}

void xs_debug(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	if (l->level < XS_VERBOSE)
		return;
	va_start(ap, fmt);
	emit(l, "xstrap: ", fmt, ap);
	va_end(ap);
}

void xs_warn(struct xs_log *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit(l, "xstrap: warning: ", fmt, ap);
	va_end(ap);
}

void xs_progress(struct xs_log *l, const char *what, uint64_t done, uint64_t total,
		 const char *unit)
{
	if (l->level < XS_NORMAL || !l->tty)
		return;
	pthread_mutex_lock(&log_lock);
	if (unit && !strcmp(unit, "MB"))
		fprintf(stderr, "\r\033[K%s %.1f/%.1f MB", what, done / 1e6, total / 1e6);
	else
		fprintf(stderr, "\r\033[K%s %llu/%llu %s", what, (unsigned long long)done,
			(unsigned long long)total, unit ? unit : "");
	l->progress_open = true;
	pthread_mutex_unlock(&log_lock);
}

void xs_progress_end(struct xs_log *l)
{
	pthread_mutex_lock(&log_lock);
	if (l->progress_open) {
		fputs("\r\033[K", stderr);
		l->progress_open = false;
	}
	pthread_mutex_unlock(&log_lock);
}
