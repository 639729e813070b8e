/* nfsroot.h - `xstrap nfsroot`: what a network-install server needs besides
 * the root itself (the class NFSROOT and its hooks build that): the root's
 * kernel and initrd where netboot loaders look, the kernel command line,
 * the /etc/exports line, an xl config and, with --format=squashfs, the root
 * as one squashfs file for live-boot's fetch=URL. */
#ifndef XS_NFSROOT_H
#define XS_NFSROOT_H

#include <stdbool.h>

#include "context.h"

/* Before anything is fetched: checks the options (--export's directory can
 * be made, --ssh-key is readable) and refuses a target that already holds
 * a root, leaving it untouched. 0 or -errno (the message in ctx->log). */
int xs_nfsroot_prepare(struct xs_ctx *ctx);

/* After the cleanup stage, with the root open as ROOTFD: the export. */
int xs_nfsroot_export(struct xs_ctx *ctx, int rootfd);

/* The kernel command line a client boots the nfsroot with (caller frees):
 * over NFS (root=/dev/nfs nfsroot=SERVER:PATH boot=live netboot=nfs) or,
 * HTTP set, live-boot's fetch of the squashfs (boot=live fetch=URL); then
 * --append's arguments. */
char *xs_nfsroot_cmdline(const struct xs_opts *o, bool http);

#endif
