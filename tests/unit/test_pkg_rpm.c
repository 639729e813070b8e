/* test_pkg_rpm.c - the rpm header parser on headers built here byte by
 * byte, then .rpm decoding (digests, signatures, payload compressions) and
 * writing into a target on packages built here by rpmbuild and signed by
 * rpmsign with throwaway keys. */
#include "unit.h"

#include "rpm_family.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/xattr.h>

#include "pkg_rpm.h"
#include "rpmdb_sqlite.h"
#include "target.h"
#include "verify.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* ---- the header parser ---------------------------------------------- */

enum { T_NULL, T_CHAR, T_INT8, T_INT16, T_INT32, T_INT64, T_STRING, T_BIN, T_STRING_ARRAY, T_I18NSTRING };

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A header being built: index entries and the data store. */
struct hb {
	struct xs_buf index, store;
	uint32_t il;
};

/* An index entry as given, pointing wherever OFF says. */
static void hb_entry(struct hb *b, uint32_t tag, uint32_t type, uint32_t off, uint32_t count)
{
	unsigned char e[16];
	put_be32(e, tag);
	put_be32(e + 4, type);
	put_be32(e + 8, off);
	put_be32(e + 12, count);
	xs_buf_add(&b->index, e, 16);
	b->il++;
}

/* An entry whose LEN bytes of DATA go to the store, aligned as rpm does. */
static void hb_add(struct hb *b, uint32_t tag, uint32_t type, uint32_t count, const void *data, size_t len)
{
	size_t align = type == T_INT16 ? 2 : type == T_INT32 ? 4 : type == T_INT64 ? 8 : 1;
	while (b->store.len % align)
		xs_buf_add(&b->store, "", 1);
	hb_entry(b, tag, type, (uint32_t)b->store.len, count);
	xs_buf_add(&b->store, data, len);
}

/* The blob: magic, il and dl big-endian, index, store. Frees B's parts. */
static void hb_finish(struct hb *b, struct xs_buf *out)
{
	unsigned char head[16] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };
	put_be32(head + 8, b->il);
	put_be32(head + 12, (uint32_t)b->store.len);
	xs_buf_add(out, head, sizeof(head));
	if (b->il) /* xs_buf_add(NULL, 0) is memcpy(NULL) */
		xs_buf_add(out, b->index.data, b->index.len);
	if (b->store.len)
		xs_buf_add(out, b->store.data, b->store.len);
	xs_buf_free(&b->index);
	xs_buf_free(&b->store);
	memset(b, 0, sizeof(*b));
}

enum {
	TAG_STR = 1000,
	TAG_STRV = 1001,
	TAG_I18N = 1002,
	TAG_I16 = 1003,
	TAG_I32 = 1004,
	TAG_I64 = 1005,
	TAG_BIN = 1006,
	TAG_I8 = 1007,
	TAG_ABSENT = 4242,
};

static const unsigned char BIN[] = { 0x00, 0xff, 0x10, 0x00, 0x7f };

static void build_good(struct xs_buf *out)
{
	struct hb b = { 0 };
	hb_add(&b, TAG_STR, T_STRING, 1, "xsunit", 7);
	hb_add(&b, TAG_STRV, T_STRING_ARRAY, 3, "/usr/bin/\0\0/etc/", 17);
	hb_add(&b, TAG_I18N, T_I18NSTRING, 1, "a summary", 10);
	hb_add(&b, TAG_I8, T_INT8, 2, "\x07\xfe", 2);
	hb_add(&b, TAG_I16, T_INT16, 3, "\x81\xed\x00\x01\xa1\xff", 6);
	hb_add(&b, TAG_I32, T_INT32, 2, "\x64\x84\x2b\x91\xff\xff\xff\xfe", 8);
	hb_add(&b, TAG_I64, T_INT64, 1, "\x00\x00\x00\x01\x00\x00\x00\x02", 8);
	hb_add(&b, TAG_BIN, T_BIN, sizeof(BIN), BIN, sizeof(BIN));
	hb_finish(&b, out);
}

static void test_hdr_good(void **state)
{
	(void)state;
	struct xs_buf blob = { 0 };
	build_good(&blob);
	/* trailing bytes (the next header, the payload) are not part of it */
	size_t hlen = blob.len;
	xs_buf_add(&blob, "trailing", 8);
	const unsigned char *p = (const unsigned char *)blob.data;
	struct xs_rpmhdr h;
	const char *why = NULL;
	assert_int_equal(xs_rpmhdr_parse(p, blob.len, &h, &why), 0);
	assert_null(why);
	assert_ptr_equal(h.blob, p);
	assert_int_equal(h.len, hlen);
	assert_int_equal(h.il, 8);
	assert_int_equal(h.dl, hlen - 16 - 8 * 16);

	assert_string_equal(xs_rpmhdr_str(&h, TAG_STR), "xsunit");
	assert_string_equal(xs_rpmhdr_str(&h, TAG_I18N), "a summary");
	assert_string_equal(xs_rpmhdr_str(&h, TAG_STRV), "/usr/bin/"); /* the first */
	assert_null(xs_rpmhdr_str(&h, TAG_ABSENT));
	assert_null(xs_rpmhdr_str(&h, TAG_I32)); /* not a string */

	size_t n = 99;
	const char **v = xs_rpmhdr_strv(&h, TAG_STRV, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "/usr/bin/");
	assert_string_equal(v[1], "");
	assert_string_equal(v[2], "/etc/");
	free(v);
	v = xs_rpmhdr_strv(&h, TAG_STR, &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "xsunit");
	free(v);
	n = 99;
	assert_null(xs_rpmhdr_strv(&h, TAG_ABSENT, &n));
	assert_int_equal(n, 0);
	n = 99;
	assert_null(xs_rpmhdr_strv(&h, TAG_BIN, &n));
	assert_int_equal(n, 0);

	assert_int_equal(xs_rpmhdr_int(&h, TAG_I8, 0, 0), 7);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I8, 1, 0), 0xfe);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I16, 0, 0), 0100755);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I16, 1, 0), 1);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I16, 2, 0), 0120777);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I32, 0, 0), 1686383505);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I32, 1, 0), 0xfffffffe); /* unsigned, not -2 */
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I64, 0, 0), (1ull << 32) | 2);
	/* past the end, absent, or not an integer: the default */
	assert_int_equal(xs_rpmhdr_int(&h, TAG_I16, 3, 77), 77);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_ABSENT, 0, 77), 77);
	assert_int_equal(xs_rpmhdr_int(&h, TAG_STR, 0, 77), 77);

	assert_int_equal(xs_rpmhdr_count(&h, TAG_STRV), 3);
	assert_int_equal(xs_rpmhdr_count(&h, TAG_I16), 3);
	assert_int_equal(xs_rpmhdr_count(&h, TAG_BIN), sizeof(BIN));
	assert_int_equal(xs_rpmhdr_count(&h, TAG_ABSENT), 0);

	size_t len = 0;
	const unsigned char *bin = xs_rpmhdr_bin(&h, TAG_BIN, &len);
	assert_non_null(bin);
	assert_int_equal(len, sizeof(BIN));
	assert_memory_equal(bin, BIN, sizeof(BIN));
	assert_null(xs_rpmhdr_bin(&h, TAG_STR, &len));
	assert_null(xs_rpmhdr_bin(&h, TAG_ABSENT, &len));

	/* an empty header is a header; lookups on it (or on none) find nothing */
	struct hb b = { 0 };
	struct xs_buf empty = { 0 };
	hb_finish(&b, &empty);
	assert_int_equal(xs_rpmhdr_parse((const unsigned char *)empty.data, empty.len, &h, &why), 0);
	assert_int_equal(h.len, 16);
	assert_null(xs_rpmhdr_str(&h, TAG_STR));
	assert_null(xs_rpmhdr_str(NULL, TAG_STR));
	assert_int_equal(xs_rpmhdr_int(NULL, TAG_I32, 0, 5), 5);
	xs_buf_free(&empty);
	xs_buf_free(&blob);
}

/* Parses BLOB (AVAIL bytes of it) and expects a refusal saying WANT. */
static void expect_bad(const struct xs_buf *blob, size_t avail, const char *want)
{
	struct xs_rpmhdr h;
	const char *why = NULL;
	int r = xs_rpmhdr_parse((const unsigned char *)blob->data, avail, &h, &why);
	if (r != -EBADMSG)
		fail_msg("expected -EBADMSG (\"%s\"), got %d", want, r);
	assert_contains(why, want);
}

static void test_hdr_malformed(void **state)
{
	(void)state;
	struct xs_buf good = { 0 }, bad = { 0 };
	build_good(&good);

	/* bad magic, anywhere in the 4 bytes */
	for (int i = 0; i < 4; i++) {
		xs_buf_add(&bad, good.data, good.len);
		bad.data[i] ^= 0x40;
		expect_bad(&bad, bad.len, "bad header magic");
		bad.len = 0;
	}

	/* truncated: shorter than the fixed part, or than index + store */
	expect_bad(&good, 0, "truncated header");
	expect_bad(&good, 15, "truncated header");
	expect_bad(&good, 16, "truncated header");
	expect_bad(&good, good.len - 1, "truncated header");
	expect_bad(&good, 16 + 16 * 3, "truncated header");

	/* huge il or dl: refused before any arithmetic on them */
	xs_buf_add(&bad, good.data, good.len);
	put_be32((unsigned char *)bad.data + 8, 0xffffffff);
	expect_bad(&bad, bad.len, "header too large");
	put_be32((unsigned char *)bad.data + 8, 0x10000);
	expect_bad(&bad, bad.len, "header too large");
	put_be32((unsigned char *)bad.data + 8, 8);
	put_be32((unsigned char *)bad.data + 12, 0xfffffff0);
	expect_bad(&bad, bad.len, "header too large");
	/* il a little too large for the bytes there */
	put_be32((unsigned char *)bad.data + 12, good.len - 16 - 8 * 16);
	put_be32((unsigned char *)bad.data + 8, 9);
	expect_bad(&bad, bad.len, "truncated header");
	xs_buf_free(&bad);

	/* one entry, given raw, and its store */
	static const struct {
		uint32_t type, off, count;
		const char *store;
		size_t len;
		const char *want;
	} one[] = {
		/* an offset beyond the store */
		{ T_STRING, 9, 1, "abc\0def", 8, "corrupt header index" },
		{ T_INT32, 0xfffffffc, 1, "\0\0\0\1", 4, "corrupt header index" },
		/* in the store, but the data runs past its end */
		{ T_INT32, 4, 2, "\0\0\0\1\0\0\0\2", 8, "header entry beyond its data" },
		{ T_INT64, 0, 0x20000000, "\0\0\0\1\0\0\0\2", 8, "header entry beyond its data" }, /* count * 8 wraps 32 bits */
		{ T_BIN, 2, 7, "12345678", 8, "header entry beyond its data" },
		/* an unknown type */
		{ 10, 0, 1, "abc", 4, "corrupt header index" },
		/* strings that do not end inside the store */
		{ T_STRING, 8, 1, "abc\0def", 8, "unterminated header string" }, /* at the very end: empty */
		{ T_STRING, 0, 1, "abc", 3, "unterminated header string" },
		{ T_STRING_ARRAY, 0, 3, "a\0b\0c", 5, "unterminated header string" },
		{ T_STRING_ARRAY, 0, 0x7fffffff, "a\0b\0c\0", 6, "unterminated header string" },
		{ T_I18NSTRING, 6, 1, "a\0b\0c\0", 6, "unterminated header string" },
	};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		struct hb b = { 0 };
		hb_entry(&b, TAG_STR, one[i].type, one[i].off, one[i].count);
		xs_buf_add(&b.store, one[i].store, one[i].len);
		hb_finish(&b, &bad);
		expect_bad(&bad, bad.len, one[i].want);
		bad.len = 0;
	}
	/* the last string of the store ends with the store, not after it */
	struct hb b = { 0 };
	hb_add(&b, TAG_STR, T_STRING, 1, "ok", 3);
	hb_add(&b, TAG_STRV, T_STRING, 1, "cut", 3);
	hb_finish(&b, &bad);
	expect_bad(&bad, bad.len, "unterminated header string");
	bad.len = 0;
	/* a STRING (one value by definition) claiming two */
	hb_add(&b, TAG_I32, T_INT32, 1, "\0\0\0\1", 4);
	hb_add(&b, TAG_STR, T_STRING, 2, "a\0b", 4);
	hb_finish(&b, &bad);
	expect_bad(&bad, bad.len, "corrupt header string");

	xs_buf_free(&bad);
	xs_buf_free(&good);
}

/* Index entries must be sorted by offset, aligned and non-overlapping, as
 * rpm requires: overlapping string entries used to make the parser scan the
 * same bytes once per entry (il * dl, ~10^13 steps) before any signature
 * was checked. */
static void test_hdr_overlap_and_order(void **state)
{
	(void)state;
	/* up to two entries, given raw, and their store */
	static const struct {
		uint32_t type1, off1, count1, type2, off2, count2;
		const char *store;
		size_t len;
		const char *want;
	} two[] = {
		/* two entries on the same string */
		{ T_STRING, 0, 1, T_STRING, 0, 1, "xsunit", 7, "overlapping or unsorted header entries" },
		/* the second starts inside the first one's strings */
		{ T_STRING_ARRAY, 0, 2, T_STRING, 2, 1, "a\0b\0", 4, "overlapping or unsorted header entries" },
		/* disjoint, but out of order */
		{ T_INT32, 4, 1, T_INT32, 0, 1, "\0\0\0\1\0\0\0\2", 8, "overlapping or unsorted header entries" },
		/* integers overlapping */
		{ T_INT32, 0, 2, T_INT32, 4, 1, "\0\0\0\1\0\0\0\2", 8, "overlapping or unsorted header entries" },
		/* misaligned integers (count2 0: one entry only) */
		{ T_INT32, 2, 1, 0, 0, 0, "\0\0\0\1\0\0\0\2", 8, "misaligned header entry" },
		{ T_INT64, 4, 1, 0, 0, 0, "\0\0\0\1\0\0\0\2\0\0\0\3", 12, "misaligned header entry" },
	};
	struct xs_buf bad = { 0 };
	struct hb b = { 0 };
	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
		hb_entry(&b, TAG_STR, two[i].type1, two[i].off1, two[i].count1);
		if (two[i].count2)
			hb_entry(&b, TAG_STRV, two[i].type2, two[i].off2, two[i].count2);
		xs_buf_add(&b.store, two[i].store, two[i].len);
		hb_finish(&b, &bad);
		expect_bad(&bad, bad.len, two[i].want);
		bad.len = 0;
	}

	/* The attack at full size: 65535 entries on one 16 MiB array of 2^23
	 * short strings. Refused at the second entry, so this test finishes
	 * at once instead of after 65535 scans of the store (~10^12 steps). */
	uint32_t dl = 16u << 20;
	for (uint32_t i = 0; i < 0xffff; i++)
		hb_entry(&b, TAG_STRV + i, T_STRING_ARRAY, 0, dl / 2);
	unsigned char *store = xs_malloc(dl);
	for (uint32_t i = 0; i < dl; i++)
		store[i] = i % 2 ? 'x' : 0;
	xs_buf_add(&b.store, store, dl);
	free(store);
	hb_finish(&b, &bad);
	expect_bad(&bad, bad.len, "overlapping or unsorted header entries");
	bad.len = 0;

	/* a region tag first (its data, the trailer, at the end) is allowed
	 * out of order, as rpm lays it out */
	hb_entry(&b, 63, T_BIN, 8, 16);
	hb_entry(&b, TAG_STR, T_STRING, 0, 1);
	xs_buf_add(&b.store, "xsunit\0\0", 8);
	xs_buf_add(&b.store, "0123456789abcdef", 16);
	hb_finish(&b, &bad);
	struct xs_rpmhdr h;
	const char *why = NULL;
	assert_int_equal(xs_rpmhdr_parse((const unsigned char *)bad.data, bad.len, &h, &why), 0);
	assert_string_equal(xs_rpmhdr_str(&h, TAG_STR), "xsunit");
	xs_buf_free(&bad);
}

/* ---- packages built by rpmbuild --------------------------------------- */

#define MTIME 1686388881
#define HELLO_MTIME 1600000000
#define GZ_KEY "xsunit-rsa@unit.invalid"
#define ZST_KEY "xsunit-ed@unit.invalid"

static const char SPEC[] =
	"Name: xsunit\n"
	"Version: 1.0\n"
	"Release: 1\n"
	"Summary: an xstrap unit test package\n"
	"License: MIT\n"
	"BuildArch: noarch\n"
	"%description\n"
	"Files of every kind xs_rpm_write handles.\n"
	"%install\n"
	"set -e\n"
	"cd %{buildroot}\n"
	"mkdir -p usr/bin var/lib/xsunit etc\n"
	"printf 'hello\\n' > usr/bin/hello\n"
	"chmod 0755 usr/bin/hello\n"
	"ln -s hello usr/bin/hi\n"
	"printf 'hard\\n' > usr/bin/hard1\n"
	"ln usr/bin/hard1 usr/bin/hard2\n"
	"printf '#!/bin/sh\\n' > usr/bin/ping\n"
	"chmod 0755 usr/bin/ping\n"
	"printf 'state\\n' > var/lib/xsunit/state\n"
	"printf 'greeting = hi\\n' > etc/xsunit.conf\n"
	"find . -exec touch -h -d @" STR(MTIME) " {} +\n"
	"touch -d @" STR(HELLO_MTIME) " usr/bin/hello\n"
	"%files\n"
	"%dir %attr(0750,root,root) /var/lib/xsunit\n"
	"/usr/bin/hello\n"
	"/usr/bin/hi\n"
	"/usr/bin/hard1\n"
	"/usr/bin/hard2\n"
	"%caps(cap_net_raw=ep) /usr/bin/ping\n"
	"%attr(0640,daemon,daemon) /var/lib/xsunit/state\n"
	"%config(noreplace) /etc/xsunit.conf\n"
	"%ghost /var/log/xsunit.log\n";

/* What the group setup made, once for the whole binary. */
struct world {
	char *top;		/* scratch: gnupg/, the packages and their build trees */
	char *home;		/* GNUPGHOME with both secret keys */
	char *key_rsa, *key_ed; /* the public keys, armored */
	char *gz;		/* gzip payload, signed by the RSA key (RSA header tag) */
	char *zst;		/* zstd payload, signed by the EdDSA key (DSA header tag) */
	char *xz;		/* xz payload, RSA key */
	char *plain;		/* uncompressed payload, RSA key */
	char *unsigned_;	/* gzip payload, not signed */
	const char *skip_why;	/* the tool that is missing, if one is */
};

static struct world W;

/* Builds the spec into TOP/out-TAG/xsunit.rpm with PAYLOAD; signs it with
 * KEY unless NULL. Returns the path, or NULL. */
static char *build_rpm(const char *spec, const char *tag, const char *payload, const char *key)
{
	_cleanup_free_ char *log = xs_asprintf("%s/rpmbuild-%s.log", W.top, tag);
	_cleanup_free_ char *d_top = xs_asprintf("_topdir %s/rpmbuild", W.top);
	_cleanup_free_ char *d_tmp = xs_asprintf("_tmppath %s", W.top);
	_cleanup_free_ char *d_out = xs_asprintf("_rpmdir %s/out-%s", W.top, tag);
	_cleanup_free_ char *d_payload = xs_asprintf("_binary_payload %s", payload);
	char *const build[] = { "rpmbuild", "-bb", "--quiet", "--define", d_top, "--define", d_tmp,
				"--define", d_out, "--define", d_payload,
				"--define", "_build_name_fmt xsunit.rpm",
				"--define", "__os_install_post %{nil}",
				"--define", "_build_id_links none",
				(char *)spec, NULL };
	if (ut_run(NULL, log, log, build)) {
		print_error("rpmbuild (%s) failed; see %s\n", payload, log);
		return NULL;
	}
	char *rpm = xs_asprintf("%s/out-%s/xsunit.rpm", W.top, tag);
	if (!key)
		return rpm;
	_cleanup_free_ char *d_name = xs_asprintf("_gpg_name %s", key);
	char *const sign[] = { "rpmsign", "--define", d_name, "--define", "__gpg /usr/bin/gpg",
			       "--addsign", rpm, NULL };
	if (ut_run(W.home, log, log, sign)) {
		print_error("rpmsign (%s) failed; see %s\n", key, log);
		free(rpm);
		return NULL;
	}
	return rpm;
}

static int teardown_world(void **state)
{
	(void)state;
	if (W.home) {
		UT_RUN(W.home, NULL, "gpgconf", "--kill", "all"); /* rpmsign's agent */
		xs_rm_rf(W.top);
	}
	free(W.top);
	free(W.home);
	free(W.key_rsa);
	free(W.key_ed);
	free(W.gz);
	free(W.zst);
	free(W.xz);
	free(W.plain);
	free(W.unsigned_);
	memset(&W, 0, sizeof(W));
	return 0;
}

static bool have(const char *tool)
{
	return UT_RUN(NULL, NULL, "sh", "-c", "command -v \"$0\"", (char *)tool) == 0;
}

static int setup_world(void **state)
{
	(void)state;
	static const char *const tools[] = { "rpmbuild", "rpmsign", "gpg" };
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!have(tools[i])) {
			W.skip_why = tools[i];
			return 0;
		}
	W.top = ut_tmpdir("rpm");
	W.home = ut_path(W.top, "gnupg");
	W.key_rsa = ut_path(W.top, "rsa.asc");
	W.key_ed = ut_path(W.top, "ed.asc");
	_cleanup_free_ char *spec = ut_path(W.top, "xsunit.spec");
	ut_write(spec, SPEC);
	if (mkdir(W.home, 0700) < 0 || ut_gpg_gen_key(W.home, "xsunit RSA <" GZ_KEY ">", "rsa2048") ||
	    ut_gpg_gen_key(W.home, "xsunit EdDSA <" ZST_KEY ">", "ed25519") ||
	    UT_RUN(W.home, W.key_rsa, "gpg", "--batch", "--armor", "--export", GZ_KEY) ||
	    UT_RUN(W.home, W.key_ed, "gpg", "--batch", "--armor", "--export", ZST_KEY)) {
		print_error("gpg: cannot make the test keys\n");
		return teardown_world(state), -1;
	}
	W.unsigned_ = build_rpm(spec, "unsigned", "w9.gzdio", NULL);
	W.gz = build_rpm(spec, "gz", "w9.gzdio", GZ_KEY);
	W.zst = build_rpm(spec, "zst", "w19.zstdio", ZST_KEY);
	W.xz = build_rpm(spec, "xz", "w2.xzdio", GZ_KEY);
	W.plain = build_rpm(spec, "plain", "w0.ufdio", GZ_KEY);
	if (W.unsigned_ && W.gz && W.zst && W.xz && W.plain)
		return 0;
	return teardown_world(state), -1; /* cleaned up here; running it twice is harmless */
}

/* One test's target and package. */
struct fixture {
	char *top; /* scratch: root/ and copies of packages */
	char *root;
	int rootfd;
	struct xs_txn txn; /* one package, so xs_txn_free cleans up */
	struct xs_pkg *p;
	struct xs_log log;
	struct xs_verifier *v;
	struct xs_buf cpio;
};

static int setup(void **state)
{
	struct fixture *f = xs_calloc(1, sizeof(*f));
	*state = f;
	f->rootfd = ut_mkroot("rpmt", &f->top, &f->root, O_RDONLY); /* as stages.c opens it */
	f->txn.n = 1;
	f->txn.v = xs_calloc(1, sizeof(*f->txn.v));
	f->txn.family = &xs_family_rpm;
	f->p = &f->txn.v[0];
	f->p->name = xs_strdup("xsunit");
	f->p->version = xs_strdup("0:1.0-1"); /* as the solver gives it */
	f->p->arch = xs_strdup("noarch");
	xs_log_init(&f->log, XS_QUIET);
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	xs_verifier_free(f->v);
	xs_buf_free(&f->cpio);
	xs_txn_free(&f->txn);
	close(f->rootfd);
	xs_rm_rf(f->top);
	free(f->top);
	free(f->root);
	free(f);
	return 0;
}

static void need_rpm_tools(void)
{
	if (W.skip_why) {
		print_message("skipped: %s is not installed\n", W.skip_why);
		skip();
	}
}

/* Verifies with KEY from now on (NULL: --no-verify). */
static void set_key(struct fixture *f, const char *key)
{
	xs_verifier_free(f->v);
	f->v = NULL;
	if (key) {
		struct xs_strlist l = { 0 };
		xs_strlist_add(&l, key);
		int r = xs_verifier_new(&f->v, &l, &f->log);
		xs_strlist_free(&l);
		if (r)
			fail_msg("xs_verifier_new: %d %s", r, f->log.err);
	}
}

/* Sets the package file (a copy when COPY, to be changed by the test) and
 * the verifier holding KEY (NULL: --no-verify). Returns the path. */
static const char *use(struct fixture *f, const char *rpm, const char *key, bool copy)
{
	need_rpm_tools();
	free(f->p->cache_path);
	f->p->cache_path = copy ? ut_path(f->top, "copy.rpm") : xs_strdup(rpm);
	if (copy) {
		size_t len = 0;
		_cleanup_free_ char *data = ut_read(rpm, &len);
		assert_non_null(data);
		ut_write_len(f->p->cache_path, data, len);
	}
	set_key(f, key);
	return f->p->cache_path;
}

static int decode(struct fixture *f)
{
	xs_rpminfo_free(xs_rpm(f->p));
	f->p->family_data = NULL;
	f->cpio.len = 0;
	return xs_rpm_decode(&f->log, f->v, f->p, &f->cpio);
}

static void decode_ok(struct fixture *f)
{
	int r = decode(f);
	if (r)
		fail_msg("xs_rpm_decode %s: %d %s", f->p->cache_path, r, f->log.err);
	assert_non_null(xs_rpm(f->p));
	assert_true(f->cpio.len > 0);
}

static void need_root(void)
{
	/* files are made root's (chown) and get capabilities (CAP_SETFCAP) */
	if (geteuid() != 0) {
		print_message("skipped: writing into the target takes root\n");
		skip();
	}
}

static void write_ok(struct fixture *f)
{
	need_root();
	int r = xs_rpm_write(&f->log, f->rootfd, f->p, &f->cpio);
	if (r)
		fail_msg("xs_rpm_write %s: %d %s", f->p->cache_path, r, f->log.err);
}

static const struct xs_rpmfile *file_of(const struct xs_pkg *p, const char *path)
{
	for (size_t i = 0; i < xs_rpm(p)->nfiles; i++)
		if (!strcmp(xs_rpm(p)->files[i].path, path))
			return &xs_rpm(p)->files[i];
	fail_msg("%s is not in the header's file list", path);
	return NULL;
}

static time_t header_mtime(const struct xs_pkg *p, const char *path)
{
	const struct xs_rpmfile *f = file_of(p, path);
	return (time_t)xs_rpmhdr_int(&xs_rpm(p)->hdr, XS_RPMTAG_FILEMTIMES, f - xs_rpm(p)->files, 0);
}

/* Fails unless /REL in the target has MODE, owner root and the header's mtime. */
static void assert_written(struct fixture *f, const char *rel, mode_t mode)
{
	_cleanup_free_ char *path = ut_path(f->root, rel);
	_cleanup_free_ char *abs = xs_asprintf("/%s", rel);
	struct stat st;
	if (lstat(path, &st) < 0)
		fail_msg("%s: expected in the target, not found", abs);
	if (st.st_mode != mode || st.st_uid != 0 || st.st_gid != 0)
		fail_msg("%s: expected mode %o owner 0:0, found mode %o owner %u:%u", abs, mode, st.st_mode,
			 st.st_uid, st.st_gid);
	time_t want = header_mtime(f->p, abs);
	if (st.st_mtime != want)
		fail_msg("%s: expected mtime %ld (the header's), found %ld", abs, (long)want, (long)st.st_mtime);
}

/* The package's files, as they must be in the target. */
static void assert_xsunit_written(struct fixture *f)
{
	static const struct {
		const char *rel, *text;
		mode_t mode;
	} files[] = {
		{ "usr/bin/hello", "hello\n", S_IFREG | 0755 },
		{ "usr/bin/hard1", "hard\n", S_IFREG | 0644 },
		{ "usr/bin/hard2", "hard\n", S_IFREG | 0644 },
		{ "usr/bin/ping", "#!/bin/sh\n", S_IFREG | 0755 },
		/* the owner is daemon in the header: root until configure */
		{ "var/lib/xsunit/state", "state\n", S_IFREG | 0640 },
		{ "etc/xsunit.conf", "greeting = hi\n", S_IFREG | 0644 },
		{ "usr/bin/hi", NULL, S_IFLNK | 0777 },
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *path = ut_path(f->root, files[i].rel);
		if (files[i].text)
			ut_assert_file(path, files[i].text);
		assert_written(f, files[i].rel, files[i].mode);
	}
	assert_int_equal(header_mtime(f->p, "/usr/bin/hello"), HELLO_MTIME);
	/* the rest, relative to the root */
	int rfd = f->rootfd;
	struct stat st, a, b;
	assert_int_equal(fstatat(rfd, "var/lib/xsunit", &st, AT_SYMLINK_NOFOLLOW), 0);
	if (st.st_mode != (S_IFDIR | 0750))
		fail_msg("/var/lib/xsunit: expected mode 40750, found %o", st.st_mode);

	char to[32] = { 0 };
	assert_int_equal(readlinkat(rfd, "usr/bin/hi", to, sizeof(to) - 1), 5);
	assert_string_equal(to, "hello");

	assert_int_equal(fstatat(rfd, "usr/bin/hard1", &a, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(fstatat(rfd, "usr/bin/hard2", &b, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);

	/* %ghost: in the header, not in the target */
	assert_true(fstatat(rfd, "var/log/xsunit.log", &st, AT_SYMLINK_NOFOLLOW) < 0);

	/* cap_net_raw=ep: security.capability is there, on that file only */
	char caps[64];
	_cleanup_close_ int ping = openat(rfd, "usr/bin/ping", O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int hello = openat(rfd, "usr/bin/hello", O_RDONLY | O_CLOEXEC);
	if (fgetxattr(ping, "security.capability", caps, sizeof(caps)) <= 0)
		fail_msg("/usr/bin/ping: no security.capability: %s", strerror(errno));
	assert_true(fgetxattr(hello, "security.capability", caps, sizeof(caps)) < 0);
}

static void test_decode_write_signed_gzip(void **state)
{
	struct fixture *f = *state;
	use(f, W.gz, W.key_rsa, false);
	decode_ok(f);
	assert_string_equal(f->log.err, "");
	/* decoding writes nothing to the target */
	_cleanup_free_ char *usr = ut_path(f->root, "usr");
	assert_false(ut_exists(usr));

	/* what configure needs: the header, owners by name, flags */
	const struct xs_rpminfo *ri = xs_rpm(f->p);
	assert_string_equal(xs_rpmhdr_str(&ri->hdr, XS_RPMTAG_NAME), "xsunit");
	assert_string_equal(xs_rpmhdr_str(&ri->hdr, XS_RPMTAG_VERSION), "1.0");
	assert_string_equal(xs_rpmhdr_str(&ri->hdr, XS_RPMTAG_PAYLOADCOMPRESSOR), "gzip");
	assert_int_equal(ri->nfiles, 9);
	assert_true(ri->siglen > 96);
	assert_memory_equal(ri->sigblob, "\xed\xab\xee\xdb", 4); /* the lead */
	const struct xs_rpmfile *st = file_of(f->p, "/var/lib/xsunit/state");
	assert_string_equal(st->user, "daemon");
	assert_string_equal(st->group, "daemon");
	assert_int_equal(st->mode, S_IFREG | 0640);
	const struct xs_rpmfile *ping = file_of(f->p, "/usr/bin/ping");
	assert_string_equal(ping->user, "root");
	assert_string_equal(ping->caps, "cap_net_raw=ep");
	assert_string_equal(file_of(f->p, "/usr/bin/hello")->caps, "");
	assert_true(file_of(f->p, "/var/log/xsunit.log")->flags & XS_RPMFILE_GHOST);
	assert_true(file_of(f->p, "/etc/xsunit.conf")->flags & XS_RPMFILE_CONFIG);
	assert_false(file_of(f->p, "/usr/bin/hello")->flags & (XS_RPMFILE_CONFIG | XS_RPMFILE_GHOST));

	write_ok(f);
	assert_xsunit_written(f);

	/* again over itself (a reinstall): same result */
	write_ok(f);
	assert_xsunit_written(f);
}

static void test_payload_compressions(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char **rpm, **key, *compressor;
	} cases[] = {
		{ (const char **)&W.zst, (const char **)&W.key_ed, "zstd" },
		{ (const char **)&W.xz, (const char **)&W.key_rsa, "xz" },
		{ (const char **)&W.plain, (const char **)&W.key_rsa, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		use(f, *cases[i].rpm, *cases[i].key, false);
		decode_ok(f);
		const char *c = xs_rpmhdr_str(&xs_rpm(f->p)->hdr, XS_RPMTAG_PAYLOADCOMPRESSOR);
		if (cases[i].compressor)
			assert_string_equal(c, cases[i].compressor);
		else
			assert_true(!c || !strcmp(c, "identity"));
		xs_rm_rf_at(f->rootfd, "usr");
		xs_rm_rf_at(f->rootfd, "var");
		xs_rm_rf_at(f->rootfd, "etc");
		write_ok(f);
		assert_xsunit_written(f);
	}
}

static void test_other_key_is_refused(void **state)
{
	struct fixture *f = *state;
	use(f, W.gz, W.key_ed, false);
	assert_true(decode(f) < 0);
	assert_contains(f->log.err, "NO_PUBKEY");
	assert_contains(f->log.err, "key");
	assert_contains(f->log.err, "xsunit.rpm (xsunit)");
	assert_null(xs_rpm(f->p));

	/* the EdDSA-signed one the other way round */
	xs_log_init(&f->log, XS_QUIET);
	use(f, W.zst, W.key_rsa, false);
	assert_true(decode(f) < 0);
	assert_contains(f->log.err, "NO_PUBKEY");
}

static void test_unsigned_is_refused_unless_no_verify(void **state)
{
	struct fixture *f = *state;
	use(f, W.unsigned_, W.key_rsa, false);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "not signed");
	assert_contains(f->log.err, "xsunit.rpm (xsunit)");
	assert_null(xs_rpm(f->p));

	xs_log_init(&f->log, XS_QUIET);
	use(f, W.unsigned_, NULL, false);
	decode_ok(f);
	write_ok(f);
	assert_xsunit_written(f);
}

/* Where the parts of an rpm file start. */
struct layout {
	size_t hdr, payload;
	struct xs_rpmhdr sig, main;
};

static void layout_of(const struct xs_buf *b, struct layout *l)
{
	const unsigned char *p = (const unsigned char *)b->data;
	const char *why = NULL;
	assert_true(b->len > 96);
	assert_int_equal(xs_rpmhdr_parse(p + 96, b->len - 96, &l->sig, &why), 0);
	l->hdr = (96 + l->sig.len + 7) / 8 * 8;
	assert_int_equal(xs_rpmhdr_parse(p + l->hdr, b->len - l->hdr, &l->main, &why), 0);
	l->payload = l->hdr + l->main.len;
	assert_true(l->payload < b->len);
}

/* A copy of RPM in the fixture with the byte at OFF (from the start of the
 * file) flipped by CHANGE(). */
static void tamper(struct fixture *f, const char *rpm, const char *key,
		   void (*change)(struct xs_buf *, const struct layout *))
{
	const char *path = use(f, rpm, key, true);
	struct xs_buf b = { 0 };
	assert_int_equal(xs_read_file(path, &b), 0);
	struct layout l;
	layout_of(&b, &l);
	change(&b, &l);
	ut_write_len(path, b.data, b.len);
	xs_buf_free(&b);
}

static void flip_payload(struct xs_buf *b, const struct layout *l)
{
	b->data[l->payload + (b->len - l->payload) / 2] ^= 0x01;
}

static void flip_summary(struct xs_buf *b, const struct layout *l)
{
	char *s = memmem(b->data + l->hdr, l->main.len, "unit test package", 17);
	assert_non_null(s);
	s[0] ^= 0x20; /* "unit" -> "Unit" */
}

/* Flips the summary and puts the new header's SHA256 in the signature
 * header: only the signature can tell now. */
static void flip_summary_fix_digest(struct xs_buf *b, const struct layout *l)
{
	flip_summary(b, l);
	const char *old = xs_rpmhdr_str(&l->sig, XS_RPMSIG_SHA256);
	assert_non_null(old);
	assert_int_equal(strlen(old), 64);
	char hex[XS_SHA256_HEX];
	xs_sha256_mem(b->data + l->hdr, l->main.len, hex);
	memcpy((char *)old, hex, 64); /* OLD points into B */
}

static void test_flipped_payload_byte(void **state)
{
	struct fixture *f = *state;
	static const char *const *const rpms[] = { (const char *const *)&W.gz, (const char *const *)&W.plain };
	for (size_t i = 0; i < 2; i++) {
		xs_log_init(&f->log, XS_QUIET);
		tamper(f, *rpms[i], W.key_rsa, flip_payload);
		assert_int_equal(decode(f), -EBADMSG);
		assert_contains(f->log.err, "payload SHA256 mismatch");
		assert_contains(f->log.err, "copy.rpm (xsunit)");
		assert_null(xs_rpm(f->p));
	}
}

static void test_flipped_header_byte(void **state)
{
	struct fixture *f = *state;
	tamper(f, W.gz, W.key_rsa, flip_summary);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "header SHA256 mismatch");
	assert_null(xs_rpm(f->p));

	/* the digest made to match: the RSA signature is bad */
	xs_log_init(&f->log, XS_QUIET);
	tamper(f, W.gz, W.key_rsa, flip_summary_fix_digest);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "BAD signature");
	assert_null(xs_rpm(f->p));

	/* and the EdDSA one (the DSA header tag) */
	xs_log_init(&f->log, XS_QUIET);
	tamper(f, W.zst, W.key_ed, flip_summary_fix_digest);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "BAD signature");
}

static void cut_in_header(struct xs_buf *b, const struct layout *l)
{
	b->len = l->hdr + l->main.len / 2;
}

static void cut_in_sig(struct xs_buf *b, const struct layout *l)
{
	(void)l;
	b->len = 96 + 20;
}

static void cut_in_payload(struct xs_buf *b, const struct layout *l)
{
	b->len = l->payload + (b->len - l->payload) / 2;
}

static void test_not_rpm_and_truncated(void **state)
{
	struct fixture *f = *state;
	const char *path = use(f, W.gz, W.key_rsa, true);
	ut_write(path, "<html>404 Not Found</html>\n");
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "not an rpm package");
	assert_contains(f->log.err, "copy.rpm (xsunit)");

	xs_log_init(&f->log, XS_QUIET);
	tamper(f, W.gz, W.key_rsa, cut_in_sig);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "signature header: truncated header");

	xs_log_init(&f->log, XS_QUIET);
	tamper(f, W.gz, W.key_rsa, cut_in_header);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "header: truncated header");

	/* the payload digest catches a short payload */
	xs_log_init(&f->log, XS_QUIET);
	tamper(f, W.gz, W.key_rsa, cut_in_payload);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "payload SHA256 mismatch");
	/* without verification, decompression does */
	xs_log_init(&f->log, XS_QUIET);
	xs_verifier_free(f->v);
	f->v = NULL;
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "payload");
	assert_null(xs_rpm(f->p));

	xs_log_init(&f->log, XS_QUIET);
	free(f->p->cache_path);
	f->p->cache_path = ut_path(f->top, "no-such.rpm");
	assert_int_equal(decode(f), -ENOENT);
	assert_contains(f->log.err, "no-such.rpm");
}

/* ---- payloads that disagree with the header --------------------------- */

struct cent {
	const char *path;
	mode_t mode;
	const char *data;
	unsigned ino; /* when set: one of two hard links (rpm puts the data on the last) */
};

static la_ssize_t buf_write(struct archive *a, void *arg, const void *p, size_t n)
{
	(void)a;
	xs_buf_add(arg, p, n);
	return n;
}

/* A newc cpio archive (rpm's payload format) of ENTS into OUT, gzipped
 * when GZIP. */
static void make_cpio(struct xs_buf *out, const struct cent *ents, size_t n, bool gzip)
{
	out->len = 0;
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_cpio_newc(a), ARCHIVE_OK);
	if (gzip)
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = ents[i].data ? strlen(ents[i].data) : 0;
		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_mode(e, ents[i].mode);
		archive_entry_set_size(e, len);
		archive_entry_set_mtime(e, MTIME, 0);
		archive_entry_set_ino(e, ents[i].ino ? ents[i].ino : i + 1);
		archive_entry_set_nlink(e, ents[i].ino ? 2 : 1);
		if (S_ISLNK(ents[i].mode)) {
			archive_entry_set_symlink(e, ents[i].data);
			archive_entry_set_size(e, 0);
			len = 0;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, ents[i].data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* The whole package as a hand-made payload, with EXTRA standing for the
 * entry of the same path (or added when there is none) and DROP left out. */
static void make_payload(struct xs_buf *out, const struct cent *extra, const char *drop)
{
	static const struct cent base[] = {
		{ "./etc/xsunit.conf", S_IFREG | 0644, "greeting = hi\n", 0 },
		{ "./usr/bin/hard1", S_IFREG | 0644, NULL, 100 },
		{ "./usr/bin/hard2", S_IFREG | 0644, "hard\n", 100 },
		{ "./usr/bin/hello", S_IFREG | 0755, "hello\n", 0 },
		{ "./usr/bin/hi", S_IFLNK | 0777, "hello", 0 },
		{ "./usr/bin/ping", S_IFREG | 0755, "#!/bin/sh\n", 0 },
		{ "./var/lib/xsunit", S_IFDIR | 0750, NULL, 0 },
		{ "./var/lib/xsunit/state", S_IFREG | 0640, "state\n", 0 },
	};
	struct cent ents[10];
	size_t n = 0;
	bool replaced = false;
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		if (drop && !strcmp(base[i].path, drop))
			continue;
		if (extra && !strcmp(base[i].path, extra->path)) {
			ents[n++] = *extra;
			replaced = true;
		} else {
			ents[n++] = base[i];
		}
	}
	if (extra && !replaced)
		ents[n++] = *extra;
	make_cpio(out, ents, n, false);
}

static void write_fails(struct fixture *f, const struct cent *extra, const char *drop, const char *want)
{
	xs_log_init(&f->log, XS_QUIET);
	make_payload(&f->cpio, extra, drop);
	int r = xs_rpm_write(&f->log, f->rootfd, f->p, &f->cpio);
	if (r >= 0)
		fail_msg("xs_rpm_write: expected a refusal saying \"%s\", got %d", want, r);
	assert_contains(f->log.err, want);
}

static void test_payload_disagreeing_with_header(void **state)
{
	struct fixture *f = *state;
	use(f, W.gz, W.key_rsa, false);
	decode_ok(f);

	/* the hand-made payload is right as it is */
	make_payload(&f->cpio, NULL, NULL);
	write_ok(f);
	assert_xsunit_written(f);

	/* an entry the header does not list */
	static const struct cent intruder = { "./usr/bin/intruder", S_IFREG | 04755, "x", 0 };
	write_fails(f, &intruder, NULL, "payload entry /usr/bin/intruder is not in the package header");
	_cleanup_free_ char *in = ut_path(f->root, "usr/bin/intruder");
	assert_false(ut_exists(in));

	/* leaving the target */
	static const struct cent up = { "./usr/../../xs-unit-rpm-escape", S_IFREG | 0644, "x", 0 };
	write_fails(f, &up, NULL, "leaves the target");
	_cleanup_free_ char *out = ut_path(f->top, "xs-unit-rpm-escape");
	assert_false(ut_exists(out));

	/* a file of the header missing from the payload (a %ghost may be) */
	write_fails(f, NULL, "./usr/bin/ping", "/usr/bin/ping is in the header but not in the payload");

	/* another file type than the header's */
	static const struct cent dir = { "./usr/bin/hello", S_IFDIR | 0755, NULL, 0 };
	write_fails(f, &dir, NULL, "/usr/bin/hello: the payload's file type");
	static const struct cent lnk = { "./usr/bin/hello", S_IFLNK | 0777, "/etc/shadow", 0 };
	write_fails(f, &lnk, NULL, "/usr/bin/hello: the payload's file type");

	/* the header's mode wins over the payload's */
	static const struct cent suid = { "./usr/bin/hello", S_IFREG | 06777, "hello\n", 0 };
	make_payload(&f->cpio, &suid, NULL);
	write_ok(f);
	assert_written(f, "usr/bin/hello", S_IFREG | 0755);

	/* not decoded */
	xs_rpminfo_free(xs_rpm(f->p));
	f->p->family_data = NULL;
	xs_log_init(&f->log, XS_QUIET);
	assert_int_equal(xs_rpm_write(&f->log, f->rootfd, f->p, &f->cpio), -EINVAL);
	assert_contains(f->log.err, "not decoded");
}

/* ---- packages made here byte by byte ---------------------------------- */

/* What make_rpm puts in a package besides the root directory (mode 0555,
 * as Fedora's filesystem package has it) and /hello. */
struct rpm_opts {
	bool rsa;	    /* a header-only signature (RSA tag) */
	bool legacy;	    /* a header+payload signature (PGP tag) */
	bool digest;	    /* the payload's PAYLOADDIGEST */
	uint32_t algo;	    /* its PAYLOADDIGESTALGO; 0: none (SHA256 implied) */
	const char *format; /* PAYLOADFORMAT; NULL: "cpio" */
	uint32_t dirindex;  /* of /hello: 0 is right */
	bool short_modes;   /* FILEMODES one element short */
	bool flip_payload;  /* after signing */
};

static const struct cent hand_files[] = {
	{ ".", S_IFDIR | 0555, NULL, 0 },
	{ "./hello", S_IFREG | 0644, "hi\n", 0 },
};

/* gpg's binary detached signature of DATA by the RSA key into SIG. */
static void gpg_sign(struct fixture *f, const struct xs_buf *data, struct xs_buf *sig)
{
	_cleanup_free_ char *in = ut_path(f->top, "tosign");
	_cleanup_free_ char *out = ut_path(f->top, "tosign.sig");
	ut_write_len(in, data->data, data->len);
	unlink(out);
	if (UT_RUN(W.home, NULL, "gpg", "--batch", "--local-user", GZ_KEY, "--detach-sign", "-o", out, in))
		fail_msg("gpg --detach-sign failed");
	sig->len = 0;
	assert_int_equal(xs_read_file(out, sig), 0);
}

static void hb_int32s(struct hb *b, uint32_t tag, uint32_t v0, uint32_t v1)
{
	unsigned char d[8];
	put_be32(d, v0);
	put_be32(d + 4, v1);
	hb_add(b, tag, T_INT32, 2, d, 8);
}

/* Lead, signature header, header and gzipped payload, as rpmbuild and
 * rpmsign lay them out, in the fixture's hand.rpm (the package's file). */
static void make_rpm(struct fixture *f, const struct rpm_opts *o)
{
	if (o->rsa || o->legacy)
		need_rpm_tools(); /* the key */
	struct xs_buf payload = { 0 }, hdr = { 0 }, sighdr = { 0 }, sig = { 0 }, file = { 0 };
	make_cpio(&payload, hand_files, 2, true);

	struct hb b = { 0 };
	hb_add(&b, XS_RPMTAG_NAME, T_STRING, 1, "xsunit", 7);
	hb_add(&b, XS_RPMTAG_VERSION, T_STRING, 1, "1.0", 4);
	hb_add(&b, XS_RPMTAG_RELEASE, T_STRING, 1, "1", 2);
	hb_add(&b, XS_RPMTAG_ARCH, T_STRING, 1, "noarch", 7);
	hb_add(&b, XS_RPMTAG_FILEMODES, T_INT16, o->short_modes ? 1 : 2, "\x41\x6d\x81\xa4", /* 040555 0100644 */
	       o->short_modes ? 2 : 4);
	hb_int32s(&b, XS_RPMTAG_FILEMTIMES, MTIME, MTIME);
	hb_int32s(&b, XS_RPMTAG_FILEFLAGS, 0, 0);
	hb_add(&b, XS_RPMTAG_FILEUSERNAME, T_STRING_ARRAY, 2, "root\0root", 10);
	hb_add(&b, XS_RPMTAG_FILEGROUPNAME, T_STRING_ARRAY, 2, "root\0root", 10);
	hb_int32s(&b, XS_RPMTAG_DIRINDEXES, 0, o->dirindex);
	hb_add(&b, XS_RPMTAG_BASENAMES, T_STRING_ARRAY, 2, "\0hello", 7); /* "/" is "/" + "" */
	hb_add(&b, XS_RPMTAG_DIRNAMES, T_STRING_ARRAY, 1, "/", 2);
	const char *fmt = o->format ? o->format : "cpio";
	hb_add(&b, XS_RPMTAG_PAYLOADFORMAT, T_STRING, 1, fmt, strlen(fmt) + 1);
	hb_add(&b, XS_RPMTAG_PAYLOADCOMPRESSOR, T_STRING, 1, "gzip", 5);
	char hex[XS_SHA256_HEX];
	if (o->digest) {
		xs_sha256_mem(payload.data, payload.len, hex);
		hb_add(&b, XS_RPMTAG_PAYLOADDIGEST, T_STRING_ARRAY, 1, hex, sizeof(hex));
	}
	if (o->algo) {
		unsigned char a[4];
		put_be32(a, o->algo);
		hb_add(&b, XS_RPMTAG_PAYLOADDIGESTALGO, T_INT32, 1, a, 4);
	}
	hb_finish(&b, &hdr);

	xs_sha256_mem(hdr.data, hdr.len, hex);
	hb_add(&b, XS_RPMSIG_SHA256, T_STRING, 1, hex, sizeof(hex));
	if (o->rsa) {
		gpg_sign(f, &hdr, &sig);
		hb_add(&b, XS_RPMSIG_RSA, T_BIN, sig.len, sig.data, sig.len);
	}
	if (o->legacy) {
		struct xs_buf both = { 0 };
		xs_buf_add(&both, hdr.data, hdr.len);
		xs_buf_add(&both, payload.data, payload.len);
		gpg_sign(f, &both, &sig);
		xs_buf_free(&both);
		hb_add(&b, XS_RPMSIG_PGP, T_BIN, sig.len, sig.data, sig.len);
	}
	hb_finish(&b, &sighdr);

	unsigned char lead[96] = { 0xed, 0xab, 0xee, 0xdb, 3, 0 };
	memcpy(lead + 10, "xsunit-1.0-1", 12);
	lead[9] = 1;  /* archnum */
	lead[77] = 1; /* osnum */
	lead[79] = 5; /* signature type: a header */
	xs_buf_add(&file, lead, sizeof(lead));
	xs_buf_add(&file, sighdr.data, sighdr.len);
	xs_buf_add(&file, "\0\0\0\0\0\0\0", (8 - sighdr.len % 8) % 8);
	xs_buf_add(&file, hdr.data, hdr.len);
	xs_buf_add(&file, payload.data, payload.len);
	if (o->flip_payload)
		file.data[file.len - payload.len / 2] ^= 0x01;
	free(f->p->cache_path);
	f->p->cache_path = ut_path(f->top, "hand.rpm");
	ut_write_len(f->p->cache_path, file.data, file.len);
	xs_buf_free(&payload);
	xs_buf_free(&hdr);
	xs_buf_free(&sighdr);
	xs_buf_free(&sig);
	xs_buf_free(&file);
}

/* Makes the package of O and expects decoding to be refused saying WANT. */
static void hand_fails(struct fixture *f, const struct rpm_opts *o, const char *want)
{
	xs_log_init(&f->log, XS_QUIET);
	make_rpm(f, o);
	int r = decode(f);
	if (r >= 0)
		fail_msg("xs_rpm_decode: expected a refusal saying \"%s\", got %d", want, r);
	assert_contains(f->log.err, want);
	assert_contains(f->log.err, "hand.rpm (xsunit)");
	assert_null(xs_rpm(f->p));
}

static void hand_ok(struct fixture *f, const struct rpm_opts *o)
{
	xs_log_init(&f->log, XS_QUIET);
	make_rpm(f, o);
	decode_ok(f);
}

static void test_handmade_rpm(void **state)
{
	struct fixture *f = *state;
	need_rpm_tools();
	set_key(f, W.key_rsa);
	struct rpm_opts o = { .rsa = true, .digest = true, .algo = 8 };
	hand_ok(f, &o);
	write_ok(f);
	_cleanup_free_ char *hello = ut_path(f->root, "hello");
	ut_assert_file(hello, "hi\n");
	assert_written(f, "hello", S_IFREG | 0644);
	/* the header's mode for "/", kept for the end of the build; the root
	 * itself is not made 0555 while packages are still written */
	assert_int_equal(xs_rpm(f->p)->root_mode, 0555);
	struct stat st;
	assert_int_equal(stat(f->root, &st), 0);
	assert_int_not_equal(st.st_mode & 07777, 0555);

	/* no PAYLOADDIGESTALGO: SHA256, rpm's default */
	o.algo = 0;
	hand_ok(f, &o);
	o.flip_payload = true;
	hand_fails(f, &o, "payload SHA256 mismatch");
}

static void test_payload_not_covered_by_a_digest(void **state)
{
	struct fixture *f = *state;
	need_rpm_tools();
	set_key(f, W.key_rsa);
	/* The header-only signature says nothing about a payload the header
	 * has no digest of (rpm < 4.14): that must not pass as verified. */
	struct rpm_opts o = { .rsa = true };
	hand_fails(f, &o, "no SHA256 digest of the payload");
	o.flip_payload = true;
	hand_fails(f, &o, "no SHA256 digest of the payload");
	/* a digest this code cannot check is no better */
	struct rpm_opts sha512 = { .rsa = true, .digest = true, .algo = 10 };
	hand_fails(f, &sha512, "no SHA256 digest of the payload");

	/* the old header+payload signature covers it (packages of rpm < 4.14
	 * carry both) */
	struct rpm_opts both = { .rsa = true, .legacy = true };
	hand_ok(f, &both);
	both.flip_payload = true;
	hand_fails(f, &both, "BAD signature");
	struct rpm_opts legacy = { .legacy = true };
	hand_ok(f, &legacy);
	legacy.flip_payload = true;
	hand_fails(f, &legacy, "BAD signature");

	/* --no-verify: nothing to check */
	set_key(f, NULL);
	struct rpm_opts none = { 0 };
	hand_ok(f, &none);
}

static void test_handmade_header_disagreeing(void **state)
{
	struct fixture *f = *state;
	struct rpm_opts o = { .short_modes = true };
	hand_fails(f, &o, "the header's file lists disagree in length (2 names)");
	struct rpm_opts dir = { .dirindex = 1 };
	hand_fails(f, &dir, "file hello has no directory in the header");
	struct rpm_opts fmt = { .format = "drpm" };
	hand_fails(f, &fmt, "payload format \"drpm\" is not supported");
}

/* The header must be the package the solver chose: name, epoch, version,
 * release and architecture; a signed package of another version served
 * under the chosen one's name is refused, naming both values. */
static void test_header_differs_from_chosen(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *name, *version, *arch, *want;
	} cases[] = {
		{ "xsunit", "0:1.1-1", "noarch", "epoch:version-release \"0:1.0-1\", the repository metadata \"0:1.1-1\"" },
		{ "xsunit", "1:1.0-1", "noarch", "epoch:version-release \"0:1.0-1\", the repository metadata \"1:1.0-1\"" },
		{ "xsunit", "0:1.0-2", "noarch", "\"0:1.0-2\"" },
		{ "xsunit", "0:1.0-1", "x86_64", "architecture \"noarch\", the repository metadata \"x86_64\"" },
		{ "openssl", "0:1.0-1", "noarch", "name \"xsunit\", the repository metadata \"openssl\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		use(f, W.gz, W.key_rsa, false);
		xs_log_init(&f->log, XS_QUIET);
		free(f->p->name);
		free(f->p->version);
		free(f->p->arch);
		f->p->name = xs_strdup(cases[i].name);
		f->p->version = xs_strdup(cases[i].version);
		f->p->arch = xs_strdup(cases[i].arch);
		assert_int_equal(decode(f), -EBADMSG);
		assert_contains(f->log.err, cases[i].want);
		assert_contains(f->log.err, "xsunit.rpm");
		assert_null(f->p->family_data);
		assert_int_equal(f->cpio.len, 0);
	}
	/* without a verifier (--no-verify) the identity is still checked (the
	 * record still names "openssl" from the last case) */
	use(f, W.unsigned_, NULL, false);
	xs_log_init(&f->log, XS_QUIET);
	assert_int_equal(decode(f), -EBADMSG);
	assert_contains(f->log.err, "name \"xsunit\"");
}

static void test_set_caps(void **state)
{
	struct fixture *f = *state;
	need_root();
	assert_int_equal(xs_target_write(f->rootfd, "bin", "x", 1, 0755), 0);
	assert_int_equal(xs_rpm_set_caps(f->rootfd, "bin", "cap_net_bind_service,cap_net_raw=ep"), 0);
	_cleanup_free_ char *bin = ut_path(f->root, "bin");
	char caps[64];
	assert_true(getxattr(bin, "security.capability", caps, sizeof(caps)) > 0);
	assert_int_equal(xs_rpm_set_caps(f->rootfd, "bin", "not a capability"), -EINVAL);
	assert_int_equal(xs_rpm_set_caps(f->rootfd, "missing", "cap_net_raw=ep"), -ENOENT);
	/* a symlink is not followed */
	assert_int_equal(xs_target_symlink(f->rootfd, "link", "bin"), 0);
	assert_true(xs_rpm_set_caps(f->rootfd, "link", "cap_net_raw=ep") < 0);
}

/* ---- the header the rpmdb stores (rpmdb_sqlite.c) -------------------- */

static void test_rpmdb_color(void **state)
{
	(void)state;
	assert_int_equal(xs_rpmdb_color("x86_64"), 3);
	assert_int_equal(xs_rpmdb_color("aarch64"), 3);
	assert_int_equal(xs_rpmdb_color("ppc64le"), 3);
	assert_int_equal(xs_rpmdb_color("i686"), 0);
	assert_int_equal(xs_rpmdb_color("ia64"), 2);
}

/* A package's parts as decode keeps them: the main header (a region and
 * name, two files, and EXTRA_TAG when not 0) and a lead with the signature
 * header (size, md5 and the header's sha256). */
static struct xs_rpminfo *rpmdb_package(uint32_t extra_tag)
{
	struct xs_rpminfo *ri = xs_calloc(1, sizeof(*ri));
	struct hb m = { 0 }, sg = { 0 };
	struct xs_buf mb = { 0 }, sb = { 0 };
	unsigned char trailer[16] = { 0 };
	hb_add(&m, 63, T_BIN, 16, trailer, 16);
	hb_add(&m, 1000, T_STRING, 1, "pkg", 4);
	hb_add(&m, 1117, T_STRING_ARRAY, 2, "a\0b", 4);
	if (extra_tag)
		hb_add(&m, extra_tag, T_STRING, 1, "x", 2);
	hb_finish(&m, &mb);
	unsigned char size[4], md5[16];
	put_be32(size, 4242);
	memset(md5, 0xab, sizeof(md5));
	hb_add(&sg, 273, T_STRING, 1, "cafe", 5);
	hb_add(&sg, 1000, T_INT32, 1, size, 4);
	hb_add(&sg, 1004, T_BIN, 16, md5, 16);
	xs_buf_add(&sb, (unsigned char[96]){ 0 }, 96);
	hb_finish(&sg, &sb);
	ri->hdrblob = (unsigned char *)mb.data;
	ri->sigblob = (unsigned char *)sb.data;
	ri->siglen = sb.len;
	const char *why = NULL;
	assert_int_equal(xs_rpmhdr_parse(ri->hdrblob, mb.len, &ri->hdr, &why), 0);
	return ri;
}

static void test_rpmdb_header(void **state)
{
	(void)state;
	struct xs_rpminfo *ri = rpmdb_package(0);
	struct xs_buf out = { 0 }, full = { 0 };
	const char *why = NULL;
	assert_int_equal(xs_rpmdb_header(ri, 7, 8, 3, &out, &why), 0);
	/* the package's own entries and data first, unchanged */
	assert_memory_equal(out.data + 8, ri->hdr.index, ri->hdr.il * 16);
	assert_memory_equal(out.data + 8 + (ri->hdr.il + 7) * 16, ri->hdr.store, ri->hdr.dl);
	xs_buf_add(&full, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	xs_buf_add(&full, out.data, out.len);
	struct xs_rpmhdr h;
	assert_int_equal(xs_rpmhdr_parse((unsigned char *)full.data, full.len, &h, &why), 0);
	/* the signature header's tags under their header names */
	assert_int_equal(h.il, ri->hdr.il + 7);
	assert_int_equal(xs_rpmhdr_int(&h, 257, 0, 0), 4242);
	size_t n = 0;
	assert_non_null(xs_rpmhdr_bin(&h, 261, &n));
	assert_int_equal(n, 16);
	assert_string_equal(xs_rpmhdr_str(&h, 273), "cafe");
	/* what an install adds */
	assert_int_equal(xs_rpmhdr_count(&h, 1029), 2);
	assert_int_equal(xs_rpmhdr_int(&h, 1029, 1, 9), 0);
	assert_int_equal(xs_rpmhdr_int(&h, 1128, 0, 0), 7);
	assert_int_equal(xs_rpmhdr_int(&h, 1008, 0, 0), 8);
	assert_int_equal(xs_rpmhdr_int(&h, 1127, 0, 0), 3);
	xs_buf_free(&out);
	xs_buf_free(&full);
	xs_rpminfo_free(ri);
}

static void test_rpmdb_header_refused(void **state)
{
	(void)state;
	struct xs_buf out = { 0 };
	const char *why = NULL;
	/* SHA256HEADER in both headers: rpm refuses to merge */
	struct xs_rpminfo *ri = rpmdb_package(273);
	assert_int_equal(xs_rpmdb_header(ri, 1, 1, 0, &out, &why), -EBADMSG);
	assert_contains(why, "both in the signature and the main header");
	xs_rpminfo_free(ri);
	struct xs_keyinfo none = { 0 };
	assert_int_equal(xs_rpmdb_pubkey_header((const unsigned char *)"not a key", 9, &none, 1, &out, &why), -EBADMSG);
	assert_contains(why, "not an OpenPGP v4 public key");
	xs_buf_free(&out);
}

/* A key with a subkey: named by the primary's ids and creation time,
 * provides for the user id and for each key's short and long id. */
static void test_rpmdb_pubkey_header(void **state)
{
	(void)state;
	struct xs_keyinfo k = { .nparts = 2, .userid = "Some One <one@example.invalid>" };
	strcpy(k.part[0].keyid, "433a453f7fe30c71");
	k.part[0].created = 0x6b0f0b99;
	k.part[0].v4 = true;
	strcpy(k.part[1].keyid, "00112233aabbccdd");
	k.part[1].created = 0x6b0f0c00;
	k.part[1].v4 = true;
	struct xs_buf out = { 0 }, full = { 0 };
	const char *why = NULL;
	assert_int_equal(xs_rpmdb_pubkey_header((const unsigned char *)"\x99\x01\x0d", 3, &k, 1700000000, &out, &why), 0);
	xs_buf_add(&full, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	xs_buf_add(&full, out.data, out.len);
	struct xs_rpmhdr h;
	assert_int_equal(xs_rpmhdr_parse((unsigned char *)full.data, full.len, &h, &why), 0);
	assert_string_equal(xs_rpmhdr_str(&h, 1000), "gpg-pubkey");
	assert_string_equal(xs_rpmhdr_str(&h, 1001), "7fe30c71");
	assert_string_equal(xs_rpmhdr_str(&h, 1002), "6b0f0b99");
	assert_string_equal(xs_rpmhdr_str(&h, 1004), "Some One <one@example.invalid> public key");
	assert_contains(xs_rpmhdr_str(&h, 1005), "-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: rpm-4.18.0\n\nmQEN\n=");
	size_t n = 0;
	_cleanup_free_ const char **prov = xs_rpmhdr_strv(&h, 1047, &n);
	assert_int_equal(n, 5);
	assert_string_equal(prov[0], "gpg(Some One <one@example.invalid>)");
	assert_string_equal(prov[1], "gpg(7fe30c71)");
	assert_string_equal(prov[2], "gpg(433a453f7fe30c71)");
	assert_string_equal(prov[3], "gpg(aabbccdd)");
	assert_string_equal(prov[4], "gpg(00112233aabbccdd)");
	_cleanup_free_ const char **ver = xs_rpmhdr_strv(&h, 1113, &n);
	assert_string_equal(ver[0], "4:433a453f7fe30c71-6b0f0b99");
	assert_string_equal(ver[4], "4:00112233aabbccdd-6b0f0c00");
	/* the immutable region first; the digests and import time after */
	assert_int_equal(xs_rpmhdr_int(&h, 1008, 0, 0), 1700000000);
	assert_int_equal(strlen(xs_rpmhdr_str(&h, 269)), 40);
	assert_int_equal(strlen(xs_rpmhdr_str(&h, 273)), 64);
	xs_buf_free(&out);
	xs_buf_free(&full);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest header[] = {
		cmocka_unit_test(test_hdr_good),
		cmocka_unit_test(test_hdr_malformed),
		cmocka_unit_test(test_hdr_overlap_and_order),
		cmocka_unit_test(test_rpmdb_color),
		cmocka_unit_test(test_rpmdb_header),
		cmocka_unit_test(test_rpmdb_header_refused),
		cmocka_unit_test(test_rpmdb_pubkey_header),
	};
	const struct CMUnitTest packages[] = {
		T(test_decode_write_signed_gzip),
		T(test_payload_compressions),
		T(test_other_key_is_refused),
		T(test_unsigned_is_refused_unless_no_verify),
		T(test_flipped_payload_byte),
		T(test_flipped_header_byte),
		T(test_not_rpm_and_truncated),
		T(test_payload_disagreeing_with_header),
		T(test_handmade_rpm),
		T(test_payload_not_covered_by_a_digest),
		T(test_handmade_header_disagreeing),
		T(test_header_differs_from_chosen),
		T(test_set_caps),
	};
	int failed = cmocka_run_group_tests_name("rpm header", header, NULL, NULL);
	return failed + cmocka_run_group_tests_name("rpm packages", packages, setup_world, teardown_world);
}
