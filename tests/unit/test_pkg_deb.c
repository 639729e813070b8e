/* test_pkg_deb.c - unpacking .debs built here with libarchive's writer:
 * what lands in the target (bytes, modes, owners, links), the manifest,
 * and the packages that must be refused or kept inside the target. */
#include "unit.h"

#include "deb_family.h"

#include <archive.h>
#include <archive_entry.h>

#include "pkg_deb.h"
#include "target.h"

#define MTIME 1686388881

/* One member of a tarball. Type 'f' file, 'd' dir, 'l' symlink, 'h' hard
 * link (LINK is the path of the file it links to). */
struct ent {
	char type;
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	const char *data;
	const char *link;
};

static la_ssize_t buf_write(struct archive *a, void *arg, const void *p, size_t n)
{
	(void)a;
	xs_buf_add(arg, p, n);
	return n;
}

/* A tarball of ENTS, compressed with FILTER ("gzip", "xz" or "none"). */
static void make_tar(struct xs_buf *out, const char *filter, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_gnutar(a), ARCHIVE_OK);
	if (!strcmp(filter, "gzip"))
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	else if (!strcmp(filter, "xz"))
		assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
	/* no zero padding after the compressed stream: a cut must cut data */
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		const struct ent *x = &ents[i];
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, x->path);
		archive_entry_set_uid(e, x->uid);
		archive_entry_set_gid(e, x->gid);
		archive_entry_set_mtime(e, MTIME, 0);
		size_t len = x->data ? strlen(x->data) : 0;
		switch (x->type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, x->link);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, x->link);
			len = 0;
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, len);
		}
		archive_entry_set_perm(e, x->mode ? x->mode : (x->type == 'd' ? 0755 : 0644));
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, x->data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

struct member {
	const char *name;
	const void *data;
	size_t len;
};

/* An ar archive of MEMBERS at PATH: the outer layer of a .deb. */
static void make_ar(const char *path, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	assert_int_equal(archive_write_set_format_ar_svr4(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, m[i].len);
		archive_entry_set_mtime(e, MTIME, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static const char CONTROL[] = "Package: hello\n"
			      "Version: 1.0-1\n"
			      "Architecture: amd64\n"
			      "Maintainer: Unit <unit@example.invalid>\n"
			      "Description: test package\n";
static const char CONFFILE[] = "greeting = hi\n";
static const char SCRIPT[] = "#!/bin/sh\necho hello\n";

static const struct ent control_ents[] = {
	{ 'd', "./", 0755, 0, 0, NULL, NULL },
	{ 'f', "./control", 0644, 0, 0, CONTROL, NULL },
	{ 'f', "./conffiles", 0644, 0, 0, "/etc/hello.conf\n", NULL },
	{ 'f', "./postinst", 0755, 0, 0, "#!/bin/sh\nexit 0\n", NULL },
};

/* A .deb at PATH: debian-binary, control.tar.gz and DATA as data.tar.xz. */
static void make_deb(const char *path, const struct ent *data, size_t n)
{
	struct xs_buf ctl = { 0 }, dat = { 0 };
	make_tar(&ctl, "gzip", control_ents, sizeof(control_ents) / sizeof(control_ents[0]));
	make_tar(&dat, "xz", data, n);
	struct member m[] = {
		{ "debian-binary", "2.0\n", 4 },
		{ "control.tar.gz", ctl.data, ctl.len },
		{ "data.tar.xz", dat.data, dat.len },
	};
	make_ar(path, m, 3);
	xs_buf_free(&ctl);
	xs_buf_free(&dat);
}

struct fixture {
	char *top;  /* scratch: root/, hello.deb and files "outside" the root */
	char *root;
	char *deb;
	int rootfd;
	struct xs_txn txn; /* one package, so xs_txn_free cleans up */
	struct xs_pkg *p;
	struct xs_log log;
};

static int setup(void **state)
{
	struct fixture *f = xs_calloc(1, sizeof(*f));
	f->top = ut_tmpdir("deb");
	f->root = ut_path(f->top, "root");
	f->deb = ut_path(f->top, "hello_1.0-1_amd64.deb");
	if (mkdir(f->root, 0755) < 0)
		return -1;
	f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	f->txn.n = 1;
	f->txn.v = xs_calloc(1, sizeof(*f->txn.v));
	f->txn.family = &xs_family_deb;
	f->p = &f->txn.v[0];
	f->p->name = xs_strdup("hello");
	f->p->cache_path = xs_strdup(f->deb);
	xs_log_init(&f->log, XS_QUIET);
	xs_rm_rf("/tmp/xs-unit-deb-escape");
	xs_rm_rf("/tmp/xs-unit-deb-escape-rel");
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	xs_txn_free(&f->txn);
	close(f->rootfd);
	xs_rm_rf(f->top);
	free(f->top);
	free(f->root);
	free(f->deb);
	free(f);
	return 0;
}

static void need_root(void)
{
	/* xs_deb_unpack gives every entry its owner from the archive, as dpkg
	 * does; that takes root. Not a bug. */
	if (geteuid() != 0) {
		print_message("skipped: unpacking with the archive's owners takes root\n");
		skip();
	}
}

static void assert_stat(struct fixture *f, const char *rel, mode_t mode, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *p = ut_path(f->root, rel);
	struct stat st;
	if (lstat(p, &st) < 0)
		fail_msg("/%s: expected in the target, not found", rel);
	if (st.st_mode != mode || st.st_uid != uid || st.st_gid != gid)
		fail_msg("/%s: expected mode %o owner %u:%u, found mode %o owner %u:%u", rel, mode, uid,
			 gid, st.st_mode, st.st_uid, st.st_gid);
}

static const struct ent hello_data[] = {
	{ 'd', "./", 0755, 0, 0, NULL, NULL },
	{ 'd', "./etc/", 0755, 0, 0, NULL, NULL },
	{ 'f', "./etc/hello.conf", 0644, 0, 0, CONFFILE, NULL },
	{ 'd', "./usr/", 0755, 0, 0, NULL, NULL },
	{ 'd', "./usr/bin/", 0755, 0, 0, NULL, NULL },
	{ 'f', "./usr/bin/hello", 0755, 0, 0, SCRIPT, NULL },
	{ 'l', "./usr/bin/hi", 0777, 0, 0, NULL, "hello" },
	{ 'h', "./usr/bin/hello.hard", 0755, 0, 0, NULL, "./usr/bin/hello" },
	{ 'f', "./usr/bin/setuid", 04755, 0, 0, "x", NULL },
	{ 'd', "./var/", 0755, 0, 0, NULL, NULL },
	{ 'd', "./var/lib/", 0755, 0, 0, NULL, NULL },
	{ 'd', "./var/lib/hello/", 0750, 1234, 5678, NULL, NULL },
	{ 'f', "./var/lib/hello/state", 0640, 1234, 5678, "state\n", NULL },
	{ 'f', "./var/lib/hello/empty", 0600, 0, 0, "", NULL },
};
#define N_HELLO (sizeof(hello_data) / sizeof(hello_data[0]))

static void test_unpack_files_links_owners(void **state)
{
	need_root();
	struct fixture *f = *state;
	make_deb(f->deb, hello_data, N_HELLO);
	int r = xs_deb_unpack(&f->log, f->rootfd, f->p);
	if (r)
		fail_msg("xs_deb_unpack: %d %s", r, f->log.err);

	_cleanup_free_ char *conf = ut_path(f->root, "etc/hello.conf");
	_cleanup_free_ char *hello = ut_path(f->root, "usr/bin/hello");
	_cleanup_free_ char *hard = ut_path(f->root, "usr/bin/hello.hard");
	_cleanup_free_ char *hi = ut_path(f->root, "usr/bin/hi");
	_cleanup_free_ char *state_f = ut_path(f->root, "var/lib/hello/state");
	_cleanup_free_ char *empty = ut_path(f->root, "var/lib/hello/empty");
	ut_assert_file(conf, CONFFILE);
	ut_assert_file(hello, SCRIPT);
	ut_assert_file(state_f, "state\n");
	ut_assert_file(empty, "");

	assert_stat(f, "etc/hello.conf", S_IFREG | 0644, 0, 0);
	assert_stat(f, "usr/bin/hello", S_IFREG | 0755, 0, 0);
	assert_stat(f, "usr/bin/setuid", S_IFREG | 04755, 0, 0);
	assert_stat(f, "var/lib/hello", S_IFDIR | 0750, 1234, 5678);
	assert_stat(f, "var/lib/hello/state", S_IFREG | 0640, 1234, 5678);
	assert_stat(f, "usr/bin", S_IFDIR | 0755, 0, 0);

	char to[32] = { 0 };
	assert_int_equal(readlink(hi, to, sizeof(to) - 1), 5);
	assert_string_equal(to, "hello");

	struct stat a, b;
	assert_int_equal(stat(hello, &a), 0);
	assert_int_equal(lstat(hard, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	assert_int_equal(a.st_mtime, MTIME);
	assert_int_equal(lstat(hi, &b), 0);
	assert_int_equal(b.st_mtime, MTIME);
}

static void test_unpack_manifest_and_control(void **state)
{
	need_root();
	struct fixture *f = *state;
	make_deb(f->deb, hello_data, N_HELLO);
	assert_int_equal(xs_deb_unpack(&f->log, f->rootfd, f->p), 0);

	/* the manifest lists every entry, in archive order */
	const struct xs_manifest *m = &f->p->manifest;
	assert_int_equal(m->n, N_HELLO);
	for (size_t i = 0; i < N_HELLO; i++) {
		_cleanup_free_ char *want = xs_target_normalize(hello_data[i].path);
		assert_string_equal(m->v[i].path, want);
	}
	assert_string_equal(m->v[0].path, "");

	char md5[XS_MD5_HEX];
	struct xs_digest *d = xs_digest_new_md5();
	xs_digest_add(d, CONFFILE, strlen(CONFFILE));
	xs_digest_final(d, md5);
	const struct xs_mentry *conf = &m->v[2];
	assert_string_equal(conf->path, "etc/hello.conf");
	assert_string_equal(conf->md5, md5);
	assert_true(S_ISREG(conf->mode));
	assert_int_equal(conf->size, strlen(CONFFILE));
	assert_string_equal(m->v[5].md5, ""); /* only conffiles get a digest */

	const struct xs_mentry *hi = &m->v[6];
	assert_true(S_ISLNK(hi->mode));
	assert_string_equal(hi->link, "hello");
	assert_false(hi->hardlink);
	const struct xs_mentry *hard = &m->v[7];
	assert_true(hard->hardlink);
	assert_string_equal(hard->link, "usr/bin/hello");
	const struct xs_mentry *st = &m->v[12];
	assert_int_equal(st->uid, 1234);
	assert_int_equal(st->gid, 5678);
	assert_int_equal(st->mode, S_IFREG | 0640);

	/* control members: bytes and modes as in control.tar */
	const struct xs_ctrlfile *c = xs_pkg_ctrl(f->p, "control");
	assert_non_null(c);
	assert_int_equal(c->len, strlen(CONTROL));
	assert_memory_equal(c->data, CONTROL, c->len);
	c = xs_pkg_ctrl(f->p, "conffiles");
	assert_non_null(c);
	assert_string_equal(c->data, "/etc/hello.conf\n");
	c = xs_pkg_ctrl(f->p, "postinst");
	assert_non_null(c);
	assert_int_equal(c->mode & 0777, 0755);
	assert_null(xs_pkg_ctrl(f->p, ""));
}

static void test_decode_then_write_equals_unpack(void **state)
{
	need_root();
	struct fixture *f = *state;
	make_deb(f->deb, hello_data, N_HELLO);
	struct xs_buf tar = { 0 };
	assert_int_equal(xs_deb_decode(&f->log, f->p, &tar), 0);
	assert_true(tar.len > 0);
	assert_non_null(xs_pkg_ctrl(f->p, "control"));
	_cleanup_free_ char *hello = ut_path(f->root, "usr/bin/hello");
	assert_false(ut_exists(hello)); /* decoding writes nothing to the target */
	assert_int_equal(xs_deb_write(&f->log, f->rootfd, f->p, &tar), 0);
	xs_buf_free(&tar);
	ut_assert_file(hello, SCRIPT);
	assert_int_equal(f->p->manifest.n, N_HELLO);
}

static void test_dotdot_entry_is_refused(void **state)
{
	need_root();
	struct fixture *f = *state;
	static const struct ent data[] = {
		{ 'd', "./", 0755, 0, 0, NULL, NULL },
		{ 'f', "../escape", 0644, 0, 0, "out\n", NULL },
	};
	make_deb(f->deb, data, 2);
	int r = xs_deb_unpack(&f->log, f->rootfd, f->p);
	assert_true(r < 0);
	assert_contains(f->log.err, "leaves the target");
	assert_contains(f->log.err, "../escape");
	assert_contains(f->log.err, "hello");
	_cleanup_free_ char *out = ut_path(f->top, "escape");
	assert_false(ut_exists(out));

	struct xs_log log2;
	xs_log_init(&log2, XS_QUIET);
	static const struct ent data2[] = {
		{ 'f', "./usr/../../escape2", 0644, 0, 0, "out\n", NULL },
	};
	make_deb(f->deb, data2, 1);
	assert_true(xs_deb_unpack(&log2, f->rootfd, f->p) < 0);
	assert_contains(log2.err, "leaves the target");
	_cleanup_free_ char *out2 = ut_path(f->top, "escape2");
	assert_false(ut_exists(out2));
}

static void test_symlink_then_path_through_it_stays_inside(void **state)
{
	need_root();
	struct fixture *f = *state;
	static const struct ent data[] = {
		{ 'd', "./", 0755, 0, 0, NULL, NULL },
		{ 'l', "./x", 0777, 0, 0, NULL, "/" },
		{ 'f', "./x/tmp/xs-unit-deb-escape", 0644, 0, 0, "caught\n", NULL },
		{ 'l', "./y", 0777, 0, 0, NULL, "../../../../.." },
		{ 'f', "./y/tmp/xs-unit-deb-escape-rel", 0644, 0, 0, "caught too\n", NULL },
	};
	make_deb(f->deb, data, 5);
	int r = xs_deb_unpack(&f->log, f->rootfd, f->p);
	if (r)
		fail_msg("xs_deb_unpack: %d %s", r, f->log.err);
	_cleanup_free_ char *in = ut_path(f->root, "tmp/xs-unit-deb-escape");
	_cleanup_free_ char *in2 = ut_path(f->root, "tmp/xs-unit-deb-escape-rel");
	ut_assert_file(in, "caught\n");
	ut_assert_file(in2, "caught too\n");
	assert_false(ut_exists("/tmp/xs-unit-deb-escape"));
	assert_false(ut_exists("/tmp/xs-unit-deb-escape-rel"));
}

static void test_file_replaces_planted_symlink(void **state)
{
	need_root();
	struct fixture *f = *state;
	_cleanup_free_ char *outside = ut_path(f->top, "outside");
	ut_write(outside, "host file\n");
	struct ent data[] = {
		{ 'd', "./", 0755, 0, 0, NULL, NULL },
		{ 'l', "./a", 0777, 0, 0, NULL, outside },
		{ 'f', "./a", 0644, 0, 0, "package file\n", NULL },
	};
	make_deb(f->deb, data, 3);
	assert_int_equal(xs_deb_unpack(&f->log, f->rootfd, f->p), 0);
	assert_stat(f, "a", S_IFREG | 0644, 0, 0);
	_cleanup_free_ char *a = ut_path(f->root, "a");
	ut_assert_file(a, "package file\n");
	ut_assert_file(outside, "host file\n");
}

static void test_hardlink_to_host_file_is_refused(void **state)
{
	need_root();
	struct fixture *f = *state;
	struct stat before, after;
	assert_int_equal(stat("/etc/passwd", &before), 0);
	static const struct ent data[] = {
		{ 'd', "./", 0755, 0, 0, NULL, NULL },
		{ 'd', "./etc/", 0755, 0, 0, NULL, NULL },
		{ 'l', "./x", 0777, 0, 0, NULL, "/" },
		{ 'h', "./stolen", 0644, 0, 0, NULL, "x/etc/passwd" },
	};
	make_deb(f->deb, data, 4);
	assert_true(xs_deb_unpack(&f->log, f->rootfd, f->p) < 0);
	assert_contains(f->log.err, "stolen");
	_cleanup_free_ char *stolen = ut_path(f->root, "stolen");
	assert_false(ut_exists(stolen));
	assert_int_equal(stat("/etc/passwd", &after), 0);
	assert_int_equal(after.st_nlink, before.st_nlink);

	struct xs_log log2;
	xs_log_init(&log2, XS_QUIET);
	static const struct ent data2[] = {
		{ 'h', "./stolen2", 0644, 0, 0, NULL, "../../../../../etc/passwd" },
	};
	make_deb(f->deb, data2, 1);
	assert_true(xs_deb_unpack(&log2, f->rootfd, f->p) < 0);
	assert_contains(log2.err, "leaves the target");
}

static void test_ar_without_data_tar(void **state)
{
	struct fixture *f = *state;
	struct xs_buf ctl = { 0 };
	make_tar(&ctl, "gzip", control_ents, sizeof(control_ents) / sizeof(control_ents[0]));
	struct member m[] = {
		{ "debian-binary", "2.0\n", 4 },
		{ "control.tar.gz", ctl.data, ctl.len },
	};
	make_ar(f->deb, m, 2);
	xs_buf_free(&ctl);
	assert_int_equal(xs_deb_unpack(&f->log, f->rootfd, f->p), -EBADMSG);
	assert_contains(f->log.err, f->deb);
	assert_contains(f->log.err, "data.tar");
	assert_int_equal(f->p->manifest.n, 0);
}

static void test_malformed_debs(void **state)
{
	struct fixture *f = *state;
	struct xs_buf ctl = { 0 }, dat = { 0 };
	make_tar(&ctl, "gzip", control_ents, sizeof(control_ents) / sizeof(control_ents[0]));
	make_tar(&dat, "xz", hello_data, N_HELLO);

	/* a future format version */
	struct member v3[] = {
		{ "debian-binary", "3.0\n", 4 },
		{ "control.tar.gz", ctl.data, ctl.len },
		{ "data.tar.xz", dat.data, dat.len },
	};
	make_ar(f->deb, v3, 3);
	struct xs_log log = { 0 };
	assert_int_equal(xs_deb_unpack(&log, f->rootfd, f->p), -EBADMSG);
	assert_contains(log.err, "3.0");

	/* data before control */
	struct member order[] = {
		{ "debian-binary", "2.0\n", 4 },
		{ "data.tar.xz", dat.data, dat.len },
		{ "control.tar.gz", ctl.data, ctl.len },
	};
	make_ar(f->deb, order, 3);
	memset(&log, 0, sizeof(log));
	assert_int_equal(xs_deb_unpack(&log, f->rootfd, f->p), -EBADMSG);
	assert_contains(log.err, "out of order");

	/* a data.tar.xz cut in half */
	struct member cut[] = {
		{ "debian-binary", "2.0\n", 4 },
		{ "control.tar.gz", ctl.data, ctl.len },
		{ "data.tar.xz", dat.data, dat.len / 2 },
	};
	make_ar(f->deb, cut, 3);
	memset(&log, 0, sizeof(log));
	assert_true(xs_deb_unpack(&log, f->rootfd, f->p) < 0);
	assert_contains(log.err, f->deb);

	/* not an ar archive at all */
	ut_write(f->deb, "<html>404 Not Found</html>\n");
	memset(&log, 0, sizeof(log));
	assert_int_equal(xs_deb_unpack(&log, f->rootfd, f->p), -EBADMSG);
	assert_contains(log.err, f->deb);
	assert_contains(log.err, "not a .deb");

	_cleanup_free_ char *hello = ut_path(f->root, "usr/bin/hello");
	assert_false(ut_exists(hello));
	xs_buf_free(&ctl);
	xs_buf_free(&dat);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unpack_files_links_owners),
		T(test_unpack_manifest_and_control),
		T(test_decode_then_write_equals_unpack),
		T(test_dotdot_entry_is_refused),
		T(test_symlink_then_path_through_it_stays_inside),
		T(test_file_replaces_planted_symlink),
		T(test_hardlink_to_host_file_is_refused),
		T(test_ar_without_data_tar),
		T(test_malformed_debs),
	};
	return cmocka_run_group_tests_name("pkg_deb", tests, NULL, NULL);
}
