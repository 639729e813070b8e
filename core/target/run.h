/* run.h - running programs inside the target: a chroot in private mount
 * and PID namespaces (no mount can outlive the run), the /dev nodes scripts
 * need, the log that collects their output, the environment they get. */
#ifndef XS_RUN_H
#define XS_RUN_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "context.h"

/* Runs ARGV inside TARGET (chroot) in a private mount and PID namespace
 * with /proc, /sys and /dev/pts mounted there: the mounts exist only in that
 * namespace, so no exit path (crash, SIGKILL) can leave them behind on the
 * host. ENVP is the complete environment. Output goes to LOGFD (or is
 * inherited when -1). Returns 0 with the exit status (128+N for signal N)
 * in *status, or -errno when it could not run. */
int xs_target_run(struct xs_log *log, const char *target, char *const argv[], char *const envp[],
		  int logfd, int *status);
/* Like xs_target_run for a list of commands run one after the other in the
 * same namespace; stops at the first failure, whose index lands in *failed. */
int xs_target_run_many(struct xs_log *log, const char *target, char **const *argvs, size_t n,
		       char **const *envps, int logfd, size_t *failed, int *status);

/* One step of xs_target_run_steps: a command (ARGV, ENVP) or, when FN is
 * set, FN(ARG) called in a child already inside the chroot. STDIN_PATH
 * (inside the target) or /dev/null is its standard input. A step with
 * MAY_FAIL set does not stop the steps after it. Every step runs confined
 * (confine.h): its own UTS, IPC, mount and (unless NETWORK) network
 * namespaces, /proc/sys read-only, fewer capabilities. */
struct xs_target_step {
	char **argv;
	char **envp;
	int (*fn)(void *arg);
	void *arg;
	const char *stdin_path;
	bool may_fail;
	bool network; /* keeps the host's network (confine.h); else only loopback */
};
struct xs_step_report {
	size_t index;
	int code;
};
/* Runs STEPS in one private namespace; every failed step is reported in
 * *REPORTS (caller frees). Returns 0 with the exit status of the first
 * failure of a step that may not fail in *status (0 when there was none),
 * or -errno. */
int xs_target_run_steps(struct xs_log *log, const char *target, const struct xs_target_step *steps,
			size_t n, int logfd, struct xs_step_report **reports, size_t *nreports, int *status);

/* Called from signal handlers: kills the running chroot child, if any. */
void xs_target_kill_children(void);

/* Device nodes and /dev links a root needs before any script runs. In a
 * user namespace (--mode=unshare) each node is an empty file onto which
 * the host's node is bound while programs run in the target. */
int xs_setup_dev(struct xs_log *log, int rootfd);

/* For the outputs: when PATH (relative to the root, "dev/null") with stat
 * ST is such a stand-in, turns ST into the node's and returns true. */
bool xs_dev_placeholder(const char *path, struct stat *st);
/* In a user namespace (no node can be made there): makes BASE in DFD
 * (PATH relative to the root, as the outputs name it) an empty file that
 * stands in for a node of MODE (type and permissions) and number RDEV,
 * which xs_dev_placeholder then gives the outputs; 0 or -errno. */
int xs_dev_standin(int dfd, const char *base, const char *path, mode_t mode, dev_t rdev);

/* An unlinked temporary file that collects the target's script output
 * (its fd, or -errno), and its last SIZE-1 bytes on one line (newlines as
 * '|'), for errors. */
int xs_script_log_open(struct xs_log *log);
void xs_script_log_tail(int logfd, char *tail, size_t size);

/* An environment for a program in the target: PATH and HOME=/root, then
 * VARS (NAME=VALUE, NULL-terminated; a PATH or HOME there replaces the
 * default). Free with xs_env_free. */
char **xs_env_new(const char *const *vars);
void xs_env_free(char **env);

#endif
