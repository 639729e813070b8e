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

rpm_plan() {
	run --separate-stderr xs plan --repo-type=rpm-md --variant=custom --keyring="$RPM_KEYRING" \
		--include="$1" fixture "$RPM_REPO"
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
