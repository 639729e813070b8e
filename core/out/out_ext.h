/* out_ext.h - an ext2, ext3 or ext4 filesystem holding a finished root,
 * written with libext2fs from the root's walk: no mount, no loop device,
 * no mke2fs. Owners, modes, times, xattrs (file capabilities, POSIX ACLs),
 * hard links, device nodes, fifos, sockets, symlinks and holes of sparse
 * files are kept. File data goes out in large sequential writes. */
#ifndef XS_OUT_EXT_H
#define XS_OUT_EXT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "log.h"
#include "out_walk.h"

#define XS_EXT_BLOCK 4096u

struct xs_ext_params {
	int version;           /* 2, 3 or 4 */
	uint64_t size;         /* bytes; 0: automatic (the content plus headroom) */
	const char *label;     /* up to 16 bytes; NULL: none */
	unsigned char uuid[16];
	unsigned char hash_seed[16];
	time_t now;            /* mkfs and write time, and the times of lost+found */
	time_t clamp;          /* SOURCE_DATE_EPOCH: no inode time later (0: none) */
};

/* What the tree needs: blocks (data, directories, slow symlinks, xattr
 * blocks, indirect blocks) and inodes, each inode counted once. */
struct xs_ext_need {
	uint64_t blocks;
	uint64_t inodes;
};
void xs_ext_estimate(const struct xs_walk *w, int version, struct xs_ext_need *need);

/* The free space an automatic size leaves beyond the content: a quarter of
 * it, at least 64 MiB (in blocks). Root's 5% reserve comes on top. */
uint64_t xs_ext_headroom(uint64_t content_blocks);

/* Writes the filesystem of walk W to PATH: a regular file is written as
 * PATH.tmp and renamed over PATH when complete (nothing is left behind on
 * failure); a block device is written in place, its whole size unless
 * P->size is smaller. */
int xs_write_ext(struct xs_log *log, const struct xs_walk *w, const char *path,
		 const struct xs_ext_params *p);

/* A block device's size in *SIZE when *SIZE is 0; refused when mounted,
 * busy, not writable or smaller than a *SIZE given. */
int xs_ext_device_size(struct xs_log *log, const char *path, uint64_t *size);

/* The UUID in its usual text form (37 bytes with the NUL). */
void xs_uuid_format(const unsigned char uuid[16], char out[37]);
int xs_uuid_parse(const char *s, unsigned char uuid[16]);

#endif
