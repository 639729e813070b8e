#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static volatile pid_t running_child = 0;

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

void xs_target_kill_children(void)
{
	pid_t p = running_child;
	if (p > 0)
		kill(p, SIGKILL);
}

static int mount_api(const char *target)
{
	static const struct {
		const char *dir, *type, *src;
		unsigned long flags;
		const char *data;
	} m[] = {
		{ "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
		{ "sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL },
		{ "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620,gid=5" },
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		_cleanup_free_ char *dir = xs_asprintf("%s/%s", target, m[i].dir);
		struct stat st;
		/* Mount only onto a real directory of the target, never through a symlink. */
		if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (mount(m[i].src, dir, m[i].type, m[i].flags, m[i].data) < 0 && m[i].type[0] != 's')
			return -errno;
	}
	return 0;
}

/* execve with the host's SOURCE_DATE_EPOCH added to ENVP: what the
 * target's own tools stamp (rpm's install time, shadow's last password
 * change, ...) then says that date rather than the build's. Called after
 * fork: the entry is the host's own environ string, nothing allocated. */
static void execve_sde(const char *path, char *const argv[], char *const envp[])
{
	extern char **environ;
	const char *sde = NULL;
	size_t n = 0;
	for (char **e = environ; e && *e && !sde; e++)
		if (xs_str_startswith(*e, "SOURCE_DATE_EPOCH="))
			sde = *e;
	for (; envp && envp[n]; n++)
		if (xs_str_startswith(envp[n], "SOURCE_DATE_EPOCH="))
			sde = NULL;
	if (!sde) {
		execve(path, argv, envp);
		return;
	}
	char *env[n + 2];
	for (size_t i = 0; i < n; i++)
		env[i] = envp[i];
	env[n] = (char *)sde;
	env[n + 1] = NULL;
	execve(path, argv, env);
}

/* PID 1 of the private namespaces: mounts, chroots, runs the steps. */
static int ns_init(const char *target, const struct xs_target_step *steps, size_t n, int logfd,
		   int reportfd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 120;
	if (mount_api(target) < 0)
		return 121;
	/* Only the commands enter the chroot: PID 1 keeps the host's root, so
	 * ischroot(1) and friends in the target see a chroot, as under
	 * debootstrap, and skip what they do on a live system. */
	for (size_t i = 0; i < n; i++) {
		const struct xs_target_step *s = &steps[i];
		pid_t pid = fork();
		if (pid < 0)
			return 123;
		if (!pid) {
			if (chroot(target) < 0 || chdir("/") < 0)
				_exit(122);
			if (logfd >= 0) {
				dup2(logfd, STDOUT_FILENO);
				dup2(logfd, STDERR_FILENO);
			}
			int in = open(s->stdin_path ? s->stdin_path : "/dev/null", O_RDONLY);
			if (in >= 0)
				dup2(in, STDIN_FILENO);
			if (s->fn)
				_exit(s->fn(s->arg));
			execve_sde(s->argv[0], s->argv, s->envp);
			dprintf(STDERR_FILENO, "xstrap: cannot run %s in the target: %s\n", s->argv[0],
				strerror(errno));
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code) {
			struct xs_step_report rep = { .index = i, .code = code };
			if (write(reportfd, &rep, sizeof(rep)) < 0)
				return 124;
			if (!s->may_fail)
				return code;
		}
	}
	return 0;
}

int xs_target_run_steps(struct xs_log *log, const char *target, const struct xs_target_step *steps,
			size_t n, int logfd, struct xs_step_report **reports, size_t *nreports)
{
	int pfd[2];
	if (reports)
		*reports = NULL;
	if (nreports)
		*nreports = 0;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return xs_fail(log, errno, "pipe: %s", strerror(errno));
	pid_t outer = fork();
	if (outer < 0)
		return xs_fail(log, errno, "fork: %s", strerror(errno));
	if (!outer) {
		close(pfd[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
			dprintf(STDERR_FILENO, "xstrap: cannot create a mount/PID namespace: %s\n",
				strerror(errno));
			_exit(125);
		}
		pid_t init = fork();
		if (init < 0)
			_exit(126);
		if (!init)
			_exit(ns_init(target, steps, n, logfd, pfd[1]));
		int st;
		while (waitpid(init, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	close(pfd[1]);
	running_child = outer;
	/* read the reports while the steps run: a full pipe must not block them */
	struct xs_step_report *rv = NULL;
	size_t rn = 0;
	struct xs_step_report rep;
	ssize_t got;
	while ((got = read(pfd[0], &rep, sizeof(rep))) == sizeof(rep) || (got < 0 && errno == EINTR)) {
		if (got < 0)
			continue;
		rv = xs_realloc(rv, (rn + 1) * sizeof(*rv));
		rv[rn++] = rep;
	}
	close(pfd[0]);
	int st;
	while (waitpid(outer, &st, 0) < 0 && errno == EINTR)
		;
	running_child = 0;
	if (reports)
		*reports = rv;
	else
		free(rv);
	if (nreports)
		*nreports = rn;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	int code = WEXITSTATUS(st);
	if (code >= 120 && code <= 126 && !rn)
		return xs_fail(log, EPERM, "%s: cannot set up the chroot (namespace/mount/chroot step %d failed; are you root?)",
			       target, code);
	return code;
}

int xs_target_run_many(struct xs_log *log, const char *target, char **const *argvs, size_t n,
		       char **const *envps, int logfd, size_t *failed)
{
	struct xs_target_step *steps = xs_calloc(n ? n : 1, sizeof(*steps));
	for (size_t i = 0; i < n; i++) {
		steps[i].argv = argvs[i];
		steps[i].envp = envps[i];
	}
	struct xs_step_report *rv = NULL;
	size_t rn = 0;
	int r = xs_target_run_steps(log, target, steps, n, logfd, &rv, &rn);
	if (failed)
		*failed = rn ? rv[rn - 1].index : n;
	free(rv);
	free(steps);
	return r;
}

int xs_target_run(struct xs_log *log, const char *target, char *const argv[], char *const envp[],
		  int logfd)
{
	char **const argvs[1] = { (char **)argv };
	char **const envps[1] = { (char **)envp };
	return xs_target_run_many(log, target, argvs, 1, envps, logfd, NULL);
}
