/* deb_family.c - the Debian family: apt archives, .deb packages, dpkg's
 * database and debootstrap's configure order behind struct xs_family. */
#include "deb_family.h"
#include "emul.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <solv/bitmap.h>
#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solver.h>

#include "cache.h"
#include "deb_configure.h"
#include "db_dpkg.h"
#include "deb_resolve.h"
#include "pkg_deb.h"
#include "repo_apt.h"
#include "run.h"
#include "solve.h"
#include "apt_sources.h"
#include "deb_sources.h"
#include "deb_suites.h"
#include "target.h"

struct deb_state {
	struct xs_apt apt;
};

static struct deb_state *deb_state(struct xs_ctx *ctx)
{
	if (!ctx->family_state)
		ctx->family_state = xs_calloc(1, sizeof(struct deb_state));
	return ctx->family_state;
}

static void deb_state_free(struct xs_ctx *ctx)
{
	struct deb_state *st = ctx->family_state;
	if (!st)
		return;
	xs_apt_free(&st->apt);
	free(st);
	ctx->family_state = NULL;
}

static int deb_lookup(struct xs_ctx *ctx, struct xs_suite *out)
{
	return xs_deb_suite_lookup(ctx->o.datadir, ctx->o.suite, out, &ctx->log);
}

/* The host's mirror when none is given; the suite's key and components;
 * merged /usr as debootstrap decides it for the suite and variant. */
static int deb_prepare(struct xs_ctx *ctx, bool known)
{
	struct xs_opts *o = &ctx->o;
	struct xs_suite *suite = ctx->suite;
	deb_state(ctx);
	if (!o->mirror) {
		o->mirror = xs_host_mirror("/etc/apt");
		if (!o->mirror)
			return xs_fail(&ctx->log, ENOENT,
				       "no mirror given and none found in the host's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/); give one: xstrap SUITE TARGET MIRROR");
	}
	if (o->repo_choices.n || o->rpm_repos.n)
		return xs_fail(&ctx->log, EINVAL, "--enable-repo/--disable-repo/--repo: only for rpm distributions (repos/rpm.conf); %s is not one (extra apt sources: --source, --sources-file)",
			       o->suite);
	if (!known) {
		/* Unknown by name: fine when the mirror has it and a key is given. */
		suite->name = xs_strdup(o->suite);
		suite->merged_usr = true;
		if (!o->keyrings.n && !o->no_verify)
			return xs_fail(&ctx->log, ENOENT,
				       "unknown suite \"%s\": not defined in %s/repos/debian.conf or rpm.conf; for another archive give its key with --keyring=FILE",
				       o->suite, o->datadir);
	} else if (!o->keyrings.n && suite->keyring) {
		xs_strlist_add(&o->keyrings, suite->keyring);
	}
	if (!o->components.n) {
		if (suite->components.n)
			for (size_t i = 0; i < suite->components.n; i++)
				xs_strlist_add(&o->components, suite->components.v[i]);
		else
			xs_strlist_add(&o->components, "main");
	}
	o->merged_usr = suite->merged_usr && !(o->variant == XS_VARIANT_BUILDD && suite->buildd_unmerged);
	if (o->merged_usr_opt >= 0)
		o->merged_usr = o->merged_usr_opt;
	return xs_deb_sources(ctx, suite, &deb_state(ctx)->apt);
}

static int deb_load(struct xs_ctx *ctx)
{
	ctx->pool = pool_create();
	pool_setdisttype(ctx->pool, DISTTYPE_DEB);
	pool_setarch(ctx->pool, ctx->o.arch);
	return xs_apt_load(ctx, ctx->suite, &deb_state(ctx)->apt);
}

static int deb_locate(struct xs_ctx *ctx, int p, struct xs_pkg *out)
{
	struct xs_apt *apt = &deb_state(ctx)->apt;
	Pool *pool = ctx->pool;
	struct xs_debinfo *d = xs_deb(out);
	Solvable *s = pool->solvables + p;
	out->id = p;
	out->name = xs_strdup(pool_id2str(pool, s->name));
	out->version = xs_strdup(pool_id2str(pool, s->evr));
	out->arch = xs_strdup(pool_id2str(pool, s->arch));
	const char *loc = solvable_lookup_location(s, NULL);
	out->filename = xs_strdup(loc);
	const struct xs_apt_source *src = xs_apt_source_of(apt, s->repo);
	out->url = xs_asprintf("%s/%s", src ? src->uri : ctx->o.mirror, loc);
	out->size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
	d->priority = xs_strdup(solvable_lookup_str(s, xs_key_priority(pool)));
	d->section = xs_strdup(solvable_lookup_str(s, xs_key_section(pool)));
	d->essential = solvable_lookup_void(s, xs_key_essential(pool));
	const char *ma = solvable_lookup_str(s, SOLVABLE_MULTIARCH);
	d->multiarch_same = ma && !strcmp(ma, "same");
	d->stanza_off = solvable_lookup_num(s, xs_key_stanza_off(pool), 0);
	d->stanza_len = solvable_lookup_num(s, xs_key_stanza_len(pool), 0);
	struct xs_index *ix = s->repo->appdata;
	d->repo_index = ix - apt->idx;
	Id type = 0;
	const char *sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
	if (sum && type == REPOKEY_TYPE_SHA256)
		memcpy(out->sha256, sum, XS_SHA256_HEX);
	else if (!ctx->o.no_verify)
		return xs_fail(&ctx->log, EBADMSG,
			       "%s %s: the index gives no SHA256 for %s; refusing to install an unverifiable package",
			       out->name, out->version, loc);
	out->cache_path = xs_cache_pkg_path(ctx, out, xs_family_deb.pkg_cache, xs_family_deb.pkg_ext);
	return 0;
}

static int deb_jobs(struct xs_ctx *ctx, Queue *jobs)
{
	return xs_deb_jobs(ctx, jobs, ctx->o.mirror);
}

static int deb_decode(struct xs_ctx *ctx, void *worker, struct xs_pkg *p, struct xs_buf *data)
{
	(void)worker;
	return xs_deb_decode_within(&ctx->log, p, data, ctx->stream_above);
}

static int deb_write(struct xs_ctx *ctx, int rootfd, struct xs_pkg *p, const struct xs_buf *data)
{
	return xs_deb_write(&ctx->log, rootfd, p, data);
}

/* merged /usr, as debootstrap does it: the top-level directories are
 * symlinks into /usr before any package lands. */
static int deb_setup(struct xs_ctx *ctx, int rootfd)
{
	static const char *const common[] = { "bin", "sbin", "lib" };
	int r = 0;
	if (ctx->o.variant == XS_VARIANT_EXTRACT)
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
	static const char fstab[] = "# UNCONFIGURED FSTAB FOR BASE SYSTEM\n";
	_cleanup_close_ int fd = xs_target_open(rootfd, "etc/fstab", O_PATH);
	if (fd == -ENOENT)
		r = xs_target_write(rootfd, "etc/fstab", fstab, sizeof(fstab) - 1, 0644);
	/* dselect's access method, as debootstrap records it */
	if (!r)
		r = xs_target_write(rootfd, "var/lib/dpkg/cmethopt", "apt apt\n", 8, 0644);
	/* dpkg's native architecture, as mmdebstrap records it: a foreign
	 * root's dpkg must not guess from the host (debootstrap writes none,
	 * so a native root stays equal to its) */
	if (!r && strcmp(ctx->o.arch, xs_host_arch())) {
		_cleanup_free_ char *arch = xs_asprintf("%s\n", ctx->o.arch);
		r = xs_target_write(rootfd, "var/lib/dpkg/arch", arch, strlen(arch), 0644);
	}
	if (r < 0)
		return xs_fail(&ctx->log, -r, "cannot write /etc files in %s: %s", ctx->o.target, strerror(-r));
	return xs_deb_write_sources(ctx, rootfd, &deb_state(ctx)->apt, ctx->suite->sources_format);
}

static int deb_remove(struct xs_ctx *c, int rootfd, const struct xs_strlist *names)
{
	(void)rootfd;
	struct xs_strlist argv = { 0 };
	xs_strlist_add(&argv, "/usr/bin/dpkg");
	xs_strlist_add(&argv, "--purge");
	for (size_t i = 0; i < names->n; i++)
		xs_strlist_add(&argv, names->v[i]);
	char **env = xs_env_new(xs_deb_env);
	int status = 0;
	int r = xs_target_run(&c->log, c->o.target, argv.v, env, -1, &status);
	xs_env_free(env);
	xs_strlist_free(&argv);
	if (!r && status)
		r = xs_fail(&c->log, EIO, "dpkg --purge in the target failed (status %d)", status);
	return r;
}

static int deb_record(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	int r = xs_dpkg_write_db(&ctx->log, rootfd, &deb_state(ctx)->apt, txn);
	return r < 0 ? r : write_etc(ctx, rootfd);
}

static void deb_cleanup(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	(void)txn;
	xs_deb_cleanup(ctx, rootfd);
}

static const char *deb_pkg_field(const struct xs_pkg *p, const char *name)
{
	return !strcmp(name, "priority") ? xs_deb_c(p)->priority : NULL;
}

static const char *const deb_aliases[] = { "apt", NULL };

const struct xs_family xs_family_deb = {
	.name = "deb",
	.aliases = deb_aliases,
	.fact = "debian",
	.class_name = "DEBIAN",
	.pkg_cache = "debs",
	.pkg_ext = "deb",
	.kernel_package = "linux-image-%s",
	.initrd_name = "initrd.img-%s",
	.env = xs_deb_env,
	.lookup = deb_lookup,
	.prepare = deb_prepare,
	.load = deb_load,
	.jobs = deb_jobs,
	.locate = deb_locate,
	.order = xs_deb_order,
	.extract_first = xs_deb_extract_first,
	.decode = deb_decode,
	.write = deb_write,
	.setup = deb_setup,
	.record = deb_record,
	.configure = xs_configure_debian,
	.cleanup = deb_cleanup,
	.remove = deb_remove,
	.pkg_field = deb_pkg_field,
	.pkg_free = xs_debinfo_free,
	.state_free = deb_state_free,
};
