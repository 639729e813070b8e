/* util.c - allocation, strings, files, digests. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

void xs_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static void oom(void)
{
	fputs("xstrap: error: out of memory\n", stderr);
	abort();
}

void *xs_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xs_calloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

void *xs_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xs_strdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		oom();
	return d;
}

char *xs_strndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		oom();
	return d;
}

char *xs_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

void xs_buf_add(struct xs_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xs_realloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void xs_buf_addstr(struct xs_buf *b, const char *s)
{
	xs_buf_add(b, s, strlen(s));
}

void xs_buf_printf(struct xs_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	xs_buf_addstr(b, s);
	free(s);
}

void xs_buf_free(struct xs_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

int xs_read_file(const char *path, struct xs_buf *out)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			close(fd);
			return e;
		}
		if (!n)
			break;
		xs_buf_add(out, chunk, n);
	}
	if (!out->data)
		xs_buf_add(out, "", 0);
	close(fd);
	return 0;
}

int xs_write_atomically(const char *path, void (*writer)(FILE *, void *), void *arg)
{
	/* a name of this process alone, created exclusively: never a file or
	 * a symlink someone else put there */
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp.%d", path, getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0) /* left by a killed run with our pid */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		int e = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return e;
	}
	writer(f, arg);
	bool bad = ferror(f);
	if (fclose(f) || bad || rename(tmp, path) < 0) {
		int e = bad ? -EIO : -errno;
		unlink(tmp);
		return e;
	}
	return 0;
}

struct blob {
	const void *data;
	size_t len;
};

static void write_blob(FILE *f, void *arg)
{
	const struct blob *b = arg;
	fwrite(b->data, 1, b->len, f);
}

int xs_write_file_atomically(const char *path, const void *data, size_t len)
{
	struct blob b = { data, len };
	return xs_write_atomically(path, write_blob, &b);
}

int xs_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int xs_write_file_at(int dirfd, const char *path, const void *data, size_t len, int mode)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	int r = xs_write_all(fd, data, len);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (fchmod(fd, mode) < 0 || close(fd) < 0)
		return -errno;
	return 0;
}

int xs_mkdir_p(const char *path, int mode)
{
	if (!*path)
		return -ENOENT;
	_cleanup_free_ char *p = xs_strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0) {
		struct stat st;
		if (errno != EEXIST)
			return -errno;
		if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			return -EEXIST; /* as mkdir -p says of a file in the way */
	}
	return 0;
}

static int rm_rf_at(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int e = rm_rf_at(fd, de->d_name);
		if (e < 0 && !r)
			r = e;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && !r)
		r = -errno;
	return r;
}

int xs_rm_rf(const char *path)
{
	return rm_rf_at(AT_FDCWD, path);
}

int xs_rm_rf_at(int dirfd, const char *name)
{
	return rm_rf_at(dirfd, name);
}

enum { CLEANUP_SLOTS = 64 };
enum { SLOT_FREE, SLOT_WRITING, SLOT_ARMED };
static char cleanup_path[CLEANUP_SLOTS][PATH_MAX];
static atomic_int cleanup_state[CLEANUP_SLOTS];

char *xs_absolute(const char *path)
{
	if (path[0] == '/')
		return xs_strdup(path);
	_cleanup_free_ char *cwd = getcwd(NULL, 0);
	return xs_asprintf("%s/%s", cwd ? cwd : ".", path);
}

int xs_cleanup_add(const char *path)
{
	char abs[PATH_MAX];
	if (path[0] != '/') {
		/* the handler must not depend on the working directory */
		if (!getcwd(abs, sizeof(abs)))
			return -errno;
		size_t n = strlen(abs);
		if ((size_t)snprintf(abs + n, sizeof(abs) - n, "/%s", path) >= sizeof(abs) - n)
			return -ENAMETOOLONG;
		path = abs;
	} else if (strlen(path) >= PATH_MAX) {
		return -ENAMETOOLONG;
	}
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		int expect = SLOT_FREE;
		if (atomic_compare_exchange_strong(&cleanup_state[i], &expect, SLOT_WRITING)) {
			strcpy(cleanup_path[i], path);
			atomic_store(&cleanup_state[i], SLOT_ARMED);
			return i;
		}
	}
	return -ENOSPC;
}

void xs_cleanup_drop(int slot)
{
	if (slot >= 0 && slot < CLEANUP_SLOTS)
		atomic_store(&cleanup_state[slot], SLOT_FREE);
}

/* rm -rf NAME below DFD with system calls only (no malloc, no stdio), for
 * the signal handler; a directory on another file system than DEV (a mount)
 * is not entered. Returns true when NAME is gone. */
static bool rm_tree_sigsafe(int dfd, const char *name, dev_t dev, int depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) == 0;
	int fd = st.st_dev == dev && depth < 256 ? openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
						  : -1;
	if (fd >= 0) {
		char buf[2048] __attribute__((aligned(8)));
		/* entries vanish while the directory is read: read it again
		 * from the start while a pass still removes something */
		for (bool removed = true; removed;) {
			removed = false;
			lseek(fd, 0, SEEK_SET);
			ssize_t n;
			while ((n = getdents64(fd, buf, sizeof(buf))) > 0)
				for (ssize_t off = 0; off < n;) {
					struct dirent64 *d = (struct dirent64 *)(buf + off);
					off += d->d_reclen;
					const char *e = d->d_name;
					if (e[0] == '.' && (!e[1] || (e[1] == '.' && !e[2])))
						continue;
					removed |= rm_tree_sigsafe(fd, e, dev, depth + 1);
				}
		}
		close(fd);
	}
	return unlinkat(dfd, name, AT_REMOVEDIR) == 0;
}

void xs_cleanup_run(void)
{
	int saved = errno;
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		struct stat st;
		if (atomic_load(&cleanup_state[i]) == SLOT_ARMED && lstat(cleanup_path[i], &st) == 0)
			rm_tree_sigsafe(AT_FDCWD, cleanup_path[i], st.st_dev, 0);
	}
	errno = saved;
}

struct xs_digest {
	EVP_MD_CTX *c;
};

/* OpenSSL's EVP picks the CPU's SHA instructions (SHA-NI, ARMv8 crypto)
 * where they exist: a 50 MB file in 50 ms, where libsolv's portable SHA256
 * took 263 ms on the build machine (best of 5 each). */
static struct xs_digest *digest_new(const EVP_MD *md)
{
	struct xs_digest *d = xs_malloc(sizeof(*d));
	d->c = EVP_MD_CTX_new();
	if (!d->c || EVP_DigestInit_ex(d->c, md, NULL) != 1)
		oom(); /* only allocation can fail for a built-in digest */
	return d;
}

struct xs_digest *xs_digest_new_sha256(void) { return digest_new(EVP_sha256()); }
struct xs_digest *xs_digest_new_md5(void) { return digest_new(EVP_md5()); }

void xs_digest_add(struct xs_digest *d, const void *p, size_t n)
{
	EVP_DigestUpdate(d->c, p, n);
}

void xs_digest_final(struct xs_digest *d, char *hex)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestFinal_ex(d->c, raw, &len);
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[2 * len] = 0;
	xs_digest_abort(d);
}

void xs_digest_abort(struct xs_digest *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->c);
	free(d);
}

int xs_sha256_fd(int fd, char hex[XS_SHA256_HEX])
{
	char chunk[65536];
	struct xs_digest *d = xs_digest_new_sha256();
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			xs_digest_abort(d);
			return e;
		}
		if (!n)
			break;
		xs_digest_add(d, chunk, n);
	}
	xs_digest_final(d, hex);
	return 0;
}

int xs_sha256_file(const char *path, char hex[XS_SHA256_HEX])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = xs_sha256_fd(fd, hex);
	close(fd);
	return r;
}

void xs_sha256_mem(const void *p, size_t n, char hex[XS_SHA256_HEX])
{
	struct xs_digest *d = xs_digest_new_sha256();
	xs_digest_add(d, p, n);
	xs_digest_final(d, hex);
}

bool xs_str_startswith(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool xs_str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char *xs_expand(const char *tmpl, char open, const char *(*value)(void *arg, const char *name), void *arg,
		char **unknown)
{
	struct xs_buf b = { 0 };
	xs_buf_addstr(&b, "");
	for (const char *p = tmpl; *p;) {
		const char *d = strchr(p, open);
		if (!d) {
			xs_buf_addstr(&b, p);
			break;
		}
		xs_buf_add(&b, p, d - p);
		bool braced = open == '$' && d[1] == '{';
		const char *name = d + 1 + braced, *end = name;
		while (name_char(*end))
			end++;
		const char *close = open == '#' ? "#" : braced ? "}" : "";
		size_t cl = strlen(close);
		if (end == name || strncmp(end, close, cl)) {
			xs_buf_add(&b, &open, 1);
			p = d + 1;
			continue;
		}
		_cleanup_free_ char *n = xs_strndup(name, end - name);
		const char *v = value(arg, n);
		if (!v) {
			*unknown = xs_strdup(n);
			xs_buf_free(&b);
			return NULL;
		}
		xs_buf_addstr(&b, v);
		p = end + cl;
	}
	return b.data;
}

static const char *pair_value(void *arg, const char *name)
{
	const char *const *vars = arg;
	for (size_t i = 0; vars[i]; i += 2)
		if (!strcmp(vars[i], name))
			return vars[i + 1];
	return NULL;
}

char *xs_expand_vars(const char *tmpl, const char *const *vars, char **unknown)
{
	return xs_expand(tmpl, '$', pair_value, (void *)vars, unknown);
}

double xs_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
