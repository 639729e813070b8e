/* test_out_ext.c - the walk of a finished tree, and the ext2/3/4 writer:
 * what it writes is read back with libext2fs itself (owners, modes, sizes,
 * contents, links, xattrs), e2fsck -fn finds it clean, the same input gives
 * the same bytes, and a tree that does not fit leaves nothing behind. */
#include "unit.h"

#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <ext2fs/ext2fs.h>

#include "out_ext.h"
#include "out_walk.h"
#include "output.h"

struct fx {
	char *top, *root, *img;
	struct xs_log log;
};

static void mkfile(const char *root, const char *rel, const char *text, mode_t mode)
{
	_cleanup_free_ char *p = ut_path(root, rel);
	ut_write(p, text);
	if (chmod(p, mode) < 0)
		fail_msg("chmod %s: %s", p, strerror(errno));
}

/* A small root: a/ (0700, 1:2), a/y and b (hard links), a/z, c -> b (fast
 * link), d -> 200 bytes (slow link), e (fifo), f (char device 1:3, when
 * mknod is allowed), b with a user xattr, g: 1 MiB with a hole. */
static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->top = ut_tmpdir("outext");
	f->root = ut_path(f->top, "root");
	f->img = ut_path(f->top, "root.img");
	xs_log_init(&f->log, XS_QUIET);
	if (mkdir(f->root, 0755) < 0)
		return -1;
	_cleanup_free_ char *a = ut_path(f->root, "a");
	_cleanup_free_ char *y = ut_path(f->root, "a/y"), *b = ut_path(f->root, "b");
	_cleanup_free_ char *c = ut_path(f->root, "c"), *d = ut_path(f->root, "d");
	_cleanup_free_ char *e = ut_path(f->root, "e"), *dev = ut_path(f->root, "f");
	_cleanup_free_ char *g = ut_path(f->root, "g");
	if (mkdir(a, 0700) < 0 || chown(a, 1, 2) < 0)
		return -1;
	mkfile(f->root, "b", "shared bytes\n", 0640);
	mkfile(f->root, "a/z", "zed\n", 0755);
	char slow[201];
	memset(slow, 's', 200);
	slow[200] = 0;
	if (link(b, y) < 0 || symlink("b", c) < 0 || symlink(slow, d) < 0 || mkfifo(e, 0600) < 0)
		return -1;
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) < 0 && errno != EPERM)
		return -1;
	if (setxattr(b, "user.note", "hello", 5, 0) < 0 && errno != ENOTSUP)
		return -1;
	int fd = open(g, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, "end", 3, (1 << 20) - 3) != 3 || close(fd) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	xs_rm_rf(f->top);
	free(f->top);
	free(f->root);
	free(f->img);
	free(f);
	return 0;
}

static size_t find(const struct xs_walk *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->v[i].path, path))
			return i;
	fail_msg("%s is not in the walk", path);
	return 0;
}

static void test_walk_order_links_xattrs(void **state)
{
	struct fx *f = *state;
	struct xs_walk w;
	assert_int_equal(xs_walk_tree(&f->log, f->root, &w), 0);
	/* the root, then depth first, names sorted bytewise */
	static const char *const order[] = { "", "a", "a/y", "a/z", "b", "c", "d", "e" };
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		assert_string_equal(w.v[i].path, order[i]);
	size_t y = find(&w, "a/y"), b = find(&w, "b");
	assert_int_equal(w.v[b].first, y); /* the first name in walk order holds the inode */
	assert_int_equal(w.v[y].first, y);
	assert_int_equal(w.v[b].nlink, 2);
	assert_int_equal(w.v[b].parent, 0);
	assert_int_equal(w.v[y].parent, find(&w, "a"));
	assert_string_equal(w.v[find(&w, "c")].link, "b");
	const struct xs_xattr *x = xs_walk_xattr(&w.v[b], "user.note");
	if (x) {
		assert_int_equal(x->len, 5);
		assert_memory_equal(x->value, "hello", 5);
	}
	/* bytes of regular files, each inode once: 13 + 4 + 1 MiB */
	assert_int_equal(w.data_bytes, 13 + 4 + (1 << 20));
	xs_walk_free(&w);
}

static void test_parse_size_and_uuid(void **state)
{
	(void)state;
	uint64_t n = 0;
	assert_int_equal(xs_parse_size("2G", &n), 0);
	assert_true(n == 2ull << 30);
	assert_int_equal(xs_parse_size("512m", &n), 0);
	assert_true(n == 512ull << 20);
	assert_int_equal(xs_parse_size("3MiB", &n), 0);
	assert_true(n == 3ull << 20);
	assert_int_equal(xs_parse_size("1T", &n), 0);
	assert_true(n == 1ull << 40);
	assert_int_equal(xs_parse_size("4096", &n), 0);
	assert_true(n == 4096);
	assert_int_equal(xs_parse_size("", &n), -EINVAL);
	assert_int_equal(xs_parse_size("-1G", &n), -EINVAL);
	assert_int_equal(xs_parse_size("2X", &n), -EINVAL);
	assert_int_equal(xs_parse_size("2GG", &n), -EINVAL);
	assert_int_equal(xs_parse_size("99999999999999T", &n), -ERANGE);
	unsigned char u[16], back[16];
	for (int i = 0; i < 16; i++)
		u[i] = i * 17;
	char text[37];
	xs_uuid_format(u, text);
	assert_string_equal(text, "00112233-4455-6677-8899-aabbccddeeff");
	assert_int_equal(xs_uuid_parse(text, back), 0);
	assert_memory_equal(u, back, 16);
	assert_int_equal(xs_uuid_parse("00112233-4455-6677-8899-aabbccddeefg", back), -EINVAL);
	assert_int_equal(xs_uuid_parse("0011", back), -EINVAL);
}

static int write_image(struct fx *f, int version, uint64_t size)
{
	struct xs_walk w;
	assert_int_equal(xs_walk_tree(&f->log, f->root, &w), 0);
	struct xs_ext_params p = { .version = version, .size = size, .label = "unit", .now = 1700000000,
				   .clamp = 1700000000 };
	memset(p.uuid, 0x42, 16);
	memset(p.hash_seed, 0x24, 16);
	int r = xs_write_ext(&f->log, &w, f->img, &p);
	xs_walk_free(&w);
	return r;
}

static ext2_ino_t lookup(ext2_filsys fs, const char *path)
{
	ext2_ino_t ino = 0;
	errcode_t err = ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino);
	if (err)
		fail_msg("%s: not found in the image (%ld)", path, (long)err);
	return ino;
}

static char *read_file(ext2_filsys fs, ext2_ino_t ino, unsigned *len)
{
	ext2_file_t file;
	assert_int_equal(ext2fs_file_open(fs, ino, 0, &file), 0);
	char *buf = xs_calloc(1, 4096);
	assert_int_equal(ext2fs_file_read(file, buf, 4095, len), 0);
	ext2fs_file_close(file);
	return buf;
}

static void check_image(struct fx *f)
{
	ext2_filsys fs;
	assert_int_equal(ext2fs_open(f->img, 0, 0, 0, unix_io_manager, &fs), 0);
	struct ext2_inode in;
	ext2_ino_t a = lookup(fs, "a"), y = lookup(fs, "a/y"), b = lookup(fs, "b");
	assert_int_equal(ext2fs_read_inode(fs, a, &in), 0);
	assert_int_equal(in.i_mode, LINUX_S_IFDIR | 0700);
	assert_int_equal(in.i_uid, 1);
	assert_int_equal(in.i_gid, 2);
	assert_int_equal(y, b); /* hard links share the inode */
	assert_int_equal(ext2fs_read_inode(fs, b, &in), 0);
	assert_int_equal(in.i_links_count, 2);
	assert_int_equal(in.i_mode, LINUX_S_IFREG | 0640);
	unsigned len = 0;
	_cleanup_free_ char *text = read_file(fs, b, &len);
	assert_string_equal(text, "shared bytes\n");
	assert_int_equal(ext2fs_read_inode(fs, lookup(fs, "c"), &in), 0);
	assert_true(LINUX_S_ISLNK(in.i_mode));
	assert_string_equal((const char *)in.i_block, "b"); /* a fast symlink */
	assert_int_equal(ext2fs_read_inode(fs, lookup(fs, "d"), &in), 0);
	assert_int_equal(EXT2_I_SIZE(&in), 200);
	assert_int_equal(ext2fs_read_inode(fs, lookup(fs, "e"), &in), 0);
	assert_true(LINUX_S_ISFIFO(in.i_mode));
	assert_int_equal(ext2fs_read_inode(fs, lookup(fs, "g"), &in), 0);
	assert_int_equal(EXT2_I_SIZE(&in), 1 << 20);
	assert_true(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&in) <= 16); /* the hole stays a hole */
	struct ext2_xattr_handle *h;
	assert_int_equal(ext2fs_xattrs_open(fs, b, &h), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	void *v = NULL;
	size_t vlen = 0;
	if (!ext2fs_xattr_get(h, "user.note", &v, &vlen)) {
		assert_int_equal(vlen, 5);
		assert_memory_equal(v, "hello", 5);
		ext2fs_free_mem(&v);
	}
	ext2fs_xattrs_close(&h);
	assert_string_equal((const char *)fs->super->s_volume_name, "unit");
	ext2fs_close_free(&fs);
	assert_int_equal(UT_RUN(NULL, NULL, "e2fsck", "-fn", f->img), 0);
}

static void test_ext4_reads_back(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_image(f, 4, 0), 0);
	check_image(f);
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp", f->img);
	assert_false(ut_exists(tmp));
}

static void test_ext2_and_ext3_read_back(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_image(f, 2, 0), 0);
	check_image(f);
	assert_int_equal(write_image(f, 3, 0), 0);
	check_image(f);
}

static void test_same_input_same_bytes(void **state)
{
	struct fx *f = *state;
	assert_int_equal(write_image(f, 4, 32 << 20), 0);
	size_t l1 = 0, l2 = 0;
	_cleanup_free_ char *one = ut_read(f->img, &l1);
	assert_int_equal(write_image(f, 4, 32 << 20), 0);
	_cleanup_free_ char *two = ut_read(f->img, &l2);
	assert_int_equal(l1, 32 << 20);
	assert_int_equal(l1, l2);
	assert_memory_equal(one, two, l1);
}

static void test_too_small_leaves_nothing(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *big = ut_path(f->root, "big");
	int fd = open(big, O_WRONLY | O_CREAT, 0644);
	char chunk[65536];
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 64; i++) /* 4 MiB of data */
		assert_int_equal(write(fd, chunk, sizeof(chunk)), sizeof(chunk));
	close(fd);
	assert_int_equal(write_image(f, 4, 2 << 20), -ENOSPC);
	assert_contains(f->log.err, "root.img: the tree does not fit: it needs at least");
	assert_contains(f->log.err, "--size gives 2.0 MiB");
	assert_false(ut_exists(f->img));
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp", f->img);
	assert_false(ut_exists(tmp));
}

static void test_lost_found_not_a_directory(void **state)
{
	struct fx *f = *state;
	mkfile(f->root, "lost+found", "not a directory\n", 0644);
	assert_int_equal(write_image(f, 4, 0), -EEXIST);
	assert_contains(f->log.err, "/lost+found in the tree is not a directory");
	assert_false(ut_exists(f->img));
}

static void test_estimate(void **state)
{
	struct fx *f = *state;
	struct xs_walk w;
	assert_int_equal(xs_walk_tree(&f->log, f->root, &w), 0);
	struct xs_ext_need need;
	xs_ext_estimate(&w, 4, &need);
	/* 9 inodes in the tree (b and a/y are one) plus the reserved ones */
	assert_int_equal(need.inodes, w.n - 1 + EXT2_GOOD_OLD_FIRST_INO + 1);
	/* b, a/z, the tail of g, the slow link, root's and a's directory blocks */
	assert_true(need.blocks >= 6);
	assert_true(need.blocks < 40);
	assert_true(xs_ext_headroom(need.blocks) == (64u << 20) / XS_EXT_BLOCK);
	assert_true(xs_ext_headroom(1000000) == 250000);
	xs_walk_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk_order_links_xattrs, setup, teardown),
		cmocka_unit_test(test_parse_size_and_uuid),
		cmocka_unit_test_setup_teardown(test_ext4_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ext2_and_ext3_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_input_same_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_found_not_a_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_estimate, setup, teardown),
	};
	return cmocka_run_group_tests_name("out_ext", tests, NULL, NULL);
}
