/* test_xen_config.c - the host side of a Xen guest: sizes, the swap
 * header (byte for byte where mkswap puts each field), xl quoting, the
 * MAC derived from the name. */
#include "unit.h"

#include "swap.h"
#include "xen_config.h"

static void test_swap_header(void **state)
{
	(void)state;
	_cleanup_free_ char *dir = ut_tmpdir("swap");
	_cleanup_free_ char *path = ut_path(dir, "s.img");
	struct xs_log log;
	xs_log_init(&log, XS_QUIET);
	uint8_t uuid[16];
	for (int i = 0; i < 16; i++)
		uuid[i] = (uint8_t)i;
	assert_int_equal(xs_swap_write(&log, path, (1 << 20) + 100, "web1-swap", uuid, false), 0);
	size_t len;
	_cleanup_free_ unsigned char *d = (unsigned char *)ut_read(path, &len);
	assert_int_equal(len, 1 << 20); /* whole pages only */
	assert_int_equal(d[1024], 1); /* version 1, little-endian */
	assert_int_equal(d[1028] | d[1029] << 8, 255); /* last page */
	assert_memory_equal(d + 1036, uuid, 16);
	assert_string_equal((char *)d + 1052, "web1-swap");
	assert_memory_equal(d + 4096 - 10, "SWAPSPACE2", 10);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_blocks * 512 < 64 * 1024); /* sparse */
	/* big-endian guests: the same fields, other byte order */
	assert_int_equal(xs_swap_write(&log, path, 1 << 20, NULL, uuid, true), 0);
	_cleanup_free_ unsigned char *b = (unsigned char *)ut_read(path, &len);
	assert_int_equal(b[1027], 1);
	assert_int_equal(b[1031], 255);
	/* too small for mkswap's minimum */
	assert_int_equal(xs_swap_write(&log, path, 8192, NULL, uuid, false), -EINVAL);
	assert_contains(log.err, "too small");
	xs_rm_rf(dir);
}

static void test_swap_uuid(void **state)
{
	(void)state;
	uint8_t a[16], b[16], c[16];
	xs_swap_uuid("web1", "1700000000", a);
	xs_swap_uuid("web1", "1700000000", b);
	assert_memory_equal(a, b, 16);
	assert_int_equal(a[6] >> 4, 8);
	assert_int_equal(a[8] >> 6, 2);
	xs_swap_uuid("web2", "1700000000", c);
	assert_memory_not_equal(a, c, 16);
	xs_swap_uuid("web1", NULL, a);
	xs_swap_uuid("web1", NULL, b);
	assert_memory_not_equal(a, b, 16);
	assert_int_equal(a[6] >> 4, 4);
}

static void test_xl_quote(void **state)
{
	(void)state;
	_cleanup_free_ char *plain = xs_xl_quote("web1");
	assert_string_equal(plain, "\"web1\"");
	_cleanup_free_ char *hard = xs_xl_quote("a\"b\\c\nd");
	assert_string_equal(hard, "\"a\\\"b\\\\c\\x0ad\"");
}

static void test_mac(void **state)
{
	(void)state;
	char a[18], b[18], c[18];
	xs_xen_mac("web1", a);
	xs_xen_mac("web1", b);
	xs_xen_mac("web2", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 17);
	assert_memory_equal(a, "00:16:3e:", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_header),
		cmocka_unit_test(test_swap_uuid),
		cmocka_unit_test(test_xl_quote),
		cmocka_unit_test(test_mac),
	};
	return cmocka_run_group_tests_name("xen_config", tests, NULL, NULL);
}
