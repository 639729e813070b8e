/* test_out_tar.c - the tar writer from the walk: what a reader (libarchive)
 * gets back is the tree: order, hard links, a file capability as an xattr,
 * a POSIX ACL as ACL entries, mtimes clamped, the same bytes twice. */
#include "unit.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/xattr.h>

#include "out_tar.h"
#include "out_walk.h"

struct fx {
	char *top, *root, *tar;
	struct xs_log log;
	bool xattrs; /* the scratch filesystem takes security.* and ACL xattrs */
};

/* cap_net_raw=ep, as setcap writes it (VFS_CAP_REVISION_2) */
static const unsigned char cap_raw[20] = { 0x01, 0x00, 0x00, 0x02, 0x00, 0x20 };

/* user::rw-, user:1234:rwx, group::r--, mask::rwx, other::r-- (kernel form) */
static const unsigned char acl_raw[] = {
	0x02, 0, 0, 0,
	0x01, 0, 0x06, 0, 0xff, 0xff, 0xff, 0xff,
	0x02, 0, 0x07, 0, 0xd2, 0x04, 0, 0,
	0x04, 0, 0x04, 0, 0xff, 0xff, 0xff, 0xff,
	0x10, 0, 0x07, 0, 0xff, 0xff, 0xff, 0xff,
	0x20, 0, 0x04, 0, 0xff, 0xff, 0xff, 0xff,
};

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	f->top = ut_tmpdir("outtar");
	f->root = ut_path(f->top, "root");
	f->tar = ut_path(f->top, "root.tar");
	xs_log_init(&f->log, XS_QUIET);
	_cleanup_free_ char *bin = ut_path(f->root, "bin"), *ping = ut_path(f->root, "bin/ping");
	_cleanup_free_ char *a = ut_path(f->root, "a"), *b = ut_path(f->root, "b");
	if (mkdir(f->root, 0755) < 0 || mkdir(bin, 0755) < 0)
		return -1;
	ut_write(ping, "ping\n");
	ut_write(b, "linked\n");
	if (link(b, a) < 0)
		return -1;
	f->xattrs = setxattr(ping, "security.capability", cap_raw, sizeof(cap_raw), 0) == 0 &&
		    setxattr(b, "system.posix_acl_access", acl_raw, sizeof(acl_raw), 0) == 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	xs_rm_rf(f->top);
	free(f->top);
	free(f->root);
	free(f->tar);
	free(f);
	return 0;
}

static void write_tar(struct fx *f)
{
	struct xs_walk w;
	assert_int_equal(xs_walk_tree(&f->log, f->root, &w), 0);
	assert_int_equal(xs_write_tar(&f->log, &w, f->tar, 1700000000), 0);
	xs_walk_free(&w);
}

static void test_tar_reads_back(void **state)
{
	struct fx *f = *state;
	write_tar(f);
	struct archive *a = archive_read_new();
	archive_read_support_format_all(a);
	assert_int_equal(archive_read_open_filename(a, f->tar, 10240), ARCHIVE_OK);
	static const char *const order[] = { "./", "./a", "./b", "./bin/", "./bin/ping" };
	struct archive_entry *e;
	size_t n = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		assert_true(n < sizeof(order) / sizeof(order[0]));
		const char *p = archive_entry_pathname(e);
		if (strcmp(p, order[n]) && !(order[n][strlen(order[n]) - 1] == '/' &&
					     !strncmp(p, order[n], strlen(order[n]) - 1) && !p[strlen(order[n]) - 1]))
			fail_msg("entry %zu: expected %s, found %s", n, order[n], p);
		assert_true(archive_entry_mtime(e) <= 1700000000);
		if (!strcmp(p, "./b")) { /* the second name of a's inode */
			assert_string_equal(archive_entry_hardlink(e), "./a");
		}
		if (f->xattrs && !strcmp(p, "./bin/ping")) {
			const char *name;
			const void *value;
			size_t size;
			assert_int_equal(archive_entry_xattr_reset(e), 1);
			assert_int_equal(archive_entry_xattr_next(e, &name, &value, &size), ARCHIVE_OK);
			assert_string_equal(name, "security.capability");
			assert_int_equal(size, sizeof(cap_raw));
			assert_memory_equal(value, cap_raw, size);
		}
		if (f->xattrs && !strcmp(p, "./a")) {
			char *text = archive_entry_acl_to_text(e, NULL, ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
			assert_contains(text, "user:1234:rwx");
			assert_contains(text, "mask::rwx");
			free(text);
		}
		n++;
	}
	assert_int_equal(n, 5);
	archive_read_free(a);
	if (!f->xattrs)
		skip(); /* everything but the xattrs was checked */
}

static void test_same_tree_same_bytes(void **state)
{
	struct fx *f = *state;
	write_tar(f);
	size_t l1 = 0, l2 = 0;
	_cleanup_free_ char *one = ut_read(f->tar, &l1);
	write_tar(f);
	_cleanup_free_ char *two = ut_read(f->tar, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(one, two, l1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tar_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_tree_same_bytes, setup, teardown),
	};
	return cmocka_run_group_tests_name("out_tar", tests, NULL, NULL);
}
