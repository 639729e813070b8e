/* run.c - running programs inside the target: a chroot in private mount
 * and PID namespaces, the /dev nodes scripts need, the log of their output
 * and the environment they get. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "confine.h"
#include "target.h"
#include "userns.h"
#include "util.h"

static volatile pid_t running_child = 0;

static int bind_host_api(const char *target);

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
	/* EINVAL: / is no mount point (xstrap in a plain chroot): no mount
	 * can propagate from there */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
		return 120;
	if (mount_api(target) < 0 || bind_host_api(target) < 0)
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
			int c = xs_confine(s->network ? XS_CONFINE_NETWORK : 0);
			if (c < 0) {
				dprintf(STDERR_FILENO, "xstrap: cannot confine a step in the target: %s\n", strerror(-c));
				_exit(122);
			}
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
			size_t n, int logfd, struct xs_step_report **reports, size_t *nreports, int *status)
{
	*status = 0;
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
	if (WIFSIGNALED(st)) {
		*status = 128 + WTERMSIG(st);
		return 0;
	}
	int code = WEXITSTATUS(st);
	if (code >= 120 && code <= 126 && !rn)
		return xs_fail(log, EPERM, "%s: cannot set up the chroot (namespace/mount/chroot step %d failed; are you root?)",
			       target, code);
	*status = code;
	return 0;
}

int xs_target_run_many(struct xs_log *log, const char *target, char **const *argvs, size_t n,
		       char **const *envps, int logfd, size_t *failed, int *status)
{
	struct xs_target_step *steps = xs_calloc(n ? n : 1, sizeof(*steps));
	for (size_t i = 0; i < n; i++) {
		steps[i].argv = argvs[i];
		steps[i].envp = envps[i];
	}
	struct xs_step_report *rv = NULL;
	size_t rn = 0;
	int r = xs_target_run_steps(log, target, steps, n, logfd, &rv, &rn, status);
	if (failed)
		*failed = rn ? rv[rn - 1].index : n;
	free(rv);
	free(steps);
	return r;
}

int xs_target_run(struct xs_log *log, const char *target, char *const argv[], char *const envp[],
		  int logfd, int *status)
{
	char **const argvs[1] = { (char **)argv };
	char **const envps[1] = { (char **)envp };
	return xs_target_run_many(log, target, argvs, 1, envps, logfd, NULL, status);
}

/* as debootstrap's devices.tar.gz has them */
static const struct dev_node {
	const char *name;
	mode_t mode;
	int maj, min;
	gid_t gid;
} dev_nodes[] = {
	{ "null", 0666, 1, 3, 0 },    { "zero", 0666, 1, 5, 0 },  { "full", 0666, 1, 7, 0 },
	{ "random", 0666, 1, 8, 0 },  { "urandom", 0666, 1, 9, 0 }, { "tty", 0666, 5, 0, 0 },
	{ "console", 0666, 5, 1, 0 }, { "ptmx", 0666, 5, 2, 0 },
};

/* In a user namespace no device node can be made: an empty file stands in
 * for it, the host's node is bound onto it while programs run in the
 * target (bind_host_api), and the outputs write the node
 * (xs_dev_placeholder). */
static int make_dev_node(int dev, const struct dev_node *nd)
{
	if (xs_userns_active()) {
		int fd = openat(dev, nd->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, nd->mode);
		if (fd < 0)
			return -errno;
		close(fd);
		return 0;
	}
	return mknodat(dev, nd->name, S_IFCHR | nd->mode, makedev(nd->maj, nd->min)) < 0 ? -errno : 0;
}

/* Nodes a package or a hook (x.mknod) asked for in a user namespace:
 * their stand-ins, by path relative to the root. One build per process. */
static struct placeholder {
	char *path;
	mode_t kind;
	dev_t rdev;
} *extra_nodes;
static size_t n_extra_nodes;

static void placeholder_add(const char *path, mode_t kind, dev_t rdev)
{
	for (size_t i = 0; i < n_extra_nodes; i++)
		if (!strcmp(extra_nodes[i].path, path)) {
			extra_nodes[i].kind = kind;
			extra_nodes[i].rdev = rdev;
			return;
		}
	extra_nodes = xs_realloc(extra_nodes, (n_extra_nodes + 1) * sizeof(*extra_nodes));
	extra_nodes[n_extra_nodes++] = (struct placeholder){ xs_strdup(path), kind, rdev };
}

int xs_dev_standin(int dfd, const char *base, const char *path, mode_t mode, dev_t rdev)
{
	int fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
	if (fd < 0)
		return -errno;
	close(fd);
	placeholder_add(path, mode & S_IFMT, rdev);
	return 0;
}

bool xs_dev_placeholder(const char *path, struct stat *st)
{
	if (!xs_userns_active() || !S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	for (size_t i = 0; i < n_extra_nodes; i++)
		if (!strcmp(path, extra_nodes[i].path)) {
			st->st_mode = extra_nodes[i].kind | (st->st_mode & 07777);
			st->st_rdev = extra_nodes[i].rdev;
			return true;
		}
	if (!xs_str_startswith(path, "dev/"))
		return false;
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		if (!strcmp(path + 4, dev_nodes[i].name)) {
			st->st_mode = S_IFCHR | (st->st_mode & 07777);
			st->st_rdev = makedev(dev_nodes[i].maj, dev_nodes[i].min);
			return true;
		}
	return false;
}

/* In a user namespace: the host's /sys, and the host's nodes bound onto
 * the placeholders (ptmx: the one of the target's own devpts instance). Called in the run's mount
 * namespace, so the binds end with it. */
static int bind_host_api(const char *target)
{
	if (!xs_userns_active())
		return 0;
	/* sysfs cannot be mounted without a network namespace of our own:
	 * the host's, read-only, as mmdebstrap's unshare mode has it */
	_cleanup_free_ char *sys = xs_asprintf("%s/sys", target);
	struct stat sst;
	if (!lstat(sys, &sst) && S_ISDIR(sst.st_mode) &&
	    !mount("/sys", sys, NULL, MS_BIND | MS_REC, NULL))
		mount(NULL, sys, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		_cleanup_free_ char *dst = xs_asprintf("%s/dev/%s", target, dev_nodes[i].name);
		_cleanup_free_ char *src = !strcmp(dev_nodes[i].name, "ptmx") ? xs_asprintf("%s/dev/pts/ptmx", target)
									       : xs_asprintf("/dev/%s", dev_nodes[i].name);
		struct stat st, hs;
		if (lstat(dst, &st) < 0 || !S_ISREG(st.st_mode) || stat(src, &hs) < 0 || !S_ISCHR(hs.st_mode))
			continue;
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return -errno;
	}
	return 0;
}

int xs_setup_dev(struct xs_log *log, int rootfd)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	int r = xs_target_mkdir_p(rootfd, "dev/pts", 0755);
	if (!r)
		r = xs_target_mkdir_p(rootfd, "dev/shm", 0755);
	if (r < 0)
		return xs_fail(log, -r, "cannot create /dev in the target: %s", strerror(-r));
	_cleanup_close_ int dev = xs_target_open(rootfd, "dev", O_PATH | O_DIRECTORY);
	if (dev < 0)
		return xs_fail(log, -dev, "cannot open /dev in the target: %s", strerror(-dev));
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++) {
		const struct dev_node *nd = &dev_nodes[i];
		unlinkat(dev, nd->name, 0);
		if ((r = make_dev_node(dev, nd)) < 0)
			return xs_fail(log, -r, "cannot create /dev/%s in the target: %s (device nodes need root)",
				       nd->name, strerror(-r));
		/* mknod's mode passed the umask; the group (tty) is the node's too */
		if ((r = xs_target_set_owner_mode(dev, nd->name, 0, nd->gid, nd->mode)) < 0)
			return xs_fail(log, -r, "cannot set the owner and mode of /dev/%s in the target: %s",
				       nd->name, strerror(-r));
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		unlinkat(dev, links[i][0], 0);
		if (symlinkat(links[i][1], dev, links[i][0]) < 0)
			return xs_fail(log, errno, "cannot create /dev/%s: %s", links[i][0], strerror(errno));
	}
	return 0;
}

void xs_script_log_tail(int logfd, char *tail, size_t size)
{
	tail[0] = 0;
	if (logfd < 0)
		return;
	off_t end = lseek(logfd, 0, SEEK_END);
	off_t from = end > (off_t)size - 1 ? end - (off_t)size + 1 : 0;
	ssize_t n = pread(logfd, tail, size - 1, from);
	tail[n > 0 ? n : 0] = 0;
	for (char *c = tail; *c; c++)
		if (*c == '\n')
			*c = '|';
}

int xs_script_log_open(struct xs_log *log)
{
	char logpath[] = "/tmp/xstrap-configure-XXXXXX";
	int logfd = mkstemp(logpath);
	if (logfd < 0)
		return xs_fail(log, errno, "cannot create a log file in /tmp: %s", strerror(errno));
	unlink(logpath);
	return logfd;
}

char **xs_env_new(const char *const *vars)
{
	static const char *const defaults[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
	};
	size_t n = 0;
	while (vars && vars[n])
		n++;
	char **env = xs_calloc(n + 3, sizeof(*env));
	size_t k = 0;
	for (size_t d = 0; d < 2; d++) {
		size_t nl = strcspn(defaults[d], "=") + 1;
		bool replaced = false;
		for (size_t i = 0; i < n && !replaced; i++)
			replaced = !strncmp(vars[i], defaults[d], nl);
		if (!replaced)
			env[k++] = xs_strdup(defaults[d]);
	}
	for (size_t i = 0; i < n; i++)
		env[k++] = xs_strdup(vars[i]);
	return env;
}

void xs_env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
