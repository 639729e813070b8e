/* test_rpm_configure.c - the order rpm_configure.c runs an rpm
 * transaction's scriptlets in, as rpm runs a fresh install: every
 * %pretrans; per package %pre, %post, the %triggerin scripts it sets off
 * (and its own on packages already there), the %filetriggerin scripts on
 * its files; then every %posttrans and the %transfiletriggerin scripts by
 * priority, with the matching paths on stdin. The packages are headers
 * built here by hand; the scripts run for real in a target whose /bin/sh
 * is busybox (root needed: a chroot in namespaces), each appending a line
 * to /order. */
#include "unit.h"

#include "pkg_rpm.h"
#include "rpm_configure.h"
#include "rpm_family.h"

enum { T_INT32 = 4, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8 };

struct tag {
	uint32_t tag, type;
	const char *s[4]; /* strings, NULL-terminated (STRING: one) */
	uint32_t n[4];    /* INT32 values */
	uint32_t count;
};

static void be32(struct xs_buf *b, uint32_t v)
{
	unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v };
	xs_buf_add(b, c, 4);
}

/* A main header with TAGS, parsed into a new xs_rpminfo. */
static struct xs_rpminfo *make_info(const struct tag *tags, size_t ntags, const char *const *files)
{
	struct xs_buf index = { 0 }, store = { 0 };
	for (size_t i = 0; i < ntags; i++) {
		const struct tag *t = &tags[i];
		if (t->type == T_INT32)
			while (store.len % 4)
				xs_buf_add(&store, "", 1);
		be32(&index, t->tag);
		be32(&index, t->type);
		be32(&index, store.len);
		be32(&index, t->count);
		for (uint32_t k = 0; k < t->count; k++) {
			if (t->type == T_INT32)
				be32(&store, t->n[k]);
			else
				xs_buf_add(&store, t->s[k], strlen(t->s[k]) + 1);
		}
	}
	/* rpm's immutable region first, its trailer after the data, as every
	 * package header has it (the rpmdb is written from it) */
	struct xs_buf blob = { 0 };
	static const unsigned char magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };
	xs_buf_add(&blob, magic, 8);
	be32(&blob, ntags + 1);
	be32(&blob, store.len + 16);
	be32(&blob, 63);
	be32(&blob, T_BIN);
	be32(&blob, store.len);
	be32(&blob, 16);
	xs_buf_add(&blob, index.data, index.len);
	xs_buf_add(&blob, store.data, store.len);
	be32(&blob, 63);
	be32(&blob, T_BIN);
	be32(&blob, (uint32_t)-(int32_t)((ntags + 1) * 16));
	be32(&blob, 16);
	struct xs_rpminfo *ri = xs_calloc(1, sizeof(*ri));
	ri->hdrblob = (unsigned char *)blob.data;
	const char *why = NULL;
	if (xs_rpmhdr_parse(ri->hdrblob, blob.len, &ri->hdr, &why) < 0)
		fail_msg("the test's header does not parse: %s", why);
	for (size_t n = 0; files && files[n]; n++) {
		ri->files = xs_realloc(ri->files, (n + 1) * sizeof(*ri->files));
		ri->files[n] = (struct xs_rpmfile){ .path = xs_strdup(files[n]), .mode = S_IFREG | 0644 };
		ri->nfiles = n + 1;
	}
	xs_buf_free(&index);
	xs_buf_free(&store);
	return ri;
}

#define S1(tag, text) { tag, T_STRING, { text }, { 0 }, 1 }
#define LOG(what) "echo \"" what " $1 $2\" >> /order\n"

struct fx {
	char *top, *root;
	int rootfd;
	struct xs_ctx ctx;
	struct xs_txn txn;
};

static void add_pkg(struct fx *f, const char *name, const struct tag *tags, size_t n, const char *const *files)
{
	f->txn.v = xs_realloc(f->txn.v, (f->txn.n + 1) * sizeof(*f->txn.v));
	struct xs_pkg *p = &f->txn.v[f->txn.n++];
	memset(p, 0, sizeof(*p));
	p->name = xs_strdup(name);
	p->version = xs_strdup("0:1.0-1");
	p->arch = xs_strdup("x86_64");
	p->family_data = make_info(tags, n, files);
}

static int setup(void **state)
{
	struct fx *f = xs_calloc(1, sizeof(*f));
	*state = f;
	if (geteuid() != 0)
		return 0; /* the test says why it skips */
	f->rootfd = ut_mkroot("rpmconf", &f->top, &f->root, O_RDONLY);
	_cleanup_free_ char *bin = ut_path(f->root, "bin");
	_cleanup_free_ char *sh = ut_path(f->root, "bin/sh");
	mkdir(bin, 0755);
	size_t len = 0;
	_cleanup_free_ char *busybox = ut_read("/bin/busybox", &len);
	if (!busybox)
		fail_msg("/bin/busybox: not found (the busybox-static package, tests/lib/deps.sh)");
	ut_write_len(sh, busybox, len);
	chmod(sh, 0755);
	xs_log_init(&f->ctx.log, XS_QUIET);
	f->ctx.family = &xs_family_rpm;
	f->ctx.o.target = xs_strdup(f->root);
	f->ctx.rootfd = f->rootfd;
	f->txn.family = &xs_family_rpm;

	/* A: every kind of per-package scriptlet, and a trigger on B */
	const struct tag a[] = {
		S1(XS_RPMTAG_PRETRANS, LOG("pretrans-A")),
		S1(XS_RPMTAG_PREIN, LOG("pre-A")),
		S1(XS_RPMTAG_POSTIN, LOG("post-A")),
		S1(XS_RPMTAG_POSTTRANS, LOG("posttrans-A")),
		{ XS_RPMTAG_TRIGGERSCRIPTS, T_STRING_ARRAY, { LOG("triggerin-A-on-B") }, { 0 }, 1 },
		{ XS_RPMTAG_TRIGGERNAME, T_STRING_ARRAY, { "B" }, { 0 }, 1 },
		{ XS_RPMTAG_TRIGGERVERSION, T_STRING_ARRAY, { "" }, { 0 }, 1 },
		{ XS_RPMTAG_TRIGGERFLAGS, T_INT32, { NULL }, { XS_RPMSENSE_TRIGGERIN }, 1 },
		{ XS_RPMTAG_TRIGGERINDEX, T_INT32, { NULL }, { 0 }, 1 },
	};
	static const char *const a_files[] = { "/etc/a.conf", NULL };
	/* B: a library, which C's file triggers watch */
	const struct tag b[] = {
		S1(XS_RPMTAG_PREIN, LOG("pre-B")),
		S1(XS_RPMTAG_POSTIN, LOG("post-B")),
	};
	static const char *const b_files[] = { "/usr/lib/libb.so.1", NULL };
	/* C: file triggers on /usr/lib, two transaction ones by priority */
	const struct tag c[] = {
		S1(XS_RPMTAG_POSTIN, LOG("post-C")),
		{ XS_RPMTAG_FILETRIGGERSCRIPTS, T_STRING_ARRAY, { "read f; echo \"filetriggerin-C $1 $f\" >> /order\n" }, { 0 }, 1 },
		{ XS_RPMTAG_FILETRIGGERNAME, T_STRING_ARRAY, { "/usr/lib/" }, { 0 }, 1 },
		{ XS_RPMTAG_FILETRIGGERINDEX, T_INT32, { NULL }, { 0 }, 1 },
		{ XS_RPMTAG_FILETRIGGERFLAGS, T_INT32, { NULL }, { XS_RPMSENSE_TRIGGERIN }, 1 },
		{ XS_RPMTAG_FILETRIGGERPRIORITIES, T_INT32, { NULL }, { 100000 }, 1 },
		{ XS_RPMTAG_TRANSFILETRIGGERSCRIPTS, T_STRING_ARRAY,
		  { "read f; echo \"transfiletriggerin-low $f\" >> /order\n",
		    "read f; echo \"transfiletriggerin-high $f\" >> /order\n" }, { 0 }, 2 },
		{ XS_RPMTAG_TRANSFILETRIGGERNAME, T_STRING_ARRAY, { "/usr/lib/", "/etc/" }, { 0 }, 2 },
		{ XS_RPMTAG_TRANSFILETRIGGERINDEX, T_INT32, { NULL }, { 0, 1 }, 2 },
		{ XS_RPMTAG_TRANSFILETRIGGERFLAGS, T_INT32, { NULL }, { XS_RPMSENSE_TRIGGERIN, XS_RPMSENSE_TRIGGERIN }, 2 },
		{ XS_RPMTAG_TRANSFILETRIGGERPRIORITIES, T_INT32, { NULL }, { 10, 900000 }, 2 },
	};
	add_pkg(f, "A", a, sizeof(a) / sizeof(a[0]), a_files);
	add_pkg(f, "B", b, sizeof(b) / sizeof(b[0]), b_files);
	add_pkg(f, "C", c, sizeof(c) / sizeof(c[0]), NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (!f->root) {
		free(f);
		return 0;
	}
	xs_txn_free(&f->txn);
	close(f->rootfd);
	xs_opts_free(&f->ctx.o);
	xs_rm_rf(f->top);
	free(f->top);
	free(f->root);
	free(f);
	return 0;
}

static void test_scriptlets_and_triggers_in_rpm_order(void **state)
{
	struct fx *f = *state;
	if (geteuid() != 0) {
		print_message("skipped: scriptlets run in a chroot, which needs root\n");
		skip();
	}
	int r = xs_configure_rpm(&f->ctx, f->rootfd, &f->txn);
	if (r)
		fail_msg("xs_configure_rpm: %s", f->ctx.log.err);
	_cleanup_free_ char *order = ut_path(f->root, "order");
	ut_assert_file(order, "pretrans-A 1 \n"
			      "pre-A 1 \n"
			      "post-A 1 \n"
			      "pre-B 1 \n"
			      "post-B 1 \n"
			      "triggerin-A-on-B 1 1\n"
			      "post-C 1 \n"
			      "filetriggerin-C 1 /usr/lib/libb.so.1\n"
			      "posttrans-A 1 \n"
			      "transfiletriggerin-high /etc/a.conf\n"
			      "transfiletriggerin-low /usr/lib/libb.so.1\n");
	/* the staged scripts are gone again */
	_cleanup_free_ char *stage = ut_path(f->root, "var/tmp/xstrap-rpm");
	assert_false(ut_exists(stage));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scriptlets_and_triggers_in_rpm_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
