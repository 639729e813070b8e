/* output.h - the output stage: where a build lays out its tree (the
 * target directory, or a staging directory when the target is a tar or an
 * image), the image's identity (UUID, label) fixed before any hook runs,
 * and the tar or ext2/3/4 image written from the finished tree. */
#ifndef XS_OUTPUT_H
#define XS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "context.h"

/* "dir", "tar", "ext2", "ext3", "ext4"; -EINVAL for anything else. */
int xs_format_parse(const char *s, enum xs_format_kind *out);
const char *xs_format_name(enum xs_format_kind f);
bool xs_format_is_image(enum xs_format_kind f);

/* A size: digits with an optional K, M, G or T (powers of 1024; a plain
 * number is bytes). -EINVAL when malformed, -ERANGE when absurd. */
int xs_parse_size(const char *s, uint64_t *bytes);

/* SOURCE_DATE_EPOCH, or 0 when unset or not a number. */
time_t xs_source_date_epoch(void);

/* Before the build: checks TARGET for the format (an image's target is a
 * file or a block device, never a directory), fixes the image's label and
 * UUID (derived from SOURCE_DATE_EPOCH, the label and the host name when
 * set, random otherwise) and returns in *ROOT where the tree is built. */
int xs_output_prepare(struct xs_ctx *ctx, char **root);

/* After the cleanup stage: writes the tar or the image from ROOT. */
int xs_output_write(struct xs_ctx *ctx, const char *root);

/* Removes ROOT when it was a staging directory. */
void xs_output_discard(struct xs_ctx *ctx, const char *root);

#endif
