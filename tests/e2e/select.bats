#!/usr/bin/env bats
# Package selection as users write it (libsolv's selection API), on the
# fixture repositories: NAME=VERSION, NAME/SUITE, globs, relations, and on
# rpm NAME.ARCH and NAME-VERSION-RELEASE; no match is an error naming the
# pattern and what there is.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
	rpm_fixture_setup
}

setup() {
	common_setup
	SITE="deb [signed-by=$fixture_dir/otherkey.asc] file://$fixture_dir/repo-site site main"
}

# deb_plan SPEC: the plan of --include=SPEC on the fixture suite plus the
# site repository (alt-a 1.0-1 in fixture, 2.0-1 in site)
deb_plan() {
	run --separate-stderr xs plan --variant=extract --keyring="$KEYRING" --source="$SITE" \
		--include="$1" fixture "$FIXTURE_URL"
}

# rpm_plan SPEC [ARGS...]: the plan of --include=SPEC on the rpm fixture
rpm_plan() {
	local spec=$1
	shift
	run --separate-stderr xs plan --repo-type=rpm-md --variant=custom --keyring="$RPM_KEYRING" \
		--include="$spec" "$@" fixture "$RPM_REPO"
}

@test "deb: a plain name takes the highest version; NAME=VERSION and NAME/SUITE take the one asked for" {
	deb_plan alt-a
	assert_status 0
	[ "$output" = "alt-a 2.0-1 all" ]
	deb_plan alt-a=1.0-1
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
	deb_plan alt-a/fixture
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
	deb_plan alt-a/site
	assert_status 0
	[ "$output" = "alt-a 2.0-1 all" ]
	deb_plan 'alt-a<<2.0'
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
}

@test "deb: apt's NAME:ARCH" {
	deb_plan hello-fixture:amd64
	assert_status 0
	[ "$output" = "hello-fixture 1.0-1 amd64" ]
	deb_plan alt-a:all=1.0-1
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
}

@test "deb: a glob installs every matching name, minus the excluded" {
	deb_plan 'alt-*'
	assert_status 0
	grep -qx 'alt-a 2.0-1 all' <<<"$output"
	grep -qx 'alt-b 1.0-1 all' <<<"$output"
	run --separate-stderr xs plan --variant=extract --keyring="$KEYRING" --include='alt-*' \
		--exclude=alt-b fixture "$FIXTURE_URL"
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
}

@test "deb: no match is an error naming the pattern and the versions there are" {
	deb_plan alt-a=3.0
	assert_status 1
	[[ "$stderr" == *'"alt-a=3.0": no package matches it'* ]]
	[[ "$stderr" == *"alt-a 1.0-1 all (fixture/main)"* ]]
	[[ "$stderr" == *"alt-a 2.0-1 all (site/main)"* ]]
	deb_plan alt-a/bookworm-backports
	assert_status 1
	[[ "$stderr" == *'"alt-a/bookworm-backports": no repository "bookworm-backports" is loaded (loaded: fixture/main, site/main)'* ]]
	deb_plan 'nosuch-*'
	assert_status 1
	[[ "$stderr" == *'package "nosuch-*" not found in fixture'* ]]
}

@test "rpm: NAME.ARCH, NAME-VERSION-RELEASE(.ARCH), globs and relations" {
	rpm_fixture_check
	rpm_plan busybox.x86_64
	assert_status 0
	grep -qx 'busybox 0:1.35.0-1 x86_64' <<<"$output"
	rpm_plan webapp-1.2-1
	assert_status 0
	grep -qx 'webapp 0:1.2-1 noarch' <<<"$output"
	rpm_plan epochpkg-3.1-1.noarch
	assert_status 0
	grep -qx 'epochpkg 2:3.1-1 noarch' <<<"$output"
	rpm_plan 'webapp>=1.2'
	assert_status 0
	grep -qx 'webapp 0:1.2-1 noarch' <<<"$output"
	rpm_plan 'extras-*'
	assert_status 0
	grep -qx 'extras-default 0:1.0-1 noarch' <<<"$output"
	grep -qx 'extras-optional 0:1.0-1 noarch' <<<"$output"
}

@test "rpm: a wrong arch or version is an error naming the pattern and what there is" {
	rpm_fixture_check
	rpm_plan busybox.noarch
	assert_status 1
	[[ "$stderr" == *'"busybox.noarch": no package matches it'* ]]
	[[ "$stderr" == *"busybox 1.35.0-1 x86_64 (fixture)"* ]]
	rpm_plan webapp-1.3
	assert_status 1
	[[ "$stderr" == *'"webapp-1.3": no package matches it'* ]]
	[[ "$stderr" == *"webapp 1.2-1 noarch"* ]]
}

# same_plan_as_dnf WEAK SPEC [XSTRAP ARGS...]: xstrap plan --include=SPEC on
# the rpm fixture equals dnf's transaction for SPEC (tests/lib/dnf-plan.py)
same_plan_as_dnf() {
	local weak=$1 spec=$2
	shift 2
	run --separate-stderr /usr/bin/python3 "$XSTRAP_TOP/tests/lib/dnf-plan.py" "$RPM_FIXTURES/repo" "$weak" "$spec"
	assert_status 0
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/dnf.txt"
	rpm_plan "$spec" "$@"
	assert_status 0
	printf '%s\n' "$output" | LC_ALL=C sort > "$BATS_TEST_TMPDIR/xstrap.txt"
	diff -u "$BATS_TEST_TMPDIR/dnf.txt" "$BATS_TEST_TMPDIR/xstrap.txt"
}

@test "rpm: @ENVIRONMENT by id and by name, and a group by name: dnf's transaction, weak deps off and on" {
	rpm_fixture_check
	/usr/bin/python3 -c 'import dnf' 2>/dev/null || skip "python3-dnf is not installed: nothing to compare with"
	same_plan_as_dnf 0 @fixture-server-environment
	# the environment is core and xen-guest; its options (printing, a
	# default one, and mdns) are not installed, as dnf 4 leaves them
	grep -q '^kernel ' "$BATS_TEST_TMPDIR/xstrap.txt"
	grep -q '^webapp ' "$BATS_TEST_TMPDIR/xstrap.txt"
	refute grep -q '^cups \|^avahi ' "$BATS_TEST_TMPDIR/xstrap.txt"
	same_plan_as_dnf 1 @fixture-server-environment --recommends
	same_plan_as_dnf 0 "@Fixture Server"
	same_plan_as_dnf 0 "@Zero-configuration networking"
	grep -q '^avahi ' "$BATS_TEST_TMPDIR/xstrap.txt"
}

@test "rpm: an unknown group or environment is named" {
	rpm_fixture_check
	rpm_plan "@No Such Thing"
	assert_status 1
	[[ "$stderr" == *'group or environment "No Such Thing" not found'* ]]
}
