#!/usr/bin/env bats
# Foreign-architecture builds (issue 11, "done when" 2 and the emulation
# half of 3): as root, `xstrap --arch=arm64 --variant=minbase bookworm T`
# runs the arm64 maintainer scripts through qemu-user (binfmt_misc) and
# gives a root whose dpkg --audit, run through the same emulation, is
# silent, with every package `ii`, /var/lib/dpkg/arch saying arm64 and the
# package set (names, versions) of mmdebstrap's arm64 minbase with its
# merged-usr hook (which, NOTES.md, is debootstrap's set). Without an
# enabled emulator the build stops before any download with one line that
# names qemu-user-static.
#
# Needs root, the host's mirror (through the tests' apt-cacher-ng),
# qemu-user-static with binfmt_misc (mounted here when it is not), and for
# the reference root mmdebstrap and arch-test. Skips otherwise. The rpm
# test distribution has x86_64 and noarch packages only: an arm64 build
# from it is refused in one line (the last test).
bats_require_minimum_version 1.5.0

BINFMT=/proc/sys/fs/binfmt_misc

setup_file() {
	load ../lib/common
	load ../lib/mirror
	rpm_fixture_setup
	mirror_setup_file mmdebstrap || true
	MIRROR=$(host_mirror)
	export MIRROR
	export ARCH_SKIP=
	if [ "$(id -u)" -ne 0 ]; then
		ARCH_SKIP="needs root (binfmt_misc)"
	else
		[ -e "$BINFMT/status" ] || mount -t binfmt_misc binfmt_misc "$BINFMT" 2>/dev/null || true
		[ -e "$BINFMT/qemu-aarch64" ] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
		if [ ! -e "$BINFMT/qemu-aarch64" ]; then
			ARCH_SKIP="no binfmt_misc entry qemu-aarch64 (install qemu-user-static and binfmt-support)"
		elif ! head -1 "$BINFMT/qemu-aarch64" | grep -qx enabled; then
			echo 1 >"$BINFMT/qemu-aarch64"
		fi
	fi
}

setup() {
	load ../lib/common
	load ../lib/mirror
	common_setup
}

need_arm64() {
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	[ -z "$ARCH_SKIP" ] || skip "$ARCH_SKIP"
}

teardown() {
	# the error test turns the emulator off: always turn it back on
	[ ! -e "$BINFMT/qemu-aarch64" ] || echo 1 >"$BINFMT/qemu-aarch64"
}

@test "arch: arm64 minbase through qemu-user: dpkg --audit silent, every package ii, dpkg/arch arm64, mmdebstrap's package set" {
	need_arm64
	local t=$BATS_TEST_TMPDIR/root ref
	run -0 --separate-stderr "$XSTRAP" -q --cache-dir="$BATS_FILE_TMPDIR/cache" --arch=arm64 --variant=minbase \
		bookworm "$t" "$MIRROR"
	# the root's own programs are arm64 and run through the emulator
	file -L "$t/usr/bin/dpkg" | grep -q 'ARM aarch64'
	assert_eq aarch64 "$(chroot "$t" uname -m)" "uname -m in the root"
	run -0 chroot "$t" dpkg --audit
	assert_eq "" "$output" "dpkg --audit"
	assert_eq arm64 "$(cat "$t/var/lib/dpkg/arch")" "/var/lib/dpkg/arch"
	assert_eq arm64 "$(chroot "$t" dpkg --print-architecture)" "dpkg --print-architecture"
	pkgset "$t" >"$BATS_TEST_TMPDIR/xstrap.pkgs"
	assert_eq "" "$(awk '$3 != "ii"' "$BATS_TEST_TMPDIR/xstrap.pkgs")" "packages not ii"
	ref=$(cached_root mmdebstrap-bookworm-minbase-arm64 bookworm mmdebstrap --arch=arm64 --variant=minbase \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr bookworm) || return 1
	pkgset "$ref" >"$BATS_TEST_TMPDIR/mmdebstrap.pkgs"
	diff -u "$BATS_TEST_TMPDIR/mmdebstrap.pkgs" "$BATS_TEST_TMPDIR/xstrap.pkgs"
}

@test "arch: arm64 without an enabled emulator: one line naming qemu-user-static, before any download, no target left" {
	need_arm64
	local t=$BATS_TEST_TMPDIR/root
	echo 0 >"$BINFMT/qemu-aarch64"
	run -1 --separate-stderr "$XSTRAP" --cache-dir="$BATS_TEST_TMPDIR/cache" --arch=arm64 --variant=minbase \
		bookworm "$t" "$MIRROR"
	echo 1 >"$BINFMT/qemu-aarch64"
	assert_error_line 'cannot run arm64 programs.*install qemu-user-static'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
	[ ! -e "$t" ]
	[ ! -e "$BATS_TEST_TMPDIR/cache/debs" ] || assert_eq "" "$(ls "$BATS_TEST_TMPDIR/cache/debs")" "downloaded packages"
}

@test "arch: an architecture xstrap cannot emulate is refused in one line" {
	need_arm64
	run -1 --separate-stderr "$XSTRAP" --cache-dir="$BATS_TEST_TMPDIR/cache" --arch=sparc64 --variant=minbase \
		bookworm "$BATS_TEST_TMPDIR/root" "$MIRROR"
	assert_error_line 'sparc64'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
}

@test "arch: an rpm repository without packages of the architecture is refused in one line naming both" {
	rpm_fixture_check
	[ -z "$ARCH_SKIP" ] || skip "$ARCH_SKIP"
	run -1 --separate-stderr "$XSTRAP" --cache-dir="$BATS_TEST_TMPDIR/cache" --arch=arm64 --repo-type=rpm-md \
		--keyring="$RPM_KEYRING" --include=@core fixture "$BATS_TEST_TMPDIR/root" "$RPM_REPO"
	assert_error_line '--arch=arm64: the repositories of fixture have no aarch64 packages \(they have x86_64 and noarch\)'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
}
