/* fuzz.h - what the libFuzzer targets share: input as a NUL-terminated
 * string, or as a file at a path (the readers that open by name). */
#ifndef XS_FUZZ_H
#define XS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "txn.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* DATA as a C string (caller frees). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = xs_malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* A scratch directory in /dev/shm, made once per process with SUBDIR
 * inside it and removed at exit: for readers that take a directory. */
static char *fuzz_dir_path;
static inline void fuzz_dir_remove(void)
{
	xs_rm_rf(fuzz_dir_path);
}
static inline const char *fuzz_dir(const char *subdir)
{
	if (!fuzz_dir_path) {
		char tmpl[] = "/dev/shm/xstrap-fuzz.XXXXXX";
		if (!mkdtemp(tmpl))
			abort();
		fuzz_dir_path = xs_strdup(tmpl);
		char *d = xs_asprintf("%s/%s", fuzz_dir_path, subdir);
		mkdir(d, 0700);
		free(d);
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

/* DATA as the file DIR/REL. */
static inline void fuzz_put(const char *dir, const char *rel, const uint8_t *data, size_t size)
{
	char *path = xs_asprintf("%s/%s", dir, rel);
	FILE *f = fopen(path, "we");
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
	}
	free(path);
}

/* DATA as a regular file of the scratch directory, open for reading, its
 * path in *PATH: the cache reader opens packages by path with O_NOFOLLOW,
 * so a /proc/self/fd link would never reach the decoder. */
static inline int fuzz_file(const uint8_t *data, size_t size, char **path)
{
	*path = xs_asprintf("%s/pkg/input", fuzz_dir("pkg"));
	int fd = open(*path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			abort();
		off += w;
	}
	return fd;
}

/* A package record whose file is DATA, as the decoders get it. */
struct fuzz_pkg {
	int fd;
	struct xs_log log;
	struct xs_txn txn; /* one package, so xs_txn_free frees it */
	struct xs_pkg *p;
};

static inline int fuzz_pkg_open(struct fuzz_pkg *f, const uint8_t *data, size_t size)
{
	char *path = NULL;
	f->fd = fuzz_file(data, size, &path);
	if (f->fd < 0)
		return -1;
	xs_log_init(&f->log, XS_QUIET);
	f->txn.n = 1;
	f->txn.v = xs_calloc(1, sizeof(struct xs_pkg));
	f->p = &f->txn.v[0];
	f->p->name = xs_strdup("fuzz");
	f->p->cache_path = path;
	return 0;
}

static inline void fuzz_pkg_close(struct fuzz_pkg *f)
{
	xs_txn_free(&f->txn);
	close(f->fd);
}

#endif
