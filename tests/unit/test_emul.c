/* test_emul.c - the foreign-architecture check reads binfmt_misc as the
 * kernel shows it: an enabled entry with the F flag whose magic matches the
 * architecture's ELF header lets the build go on; anything else stops it
 * with one line that says what to install or enable. */
#include "unit.h"

#include "emul.h"

/* qemu-user-static's aarch64 entry, as /proc/sys/fs/binfmt_misc shows it */
#define AARCH64_MAGIC "magic 7f454c460201010000000000000000000200b700\n" \
		      "mask ffffffffffffff00fffffffffffffffffeffffff\n"

static char *binfmt_dir(const char *status, const char *entry)
{
	char *d = ut_tmpdir("binfmt");
	_cleanup_free_ char *s = ut_path(d, "status"), *e = ut_path(d, "qemu-aarch64");
	ut_write(s, status);
	if (entry)
		ut_write(e, entry);
	setenv("XSTRAP_BINFMT_DIR", d, 1);
	return d;
}

static int check(const char *arch, struct xs_log *log)
{
	xs_log_init(log, XS_QUIET);
	return xs_emul_check(log, arch);
}

static void test_host_arch_needs_nothing(void **state)
{
	(void)state;
	struct xs_log log;
	setenv("XSTRAP_BINFMT_DIR", "/nonexistent", 1);
	assert_int_equal(check(xs_host_arch(), &log), 0);
	assert_true(xs_arch_is_native(xs_host_arch()));
}

static void test_enabled_fix_binary_entry_passes(void **state)
{
	(void)state;
	struct xs_log log;
	_cleanup_free_ char *d = binfmt_dir("enabled\n", "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\n"
							 "flags: PF\noffset 0\n" AARCH64_MAGIC);
	assert_int_equal(check("arm64", &log), 0);
	/* the same entry does not run another architecture's binaries */
	assert_int_equal(check("s390x", &log), -ENOEXEC);
	assert_contains(log.err, "qemu-user-static");
	assert_contains(log.err, "qemu-s390x");
	xs_rm_rf(d);
}

static void test_disabled_or_missing_entry_names_the_package(void **state)
{
	(void)state;
	struct xs_log log;
	_cleanup_free_ char *d = binfmt_dir("enabled\n", "disabled\ninterpreter /x\nflags: PF\noffset 0\n" AARCH64_MAGIC);
	assert_int_equal(check("arm64", &log), -ENOEXEC);
	assert_contains(log.err, "cannot run arm64 programs");
	assert_contains(log.err, "install qemu-user-static");
	assert_contains(log.err, "update-binfmts --enable qemu-aarch64");
	assert_null(strchr(log.err, '\n'));
	xs_rm_rf(d);
}

static void test_entry_without_fix_binary_is_named(void **state)
{
	(void)state;
	struct xs_log log;
	_cleanup_free_ char *d = binfmt_dir("enabled\n", "enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: \noffset 0\n" AARCH64_MAGIC);
	assert_int_equal(check("arm64", &log), -ENOEXEC);
	assert_contains(log.err, "qemu-aarch64 (/usr/bin/qemu-aarch64) lacks the F (fix-binary) flag");
	xs_rm_rf(d);
}

static void test_binfmt_misc_unmounted_or_off(void **state)
{
	(void)state;
	struct xs_log log;
	setenv("XSTRAP_BINFMT_DIR", "/nonexistent", 1);
	assert_int_equal(check("arm64", &log), -ENOEXEC);
	assert_contains(log.err, "binfmt_misc is not mounted at /nonexistent");
	_cleanup_free_ char *d = binfmt_dir("disabled\n", NULL);
	assert_int_equal(check("arm64", &log), -ENOEXEC);
	assert_contains(log.err, "binfmt_misc is disabled");
	xs_rm_rf(d);
	assert_int_equal(check("vax", &log), -ENOTSUP);
	assert_contains(log.err, "--arch=vax");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_arch_needs_nothing),
		cmocka_unit_test(test_enabled_fix_binary_entry_passes),
		cmocka_unit_test(test_disabled_or_missing_entry_names_the_package),
		cmocka_unit_test(test_entry_without_fix_binary_is_named),
		cmocka_unit_test(test_binfmt_misc_unmounted_or_off),
	};
	return cmocka_run_group_tests_name("emul", tests, NULL, NULL);
}
