/* out_ext.c - an ext2/3/4 image of a finished tree with libext2fs, no mount. */
#include "out_ext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2_err.h>
#include <ext2fs/ext2fs.h>

#include "util.h"

#define MIB_BLOCKS ((1u << 20) / XS_EXT_BLOCK)
/* bytes of in-inode xattr space in a 256-byte inode with 32 extra bytes */
#define INODE_XATTR_ROOM (256 - 128 - 32 - 4)
/* file data is gathered into writes of this many blocks */
#define STAGE_BLOCKS 2048u

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

/* ext2/3: indirect, double- and triple-indirect blocks of a file */
static uint64_t indirect_blocks(uint64_t blocks)
{
	const uint64_t per = XS_EXT_BLOCK / 4;
	if (blocks <= EXT2_NDIR_BLOCKS)
		return 0;
	uint64_t rest = blocks - EXT2_NDIR_BLOCKS, n = 1; /* the indirect block */
	if (rest > per) {
		rest -= per;
		n += 1 + div_up(rest, per); /* double indirect */
		if (rest > per * per)
			n += 1 + div_up(rest - per * per, per * per) + div_up(rest - per * per, per);
	}
	return n;
}

static uint64_t file_blocks(const struct stat *st)
{
	uint64_t by_size = div_up(st->st_size, XS_EXT_BLOCK);
	uint64_t allocated = div_up((uint64_t)st->st_blocks * 512, XS_EXT_BLOCK);
	return allocated < by_size ? allocated : by_size; /* holes take no blocks */
}

void xs_ext_estimate(const struct xs_walk *w, int version, struct xs_ext_need *need)
{
	uint64_t *dirbytes = xs_calloc(w->n ? w->n : 1, sizeof(*dirbytes));
	need->blocks = need->inodes = 0;
	for (size_t i = 0; i < w->n; i++) {
		const struct xs_walk_entry *e = &w->v[i];
		if (i)
			dirbytes[e->parent] += 8 + ((strlen(e->name) + 3) & ~3u);
		if (e->first != i)
			continue;
		need->inodes++;
		if (S_ISREG(e->st.st_mode)) {
			uint64_t b = file_blocks(&e->st);
			/* extents: an index block per 340 extents of up to 128 MiB */
			need->blocks += b + (version < 4 ? indirect_blocks(b) : b / (340 * 32768));
		} else if (S_ISLNK(e->st.st_mode) && strlen(e->link) >= 60) {
			need->blocks++;
		}
		size_t xbytes = 0;
		for (size_t k = 0; k < e->nxattrs; k++)
			xbytes += 16 + ((strlen(e->xattrs[k].name) + 3) & ~3u) + ((e->xattrs[k].len + 3) & ~3u);
		if (xbytes > INODE_XATTR_ROOM)
			need->blocks++;
	}
	for (size_t i = 0; i < w->n; i++)
		if (S_ISDIR(w->v[i].st.st_mode)) /* ".", "..", the checksum tail; one block of slack */
			need->blocks += div_up(24 + dirbytes[i], XS_EXT_BLOCK - 12) + (dirbytes[i] > XS_EXT_BLOCK);
	need->blocks += 1 + 4 + 1; /* root, lost+found, the resize inode's block */
	need->inodes += EXT2_GOOD_OLD_FIRST_INO + 1;
	free(dirbytes);
}

uint64_t xs_ext_headroom(uint64_t content_blocks)
{
	uint64_t quarter = content_blocks / 4, floor = 64 * MIB_BLOCKS;
	return quarter > floor ? quarter : floor;
}

void xs_uuid_format(const unsigned char u[16], char out[37])
{
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int xs_uuid_parse(const char *s, unsigned char u[16])
{
	size_t k = 0;
	for (size_t i = 0; s[i] && k < 32; i++) {
		if ((i == 8 || i == 13 || i == 18 || i == 23) && s[i] == '-')
			continue;
		int v = s[i] >= '0' && s[i] <= '9' ? s[i] - '0'
			: s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
			: s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
		if (v < 0)
			return -EINVAL;
		u[k / 2] = k % 2 ? (u[k / 2] | v) : v << 4;
		k++;
	}
	return k == 32 && strlen(s) == 36 ? 0 : -EINVAL;
}

/* --- the writer ---------------------------------------------------------- */

struct stage {
	char *buf;
	blk64_t start;
	unsigned n; /* blocks gathered */
};

struct writer {
	struct xs_log *log;
	const struct xs_walk *w;
	const struct xs_ext_params *p;
	const char *path; /* as the user named it */
	ext2_filsys fs;
	ext2_ino_t *ino;  /* per walk entry */
	struct stage stage;
	uint64_t size;     /* bytes asked for (or the device's), 0: automatic */
	uint64_t total_blocks;
	bool touched;      /* the target has been written to */
};

static int ext_fail(struct writer *wr, errcode_t err, const char *what, const char *entry)
{
	const char *msg = error_message(err);
	if (err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_INODE_ALLOC_FAIL || err == EXT2_ET_DIR_NO_SPACE_FOR_CSUM)
		return xs_fail(wr->log, ENOSPC, "%s: the filesystem is full while %s /%s (%s); give a larger --size",
			       wr->path, what, entry ? entry : "", msg);
	if (entry)
		return xs_fail(wr->log, EIO, "%s: %s /%s: %s", wr->path, what, entry, msg);
	return xs_fail(wr->log, EIO, "%s: %s: %s", wr->path, what, msg);
}

static errcode_t stage_flush(struct writer *wr)
{
	struct stage *s = &wr->stage;
	if (!s->n)
		return 0;
	errcode_t err = io_channel_write_blk64(wr->fs->io, s->start, s->n, s->buf);
	s->n = 0;
	return err;
}

/* Reads COUNT blocks of FD from logical block LBLK into the staging
 * buffer bound for physical block PBLK; contiguous runs of consecutive
 * files become one write. Bytes past the end of FD are zero. */
static errcode_t stage_run(struct writer *wr, int fd, blk64_t lblk, blk64_t pblk, blk64_t count)
{
	struct stage *s = &wr->stage;
	while (count) {
		if (s->n && (pblk != s->start + s->n || s->n == STAGE_BLOCKS)) {
			errcode_t err = stage_flush(wr);
			if (err)
				return err;
		}
		if (!s->n)
			s->start = pblk;
		blk64_t take = STAGE_BLOCKS - s->n < count ? STAGE_BLOCKS - s->n : count;
		char *dst = s->buf + (size_t)s->n * XS_EXT_BLOCK;
		size_t want = take * XS_EXT_BLOCK, got = 0;
		while (got < want) {
			ssize_t r = pread(fd, dst + got, want - got, (off_t)(lblk * XS_EXT_BLOCK + got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return errno;
			if (r == 0)
				break;
			got += r;
		}
		memset(dst + got, 0, want - got);
		s->n += take;
		pblk += take;
		lblk += take;
		count -= take;
	}
	return 0;
}

struct runs {
	struct writer *wr;
	int fd;
	blk64_t lstart, pstart, n;
	errcode_t err;
};

static int map_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt, blk64_t ref_blk, int ref_offset,
		     void *priv)
{
	(void)fs, (void)ref_blk, (void)ref_offset;
	struct runs *r = priv;
	if (blockcnt < 0)
		return 0;
	if (r->n && (blk64_t)blockcnt == r->lstart + r->n && *blocknr == r->pstart + r->n) {
		r->n++;
		return 0;
	}
	if (r->n && (r->err = stage_run(r->wr, r->fd, r->lstart, r->pstart, r->n)))
		return BLOCK_ABORT;
	r->lstart = blockcnt;
	r->pstart = *blocknr;
	r->n = 1;
	return 0;
}

static void set_time(__u32 *lo, __u32 *extra, time_t sec, long nsec)
{
	*lo = (__u32)sec;
	if (extra) /* two epoch bits past 2038, then nanoseconds */
		*extra = (__u32)((((int64_t)sec - (int32_t)sec) >> 32) & 3) | (__u32)nsec << 2;
}

static void set_attrs(struct writer *wr, struct ext2_inode_large *in, const struct stat *st)
{
	in->i_mode = st->st_mode & 0xffff;
	in->i_uid = st->st_uid & 0xffff;
	in->i_uid_high = st->st_uid >> 16;
	in->i_gid = st->st_gid & 0xffff;
	in->i_gid_high = st->st_gid >> 16;
	struct timespec m = st->st_mtim, a = st->st_atim, c = st->st_ctim;
	time_t cr = wr->p->now;
	if (wr->p->clamp) {
		/* reproducible: every time is the clamped mtime */
		if (m.tv_sec > wr->p->clamp)
			m = (struct timespec){ .tv_sec = wr->p->clamp };
		a = c = m;
		cr = m.tv_sec;
	}
	in->i_extra_isize = sizeof(struct ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
	set_time(&in->i_mtime, &in->i_mtime_extra, m.tv_sec, m.tv_nsec);
	set_time(&in->i_atime, &in->i_atime_extra, a.tv_sec, a.tv_nsec);
	set_time(&in->i_ctime, &in->i_ctime_extra, c.tv_sec, c.tv_nsec);
	set_time(&in->i_crtime, &in->i_crtime_extra, cr, 0);
}

static errcode_t write_inode(struct writer *wr, ext2_ino_t ino, struct ext2_inode_large *in)
{
	return ext2fs_write_inode_full(wr->fs, ino, (struct ext2_inode *)in, sizeof(*in));
}

static errcode_t read_inode(struct writer *wr, ext2_ino_t ino, struct ext2_inode_large *in)
{
	memset(in, 0, sizeof(*in));
	return ext2fs_read_inode_full(wr->fs, ino, (struct ext2_inode *)in, sizeof(*in));
}

static int file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	}
	return EXT2_FT_UNKNOWN;
}

static errcode_t link_name(struct writer *wr, ext2_ino_t dir, const char *name, ext2_ino_t ino, mode_t mode)
{
	errcode_t err = ext2fs_link(wr->fs, dir, name, ino, file_type(mode));
	if (err == EXT2_ET_DIR_NO_SPACE) {
		if ((err = ext2fs_expand_dir(wr->fs, dir)) == 0)
			err = ext2fs_link(wr->fs, dir, name, ino, file_type(mode));
	}
	return err;
}

static errcode_t write_xattrs(struct writer *wr, ext2_ino_t ino, const struct xs_walk_entry *e)
{
	if (!e->nxattrs)
		return 0;
	struct ext2_xattr_handle *h;
	errcode_t err = ext2fs_xattrs_open(wr->fs, ino, &h);
	if (err)
		return err;
	err = ext2fs_xattrs_read(h);
	/* POSIX ACLs are converted to ext4's on-disk form by libext2fs */
	for (size_t k = 0; k < e->nxattrs && !err; k++)
		err = ext2fs_xattr_set(h, e->xattrs[k].name, e->xattrs[k].value, e->xattrs[k].len);
	errcode_t cerr = ext2fs_xattrs_close(&h);
	return err ? err : cerr;
}

/* A regular file: blocks for its data segments (holes stay holes), then
 * the data, read straight into the staging buffer. */
static int write_regular(struct writer *wr, size_t i, ext2_ino_t ino, struct ext2_inode_large *in)
{
	const struct xs_walk_entry *e = &wr->w->v[i];
	ext2_filsys fs = wr->fs;
	errcode_t err = 0;
	if (ext2fs_has_feature_extents(fs->super)) {
		ext2_extent_handle_t h;
		if ((err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)in, &h)))
			return ext_fail(wr, err, "writing", e->path);
		ext2fs_extent_free(h);
	}
	if ((err = ext2fs_inode_size_set(fs, (struct ext2_inode *)in, e->st.st_size)) ||
	    (err = write_inode(wr, ino, in)))
		return ext_fail(wr, err, "writing", e->path);
	ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	if (e->st.st_size == 0)
		return 0;
	_cleanup_close_ int fd = xs_walk_open(wr->w, i);
	if (fd < 0)
		return xs_fail(wr->log, -fd, "/%s: %s", e->path, strerror(-fd));
	off_t size = e->st.st_size, pos = 0;
	while (pos < size) {
		off_t data = lseek(fd, pos, SEEK_DATA), hole;
		if (data < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (data < 0) { /* no SEEK_DATA here: all of it is data */
			data = pos;
			hole = size;
		} else {
			hole = lseek(fd, data, SEEK_HOLE);
			if (hole < 0 || hole > size)
				hole = size;
		}
		blk64_t first = data / XS_EXT_BLOCK, end = div_up(hole, XS_EXT_BLOCK);
		err = ext2fs_fallocate(fs, EXT2_FALLOCATE_FORCE_INIT, ino, (struct ext2_inode *)in, ~0ULL, first,
				       end - first);
		if (err)
			return ext_fail(wr, err, "allocating blocks for", e->path);
		pos = hole;
	}
	if ((err = write_inode(wr, ino, in)))
		return ext_fail(wr, err, "writing", e->path);
	struct runs runs = { .wr = wr, .fd = fd };
	err = ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY | BLOCK_FLAG_DATA_ONLY, NULL, map_block, &runs);
	if (!err && !runs.err && runs.n)
		runs.err = stage_run(wr, fd, runs.lstart, runs.pstart, runs.n);
	if (runs.err > 0 && runs.err < 4096) /* an errno from reading the tree */
		return xs_fail(wr->log, runs.err, "/%s: %s", e->path, strerror(runs.err));
	if (err || runs.err)
		return ext_fail(wr, err ? err : runs.err, "writing the data of", e->path);
	return 0;
}

static int write_special(struct writer *wr, const struct xs_walk_entry *e, ext2_ino_t ino,
			 struct ext2_inode_large *in)
{
	if (S_ISCHR(e->st.st_mode) || S_ISBLK(e->st.st_mode)) {
		unsigned ma = major(e->st.st_rdev), mi = minor(e->st.st_rdev);
		if (ma < 256 && mi < 256) { /* the old 16-bit form, as the kernel writes it */
			in->i_block[0] = ma << 8 | mi;
		} else {
			in->i_block[1] = (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
		}
	}
	errcode_t err = write_inode(wr, ino, in);
	if (err)
		return ext_fail(wr, err, "writing", e->path);
	ext2fs_inode_alloc_stats2(wr->fs, ino, +1, 0);
	return 0;
}

/* Creates entry I below its directory. Directories get their owner, mode
 * and times in finish_dirs, after everything inside them is written. */
static int write_entry(struct writer *wr, size_t i)
{
	const struct xs_walk_entry *e = &wr->w->v[i];
	ext2_filsys fs = wr->fs;
	ext2_ino_t dir = wr->ino[e->parent], ino;
	errcode_t err;
	if (e->first != i) { /* another name of an inode already written */
		wr->ino[i] = wr->ino[e->first];
		err = link_name(wr, dir, e->name, wr->ino[i], e->st.st_mode);
		return err ? ext_fail(wr, err, "linking", e->path) : 0;
	}
	if (dir == EXT2_ROOT_INO && !strcmp(e->name, "lost+found")) { /* made with the filesystem */
		if (!S_ISDIR(e->st.st_mode))
			return xs_fail(wr->log, EEXIST, "%s: /lost+found in the tree is not a directory; e2fsck needs the directory there",
				       wr->path);
		err = ext2fs_lookup(fs, EXT2_ROOT_INO, e->name, strlen(e->name), NULL, &wr->ino[i]);
		return err ? ext_fail(wr, err, "looking up", e->path) : 0;
	}
	if ((err = ext2fs_new_inode(fs, dir, e->st.st_mode & 0xffff, NULL, &ino)))
		return ext_fail(wr, err, "creating", e->path);
	wr->ino[i] = ino;
	int r = 0;
	struct ext2_inode_large in = { 0 };
	if (S_ISDIR(e->st.st_mode)) {
		err = ext2fs_mkdir(fs, dir, ino, NULL);
	} else if (S_ISLNK(e->st.st_mode)) {
		if (!(err = ext2fs_symlink(fs, dir, ino, NULL, e->link)) && !(err = read_inode(wr, ino, &in))) {
			set_attrs(wr, &in, &e->st);
			in.i_links_count = e->nlink;
			err = write_inode(wr, ino, &in);
		}
	} else {
		set_attrs(wr, &in, &e->st);
		in.i_links_count = e->nlink;
		r = S_ISREG(e->st.st_mode) ? write_regular(wr, i, ino, &in) : write_special(wr, e, ino, &in);
	}
	if (r < 0)
		return r;
	if (!err)
		err = link_name(wr, dir, e->name, ino, e->st.st_mode);
	if (!err && !S_ISDIR(e->st.st_mode))
		err = write_xattrs(wr, ino, e);
	return err ? ext_fail(wr, err, "writing", e->path) : 0;
}

/* Owner, mode, times and xattrs of every directory, the root included:
 * last, so that adding entries cannot touch them again. */
static int finish_dirs(struct writer *wr)
{
	for (size_t i = 0; i < wr->w->n; i++) {
		const struct xs_walk_entry *e = &wr->w->v[i];
		if (!S_ISDIR(e->st.st_mode))
			continue;
		struct ext2_inode_large in;
		errcode_t err = read_inode(wr, wr->ino[i], &in);
		if (!err) {
			set_attrs(wr, &in, &e->st);
			err = write_inode(wr, wr->ino[i], &in);
		}
		if (!err)
			err = write_xattrs(wr, wr->ino[i], e);
		if (err)
			return ext_fail(wr, err, "writing", e->path);
	}
	return 0;
}

/* --- the empty filesystem -------------------------------------------------- */

static void set_features(struct ext2_super_block *sb, int version)
{
	ext2fs_set_feature_sparse_super(sb);
	ext2fs_set_feature_large_file(sb);
	ext2fs_set_feature_filetype(sb);
	ext2fs_set_feature_resize_inode(sb);
	ext2fs_set_feature_dir_index(sb);
	ext2fs_set_feature_xattr(sb);
	if (version >= 3)
		ext2fs_set_feature_journal(sb);
	if (version >= 4) {
		/* mke2fs.conf's ext4 of e2fsprogs 1.43 to 1.47, less orphan_file
		 * and metadata_csum_seed: what older dom0 tools and 4.x kernels read */
		ext2fs_set_feature_extents(sb);
		ext2fs_set_feature_huge_file(sb);
		ext2fs_set_feature_flex_bg(sb);
		ext2fs_set_feature_metadata_csum(sb);
		ext2fs_set_feature_64bit(sb);
		ext2fs_set_feature_dir_nlink(sb);
		ext2fs_set_feature_extra_isize(sb);
		sb->s_log_groups_per_flex = 4;
		sb->s_desc_size = EXT2_MIN_DESC_SIZE_64BIT;
	}
}

static errcode_t init_fs(const char *dev, int version, blk64_t blocks, uint64_t inodes, ext2_filsys *out)
{
	struct ext2_super_block sb;
	memset(&sb, 0, sizeof(sb));
	sb.s_rev_level = EXT2_DYNAMIC_REV;
	sb.s_inode_size = 256;
	sb.s_log_block_size = 2; /* 4096 */
	set_features(&sb, version);
	ext2fs_blocks_count_set(&sb, blocks);
	ext2fs_r_blocks_count_set(&sb, blocks * 5 / 100);
	sb.s_inodes_count = inodes > 0xfffffff0u ? 0xfffffff0u : inodes;
	ext2_filsys fs;
	errcode_t err = ext2fs_initialize(dev, EXT2_FLAG_64BITS, &sb, unix_io_manager, &fs);
	if (err)
		return err;
	if ((err = ext2fs_allocate_tables(fs))) {
		ext2fs_free(fs);
		return err;
	}
	*out = fs;
	return 0;
}

/* Blocks the filesystem itself takes: superblocks, descriptors, bitmaps,
 * inode tables, reserved descriptor blocks, the journal. */
static blk64_t overhead(ext2_filsys fs)
{
	blk64_t used = 0;
	if (ext2fs_count_used_clusters(fs, fs->super->s_first_data_block, ext2fs_blocks_count(fs->super) - 1,
				       &used))
		used = ext2fs_blocks_count(fs->super);
	struct ext2fs_journal_params jp = { 0 };
	if (ext2fs_has_feature_journal(fs->super) && !ext2fs_get_journal_params(&jp, fs))
		used += jp.num_journal_blocks + 1 + jp.num_journal_blocks / 340; /* + extent blocks */
	return used + fs->super->s_first_data_block;
}

static uint64_t inodes_for(blk64_t blocks, const struct xs_ext_need *need)
{
	uint64_t by_ratio = blocks * XS_EXT_BLOCK / 16384, least = need->inodes + need->inodes / 4 + 64;
	return by_ratio > least ? by_ratio : least;
}

/* The smallest filesystem (in blocks, whole MiB) that holds NEED with
 * HEADROOM free blocks beyond root's reserve; opened on DEV in *OUT when
 * OUT is given. */
static errcode_t plan_size(const char *dev, int version, const struct xs_ext_need *need, blk64_t headroom,
			   bool reserve, blk64_t *blocks, ext2_filsys *out)
{
	blk64_t want = need->blocks + headroom, n = want;
	for (int round = 0; round < 32; round++) {
		n = div_up(n, MIB_BLOCKS) * MIB_BLOCKS;
		ext2_filsys fs;
		errcode_t err = init_fs(dev, version, n, inodes_for(n, need), &fs);
		if (err && err != EXT2_ET_TOOSMALL && err != EXT2_ET_JOURNAL_TOO_SMALL)
			return err;
		blk64_t have = 0, total = n;
		if (!err) {
			total = ext2fs_blocks_count(fs->super);
			blk64_t used = overhead(fs) + (reserve ? ext2fs_r_blocks_count(fs->super) : 0);
			have = total > used ? total - used : 0;
			if (fs->super->s_inodes_count >= need->inodes && have >= want) {
				*blocks = total;
				if (out)
					*out = fs;
				else
					ext2fs_free(fs);
				return 0;
			}
			ext2fs_free(fs);
		}
		n = total + (want > have ? want - have : 0) + MIB_BLOCKS;
	}
	return EXT2_ET_TOOSMALL;
}

static char *human(uint64_t bytes)
{
	if (bytes >= (10ull << 30))
		return xs_asprintf("%.1f GiB", bytes / (double)(1ull << 30));
	return xs_asprintf("%.1f MiB", bytes / (double)(1ull << 20));
}

/* Opens the empty filesystem on DEV: of the size asked for, or planned. */
static int open_sized(struct writer *wr, const char *dev, const struct xs_ext_need *need, bool device)
{
	const struct xs_ext_params *p = wr->p;
	blk64_t blocks;
	errcode_t err;
	if (wr->size) {
		blocks = wr->size / XS_EXT_BLOCK;
		err = init_fs(dev, p->version, blocks, inodes_for(blocks, need), &wr->fs);
		if (!err && ext2fs_blocks_count(wr->fs->super) >= overhead(wr->fs) + need->blocks &&
		    wr->fs->super->s_inodes_count >= need->inodes)
			return 0;
		if (!err) {
			ext2fs_free(wr->fs);
			wr->fs = NULL;
		} else if (err != EXT2_ET_TOOSMALL && err != EXT2_ET_JOURNAL_TOO_SMALL) {
			return ext_fail(wr, err, "setting up the filesystem", NULL);
		}
		blk64_t least = 0;
		if ((err = plan_size(dev, p->version, need, 0, false, &least, NULL)))
			return ext_fail(wr, err, "sizing the filesystem", NULL);
		_cleanup_free_ char *n = human(least * XS_EXT_BLOCK), *g = human(wr->size);
		_cleanup_free_ char *d = human(wr->w->data_bytes);
		return xs_fail(wr->log, ENOSPC, "%s: the tree does not fit: it needs at least %s (%zu files, %s of data) and %s %s; %s",
			       wr->path, n, wr->w->n, d, device ? "the device holds" : "--size gives", g,
			       device ? "use a larger device" : "give a larger --size, or none for an automatic size");
	}
	if ((err = plan_size(dev, p->version, need, xs_ext_headroom(need->blocks), true, &blocks, &wr->fs)))
		return ext_fail(wr, err, "sizing the filesystem", NULL);
	return 0;
}

static errcode_t setup_super(struct writer *wr)
{
	ext2_filsys fs = wr->fs;
	struct ext2_super_block *sb = fs->super;
	const struct xs_ext_params *p = wr->p;
	fs->now = p->now;
	sb->s_mkfs_time = sb->s_lastcheck = p->now;
	memcpy(sb->s_uuid, p->uuid, sizeof(sb->s_uuid));
	ext2fs_init_csum_seed(fs);
	memcpy(sb->s_hash_seed, p->hash_seed, sizeof(sb->s_hash_seed));
	sb->s_def_hash_version = EXT2_HASH_HALF_MD4;
	sb->s_max_mnt_count = -1;
	sb->s_default_mount_opts = EXT2_DEFM_XATTR_USER | EXT2_DEFM_ACL;
	sb->s_kbytes_written = 1;
	if (ext2fs_has_feature_metadata_csum(sb))
		sb->s_checksum_type = EXT2_CRC32C_CHKSUM;
	memset(sb->s_volume_name, 0, sizeof(sb->s_volume_name));
	if (p->label)
		memcpy(sb->s_volume_name, p->label, strnlen(p->label, sizeof(sb->s_volume_name)));
	return 0;
}

/* Inode tables zeroed (on a new file: holes punched, nearly free; on a
 * device: whatever was there is gone), reserved inodes, root, lost+found,
 * bad-block and resize inodes, journal: what mke2fs lays down. */
static errcode_t lay_out(struct writer *wr)
{
	ext2_filsys fs = wr->fs;
	errcode_t err;
	blk64_t total = ext2fs_blocks_count(fs->super);
	if ((err = ext2fs_zero_blocks2(fs, 0, 1, NULL, NULL)))
		return err;
	if (total > 16 && (err = ext2fs_zero_blocks2(fs, total - 16, 16, NULL, NULL)))
		return err; /* an old RAID superblock at the end of a device */
	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		if ((err = ext2fs_zero_blocks2(fs, ext2fs_inode_table_loc(fs, g), fs->inode_blocks_per_group, NULL, NULL)))
			return err;
		ext2fs_bg_flags_set(fs, g, EXT2_BG_INODE_ZEROED);
		ext2fs_group_desc_csum_set(fs, g);
	}
	struct ext2_inode_large zero = { 0 };
	for (ext2_ino_t ino = 1; ino < EXT2_FIRST_INO(fs->super); ino++)
		if ((err = ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)&zero, sizeof(zero))))
			return err;
	if ((err = ext2fs_mkdir(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, NULL)))
		return err;
	fs->umask = 077;
	err = ext2fs_mkdir(fs, EXT2_ROOT_INO, 0, "lost+found");
	fs->umask = 022;
	ext2_ino_t lpf;
	if (err || (err = ext2fs_lookup(fs, EXT2_ROOT_INO, "lost+found", 10, NULL, &lpf)))
		return err;
	for (int k = 1; k < 4; k++) /* 16 KiB, as mke2fs makes it */
		if ((err = ext2fs_expand_dir(fs, lpf)))
			return err;
	for (ext2_ino_t ino = EXT2_ROOT_INO + 1; ino < EXT2_FIRST_INO(fs->super); ino++)
		ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	ext2fs_mark_ib_dirty(fs);
	ext2fs_mark_inode_bitmap2(fs->inode_map, EXT2_BAD_INO);
	ext2fs_inode_alloc_stats2(fs, EXT2_BAD_INO, +1, 0);
	if ((err = ext2fs_update_bb_inode(fs, NULL)))
		return err;
	if (ext2fs_has_feature_resize_inode(fs->super) && (err = ext2fs_create_resize_inode(fs)))
		return err;
	if (ext2fs_has_feature_journal(fs->super)) {
		struct ext2fs_journal_params jp;
		if ((err = ext2fs_get_journal_params(&jp, fs)) ||
		    (err = ext2fs_add_journal_inode3(fs, &jp, ~0ULL, EXT2_MKJOURNAL_NO_MNT_CHECK)))
			return err;
	}
	return 0;
}

static int populate(struct writer *wr)
{
	wr->ino = xs_calloc(wr->w->n, sizeof(*wr->ino));
	wr->ino[0] = EXT2_ROOT_INO;
	wr->stage.buf = xs_malloc((size_t)STAGE_BLOCKS * XS_EXT_BLOCK);
	int r = 0;
	for (size_t i = 1; i < wr->w->n && !r; i++)
		r = write_entry(wr, i);
	if (!r)
		r = finish_dirs(wr);
	errcode_t err = stage_flush(wr);
	if (!r && err)
		r = ext_fail(wr, err, "writing file data", NULL);
	return r;
}

int xs_ext_device_size(struct xs_log *log, const char *path, uint64_t *size)
{
	initialize_ext2_error_table();
	int flags = 0;
	errcode_t err = ext2fs_check_if_mounted(path, &flags);
	if (err)
		return xs_fail(log, EIO, "%s: cannot tell whether it is mounted: %s", path, error_message(err));
	if (flags & EXT2_MF_MOUNTED)
		return xs_fail(log, EBUSY, "%s: the device is mounted; unmount it first", path);
	_cleanup_close_ int fd = open(path, O_RDWR | O_EXCL | O_CLOEXEC);
	uint64_t bytes = 0;
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes) < 0)
		return xs_fail(log, errno, "%s: cannot open the device for writing: %s", path, strerror(errno));
	if (*size > bytes) {
		_cleanup_free_ char *has = human(bytes), *asked = human(*size);
		return xs_fail(log, ENOSPC, "%s: --size asks for %s, the device holds %s", path, asked, has);
	}
	if (!*size)
		*size = bytes;
	return 0;
}

int xs_write_ext(struct xs_log *log, const struct xs_walk *w, const char *path, const struct xs_ext_params *p)
{
	initialize_ext2_error_table();
	struct writer wr = { .log = log, .w = w, .p = p, .path = path, .size = p->size };
	struct stat st;
	bool device = stat(path, &st) == 0 && S_ISBLK(st.st_mode);
	_cleanup_free_ char *dev = device ? xs_strdup(path) : xs_asprintf("%s.tmp", path);
	int dev_slot = -1; /* no half image left on a signal */
	if (device) {
		int r = xs_ext_device_size(log, path, &wr.size);
		if (r < 0)
			return r;
	} else {
		unlink(dev);
		int fd = open(dev, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return xs_fail(log, errno, "%s: cannot create the image: %s", dev, strerror(errno));
		close(fd);
		dev_slot = xs_cleanup_add(dev);
	}
	struct xs_ext_need need;
	double t0 = xs_now();
	xs_ext_estimate(w, p->version, &need);
	int r = open_sized(&wr, dev, &need, device);
	xs_debug(log, "ext%d: %llu blocks, %llu inodes needed; sized in %.2f s", p->version,
		 (unsigned long long)need.blocks, (unsigned long long)need.inodes, xs_now() - t0);
	errcode_t err = 0;
	if (!r) {
		wr.touched = true;
		wr.total_blocks = ext2fs_blocks_count(wr.fs->super);
		if ((err = setup_super(&wr)) || (err = lay_out(&wr)))
			r = ext_fail(&wr, err, "laying out the filesystem", NULL);
	}
	xs_debug(log, "ext%d: laid out at %.2f s", p->version, xs_now() - t0);
	if (!r)
		r = populate(&wr);
	xs_debug(log, "ext%d: populated at %.2f s", p->version, xs_now() - t0);
	if (!r && (err = ext2fs_close2(wr.fs, device ? 0 : EXT2_FLAG_FLUSH_NO_SYNC)))
		r = ext_fail(&wr, err, "writing the filesystem's metadata", NULL);
	else if (!r)
		wr.fs = NULL;
	if (wr.fs)
		ext2fs_free(wr.fs);
	free(wr.ino);
	free(wr.stage.buf);
	xs_debug(log, "ext%d: closed at %.2f s", p->version, xs_now() - t0);
	if (!r && !device && truncate(dev, (off_t)wr.total_blocks * XS_EXT_BLOCK) < 0)
		r = xs_fail(log, errno, "%s: %s", dev, strerror(errno));
	if (!r && !device && rename(dev, path) < 0)
		r = xs_fail(log, errno, "%s: %s", path, strerror(errno));
	if (r < 0 && !device)
		unlink(dev);
	xs_cleanup_drop(dev_slot);
	if (r < 0 && device && wr.touched)
		xs_warn(log, "%s: the device holds no valid filesystem now (its first block was cleared before writing)", path);
	return r;
}
