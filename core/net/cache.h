/* cache.h - the cache's layout in one place: metadata, parsed pools (.solv)
 * and packages below --cache-dir, verified and unverified kept apart. */
#ifndef XS_CACHE_H
#define XS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "context.h"
#include "txn.h"

struct s_Repo;

/* CACHE/KIND, created: KIND is a family's metadata or package folder
 * ("index", "rpmmd", "debs"). Under --no-verify, metadata folders are
 * KIND-unverified, so unverified bytes never enter the verified cache. */
char *xs_cache_dir(const struct xs_ctx *ctx, const char *kind, bool metadata);
/* Where package P is cached: KIND/SHA256.EXT when its digest is known,
 * else KIND/unverified-NAME_VERSION_ARCH.EXT (never shared, never trusted). */
char *xs_cache_pkg_path(const struct xs_ctx *ctx, const struct xs_pkg *p, const char *kind,
			const char *ext);

/* A parsed pool, checked before it is used: PATH.sum, written with it,
 * names the SHA256 of the verified metadata FROM_SHA256 it was made of and
 * PATH's own SHA256. Loads PATH into REPO (0), or leaves REPO empty and
 * returns -ENOENT (absent) or -EBADMSG (made from other metadata, changed
 * since, damaged, another libsolv's format: a warning names it when the
 * sums differ). PATH is read once, hashed and parsed from memory. */
int xs_solv_load(struct s_Repo *repo, const char *path, const char *from_sha256, struct xs_log *log);
/* Writes REPO to PATH and its sum to PATH.sum, each atomically
 * (concurrent runs share the cache). */
int xs_solv_write(const char *path, struct s_Repo *repo, const char *from_sha256);

/* A cached package read once more, in bounded memory, for a payload
 * streamed to the target: the bytes from OFFSET to the end are hashed as
 * they are read (by xs_cache_read or through libarchive), and
 * xs_cache_reader_close compares the digest with the expected one. */
struct xs_cache_reader;
struct archive;
/* Opens PATH at OFFSET; WANT_SHA256 (hex) or NULL (nothing to check). */
int xs_cache_reader_open(const char *path, uint64_t offset, const char *want_sha256, struct xs_cache_reader **out);
/* The same, on a descriptor of the cached file (it is duplicated: FD
 * stays the caller's). */
int xs_cache_reader_open_fd(int fd, uint64_t offset, const char *want_sha256, struct xs_cache_reader **out);
/* Opens P's cached file at OFFSET: through the descriptor decode kept
 * (p->has_cache_fd), else by its name. */
int xs_cache_reader_open_pkg(const struct xs_pkg *p, uint64_t offset, const char *want_sha256,
			     struct xs_cache_reader **out);
/* Closes the descriptor kept in P, if any. */
void xs_cache_pkg_drop_fd(struct xs_pkg *p);
/* Keeps, in P, a descriptor of the file R reads (for its next pass). */
void xs_cache_reader_keep_fd(struct xs_cache_reader *r, struct xs_pkg *p);
/* Reads exactly N bytes (a short file is -EBADMSG). */
int xs_cache_read(struct xs_cache_reader *r, void *buf, size_t n);
/* Hands the rest of the file to A (archive_read_open). */
int xs_cache_reader_archive(struct xs_cache_reader *r, struct archive *a);
/* Reads what is left, frees R; -EBADMSG when the digest differs (GOT, if
 * not NULL, receives the digest found) or R's reading failed. */
int xs_cache_reader_close(struct xs_cache_reader *r, char got[XS_SHA256_HEX]);
/* In the same pass, the whole file's SHA256 is checked too: HEAD (LEN
 * bytes) stands for the file before the reader's OFFSET (the bytes the
 * caller read and used), and the digest of HEAD and what follows must be
 * WANT_SHA256, the one the signed metadata gives. Called once, before
 * the first read. */
void xs_cache_reader_whole_file(struct xs_cache_reader *r, const void *head, size_t len, const char *want_sha256);
/* xs_cache_reader_close, and -ESTALE when the whole file's digest
 * differs (checked first; GOT_FILE, if not NULL, receives it, or "" when
 * no whole-file digest was asked for). */
int xs_cache_reader_close_file(struct xs_cache_reader *r, char got[XS_SHA256_HEX], char got_file[XS_SHA256_HEX]);

/* The newest VALUE (a Release's Date, a repomd.xml revision) this cache
 * has seen for KEY (a suite at a mirror, a repository): *SEEN receives the
 * one remembered (0: none), and VALUE is remembered when newer. Kept in
 * CACHE/release-dates, checked like every cache folder. */
int xs_cache_newest(const struct xs_ctx *ctx, const char *key, long long value, long long *seen,
		    struct xs_log *log);

/* The error for package P whose cached file's digest (p->found_sha256)
 * is not the signed one; returns -EBADMSG. */
int xs_cache_pkg_changed(struct xs_log *log, const struct xs_pkg *p);
/* P's cached file is not what was signed: discarded and fetched once more
 * (a warning says so). 0 when the new download verified. */
int xs_cache_pkg_refetch(struct xs_log *log, const struct xs_pkg *p);

/* Frees R without checking anything (its reader checks the file later). */
void xs_cache_reader_abort(struct xs_cache_reader *r);

#endif
