/* userns.c - unprivileged builds: xstrap moves itself into a user namespace
 * where the caller is root, its subordinate ids (/etc/subuid, /etc/subgid,
 * mapped by the setuid newuidmap/newgidmap of uidmap) are the guest's other
 * users, and a mount namespace of its own holds every mount it makes. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static bool in_userns = false;
static unsigned long subuid_start, subgid_start;

bool xs_userns_active(void)
{
	return in_userns;
}

void xs_userns_note_dir(struct xs_log *log, const char *dir)
{
	if (in_userns)
		xs_info(log, "%s: owners on disk are the guest's as this user namespace mapped them (guest root: you; guest uid/gid N: %lu/%lu+N-1); --format=tar or an image keeps the guest's own ids",
			dir, subuid_start, subgid_start);
}

/* The first range of NAME (or its numeric ID) in FILE ("who:start:count"
 * lines, as shadow's subid files have them): 0, or -ENOENT. */
static int find_subid(const char *file, const char *name, unsigned long id, unsigned long *start,
		      unsigned long *count)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return -ENOENT;
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;
	_cleanup_free_ char *num = xs_asprintf("%lu", id);
	while (r && getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c1 = 0;
		if (strcmp(line, name ? name : "") && strcmp(line, num))
			continue;
		char *end;
		errno = 0;
		*start = strtoul(c1 + 1, &end, 10);
		if (end != c2 || errno)
			continue;
		*count = strtoul(c2 + 1, &end, 10);
		if (!errno && *count > 0)
			r = 0;
	}
	free(line);
	fclose(f);
	return r;
}

static const char *find_tool(const char *name)
{
	static const char *const dirs[] = { "/usr/bin", "/bin", "/usr/sbin", "/sbin" };
	static char path[64];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (!access(path, X_OK))
			return path;
	}
	return NULL;
}

/* The helper: waits until the parent has its user namespace, then maps it
 * with newuidmap PID 0 UID 1 1 START COUNT (and newgidmap alike). */
static int map_ids(pid_t pid, const char *uidmap, const char *gidmap, unsigned long uid, unsigned long gid,
		   const unsigned long sub[4])
{
	char spid[32], a[3][32], b[3][32];
	snprintf(spid, sizeof(spid), "%ld", (long)pid);
	const char *tools[2] = { uidmap, gidmap };
	unsigned long own[2] = { uid, gid };
	for (int t = 0; t < 2; t++) {
		snprintf(a[t], sizeof(a[t]), "%lu", own[t]);
		snprintf(b[0], sizeof(b[0]), "%lu", sub[2 * t]);
		snprintf(b[1], sizeof(b[1]), "%lu", sub[2 * t + 1]);
		char *argv[] = { (char *)tools[t], spid, "0", a[t], "1", "1", b[0], b[1], NULL };
		pid_t p = fork();
		if (p < 0)
			return 1;
		if (!p) {
			execv(argv[0], argv);
			_exit(127);
		}
		int st;
		while (waitpid(p, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	return 0;
}

int xs_userns_enter(struct xs_log *log)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	struct passwd *pw = getpwuid(uid);
	const char *user = pw ? pw->pw_name : NULL;
	_cleanup_free_ char *who = user ? xs_strdup(user) : xs_asprintf("uid %lu", (unsigned long)uid);
	unsigned long sub[4];
	if (find_subid("/etc/subuid", user, uid, &sub[0], &sub[1]) < 0 ||
	    find_subid("/etc/subgid", user, gid, &sub[2], &sub[3]) < 0)
		return xs_fail(log, EPERM, "--mode=unshare: %s has no subordinate ids in /etc/subuid and /etc/subgid; as root, give it a range (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s), or build as root",
			       who, user ? user : "USER");
	const char *nu = find_tool("newuidmap");
	_cleanup_free_ char *uidmap = nu ? xs_strdup(nu) : NULL;
	const char *ng = find_tool("newgidmap");
	if (!uidmap || !ng)
		return xs_fail(log, ENOENT, "--mode=unshare needs newuidmap and newgidmap: install uidmap");
	_cleanup_free_ char *gidmap = xs_strdup(ng);

	int go[2];
	if (pipe2(go, O_CLOEXEC) < 0)
		return xs_fail(log, errno, "pipe: %s", strerror(errno));
	pid_t self = getpid();
	pid_t helper = fork();
	if (helper < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		return xs_fail(log, e, "fork: %s", strerror(e));
	}
	if (!helper) {
		/* the parent's handlers clean up the parent's files: not ours */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(go[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char c;
		ssize_t n;
		while ((n = read(go[0], &c, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? map_ids(self, uidmap, gidmap, uid, gid, sub) : 2);
	}
	close(go[0]);
	int unshare_errno = unshare(CLONE_NEWUSER) < 0 ? errno : 0;
	if (!unshare_errno && write(go[1], "x", 1) != 1)
		unshare_errno = errno;
	close(go[1]);
	int st;
	while (waitpid(helper, &st, 0) < 0 && errno == EINTR)
		;
	if (unshare_errno)
		return xs_fail(log, unshare_errno, "--mode=unshare: user namespaces are not allowed here (unshare: %s); check the sysctls kernel.unprivileged_userns_clone and user.max_user_namespaces and AppArmor's kernel.apparmor_restrict_unprivileged_userns, or build as root",
			       strerror(unshare_errno));
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return xs_fail(log, EPERM, "--mode=unshare: %s 0 %lu 1 1 %lu %lu (or newgidmap) failed for %s: are its /etc/subuid and /etc/subgid ranges right?",
			       uidmap, (unsigned long)uid, sub[0], sub[1], who);
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
		return xs_fail(log, errno, "--mode=unshare: cannot become root in the user namespace: %s", strerror(errno));
	if (unshare(CLONE_NEWNS) < 0)
		return xs_fail(log, errno, "--mode=unshare: cannot create a mount namespace: %s", strerror(errno));
	/* nothing mounted from here on propagates to the host; EINVAL: / is
	 * no mount point (a plain chroot), and there is nothing to propagate */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
		return xs_fail(log, errno, "--mode=unshare: cannot make the mounts private: %s", strerror(errno));
	in_userns = true;
	subuid_start = sub[0];
	subgid_start = sub[2];
	return 0;
}
