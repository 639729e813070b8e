/* xen_config.h - what a Xen host needs besides the root: the swap image
 * (--swap), the kernel and initrd copied out (--xen-kernel-dir) and the xl
 * domU config (--xen-config). */
#ifndef XS_XEN_CONFIG_H
#define XS_XEN_CONFIG_H

#include "context.h"

/* Before the build: the swap image's path (PATH of --swap=SIZE:PATH, or
 * beside OUTPUT: OUTPUT without .img/.raw/.ext2/.ext3/.ext4/.tar, plus
 * "-swap.img"), so a bad combination fails before any download. OUTPUT is
 * the target as given (directory, tar or image file, block device). */
int xs_xen_prepare(struct xs_ctx *ctx, const char *output);

/* After the cleanup stage, with the root still open as ROOTFD: the swap
 * image, the kernel copy-out and the config, as asked. */
int xs_xen_outputs(struct xs_ctx *ctx, int rootfd, const char *output);

/* The xl config text, for tests: a string value quoted for xl's parser
 * (libxlu_cfg_l.l): between double quotes, with \" \\ and \xHH escapes. */
char *xs_xl_quote(const char *s);

/* 00:16:3e (Xen's OUI) and three bytes of SHA-256 of NAME: the same guest
 * name always gets the same MAC, two names almost never share one. */
void xs_xen_mac(const char *name, char mac[18]);

#endif
