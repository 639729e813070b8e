/* test_util.c - digests against published vectors, the byte buffer, and the
 * file helpers (mkdir -p, rm -rf, whole-file read/write). */
#include "unit.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MD5_EMPTY "d41d8cd98f00b204e9800998ecf8427e"
#define MD5_ABC "900150983cd24fb0d6963f7d28e17f72"
/* FIPS 180-2 example: 448-bit message spanning two blocks. */
#define SHA256_TWO_BLOCKS "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static int setup_dir(void **state)
{
	*state = ut_tmpdir("util");
	return 0;
}

static int teardown_dir(void **state)
{
	char *d = *state;
	xs_rm_rf(d);
	free(d);
	return 0;
}

static void test_sha256_mem_known_vectors(void **state)
{
	(void)state;
	char hex[XS_SHA256_HEX];
	xs_sha256_mem("", 0, hex);
	assert_string_equal(hex, SHA256_EMPTY);
	xs_sha256_mem("abc", 3, hex);
	assert_string_equal(hex, SHA256_ABC);
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	xs_sha256_mem(two, strlen(two), hex);
	assert_string_equal(hex, SHA256_TWO_BLOCKS);
}

static void test_digest_sha256_and_md5_vectors(void **state)
{
	(void)state;
	char sha[XS_SHA256_HEX], md5[XS_MD5_HEX];

	struct xs_digest *d = xs_digest_new_sha256();
	xs_digest_final(d, sha);
	assert_string_equal(sha, SHA256_EMPTY);

	d = xs_digest_new_md5();
	xs_digest_final(d, md5);
	assert_string_equal(md5, MD5_EMPTY);
	assert_int_equal(strlen(md5), XS_MD5_HEX - 1);

	/* fed in pieces, the digest is that of the whole */
	d = xs_digest_new_sha256();
	xs_digest_add(d, "a", 1);
	xs_digest_add(d, "", 0);
	xs_digest_add(d, "bc", 2);
	xs_digest_final(d, sha);
	assert_string_equal(sha, SHA256_ABC);

	d = xs_digest_new_md5();
	xs_digest_add(d, "ab", 2);
	xs_digest_add(d, "c", 1);
	xs_digest_final(d, md5);
	assert_string_equal(md5, MD5_ABC);

	/* abort frees without producing anything; NULL is accepted */
	xs_digest_abort(xs_digest_new_md5());
	xs_digest_abort(NULL);
}

static void test_sha256_file(void **state)
{
	const char *dir = *state;
	char hex[XS_SHA256_HEX];
	_cleanup_free_ char *abc = ut_path(dir, "abc");
	_cleanup_free_ char *empty = ut_path(dir, "empty");
	_cleanup_free_ char *big = ut_path(dir, "big");
	_cleanup_free_ char *missing = ut_path(dir, "missing");

	ut_write(abc, "abc");
	assert_int_equal(xs_sha256_file(abc, hex), 0);
	assert_string_equal(hex, SHA256_ABC);

	ut_write(empty, "");
	assert_int_equal(xs_sha256_file(empty, hex), 0);
	assert_string_equal(hex, SHA256_EMPTY);

	/* larger than the read chunk, with a tail: the file and memory agree */
	size_t n = 3 * 65536 + 123;
	unsigned char *data = xs_malloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 9));
	ut_write_len(big, data, n);
	char want[XS_SHA256_HEX];
	xs_sha256_mem(data, n, want);
	free(data);
	assert_int_equal(xs_sha256_file(big, hex), 0);
	assert_string_equal(hex, want);

	assert_int_equal(xs_sha256_file(missing, hex), -ENOENT);
}

static void test_buf_grows_and_stays_terminated(void **state)
{
	(void)state;
	struct xs_buf b = { 0 };
	xs_buf_addstr(&b, "");
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");

	xs_buf_addstr(&b, "Package: ");
	xs_buf_printf(&b, "%s %d", "hello", 42);
	assert_string_equal(b.data, "Package: hello 42");
	assert_int_equal(b.len, strlen("Package: hello 42"));

	/* bytes with an embedded NUL are kept, length counts them */
	xs_buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 20);
	assert_memory_equal(b.data + 17, "x\0y", 3);
	assert_int_equal(b.data[b.len], 0);

	/* well past the first allocation, contents intact */
	for (int i = 0; i < 2000; i++)
		xs_buf_printf(&b, "%04d,", i);
	assert_int_equal(b.len, 20 + 2000 * 5);
	assert_true(b.cap > b.len);
	assert_memory_equal(b.data, "Package: hello 42", 17);
	assert_memory_equal(b.data + 20, "0000,0001,", 10);
	assert_memory_equal(b.data + b.len - 5, "1999,", 5);
	assert_int_equal(b.data[b.len], 0);

	xs_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

static void test_read_and_write_file(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *f = ut_path(dir, "f");
	_cleanup_free_ char *victim = ut_path(dir, "victim");
	_cleanup_free_ char *link = ut_path(dir, "link");
	int dfd = open(dir, O_PATH | O_DIRECTORY);
	assert_true(dfd >= 0);

	mode_t old = umask(077);
	assert_int_equal(xs_write_file_at(dfd, "f", "one\ntwo\n", 8, 0644), 0);
	umask(old);
	ut_assert_file(f, "one\ntwo\n");
	struct stat st;
	assert_int_equal(stat(f, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644); /* the mode asked, despite the umask */

	/* rewriting truncates */
	assert_int_equal(xs_write_file_at(dfd, "f", "x", 1, 0600), 0);
	ut_assert_file(f, "x");

	struct xs_buf b = { 0 };
	assert_int_equal(xs_read_file(f, &b), 0);
	assert_int_equal(b.len, 1);
	assert_string_equal(b.data, "x");
	xs_buf_free(&b);

	/* an empty file reads as an empty, terminated string */
	assert_int_equal(xs_write_file_at(dfd, "f", "", 0, 0600), 0);
	assert_int_equal(xs_read_file(f, &b), 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	xs_buf_free(&b);
	assert_int_equal(xs_read_file(victim, &b), -ENOENT);
	xs_buf_free(&b);

	/* a symlink at the name is not followed */
	ut_write(victim, "untouched");
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(xs_write_file_at(dfd, "link", "evil", 4, 0644), -ELOOP);
	ut_assert_file(victim, "untouched");
	close(dfd);
}

static void test_mkdir_p_creates_every_level(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *deep = ut_path(dir, "a/b/c/d");
	_cleanup_free_ char *slash = ut_path(dir, "x//y/");
	_cleanup_free_ char *file = ut_path(dir, "file");
	_cleanup_free_ char *under_file = ut_path(dir, "file/sub");
	struct stat st;

	assert_int_equal(xs_mkdir_p(deep, 0750), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* again: already there is success */
	assert_int_equal(xs_mkdir_p(deep, 0750), 0);

	assert_int_equal(xs_mkdir_p(slash, 0755), 0);
	_cleanup_free_ char *y = ut_path(dir, "x/y");
	assert_int_equal(stat(y, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	ut_write(file, "");
	assert_int_equal(xs_mkdir_p(under_file, 0755), -ENOTDIR);
}

static void test_mkdir_p_over_a_file_fails(void **state)
{
	/* Was a bug (fixed): core/util.c:175 (xs_mkdir_p) treats EEXIST as success without
	 * checking that what exists is a directory: xs_mkdir_p("some/file")
	 * returns 0, so stages.c's "cannot create the cache directory" never
	 * fires when --cache-dir names a file, and a later write fails with a
	 * less helpful ENOTDIR. "mkdir -p FILE" fails with "File exists". */
	const char *dir = *state;
	_cleanup_free_ char *file = ut_path(dir, "plain");
	ut_write(file, "");
	assert_int_equal(xs_mkdir_p(file, 0755), -EEXIST);
}

static void test_mkdir_p_empty_path(void **state)
{
	/* Was a bug (fixed): core/util.c:167 (xs_mkdir_p) starts scanning at p + 1, one past
	 * the terminating NUL of a 1-byte copy when PATH is "": a heap read
	 * past the end (AddressSanitizer: heap-buffer-overflow). It should
	 * return -ENOENT as mkdir("") does. */
	(void)state;
	assert_int_equal(xs_mkdir_p("", 0755), -ENOENT);
}

static void test_rm_rf_removes_tree_but_not_link_targets(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *tree = ut_path(dir, "tree");
	_cleanup_free_ char *deep = ut_path(dir, "tree/a/b/c");
	_cleanup_free_ char *f1 = ut_path(dir, "tree/a/f1");
	_cleanup_free_ char *f2 = ut_path(dir, "tree/a/b/c/f2");
	_cleanup_free_ char *keep = ut_path(dir, "keep");
	_cleanup_free_ char *keepf = ut_path(dir, "keep/precious");
	_cleanup_free_ char *lnk = ut_path(dir, "tree/a/b/to-keep");
	_cleanup_free_ char *lnkf = ut_path(dir, "tree/to-precious");

	assert_int_equal(xs_mkdir_p(deep, 0755), 0);
	assert_int_equal(xs_mkdir_p(keep, 0755), 0);
	ut_write(f1, "1");
	ut_write(f2, "2");
	ut_write(keepf, "do not delete");
	assert_int_equal(symlink(keep, lnk), 0);
	assert_int_equal(symlink(keepf, lnkf), 0);

	assert_int_equal(xs_rm_rf(tree), 0);
	assert_false(ut_exists(tree));
	/* symlinks were removed, never followed */
	ut_assert_file(keepf, "do not delete");

	/* nothing there: nothing to do */
	assert_int_equal(xs_rm_rf(tree), 0);

	/* a plain file or a dangling symlink is removed too */
	assert_int_equal(xs_rm_rf(keepf), 0);
	assert_false(ut_exists(keepf));
	assert_int_equal(symlink("/nonexistent/xs-unit", tree), 0);
	assert_int_equal(xs_rm_rf(tree), 0);
	assert_false(ut_exists(tree));
}

static void cleanup_on_signal(int sig)
{
	xs_cleanup_run();
	_exit(128 + sig);
}

/* What xstrap's signal handler does: a registered tree (many files, a
 * symlink out of it) is gone after SIGTERM, what the symlink points to is
 * not, and a path dropped from the registry stays. */
static void test_cleanup_on_signal(void **state)
{
	const char *dir = *state;
	_cleanup_free_ char *tree = ut_path(dir, "TARGET.xstrap-tmp");
	_cleanup_free_ char *kept = ut_path(dir, "kept");
	_cleanup_free_ char *keep = ut_path(dir, "keep");
	_cleanup_free_ char *keepf = ut_path(dir, "keep/precious");
	_cleanup_free_ char *lnk = ut_path(dir, "TARGET.xstrap-tmp/usr/etc-link");
	assert_int_equal(xs_mkdir_p(keep, 0755), 0);
	ut_write(keepf, "do not delete");
	for (int i = 0; i < 300; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "TARGET.xstrap-tmp/usr/share/d%d/sub", i % 7);
		_cleanup_free_ char *d = ut_path(dir, rel);
		assert_int_equal(xs_mkdir_p(d, 0755), 0);
		snprintf(rel, sizeof(rel), "TARGET.xstrap-tmp/usr/share/d%d/sub/file-with-a-long-name-%d", i % 7, i);
		_cleanup_free_ char *f = ut_path(dir, rel);
		ut_write(f, "x");
	}
	assert_int_equal(symlink(keep, lnk), 0);
	assert_int_equal(mkdir(kept, 0700), 0);

	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = cleanup_on_signal };
		sigaction(SIGTERM, &sa, NULL);
		int a = xs_cleanup_add(tree), b = xs_cleanup_add(kept);
		if (a < 0 || b < 0)
			_exit(2);
		xs_cleanup_drop(b);
		raise(SIGTERM);
		_exit(3); /* not reached */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
	assert_false(ut_exists(tree));
	ut_assert_file(keepf, "do not delete");
	assert_true(ut_exists(kept));
}

static void test_string_helpers(void **state)
{
	(void)state;
	assert_true(xs_str_startswith("data.tar.xz", "data.tar"));
	assert_false(xs_str_startswith("data", "data.tar"));
	assert_true(xs_str_startswith("x", ""));
	assert_true(xs_str_endswith("Packages.xz", ".xz"));
	assert_false(xs_str_endswith("xz", "Packages.xz"));
	assert_true(xs_str_endswith("x", ""));

	_cleanup_free_ char *s = xs_asprintf("%s/%03d", "dir", 7);
	assert_string_equal(s, "dir/007");
	_cleanup_free_ char *n = xs_strndup("abcdef", 3);
	assert_string_equal(n, "abc");
	_cleanup_free_ char *e = xs_strdup(NULL);
	assert_string_equal(e, "");
}

/* dnf's $releasever and ${basearch} forms, as repos/rpm.conf uses them */
static void test_expand_vars(void **state)
{
	(void)state;
	static const char *const vars[] = { "releasever", "9", "basearch", "x86_64", "empty", "", NULL };
	char *bad = NULL;
	char *s = xs_expand_vars("$releasever-stream/BaseOS/${basearch}/os", vars, &bad);
	assert_string_equal(s, "9-stream/BaseOS/x86_64/os");
	free(s);
	/* a name ends at the first character that cannot be in one */
	s = xs_expand_vars("a$basearch.b$releasever$releasever[$empty]", vars, &bad);
	assert_string_equal(s, "ax86_64.b99[]");
	free(s);
	/* a $ that starts no name stays as it is */
	s = xs_expand_vars("$ $/ 5$ ${ ${basearch x$", vars, &bad);
	assert_string_equal(s, "$ $/ 5$ ${ ${basearch x$");
	free(s);
	s = xs_expand_vars("", vars, &bad);
	assert_string_equal(s, "");
	free(s);
	assert_null(bad);

	/* an unknown name is an error that names it; a prefix is not a match */
	assert_null(xs_expand_vars("os/$basearch/$arch/x", vars, &bad));
	assert_string_equal(bad, "arch");
	free(bad);
	bad = NULL;
	assert_null(xs_expand_vars("${release}", vars, &bad));
	assert_string_equal(bad, "release");
	free(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_mem_known_vectors),
		cmocka_unit_test(test_digest_sha256_and_md5_vectors),
		cmocka_unit_test_setup_teardown(test_sha256_file, setup_dir, teardown_dir),
		cmocka_unit_test(test_buf_grows_and_stays_terminated),
		cmocka_unit_test_setup_teardown(test_read_and_write_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_mkdir_p_creates_every_level, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_mkdir_p_over_a_file_fails, setup_dir, teardown_dir),
		cmocka_unit_test(test_mkdir_p_empty_path),
		cmocka_unit_test_setup_teardown(test_rm_rf_removes_tree_but_not_link_targets, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_cleanup_on_signal, setup_dir, teardown_dir),
		cmocka_unit_test(test_string_helpers),
		cmocka_unit_test(test_expand_vars),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
