#!/usr/bin/env bats
# Packaging: the .deb (debian/, `make deb`) and the rpm spec
# (.dist/xstrap.spec, `make srpm`) build from `make dist`'s tarball of the
# committed tree, carry the same version as the binary, and the packaged
# binary finds its packaged data.
#
# Needs git (a checkout), dpkg-buildpackage, debhelper and lintian for the
# .deb, rpmbuild for the source rpm (tests/lib/deps.sh check installs them).

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	git -C "$XSTRAP_TOP" rev-parse HEAD >/dev/null 2>&1 || skip "not a git checkout: make dist archives HEAD"
	OUT=$BATS_TEST_TMPDIR/build
	VERSION=$(sed -n 's/.*XS_VERSION "\(.*\)".*/\1/p' "$XSTRAP_TOP/core/version.h")
}

@test "packaging: core/version.h, debian/changelog and xstrap.spec name one version" {
	[ -n "$VERSION" ]
	run dpkg-parsechangelog -l "$XSTRAP_TOP/debian/changelog" -S Version
	assert_eq "$VERSION" "$output" "debian/changelog's version"
	run sed -n 's/^Version:[[:space:]]*//p' "$XSTRAP_TOP/.dist/xstrap.spec"
	assert_eq "$VERSION" "$output" ".dist/xstrap.spec's Version"
	run "$XSTRAP" --version
	assert_eq "xstrap $VERSION" "$output"
}

@test "packaging: make srpm makes a source rpm that asks for the Fedora/EL build dependencies" {
	command -v rpmbuild >/dev/null || skip "rpmbuild is not installed"
	run own_make BUILD="$OUT" srpm
	assert_status 0
	local srpm=$OUT/xstrap-$VERSION-1.src.rpm
	[ -f "$srpm" ]
	run rpm -qp --requires "$srpm"
	assert_status 0
	has_line <(echo "$output") "libsolv-devel"
	has_line <(echo "$output") "lua-devel >= 5.4"
	has_line <(echo "$output") "e2fsprogs-devel"
	run rpm -qpl "$srpm"
	has_line <(echo "$output") "xstrap-$VERSION.tar.gz"
}

@test "packaging: make deb builds a lintian-clean .deb whose binary plans from its own data" {
	command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed"
	command -v dh >/dev/null || skip "debhelper is not installed"
	command -v lintian >/dev/null || skip "lintian is not installed"
	# make deb runs lintian and fails on an error
	run own_make BUILD="$OUT" deb
	if [ "$status" -ne 0 ]; then tail -n 40 <<<"$output" >&2; fi
	assert_status 0
	local deb
	deb=$(ls "$OUT"/deb/xstrap_"$VERSION"_*.deb)
	local list=$BATS_TEST_TMPDIR/deb.list
	dpkg-deb -c "$deb" | awk '{ print $6 }' >"$list"
	has_line "$list" "./usr/bin/xstrap"
	has_line "$list" "./usr/share/xstrap/repos/debian.conf"
	has_line "$list" "./usr/share/xstrap/lua/xstrap.lua"
	has_line "$list" "./usr/share/man/man1/xstrap.1.gz"
	has_line "$list" "./usr/share/man/man5/xstrap-hooks.5.gz"
	has_line "$list" "./usr/share/bash-completion/completions/xstrap"
	run dpkg-deb -f "$deb" Depends
	[[ "$output" == *"gpg"* ]]
	# unpacked anywhere, the binary finds usr/share/xstrap beside its bin/
	local root=$BATS_TEST_TMPDIR/root
	dpkg-deb -x "$deb" "$root"
	run --separate-stderr env -u XSTRAP_DATADIR "$root/usr/bin/xstrap" plan --cache-dir="$CACHE" \
		--variant=extract --keyring="$KEYRING" --include=hello-fixture fixture "$FIXTURE_URL"
	assert_status 0
	[[ "$output" == *"hello-fixture"* ]]
}
