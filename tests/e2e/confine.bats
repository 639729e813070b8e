#!/usr/bin/env bats
# Code that runs in the target stays there (issue 8): a Debian package whose
# postinst runs `hostname xstrap-evil` and then writes
# /proc/sys/kernel/hostname, installed by the target's own dpkg in a real
# bookworm minbase root. The postinst runs in its own UTS namespace (so
# hostname(1) succeeds there and renames nothing else) with /proc/sys
# read-only (so the write fails, `set -e` fails the postinst, dpkg
# --configure fails and the build stops naming it). The host keeps its name.
# The rpm side (rpm-hostile.bats) and executable hooks (hooks.bats) have
# the same test without the network.
#
# Needs: root, the host's Debian mirror (tests/lib/mirror.bash) through
# apt-cacher-ng; skips with a message otherwise.

bats_require_minimum_version 1.5.0

setup_file() {
	load ../lib/common
	load ../lib/mirror
	common_setup_file
	mirror_setup_file || return 0
	# evilhost, in a repository of its own signed with the fixture key
	local repo=$BATS_FILE_TMPDIR/repo pkg=$BATS_FILE_TMPDIR/evilhost
	mkdir -p "$pkg/DEBIAN" "$repo/pool/main" "$repo/dists/evil/main/binary-amd64"
	cat >"$pkg/DEBIAN/control" <<'CTL'
Package: evilhost
Version: 1.0
Architecture: all
Maintainer: xstrap tests <tests@xstrap.invalid>
Priority: optional
Section: misc
Description: renames the host it is installed on
 An xstrap test fixture.
CTL
	cat >"$pkg/DEBIAN/postinst" <<'SH'
#!/bin/sh
set -e
hostname xstrap-evil
mkdir -p /var/lib/evilhost
hostname >/var/lib/evilhost/saw
echo xstrap-evil >/proc/sys/kernel/hostname
SH
	chmod 0755 "$pkg/DEBIAN/postinst"
	dpkg-deb --root-owner-group -b "$pkg" "$repo/pool/main/evilhost_1.0_all.deb" >/dev/null
	(cd "$repo" && apt-ftparchive packages pool/main) >"$repo/dists/evil/main/binary-amd64/Packages"
	apt-ftparchive -o APT::FTPArchive::Release::Suite=evil -o APT::FTPArchive::Release::Codename=evil \
		-o APT::FTPArchive::Release::Architectures=amd64 -o APT::FTPArchive::Release::Components=main \
		release "$repo/dists/evil" >"$BATS_FILE_TMPDIR/Release"
	mv "$BATS_FILE_TMPDIR/Release" "$repo/dists/evil/Release"
	gpg --homedir "$XSTRAP_FIXTURES/gnupg" --batch --quiet --no-tty --clearsign \
		-o "$repo/dists/evil/InRelease" "$repo/dists/evil/Release"
}

setup() {
	load ../lib/common
	load ../lib/mirror
	common_setup
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
	T=$BATS_TEST_TMPDIR/target
}

@test "a postinst that runs hostname and writes /proc/sys/kernel/hostname leaves the host's name as it was" {
	local host_name now
	host_name=$(hostname)
	run --separate-stderr timeout 1800 "$XSTRAP" --cache-dir="$CACHE" --variant=minbase --include=evilhost \
		--source="deb [signed-by=$KEYRING] file://$BATS_FILE_TMPDIR/repo evil main" bookworm "$T" "$MIRROR"
	now=$(hostname)
	# a regression must not leave the test machine renamed
	[ "$now" = "$host_name" ] || hostname "$host_name"
	echo "$stderr"
	assert_eq "$host_name" "$now" "the host's name"
	# hostname(1) worked, in the postinst's own UTS namespace
	assert_eq xstrap-evil "$(cat "$T/var/lib/evilhost/saw")" "hostname inside the postinst"
	# the write to /proc/sys did not: the postinst failed (set -e), and
	# with it dpkg --configure and the build, naming the package
	assert_status 1
	assert_stderr_has 'dpkg --configure'
	assert_stderr_has 'evilhost'
	assert_stderr_has 'Read-only file system'
}
