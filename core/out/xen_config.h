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

/* The newest /boot/vmlinuz-VERSION of the root (natural order, as
 * hooks/customize/40-pygrub.lua picks it) and its initrd's name in /boot
 * (initrd.img-VERSION, or the RPM family's initramfs-VERSION.img). WHAT
 * (an option's name) starts the error message. Free with xs_kernel_free. */
struct xs_kernel {
	char *version, *vmlinuz, *initrd; /* names in /boot */
};
int xs_kernel_find(struct xs_ctx *ctx, int rootfd, const char *what, struct xs_kernel *k);
void xs_kernel_free(struct xs_kernel *k);
/* Copies /boot/NAME of the root to the host file DEST. */
int xs_kernel_copy(struct xs_ctx *ctx, int rootfd, const char *what, const char *name, const char *dest);
/* An xl.cfg "key = "value"" line, the value quoted (xs_xl_quote); and the
 * vif line for the guest called NAME (--mac, else derived; --bridge). */
struct xs_buf;
void xs_xl_kv(struct xs_buf *b, const char *key, const char *value);
void xs_xl_vif(struct xs_buf *b, const struct xs_opts *o);

#endif
