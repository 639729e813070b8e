/* unit.h - what every unit test needs besides cmocka: scratch directories
 * that disappear afterwards, whole-file reads and writes, and an assertion
 * that a message contains a phrase (errors are judged by what they say).
 *
 * Note: the Makefile does not list this header as a dependency of the
 * tests; after changing it, rebuild with "make -B unit". */
#ifndef XS_UNIT_H
#define XS_UNIT_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* Fails the test unless HAY contains NEEDLE, showing both. */
#define assert_contains(hay, needle)                                                      \
	do {                                                                              \
		const char *h_ = (hay), *n_ = (needle);                                   \
		if (!h_ || !strstr(h_, n_))                                               \
			fail_msg("expected \"%s\" in \"%s\"", n_, h_ ? h_ : "(null)");    \
	} while (0)

#define assert_not_contains(hay, needle)                                                  \
	do {                                                                              \
		const char *h_ = (hay), *n_ = (needle);                                   \
		if (h_ && strstr(h_, n_))                                                 \
			fail_msg("did not expect \"%s\" in \"%s\"", n_, h_);              \
	} while (0)

/* A fresh directory /tmp/xs-unit-TAG-XXXXXX; caller frees (and removes). */
static inline char *ut_tmpdir(const char *tag)
{
	char *d = xs_asprintf("/tmp/xs-unit-%s-XXXXXX", tag);
	if (!mkdtemp(d))
		fail_msg("mkdtemp %s: %s", d, strerror(errno));
	return d;
}

/* Writes TEXT to PATH (created or truncated), failing the test on error. */
static inline void ut_write_len(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	if (len && fwrite(data, 1, len, f) != len)
		fail_msg("cannot write %s", path);
	if (fclose(f))
		fail_msg("cannot close %s: %s", path, strerror(errno));
}

static inline void ut_write(const char *path, const char *text)
{
	ut_write_len(path, text, strlen(text));
}

/* The whole file, NUL-terminated, or NULL when it cannot be read. */
static inline char *ut_read(const char *path, size_t *len)
{
	struct xs_buf b = { 0 };
	if (xs_read_file(path, &b) < 0) {
		xs_buf_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.data;
}

static inline char *ut_path(const char *dir, const char *rel)
{
	return xs_asprintf("%s/%s", dir, rel);
}

static inline bool ut_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Fails unless PATH holds exactly TEXT. */
static inline void ut_assert_file(const char *path, const char *text)
{
	size_t len = 0;
	char *got = ut_read(path, &len);
	if (!got)
		fail_msg("%s: expected a file holding \"%s\", found none", path, text);
	if (len != strlen(text) || memcmp(got, text, len))
		fail_msg("%s: expected \"%s\", found \"%s\"", path, text, got);
	free(got);
}

#endif
