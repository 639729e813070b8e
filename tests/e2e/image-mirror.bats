#!/usr/bin/env bats
# Images of real Debian roots (issue 9, "done when" 1 and 5), from the host's
# mirror through a private apt-cacher-ng:
#   xstrap --class=XEN_DOMU --include=linux-image-amd64,systemd-sysv \
#          --hostname=web1 --format=ext4 --size=2G bookworm web1.img
# built once in setup_file, next to the directory build of the same command
# (both with one SOURCE_DATE_EPOCH). The image is fsck-clean and equals the
# directory inode by inode (tests/lib/imgcmp.py: owners, modes, sizes,
# contents, symlinks, devices, xattrs and capabilities, hard links) outside
# the files that differ between any two builds (below). Plus: ping keeps its
# capability in a tar, and two ext4 builds of minbase are byte-identical
# once nothing in the tree records the build's time.
#
# Needs: root, apt-cacher-ng, a Debian mirror in the host's apt sources,
# e2fsprogs. Skips with a message otherwise.

bats_require_minimum_version 1.5.0

EPOCH=1700000000

# Files that differ between two builds of the same command (directory or
# image alike), as between two debootstrap runs (docs/compat.md): logs with
# timestamps, the ldconfig cache (inode numbers, ctimes), the random
# machine-id, dpkg's backups (the order of its last writes), and the
# initramfs (its cpio may record build times).
ALLOW='var/log/dpkg.log
var/log/alternatives.log
var/cache/ldconfig/aux-cache
etc/machine-id
var/lib/dpkg/*-old
boot/initrd.img-*'

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	export BUILD_FAILED=
	mirror_setup_file e2fsck debugfs || return 0
	MIRROR=$(host_mirror)
	export MIRROR
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-image.XXXXXX")
	export WORK IMG=$WORK/web1.img DIR=$WORK/web1
	local cmd=(--cache-dir="$WORK/cache" --class=XEN_DOMU --include=linux-image-amd64,systemd-sysv
		--hostname=web1 bookworm) t0=$SECONDS
	if ! SOURCE_DATE_EPOCH=$EPOCH timeout 1800 "$XSTRAP" "${cmd[@]}" "$DIR" "$MIRROR" >"$WORK/dir.log" 2>&1; then
		BUILD_FAILED="the directory build failed; see $WORK/dir.log"
	fi
	echo "# the directory build: $((SECONDS - t0)) s" >&3
	t0=$SECONDS
	if ! SOURCE_DATE_EPOCH=$EPOCH timeout 1800 "$XSTRAP" --format=ext4 --size=2G "${cmd[@]}" "$IMG" "$MIRROR" \
		>"$WORK/img.log" 2>&1; then
		BUILD_FAILED="$BUILD_FAILED the ext4 build failed; see $WORK/img.log"
	fi
	echo "# the ext4 build: $((SECONDS - t0)) s" >&3
}

teardown_file() {
	load ../lib/mirror
	[ -n "${WORK:-}" ] && safe_rmtree "$WORK"
	return 0
}

setup() {
	load ../lib/common
	load ../lib/mirror
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	if [ -n "$BUILD_FAILED" ]; then
		echo "$BUILD_FAILED; last lines:" >&2
		tail -n 20 "$WORK"/*.log >&2
		return 1
	fi
	W=$BATS_TEST_TMPDIR
	CACHE=$WORK/cache
}

@test "web1.img: a 2 GiB ext4 image that e2fsck -fn finds clean" {
	assert_eq $((2 << 30)) "$(stat -c %s "$IMG")" "image size"
	run e2fsck -fn "$IMG"
	assert_status 0
	dumpe2fs -h "$IMG" 2>/dev/null | grep -qE '^Filesystem volume name: +web1$'
}

@test "web1.img equals the directory build of the same command, inode by inode" {
	printf '%s\n' "$ALLOW" >"$W/allow"
	run python3 "$XSTRAP_TOP/tests/lib/imgcmp.py" "$IMG" "$DIR" --clamp="$EPOCH" --allow="$W/allow"
	if [ "$status" -ne 0 ]; then
		echo "$output" >&2
		return 1
	fi
	grep -q 'paths compared, 0 differ' <<<"$output"
}

@test "web1.img: ping keeps cap_net_raw, root is /dev/xvda, menu.lst is pygrub's and no grub.cfg shadows it" {
	run debugfs -R "ea_get -x /usr/bin/ping security.capability" "$IMG"
	grep -q '01 00 00 02 00 20 00 00' <<<"$output"
	debugfs -R "cat /etc/fstab" "$IMG" 2>/dev/null >"$W/fstab"
	has_line "$W/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
	debugfs -R "cat /boot/grub/menu.lst" "$IMG" 2>/dev/null >"$W/menu.lst"
	grep -qE '^kernel /boot/vmlinuz-[^ ]+-amd64 root=/dev/xvda ro' "$W/menu.lst"
	local f
	for f in /boot/grub/grub.cfg /boot/extlinux/extlinux.conf /extlinux.conf; do
		run debugfs -R "stat $f" "$IMG"
		grep -q 'File not found' <<<"$output"
	done
}

@test "--format=tar of bookworm keeps ping's cap_net_raw=ep (GNU tar --xattrs restores it)" {
	run --separate-stderr "$XSTRAP" --cache-dir="$CACHE" --variant=minbase --include=iputils-ping \
		--format=tar bookworm "$W/root.tar" "$MIRROR"
	assert_status 0
	mkdir "$W/x"
	tar -C "$W/x" --xattrs --xattrs-include='*' -xpf "$W/root.tar" ./usr/bin/ping
	getcap "$W/x/usr/bin/ping" | grep -q 'cap_net_raw=ep'
}

@test "two ext4 builds of bookworm minbase with one SOURCE_DATE_EPOCH are byte-identical" {
	local i
	for i in 1 2; do
		run --separate-stderr env SOURCE_DATE_EPOCH=$EPOCH "$XSTRAP" --cache-dir="$CACHE" --variant=minbase \
			--format=ext4 bookworm "$W/m$i.img" "$MIRROR"
		assert_status 0
	done
	cmp "$W/m1.img" "$W/m2.img" && return 0
	# Not identical: the image writer is deterministic (image.bats proves it
	# on the fixtures), so the trees differ. Until the cleanup stage
	# normalizes what records the build's time (issue 9), name those files
	# and skip; any other difference fails.
	mkdir "$W/t1" "$W/t2"
	debugfs -R "rdump / $W/t1" "$W/m1.img" 2>/dev/null
	debugfs -R "rdump / $W/t2" "$W/m2.img" 2>/dev/null
	run "$XSTRAP_TOP/tests/lib/treecmp.sh" "$W/t1" "$W/t2"
	local paths
	paths=$(cut -f1 <<<"$output" | grep -v '^treecmp:' | tr '\n' ' ')
	printf '%s\n' "$ALLOW" >"$W/allow"
	run "$XSTRAP_TOP/tests/lib/treecmp.sh" "$W/t1" "$W/t2" "$W/allow"
	if [ "$status" -ne 0 ]; then
		echo "the trees of two builds differ beyond the files that record the build's time:" >&2
		echo "$output" >&2
		return 1
	fi
	skip "the trees differ only where the build's time is recorded ($paths); byte-identical images need the cleanup stage's normalization"
}
