/* stages.c - the pipeline: each stage in order, the family doing its part. */
#include "stages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/bitmap.h>
#include <solv/util.h>

#include "config_space.h"
#include "emul.h"
#include "extract.h"
#include "family.h"
#include "nfsroot.h"
#include "output.h"
#include "solve.h"
#include "suites.h"
#include "target.h"
#include "userns.h"
#include "xen_config.h"

int xs_prepare(struct xs_ctx *ctx)
{
	struct xs_opts *o = &ctx->o;
	if (!ctx->suite)
		ctx->suite = xs_calloc(1, sizeof(*ctx->suite));
	bool known;
	int r = xs_family_choose(ctx, &known);
	if (r < 0)
		return r;
	if (o->mirror) {
		size_t ml = strlen(o->mirror);
		while (ml > 1 && o->mirror[ml - 1] == '/')
			o->mirror[--ml] = 0;
		if (!strstr(o->mirror, "://")) {
			/* a plain path is a local mirror */
			char *m = xs_asprintf("file://%s", o->mirror);
			free(o->mirror);
			o->mirror = m;
		}
	}
	if (!o->arch)
		o->arch = xs_strdup(xs_host_arch());
	if ((r = ctx->family->prepare(ctx, known)) < 0)
		return r;
	if (!o->cache_dir) {
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (geteuid() == 0)
			o->cache_dir = xs_strdup("/var/cache/xstrap");
		else if (xdg && *xdg)
			o->cache_dir = xs_asprintf("%s/xstrap", xdg);
		else
			o->cache_dir = xs_asprintf("%s/.cache/xstrap", home ? home : "/tmp");
	}
	if ((r = xs_mkdir_p(o->cache_dir, 0755)) < 0)
		return xs_fail(&ctx->log, -r, "%s: cannot create the cache directory: %s", o->cache_dir,
			       strerror(-r));
	if ((r = xs_config_load(ctx)) < 0)
		return r;
	if (o->no_verify)
		xs_warn(&ctx->log, "--no-verify: signatures and checksums are NOT verified; anyone on the path to %s can put anything into this root",
			o->mirror ? o->mirror : "the mirror");
	return 0;
}

static int load_and_resolve(struct xs_ctx *ctx, struct xs_txn *txn)
{
	double t0 = xs_now();
	int r = ctx->family->load(ctx);
	if (r < 0)
		return r;
	xs_debug(&ctx->log, "metadata: %.2f s", xs_now() - t0);
	t0 = xs_now();
	r = xs_resolve(ctx, txn);
	xs_debug(&ctx->log, "resolve: %.2f s", xs_now() - t0);
	return r;
}

static void free_pool(struct xs_ctx *ctx)
{
	if (ctx->pool) {
		if (ctx->pool->considered) { /* pool_free leaves the exclude map to us */
			map_free(ctx->pool->considered);
			solv_free(ctx->pool->considered);
			ctx->pool->considered = NULL;
		}
		pool_free(ctx->pool);
	}
	ctx->pool = NULL;
}

void xs_release(struct xs_ctx *ctx)
{
	free_pool(ctx);
	if (ctx->family && ctx->family->state_free)
		ctx->family->state_free(ctx);
	if (ctx->suite) {
		xs_suite_free(ctx->suite);
		free(ctx->suite);
		ctx->suite = NULL;
	}
}

int xs_plan(struct xs_ctx *ctx, struct xs_txn *txn)
{
	int r = load_and_resolve(ctx, txn);
	if (r < 0)
		xs_txn_free(txn);
	return r;
}

static int check_target_empty(struct xs_ctx *ctx, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		if (errno != ENOENT)
			return xs_fail(&ctx->log, errno, "%s: cannot open the target: %s", path, strerror(errno));
		int r = xs_mkdir_p(path, 0755);
		return r < 0 ? xs_fail(&ctx->log, -r, "%s: cannot create the target: %s", path, strerror(-r)) : 0;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, "lost+found")) {
			r = xs_fail(&ctx->log, EEXIST, "%s: the target directory is not empty (found %s); give an empty or new directory",
				    path, de->d_name);
			break;
		}
	closedir(d);
	return r;
}

/* Scripts run in the target: its filesystem must let them (noexec), and as
 * root the device nodes xstrap makes must work there (nodev; in a user
 * namespace the host's nodes are bound instead). */
static int check_target_fs(struct xs_ctx *ctx, const char *path)
{
	struct statvfs sv;
	if (ctx->o.variant == XS_VARIANT_EXTRACT || statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOEXEC)
		return xs_fail(&ctx->log, EPERM, "%s is on a filesystem mounted noexec: the packages' scripts cannot run there; choose a target elsewhere or remount it without noexec",
			       path);
	if ((sv.f_flag & ST_NODEV) && !xs_userns_active())
		return xs_fail(&ctx->log, EPERM, "%s is on a filesystem mounted nodev: /dev/null and the other nodes the scripts need would not work; choose a target elsewhere or remount it without nodev",
			       path);
	return 0;
}

/* -v: the peak resident memory so far, of xstrap and of the largest
 * program it ran (the memory budget, xstrap(1) MEMORY). */
static void debug_peak_memory(struct xs_ctx *ctx, const char *stage)
{
	struct rusage self, children;
	if (!getrusage(RUSAGE_SELF, &self) && !getrusage(RUSAGE_CHILDREN, &children))
		xs_debug(&ctx->log, "%s: peak memory %ld MB (xstrap), %ld MB (the largest program it ran)", stage,
			 self.ru_maxrss / 1024, children.ru_maxrss / 1024);
}

int xs_build(struct xs_ctx *ctx)
{
	const struct xs_family *f = ctx->family;
	struct xs_txn txn = { 0 };
	double t0 = xs_now();
	int rootfd = -1;
	_cleanup_free_ char *root = NULL;
	int r;
	_cleanup_free_ char *output = xs_strdup(ctx->o.target); /* as given: the config names it */
	/* a foreign architecture's scripts need emulation: say so before any download */
	if (ctx->o.variant != XS_VARIANT_EXTRACT && (r = xs_emul_check(&ctx->log, ctx->o.arch)) < 0)
		goto out;
	if ((r = xs_xen_prepare(ctx, output)) < 0 || (ctx->o.nfsroot && (r = xs_nfsroot_prepare(ctx)) < 0))
		goto out;
	if ((r = xs_output_prepare(ctx, &root)) < 0 || (r = check_target_empty(ctx, root)) < 0 ||
	    (r = check_target_fs(ctx, root)) < 0)
		goto out;
	if ((r = load_and_resolve(ctx, &txn)) < 0)
		goto out;
	ctx->txn = &txn;
	xs_info(&ctx->log, "%zu packages, %.1f MB to fetch from %s", txn.n, txn.bytes / 1e6, ctx->o.mirror);
	double t1 = xs_now();
	if ((r = xs_download(ctx, &txn)) < 0)
		goto out;
	xs_debug(&ctx->log, "download: %.2f s", xs_now() - t1);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		r = xs_fail(&ctx->log, errno, "%s: %s", root, strerror(errno));
		goto out;
	}
	/* Nobody but root enters the target while it is built (setuid programs
	 * land in it before their owners and modes are final): 0700 until the
	 * end, then its own mode or the one a package's "/" gives it. */
	struct stat st;
	if (fstat(rootfd, &st) < 0 || fchmod(rootfd, 0700) < 0) {
		r = xs_fail(&ctx->log, errno, "%s: cannot make the target private while it is built: %s", root,
			    strerror(errno));
		goto out;
	}
	ctx->root_mode = st.st_mode & 07777;
	/* chroot and dpkg want to see the target by its path */
	free(ctx->o.target);
	ctx->o.target = realpath(root, NULL);
	ctx->rootfd = rootfd;
	if ((f->setup && (r = f->setup(ctx, rootfd)) < 0) || (r = xs_config_run_stage(ctx, "setup")) < 0)
		goto out;
	t1 = xs_now();
	/* a family that configures in rounds gets the rest of the packages
	 * while it configures (f->extract_first); the workers decode ahead */
	size_t first = ctx->o.variant != XS_VARIANT_EXTRACT && f->extract_first ? f->extract_first(&txn) : txn.n;
	bool rounds = first < txn.n;
	if ((r = xs_extract_start(ctx, &txn, rootfd)) < 0 || (r = xs_extract_until(ctx, first)) < 0 ||
	    (!rounds && (r = xs_extract_finish(ctx)) < 0) || (r = xs_config_run_stage(ctx, "extract")) < 0)
		goto out;
	xs_debug(&ctx->log, "extract: %.2f s%s", xs_now() - t1, rounds ? " (the first round)" : "");
	debug_peak_memory(ctx, "extract");
	if (ctx->o.variant != XS_VARIANT_EXTRACT) {
		t1 = xs_now();
		if (f->record && (r = f->record(ctx, rootfd, &txn)) < 0)
			goto out;
		r = f->configure(ctx, rootfd, &txn);
		if (!r)
			r = xs_extract_finish(ctx);
		if (!r)
			r = xs_config_run_stage(ctx, "configure");
		if (r < 0) {
			if (f->cleanup)
				f->cleanup(ctx, rootfd, &txn);
			goto out;
		}
		xs_debug(&ctx->log, "configure: %.2f s%s", xs_now() - t1, rounds ? " (with the later rounds' extraction)" : "");
		debug_peak_memory(ctx, "configure");
	}
	/* customize still sees policy-rc.d: no daemon starts from a hook */
	r = xs_config_run_stage(ctx, "customize");
	if (f->cleanup)
		f->cleanup(ctx, rootfd, &txn);
	if (r < 0 || (r = xs_config_run_stage(ctx, "cleanup")) < 0)
		goto out;
	if (fchmod(rootfd, ctx->root_mode) < 0) {
		r = xs_fail(&ctx->log, errno, "%s: cannot give the target its mode %04o: %s", root, ctx->root_mode,
			    strerror(errno));
		goto out;
	}
	if ((r = xs_xen_outputs(ctx, rootfd, output)) < 0 ||
	    (ctx->o.nfsroot && (r = xs_nfsroot_export(ctx, rootfd)) < 0))
		goto out;
	if ((r = xs_output_write(ctx, root)) < 0)
		goto out;
	xs_info(&ctx->log, "%s: %zu packages, %.1f MB, %.1f s", ctx->o.output ? ctx->o.output : ctx->o.target, txn.n,
		txn.bytes / 1e6, xs_now() - t0);
out:
	xs_extract_finish(ctx); /* after a failure: the workers stop */
	ctx->txn = NULL;
	ctx->rootfd = -1;
	if (rootfd >= 0)
		close(rootfd);
	xs_output_discard(ctx, root);
	xs_txn_free(&txn);
	free_pool(ctx);
	return r;
}
