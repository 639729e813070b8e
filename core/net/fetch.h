/* fetch.h - parallel downloads with libcurl: checksums verified while the
 * bytes stream, retries with backoff, resume of a partial file, http_proxy
 * and file:// honoured. A file reaches its final name only once verified.
 *
 * Bounded against a faulty mirror: at most 4 tries (a dropped, stalled,
 * short or 5xx answer is retried, resumed where the server allows), 10
 * redirects, no more bytes than the expected size (64 MiB in memory, 4 GiB
 * for a file, when no size is known), a stall or trickle below
 * XSTRAP_LOW_SPEED_LIMIT bytes/s (100) for XSTRAP_LOW_SPEED_TIME s (60) is
 * given up. Concurrent runs sharing a cache lock DEST.lock (never
 * unlinked); DEST.part is continued only when it is a plain file of ours. */
#ifndef XS_FETCH_H
#define XS_FETCH_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "util.h"

struct xs_transfer {
	const char *url;
	const char *dest;   /* final path, or NULL to collect into mem */
	struct xs_buf *mem;
	const char *sha256; /* expected digest, or NULL when none is known yet */
	uint64_t size;      /* expected size, or 0 */
	bool missing_ok;    /* a 404 is an answer (result -ENOENT), not an error */
	int result;         /* 0, or -errno with the message in the log */
	bool from_cache;
};

/* Runs all transfers, PARALLEL at a time. Returns 0 when every transfer
 * succeeded (or was missing_ok and missing), else the first failure. */
int xs_fetch_all(struct xs_log *log, struct xs_transfer *t, size_t n, int parallel,
		 const char *what);
/* One transfer. */
int xs_fetch_one(struct xs_log *log, struct xs_transfer *t);
void xs_fetch_global_init(void);
/* DIR, a folder of the cache, must be writable by its owner alone, and
 * that is us: anyone else who can write there could swap a verified file,
 * or plant the .part or .lock of one. Checked before anything in it is
 * read or written; 0, or -EPERM with a message naming DIR and its mode. */
int xs_fetch_check_dir(struct xs_log *log, const char *dir);

#endif
