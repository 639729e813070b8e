/* unit.h - what every unit test needs besides cmocka: scratch directories
 * that disappear afterwards, whole-file reads and writes, and an assertion
 * that a message contains a phrase (errors are judged by what they say),
 * and running the tools that make fixtures (gpg, rpmbuild).
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config_space.h"
#include "context.h"
#include "deb_family.h"
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

/* A fresh scratch directory (see ut_tmpdir) holding an empty root/, the
 * target of a test: sets *top and *root (caller frees and removes *top)
 * and returns root/ opened with FLAGS, or -1. */
static inline int ut_mkroot(const char *tag, char **top, char **root, int flags)
{
	*top = ut_tmpdir(tag);
	*root = xs_asprintf("%s/root", *top);
	if (mkdir(*root, 0755) < 0)
		return -1;
	return open(*root, flags | O_DIRECTORY | O_CLOEXEC);
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

/* Copies the source tree's lua/xstrap.lua ($XSTRAP_TOP, default ".") into
 * DATADIR/lua/: what a built-in space needs for hooks and class scripts. */
static inline void ut_install_lua_module(const char *datadir)
{
	const char *top = getenv("XSTRAP_TOP");
	char *src = xs_asprintf("%s/lua/xstrap.lua", top ? top : ".");
	char *luadir = ut_path(datadir, "lua");
	char *dst = ut_path(datadir, "lua/xstrap.lua");
	size_t len = 0;
	char *text = ut_read(src, &len);
	if (!text)
		fail_msg("cannot read %s (set XSTRAP_TOP to the source tree)", src);
	xs_mkdir_p(luadir, 0755);
	ut_write_len(dst, text, len);
	free(text);
	free(dst);
	free(luadir);
	free(src);
}

/* The context of a build that class scripts and hooks see: bookworm on
 * amd64, quiet, the target ROOT (opened as ctx->rootfd), the built-in
 * space DATADIR with the source tree's lua/xstrap.lua in it. */
static inline void ut_ctx_init(struct xs_ctx *ctx, const char *root, const char *datadir)
{
	xs_log_init(&ctx->log, XS_QUIET);
	ctx->o.suite = xs_strdup("bookworm");
	ctx->o.arch = xs_strdup("amd64");
	ctx->o.mirror = xs_strdup("http://mirror.invalid/debian");
	ctx->o.target = xs_strdup(root);
	ctx->o.datadir = xs_strdup(datadir);
	ctx->family = &xs_family_deb;
	ctx->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->rootfd < 0)
		fail_msg("cannot open the target %s: %s", root, strerror(errno));
	ut_install_lua_module(datadir);
}

/* Frees what ut_ctx_init and a loaded config space hold. */
static inline void ut_ctx_free(struct xs_ctx *ctx)
{
	xs_config_free(ctx);
	close(ctx->rootfd);
	xs_opts_free(&ctx->o);
}

/* Runs ARGV (PATH lookup) with GNUPGHOME=HOME when HOME is set, stdout into
 * OUT_PATH and stderr into ERR_PATH when set (else /dev/null); returns the
 * exit status, or -1. No shell involved. */
static inline int ut_run(const char *home, const char *out_path, const char *err_path,
			 char *const argv[])
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (home)
			setenv("GNUPGHOME", home, 1);
		int nul = open("/dev/null", O_RDWR);
		int out = out_path ? open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : nul;
		int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644) : nul;
		if (nul < 0 || out < 0 || err < 0)
			_exit(126);
		dup2(nul, STDIN_FILENO);
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define UT_RUN(home, out, ...)                                               \
	({                                                                   \
		char *const argv_[] = { __VA_ARGS__, NULL };                 \
		ut_run(home, out, NULL, argv_);                              \
	})

/* A new secret key without passphrase in the keyring at HOME; ALGO as gpg
 * --quick-gen-key takes it ("ed25519", "rsa2048"). Returns gpg's status. */
static inline int ut_gpg_gen_key(const char *home, const char *uid, const char *algo)
{
	return UT_RUN(home, NULL, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
		      "--quick-gen-key", (char *)uid, (char *)algo, "sign", "never");
}

#endif
