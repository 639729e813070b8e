/* confine.h - what code that runs in the target (maintainer scripts, rpm
 * scriptlets, executable hooks) may still do to the host: its own UTS, IPC
 * and mount namespaces (and network namespace unless it needs the
 * network), /proc/sys and /proc/sysrq-trigger read-only, and no
 * capability that an installer has no use for. docs/security.md lists
 * what is dropped and why the rest is kept. */
#ifndef XS_CONFINE_H
#define XS_CONFINE_H

/* XS_CONFINE_NETWORK: keep the host's network (hooks that fetch);
 * without it the code gets a network namespace with only loopback up. */
enum { XS_CONFINE_NETWORK = 1 };

/* Confines the calling process and everything it executes. Call in the
 * child that is about to run the code (after chroot, before exec): the
 * namespaces and the dropped bounding set are not undone by exec or by a
 * setuid program. A process without CAP_SYS_ADMIN (an unprivileged run)
 * has nothing these steps take away and is left as it is. Returns 0 or
 * -errno (the caller must not run the code on an error). */
int xs_confine(unsigned flags);

#endif
