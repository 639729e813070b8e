#include "configure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "db_dpkg.h"
#include "db_rpm.h"
#include "target.h"

#define POLICY_RC_D "usr/sbin/policy-rc.d"
#define STAGING "var/lib/dpkg/xstrap-ci"

int xs_setup_dev(struct xs_log *log, int rootfd)
{
	static const struct {
		const char *name;
		mode_t mode;
		int maj, min;
		gid_t gid;
	} nodes[] = {
		/* as debootstrap's devices.tar.gz has them */
		{ "null", 0666, 1, 3, 0 },    { "zero", 0666, 1, 5, 0 },  { "full", 0666, 1, 7, 0 },
		{ "random", 0666, 1, 8, 0 },  { "urandom", 0666, 1, 9, 0 }, { "tty", 0666, 5, 0, 0 },
		{ "console", 0666, 5, 1, 0 }, { "ptmx", 0666, 5, 2, 0 },
	};
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
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		unlinkat(dev, nodes[i].name, 0);
		if (mknodat(dev, nodes[i].name, S_IFCHR | nodes[i].mode, makedev(nodes[i].maj, nodes[i].min)) < 0)
			return xs_fail(log, errno, "cannot create /dev/%s in the target: %s (device nodes need root)",
				       nodes[i].name, strerror(errno));
		/* mknod's mode passed the umask; the group (tty) is the node's too */
		if (fchownat(dev, nodes[i].name, 0, nodes[i].gid, 0) < 0 ||
		    fchmodat(dev, nodes[i].name, nodes[i].mode, 0) < 0)
			return xs_fail(log, errno, "cannot set the owner and mode of /dev/%s in the target: %s",
				       nodes[i].name, strerror(errno));
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		unlinkat(dev, links[i][0], 0);
		if (symlinkat(links[i][1], dev, links[i][0]) < 0)
			return xs_fail(log, errno, "cannot create /dev/%s: %s", links[i][0], strerror(errno));
	}
	return 0;
}

static const char *target_dpkg_version(const struct xs_txn *txn)
{
	struct xs_pkg *d = xs_txn_find(txn, "dpkg");
	return d ? d->version : "";
}

static char **script_env(const struct xs_pkg *p, const char *script, const struct xs_txn *txn)
{
	char **env = xs_calloc(16, sizeof(char *));
	int n = 0;
	env[n++] = xs_strdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env[n++] = xs_strdup("LC_ALL=C.UTF-8");
	env[n++] = xs_strdup("HOME=/root");
	env[n++] = xs_strdup("DEBIAN_FRONTEND=noninteractive");
	env[n++] = xs_strdup("DEBCONF_NONINTERACTIVE_SEEN=true");
	env[n++] = xs_strdup("DPKG_ADMINDIR=/var/lib/dpkg");
	env[n++] = xs_strdup("DPKG_ROOT=");
	if (p) {
		env[n++] = xs_asprintf("DPKG_MAINTSCRIPT_PACKAGE=%s", p->name);
		env[n++] = xs_asprintf("DPKG_MAINTSCRIPT_ARCH=%s", p->arch);
		env[n++] = xs_asprintf("DPKG_MAINTSCRIPT_NAME=%s", script);
		env[n++] = xs_strdup("DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT=1");
		env[n++] = xs_asprintf("DPKG_RUNNING_VERSION=%s", target_dpkg_version(txn));
	}
	env[n] = NULL;
	return env;
}

static void free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Each package's control area is staged under STAGING/PKG and moved to
 * /var/lib/dpkg/tmp.ci just before its preinst runs, where dpkg itself
 * would have it (debconf reads tmp.ci/control to find the package). */
static const char run_preinst[] =
	"set -e; ci=/var/lib/dpkg/tmp.ci; rm -rf \"$ci\"; mv \"/" STAGING "/$1\" \"$ci\"; "
	"r=0; \"$ci/preinst\" install || r=$?; rm -rf \"$ci\"; exit $r";

static int stage_control(struct xs_log *log, int rootfd, const struct xs_pkg *p)
{
	for (size_t k = 0; k < p->nctrl; k++) {
		_cleanup_free_ char *rel = xs_asprintf(STAGING "/%s/%s", p->name, p->ctrl[k].name);
		int r = xs_target_write(rootfd, rel, p->ctrl[k].data, p->ctrl[k].len, p->ctrl[k].mode & 0777);
		if (r < 0)
			return xs_fail(log, -r, "cannot stage the control area of %s: %s", p->name, strerror(-r));
	}
	return 0;
}

void xs_configure_log_tail(int logfd, char *tail, size_t size)
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

int xs_configure_log(struct xs_log *log)
{
	char logpath[] = "/tmp/xstrap-configure-XXXXXX";
	int logfd = mkstemp(logpath);
	if (logfd < 0)
		return xs_fail(log, errno, "cannot create a log file in /tmp: %s", strerror(errno));
	unlink(logpath);
	return logfd;
}

static int log_tail_fail(struct xs_log *log, int logfd, const char *what, int code)
{
	char tail[1500];
	xs_configure_log_tail(logfd, tail, sizeof(tail));
	return xs_fail(log, EIO, "%s failed with exit status %d; its last output: %s", what, code, tail);
}

/* One round in the chroot: ldconfig (first round only, as debootstrap),
 * each preinst of PHASE (base-passwd's first: the others need its passwd
 * and group; then the solver's order, which honours Pre-Depends), then the
 * target's own dpkg --configure -a. */
static int run_phase(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn, int phase, int logfd)
{
	struct xs_log *log = &ctx->log;
	int r = 0;
	size_t n = 0, m = 0;
	char ***argvs = xs_calloc(txn->n + 2, sizeof(*argvs));
	char ***envps = xs_calloc(txn->n + 2, sizeof(*envps));
	const struct xs_pkg **who = xs_calloc(txn->n + 2, sizeof(*who));
	char *ldconfig[] = { "/sbin/ldconfig", NULL };
	char *dpkg_configure[] = { "/usr/bin/dpkg", "--force-confold", "--configure", "-a", NULL };
	char **base_env = script_env(NULL, NULL, txn);
	if (phase == 1) {
		argvs[m] = ldconfig;
		envps[m++] = base_env;
	}
	size_t first_preinst = m;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < txn->n; i++) {
			const struct xs_pkg *p = &txn->v[i];
			bool first = !strcmp(p->name, "base-passwd");
			if (p->phase != phase || (pass == 0) != first || !xs_pkg_ctrl(p, "preinst"))
				continue;
			if ((r = stage_control(log, rootfd, p)) < 0)
				goto out;
			char **argv = xs_calloc(6, sizeof(char *));
			argv[0] = xs_strdup("/bin/sh");
			argv[1] = xs_strdup("-c");
			argv[2] = xs_strdup(run_preinst);
			argv[3] = xs_strdup("xstrap-preinst");
			argv[4] = xs_strdup(p->name);
			who[n++] = p;
			envps[m] = script_env(p, "preinst", txn);
			argvs[m++] = argv;
		}
	argvs[m] = dpkg_configure;
	envps[m++] = base_env;
	size_t count = 0;
	for (size_t i = 0; i < txn->n; i++)
		count += txn->v[i].phase == phase;
	xs_info(log, "Configuring %zu packages (%zu preinst scripts, then dpkg --configure -a)", count, n);
	size_t failed = 0;
	r = xs_target_run_many(log, ctx->o.target, argvs, m, envps, logfd, &failed);
	if (r > 0) {
		_cleanup_free_ char *what =
			failed < first_preinst ? xs_strdup("ldconfig in the target")
			: failed < m - 1 ? xs_asprintf("the preinst of %s", who[failed - first_preinst]->name)
					 : xs_strdup("dpkg --configure -a in the target");
		r = log_tail_fail(log, logfd, what, r);
	}
out:
	for (size_t i = first_preinst; i < first_preinst + n; i++) {
		free_vec(argvs[i]);
		free_vec(envps[i]);
	}
	free_vec(base_env);
	free(argvs);
	free(envps);
	free(who);
	return r;
}

int xs_configure_debian(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	struct xs_log *log = &ctx->log;
	int r;
	if ((r = xs_setup_dev(log, rootfd)) < 0)
		return r;
	static const char policy[] = "#!/bin/sh\n# written by xstrap: no daemon starts while the root is built\nexit 101\n";
	if ((r = xs_target_write(rootfd, POLICY_RC_D, policy, sizeof(policy) - 1, 0755)) < 0)
		return xs_fail(log, -r, "cannot write /%s in the target: %s", POLICY_RC_D, strerror(-r));
	_cleanup_close_ int logfd = xs_configure_log(log);
	if (logfd < 0)
		return logfd;
	int outfd = ctx->log.level >= XS_VERBOSE ? -1 : logfd;
	if ((r = run_phase(ctx, rootfd, txn, 1, outfd < 0 ? -1 : logfd)) != 0)
		return r;
	for (int phase = 2;;) {
		/* the next phase number in use */
		int next = 0;
		for (size_t i = 0; i < txn->n; i++)
			if (txn->v[i].phase >= phase && (!next || txn->v[i].phase < next))
				next = txn->v[i].phase;
		if (!next)
			break;
		phase = next;
		if ((r = xs_dpkg_add_phase(log, rootfd, txn, phase)) < 0)
			return r;
		if ((r = run_phase(ctx, rootfd, txn, phase, outfd < 0 ? -1 : logfd)) != 0)
			return r;
		phase++;
	}
	return 0;
}

int xs_configure_cleanup(struct xs_ctx *ctx, int rootfd)
{
	if (ctx->o.rpmmd) {
		xs_rpm_remove_dev(rootfd, ctx->txn);
		return 0;
	}
	xs_target_unlink(rootfd, POLICY_RC_D);
	_cleanup_close_ int fd = xs_target_open(rootfd, "var/lib/dpkg", O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		/* the staging dir is empty once every preinst ran */
		unlinkat(fd, "xstrap-ci", AT_REMOVEDIR);
	}
	return 0;
}
