/* writer.h - the confined writer both package families share: archive
 * entries laid down in the target behind a root fd (openat2 RESOLVE_IN_ROOT),
 * each recorded in the package's manifest in the same streaming pass. */
#ifndef XS_WRITER_H
#define XS_WRITER_H

#include <stdbool.h>

#include "context.h"
#include "txn.h"

struct archive;
struct archive_entry;
struct xs_writer;

/* Whether the writer digests REL (MD5, into the manifest entry) while it
 * streams: Debian's conffiles. NULL digests nothing. */
typedef bool (*xs_writer_digest_fn)(const struct xs_pkg *p, const char *rel);

struct xs_writer *xs_writer_new(int rootfd, xs_writer_digest_fn want_md5);
void xs_writer_free(struct xs_writer *w);
/* Lays archive entry E (its data read from A) down in the target, confined
 * to it, and records it in p->manifest. Mode, owner and mtime come from E.
 * Entries that would leave the target are refused with an error naming them. */
int xs_writer_entry(struct xs_log *log, struct xs_writer *w, struct xs_pkg *p, struct archive *a,
		    struct archive_entry *e);
/* Every entry of A, in order; WHAT names the archive in messages ("data.tar"). */
int xs_writer_archive(struct xs_log *log, struct xs_writer *w, struct xs_pkg *p, struct archive *a,
		      const char *what);

#endif
