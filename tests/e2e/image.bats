#!/usr/bin/env bats
# Filesystem images (--format=ext2|ext3|ext4) and the faithful tar, on the
# fixture repositories: the image is fsck-clean and equals the directory
# build of the same command inode by inode (tests/lib/imgcmp.py: types,
# modes, owners, mtimes, sizes, contents, symlink targets, device numbers,
# xattrs with file capabilities and ACLs, link counts, hard links), two
# builds with the same SOURCE_DATE_EPOCH are byte-identical, and the errors
# (a size too small, a directory as target) leave nothing behind.
#
# The trees hold what packages rarely carry: tests/fixtures/hooks/
# special-files.sh adds xattrs, a capability, ACLs, devices, a fifo, a
# socket, symlinks fast and slow, hard links, a sparse file, a 20 MB file,
# a directory of 3000 entries.
#
# Needs root (device nodes, owners), e2fsprogs (e2fsck, debugfs), setcap,
# setfacl/getfacl (acl), setfattr/getfattr (attr).

bats_require_minimum_version 1.5.0
load ../lib/common

EPOCH=1700000000

setup_file() {
	common_setup_file
	local t
	for t in e2fsck debugfs dumpe2fs blkid setcap getcap setfacl getfacl setfattr getfattr; do
		command -v "$t" >/dev/null || { export IMAGE_MISSING="$t is not installed"; return 0; }
	done
	[ -z "${XSTRAP_MISSING_TOOL:-}" ] || return 0
	# one directory build and one ext4 build of the same command, shared
	export D=$BATS_FILE_TMPDIR/dir IMG=$BATS_FILE_TMPDIR/root.ext4 BUILD_FAILED=
	local c=$BATS_FILE_TMPDIR/cache
	SOURCE_DATE_EPOCH=$EPOCH fixture_build --cache-dir="$c" fixture "$D" >"$BATS_FILE_TMPDIR/dir.log" 2>&1 ||
		BUILD_FAILED="the directory build failed: $(tail -n 5 "$BATS_FILE_TMPDIR/dir.log")"
	SOURCE_DATE_EPOCH=$EPOCH fixture_build --cache-dir="$c" --format=ext4 fixture "$IMG" \
		>"$BATS_FILE_TMPDIR/img.log" 2>&1 ||
		BUILD_FAILED="$BUILD_FAILED the ext4 build failed: $(tail -n 5 "$BATS_FILE_TMPDIR/img.log")"
	export BUILD_FAILED
}

teardown() {
	if [ -n "${LOOPDEV:-}" ]; then
		losetup -d "$LOOPDEV"
	fi
}

setup() {
	common_setup
	[ -z "${IMAGE_MISSING:-}" ] || skip "$IMAGE_MISSING"
	[ -z "${BUILD_FAILED:-}" ] || { echo "$BUILD_FAILED" >&2; return 1; }
	W=$BATS_TEST_TMPDIR
}

# fixture_build ARGS...: the fixture's packages plus the special files
fixture_build() {
	"$XSTRAP" --variant=extract --include=dep-fixture --keyring="$fixture_dir/keyring.asc" --hostname=web1 \
		--hook=cleanup:"$XSTRAP_TOP/tests/fixtures/hooks/special-files.sh" "$@" "file://$fixture_dir/repo"
}

# build ARGS... SUITE TARGET: `run` the fixture build with this test's cache
build() {
	run --separate-stderr fixture_build --cache-dir="$CACHE" "$@"
}

# fsck_clean IMAGE: e2fsck -fn finds nothing
fsck_clean() {
	run e2fsck -fn "$1"
	if [ "$status" -ne 0 ]; then
		echo "e2fsck -fn $1: exit $status" >&2
		echo "$output" >&2
		return 1
	fi
}

# same_tree IMAGE DIR: equal inode by inode, mtimes clamped to EPOCH; the
# image's fstab (and the /proc, /sys it mounts) come from 10-fstab.lua,
# which the IMAGE class runs in image builds only
same_tree() {
	printf '%s\n' etc/fstab proc sys >"$BATS_TEST_TMPDIR/image-only"
	run python3 "$XSTRAP_TOP/tests/lib/imgcmp.py" "$1" "$2" --clamp="$EPOCH" --allow="$BATS_TEST_TMPDIR/image-only"
	if [ "$status" -ne 0 ]; then
		echo "$1 differs from $2:" >&2
		echo "$output" >&2
		return 1
	fi
}

# features IMAGE: the filesystem's feature list, one per line
features() {
	dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Filesystem features: *//p' | tr ' ' '\n'
}

# ino IMAGE PATH: the inode number of PATH in IMAGE
ino() {
	debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\) .*/\1/p'
}

@test "ext4: e2fsck -fn is clean; the features a 4.19 kernel and older e2fsprogs read, no orphan_file, no metadata_csum_seed" {
	fsck_clean "$IMG"
	local f
	f=$(features "$IMG")
	for want in has_journal extent 64bit flex_bg metadata_csum dir_index ext_attr huge_file dir_nlink extra_isize; do
		grep -qx "$want" <<<"$f" || { echo "feature $want missing: $f" >&2; return 1; }
	done
	refute grep -qxE 'orphan_file|metadata_csum_seed|inline_data|casefold|encrypt|verity' <<<"$f"
	# 4 KiB blocks, 256-byte inodes
	dumpe2fs -h "$IMG" 2>/dev/null | grep -qE '^Block size: +4096$'
	dumpe2fs -h "$IMG" 2>/dev/null | grep -qE '^Inode size:[[:space:]]+256$'
}

@test "ext4: the image equals the directory build inode by inode (owners, modes, xattrs, caps, ACLs, devices, links)" {
	same_tree "$IMG" "$D"
}

@test "ext4: spot checks a user would make: ping-style capability, ACL, hard links share an inode, device numbers" {
	run debugfs -R "ea_get -x /srv/special/cap security.capability" "$IMG"
	grep -q '01 00 00 02 00 20 00 00' <<<"$output"
	run debugfs -R "ea_list /srv/special/acl" "$IMG"
	grep -q 'system.posix_acl_access' <<<"$output"
	local a b c
	a=$(ino "$IMG" /srv/special/hard1)
	b=$(ino "$IMG" /srv/special/hard2)
	c=$(ino "$IMG" /srv/special/dir/hard3)
	[ -n "$a" ]
	assert_eq "$a" "$b" "inode of hard2"
	assert_eq "$a" "$c" "inode of dir/hard3"
	debugfs -R "stat /srv/special/hard1" "$IMG" 2>/dev/null | grep -qE 'Links: 3 '
	debugfs -R "stat /srv/special/bigdev" "$IMG" 2>/dev/null | grep -q 'major/minor number: 300:70000'
	debugfs -R "stat /srv/special/sda1" "$IMG" 2>/dev/null | grep -q 'major/minor number: 08:01'
	debugfs -R "stat /srv/special/slow-link" "$IMG" 2>/dev/null | grep -q 'Type: symlink'
}

@test "ext4: a sparse file keeps its holes (20 MB long, two data extents)" {
	local blocks
	blocks=$(debugfs -R "stat /srv/special/sparse" "$IMG" 2>/dev/null | sed -n 's/.*Blockcount: \([0-9]*\).*/\1/p')
	# Blockcount is in 512-byte sectors: 16 KiB of head and 8 KiB of middle
	[ -n "$blocks" ]
	[ "$blocks" -le 64 ]
	debugfs -R "stat /srv/special/sparse" "$IMG" 2>/dev/null | grep -q 'Size: 20971520'
}

@test "ext4: UUID and label known to hooks: x.fs_uuid in fstab (IMAGE class) equals blkid's, label is the host name" {
	local uuid
	uuid=$(blkid -o value -s UUID "$IMG")
	[ -n "$uuid" ]
	assert_eq web1 "$(blkid -o value -s LABEL "$IMG")" "label"
	debugfs -R "cat /etc/fstab" "$IMG" 2>/dev/null >"$W/fstab"
	has_line "$W/fstab" "UUID=$uuid / ext4 errors=remount-ro 0 1"
	# the directory build has no image: its fstab stays unconfigured
	refute grep -q UUID= "$D/etc/fstab"
}

@test "ext4: Lua hooks see x.fs_type, x.fs_uuid, x.fs_label; nil in a directory build" {
	cat >"$W/facts.lua" <<'EOF'
return { run = function(x)
	x.write("/etc/fs-facts", tostring(x.fs_type) .. " " .. tostring(x.fs_uuid) .. " " .. tostring(x.fs_label) .. "\n")
end }
EOF
	build --hook=customize:"$W/facts.lua" --fs-label=guest-root --format=ext4 fixture "$W/i.ext4"
	assert_status 0
	debugfs -R "cat /etc/fs-facts" "$W/i.ext4" 2>/dev/null >"$W/facts"
	assert_eq "ext4 $(blkid -o value -s UUID "$W/i.ext4") guest-root" "$(cat "$W/facts")" "facts"
	assert_eq guest-root "$(blkid -o value -s LABEL "$W/i.ext4")" "label"
	build --hook=customize:"$W/facts.lua" fixture "$W/dir"
	assert_status 0
	assert_eq "nil nil nil" "$(cat "$W/dir/etc/fs-facts")" "facts of a directory build"
}

@test "ext4 with XEN_DOMU: fstab keeps root on the whole /dev/xvda" {
	build --class=XEN_DOMU --format=ext4 fixture "$W/x.ext4"
	assert_status 0
	debugfs -R "cat /etc/fstab" "$W/x.ext4" 2>/dev/null >"$W/fstab"
	has_line "$W/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
	refute grep -q UUID= "$W/fstab"
	# pygrub reads menu.lst only when nothing shadows it
	run debugfs -R "stat /boot/grub/grub.cfg" "$W/x.ext4"
	grep -q 'File not found' <<<"$output"
}

@test "ext4 is reproducible: the same SOURCE_DATE_EPOCH gives a byte-identical image, another epoch another UUID" {
	export SOURCE_DATE_EPOCH=$EPOCH
	sleep 1 # a clock leaking into the image would now differ
	build --format=ext4 fixture "$W/again.ext4"
	assert_status 0
	cmp "$IMG" "$W/again.ext4"
	export SOURCE_DATE_EPOCH=$((EPOCH + 1))
	build --format=ext4 fixture "$W/other.ext4"
	assert_status 0
	[ "$(blkid -o value -s UUID "$W/other.ext4")" != "$(blkid -o value -s UUID "$IMG")" ]
}

@test "ext4 without SOURCE_DATE_EPOCH: random UUIDs, times kept as they are (a 2100 mtime too)" {
	unset SOURCE_DATE_EPOCH
	build --format=ext4 fixture "$W/a.ext4"
	assert_status 0
	build --format=ext4 fixture "$W/b.ext4"
	assert_status 0
	[ "$(blkid -o value -s UUID "$W/a.ext4")" != "$(blkid -o value -s UUID "$W/b.ext4")" ]
	debugfs -R "stat /srv/special/future" "$W/a.ext4" 2>/dev/null | grep -qE 'mtime: .* -- .* 2100$'
	debugfs -R "stat /srv/special/sparse" "$W/a.ext4" 2>/dev/null | grep -qE 'mtime: .* -- .* 1980$'
	fsck_clean "$W/a.ext4"
}

@test "ext3 and ext2: fsck-clean, equal to the directory build; ext3 has a journal and no extents, ext2 neither" {
	export SOURCE_DATE_EPOCH=$EPOCH
	build --format=ext3 fixture "$W/r.ext3"
	assert_status 0
	fsck_clean "$W/r.ext3"
	same_tree "$W/r.ext3" "$D"
	features "$W/r.ext3" | grep -qx has_journal
	refute grep -qxE 'extent|metadata_csum|64bit|flex_bg' <<<"$(features "$W/r.ext3")"
	build --format=ext2 fixture "$W/r.ext2"
	assert_status 0
	fsck_clean "$W/r.ext2"
	same_tree "$W/r.ext2" "$D"
	refute grep -qxE 'has_journal|extent' <<<"$(features "$W/r.ext2")"
}

@test "--size=96M: the image is exactly that large and fsck-clean" {
	build --format=ext4 --size=96M fixture "$W/s.ext4"
	assert_status 0
	assert_eq $((96 << 20)) "$(stat -c %s "$W/s.ext4")" "image size"
	fsck_clean "$W/s.ext4"
}

@test "--size too small: the error names the image, what it needs and what was given; nothing is left behind" {
	build --format=ext4 --size=16M fixture "$W/small.ext4"
	assert_status 1
	assert_error_line "small\.ext4: the tree does not fit: it needs at least [0-9.]+ MiB .* --size gives 16\.0 MiB"
	[ ! -e "$W/small.ext4" ]
	[ ! -e "$W/small.ext4.tmp" ]
	[ ! -e "$W/small.ext4.xstrap-tmp" ]
}

@test "an existing directory as the target of --format=ext4 is refused before anything is built" {
	mkdir "$W/adir"
	build --format=ext4 fixture "$W/adir"
	assert_status 1
	assert_error_line "adir: is a directory; --format=ext4 writes an image file or a block device"
	[ -z "$(ls -A "$W/adir")" ]
	[ ! -e "$W/adir.xstrap-tmp" ]
}

@test "--size and --fs-label: refused for other formats, a label longer than 16 bytes refused" {
	build --format=tar --size=1G fixture "$W/t.tar"
	assert_status 1
	assert_error_line "--size and --fs-label are for images"
	build --format=ext4 --fs-label=a-label-longer-than-16 fixture "$W/l.ext4"
	assert_status 1
	assert_error_line "at most 16 bytes"
	[ ! -e "$W/l.ext4" ]
	run --separate-stderr "$XSTRAP" --size=lots fixture "$W/x.ext4"
	assert_status 2
	assert_stderr_has "--size: expected a size .*found \"lots\""
}

@test "a block device target (a loop device): written in place, its whole size, equal to the directory build" {
	truncate -s 160M "$W/backing"
	LOOPDEV=$(losetup -f --show "$W/backing" 2>/dev/null) || skip "losetup cannot attach a loop device here"
	export SOURCE_DATE_EPOCH=$EPOCH
	build --format=ext4 fixture "$LOOPDEV"
	assert_status 0
	fsck_clean "$LOOPDEV"
	same_tree "$LOOPDEV" "$D"
	local blocks
	blocks=$(dumpe2fs -h "$LOOPDEV" 2>/dev/null | sed -n 's/^Block count: *//p')
	assert_eq $((160 << 20)) $((blocks * 4096)) "filesystem size"
	# a size larger than the device is refused before the build
	build --format=ext4 --size=1G fixture "$LOOPDEV"
	assert_status 1
	assert_error_line "asks for 1024\.0 MiB, the device holds 160\.0 MiB"
	refute grep -q 'to fetch from' <<<"$stderr"
}

@test "tar keeps xattrs, the file capability and ACLs; GNU tar restores them; still byte-reproducible" {
	export SOURCE_DATE_EPOCH=$EPOCH
	build --format=tar fixture "$W/t.tar"
	assert_status 0
	assert_stderr_has "srv/special/sock: a socket; a tar cannot hold it, left out"
	mkdir "$W/x"
	tar -C "$W/x" --xattrs --xattrs-include='*' --acls -xpf "$W/t.tar"
	getcap "$W/x/srv/special/cap" | grep -q 'cap_net_raw=ep'
	getfacl -n "$W/x/srv/special/acl" 2>/dev/null | grep -qx 'user:1234:rwx'
	getfacl -n "$W/x/srv/special/acl-dir" 2>/dev/null | grep -qx 'default:user:1234:r-x'
	assert_eq hello "$(getfattr --only-values -n user.comment "$W/x/srv/special/xattr")" "user.comment"
	# the whole tree, sockets aside, as the directory build has it
	echo 'srv/special/sock' >"$W/allow"
	run "$XSTRAP_TOP/tests/lib/treecmp.sh" "$D" "$W/x" "$W/allow"
	assert_status 0
	sleep 1
	build --format=tar fixture "$W/t2.tar"
	assert_status 0
	cmp "$W/t.tar" "$W/t2.tar"
}

@test "rpm-md: the test distribution's @xen-guest as an ext4 image is fsck-clean and equals its directory build" {
	rpm_fixture_setup
	rpm_fixture_check
	export SOURCE_DATE_EPOCH=$EPOCH
	local args=(--cache-dir="$CACHE" --repo-type=rpm-md --keyring="$RPM_KEYRING" --class=XEN_DOMU
		--include=@core,@xen-guest --hostname=xen-guest1)
	run --separate-stderr "$XSTRAP" "${args[@]}" fixture "$W/rdir" "$RPM_REPO"
	assert_status 0
	run --separate-stderr "$XSTRAP" "${args[@]}" --format=ext4 fixture "$W/r.ext4" "$RPM_REPO"
	assert_status 0
	fsck_clean "$W/r.ext4"
	# the rpm database records each install's time (rpm's own clock, not
	# SOURCE_DATE_EPOCH): two builds' databases differ, so it is left out
	printf '%s\n' 'var/lib/rpm/rpmdb.sqlite*' >"$W/allow"
	run python3 "$XSTRAP_TOP/tests/lib/imgcmp.py" "$W/r.ext4" "$W/rdir" --clamp="$EPOCH" --allow="$W/allow"
	if [ "$status" -ne 0 ]; then
		echo "$output" >&2
		return 1
	fi
	debugfs -R "cat /boot/grub/menu.lst" "$W/r.ext4" 2>/dev/null | grep -q '^kernel /boot/vmlinuz-'
}
