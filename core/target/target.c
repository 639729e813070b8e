/* target.c - the target is a jail: file operations through a root fd (RESOLVE_IN_ROOT). */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

char *xs_target_normalize(const char *path)
{
	struct xs_buf out = { 0 };
	const char *p = path;
	xs_buf_add(&out, "", 0);
	while (*p) {
		while (*p == '/')
			p++;
		size_t l = strcspn(p, "/");
		if (!l)
			break;
		if (l == 2 && !strncmp(p, "..", 2)) {
			xs_buf_free(&out);
			return NULL;
		}
		if (!(l == 1 && *p == '.')) {
			if (out.len)
				xs_buf_add(&out, "/", 1);
			xs_buf_add(&out, p, l);
		}
		p += l;
	}
	return out.data;
}

static int openat2_in_root(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	if (!*rel)
		rel = ".";
	int fd;
	do
		fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd < 0 ? -errno : fd;
}

int xs_target_open(int rootfd, const char *rel, int flags)
{
	return openat2_in_root(rootfd, rel, flags);
}

int xs_target_parent(int rootfd, const char *rel, bool create, const char **base)
{
	const char *slash = strrchr(rel, '/');
	*base = slash ? slash + 1 : rel;
	if (!slash)
		return openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
	_cleanup_free_ char *dir = xs_strndup(rel, slash - rel);
	int fd = openat2_in_root(rootfd, dir, O_PATH | O_DIRECTORY);
	if (fd != -ENOENT || !create)
		return fd;
	int r = xs_target_mkdir_p(rootfd, dir, 0755);
	if (r < 0)
		return r;
	return openat2_in_root(rootfd, dir, O_PATH | O_DIRECTORY);
}

int xs_target_mkdir_p(int rootfd, const char *rel, mode_t mode)
{
	_cleanup_free_ char *p = xs_strdup(rel);
	char *s = p;
	for (;;) {
		char *slash = strchr(s, '/');
		if (slash)
			*slash = 0;
		const char *base;
		int dfd = xs_target_parent(rootfd, p, false, &base);
		if (dfd < 0)
			return dfd;
		int r = mkdirat(dfd, base, mode) < 0 && errno != EEXIST ? -errno : 0;
		close(dfd);
		if (r < 0)
			return r;
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	return 0;
}

int xs_target_write(int rootfd, const char *rel, const void *data, size_t len, mode_t mode)
{
	const char *base;
	int dfd = xs_target_parent(rootfd, rel, true, &base);
	if (dfd < 0)
		return dfd;
	/* O_NOFOLLOW: a planted symlink at the last component is replaced. */
	unlinkat(dfd, base, 0);
	int r = xs_write_file_at(dfd, base, data, len, mode);
	close(dfd);
	return r;
}

int xs_target_symlink(int rootfd, const char *rel, const char *to)
{
	const char *base;
	int dfd = xs_target_parent(rootfd, rel, true, &base);
	if (dfd < 0)
		return dfd;
	int r = symlinkat(to, dfd, base) < 0 ? -errno : 0;
	close(dfd);
	return r;
}

int xs_target_unlink(int rootfd, const char *rel)
{
	const char *base;
	int dfd = xs_target_parent(rootfd, rel, false, &base);
	if (dfd < 0)
		return dfd == -ENOENT ? 0 : dfd;
	int r = unlinkat(dfd, base, 0) < 0 && errno != ENOENT ? -errno : 0;
	close(dfd);
	return r;
}

int xs_target_set_owner_mode(int dfd, const char *base, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int r = fstat(fd, &st);
	if (!r && uid != (uid_t)-1)
		r = fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
	if (!r && !S_ISLNK(st.st_mode)) {
		/* chmod has no AT_EMPTY_PATH before Linux 6.6 (fchmodat2); the
		 * descriptor's /proc link is the object itself, never a path */
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		r = chmod(proc, mode);
	}
	r = r < 0 ? -errno : 0;
	close(fd);
	return r;
}
