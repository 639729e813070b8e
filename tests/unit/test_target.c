/* test_target.c - archive path normalization and the jail: writes through
 * the root fd stay inside the target whatever symlinks were planted. */
#include "unit.h"

#include "target.h"

/* HOST_* paths are what an escape would create on the host; they must never
 * appear. Stale ones from an earlier failed run are removed first. */
#define HOST_ESCAPE "/tmp/xs-unit-escape"
#define HOST_ESCAPE_REL "/tmp/xs-unit-escape-rel"
#define HOST_MKDIR "/tmp/xs-unit-mkdir-escape"
#define HOST_MKDIR_REL "/tmp/xs-unit-mkdir-escape-rel"

struct jail {
	char *top;  /* scratch dir: holds root/ and files "outside" it */
	char *root;
	int rootfd;
};

static int setup_jail(void **state)
{
	struct jail *j = xs_calloc(1, sizeof(*j));
	j->top = ut_tmpdir("target");
	j->root = ut_path(j->top, "root");
	if (mkdir(j->root, 0755) < 0)
		return -1;
	j->rootfd = open(j->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->rootfd < 0)
		return -1;
	/* the planted links: absolute to the host's /, and relative upwards */
	_cleanup_free_ char *esc = ut_path(j->root, "esc");
	_cleanup_free_ char *rel = ut_path(j->root, "rel");
	if (symlink("/", esc) < 0 || symlink("../../../../..", rel) < 0)
		return -1;
	static const char *const host[] = { HOST_ESCAPE, HOST_ESCAPE_REL, HOST_MKDIR, HOST_MKDIR_REL };
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
		xs_rm_rf(host[i]);
	*state = j;
	return 0;
}

static int teardown_jail(void **state)
{
	struct jail *j = *state;
	close(j->rootfd);
	xs_rm_rf(j->top);
	free(j->top);
	free(j->root);
	free(j);
	return 0;
}

static void assert_norm(const char *in, const char *want)
{
	char *got = xs_target_normalize(in);
	if (!want) {
		if (got)
			fail_msg("normalize(\"%s\"): expected NULL, got \"%s\"", in, got);
		return;
	}
	if (!got)
		fail_msg("normalize(\"%s\"): expected \"%s\", got NULL", in, want);
	if (strcmp(got, want))
		fail_msg("normalize(\"%s\"): expected \"%s\", got \"%s\"", in, want, got);
	free(got);
}

static void test_normalize(void **state)
{
	(void)state;
	assert_norm("./a/b", "a/b");
	assert_norm("/etc/x", "etc/x");
	assert_norm("./", "");
	assert_norm(".", "");
	assert_norm("", "");
	assert_norm("a/../b", NULL);
	assert_norm("../escape", NULL);
	assert_norm("./usr/..", NULL);
	assert_norm("a/./b", "a/b");
	assert_norm("//a//b/", "a/b");
	assert_norm("./usr/bin/", "usr/bin");
	/* only ".." itself is special: names that merely contain dots are names */
	assert_norm("./a/...", "a/...");
	assert_norm("./a/..b/.c", "a/..b/.c");
}

static void test_write_through_absolute_symlink_stays_inside(void **state)
{
	struct jail *j = *state;
	assert_int_equal(xs_target_write(j->rootfd, "esc/tmp/xs-unit-escape", "inside\n", 7, 0644), 0);
	_cleanup_free_ char *in = ut_path(j->root, "tmp/xs-unit-escape");
	ut_assert_file(in, "inside\n");
	assert_false(ut_exists(HOST_ESCAPE));
}

static void test_write_through_relative_symlink_stays_inside(void **state)
{
	struct jail *j = *state;
	assert_int_equal(xs_target_write(j->rootfd, "rel/tmp/xs-unit-escape-rel", "rel\n", 4, 0600), 0);
	_cleanup_free_ char *in = ut_path(j->root, "tmp/xs-unit-escape-rel");
	ut_assert_file(in, "rel\n");
	struct stat st;
	assert_int_equal(stat(in, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_false(ut_exists(HOST_ESCAPE_REL));
}

static void test_mkdir_p_through_symlinks_stays_inside(void **state)
{
	struct jail *j = *state;
	struct stat st;
	assert_int_equal(xs_target_mkdir_p(j->rootfd, "esc/tmp/xs-unit-mkdir-escape/sub", 0755), 0);
	_cleanup_free_ char *in = ut_path(j->root, "tmp/xs-unit-mkdir-escape/sub");
	assert_int_equal(lstat(in, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_false(ut_exists(HOST_MKDIR));

	assert_int_equal(xs_target_mkdir_p(j->rootfd, "rel/tmp/xs-unit-mkdir-escape-rel", 0755), 0);
	_cleanup_free_ char *in2 = ut_path(j->root, "tmp/xs-unit-mkdir-escape-rel");
	assert_int_equal(lstat(in2, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_false(ut_exists(HOST_MKDIR_REL));

	/* the link to / is still a link: it was walked through, not replaced */
	_cleanup_free_ char *esc = ut_path(j->root, "esc");
	assert_int_equal(lstat(esc, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
}

static void test_mkdir_p_plain(void **state)
{
	struct jail *j = *state;
	struct stat st;
	assert_int_equal(xs_target_mkdir_p(j->rootfd, "var/lib/dpkg/info", 0700), 0);
	_cleanup_free_ char *d = ut_path(j->root, "var/lib/dpkg/info");
	assert_int_equal(stat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(xs_target_mkdir_p(j->rootfd, "var/lib/dpkg/info", 0700), 0); /* again */

	/* a file in the way is an error, not silently accepted as a parent */
	assert_int_equal(xs_target_write(j->rootfd, "var/file", "", 0, 0644), 0);
	assert_true(xs_target_mkdir_p(j->rootfd, "var/file/sub", 0755) < 0);
}

static void test_write_replaces_symlink_at_last_component(void **state)
{
	struct jail *j = *state;
	_cleanup_free_ char *outside = ut_path(j->top, "outside");
	_cleanup_free_ char *abs_link = ut_path(j->root, "etc/abs");
	_cleanup_free_ char *rel_link = ut_path(j->root, "etc/rel");
	_cleanup_free_ char *etc = ut_path(j->root, "etc");
	ut_write(outside, "host file\n");
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(symlink(outside, abs_link), 0);        /* absolute host path */
	assert_int_equal(symlink("../../outside", rel_link), 0); /* relative, upwards */

	assert_int_equal(xs_target_write(j->rootfd, "etc/abs", "new\n", 4, 0644), 0);
	assert_int_equal(xs_target_write(j->rootfd, "etc/rel", "new\n", 4, 0644), 0);
	struct stat st;
	assert_int_equal(lstat(abs_link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	ut_assert_file(abs_link, "new\n");
	assert_int_equal(lstat(rel_link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	ut_assert_file(rel_link, "new\n");
	ut_assert_file(outside, "host file\n");
}

static void test_write_replaces_existing_file(void **state)
{
	struct jail *j = *state;
	assert_int_equal(xs_target_write(j->rootfd, "etc/hostname", "old-name-long\n", 14, 0600), 0);
	assert_int_equal(xs_target_write(j->rootfd, "etc/hostname", "new\n", 4, 0644), 0);
	_cleanup_free_ char *p = ut_path(j->root, "etc/hostname");
	ut_assert_file(p, "new\n");
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_open_resolves_inside(void **state)
{
	struct jail *j = *state;
	/* the host has /etc/passwd; the empty target does not */
	assert_true(ut_exists("/etc/passwd"));
	assert_int_equal(xs_target_open(j->rootfd, "esc/etc/passwd", O_RDONLY), -ENOENT);
	assert_int_equal(xs_target_open(j->rootfd, "rel/etc/passwd", O_RDONLY), -ENOENT);

	assert_int_equal(xs_target_write(j->rootfd, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 26, 0644), 0);
	int fd = xs_target_open(j->rootfd, "esc/etc/passwd", O_RDONLY);
	assert_true(fd >= 0);
	char buf[64] = { 0 };
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), 26);
	close(fd);
	assert_string_equal(buf, "root:x:0:0::/root:/bin/sh\n");
}

static void test_symlink_and_unlink(void **state)
{
	struct jail *j = *state;
	assert_int_equal(xs_target_symlink(j->rootfd, "usr/lib/os-release", "../../etc/os-release"), 0);
	_cleanup_free_ char *l = ut_path(j->root, "usr/lib/os-release");
	char to[64] = { 0 };
	assert_int_equal(readlink(l, to, sizeof(to) - 1), 20);
	assert_string_equal(to, "../../etc/os-release");
	assert_int_equal(xs_target_symlink(j->rootfd, "usr/lib/os-release", "x"), -EEXIST);

	/* unlink through the escaping link removes the target's file only */
	_cleanup_free_ char *outside = ut_path(j->top, "outside");
	ut_write(outside, "host\n");
	assert_int_equal(xs_target_write(j->rootfd, "tmp/x", "in", 2, 0644), 0);
	assert_int_equal(xs_target_unlink(j->rootfd, "esc/tmp/x"), 0);
	_cleanup_free_ char *x = ut_path(j->root, "tmp/x");
	assert_false(ut_exists(x));
	assert_int_equal(xs_target_unlink(j->rootfd, "usr/lib/os-release"), 0);
	assert_false(ut_exists(l));
	assert_int_equal(xs_target_unlink(j->rootfd, "no/such/file"), 0); /* already gone is fine */
	ut_assert_file(outside, "host\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_jail, teardown_jail)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		T(test_write_through_absolute_symlink_stays_inside),
		T(test_write_through_relative_symlink_stays_inside),
		T(test_mkdir_p_through_symlinks_stays_inside),
		T(test_mkdir_p_plain),
		T(test_write_replaces_symlink_at_last_component),
		T(test_write_replaces_existing_file),
		T(test_open_resolves_inside),
		T(test_symlink_and_unlink),
	};
	return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
