/* swap.h - a swap image for a guest's swap disk (xvdb), as mkswap makes
 * it, without mkswap: the first page holds Linux's swap header. */
#ifndef XS_SWAP_H
#define XS_SWAP_H

#include <stdbool.h>
#include <stdint.h>

#include "log.h"

#define XS_SWAP_PAGE 4096u /* the guest's page size: 4 KiB on every arch xstrap builds for */

/* A UUID for NAME's swap: under SOURCE_DATE_EPOCH (SDE non-NULL) derived
 * from NAME and the date (SHA-256, RFC 9562 version 8), so two builds
 * agree; otherwise random (version 4). */
void xs_swap_uuid(const char *name, const char *sde, uint8_t uuid[16]);

/* Writes PATH as a sparse swap image of SIZE bytes (rounded down to whole
 * pages, at least 10) with LABEL (at most 15 bytes kept) and UUID, in the
 * guest's byte order (BIG_ENDIAN for s390x). An existing regular file is
 * replaced; an existing block device is written in place. */
int xs_swap_write(struct xs_log *log, const char *path, uint64_t size, const char *label,
		  const uint8_t uuid[16], bool big_endian);

#endif
