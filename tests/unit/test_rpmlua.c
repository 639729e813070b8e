/* test_rpmlua.c - rpm's Lua scriptlets: the `posix` and `rpm` modules and
 * the `arg` table xs_rpmlua_run gives them, run here in a scratch directory
 * (absolute paths) instead of a chroot. The scripts check themselves with
 * assert(); a failed one shows its message from stderr. */
#include "unit.h"

#include "rpmlua.h"

struct scratch {
	char *dir;
	char *errfile; /* stderr of the last run */
	int cwd;       /* restored after each test */
};

static int setup(void **state)
{
	struct scratch *s = xs_calloc(1, sizeof(*s));
	s->dir = ut_tmpdir("rpmlua");
	s->errfile = ut_path(s->dir, "stderr");
	s->cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = s;
	return s->cwd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct scratch *s = *state;
	if (fchdir(s->cwd) < 0)
		return -1;
	close(s->cwd);
	xs_rm_rf(s->dir);
	free(s->dir);
	free(s->errfile);
	free(s);
	return 0;
}

/* Runs SCRIPT, with the global D set to the scratch directory, as NAME; its
 * stderr goes to s->errfile. Returns xs_rpmlua_run's result. */
static int run_as(struct scratch *s, const char *name, const char *script, int arg1, int arg2)
{
	_cleanup_free_ char *text = xs_asprintf("D = '%s'\n%s", s->dir, script);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int fd = open(s->errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	close(fd);
	int r = xs_rpmlua_run(name, text, arg1, arg2);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	return r;
}

static char *last_stderr(struct scratch *s)
{
	char *e = ut_read(s->errfile, NULL);
	return e ? e : xs_strdup("");
}

/* Runs SCRIPT and fails the test, with its error, unless it succeeds. */
static void run_ok(struct scratch *s, const char *script, int arg1, int arg2)
{
	if (run_as(s, "%post(xsunit)", script, arg1, arg2) != 0) {
		_cleanup_free_ char *err = last_stderr(s);
		fail_msg("scriptlet failed: %s", err);
	}
	_cleanup_free_ char *err = last_stderr(s);
	assert_string_equal(err, "");
}

static void test_io_and_posix_files(void **state)
{
	struct scratch *s = *state;
	run_ok(s,
	       "local f = assert(io.open(D .. '/a', 'w'))\n"
	       "f:write('hello\\n')\n"
	       "f:close()\n"
	       "assert(io.open(D .. '/a'):read('a') == 'hello\\n')\n"
	       /* access: 0, or nil, message, errno */
	       "assert(posix.access(D .. '/a') == 0)\n"
	       "assert(posix.access(D .. '/a', 'rw') == 0)\n"
	       "local ok, msg, e = posix.access(D .. '/none')\n"
	       "assert(ok == nil and e == 2, msg)\n"
	       "assert(msg == D .. '/none: No such file or directory', msg)\n"
	       /* stat: the table, or one field */
	       "local st = assert(posix.stat(D .. '/a'))\n"
	       "assert(st.type == 'regular' and st.size == 6 and st.nlink == 1)\n"
	       "assert(type(st.mtime) == 'number' and type(st.ino) == 'number')\n"
	       "assert(posix.stat(D .. '/none') == nil)\n"
	       /* chmod: an octal string or a number */
	       "assert(posix.chmod(D .. '/a', '0600') == 0)\n"
	       "assert(posix.stat(D .. '/a', 'mode') == 'rw-------')\n"
	       "assert(posix.chmod(D .. '/a', 493) == 0)\n" /* 0755 */
	       "assert(posix.stat(D .. '/a', 'mode') == 'rwxr-xr-x')\n"
	       /* mkdir, with and without a mode; rmdir */
	       "assert(posix.mkdir(D .. '/d') == 0)\n"
	       "assert(posix.stat(D .. '/d', 'type') == 'directory')\n"
	       "assert(posix.mkdir(D .. '/d') == nil)\n"
	       "assert(posix.mkdir(D .. '/d700', '0700') == 0)\n"
	       "assert(posix.stat(D .. '/d700', 'mode') == 'rwx------')\n"
	       "assert(posix.rmdir(D .. '/d700') == 0)\n"
	       /* symlink, readlink, link, unlink */
	       "assert(posix.symlink('a', D .. '/l') == 0)\n"
	       "assert(posix.readlink(D .. '/l') == 'a')\n"
	       "assert(posix.stat(D .. '/l', 'type') == 'link')\n"
	       "assert(posix.readlink(D .. '/a') == nil)\n"
	       "assert(posix.link(D .. '/a', D .. '/h') == 0)\n"
	       "assert(posix.stat(D .. '/a', 'nlink') == 2)\n"
	       "assert(posix.symlink('x', D .. '/gone') == 0)\n"
	       "assert(posix.unlink(D .. '/gone') == 0)\n"
	       "assert(posix.unlink(D .. '/gone') == nil)\n"
	       /* dir: every name, . and .. too */
	       "local names = {}\n"
	       "for _, n in ipairs(assert(posix.dir(D))) do names[n] = true end\n"
	       "for _, n in ipairs({'.', '..', 'a', 'd', 'l', 'h'}) do assert(names[n], n) end\n"
	       "assert(not names.gone)\n"
	       "assert(posix.dir(D .. '/none') == nil)\n"
	       /* utime, chown to what it is */
	       "assert(posix.utime(D .. '/a', 1000000000) == 0)\n"
	       "assert(posix.stat(D .. '/a', 'mtime') == 1000000000)\n"
	       "local uid, gid = posix.stat(D .. '/a', 'uid'), posix.stat(D .. '/a', 'gid')\n"
	       "assert(posix.chown(D .. '/a', uid, gid) == 0)\n",
	       -1, -1);
	/* what the script did is there */
	_cleanup_free_ char *a = ut_path(s->dir, "a");
	_cleanup_free_ char *h = ut_path(s->dir, "h");
	_cleanup_free_ char *l = ut_path(s->dir, "l");
	_cleanup_free_ char *d = ut_path(s->dir, "d");
	_cleanup_free_ char *gone = ut_path(s->dir, "gone");
	ut_assert_file(a, "hello\n");
	ut_assert_file(h, "hello\n");
	struct stat st;
	assert_int_equal(stat(a, &st), 0);
	assert_int_equal(st.st_mode, S_IFREG | 0755);
	assert_int_equal(st.st_mtime, 1000000000);
	assert_int_equal(lstat(l, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_false(ut_exists(gone));
}

static void test_posix_process(void **state)
{
	struct scratch *s = *state;
	_cleanup_free_ char *script = xs_asprintf(
		"assert(posix.getpid() == %d)\n"
		/* environment */
		"assert(posix.setenv('XS_UNIT_RPMLUA', 'one') == 0)\n"
		"assert(posix.getenv('XS_UNIT_RPMLUA') == 'one')\n"
		"posix.setenv('XS_UNIT_RPMLUA', 'two', false)\n"
		"assert(posix.getenv('XS_UNIT_RPMLUA') == 'one')\n"
		"posix.setenv('XS_UNIT_RPMLUA', 'two', true)\n"
		"assert(posix.getenv('XS_UNIT_RPMLUA') == 'two')\n"
		"posix.setenv('XS_UNIT_RPMLUA_GONE', 'x')\n"
		"posix.setenv('XS_UNIT_RPMLUA_GONE', nil)\n"
		"assert(posix.getenv('XS_UNIT_RPMLUA_GONE') == nil)\n"
		/* cwd */
		"assert(posix.chdir(D) == 0)\n"
		"assert(posix.getcwd() == D)\n"
		"assert(posix.chdir(D .. '/none') == nil)\n"
		/* umask: set, query, restore */
		"local old = posix.umask('077')\n"
		"assert(posix.umask() == 63)\n"
		"assert(posix.umask() == 63)\n"
		"posix.umask(old)\n"
		/* fork, exec and wait */
		"local pid = posix.fork()\n"
		"if pid == 0 then\n"
		"  posix.exec('/bin/sh', '-c', 'echo child > child; exit 3')\n"
		"  os.exit(99, true)\n"
		"end\n"
		"assert(pid > 0)\n"
		"local p, how, code = posix.wait(pid)\n"
		"assert(p == pid and how == 'exited' and code == 3, tostring(how) .. tostring(code))\n"
		"assert(io.open(D .. '/child'):read('a') == 'child\\n')\n"
		/* exec that cannot: nil, message, errno; the script goes on */
		"local ok, msg, e = posix.exec(D .. '/no-such-program')\n"
		"assert(ok == nil and e == 2, msg)\n"
		"assert(posix.sleep(0) == 0)\n",
		(int)getpid());
	mode_t before = umask(022);
	umask(before);
	run_ok(s, script, -1, -1);
	assert_string_equal(getenv("XS_UNIT_RPMLUA"), "two");
	assert_null(getenv("XS_UNIT_RPMLUA_GONE"));
	unsetenv("XS_UNIT_RPMLUA");
	mode_t after = umask(before);
	assert_int_equal(after, before);
}

static void test_rpm_module(void **state)
{
	struct scratch *s = *state;
	run_ok(s,
	       /* the standard paths, and what expand leaves alone */
	       "assert(rpm.expand('%{_sysconfdir}') == '/etc')\n"
	       "assert(rpm.expand('%{_bindir}/x %{_unitdir}') == '/usr/bin/x /usr/lib/systemd/system')\n"
	       "assert(rpm.expand('100%%') == '100%')\n"
	       "assert(rpm.expand('%{?nosuch}x') == 'x')\n"
	       "assert(rpm.expand('%{nosuch}') == '%{nosuch}')\n"
	       "assert(rpm.expand('%{unclosed') == '%{unclosed')\n"
	       "assert(rpm.expand('plain') == 'plain')\n"
	       /* define, then expand; a definition wins over a standard path */
	       "rpm.define('mydir /opt/my')\n"
	       "assert(rpm.expand('%{mydir}/bin') == '/opt/my/bin')\n"
	       "assert(rpm.expand('%{?mydir}') == '/opt/my')\n"
	       "rpm.define('_sysconfdir\t/ETC')\n"
	       "assert(rpm.expand('%{_sysconfdir}') == '/ETC')\n"
	       /* vercmp: rpm's order */
	       "assert(rpm.vercmp('1.0-1', '1.0-2') == -1)\n"
	       "assert(rpm.vercmp('1.0-2', '1.0-1') == 1)\n"
	       "assert(rpm.vercmp('2.0', '2.0') == 0)\n"
	       "assert(rpm.vercmp('1.10', '1.9') == 1)\n"
	       "assert(rpm.vercmp('1:1.0', '2.0') == 1)\n"
	       "assert(rpm.vercmp('1.0~rc1', '1.0') == -1)\n"
	       /* execute: true, or nil, message, code */
	       "assert(rpm.execute('/bin/true') == true)\n"
	       "local ok, msg, code = rpm.execute('/bin/false')\n"
	       "assert(ok == nil and code == 1 and msg == 'exit code 1', msg)\n"
	       "assert(rpm.execute('/bin/sh', '-c', 'echo $0 > ' .. D .. '/exec'))\n"
	       "ok, msg, code = rpm.execute(D .. '/no-such-program')\n"
	       "assert(ok == nil and code == 127, msg)\n"
	       "assert(rpm.interactive() == false)\n"
	       "rpm.redirect2null(3)\n",
	       -1, -1);
	_cleanup_free_ char *exec = ut_path(s->dir, "exec");
	ut_assert_file(exec, "/bin/sh\n");
	/* definitions last as long as the scriptlet */
	run_ok(s,
	       "assert(rpm.expand('%{?mydir}') == '')\n"
	       "assert(rpm.expand('%{_sysconfdir}') == '/etc')\n",
	       -1, -1);
}

static void test_arg_table(void **state)
{
	struct scratch *s = *state;
	run_ok(s,
	       "assert(arg[1] == '%post(xsunit)')\n"
	       "assert(arg[2] == 1 and math.type(arg[2]) == 'integer')\n"
	       "assert(arg[3] == nil and #arg == 2)\n",
	       1, -1);
	run_ok(s,
	       "assert(arg[1] == '%post(xsunit)' and arg[2] == 2 and arg[3] == 0 and #arg == 3)\n",
	       2, 0);
	run_ok(s, "assert(arg[1] == '%post(xsunit)' and #arg == 1)\n", -1, -1);
}

/* Runs SCRIPT as %pre(xsunit), expecting it to fail with WANT on stderr. */
static void run_fails(struct scratch *s, const char *script, const char *want)
{
	assert_int_equal(run_as(s, "%pre(xsunit)", script, 1, -1), 1);
	_cleanup_free_ char *err = last_stderr(s);
	assert_contains(err, "%pre(xsunit)");
	assert_contains(err, want);
}

static void test_errors(void **state)
{
	struct scratch *s = *state;
	run_fails(s, "error('boom')\n", "boom");
	run_fails(s, "local x = = 1\n", "unexpected symbol");
	run_fails(s, "assert(false, 'said no')\n", "said no");
	run_fails(s, "local t = nil; t.x = 1\n", "attempt to index");
	run_fails(s, "no_such_module.call()\n", "no_such_module");
	/* an error that is not a string still names the scriptlet */
	run_fails(s, "error({})\n", "table");
	/* bad arguments to the shims are errors, not crashes or leaks */
	run_fails(s, "rpm.execute('/bin/true', {})\n", "bad argument #2 to 'execute'");
	run_fails(s, "posix.exec('/bin/true', {})\n", "bad argument #2 to 'exec'");
	run_fails(s, "rpm.execute()\n", "bad argument #1 to 'execute'");
	run_fails(s, "posix.stat()\n", "bad argument #1 to 'stat'");
	run_fails(s, "rpm.vercmp('1.0')\n", "bad argument #2 to 'vercmp'");
	/* what ran before the error stays done */
	run_fails(s, "io.open(D .. '/before', 'w'):close()\nerror('after')\n", "after");
	_cleanup_free_ char *before = ut_path(s->dir, "before");
	assert_true(ut_exists(before));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_io_and_posix_files),
		T(test_posix_process),
		T(test_rpm_module),
		T(test_arg_table),
		T(test_errors),
	};
	return cmocka_run_group_tests_name("rpmlua", tests, NULL, NULL);
}
