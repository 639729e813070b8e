/* out_walk.c - one sorted walk of a finished tree: stat, links, xattrs. */
#include "out_walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "run.h"
#include "target.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_xattr(const void *a, const void *b)
{
	return strcmp(((const struct xs_xattr *)a)->name, ((const struct xs_xattr *)b)->name);
}

static const char *shown(const char *path)
{
	return *path ? path : ".";
}

static int read_link(struct xs_log *log, int dirfd, const char *name, const char *path, size_t hint,
		     char **out)
{
	for (size_t cap = hint + 2;; cap *= 2) {
		char *buf = xs_malloc(cap);
		ssize_t n = readlinkat(dirfd, name, buf, cap);
		if (n < 0) {
			free(buf);
			return xs_fail(log, errno, "%s: cannot read the symlink: %s", path, strerror(errno));
		}
		if ((size_t)n < cap) {
			buf[n] = 0;
			*out = buf;
			return 0;
		}
		free(buf);
	}
}

/* The xattrs of NAME in DIRFD, symlinks included, through an O_PATH
 * descriptor: listxattr(2) on /proc/self/fd/N reaches the inode itself
 * without following it and without opening devices or fifos. */
static int read_xattrs(struct xs_log *log, int dirfd, const char *name, const char *path,
		       struct xs_walk_entry *e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return xs_fail(log, errno, "%s: %s", shown(path), strerror(errno));
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	_cleanup_free_ char *names = NULL;
	ssize_t len;
	for (;;) {
		len = listxattr(proc, NULL, 0);
		if (len <= 0) {
			if (len < 0 && errno != ENOTSUP && errno != ENODATA)
				return xs_fail(log, errno, "%s: cannot list extended attributes: %s", shown(path),
					       strerror(errno));
			return 0;
		}
		free(names);
		names = xs_malloc(len);
		len = listxattr(proc, names, len);
		if (len >= 0)
			break;
		if (errno != ERANGE)
			return xs_fail(log, errno, "%s: cannot list extended attributes: %s", shown(path),
				       strerror(errno));
	}
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vl;
		void *v = NULL;
		for (;;) {
			vl = getxattr(proc, n, NULL, 0);
			if (vl < 0)
				break;
			free(v);
			v = xs_malloc(vl ? vl : 1);
			vl = getxattr(proc, n, v, vl);
			if (vl >= 0 || errno != ERANGE)
				break;
		}
		if (vl < 0) {
			free(v);
			if (errno == ENODATA) /* removed meanwhile */
				continue;
			return xs_fail(log, errno, "%s: cannot read extended attribute %s: %s", shown(path), n,
				       strerror(errno));
		}
		e->xattrs = xs_realloc(e->xattrs, (e->nxattrs + 1) * sizeof(*e->xattrs));
		e->xattrs[e->nxattrs++] = (struct xs_xattr){ .name = xs_strdup(n), .value = v, .len = vl };
	}
	if (e->nxattrs > 1)
		qsort(e->xattrs, e->nxattrs, sizeof(*e->xattrs), cmp_xattr);
	return 0;
}

static struct xs_walk_entry *add(struct xs_walk *w)
{
	if (w->n == w->cap)
		w->v = xs_realloc(w->v, (w->cap = w->cap ? w->cap * 2 : 1024) * sizeof(*w->v));
	struct xs_walk_entry *e = &w->v[w->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Reads entry NAME of directory DIRFD (index PARENT) into a new entry. */
static int add_entry(struct xs_log *log, struct xs_walk *w, int dirfd, const char *name, size_t parent)
{
	const char *prefix = w->v[parent].path;
	char *path = *prefix ? xs_asprintf("%s/%s", prefix, name) : xs_strdup(name);
	struct xs_walk_entry *e = add(w);
	e->path = path;
	e->name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	e->parent = parent;
	e->first = w->n - 1;
	if (fstatat(dirfd, name, &e->st, AT_SYMLINK_NOFOLLOW) < 0)
		return xs_fail(log, errno, "%s: %s", path, strerror(errno));
	/* --mode=unshare: /dev's stand-in files are written as the nodes */
	xs_dev_placeholder(path, &e->st);
	e->nlink = S_ISDIR(e->st.st_mode) ? e->st.st_nlink : 1;
	if (S_ISLNK(e->st.st_mode)) {
		int r = read_link(log, dirfd, name, path, e->st.st_size, &e->link);
		if (r < 0)
			return r;
	}
	return read_xattrs(log, dirfd, name, path, e);
}

static int walk_dir(struct xs_log *log, struct xs_walk *w, int dirfd, size_t self)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		int r = xs_fail(log, errno, "%s: %s", shown(w->v[self].path), strerror(errno));
		close(dirfd);
		return r;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap)
			names = xs_realloc(names, (cap = cap ? cap * 2 : 32) * sizeof(*names));
		names[n++] = xs_strdup(de->d_name);
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	int r = 0;
	for (size_t i = 0; i < n && !r; i++) {
		size_t me = w->n;
		r = add_entry(log, w, dirfd, names[i], self);
		if (!r && S_ISDIR(w->v[me].st.st_mode)) {
			int sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? xs_fail(log, errno, "%s: %s", w->v[me].path, strerror(errno))
				    : walk_dir(log, w, sub, me);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

static int cmp_inode(const void *a, const void *b, void *arg)
{
	const struct xs_walk_entry *v = arg;
	const struct stat *x = &v[*(const size_t *)a].st, *y = &v[*(const size_t *)b].st;
	if (x->st_dev != y->st_dev)
		return x->st_dev < y->st_dev ? -1 : 1;
	if (x->st_ino != y->st_ino)
		return x->st_ino < y->st_ino ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* Hard links: every name of an inode points at the first one in walk
 * order, and each knows how many names the inode has in the tree. */
static void link_names(struct xs_walk *w)
{
	size_t n = 0;
	size_t *idx = xs_malloc((w->n ? w->n : 1) * sizeof(*idx));
	for (size_t i = 0; i < w->n; i++) {
		const struct stat *st = &w->v[i].st;
		if (!S_ISDIR(st->st_mode) && st->st_nlink > 1)
			idx[n++] = i;
		else if (S_ISREG(st->st_mode))
			w->data_bytes += st->st_size;
	}
	qsort_r(idx, n, sizeof(*idx), cmp_inode, w->v);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		const struct stat *st = &w->v[idx[i]].st;
		while (j < n && w->v[idx[j]].st.st_ino == st->st_ino && w->v[idx[j]].st.st_dev == st->st_dev)
			j++;
		for (size_t k = i; k < j; k++) {
			w->v[idx[k]].first = idx[i];
			w->v[idx[k]].nlink = j - i;
		}
		if (S_ISREG(st->st_mode))
			w->data_bytes += st->st_size;
		i = j;
	}
	free(idx);
}

int xs_walk_tree(struct xs_log *log, const char *root, struct xs_walk *w)
{
	memset(w, 0, sizeof(*w));
	w->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w->rootfd < 0)
		return xs_fail(log, errno, "%s: %s", root, strerror(errno));
	struct xs_walk_entry *e = add(w);
	e->path = xs_strdup("");
	e->name = e->path;
	int r = fstat(w->rootfd, &e->st) < 0 ? xs_fail(log, errno, "%s: %s", root, strerror(errno)) : 0;
	e->nlink = e->st.st_nlink;
	if (!r)
		r = read_xattrs(log, w->rootfd, ".", "", e);
	if (!r) {
		int dup = fcntl(w->rootfd, F_DUPFD_CLOEXEC, 0);
		r = dup < 0 ? xs_fail(log, errno, "%s: %s", root, strerror(errno)) : walk_dir(log, w, dup, 0);
	}
	if (r < 0) {
		xs_walk_free(w);
		return r;
	}
	link_names(w);
	return 0;
}

void xs_walk_free(struct xs_walk *w)
{
	for (size_t i = 0; i < w->n; i++) {
		struct xs_walk_entry *e = &w->v[i];
		free(e->path);
		free(e->link);
		for (size_t k = 0; k < e->nxattrs; k++) {
			free(e->xattrs[k].name);
			free(e->xattrs[k].value);
		}
		free(e->xattrs);
	}
	free(w->v);
	if (w->rootfd >= 0)
		close(w->rootfd);
	memset(w, 0, sizeof(*w));
	w->rootfd = -1;
}

int xs_walk_open(const struct xs_walk *w, size_t i)
{
	return xs_target_open(w->rootfd, w->v[i].path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

const struct xs_xattr *xs_walk_xattr(const struct xs_walk_entry *e, const char *name)
{
	for (size_t k = 0; k < e->nxattrs; k++)
		if (!strcmp(e->xattrs[k].name, name))
			return &e->xattrs[k];
	return NULL;
}
