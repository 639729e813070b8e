/* skeleton.c - the test-only "skel" family: INDEX + tar packages behind
 * struct xs_family, registered by the test with xs_family_register. */
#include "skeleton.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>

#include "cache.h"
#include "fetch.h"
#include "run.h"
#include "solve.h"
#include "target.h"
#include "writer.h"

/* 1. The family's private state, hung on ctx->family_state: what load
 *    learnt about each solvable that libsolv does not keep for us. */
struct skel_pkg {
	char *file, sha256[XS_SHA256_HEX];
	uint64_t size;
};

struct skel_state {
	struct skel_pkg *by_id; /* indexed by solvable Id */
	int n;
};

static void skel_state_free(struct xs_ctx *ctx)
{
	struct skel_state *st = ctx->family_state;
	if (!st)
		return;
	for (int i = 0; i < st->n; i++)
		free(st->by_id[i].file);
	free(st->by_id);
	free(st);
	ctx->family_state = NULL;
}

/* 2. prepare: defaults and checks; a mirror is required. */
static int skel_prepare(struct xs_ctx *ctx, bool known)
{
	(void)known;
	if (!ctx->o.mirror)
		return xs_fail(&ctx->log, EINVAL, "skel: give the repository: xstrap SUITE TARGET URL");
	ctx->family_state = xs_calloc(1, sizeof(struct skel_state));
	return 0;
}

/* 3. load: fetch INDEX and turn each line into a solvable. */
static int skel_load(struct xs_ctx *ctx)
{
	struct skel_state *st = ctx->family_state;
	_cleanup_free_ char *url = xs_asprintf("%s/INDEX", ctx->o.mirror);
	struct xs_buf index = { 0 };
	struct xs_transfer t = { .url = url, .mem = &index };
	int r = xs_fetch_one(&ctx->log, &t);
	if (r < 0)
		return r;
	xs_buf_add(&index, "", 1);
	ctx->pool = pool_create();
	pool_setarch(ctx->pool, "x86_64"); /* one architecture: every package's */
	Repo *repo = repo_create(ctx->pool, "skel");
	for (char *line = index.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *f[16];
		int n = 0;
		for (char *tok = strtok(line, " "); tok && n < 16; tok = strtok(NULL, " "))
			f[n++] = tok;
		if (n < 5 || strlen(f[3]) != XS_SHA256_HEX - 1) {
			r = xs_fail(&ctx->log, EBADMSG, "%s: expected NAME VERSION FILE SHA256 SIZE, found \"%s\"", url,
				    line);
			break;
		}
		Id p = repo_add_solvable(repo);
		Solvable *s = ctx->pool->solvables + p;
		s->name = pool_str2id(ctx->pool, f[0], 1);
		s->evr = pool_str2id(ctx->pool, f[1], 1);
		s->arch = pool_str2id(ctx->pool, "x86_64", 1);
		s->provides = repo_addid_dep(repo, s->provides, pool_rel2id(ctx->pool, s->name, s->evr, REL_EQ, 1), 0);
		for (int k = 5; k < n; k++)
			s->requires = repo_addid_dep(repo, s->requires, pool_str2id(ctx->pool, f[k], 1), 0);
		if (p >= st->n) {
			st->by_id = xs_realloc(st->by_id, (p + 1) * sizeof(*st->by_id));
			memset(st->by_id + st->n, 0, (p + 1 - st->n) * sizeof(*st->by_id));
			st->n = p + 1;
		}
		st->by_id[p].file = xs_strdup(f[2]);
		memcpy(st->by_id[p].sha256, f[3], XS_SHA256_HEX);
		st->by_id[p].size = strtoull(f[4], NULL, 10);
	}
	xs_buf_free(&index);
	pool_createwhatprovides(ctx->pool);
	return r;
}

/* 4. jobs: what --include asks for. */
static int skel_jobs(struct xs_ctx *ctx, Queue *jobs)
{
	int r = xs_apply_excludes(ctx, &ctx->suite->exclude);
	for (size_t i = 0; i < ctx->o.include.n && !r; i++) {
		if (!xs_name_exists(ctx->pool, ctx->o.include.v[i]))
			return xs_fail(&ctx->log, ENOENT, "package \"%s\" not found in %s", ctx->o.include.v[i],
				       ctx->o.mirror);
		xs_job_name(ctx->pool, jobs, ctx->o.include.v[i]);
	}
	return r;
}

/* 5. locate: where the chosen package is and how to check it. */
static int skel_locate(struct xs_ctx *ctx, int id, struct xs_pkg *p)
{
	struct skel_state *st = ctx->family_state;
	Solvable *s = ctx->pool->solvables + id;
	p->id = id;
	p->name = xs_strdup(pool_id2str(ctx->pool, s->name));
	p->version = xs_strdup(pool_id2str(ctx->pool, s->evr));
	p->arch = xs_strdup("all");
	p->filename = xs_strdup(st->by_id[id].file);
	p->url = xs_asprintf("%s/%s", ctx->o.mirror, p->filename);
	p->size = st->by_id[id].size;
	memcpy(p->sha256, st->by_id[id].sha256, XS_SHA256_HEX);
	p->cache_path = xs_cache_pkg_path(ctx, p, xs_family_skel.pkg_cache, xs_family_skel.pkg_ext);
	return 0;
}

/* 6. decode (parallel workers): the verified download is the payload. */
static int skel_decode(struct xs_ctx *ctx, void *worker, struct xs_pkg *p, struct xs_buf *data)
{
	(void)worker;
	int r = xs_read_file(p->cache_path, data);
	return r < 0 ? xs_fail(&ctx->log, -r, "%s: %s", p->cache_path, strerror(-r)) : 0;
}

/* 7. write (one writer, in order): the shared confined writer. */
static int skel_write(struct xs_ctx *ctx, int rootfd, struct xs_pkg *p, const struct xs_buf *data)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	int r;
	if (archive_read_open_memory(a, data->data, data->len) != ARCHIVE_OK) {
		r = xs_fail(&ctx->log, EBADMSG, "%s: %s", p->cache_path, archive_error_string(a));
	} else {
		struct xs_writer *w = xs_writer_new(rootfd, NULL);
		r = xs_writer_archive(&ctx->log, w, p, a, "tar");
		xs_writer_free(w);
	}
	archive_read_free(a);
	return r;
}

/* 8. record: the package database, from the transaction and manifests. */
static int skel_record(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	struct xs_buf db = { 0 };
	for (size_t i = 0; i < txn->n; i++) {
		xs_buf_printf(&db, "%s %s", txn->v[i].name, txn->v[i].version);
		for (size_t k = 0; k < txn->v[i].manifest.n; k++)
			xs_buf_printf(&db, " /%s", txn->v[i].manifest.v[k].path);
		xs_buf_addstr(&db, "\n");
	}
	int r = xs_target_write(rootfd, "var/lib/skel/installed", db.data ? db.data : "", db.len, 0644);
	xs_buf_free(&db);
	return r < 0 ? xs_fail(&ctx->log, -r, "cannot write the skel database: %s", strerror(-r)) : 0;
}

/* 9. configure: what the family's scripts would do (no chroot here, so
 *    the test runs without a shell in the target). */
static int skel_configure(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	_cleanup_free_ char *text = xs_asprintf("%zu packages\n", txn->n);
	int r = xs_target_write(rootfd, "etc/skel-configured", text, strlen(text), 0644);
	return r < 0 ? xs_fail(&ctx->log, -r, "cannot configure: %s", strerror(-r)) : 0;
}

/* 10. remove (x.purge): the files a package wrote go. */
static int skel_remove(struct xs_ctx *ctx, int rootfd, const struct xs_strlist *names)
{
	for (size_t i = 0; i < names->n; i++) {
		const struct xs_pkg *p = ctx->txn ? xs_txn_find(ctx->txn, names->v[i]) : NULL;
		for (size_t k = 0; p && k < p->manifest.n; k++)
			if (S_ISREG(p->manifest.v[k].mode) || S_ISLNK(p->manifest.v[k].mode))
				xs_target_unlink(rootfd, p->manifest.v[k].path);
	}
	return 0;
}

static const char *const skel_env[] = { "LC_ALL=C", NULL };

/* 11. the table entry: names, folders, and the functions above. */
const struct xs_family xs_family_skel = {
	.name = "skel",
	.fact = "skel",
	.class_name = "SKEL",
	.pkg_cache = "skel",
	.pkg_ext = "tar",
	.env = skel_env,
	.prepare = skel_prepare,
	.load = skel_load,
	.jobs = skel_jobs,
	.locate = skel_locate,
	.decode = skel_decode,
	.write = skel_write,
	.record = skel_record,
	.configure = skel_configure,
	.remove = skel_remove,
	.state_free = skel_state_free,
};
