#include "out_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct tarw {
	struct xs_log *log;
	struct archive *a;
	struct archive_entry_linkresolver *lr;
	time_t clamp;
	int err;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_entry(struct tarw *w, int dirfd, const char *name, const char *path)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		w->err = xs_fail(w->log, errno, "%s: %s", path, strerror(errno));
		return;
	}
	struct archive_entry *e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_copy_pathname(e, path);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	time_t mt = st.st_mtime;
	if (w->clamp && mt > w->clamp)
		mt = w->clamp;
	archive_entry_set_mtime(e, mt, 0);
	if (S_ISLNK(st.st_mode)) {
		char buf[4096];
		ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = 0;
		archive_entry_copy_symlink(e, buf);
	}
	struct archive_entry *sparse = NULL;
	archive_entry_linkify(w->lr, &e, &sparse);
	if (e) {
		bool data = S_ISREG(st.st_mode) && archive_entry_size(e) > 0;
		if (archive_write_header(w->a, e) != ARCHIVE_OK) {
			w->err = xs_fail(w->log, EIO, "%s: %s", path, archive_error_string(w->a));
		} else if (data) {
			int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			char buf[1 << 16];
			ssize_t n;
			while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
				archive_write_data(w->a, buf, n);
			if (fd >= 0)
				close(fd);
		}
		archive_entry_free(e);
	}
}

static void walk(struct tarw *w, int dirfd, const char *prefix)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d) {
		w->err = xs_fail(w->log, errno, "%s: %s", prefix, strerror(errno));
		return;
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
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !w->err; i++) {
		_cleanup_free_ char *path = xs_asprintf("%s%s", prefix, names[i]);
		add_entry(w, dirfd, names[i], path);
		struct stat st;
		if (!fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				_cleanup_free_ char *sp = xs_asprintf("%s/", path);
				walk(w, sub, sp);
				close(sub);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int xs_write_tar(struct xs_log *log, const char *root, const char *tarpath, time_t clamp)
{
	struct tarw w = { .log = log, .clamp = clamp };
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return xs_fail(log, errno, "%s: %s", root, strerror(errno));
	w.a = archive_write_new();
	archive_write_set_format_pax_restricted(w.a);
	w.lr = archive_entry_linkresolver_new();
	archive_entry_linkresolver_set_strategy(w.lr, archive_format(w.a));
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp", tarpath);
	int tmp_slot = xs_cleanup_add(tmp); /* no half archive left on a signal */
	if (archive_write_open_filename(w.a, tmp) != ARCHIVE_OK) {
		w.err = xs_fail(log, EIO, "%s: %s", tmp, archive_error_string(w.a));
	} else {
		add_entry(&w, rootfd, ".", "./");
		walk(&w, rootfd, "./");
		if (archive_write_close(w.a) != ARCHIVE_OK && !w.err)
			w.err = xs_fail(log, EIO, "%s: %s", tmp, archive_error_string(w.a));
	}
	archive_entry_linkresolver_free(w.lr);
	archive_write_free(w.a);
	close(rootfd);
	if (!w.err && rename(tmp, tarpath) < 0)
		w.err = xs_fail(log, errno, "%s: %s", tarpath, strerror(errno));
	if (w.err)
		unlink(tmp);
	xs_cleanup_drop(tmp_slot);
	return w.err;
}
