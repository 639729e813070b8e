/* deb_configure.c - an unpacked Debian root made live: preinsts, then the target's dpkg. */
#include "deb_configure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "db_dpkg.h"
#include "extract.h"
#include "pkg_deb.h"
#include "run.h"
#include "target.h"

#define POLICY_RC_D "usr/sbin/policy-rc.d"
#define STAGING "var/lib/dpkg/xstrap-ci"
/* Programs that stand in for the target's own while dpkg configures. */
#define SHIM_DIR "var/lib/dpkg/xstrap-bin"
#define SHIM_PATH "PATH=/" SHIM_DIR ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *target_dpkg_version(const struct xs_txn *txn)
{
	struct xs_pkg *d = xs_txn_find(txn, "dpkg");
	return d ? d->version : "";
}

const char *const xs_deb_env[] = { "LC_ALL=C.UTF-8", "DEBIAN_FRONTEND=noninteractive",
				   "DEBCONF_NONINTERACTIVE_SEEN=true", NULL };

/* dpkg's maintainer-script environment; P NULL for dpkg itself, which
 * finds the shims (SHIM_DIR) first when SHIMS. */
static char **script_env(const struct xs_pkg *p, const char *script, const struct xs_txn *txn, bool shims)
{
	_cleanup_free_ char *pkg = NULL, *arch = NULL, *name = NULL, *running = NULL;
	const char *vars[16];
	size_t n = 0;
	for (size_t i = 0; xs_deb_env[i]; i++)
		vars[n++] = xs_deb_env[i];
	vars[n++] = "DPKG_ADMINDIR=/var/lib/dpkg";
	vars[n++] = "DPKG_ROOT=";
	if (shims)
		vars[n++] = SHIM_PATH;
	if (p) {
		vars[n++] = pkg = xs_asprintf("DPKG_MAINTSCRIPT_PACKAGE=%s", p->name);
		vars[n++] = arch = xs_asprintf("DPKG_MAINTSCRIPT_ARCH=%s", p->arch);
		vars[n++] = name = xs_asprintf("DPKG_MAINTSCRIPT_NAME=%s", script);
		vars[n++] = "DPKG_MAINTSCRIPT_PACKAGE_REFCOUNT=1";
		vars[n++] = running = xs_asprintf("DPKG_RUNNING_VERSION=%s", target_dpkg_version(txn));
	}
	vars[n] = NULL;
	return xs_env_new(vars);
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
	const struct xs_debinfo *d = xs_deb_c(p);
	for (size_t k = 0; k < d->nctrl; k++) {
		_cleanup_free_ char *rel = xs_asprintf(STAGING "/%s/%s", p->name, d->ctrl[k].name);
		int r = xs_target_write(rootfd, rel, d->ctrl[k].data, d->ctrl[k].len, d->ctrl[k].mode & 0777);
		if (r < 0)
			return xs_fail(log, -r, "cannot stage the control area of %s: %s", p->name, strerror(-r));
	}
	return 0;
}

static int log_tail_fail(struct xs_log *log, int logfd, const char *what, int code)
{
	char tail[1500];
	xs_script_log_tail(logfd, tail, sizeof(tail));
	return xs_fail(log, EIO, "%s failed with exit status %d; its last output: %s", what, code, tail);
}

/* One round in the chroot: ldconfig (first round only, as debootstrap),
 * each preinst of PHASE (base-passwd's first: the others need its passwd
 * and group; then the solver's order, which honours Pre-Depends), then the
 * target's own dpkg --configure -a. */
static int run_phase(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn, int phase, int logfd, bool shims)
{
	struct xs_log *log = &ctx->log;
	int r = 0;
	size_t n = 0, m = 0;
	char ***argvs = xs_calloc(txn->n + 2, sizeof(*argvs));
	char ***envps = xs_calloc(txn->n + 2, sizeof(*envps));
	const struct xs_pkg **who = xs_calloc(txn->n + 2, sizeof(*who));
	char *ldconfig[] = { "/sbin/ldconfig", NULL };
	char *dpkg_configure[] = { "/usr/bin/dpkg", "--force-confold", "--configure", "-a", NULL };
	char **base_env = script_env(NULL, NULL, txn, shims);
	if (phase == 1) {
		argvs[m] = ldconfig;
		envps[m++] = base_env;
	}
	size_t first_preinst = m;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < txn->n; i++) {
			const struct xs_pkg *p = &txn->v[i];
			bool first = !strcmp(p->name, "base-passwd");
			if (xs_deb_c(p)->phase != phase || (pass == 0) != first || !xs_pkg_ctrl(p, "preinst"))
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
			envps[m] = script_env(p, "preinst", txn, false);
			argvs[m++] = argv;
		}
	argvs[m] = dpkg_configure;
	envps[m++] = base_env;
	size_t count = 0;
	for (size_t i = 0; i < txn->n; i++)
		count += xs_deb_c(&txn->v[i])->phase == phase;
	xs_info(log, "Configuring %zu packages (%zu preinst scripts, then dpkg --configure -a)", count, n);
	size_t failed = 0;
	int status = 0;
	double t0 = xs_now();
	r = xs_target_run_many(log, ctx->o.target, argvs, m, envps, logfd, &failed, &status);
	xs_debug(log, "configure: round %d, %zu packages: %.2f s", phase, count, xs_now() - t0);
	if (!r && status) {
		_cleanup_free_ char *what =
			failed < first_preinst ? xs_strdup("ldconfig in the target")
			: failed < m - 1 ? xs_asprintf("the preinst of %s", who[failed - first_preinst]->name)
					 : xs_strdup("dpkg --configure -a in the target");
		r = log_tail_fail(log, logfd, what, status);
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

/* A kernel's /etc/kernel/postinst.d/initramfs-tools hook runs
 * "update-initramfs -c -k VERSION [-b /boot]" from the kernel's postinst,
 * and initramfs-tools' trigger, which other packages (initramfs-tools
 * itself, udev, firmware) activated, then runs "update-initramfs -u" at the
 * end of the same dpkg run: the first initrd is generated only to be
 * thrown away (debootstrap, mmdebstrap and apt do the same). This stand-in
 * defers the creation to that trigger, as update-initramfs defers "-u"
 * itself: it activates the trigger and leaves an empty initrd for the
 * trigger's "-u" to find and generate, once, after every package that
 * affects it is configured. Any other call is the target's own. */
static const char initramfs_shim[] =
	"#!/bin/sh\n"
	"# written by xstrap for the configure stage only (removed after it)\n"
	"if [ -n \"$DPKG_MAINTSCRIPT_PACKAGE\" ] && [ \"$1\" = -c ] && [ \"$2\" = -k ] && [ -n \"$3\" ] &&\n"
	"   { [ $# = 3 ] || { [ $# = 5 ] && [ \"$4\" = -b ] && [ \"$5\" = /boot ]; }; } &&\n"
	"   [ ! -e \"/boot/initrd.img-$3\" ] && dpkg-trigger --no-await update-initramfs; then\n"
	"\t: > \"/boot/initrd.img-$3\"\n"
	"\techo \"update-initramfs: deferring creation of /boot/initrd.img-$3 (trigger activated)\"\n"
	"\texit 0\n"
	"fi\n"
	"exec /usr/sbin/update-initramfs \"$@\"\n";

/* The shims a transaction needs (the initramfs one when initramfs-tools
 * is in it); 1 when written, 0 when none is needed. */
static int write_shims(struct xs_log *log, int rootfd, const struct xs_txn *txn)
{
	if (!xs_txn_find(txn, "initramfs-tools"))
		return 0;
	int r = xs_target_write(rootfd, SHIM_DIR "/update-initramfs", initramfs_shim, sizeof(initramfs_shim) - 1,
				0755);
	if (r < 0)
		return xs_fail(log, -r, "cannot write /%s/update-initramfs in the target: %s", SHIM_DIR,
			       strerror(-r));
	return 1;
}

static void remove_shims(int rootfd)
{
	xs_target_unlink(rootfd, SHIM_DIR "/update-initramfs");
	_cleanup_close_ int fd = xs_target_open(rootfd, "var/lib/dpkg", O_PATH | O_DIRECTORY);
	if (fd >= 0)
		unlinkat(fd, "xstrap-bin", AT_REMOVEDIR);
}

static int configure_phases(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn, int logfd, bool shims)
{
	struct xs_log *log = &ctx->log;
	int r;
	if ((r = run_phase(ctx, rootfd, txn, 1, logfd, shims)) != 0)
		return r;
	for (int phase = 2;;) {
		/* the next phase number in use */
		int next = 0;
		for (size_t i = 0; i < txn->n; i++) {
			int ph = xs_deb_c(&txn->v[i])->phase;
			if (ph >= phase && (!next || ph < next))
				next = ph;
		}
		if (!next)
			break;
		phase = next;
		/* as debootstrap, which unpacks a round only when the rounds
		 * before it are configured (their scripts never see it) */
		size_t end = 0;
		for (size_t i = 0; i < txn->n; i++)
			if (xs_deb_c(&txn->v[i])->phase <= phase)
				end = i + 1;
		double t0 = xs_now();
		if (ctx->extraction && (r = xs_extract_until(ctx, end)) < 0)
			return r;
		xs_debug(log, "configure: round %d unpacked in %.2f s", phase, xs_now() - t0);
		if ((r = xs_dpkg_add_phase(log, rootfd, txn, phase)) < 0)
			return r;
		if ((r = run_phase(ctx, rootfd, txn, phase, logfd, shims)) != 0)
			return r;
		phase++;
	}
	return 0;
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
	_cleanup_close_ int logfd = xs_script_log_open(log);
	if (logfd < 0)
		return logfd;
	int outfd = ctx->log.level >= XS_VERBOSE ? -1 : logfd;
	int shims = write_shims(log, rootfd, txn);
	if (shims < 0)
		return shims;
	r = configure_phases(ctx, rootfd, txn, outfd < 0 ? -1 : logfd, shims);
	remove_shims(rootfd);
	return r;
}

int xs_deb_cleanup(struct xs_ctx *ctx, int rootfd)
{
	(void)ctx;
	xs_target_unlink(rootfd, POLICY_RC_D);
	remove_shims(rootfd);
	_cleanup_close_ int fd = xs_target_open(rootfd, "var/lib/dpkg", O_PATH | O_DIRECTORY);
	if (fd >= 0) {
		/* the staging dir is empty once every preinst ran */
		unlinkat(fd, "xstrap-ci", AT_REMOVEDIR);
	}
	return 0;
}
