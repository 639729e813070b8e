/* extract.c - the download and extract stages: parallel verified
 * transfers into the cache, then N decoding workers ahead of one writer. */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cache.h"
#include "family.h"
#include "fetch.h"

int xs_download(struct xs_ctx *ctx, struct xs_txn *txn)
{
	/* the folder exists before the transfers start */
	_cleanup_free_ char *dir = xs_cache_dir(ctx, ctx->family->pkg_cache, false);
	(void)dir; /* made, not used: clang's -Wunused-variable */
	struct xs_transfer *t = xs_calloc(txn->n, sizeof(*t));
	for (size_t i = 0; i < txn->n; i++) {
		struct xs_pkg *p = &txn->v[i];
		t[i].url = p->url;
		t[i].dest = p->cache_path;
		t[i].sha256 = p->sha256[0] ? p->sha256 : NULL;
		t[i].size = p->size;
		if (!t[i].sha256) /* --no-verify: never trust or fill the shared cache */
			unlink(p->cache_path);
	}
	int r = xs_fetch_all(&ctx->log, t, txn->n, 6, "Downloading");
	for (size_t i = 0; r < 0 && i < txn->n; i++)
		if (t[i].result < 0 && strstr(ctx->log.err, t[i].url)) {
			/* the fetch names the URL; the user knows the package */
			_cleanup_free_ char *msg = xs_asprintf("package %s %s (%s): %s", txn->v[i].name, txn->v[i].version,
							       txn->v[i].arch, ctx->log.err);
			snprintf(ctx->log.err, sizeof(ctx->log.err), "%s", msg);
			break;
		}
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
 * hold as they do with dpkg, while decompression uses every core.
 *
 * Memory: decoded payloads waiting for the writer hold at most
 * XS_EXTRACT_BUDGET together (a worker reserves XS_STREAM_ABOVE before it
 * decodes), and a payload larger than XS_STREAM_ABOVE is never held: the
 * writer streams it from the cached file when its turn comes. So peak
 * memory grows neither with package size nor with -j. Stated in xstrap(1)
 * and docs/benchmarks.md. XSTRAP_STREAM_ABOVE (bytes) lowers the limit
 * for tests (0 streams every package).
 *
 * While the writer waits (the family configures a round before it wants
 * the next, xs_extract_until), a package decoded for a later round goes
 * to an unlinked file in the cache folder instead (its pages are the
 * kernel's page cache, not the process's memory), so the workers decode
 * every later round while the target's scripts run, at a lower priority
 * than those; the writer maps the file when the package's turn comes. */
#define XS_EXTRACT_BUDGET (32ull << 20)
#define XS_STREAM_ABOVE (8ull << 20)

struct extract_pool {
	struct xs_ctx *ctx;
	struct xs_txn *txn;
	struct xs_buf *data;  /* per package: its decompressed payload */
	int *state;           /* 0 waiting, 1 ready, <0 failed */
	int *spill;           /* per package: the file holding its payload, or -1 */
	int spill_dir;        /* where those files are made; -1: nowhere */
	size_t next_decode, next_write;
	size_t limit;         /* the writer stops before this package */
	uint64_t inflight, budget, reserve;
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/* DATA into a new unlinked file in DIR, freed; the file's fd, or -1 (DATA
 * then stays as it is). */
static int spill(int dir, struct xs_buf *data)
{
	int fd = openat(dir, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (size_t off = 0; off < data->len;) {
		ssize_t w = write(fd, data->data + off, data->len - off);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	size_t len = data->len;
	xs_buf_free(data);
	data->len = len; /* the payload's length; no data */
	return fd;
}

static void *decode_worker(void *arg)
{
	struct extract_pool *ep = arg;
	struct xs_ctx *ctx = ep->ctx;
	const struct xs_family *f = ctx->family;
	/* signals go to the main thread, whose handler cleans up while no
	 * worker writes */
	sigset_t block;
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	void *worker = NULL;
	int wr = f->worker_new ? f->worker_new(ctx, &worker) : 0;
	bool niced = false;
	pthread_mutex_lock(&ep->lock);
	for (;;) {
		/* the writer's next package never waits: nothing is held then */
		while (!ep->stop && ep->next_decode < ep->txn->n && ep->inflight + ep->reserve > ep->budget &&
		       ep->next_decode != ep->next_write)
			pthread_cond_wait(&ep->cond, &ep->lock);
		if (ep->stop || ep->next_decode >= ep->txn->n)
			break;
		size_t i = ep->next_decode++;
		ep->inflight += ep->reserve;
		bool ahead = i >= ep->limit && ep->spill_dir >= 0;
		pthread_mutex_unlock(&ep->lock);
		if (ahead != niced) /* the scripts that run meanwhile come first */
			niced = !setpriority(PRIO_PROCESS, (id_t)gettid(), ahead ? 10 : 0) ? ahead : niced;
		struct xs_pkg *p = &ep->txn->v[i];
		int r = wr < 0 ? wr : f->decode(ctx, worker, p, &ep->data[i]);
		if (r == -ESTALE) {
			/* the cache held another file than the signed one: as apt
			 * does, it is fetched once more, and then it must verify */
			r = xs_cache_pkg_refetch(&ctx->log, p);
			if (!r)
				r = f->decode(ctx, worker, p, &ep->data[i]);
			if (r == -ESTALE)
				r = xs_cache_pkg_changed(&ctx->log, p);
		}
		int fd = -1;
		if (!r && ahead && ep->data[i].len)
			fd = spill(ep->spill_dir, &ep->data[i]);
		pthread_mutex_lock(&ep->lock);
		ep->spill[i] = fd;
		ep->state[i] = r < 0 ? r : 1;
		ep->inflight += fd >= 0 ? 0 : ep->data[i].len;
		ep->inflight -= ep->reserve;
		pthread_cond_broadcast(&ep->cond);
	}
	pthread_mutex_unlock(&ep->lock);
	if (f->worker_free)
		f->worker_free(worker);
	return NULL;
}

struct xs_extraction {
	struct extract_pool ep;
	int rootfd;
	int nthreads;
	pthread_t th[16];
	int r;
	uint64_t done;
	size_t streamed;
};

int xs_extract_start(struct xs_ctx *ctx, struct xs_txn *txn, int rootfd)
{
	struct xs_extraction *x = xs_calloc(1, sizeof(*x));
	struct extract_pool *ep = &x->ep;
	ep->ctx = ctx;
	ep->txn = txn;
	ep->budget = XS_EXTRACT_BUDGET;
	x->rootfd = rootfd;
	const char *above = getenv("XSTRAP_STREAM_ABOVE");
	ctx->stream_above = above && *above ? strtoull(above, NULL, 10) : XS_STREAM_ABOVE;
	if (ctx->stream_above > XS_STREAM_ABOVE)
		ctx->stream_above = XS_STREAM_ABOVE;
	ep->reserve = ctx->stream_above;
	ep->limit = SIZE_MAX; /* until xs_extract_until says where the writer stops */
#ifdef M_MMAP_THRESHOLD
	/* Payload buffers are mapped and unmapped, never left in a worker's
	 * malloc arena after they are freed (glibc's default threshold rises
	 * to 32 MB after the first large free, and arenas keep what they got). */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/* and what parsing the metadata freed goes back before they start */
	malloc_trim(0);
#endif
	ep->data = xs_calloc(txn->n ? txn->n : 1, sizeof(*ep->data));
	ep->state = xs_calloc(txn->n ? txn->n : 1, sizeof(*ep->state));
	ep->spill = xs_calloc(txn->n ? txn->n : 1, sizeof(*ep->spill));
	for (size_t i = 0; i < txn->n; i++)
		ep->spill[i] = -1;
	_cleanup_free_ char *dir = xs_cache_dir(ctx, ctx->family->pkg_cache, false);
	ep->spill_dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	pthread_mutex_init(&ep->lock, NULL);
	pthread_cond_init(&ep->cond, NULL);
	int n = ctx->jobs > 0 ? ctx->jobs : 2;
	if (n > 16)
		n = 16;
	x->nthreads = n;
	for (int i = 0; i < n; i++)
		pthread_create(&x->th[i], NULL, decode_worker, ep);
	ctx->extraction = x;
	return 0;
}

int xs_extract_until(struct xs_ctx *ctx, size_t end)
{
	struct xs_extraction *x = ctx->extraction;
	if (!x)
		return -EINVAL;
	struct extract_pool *ep = &x->ep;
	struct xs_txn *txn = ep->txn;
	if (end > txn->n)
		end = txn->n;
	pthread_mutex_lock(&ep->lock);
	ep->limit = end;
	pthread_mutex_unlock(&ep->lock);
	for (size_t i = ep->next_write; i < end && !x->r; i++) {
		pthread_mutex_lock(&ep->lock);
		while (!ep->state[i])
			pthread_cond_wait(&ep->cond, &ep->lock);
		int r = ep->state[i] < 0 ? ep->state[i] : 0;
		pthread_mutex_unlock(&ep->lock);
		if (!r && ep->spill[i] >= 0) {
			struct xs_buf mapped = { .len = ep->data[i].len };
			mapped.data = mmap(NULL, mapped.len, PROT_READ, MAP_PRIVATE, ep->spill[i], 0);
			if (mapped.data == MAP_FAILED)
				r = xs_fail(&ctx->log, errno, "%s: cannot map its decoded payload: %s",
					    txn->v[i].name, strerror(errno));
			else {
				r = ctx->family->write(ctx, x->rootfd, &txn->v[i], &mapped);
				munmap(mapped.data, mapped.len);
			}
			close(ep->spill[i]);
			ep->spill[i] = -1;
			ep->data[i].len = 0; /* never counted in inflight */
		} else if (!r)
			r = ctx->family->write(ctx, x->rootfd, &txn->v[i], &ep->data[i]);
		pthread_mutex_lock(&ep->lock);
		ep->inflight -= ep->data[i].len;
		xs_buf_free(&ep->data[i]);
		ep->next_write = i + 1;
		ep->stop = r < 0;
		pthread_cond_broadcast(&ep->cond);
		pthread_mutex_unlock(&ep->lock);
		x->r = r;
		x->done += txn->v[i].size;
		x->streamed += txn->v[i].stream;
		xs_progress(&ctx->log, "Extracting", x->done, txn->bytes, "MB");
	}
	xs_progress_end(&ctx->log);
	return x->r;
}

int xs_extract_finish(struct xs_ctx *ctx)
{
	struct xs_extraction *x = ctx->extraction;
	if (!x)
		return 0;
	struct extract_pool *ep = &x->ep;
	struct xs_txn *txn = ep->txn;
	pthread_mutex_lock(&ep->lock);
	ep->stop = true;
	pthread_cond_broadcast(&ep->cond);
	pthread_mutex_unlock(&ep->lock);
	for (int i = 0; i < x->nthreads; i++)
		pthread_join(x->th[i], NULL);
	for (size_t i = 0; i < txn->n; i++) {
		if (ep->spill[i] >= 0)
			close(ep->spill[i]);
		else
			xs_buf_free(&ep->data[i]);
	}
	if (ep->spill_dir >= 0)
		close(ep->spill_dir);
	free(ep->data);
	free(ep->state);
	free(ep->spill);
	pthread_mutex_destroy(&ep->lock);
	pthread_cond_destroy(&ep->cond);
	xs_debug(&ctx->log, "extract: %zu of %zu packages streamed from the cache (above %llu bytes unpacked)",
		 x->streamed, txn->n, (unsigned long long)ctx->stream_above);
	int r = x->r;
	if (!r && ep->next_write < txn->n)
		r = xs_fail(&ctx->log, EIO, "extraction stopped after %zu of %zu packages", ep->next_write, txn->n);
	free(x);
	ctx->extraction = NULL;
	return r;
}

int xs_extract(struct xs_ctx *ctx, struct xs_txn *txn, int rootfd)
{
	int r = xs_extract_start(ctx, txn, rootfd);
	if (!r)
		r = xs_extract_until(ctx, txn->n);
	int f = xs_extract_finish(ctx);
	return r ? r : f;
}
