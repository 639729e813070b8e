/* test_db_dpkg.c - the dpkg database xstrap writes: status paragraphs,
 * info/ files, trigger interests, for packages built here by hand. */
#include "unit.h"

#include "db_dpkg.h"
#include "deb_family.h"
#include "pkg_deb.h"

#define CONF_MD5 "0123456789abcdef0123456789abcdef"

static const char hello_control[] = "Package: hello\n"
				    "Version: 2.10-3\n"
				    "Architecture: amd64\n"
				    "Maintainer: Unit <unit@example.invalid>\n"
				    "Installed-Size: 280\n"
				    "Depends: libc6 (>= 2.34)\n"
				    "Section: x\n"
				    "Priority: optional\n"
				    "Description: example package\n"
				    " With a long description.\n"
				    " .\n"
				    " Of two paragraphs.\n";

static const char libfoo_control[] = "Package: libfoo1\n"
				     "Version: 1.0-1\n"
				     "Architecture: amd64\n"
				     "Multi-Arch: same\n"
				     "Priority: optional\n"
				     "Section: libs\n"
				     "Description: a library\n";

static void add_ctrl(struct xs_pkg *p, const char *name, const char *data, mode_t mode)
{
	struct xs_debinfo *d = xs_deb(p);
	d->ctrl = xs_realloc(d->ctrl, (d->nctrl + 1) * sizeof(*d->ctrl));
	struct xs_ctrlfile *c = &d->ctrl[d->nctrl++];
	c->name = xs_strdup(name);
	c->data = xs_strdup(data);
	c->len = strlen(data);
	c->mode = mode;
}

static struct xs_mentry *add_entry(struct xs_pkg *p, const char *path, mode_t mode)
{
	struct xs_manifest *m = &p->manifest;
	m->v = xs_realloc(m->v, (m->n + 1) * sizeof(*m->v));
	struct xs_mentry *e = &m->v[m->n++];
	memset(e, 0, sizeof(*e));
	e->path = xs_strdup(path);
	e->mode = mode;
	return e;
}

/* hello (archive says Priority: important, Section: utils) and the
 * Multi-Arch: same libfoo1. Freed by xs_txn_free. */
static void make_txn(struct xs_txn *t)
{
	t->n = 2;
	t->v = xs_calloc(2, sizeof(*t->v));
	t->family = &xs_family_deb;

	struct xs_pkg *p = &t->v[0];
	p->name = xs_strdup("hello");
	p->version = xs_strdup("2.10-3");
	p->arch = xs_strdup("amd64");
	xs_deb(p)->priority = xs_strdup("important");
	xs_deb(p)->section = xs_strdup("utils");
	add_ctrl(p, "control", hello_control, 0644);
	/* flags come before the path (deb-conffiles(5)) */
	add_ctrl(p, "conffiles", "/etc/hello.conf\nremove-on-upgrade /etc/hello/gone.conf\n", 0644);
	add_ctrl(p, "triggers", "# interests\n"
				"interest foo\n"
				"interest-noawait /usr/lib/bar\n"
				"activate-noawait ldconfig\n",
		 0644);
	add_ctrl(p, "postinst", "#!/bin/sh\nexit 0\n", 0755);
	add_ctrl(p, "md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/bin/hello\n", 0644);
	add_entry(p, "", S_IFDIR | 0755);
	add_entry(p, "etc", S_IFDIR | 0755);
	struct xs_mentry *conf = add_entry(p, "etc/hello.conf", S_IFREG | 0644);
	memcpy(conf->md5, CONF_MD5, sizeof(CONF_MD5));
	add_entry(p, "usr", S_IFDIR | 0755);
	add_entry(p, "usr/bin", S_IFDIR | 0755);
	add_entry(p, "usr/bin/hello", S_IFREG | 0755);

	struct xs_pkg *q = &t->v[1];
	q->name = xs_strdup("libfoo1");
	q->version = xs_strdup("1.0-1");
	q->arch = xs_strdup("amd64");
	xs_deb(q)->multiarch_same = true;
	add_ctrl(q, "control", libfoo_control, 0644);
	add_ctrl(q, "triggers", "interest foo\n", 0644);
	add_entry(q, "", S_IFDIR | 0755);
	add_entry(q, "usr", S_IFDIR | 0755);
	add_entry(q, "usr/lib/libfoo.so.1", S_IFREG | 0644);
}

struct fixture {
	struct xs_txn txn;
	char *root;
	int rootfd;
	struct xs_log log;
};

static int setup(void **state)
{
	struct fixture *f = xs_calloc(1, sizeof(*f));
	make_txn(&f->txn);
	f->root = ut_tmpdir("dpkg");
	f->rootfd = open(f->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	xs_log_init(&f->log, XS_QUIET);
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	xs_txn_free(&f->txn);
	close(f->rootfd);
	xs_rm_rf(f->root);
	free(f->root);
	free(f);
	return 0;
}

static char *read_in(struct fixture *f, const char *rel)
{
	_cleanup_free_ char *p = ut_path(f->root, rel);
	char *s = ut_read(p, NULL);
	if (!s)
		fail_msg("/%s: expected in the target, not found", rel);
	return s;
}

static void test_status_paragraph(void **state)
{
	struct fixture *f = *state;
	struct xs_buf b = { 0 };
	xs_dpkg_status_para(&f->txn.v[0], "install ok unpacked", &b);
	assert_true(xs_str_startswith(b.data, "Package: hello\nStatus: install ok unpacked\nVersion: 2.10-3\n"));
	/* the archive's Priority and Section win over the control file's */
	assert_contains(b.data, "\nPriority: important\n");
	assert_contains(b.data, "\nSection: utils\n");
	assert_not_contains(b.data, "Priority: optional");
	assert_not_contains(b.data, "Section: x");
	assert_contains(b.data, "Depends: libc6 (>= 2.34)\n");
	assert_contains(b.data, "Description: example package\n With a long description.\n .\n Of two paragraphs.\n");
	/* conffiles with the digest of what was unpacked; unknown ones are new */
	assert_contains(b.data, "\nConffiles:\n /etc/hello.conf " CONF_MD5 "\n"
				" /etc/hello/gone.conf newconffile remove-on-upgrade\n");
	/* one paragraph: exactly one blank line, at the end */
	assert_true(xs_str_endswith(b.data, "\n\n"));
	assert_int_equal(strstr(b.data, "\n\n") - b.data, (long)b.len - 2);
	assert_null(strstr(b.data, "Status: install ok unpacked\nStatus"));
	xs_buf_free(&b);
}

static void test_status_paragraph_keeps_control_fields_without_archive_data(void **state)
{
	struct fixture *f = *state;
	struct xs_pkg *p = &f->txn.v[1];
	struct xs_buf b = { 0 };
	xs_dpkg_status_para(p, "install ok unpacked", &b);
	assert_true(xs_str_startswith(b.data, "Package: libfoo1\nStatus: install ok unpacked\n"));
	assert_contains(b.data, "Priority: optional\n");
	assert_contains(b.data, "Section: libs\n");
	assert_not_contains(b.data, "Conffiles:");
	xs_buf_free(&b);
}

static void test_info_name(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *a = xs_dpkg_info_name(&f->txn.v[0]);
	_cleanup_free_ char *b = xs_dpkg_info_name(&f->txn.v[1]);
	assert_string_equal(a, "hello");
	assert_string_equal(b, "libfoo1:amd64");
}

static void test_write_db(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(xs_dpkg_write_db(&f->log, f->rootfd, NULL, &f->txn), 0);
	assert_string_equal(f->log.err, "");

	_cleanup_free_ char *status = read_in(f, "var/lib/dpkg/status");
	assert_true(xs_str_startswith(status, "Package: hello\nStatus: install ok unpacked\n"));
	assert_contains(status, "\n\nPackage: libfoo1\nStatus: install ok unpacked\n");
	assert_contains(status, " /etc/hello.conf " CONF_MD5 "\n");

	_cleanup_free_ char *list = read_in(f, "var/lib/dpkg/info/hello.list");
	assert_string_equal(list, "/.\n/etc\n/etc/hello.conf\n/usr\n/usr/bin\n/usr/bin/hello\n");

	_cleanup_free_ char *fmt = read_in(f, "var/lib/dpkg/info/format");
	assert_string_equal(fmt, "1\n");

	/* control members land in info/ as they came, with their modes */
	_cleanup_free_ char *postinst_path = ut_path(f->root, "var/lib/dpkg/info/hello.postinst");
	ut_assert_file(postinst_path, "#!/bin/sh\nexit 0\n");
	struct stat st;
	assert_int_equal(stat(postinst_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	_cleanup_free_ char *md5sums = read_in(f, "var/lib/dpkg/info/hello.md5sums");
	assert_contains(md5sums, "usr/bin/hello");
	_cleanup_free_ char *conffiles = read_in(f, "var/lib/dpkg/info/hello.conffiles");
	assert_contains(conffiles, "/etc/hello.conf\n");
	_cleanup_free_ char *control_path = ut_path(f->root, "var/lib/dpkg/info/hello.control");
	assert_false(ut_exists(control_path)); /* control goes into status, not info/ */

	/* triggers: file interest with /noawait, named interest by both */
	_cleanup_free_ char *file = read_in(f, "var/lib/dpkg/triggers/File");
	assert_string_equal(file, "/usr/lib/bar hello/noawait\n");
	_cleanup_free_ char *foo = read_in(f, "var/lib/dpkg/triggers/foo");
	assert_string_equal(foo, "hello\nlibfoo1:amd64\n");
	_cleanup_free_ char *ldconfig = ut_path(f->root, "var/lib/dpkg/triggers/ldconfig");
	assert_false(ut_exists(ldconfig)); /* activate is not an interest */
	_cleanup_free_ char *unincorp = read_in(f, "var/lib/dpkg/triggers/Unincorp");
	assert_string_equal(unincorp, "");

	/* Multi-Arch: same is named PKG:ARCH in info/ */
	_cleanup_free_ char *ma = read_in(f, "var/lib/dpkg/info/libfoo1:amd64.list");
	assert_string_equal(ma, "/.\n/usr\n/usr/lib/libfoo.so.1\n");
	_cleanup_free_ char *ma_trig = read_in(f, "var/lib/dpkg/info/libfoo1:amd64.triggers");
	assert_string_equal(ma_trig, "interest foo\n");
	_cleanup_free_ char *plain = ut_path(f->root, "var/lib/dpkg/info/libfoo1.list");
	assert_false(ut_exists(plain));

	/* the directories dpkg expects exist */
	static const char *const dirs[] = { "var/lib/dpkg/updates", "var/lib/dpkg/alternatives",
					    "var/lib/dpkg/parts" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		_cleanup_free_ char *d = ut_path(f->root, dirs[i]);
		assert_int_equal(stat(d, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
	}
	_cleanup_free_ char *avail = read_in(f, "var/lib/dpkg/available");
	assert_string_equal(avail, ""); /* no archive given */
}

static void test_write_db_stays_in_target(void **state)
{
	/* a var/lib/dpkg planted as a link to the host's / leads nowhere out */
	struct fixture *f = *state;
	_cleanup_free_ char *var = ut_path(f->root, "var");
	assert_int_equal(symlink("/", var), 0);
	assert_int_equal(xs_dpkg_write_db(&f->log, f->rootfd, NULL, &f->txn), 0);
	/* inside the target, var -> / means ROOT/lib/dpkg/... */
	_cleanup_free_ char *inside = ut_path(f->root, "lib/dpkg/info/hello.list");
	ut_assert_file(inside, "/.\n/etc\n/etc/hello.conf\n/usr\n/usr/bin\n/usr/bin/hello\n");
	assert_false(ut_exists("/lib/dpkg/info/hello.list"));
	assert_false(ut_exists("/lib/dpkg/triggers/foo"));
}

static void test_phase_two_enters_status_later(void **state)
{
	/* phase 1 (the required closure) is in status from the start; phase 2
	 * joins once phase 1 is configured */
	struct fixture *f = *state;
	xs_deb(&f->txn.v[0])->phase = 1;
	xs_deb(&f->txn.v[1])->phase = 2;
	assert_int_equal(xs_dpkg_write_db(&f->log, f->rootfd, NULL, &f->txn), 0);
	_cleanup_free_ char *s1 = read_in(f, "var/lib/dpkg/status");
	assert_contains(s1, "Package: hello\nStatus: install ok unpacked\n");
	assert_not_contains(s1, "Package: libfoo1");
	/* nor its info files nor its trigger interests: debootstrap unpacks
	 * it only after phase 1 is configured */
	_cleanup_free_ char *ma_path = ut_path(f->root, "var/lib/dpkg/info/libfoo1:amd64.list");
	assert_false(ut_exists(ma_path));
	_cleanup_free_ char *foo1 = read_in(f, "var/lib/dpkg/triggers/foo");
	assert_string_equal(foo1, "hello\n");

	assert_int_equal(xs_dpkg_add_phase(&f->log, f->rootfd, &f->txn, 2), 0);
	_cleanup_free_ char *ma = read_in(f, "var/lib/dpkg/info/libfoo1:amd64.list");
	assert_true(xs_str_startswith(ma, "/.\n"));
	_cleanup_free_ char *foo2 = read_in(f, "var/lib/dpkg/triggers/foo");
	assert_string_equal(foo2, "hello\nlibfoo1:amd64\n");
	_cleanup_free_ char *s2 = read_in(f, "var/lib/dpkg/status");
	assert_true(xs_str_startswith(s2, "Package: hello\nStatus: install ok unpacked\n"));
	assert_contains(s2, "\nPackage: libfoo1\nStatus: install ok unpacked\n");
	/* each package once */
	const char *h = strstr(s2, "Package: hello\n");
	assert_null(strstr(h + 1, "Package: hello\n"));
	const char *l = strstr(s2, "Package: libfoo1\n");
	assert_null(strstr(l + 1, "Package: libfoo1\n"));
	/* the paragraphs stay apart: libfoo1 starts after a blank line */
	assert_true(l[-1] == '\n' && l[-2] == '\n');
}

static void test_add_phase_without_status_fails(void **state)
{
	struct fixture *f = *state;
	xs_deb(&f->txn.v[1])->phase = 2;
	int r = xs_dpkg_add_phase(&f->log, f->rootfd, &f->txn, 2);
	assert_true(r < 0);
	assert_contains(f->log.err, "/var/lib/dpkg/status");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_status_paragraph),
		T(test_status_paragraph_keeps_control_fields_without_archive_data),
		T(test_info_name),
		T(test_write_db),
		T(test_write_db_stays_in_target),
		T(test_phase_two_enters_status_later),
		T(test_add_phase_without_status_fails),
	};
	return cmocka_run_group_tests_name("db_dpkg", tests, NULL, NULL);
}
