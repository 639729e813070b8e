#include "stages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/bitmap.h>
#include <solv/util.h>

#include "config.h"
#include "configure.h"
#include "db_dpkg.h"
#include "fetch.h"
#include "output.h"
#include "pkg_deb.h"
#include "repo_apt.h"
#include "repo_rpmmd.h"
#include "db_rpm.h"
#include "pkg_rpm.h"
#include "verify.h"
#include "solve.h"
#include "sources.h"
#include "suites.h"
#include "target.h"

static struct xs_suite the_suite;
static struct xs_rpmmd the_rpmmd; /* the solvables' repos point into it */

static const char *host_arch(void)
{
	static const char *const map[][2] = {
		{ "x86_64", "amd64" }, { "aarch64", "arm64" }, { "i686", "i386" },
		{ "armv7l", "armhf" }, { "ppc64le", "ppc64el" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" },
	};
	struct utsname u;
	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(u.machine, map[i][0]))
				return map[i][1];
	return "amd64";
}

/* What SUITE is: a Debian suite, an rpm distribution (which implies
 * rpm-md) or neither (-ENOENT), as --repo-type allows. */
static int lookup_suite(struct xs_ctx *ctx)
{
	struct xs_opts *o = &ctx->o;
	int r = -ENOENT;
	if (o->rpmmd_opt != 1)
		r = xs_suite_lookup(o->datadir, o->suite, &the_suite, &ctx->log);
	if (r == -ENOENT && o->rpmmd_opt != 0)
		r = xs_rpm_suite_lookup(o->datadir, o->suite, &the_suite, &ctx->log);
	o->rpmmd = o->rpmmd_opt == 1 || (r == 0 && the_suite.rpm);
	return r;
}

/* rpm-md: the repositories to load (an rpm distribution's enabled ones
 * below the mirror, or the mirror itself), the key, the rpmdb location. */
static int prepare_rpm(struct xs_ctx *ctx, bool known)
{
	struct xs_opts *o = &ctx->o;
	const char *basearch = xs_rpm_arch(o->arch);
	o->rpmdb_path = xs_strdup(known ? the_suite.rpmdb : "/var/lib/rpm");
	if (!known) {
		if (o->repo_choices.n)
			return xs_fail(&ctx->log, EINVAL, "--enable-repo/--disable-repo: \"%s\" is not an rpm distribution xstrap knows (%s/repos/rpm.conf); MIRROR is its one repository",
				       o->suite, o->datadir);
		the_suite.name = xs_strdup(o->suite);
		if (o->mirror) {
			xs_strlist_add(&o->rpm_repos, o->suite);
			xs_strlist_add(&o->rpm_urls, o->mirror);
		}
		return 0;
	}
	if (!o->keyrings.n && !o->no_verify) {
		_cleanup_free_ char *key = NULL;
		int r = xs_rpm_suite_find_key(&the_suite, o->datadir, getenv("XSTRAP_RPM_KEYDIRS"), basearch,
					      &key, &ctx->log);
		if (r < 0)
			return r;
		xs_debug(&ctx->log, "%s: key %s", the_suite.name, key);
		xs_strlist_add(&o->keyrings, key);
	}
	if (!o->mirror) /* no default: the host's sources are Debian's */
		return 0;
	return xs_rpm_suite_repos(&the_suite, o->mirror, basearch, &o->repo_choices, &o->rpm_repos,
				  &o->rpm_urls, &ctx->log);
}

int xs_prepare(struct xs_ctx *ctx)
{
	struct xs_opts *o = &ctx->o;
	int r = lookup_suite(ctx);
	if (r < 0 && r != -ENOENT)
		return r;
	bool known = r == 0;
	if (!o->mirror && !o->rpmmd) {
		o->mirror = xs_host_mirror("/etc/apt");
		if (!o->mirror)
			return xs_fail(&ctx->log, ENOENT,
				       "no mirror given and none found in the host's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/); give one: xstrap SUITE TARGET MIRROR");
	}
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
		o->arch = xs_strdup(host_arch());
	if (o->rpmmd) {
		if ((r = prepare_rpm(ctx, known)) < 0)
			return r;
	} else if (o->repo_choices.n) {
		return xs_fail(&ctx->log, EINVAL, "--enable-repo/--disable-repo: only for rpm distributions (repos/rpm.conf); %s is not one",
			       o->suite);
	} else if (!known) {
		/* Unknown by name: fine when the mirror has it and a key is given. */
		the_suite.name = xs_strdup(o->suite);
		the_suite.merged_usr = true;
		if (!o->keyrings.n && !o->no_verify)
			return xs_fail(&ctx->log, ENOENT,
				       "unknown suite \"%s\": not defined in %s/repos/debian.conf or rpm.conf; for another archive give its key with --keyring=FILE",
				       o->suite, o->datadir);
	} else if (!o->keyrings.n && the_suite.keyring) {
		xs_strlist_add(&o->keyrings, the_suite.keyring);
	}
	if (!o->components.n) {
		if (the_suite.components.n)
			for (size_t i = 0; i < the_suite.components.n; i++)
				xs_strlist_add(&o->components, the_suite.components.v[i]);
		else
			xs_strlist_add(&o->components, "main");
	}
	if (!o->cache_dir) {
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		if (geteuid() == 0)
			o->cache_dir = xs_strdup("/var/cache/xstrap");
		else if (xdg && *xdg)
			o->cache_dir = xs_asprintf("%s/xstrap", xdg);
		else
			o->cache_dir = xs_asprintf("%s/.cache/xstrap", home ? home : "/tmp");
	}
	o->merged_usr = the_suite.merged_usr &&
			!(o->variant == XS_VARIANT_BUILDD && the_suite.buildd_unmerged);
	if (o->merged_usr_opt >= 0)
		o->merged_usr = o->merged_usr_opt;
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

static int load_and_resolve(struct xs_ctx *ctx, struct xs_apt *apt, struct xs_txn *txn)
{
	if (ctx->o.rpmmd) {
		ctx->pool = pool_create();
		pool_setdisttype(ctx->pool, DISTTYPE_RPM);
		pool_setarch(ctx->pool, xs_rpm_arch(ctx->o.arch));
		the_rpmmd.distribution = the_suite.rpm ? the_suite.name : NULL;
		the_rpmmd.repomd_unsigned = the_suite.repomd_unsigned;
		for (size_t i = 0; i < ctx->o.rpm_repos.n; i++)
			xs_rpmmd_add(&the_rpmmd, ctx->o.rpm_repos.v[i], ctx->o.rpm_urls.v[i]);
		double t0 = xs_now();
		int r = xs_rpmmd_load(ctx, &the_rpmmd);
		xs_debug(&ctx->log, "metadata: %.2f s", xs_now() - t0);
		if (r)
			return r;
		t0 = xs_now();
		r = xs_resolve_rpm(ctx, &the_suite, txn);
		xs_debug(&ctx->log, "resolve: %.2f s", xs_now() - t0);
		return r;
	}
	ctx->pool = pool_create();
	pool_setdisttype(ctx->pool, DISTTYPE_DEB);
	pool_setarch(ctx->pool, ctx->o.arch);
	double t0 = xs_now();
	int r = xs_apt_load(ctx, &the_suite, apt);
	if (r < 0)
		return r;
	xs_debug(&ctx->log, "metadata: %.2f s", xs_now() - t0);
	t0 = xs_now();
	r = xs_resolve(ctx, &the_suite, apt, txn);
	xs_debug(&ctx->log, "resolve: %.2f s", xs_now() - t0);
	return r;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void print_plan(struct xs_ctx *ctx, const struct xs_txn *txn)
{
	if (ctx->o.json) {
		printf("[");
		for (size_t i = 0; i < txn->n; i++) {
			const struct xs_pkg *p = &txn->v[i];
			printf("%s\n {\"name\": ", i ? "," : "");
			json_str(stdout, p->name);
			printf(", \"version\": ");
			json_str(stdout, p->version);
			printf(", \"arch\": ");
			json_str(stdout, p->arch);
			printf(", \"size\": %llu, \"sha256\": ", (unsigned long long)p->size);
			json_str(stdout, p->sha256);
			printf(", \"filename\": ");
			json_str(stdout, p->filename);
			printf(", \"url\": ");
			json_str(stdout, p->url);
			printf(", \"priority\": ");
			json_str(stdout, p->priority);
			printf("}");
		}
		printf("\n]\n");
		return;
	}
	for (size_t i = 0; i < txn->n; i++)
		printf("%s %s %s\n", txn->v[i].name, txn->v[i].version, txn->v[i].arch);
}

static void cleanup_run(struct xs_ctx *ctx, struct xs_apt *apt, struct xs_txn *txn)
{
	xs_txn_free(txn);
	xs_apt_free(apt);
	if (ctx->pool) {
		if (ctx->pool->considered) { /* pool_free leaves the exclude map to us */
			map_free(ctx->pool->considered);
			solv_free(ctx->pool->considered);
			ctx->pool->considered = NULL;
		}
		pool_free(ctx->pool);
	}
	ctx->pool = NULL;
	xs_rpmmd_free(&the_rpmmd);
	xs_suite_free(&the_suite);
}

int xs_plan(struct xs_ctx *ctx)
{
	struct xs_apt apt = { 0 };
	struct xs_txn txn = { 0 };
	int r = load_and_resolve(ctx, &apt, &txn);
	if (!r)
		print_plan(ctx, &txn);
	cleanup_run(ctx, &apt, &txn);
	return r;
}

static int download(struct xs_ctx *ctx, struct xs_txn *txn)
{
	_cleanup_free_ char *dir = xs_asprintf("%s/%s", ctx->o.cache_dir, ctx->o.rpmmd ? "rpms" : "debs");
	xs_mkdir_p(dir, 0755);
	struct xs_transfer *t = xs_calloc(txn->n, sizeof(*t));
	for (size_t i = 0; i < txn->n; i++) {
		struct xs_pkg *p = &txn->v[i];
		t[i].url = p->url;
		t[i].dest = p->cache_path;
		t[i].sha256 = p->sha256[0] ? p->sha256 : NULL;
		t[i].size = p->size;
		if (!t[i].sha256) { /* --no-verify: never trust or fill the shared cache */
			free(p->cache_path);
			p->cache_path = xs_asprintf("%s/unverified-%s_%s_%s.%s", dir, p->name, p->version, p->arch,
						    ctx->o.rpmmd ? "rpm" : "deb");
			t[i].dest = p->cache_path;
			unlink(p->cache_path);
		}
	}
	int r = xs_fetch_all(&ctx->log, t, txn->n, 6, "Downloading");
	size_t cached = 0;
	for (size_t i = 0; i < txn->n; i++)
		cached += t[i].from_cache;
	xs_debug(&ctx->log, "download: %zu of %zu packages were in the cache", cached, txn->n);
	free(t);
	return r;
}

/* Extraction: N workers decompress packages in transaction order (ahead
 * of the writer, within a memory budget); one writer lays them down
 * strictly in that order, so Pre-Depends order and "later package wins"
 * hold as they do with dpkg, while decompression uses every core. */
struct extract_pool {
	struct xs_ctx *ctx;
	struct xs_txn *txn;
	struct xs_buf *data;  /* per package: its decompressed data.tar */
	int *state;           /* 0 waiting, 1 ready, <0 failed */
	size_t next_decode, next_write;
	uint64_t inflight, budget;
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *decode_worker(void *arg)
{
	struct extract_pool *ep = arg;
	struct xs_ctx *ctx = ep->ctx;
	/* signals go to the main thread, whose handler cleans up while no
	 * worker writes */
	sigset_t block;
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	/* rpm: each worker checks signatures with its own gpgme context */
	struct xs_verifier *v = NULL;
	int vr = 0;
	if (ctx->o.rpmmd && !ctx->o.no_verify)
		vr = xs_verifier_new(&v, &ctx->o.keyrings, &ctx->log);
	pthread_mutex_lock(&ep->lock);
	for (;;) {
		while (!ep->stop && ep->next_decode < ep->txn->n && ep->inflight > ep->budget &&
		       ep->next_decode != ep->next_write)
			pthread_cond_wait(&ep->cond, &ep->lock);
		if (ep->stop || ep->next_decode >= ep->txn->n)
			break;
		size_t i = ep->next_decode++;
		pthread_mutex_unlock(&ep->lock);
		int r = vr < 0		 ? vr
			: ctx->o.rpmmd ? xs_rpm_decode(&ctx->log, v, &ep->txn->v[i], &ep->data[i])
				       : xs_deb_decode(&ctx->log, &ep->txn->v[i], &ep->data[i]);
		pthread_mutex_lock(&ep->lock);
		ep->state[i] = r < 0 ? r : 1;
		ep->inflight += ep->data[i].len;
		pthread_cond_broadcast(&ep->cond);
	}
	pthread_mutex_unlock(&ep->lock);
	xs_verifier_free(v);
	return NULL;
}

static int extract(struct xs_ctx *ctx, struct xs_txn *txn, int rootfd)
{
	struct extract_pool ep = { .ctx = ctx, .txn = txn, .budget = 512ull << 20 };
	ep.data = xs_calloc(txn->n, sizeof(*ep.data));
	ep.state = xs_calloc(txn->n, sizeof(*ep.state));
	pthread_mutex_init(&ep.lock, NULL);
	pthread_cond_init(&ep.cond, NULL);
	int n = ctx->jobs > 0 ? ctx->jobs : 2;
	if (n > 16)
		n = 16;
	pthread_t th[16];
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, decode_worker, &ep);
	int r = 0;
	uint64_t done = 0;
	for (size_t i = 0; i < txn->n && !r; i++) {
		pthread_mutex_lock(&ep.lock);
		while (!ep.state[i])
			pthread_cond_wait(&ep.cond, &ep.lock);
		r = ep.state[i] < 0 ? ep.state[i] : 0;
		pthread_mutex_unlock(&ep.lock);
		if (!r)
			r = ctx->o.rpmmd ? xs_rpm_write(&ctx->log, rootfd, &txn->v[i], &ep.data[i])
					 : xs_deb_write(&ctx->log, rootfd, &txn->v[i], &ep.data[i]);
		pthread_mutex_lock(&ep.lock);
		ep.inflight -= ep.data[i].len;
		xs_buf_free(&ep.data[i]);
		ep.next_write = i + 1;
		ep.stop = r < 0;
		pthread_cond_broadcast(&ep.cond);
		pthread_mutex_unlock(&ep.lock);
		done += txn->v[i].size;
		xs_progress(&ctx->log, "Extracting", done, txn->bytes, "MB");
	}
	pthread_mutex_lock(&ep.lock);
	ep.stop = true;
	pthread_cond_broadcast(&ep.cond);
	pthread_mutex_unlock(&ep.lock);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < txn->n; i++)
		xs_buf_free(&ep.data[i]);
	free(ep.data);
	free(ep.state);
	pthread_mutex_destroy(&ep.lock);
	pthread_cond_destroy(&ep.cond);
	xs_progress_end(&ctx->log);
	return r;
}

/* merged /usr, as debootstrap does it: the top-level directories are
 * symlinks into /usr before any package lands. */
static int setup_target(struct xs_ctx *ctx, int rootfd)
{
	static const char *const common[] = { "bin", "sbin", "lib" };
	int r = 0;
	/* rpm: the filesystem package lays out / and its /usr links itself */
	if (ctx->o.variant == XS_VARIANT_EXTRACT || ctx->o.rpmmd)
		return 0;
	if (!ctx->o.merged_usr) {
		/* what debootstrap leaves so that usrmerge never converts it */
		static const char flag[] = "this system will not be supported in the future\n";
		r = xs_target_write(rootfd, "etc/unsupported-skip-usrmerge-conversion", flag,
				    sizeof(flag) - 1, 0644);
		return r < 0 ? xs_fail(&ctx->log, -r, "cannot write /etc in %s: %s", ctx->o.target, strerror(-r)) : 0;
	}
	const char *libdirs[3] = { NULL };
	if (!strcmp(ctx->o.arch, "amd64"))
		libdirs[0] = "lib64";
	else if (!strcmp(ctx->o.arch, "ppc64el") || !strcmp(ctx->o.arch, "s390x") ||
		 !strcmp(ctx->o.arch, "loong64"))
		libdirs[0] = "lib64";
	for (size_t i = 0; i < 4 && !r; i++) {
		const char *d = i < 3 ? common[i] : libdirs[0];
		if (!d)
			continue;
		_cleanup_free_ char *u = xs_asprintf("usr/%s", d);
		_cleanup_free_ char *to = xs_asprintf("usr/%s", d);
		if ((r = xs_target_mkdir_p(rootfd, u, 0755)) == 0)
			r = xs_target_symlink(rootfd, d, to);
		if (r == -EEXIST)
			r = 0;
	}
	if (r < 0)
		return xs_fail(&ctx->log, -r, "cannot set up merged /usr in %s: %s", ctx->o.target, strerror(-r));
	return 0;
}

static int write_etc(struct xs_ctx *ctx, int rootfd)
{
	/* what debootstrap leaves for the admin to fill in */
	int r = 0;
	_cleanup_free_ char *sources = xs_asprintf("deb %s %s %s\n", ctx->o.mirror, ctx->o.suite,
						   ctx->o.components.v[0]);
	static const char fstab[] = "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n";
	_cleanup_close_ int fd = xs_target_open(rootfd, "etc/fstab", O_PATH);
	if (fd == -ENOENT)
		r = xs_target_write(rootfd, "etc/fstab", fstab, sizeof(fstab) - 1, 0644);
	/* dselect's access method, as debootstrap records it */
	if (!r)
		r = xs_target_write(rootfd, "var/lib/dpkg/cmethopt", "apt apt\n", 8, 0644);
	if (!r && xs_str_startswith(ctx->o.mirror, "http"))
		r = xs_target_write(rootfd, "etc/apt/sources.list", sources, strlen(sources), 0644);
	if (r < 0)
		return xs_fail(&ctx->log, -r, "cannot write /etc files in %s: %s", ctx->o.target, strerror(-r));
	return 0;
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

int xs_build(struct xs_ctx *ctx)
{
	struct xs_apt apt = { 0 };
	struct xs_txn txn = { 0 };
	double t0 = xs_now();
	int rootfd = -1;
	_cleanup_free_ char *root = NULL;
	int r;
	if ((r = xs_output_prepare(ctx, &root)) < 0 || (r = check_target_empty(ctx, root)) < 0)
		goto out;
	if ((r = load_and_resolve(ctx, &apt, &txn)) < 0)
		goto out;
	ctx->txn = &txn;
	xs_info(&ctx->log, "%zu packages, %.1f MB to fetch from %s", txn.n, txn.bytes / 1e6, ctx->o.mirror);
	double t1 = xs_now();
	if ((r = download(ctx, &txn)) < 0)
		goto out;
	xs_debug(&ctx->log, "download: %.2f s", xs_now() - t1);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		r = xs_fail(&ctx->log, errno, "%s: %s", root, strerror(errno));
		goto out;
	}
	/* chroot and dpkg want to see the target by its path */
	free(ctx->o.target);
	ctx->o.target = realpath(root, NULL);
	ctx->rootfd = rootfd;
	if ((r = setup_target(ctx, rootfd)) < 0 || (r = xs_config_run_stage(ctx, "setup")) < 0)
		goto out;
	t1 = xs_now();
	if ((r = extract(ctx, &txn, rootfd)) < 0 || (r = xs_config_run_stage(ctx, "extract")) < 0)
		goto out;
	xs_debug(&ctx->log, "extract: %.2f s", xs_now() - t1);
	if (ctx->o.variant != XS_VARIANT_EXTRACT) {
		t1 = xs_now();
		if (ctx->o.rpmmd) {
			r = xs_configure_rpm(ctx, rootfd, &txn);
		} else {
			if ((r = xs_dpkg_write_db(&ctx->log, rootfd, &apt, &txn)) < 0)
				goto out;
			if ((r = write_etc(ctx, rootfd)) < 0)
				goto out;
			r = xs_configure_debian(ctx, rootfd, &txn);
		}
		if (!r)
			r = xs_config_run_stage(ctx, "configure");
		if (r < 0) {
			xs_configure_cleanup(ctx, rootfd);
			goto out;
		}
		xs_debug(&ctx->log, "configure: %.2f s", xs_now() - t1);
	}
	/* customize still sees policy-rc.d: no daemon starts from a hook */
	r = xs_config_run_stage(ctx, "customize");
	xs_configure_cleanup(ctx, rootfd);
	if (r < 0 || (r = xs_config_run_stage(ctx, "cleanup")) < 0)
		goto out;
	if ((r = xs_output_write(ctx, root)) < 0)
		goto out;
	xs_info(&ctx->log, "%s: %zu packages, %.1f MB, %.1f s", ctx->o.output ? ctx->o.output : ctx->o.target, txn.n,
		txn.bytes / 1e6, xs_now() - t0);
out:
	ctx->txn = NULL;
	ctx->rootfd = -1;
	if (rootfd >= 0)
		close(rootfd);
	xs_output_discard(ctx, root);
	cleanup_run(ctx, &apt, &txn);
	return r;
}
