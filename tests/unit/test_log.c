/* test_log.c - the log hands every message to the caller's sink, keeps the
 * first error, and stays silent without a sink. */
#include "unit.h"

#include "log.h"

struct capture {
	struct xs_buf text;
	int progress;
};

static void capture(void *data, enum xs_log_kind kind, const char *text)
{
	struct capture *c = data;
	static const char *const names[] = { "info", "debug", "warn", "progress", "end" };
	if (kind == XS_LOG_PROGRESS)
		c->progress++;
	xs_buf_printf(&c->text, "%s: %s\n", names[kind], text);
}

static void test_sink_gets_messages_by_level(void **state)
{
	(void)state;
	struct xs_log log;
	struct capture c = { 0 };
	xs_log_init(&log, XS_NORMAL);
	xs_log_set_sink(&log, capture, &c, false);
	xs_info(&log, "%d packages", 3);
	xs_debug(&log, "not at this level");
	xs_warn(&log, "careful with %s", "/etc");
	xs_progress(&log, "Extracting", 1, 2, "MB");
	assert_string_equal(c.text.data, "info: 3 packages\nwarn: careful with /etc\n");
	xs_buf_free(&c.text);

	xs_log_init(&log, XS_VERBOSE);
	xs_log_set_sink(&log, capture, &c, true);
	xs_debug(&log, "metadata: %.1f s", 0.5);
	xs_progress(&log, "Extracting", 1000000, 2000000, "MB");
	xs_progress_end(&log);
	assert_string_equal(c.text.data, "debug: metadata: 0.5 s\nprogress: Extracting 1.0/2.0 MB\nend: \n");
	assert_int_equal(c.progress, 1);
	xs_buf_free(&c.text);
}

static void test_first_error_is_kept_and_nothing_printed_without_sink(void **state)
{
	(void)state;
	struct xs_log log;
	xs_log_init(&log, XS_VERBOSE);
	xs_info(&log, "no sink: dropped");
	assert_int_equal(xs_fail(&log, ENOENT, "%s: missing", "/etc/x"), -ENOENT);
	assert_int_equal(xs_fail(&log, EIO, "a consequence"), -EIO);
	assert_string_equal(log.err, "/etc/x: missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sink_gets_messages_by_level),
		cmocka_unit_test(test_first_error_is_kept_and_nothing_printed_without_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
