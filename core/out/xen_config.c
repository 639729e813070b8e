/* xen_config.c - an xl domU config for the built guest (xl.cfg(5)), its
 * swap image and, when asked, its kernel and initrd copied to the host
 * for direct boot instead of pygrub. */
#include "xen_config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "swap.h"
#include "target.h"
#include "family.h"
#include "util.h"

#define DEFAULT_MEMORY_MB 512
#define DEFAULT_SWAP_DEV "/dev/xvdb"
#define DEFAULT_ROOT_DEV "/dev/xvda"

/* The last --set NAME=VALUE, or DEF. */
static const char *set_value(const struct xs_opts *o, const char *name, const char *def)
{
	size_t nl = strlen(name);
	for (size_t i = o->sets.n; i-- > 0;)
		if (!strncmp(o->sets.v[i], name, nl) && o->sets.v[i][nl] == '=')
			return o->sets.v[i] + nl + 1;
	return def;
}

/* "/dev/xvdb" -> "xvdb": the virtual device the guest sees */
static const char *vdev_of(const char *dev)
{
	return xs_str_startswith(dev, "/dev/") ? dev + 5 : dev;
}

static bool is_image(const struct xs_opts *o)
{
	return xs_format_is_image(o->format);
}

/* OUTPUT without a disk or archive extension: web1.img -> web1 */
static char *stem(const char *output)
{
	static const char *const exts[] = { ".img", ".raw", ".ext2", ".ext3", ".ext4", ".tar" };
	size_t len = strlen(output);
	while (len > 1 && output[len - 1] == '/')
		len--;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);
		if (len > el && !strncmp(output + len - el, exts[i], el))
			return xs_strndup(output, len - el);
	}
	return xs_strndup(output, len);
}

int xs_xen_prepare(struct xs_ctx *ctx, const char *output)
{
	struct xs_opts *o = &ctx->o;
	if (!o->swap_size)
		return 0;
	/* the fstab hook (hooks/customize/10-fstab.lua) names the swap disk */
	if (!set_value(o, "swap", NULL))
		xs_strlist_add(&o->sets, "swap=" DEFAULT_SWAP_DEV);
	if (o->swap_path)
		return 0;
	struct stat st;
	if (xs_str_startswith(output, "/dev/") || (stat(output, &st) == 0 && S_ISBLK(st.st_mode)))
		return xs_fail(&ctx->log, EINVAL, "--swap=SIZE: the target %s is a block device; name the swap device or file too: --swap=SIZE:PATH",
			       output);
	_cleanup_free_ char *s = stem(output);
	o->swap_path = xs_asprintf("%s-swap.img", s);
	return 0;
}

char *xs_xl_quote(const char *s)
{
	struct xs_buf b = { 0 };
	xs_buf_addstr(&b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			xs_buf_printf(&b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			xs_buf_printf(&b, "\\x%02x", c);
		else
			xs_buf_add(&b, s, 1);
	}
	xs_buf_add(&b, "\"", 2);
	return (char *)b.data;
}

void xs_xen_mac(const char *name, char mac[18])
{
	char hex[XS_SHA256_HEX];
	_cleanup_free_ char *seed = xs_asprintf("xstrap xen mac\n%s", name);
	xs_sha256_mem(seed, strlen(seed), hex);
	/* the first byte below 0x80 keeps clear of ranges some sites reserve */
	unsigned b0 = (unsigned)strtoul((char[]){ hex[0], hex[1], 0 }, NULL, 16) & 0x7f;
	snprintf(mac, 18, "00:16:3e:%02x:%.2s:%.2s", b0, hex + 2, hex + 4);
}

/* --- the kernel ------------------------------------------------------- */

void xs_kernel_free(struct xs_kernel *k)
{
	free(k->version);
	free(k->vmlinuz);
	free(k->initrd);
}

/* The newest /boot/vmlinuz-VERSION of the root (natural order, as
 * hooks/customize/40-pygrub.lua picks it for menu.lst) and its initrd:
 * initrd.img-VERSION (Debian) or initramfs-VERSION.img (RPM family). */
int xs_kernel_find(struct xs_ctx *ctx, int rootfd, const char *what, struct xs_kernel *k)
{
	int fd = xs_target_open(rootfd, "boot", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return xs_fail(&ctx->log, -fd, "%s: %s/boot: %s", what, ctx->o.target, strerror(-fd));
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return xs_fail(&ctx->log, errno, "%s: %s/boot: %s", what, ctx->o.target, strerror(errno));
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (xs_str_startswith(de->d_name, "vmlinuz-") &&
		    (!k->version || strverscmp(k->version, de->d_name + 8) < 0)) {
			free(k->version);
			k->version = xs_strdup(de->d_name + 8);
		}
	closedir(d);
	const struct xs_family *f = ctx->family;
	if (!k->version) {
		_cleanup_free_ char *pkg = xs_asprintf(f->kernel_package ? f->kernel_package : "a kernel package", ctx->o.arch);
		return xs_fail(&ctx->log, ENOENT, "%s: the root has no kernel (/boot/vmlinuz-*); add one with --include=%s",
			       what, pkg);
	}
	k->vmlinuz = xs_asprintf("vmlinuz-%s", k->version);
	k->initrd = xs_asprintf(f->initrd_name ? f->initrd_name : "initrd.img-%s", k->version);
	return 0;
}

int xs_kernel_copy(struct xs_ctx *ctx, int rootfd, const char *what, const char *name, const char *dest)
{
	_cleanup_free_ char *rel = xs_asprintf("boot/%s", name);
	_cleanup_close_ int in = xs_target_open(rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return xs_fail(&ctx->log, -in, "%s: /%s in the root: %s", what, rel, strerror(-in));
	_cleanup_close_ int out = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return xs_fail(&ctx->log, errno, "%s: cannot create %s: %s", what, dest, strerror(errno));
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			return xs_fail(&ctx->log, errno ? errno : EIO, "%s: cannot write %s: %s", what, dest,
				       strerror(errno ? errno : EIO));
	if (n < 0)
		return xs_fail(&ctx->log, errno, "%s: cannot read /%s in the root: %s", what, rel, strerror(errno));
	return 0;
}

static int copy_kernel(struct xs_ctx *ctx, int rootfd, struct xs_kernel *k)
{
	static const char what[] = "--xen-kernel-dir";
	int r = xs_kernel_find(ctx, rootfd, what, k);
	if (r < 0)
		return r;
	if ((r = xs_mkdir_p(ctx->o.xen_kernel_dir, 0755)) < 0)
		return xs_fail(&ctx->log, -r, "--xen-kernel-dir: cannot create %s: %s", ctx->o.xen_kernel_dir, strerror(-r));
	_cleanup_free_ char *vmlinuz = xs_asprintf("%s/%s", ctx->o.xen_kernel_dir, k->vmlinuz);
	_cleanup_free_ char *initrd = xs_asprintf("%s/%s", ctx->o.xen_kernel_dir, k->initrd);
	if ((r = xs_kernel_copy(ctx, rootfd, what, k->vmlinuz, vmlinuz)) < 0 ||
	    (r = xs_kernel_copy(ctx, rootfd, what, k->initrd, initrd)) < 0)
		return r;
	xs_info(&ctx->log, "%s: /boot/%s and /boot/%s copied for direct boot", ctx->o.xen_kernel_dir, k->vmlinuz,
		k->initrd);
	return 0;
}

/* --- the config ------------------------------------------------------- */

void xs_xl_kv(struct xs_buf *b, const char *key, const char *value)
{
	_cleanup_free_ char *q = xs_xl_quote(value);
	xs_buf_printf(b, "%s = %s\n", key, q);
}

/* One disk line, xl-disk-configuration(5)'s keyword form: target= last,
 * since it takes the rest of the spec, commas included. The old "file:"
 * and "phy:" prefixes are stripped and ignored by xl 4.x; a block device
 * gets backendtype=phy, which is what "phy:" meant. */
static char *disk_spec(const char *path, const char *vdev)
{
	struct stat st;
	bool blk = stat(path, &st) == 0 && S_ISBLK(st.st_mode);
	return xs_asprintf("format=raw, vdev=%s, access=rw, %starget=%s", vdev, blk ? "backendtype=phy, " : "", path);
}

static void write_disks(struct xs_buf *b, struct xs_ctx *ctx, const char *output)
{
	const struct xs_opts *o = &ctx->o;
	const char *root = vdev_of(set_value(o, "root", DEFAULT_ROOT_DEV));
	_cleanup_free_ char *abs = xs_absolute(output);
	_cleanup_free_ char *img = NULL;
	if (!is_image(o)) {
		/* a directory or a tar is not a disk: say how to make one (ext4
		 * features an older dom0's pygrub and the guest kernel read) */
		static const char mke2fs[] = "mke2fs -t ext4 -O ^orphan_file,^metadata_csum_seed -d";
		_cleanup_free_ char *s = stem(abs);
		img = xs_asprintf("%s.img", s);
		xs_buf_printf(b, "# %s is a %s, not a disk: put it on one first, e.g.\n", abs,
			      o->format == XS_OUT_TAR ? "tar archive" : "directory");
		if (o->format == XS_OUT_TAR)
			xs_buf_printf(b, "#   mkdir R && tar -C R --xattrs --xattrs-include='*' -xpf %s && %s R %s 2G\n",
				      abs, mke2fs, img);
		else
			xs_buf_printf(b, "#   %s %s %s 2G\n", mke2fs, abs, img);
	}
	_cleanup_free_ char *d0 = disk_spec(img ? img : abs, root);
	_cleanup_free_ char *q0 = xs_xl_quote(d0);
	xs_buf_printf(b, "disk = [ %s", q0);
	if (o->swap_size) {
		_cleanup_free_ char *sabs = xs_absolute(o->swap_path);
		_cleanup_free_ char *d1 = disk_spec(sabs, vdev_of(set_value(o, "swap", DEFAULT_SWAP_DEV)));
		_cleanup_free_ char *q1 = xs_xl_quote(d1);
		xs_buf_printf(b, ",\n         %s", q1);
	}
	xs_buf_addstr(b, " ]\n");
}

static void write_boot(struct xs_buf *b, struct xs_ctx *ctx, const struct xs_kernel *k)
{
	const struct xs_opts *o = &ctx->o;
	if (!o->xen_kernel_dir) {
		xs_buf_addstr(b, "# pygrub reads /boot/grub/menu.lst in the guest's disk and boots its kernel\n");
		xs_xl_kv(b, "bootloader", "pygrub");
		return;
	}
	_cleanup_free_ char *dir = xs_absolute(o->xen_kernel_dir);
	_cleanup_free_ char *kernel = xs_asprintf("%s/%s", dir, k->vmlinuz);
	_cleanup_free_ char *ramdisk = xs_asprintf("%s/%s", dir, k->initrd);
	_cleanup_free_ char *root = xs_asprintf("%s ro", set_value(o, "root", DEFAULT_ROOT_DEV));
	_cleanup_free_ char *extra = xs_asprintf("console=%s net.ifnames=0", set_value(o, "console", "hvc0"));
	xs_buf_printf(b, "# the guest's kernel %s, copied out of its /boot\n", k->version);
	xs_xl_kv(b, "kernel", kernel);
	xs_xl_kv(b, "ramdisk", ramdisk);
	xs_xl_kv(b, "root", root);
	xs_xl_kv(b, "extra", extra);
}

void xs_xl_vif(struct xs_buf *b, const struct xs_opts *o)
{
	char mac[18];
	if (o->mac)
		snprintf(mac, sizeof(mac), "%s", o->mac);
	else
		xs_xen_mac(o->hostname, mac);
	_cleanup_free_ char *spec = o->bridge ? xs_asprintf("mac=%s, bridge=%s", mac, o->bridge)
					      : xs_asprintf("mac=%s", mac);
	_cleanup_free_ char *q = xs_xl_quote(spec);
	xs_buf_printf(b, "vif = [ %s ]\n", q);
}

static void put_buf(FILE *f, void *arg)
{
	const struct xs_buf *b = arg;
	fwrite(b->data, 1, b->len, f);
}

static int write_config(struct xs_ctx *ctx, const char *output, const struct xs_kernel *k)
{
	const struct xs_opts *o = &ctx->o;
	struct xs_buf b = { 0 };
	xs_buf_printf(&b, "# Xen domU %s, written by xstrap (%s %s); start it with: xl create %s\n", o->hostname,
		      o->suite, o->arch, o->xen_config);
	xs_xl_kv(&b, "name", o->hostname);
	xs_buf_printf(&b, "memory = %u\n", o->memory_mb ? o->memory_mb : DEFAULT_MEMORY_MB);
	xs_buf_printf(&b, "vcpus = %u\n", o->vcpus ? o->vcpus : 1);
	write_boot(&b, ctx, k);
	write_disks(&b, ctx, output);
	xs_xl_vif(&b, o);
	xs_xl_kv(&b, "on_poweroff", "destroy");
	xs_xl_kv(&b, "on_reboot", "restart");
	xs_xl_kv(&b, "on_crash", "restart");
	int r = xs_write_atomically(o->xen_config, put_buf, &b);
	xs_buf_free(&b);
	if (r < 0)
		return xs_fail(&ctx->log, -r, "--xen-config: cannot write %s: %s", o->xen_config, strerror(-r));
	xs_info(&ctx->log, "%s: xl domU config for %s", o->xen_config, o->hostname);
	return 0;
}

static bool guest_big_endian(const char *arch)
{
	return !strcmp(arch, "s390x") || !strcmp(arch, "powerpc") || !strcmp(arch, "ppc64") ||
	       !strcmp(arch, "mips") || !strcmp(arch, "mips64");
}

int xs_xen_outputs(struct xs_ctx *ctx, int rootfd, const char *output)
{
	struct xs_opts *o = &ctx->o;
	struct xs_kernel k = { 0 };
	int r = 0;
	if (o->swap_size) {
		uint8_t uuid[16];
		xs_swap_uuid(o->hostname, getenv("SOURCE_DATE_EPOCH"), uuid);
		_cleanup_free_ char *label = xs_strndup(o->hostname, 10);
		_cleanup_free_ char *full = xs_asprintf("%s-swap", label);
		if ((r = xs_swap_write(&ctx->log, o->swap_path, o->swap_size, full, uuid, guest_big_endian(o->arch))) < 0)
			return r;
		xs_info(&ctx->log, "%s: swap image, %llu MiB, label %s", o->swap_path,
			(unsigned long long)(o->swap_size >> 20), full);
	}
	if (o->xen_kernel_dir && (r = copy_kernel(ctx, rootfd, &k)) < 0)
		goto out;
	if (o->xen_config) {
		if (!o->xen_kernel_dir && !xs_strlist_has(&o->classes, "XEN_DOMU"))
			xs_warn(&ctx->log, "--xen-config without --class=XEN_DOMU: the guest has no /boot/grub/menu.lst for pygrub, no hvc0 console and no xvda fstab");
		r = write_config(ctx, output, &k);
	}
out:
	xs_kernel_free(&k);
	return r;
}
