/* util.h - allocation that cannot fail silently, strings, files, digests. */
#ifndef XS_UTIL_H
#define XS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define XS_SHA256_HEX 65
#define XS_MD5_HEX 33

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(xs_freep)
#define _cleanup_close_ _cleanup_(xs_closep)
static inline void xs_freep(void *p) { free(*(void **)p); }
void xs_closep(int *fd);

void *xs_malloc(size_t n);
void *xs_calloc(size_t n, size_t m);
void *xs_realloc(void *p, size_t n);
char *xs_strdup(const char *s);
char *xs_strndup(const char *s, size_t n);
char *xs_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* PATH made absolute against the working directory (not resolved). */
char *xs_absolute(const char *path);

/* A growable byte buffer, NUL-terminated for convenience. */
struct xs_buf {
	char *data;
	size_t len, cap;
};
void xs_buf_add(struct xs_buf *b, const void *p, size_t n);
void xs_buf_addstr(struct xs_buf *b, const char *s);
void xs_buf_printf(struct xs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xs_buf_free(struct xs_buf *b);

int xs_read_file(const char *path, struct xs_buf *out);
/* Writes PATH through WRITER into a temporary file renamed over it, so a
 * reader (another run sharing the cache) never sees half of it. */
int xs_write_atomically(const char *path, void (*writer)(FILE *, void *), void *arg);
/* Writes all LEN bytes of DATA to FD (short writes continued): 0 or -errno. */
/* PATH becomes a file holding DATA, atomically (xs_write_atomically). */
int xs_write_file_atomically(const char *path, const void *data, size_t len);
int xs_write_all(int fd, const void *data, size_t len);
int xs_write_file_at(int dirfd, const char *path, const void *data, size_t len, int mode);
int xs_mkdir_p(const char *path, int mode);
int xs_rm_rf(const char *path);
/* NAME (one component) below DIRFD; symlinks are removed, never followed. */
int xs_rm_rf_at(int dirfd, const char *name);

/* Temporary paths removed on every exit, signals included: temporary
 * keyrings, the --format=tar work tree and archive. xs_cleanup_add returns
 * a slot (or -errno when all are taken: then only the normal exit path
 * removes it); xs_cleanup_drop forgets it once its owner removed it.
 * xs_cleanup_run removes what is registered and is async-signal-safe (for
 * the signal handler): it only uses system calls, never follows a symlink
 * and never leaves the file system a path starts on. */
int xs_cleanup_add(const char *path);
void xs_cleanup_drop(int slot);
void xs_cleanup_run(void);

/* Digests through OpenSSL's EVP (libcrypto), so no hand-written hash code. */
struct xs_digest;
struct xs_digest *xs_digest_new_sha256(void);
struct xs_digest *xs_digest_new_md5(void);
void xs_digest_add(struct xs_digest *d, const void *p, size_t n);
/* Writes the hex digest (65 or 33 bytes with NUL) and frees d. */
void xs_digest_final(struct xs_digest *d, char *hex);
void xs_digest_abort(struct xs_digest *d);
int xs_sha256_file(const char *path, char hex[XS_SHA256_HEX]);
/* Hashes what is left of FD from its offset to its end; 0 or -errno. */
int xs_sha256_fd(int fd, char hex[XS_SHA256_HEX]);
void xs_sha256_mem(const void *p, size_t n, char hex[XS_SHA256_HEX]);

bool xs_str_startswith(const char *s, const char *prefix);
bool xs_str_endswith(const char *s, const char *suffix);
/* TMPL with each variable reference replaced by VALUE(ARG, NAME): with
 * OPEN '$', $NAME and ${NAME}; with OPEN '#', #NAME# (FAI's fcopy
 * templates). NAME is letters, digits and _; a delimiter that starts no
 * name stays. Returns a new string, or NULL with *unknown set to the first
 * name VALUE has no value for (the caller frees it). */
char *xs_expand(const char *tmpl, char open, const char *(*value)(void *arg, const char *name), void *arg,
		char **unknown);
/* xs_expand with '$', each value from VARS, a NULL-terminated list of
 * name, value pairs. */
char *xs_expand_vars(const char *tmpl, const char *const *vars, char **unknown);
double xs_now(void);

#endif
