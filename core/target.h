/* target.h - the target is a jail: every write goes through a root fd with
 * RESOLVE_IN_ROOT, so neither "../", absolute names nor symlinks planted by
 * earlier packages lead outside it. Also: running commands inside it. */
#ifndef XS_TARGET_H
#define XS_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

#include "context.h"

/* Normalizes an archive path ("./usr/bin/x", "/etc/y") to a relative path
 * ("usr/bin/x"); "." and "./" become "". Returns NULL when a component is
 * ".." (such an entry would leave the target). Caller frees. */
char *xs_target_normalize(const char *path);

/* Opens the directory that will hold REL (relative, normalized), resolved
 * inside ROOTFD, creating missing parents (mode 0755, owner root) when
 * CREATE. *base receives a pointer into REL at the last component. */
int xs_target_parent(int rootfd, const char *rel, bool create, const char **base);

/* Opens REL inside the root with FLAGS (O_PATH, O_RDONLY, ...). */
int xs_target_open(int rootfd, const char *rel, int flags);

/* Writes a whole file inside the target, replacing what is there. */
int xs_target_write(int rootfd, const char *rel, const void *data, size_t len, mode_t mode);
int xs_target_mkdir_p(int rootfd, const char *rel, mode_t mode);
int xs_target_symlink(int rootfd, const char *rel, const char *to);
int xs_target_unlink(int rootfd, const char *rel);

/* Runs ARGV inside TARGET (chroot) in a private mount and PID namespace
 * with /proc, /sys and /dev/pts mounted there: the mounts exist only in that
 * namespace, so no exit path (crash, SIGKILL) can leave them behind on the
 * host. ENVP is the complete environment. Output goes to LOGFD (or is
 * inherited when -1). Returns the exit status, or -errno. */
int xs_target_run(struct xs_log *log, const char *target, char *const argv[], char *const envp[],
		  int logfd);
/* Like xs_target_run for a list of commands run one after the other in the
 * same namespace; stops at the first failure, whose index lands in *failed. */
int xs_target_run_many(struct xs_log *log, const char *target, char **const *argvs, size_t n,
		       char **const *envps, int logfd, size_t *failed);

/* One step of xs_target_run_steps: a command (ARGV, ENVP) or, when FN is
 * set, FN(ARG) called in a child already inside the chroot. STDIN_PATH
 * (inside the target) or /dev/null is its standard input. A step with
 * MAY_FAIL set does not stop the steps after it. */
struct xs_target_step {
	char **argv;
	char **envp;
	int (*fn)(void *arg);
	void *arg;
	const char *stdin_path;
	bool may_fail;
};
struct xs_step_report {
	size_t index;
	int code;
};
/* Runs STEPS in one private namespace; every failed step is reported in
 * *REPORTS (caller frees). Returns the exit status of the first failure
 * of a step that may not fail (0 when there was none), or -errno. */
int xs_target_run_steps(struct xs_log *log, const char *target, const struct xs_target_step *steps,
			size_t n, int logfd, struct xs_step_report **reports, size_t *nreports);

/* Called from signal handlers: kills the running chroot child, if any. */
void xs_target_kill_children(void);

#endif
