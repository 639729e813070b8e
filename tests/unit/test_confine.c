/* test_confine.c - what code run in the target may still do: checked in a
 * child that confines itself as a script's process does (core/target/
 * confine.c) and reports each fact as one bit of its exit status. */
#include "unit.h"

#include <net/if.h>
#include <sys/capability.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "confine.h"

enum {
	HOSTNAME_OWN = 1 << 0,      /* sethostname worked, in its own UTS ns */
	PROC_SYS_RO = 1 << 1,       /* writing /proc/sys failed with EROFS */
	NO_SYS_MODULE = 1 << 2,     /* SYS_MODULE out of the bounding and effective sets */
	KEEPS_CHOWN = 1 << 3,       /* CHOWN still effective */
	ONLY_LOOPBACK = 1 << 4,     /* the network namespace has lo alone */
	HOST_NETWORK = 1 << 5,      /* more than lo: the host's interfaces */
};

static bool effective(cap_value_t c)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	cap_get_flag(caps, c, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static int confined_facts(unsigned flags)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (xs_confine(flags) < 0)
			_exit(255);
		int facts = 0;
		if (sethostname("xs-unit-confined", 16) == 0) {
			struct utsname u;
			uname(&u);
			facts |= !strcmp(u.nodename, "xs-unit-confined") ? HOSTNAME_OWN : 0;
		}
		int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
		if (fd < 0 && errno == EROFS)
			facts |= PROC_SYS_RO;
		if (fd >= 0)
			close(fd);
		if (cap_get_bound(CAP_SYS_MODULE) == 0 && !effective(CAP_SYS_MODULE))
			facts |= NO_SYS_MODULE;
		facts |= effective(CAP_CHOWN) ? KEEPS_CHOWN : 0;
		struct if_nameindex *ifs = if_nameindex();
		size_t n = 0;
		bool lo = false;
		for (struct if_nameindex *i = ifs; i && i->if_index; i++, n++)
			lo |= !strcmp(i->if_name, "lo");
		if_freenameindex(ifs);
		facts |= n == 1 && lo ? ONLY_LOOPBACK : n > 1 ? HOST_NETWORK : 0;
		_exit(facts);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void test_package_script_is_confined(void **state)
{
	(void)state;
	need_root();
	struct utsname before, after;
	uname(&before);
	int facts = confined_facts(0);
	uname(&after);
	assert_string_equal(before.nodename, after.nodename);
	assert_true(facts >= 0 && facts != 255);
	assert_true(facts & HOSTNAME_OWN);
	assert_true(facts & PROC_SYS_RO);
	assert_true(facts & NO_SYS_MODULE);
	assert_true(facts & KEEPS_CHOWN);
	assert_true(facts & ONLY_LOOPBACK);
}

static void test_hook_keeps_the_network(void **state)
{
	(void)state;
	need_root();
	struct if_nameindex *ifs = if_nameindex();
	size_t host_ifs = 0;
	for (struct if_nameindex *i = ifs; i && i->if_index; i++)
		host_ifs++;
	if_freenameindex(ifs);
	int facts = confined_facts(XS_CONFINE_NETWORK);
	assert_true(facts >= 0 && facts != 255);
	/* the host's interfaces, whatever they are */
	assert_int_equal(!!(facts & HOST_NETWORK), host_ifs > 1);
	assert_true(facts & PROC_SYS_RO);
	assert_true(facts & NO_SYS_MODULE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_package_script_is_confined),
		cmocka_unit_test(test_hook_keeps_the_network),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
