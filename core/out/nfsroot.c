/* nfsroot.c - `xstrap nfsroot`'s export: the root's kernel and initrd in
 * the layouts netboot loaders read (XenServer's eliloader, PXE/TFTP,
 * iPXE), the kernel command line, the /etc/exports line, an xl config, and
 * with --format=squashfs the root as filesystem.squashfs for live-boot's
 * fetch=URL. mksquashfs (squashfs-tools) writes the squashfs: libarchive
 * has no squashfs writer. */
#include "nfsroot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "xen_config.h"

/* What marks an FAI nfsroot (fai-make-nfsroot touches it; FAI's scripts
 * test for it); the NFSROOT hook writes it too. */
#define NFSROOT_MARK ".THIS_IS_THE_FAI_NFSROOT"

static const char *server(const struct xs_opts *o)
{
	return o->nfs_server ? o->nfs_server : "SERVER";
}

char *xs_nfsroot_cmdline(const struct xs_opts *o, bool http)
{
	_cleanup_free_ char *url = o->fetch_url ? xs_strdup(o->fetch_url)
						: xs_asprintf("http://%s/filesystem.squashfs", server(o));
	_cleanup_free_ char *base = http ? xs_asprintf("boot=live fetch=%s", url)
					 : xs_asprintf("root=/dev/nfs nfsroot=%s:%s boot=live netboot=nfs", server(o),
						       o->nfs_path);
	if (o->append && *o->append)
		return xs_asprintf("%s %s", base, o->append);
	return xs_strdup(base);
}

/* The target holds something already: a root (refused, see docs/nfsroot.md:
 * clients may have it mounted) or anything else (refused as for any build). */
static int check_target(struct xs_ctx *ctx)
{
	const char *t = ctx->o.target;
	DIR *d = opendir(t);
	if (!d)
		return errno == ENOENT ? 0 : xs_fail(&ctx->log, errno, "%s: cannot open the target: %s", t, strerror(errno));
	struct dirent *de;
	bool empty = true;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "lost+found"))
			empty = false;
	closedir(d);
	if (empty)
		return 0;
	_cleanup_free_ char *mark = xs_asprintf("%s/" NFSROOT_MARK, t);
	_cleanup_free_ char *dpkg = xs_asprintf("%s/var/lib/dpkg/status", t);
	if (!access(mark, F_OK) || !access(dpkg, F_OK))
		return xs_fail(&ctx->log, EEXIST,
			       "%s: already holds %s; xstrap nfsroot does not update a root in place (install clients may "
			       "have it mounted): it is left as it is. Build the new one into another directory and "
			       "switch the export to it, or remove this one first",
			       t, !access(mark, F_OK) ? "an nfsroot (/" NFSROOT_MARK ")" : "a root (/var/lib/dpkg/status)");
	return 0; /* the build's own check names what is there */
}

/* --ssh-key: one or more public keys, never a private one. The text is
 * read here, on the host, and handed to hooks/customize/75-nfsroot.lua as
 * the option ssh_keys: the hook itself stays in the sandbox (no host reads). */
static int check_ssh_key(struct xs_ctx *ctx, const char *path)
{
	struct xs_buf b = { 0 };
	int r = xs_read_file(path, &b);
	if (r < 0)
		return xs_fail(&ctx->log, -r, "--ssh-key=%s: %s", path, strerror(-r));
	const char *s = b.len ? (const char *)b.data : "";
	bool priv = strstr(s, "PRIVATE KEY") != NULL;
	bool pub = !priv && (strstr(s, "ssh-") || strstr(s, "ecdsa-") || strstr(s, "sk-"));
	if (pub && strlen(s) == b.len) {
		_cleanup_free_ char *set = xs_asprintf("ssh_keys=%s", s);
		xs_strlist_add(&ctx->o.sets, set);
	}
	xs_buf_free(&b);
	if (!pub)
		return xs_fail(&ctx->log, EINVAL, "--ssh-key=%s: expected OpenSSH public keys (ssh-ed25519 AAAA..., as in a .pub file), found %s",
			       path, priv ? "a private key" : "no key");
	return 0;
}

int xs_nfsroot_prepare(struct xs_ctx *ctx)
{
	struct xs_opts *o = &ctx->o;
	int r;
	if (!o->export_dir)
		xs_warn(&ctx->log, "xstrap nfsroot without --export=DIR: only the root is built, no kernel, initrd or boot configuration is exported");
	if (o->squashfs && !o->export_dir)
		return xs_fail(&ctx->log, EINVAL, "--format=squashfs: the squashfs is written to the export directory; give --export=DIR");
	if ((r = check_target(ctx)) < 0)
		return r;
	if (o->ssh_key && (r = check_ssh_key(ctx, o->ssh_key)) < 0)
		return r;
	if (!o->nfs_path)
		o->nfs_path = xs_absolute(o->target);
	if (!o->nfs_server) {
		/* the install server is usually the host that builds its nfsroot */
		char host[256] = "";
		if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
			return xs_fail(&ctx->log, errno ? errno : EINVAL, "xstrap nfsroot: this host has no name; give the NFS server with --nfs-server=HOST");
		o->nfs_server = xs_strdup(host);
	}
	if (o->export_dir && (r = xs_mkdir_p(o->export_dir, 0755)) < 0)
		return xs_fail(&ctx->log, -r, "--export=%s: cannot create it: %s", o->export_dir, strerror(-r));
	return 0;
}

static void put_buf(FILE *f, void *arg)
{
	const struct xs_buf *b = arg;
	fwrite(b->data, 1, b->len, f);
}

static int write_text(struct xs_ctx *ctx, const char *path, struct xs_buf *b)
{
	int r = xs_write_atomically(path, put_buf, b);
	xs_buf_free(b);
	if (r < 0)
		return xs_fail(&ctx->log, -r, "--export: cannot write %s: %s", path, strerror(-r));
	return 0;
}

/* DEST as a second name of SRC (a hard link), or a copy from the root
 * when the two are on different filesystems */
static int link_or_copy(struct xs_ctx *ctx, int rootfd, const char *name, const char *src, const char *dest)
{
	if (unlink(dest) < 0 && errno != ENOENT)
		return xs_fail(&ctx->log, errno, "--export: cannot replace %s: %s", dest, strerror(errno));
	if (!link(src, dest))
		return 0;
	return xs_kernel_copy(ctx, rootfd, "--export", name, dest);
}

/* mksquashfs ROOT DIR/filesystem.squashfs, through a temporary name; zstd
 * at level 3: ten times faster to write than its default 15, a few percent
 * larger, and the kernel (Debian: SQUASHFS_ZSTD) reads it */
static int write_squashfs(struct xs_ctx *ctx, const char *dir)
{
	_cleanup_free_ char *out = xs_asprintf("%s/filesystem.squashfs", dir);
	_cleanup_free_ char *tmp = xs_asprintf("%s/.filesystem.squashfs.tmp", dir);
	unlink(tmp);
	char *argv[] = { "mksquashfs", ctx->o.target, tmp, "-noappend", "-comp", "zstd", "-Xcompression-level", "3",
			 "-no-progress", "-quiet", NULL };
	double t0 = xs_now();
	pid_t pid = fork();
	if (pid < 0)
		return xs_fail(&ctx->log, errno, "--format=squashfs: fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		unlink(tmp);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
			return xs_fail(&ctx->log, ENOENT, "--format=squashfs: mksquashfs not found (install squashfs-tools)");
		return xs_fail(&ctx->log, EIO, "--format=squashfs: mksquashfs %s %s failed (status %d)", ctx->o.target, tmp,
			       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	if (rename(tmp, out) < 0)
		return xs_fail(&ctx->log, errno, "--format=squashfs: cannot rename %s to %s: %s", tmp, out, strerror(errno));
	xs_debug(&ctx->log, "nfsroot: %s written in %.2f s", out, xs_now() - t0);
	return 0;
}

static int write_xen_config(struct xs_ctx *ctx, const char *path, const char *kernel, const char *initrd,
			    const char *cmdline)
{
	const struct xs_opts *o = &ctx->o;
	struct xs_buf b = { 0 };
	xs_buf_printf(&b, "# An install client booting the xstrap nfsroot of %s %s over the network (%s);\n"
			  "# start it with: xl create %s\n",
		      o->suite, o->arch, o->squashfs ? "live-boot fetches filesystem.squashfs" : "root over NFS", path);
	xs_xl_kv(&b, "name", o->hostname);
	/* the fetched squashfs and live-boot's overlay live in memory */
	xs_buf_printf(&b, "memory = %u\n", o->memory_mb ? o->memory_mb : 1024);
	xs_buf_printf(&b, "vcpus = %u\n", o->vcpus ? o->vcpus : 1);
	xs_xl_kv(&b, "kernel", kernel);
	xs_xl_kv(&b, "ramdisk", initrd);
	_cleanup_free_ char *extra = xs_asprintf("console=hvc0 %s", cmdline);
	xs_xl_kv(&b, "extra", extra);
	xs_xl_vif(&b, o);
	xs_buf_addstr(&b, "# the disk the installer installs onto, e.g.:\n"
			  "# disk = [ \"format=raw, vdev=xvda, access=rw, target=/dev/vg0/guest\" ]\n");
	xs_xl_kv(&b, "on_poweroff", "destroy");
	xs_xl_kv(&b, "on_reboot", "restart");
	xs_xl_kv(&b, "on_crash", "destroy");
	return write_text(ctx, path, &b);
}

int xs_nfsroot_export(struct xs_ctx *ctx, int rootfd)
{
	const struct xs_opts *o = &ctx->o;
	if (!o->export_dir)
		return 0;
	static const char what[] = "--export";
	struct xs_kernel k = { 0 };
	int r = xs_kernel_find(ctx, rootfd, what, &k);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = xs_absolute(o->export_dir);
	_cleanup_free_ char *xen = xs_asprintf("%s/dists/%s/main/installer-%s/current/images/netboot/xen", dir, o->suite,
					       o->arch);
	_cleanup_free_ char *tftp = xs_asprintf("%s/tftp", dir);
	_cleanup_free_ char *pxecfg = xs_asprintf("%s/pxelinux.cfg", tftp);
	_cleanup_free_ char *vmlinuz = xs_asprintf("%s/vmlinuz", xen);
	_cleanup_free_ char *initrd = xs_asprintf("%s/initrd.gz", xen);
	_cleanup_free_ char *tvmlinuz = xs_asprintf("%s/vmlinuz", tftp);
	_cleanup_free_ char *tinitrd = xs_asprintf("%s/initrd.img", tftp);
	/* the boot the build was asked for; with a squashfs, NFS stays possible */
	_cleanup_free_ char *cmdline = xs_nfsroot_cmdline(o, o->squashfs);
	_cleanup_free_ char *nfs = xs_nfsroot_cmdline(o, false);
	_cleanup_free_ char *p = NULL;
	struct xs_buf b = { 0 };
	const char *mk = xen;
	if ((r = xs_mkdir_p(xen, 0755)) < 0 || (r = xs_mkdir_p((mk = pxecfg), 0755)) < 0) {
		r = xs_fail(&ctx->log, -r, "--export: cannot create %s: %s", mk, strerror(-r));
		goto out;
	}
	if ((r = xs_kernel_copy(ctx, rootfd, what, k.vmlinuz, vmlinuz)) < 0 ||
	    (r = xs_kernel_copy(ctx, rootfd, what, k.initrd, initrd)) < 0 ||
	    (r = link_or_copy(ctx, rootfd, k.vmlinuz, vmlinuz, tvmlinuz)) < 0 ||
	    (r = link_or_copy(ctx, rootfd, k.initrd, initrd, tinitrd)) < 0)
		goto out;

	xs_buf_printf(&b, "%s\n", cmdline);
	if ((r = write_text(ctx, (p = xs_asprintf("%s/cmdline", dir)), &b)) < 0)
		goto out;
	free(p);
	xs_buf_printf(&b, "%s\n", nfs);
	if ((r = write_text(ctx, (p = xs_asprintf("%s/cmdline-nfs", dir)), &b)) < 0)
		goto out;
	free(p);
	xs_buf_printf(&b, "# written by xstrap nfsroot (%s %s, kernel %s); serve %s as the TFTP root\n"
			  "default xstrap-nfsroot\n"
			  "label xstrap-nfsroot\n"
			  "  kernel vmlinuz\n"
			  "  append initrd=initrd.img %s\n",
		      o->suite, o->arch, k.version, tftp, cmdline);
	if (o->squashfs)
		xs_buf_printf(&b, "label xstrap-nfsroot-nfs\n"
				  "  kernel vmlinuz\n"
				  "  append initrd=initrd.img %s\n",
			      nfs);
	if ((r = write_text(ctx, (p = xs_asprintf("%s/default", pxecfg)), &b)) < 0)
		goto out;
	free(p);
	xs_buf_printf(&b, "#!ipxe\n# written by xstrap nfsroot (%s %s, kernel %s): chain it from iPXE over HTTP or TFTP\n"
			  "kernel vmlinuz initrd=initrd.img %s\n"
			  "initrd initrd.img\n"
			  "boot\n",
		      o->suite, o->arch, k.version, cmdline);
	if ((r = write_text(ctx, (p = xs_asprintf("%s/boot.ipxe", tftp)), &b)) < 0)
		goto out;
	free(p);
	/* FAI's recommended export options: read-only, root keeps its uid */
	xs_buf_printf(&b, "%s *(ro,async,no_subtree_check,no_root_squash)\n", o->nfs_path);
	if ((r = write_text(ctx, (p = xs_asprintf("%s/exports", dir)), &b)) < 0)
		goto out;
	free(p);
	if ((r = write_xen_config(ctx, (p = xs_asprintf("%s/xen.cfg", dir)), vmlinuz, initrd, cmdline)) < 0)
		goto out;
	if (o->squashfs && (r = write_squashfs(ctx, dir)) < 0)
		goto out;
	xs_info(&ctx->log, "%s: kernel %s and its initrd for eliloader (dists/%s/main/installer-%s/...), PXE and iPXE (tftp/); "
			   "boot with: %s",
		dir, k.version, o->suite, o->arch, cmdline);
out:
	xs_buf_free(&b);
	xs_kernel_free(&k);
	return r;
}
