/* nfsroot.h - `xstrap nfsroot`: what a network-install server needs besides
 * the root itself (the class NFSROOT and its hooks build that): the root's
 * kernel and initrd where netboot loaders look, the kernel command line,
 * the /etc/exports line, an xl config and, with --format=squashfs, the root
 * as one squashfs file for live-boot's fetch=URL. */
#ifndef XS_NFSROOT_H
#define XS_NFSROOT_H

#include "context.h"

/* Before anything is fetched: checks the options (--export's directory can
 * be made, --ssh-key is readable) and refuses a target that already holds
 * a root, leaving it untouched. 0 or -errno (the message in ctx->log). */
int xs_nfsroot_prepare(struct xs_ctx *ctx);

/* After the cleanup stage, with the root open as ROOTFD: the export. */
int xs_nfsroot_export(struct xs_ctx *ctx, int rootfd);

/* The kernel command line a client boots the nfsroot with (caller frees):
 * NFS (root=/dev/nfs nfsroot=SERVER:PATH boot=live netboot=nfs) or, with
 * --format=squashfs, live-boot's HTTP fetch (boot=live fetch=URL); then
 * --append's arguments. */
char *xs_nfsroot_cmdline(const struct xs_opts *o);

#endif
