#!/usr/bin/env bats
# A bootable bookworm Xen guest in one command (issue 9, "done when" 1-4):
#   SOURCE_DATE_EPOCH=... xstrap --class=XEN_DOMU --include=linux-image-amd64,systemd-sysv \
#          --hostname=web1 --format=ext4 --size=2G --swap=256M --xen-config=web1.cfg bookworm web1.img
# built once in setup_file from the host's mirror, then proven with Xen's
# own tools and QEMU:
#   - the image is fsck-clean;
#   - web1.cfg parses with libxlutil (xl's parser) and holds the values;
#   - the swap image is what blkid and swaplabel recognise;
#   - Xen's pygrub lists the menu entry and extracts kernel and initrd;
#   - those boot the image under QEMU (TCG) to "web1 login:".
# A binary without the image writer (no --size) builds the directory and
# the test makes the image with mke2fs -d, as the config's comment says.
# The tests read the guest's /boot, /etc and /var/log from $G: the
# directory build, or those trees copied out of the image with debugfs.
#
# Needs: root, the host's mirror (through the tests' apt-cacher-ng),
# libxen-dev, xen-utils-4.17 (pygrub), qemu-system-x86, e2fsprogs. Skips
# with a message otherwise.
bats_require_minimum_version 1.5.0

PYGRUB=/usr/lib/xen-4.17/bin/pygrub
export SDE=1700000000

# build_guest LOG: the build, in $WORK with relative names as a user types
# them (the config must name absolute paths), under SOURCE_DATE_EPOCH so the
# image booted is the reproducible one (empty machine-id, no build logs)
build_guest() {
	local out=(web1) fmt=()
	if [ -n "$IMAGE_WRITER" ]; then
		out=(web1.img)
		fmt=(--format=ext4 --size=2G)
	fi
	(cd "$WORK" && SOURCE_DATE_EPOCH=$SDE timeout 1800 "$XSTRAP" --cache-dir="$WORK/cache" \
		--class=XEN_DOMU --include=linux-image-amd64,systemd-sysv --hostname=web1 "${fmt[@]}" \
		--swap=256M --xen-config=web1.cfg bookworm "${out[@]}" "$MIRROR") >"$1" 2>&1
}

# image_trees: /boot, /etc, /var/log and /var/cache/ldconfig of the image into $G
image_trees() {
	mkdir -p "$G/var/cache"
	debugfs -R "rdump /boot /etc $G" "$IMG" &&
		debugfs -R "rdump /var/log $G/var" "$IMG" &&
		debugfs -R "rdump /var/cache/ldconfig $G/var/cache" "$IMG"
}

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	XSTRAP=$(realpath "${XSTRAP:-$XSTRAP_TOP/build/xstrap}")
	export XSTRAP
	load ../lib/mirror
	load ../lib/xen
	export IMAGE_FAILED=
	mirror_setup_file mke2fs debugfs e2fsck qemu-system-x86_64 blkid swaplabel || return 0
	if [ ! -x "$PYGRUB" ]; then
		export MIRROR_SKIP="$PYGRUB is missing (Debian package xen-utils-4.17)"
		return 0
	fi
	MIRROR=$(host_mirror)
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-xen-image.XXXXXX")
	export MIRROR WORK G=$WORK/web1 IMG=$WORK/web1.img CFG=$WORK/web1.cfg IMAGE_WRITER=
	"$XSTRAP" --help | grep -q -- '--size=' && IMAGE_WRITER=1
	xl_parse_setup "$WORK"
	local t0=$SECONDS
	if ! build_guest "$WORK/build.log"; then
		IMAGE_FAILED="xstrap --class=XEN_DOMU ... --xen-config=web1.cfg bookworm failed; see $WORK/build.log"
		return 0
	fi
	echo "# xstrap web1${IMAGE_WRITER:+.img --format=ext4}: $((SECONDS - t0)) s" >&3
	if [ -n "$IMAGE_WRITER" ]; then
		image_trees >"$WORK/debugfs.log" 2>&1 || IMAGE_FAILED="debugfs rdump of $IMG failed; see $WORK/debugfs.log"
	# the ext4 image, with the features an older dom0 reads
	elif ! mke2fs -q -t ext4 -O ^orphan_file,^metadata_csum_seed -d "$G" "$IMG" 2G >"$WORK/mke2fs.log" 2>&1; then
		IMAGE_FAILED="mke2fs -d $G failed; see $WORK/mke2fs.log"
	fi
}

teardown_file() {
	load ../lib/mirror
	[ -n "${WORK:-}" ] && safe_rmtree "$WORK"
	return 0
}

setup() {
	load ../lib/common
	load ../lib/mirror
	load ../lib/xen
	load ../lib/boot
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	if [ -n "$IMAGE_FAILED" ]; then
		echo "$IMAGE_FAILED; last lines:" >&2
		tail -n 40 "$WORK/build.log" >&2
		return 1
	fi
}

# pygrub_extract DIR: run Xen's pygrub on the image into the fresh DIR; print its output
pygrub_extract() {
	mkdir "$1"
	"$PYGRUB" -q --output-directory="$1" "$IMG" 2>"$1.err"
}

@test "xen-image: the image is fsck-clean" {
	run e2fsck -fn "$IMG"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
}

@test "xen-image: web1.cfg parses with libxlutil and holds name, memory, vcpus, disks, vif, pygrub" {
	xl_values "$CFG"
	has_line "$CFG.values" "name web1"
	has_line "$CFG.values" "memory 512"
	has_line "$CFG.values" "vcpus 1"
	has_line "$CFG.values" "bootloader pygrub"
	has_line "$CFG.values" "disk 0 $IMG xvda raw"
	has_line "$CFG.values" "disk 1 $WORK/web1-swap.img xvdb raw"
	has_line "$CFG.values" "on_poweroff destroy"
	has_line "$CFG.values" "on_reboot restart"
	has_line "$CFG.values" "on_crash restart"
	# in Xen's range, and the host name's: the same for every build of web1
	has_line "$CFG.values" "vif mac=$(xen_mac web1)"
	grep -qE '^vif mac=00:16:3e(:[0-9a-f]{2}){3}$' "$CFG.values"
	refute grep -q '^kernel ' "$CFG.values"
}

@test "xen-image: the swap image is a sparse swap area blkid and swaplabel recognise, named in fstab" {
	assert_swap_image "$WORK/web1-swap.img" web1-swap
	assert_eq $((256 << 20)) "$(stat -c %s "$WORK/web1-swap.img")" "size of web1-swap.img"
	has_line "$G/etc/fstab" "/dev/xvdb none swap sw 0 0"
	has_line "$G/etc/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
}

@test "xen-image: under SOURCE_DATE_EPOCH: machine-id empty, no build logs, the swap UUID derived from name and date" {
	[ -f "$G/etc/machine-id" ]
	assert_eq "" "$(cat "$G/etc/machine-id")" "/etc/machine-id"
	[ ! -e "$G/var/log/dpkg.log" ]
	[ ! -e "$G/var/log/alternatives.log" ]
	[ ! -e "$G/var/cache/ldconfig/aux-cache" ]
	# SHA-256 of name and date, RFC 9562 version 8: every build of web1 at this date
	local h
	h=$(printf 'xstrap swap uuid\n%s\n%s' web1 "$SDE" | sha256sum | cut -c1-32)
	assert_eq "$(printf '%s-%s-%02x%s-%02x%s-%s' "${h:0:8}" "${h:8:4}" $(((0x${h:12:2} & 0x0f) | 0x80)) "${h:14:2}" \
		$(((0x${h:16:2} & 0x3f) | 0x80)) "${h:18:2}" "${h:20:12}")" \
		"$(blkid -o value -s UUID "$WORK/web1-swap.img")" "the swap image's UUID"
}

@test "xen-image: Xen's pygrub lists the menu entry and extracts the kernel and initrd" {
	local ver
	ver=$(ls "$G/boot" | sed -n 's/^vmlinuz-//p')
	[ -n "$ver" ]
	run "$PYGRUB" -q -l "$IMG"
	[ "$status" -eq 0 ]
	[[ "$output" == *"title: Debian GNU/Linux 12 (bookworm), kernel $ver"* ]]
	[[ "$output" == *"kernel: /boot/vmlinuz-$ver"* ]]
	[[ "$output" == *"initrd: /boot/initrd.img-$ver"* ]]
	[[ "$output" == *"args: root=/dev/xvda ro console=hvc0"* ]]
	pygrub_extract "$BATS_TEST_TMPDIR/pg" >"$BATS_TEST_TMPDIR/pg.out"
	assert_same_file "$G/boot/vmlinuz-$ver" "$BATS_TEST_TMPDIR"/pg/boot_kernel.*
	assert_same_file "$G/boot/initrd.img-$ver" "$BATS_TEST_TMPDIR"/pg/boot_ramdisk.*
}

# Under QEMU the disk is /dev/vda and the console ttyS0: the kernel line's
# root= is what mounts root (fstab's /dev/xvda line only gives remount
# options for /, so it does not stop the boot); Xen's hvc0 and xvdb do not
# exist there, so their units are masked on the kernel line, else systemd
# waits 90 s for each before it goes on (to the same login prompt).
@test "xen-image: pygrub's kernel and initrd boot the image under QEMU to 'web1 login:'" {
	local pg=$BATS_TEST_TMPDIR/pg log=$BATS_TEST_TMPDIR/console.log
	pygrub_extract "$pg" >/dev/null
	qemu_boot_to_login "$log" 600 "$pg"/boot_kernel.* "$pg"/boot_ramdisk.* \
		'root=/dev/vda ro console=ttyS0 panic=-1 net.ifnames=0 systemd.mask=dev-xvdb.swap systemd.mask=serial-getty@hvc0.service' \
		-drive "file=$IMG,format=raw,if=virtio,snapshot=on" -nic user,model=virtio-net-pci
	grep -qa '^web1 login:' "$log"
	refute grep -qa 'emergency mode' "$log"
	refute grep -qa 'FAILED' "$log"
}
