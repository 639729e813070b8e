/* confine.c - what code run in the target may still do to the host. */
#include "confine.h"

#include <errno.h>
#include <stdbool.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

/* Capabilities no dpkg maintainer script, rpm scriptlet or hook needs to
 * build a root: loading modules, rebooting, setting the clock, raw I/O
 * ports and memory, tracing other processes, changing the LSM's policy or
 * the audit rules, the kernel log, immutable flags, BPF and perf. Kept:
 * what installers use on files and users (CHOWN, DAC_*, FOWNER, FSETID,
 * SETUID/SETGID, SETFCAP, MKNOD, SYS_CHROOT, KILL, ...) and SYS_ADMIN,
 * which mount(8) and hostname(1) need; its effects stay in the script's own
 * mount and UTS namespaces. */
static const cap_value_t dropped[] = {
	CAP_SYS_MODULE,	 CAP_SYS_BOOT,	    CAP_SYS_TIME,	CAP_SYS_RAWIO,	  CAP_SYS_PTRACE,
	CAP_SYS_PACCT,	 CAP_SYS_TTY_CONFIG, CAP_MAC_ADMIN,	CAP_MAC_OVERRIDE, CAP_AUDIT_CONTROL,
	CAP_AUDIT_READ,	 CAP_SYSLOG,	    CAP_WAKE_ALARM,	CAP_BLOCK_SUSPEND, CAP_LINUX_IMMUTABLE,
	CAP_NET_ADMIN,	 CAP_BPF,	    CAP_PERFMON,	CAP_CHECKPOINT_RESTORE,
	CAP_SETPCAP, /* last: dropping the others from the bounding set needs it */
};
#define NDROPPED (sizeof(dropped) / sizeof(dropped[0]))

/* The network namespace's loopback, down when the namespace is new. */
static int loopback_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	int r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!r) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	r = r < 0 ? -errno : 0;
	close(s);
	return r;
}

/* /proc/sys and /proc/sysrq-trigger read-only, each bound over itself in
 * this mount namespace. Only where /proc is a proc file system: a target
 * whose /proc is something else was given no proc (run.c mounts it only
 * onto a real directory), and there is nothing to protect. The remount
 * repeats proc's nosuid, nodev, noexec: a user namespace would refuse to
 * clear them. */
static int proc_read_only(void)
{
	struct statfs sf;
	if (statfs("/proc", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	static const char *const paths[] = { "/proc/sys", "/proc/sysrq-trigger" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (access(paths[i], F_OK) < 0)
			continue;
		if (mount(paths[i], paths[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, paths[i], NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			return -errno;
	}
	return 0;
}

/* Out of the bounding set first (no exec, setuid-root programs included,
 * gets them back), then out of the effective, permitted, inheritable and
 * ambient sets. No PR_SET_NO_NEW_PRIVS: a script's setuid helpers (su,
 * newgrp, a package's own) must still work. */
static int drop_capabilities(void)
{
	for (size_t i = 0; i < NDROPPED; i++)
		if (CAP_IS_SUPPORTED(dropped[i]) && cap_drop_bound(dropped[i]) < 0)
			return -errno;
	cap_t caps = cap_get_proc();
	if (!caps)
		return -errno;
	cap_value_t known[NDROPPED];
	size_t n = 0;
	for (size_t i = 0; i < NDROPPED; i++)
		if (CAP_IS_SUPPORTED(dropped[i]))
			known[n++] = dropped[i];
	int r = 0;
	if (cap_set_flag(caps, CAP_EFFECTIVE, n, known, CAP_CLEAR) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, n, known, CAP_CLEAR) < 0 ||
	    cap_set_flag(caps, CAP_INHERITABLE, n, known, CAP_CLEAR) < 0 || cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (!r && CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		r = -errno;
	return r;
}

/* Whether the process holds CAP_SYS_ADMIN (in its user namespace): without
 * it there is nothing to take away that these steps protect (no
 * sethostname, no mount, no sysctl write), and unshare would fail. */
static bool privileged(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	if (caps)
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

int xs_confine(unsigned flags)
{
	if (!privileged())
		return 0;
	int ns = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS;
	if (!(flags & XS_CONFINE_NETWORK))
		ns |= CLONE_NEWNET;
	if (unshare(ns) < 0)
		return -errno;
	/* the binds below stay in this namespace: a host hook's is a copy of
	 * the host's, whose mounts may be shared. In a chroot "/" is no mount
	 * point (EINVAL), and run.c made every mount private already. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
		return -errno;
	int r = 0;
	if (!(flags & XS_CONFINE_NETWORK))
		r = loopback_up();
	if (!r)
		r = proc_read_only();
	if (!r)
		r = drop_capabilities();
	return r;
}
