#!/usr/bin/env bats
# An rpm-md Xen guest from the rpm test distribution (issue 4, last "done
# when": the built-ins work on rpm-md targets, cruft and driver names per
# family). xen.bats is the same on bookworm from the real archive; here
#   xstrap --repo-type=rpm-md --keyring=KEY --class=XEN_DOMU \
#          --include=@core,@xen-guest --set swap=/dev/xvdb --hostname=xen-guest1 fixture T URL
# is built once in setup_file from tests/fixtures/mkrpmrepo.sh's repository
# (@xen-guest: a fake kernel, systemd-lite's units, securetty,
# initscripts-lite's network-scripts, fixture-release), and each test checks
# one thing the built-in hooks promise: fstab, the hvc0 getty, securetty,
# modprobe aliases, pygrub's menu.lst, hostname, ifcfg-eth0, no
# persistent-net naming, no cruft. Plus: the RPM family's cruft list at
# resolve time (cups required by printer-tools, avahi recommended by
# mdns-tools) and avahi removed after install by the target's own rpm.
#
# Needs root (the scriptlets and rpm -e run in a chroot). Skips when the
# rpm fixture cannot be built (rpmbuild, rpmsign, createrepo_c, busybox).
bats_require_minimum_version 1.5.0
load ../lib/common
load ../lib/xen

# the RPM family's names in lua/xstrap/cruft.lua (the cruft list)
CRUFT="avahi pcsc-lite nfs-utils smartmontools bluez rpcbind portmap cups autofs gpm"

setup_file() {
	rpm_fixture_setup
	[ -z "${RPM_MISSING_TOOL:-}" ] || return 0
	export G=$BATS_FILE_TMPDIR/guest XEN_LOG=$BATS_FILE_TMPDIR/build.log XEN_BUILD_FAILED=
	xl_parse_setup "$BATS_FILE_TMPDIR"
	if ! "$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/cache" --repo-type=rpm-md --keyring="$RPM_KEYRING" \
		--class=XEN_DOMU --include=@core,@xen-guest --set swap=/dev/xvdb --hostname=xen-guest1 \
		fixture "$G" "$RPM_REPO" >"$XEN_LOG" 2>&1; then
		XEN_BUILD_FAILED="xstrap --class=XEN_DOMU --include=@core,@xen-guest fixture failed"
	fi
}

setup() {
	common_setup
	rpm_fixture_check
	if [ -n "$XEN_BUILD_FAILED" ]; then
		echo "$XEN_BUILD_FAILED; its output:" >&2
		cat "$XEN_LOG" >&2
		return 1
	fi
	T=$BATS_TEST_TMPDIR/target
}

# installed ROOT PKG: PKG is in ROOT's rpm database
installed() {
	rpmq "$1" -q "$2" >/dev/null 2>&1
}

# xs_rpm ARGS...: `run` xstrap on the fixture repository with its key
xs_rpm() {
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" "$@"
}

# plan_rpm ARGS...: `run` xstrap plan on the fixture repository
plan_rpm() {
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$RPM_KEYRING" "$@" fixture "$RPM_REPO"
}

# allow_cruft DIR: a site config space whose classes/70-xen-domu-cruft.lua
# replaces the built-in one and excludes nothing
allow_cruft() {
	mkdir -p "$1/classes"
	printf 'return {}\n' >"$1/classes/70-xen-domu-cruft.lua"
}

@test "xen-rpm: the build installed @core and @xen-guest, the hooks logged their work" {
	local p
	for p in filesystem setup busybox rpm kernel systemd-lite securetty initscripts-lite fixture-release; do
		installed "$G" "$p" || { echo "$p is not installed" >&2; return 1; }
	done
	grep -q 'pygrub: /boot/grub/menu.lst boots 6.1.0-1.fx.x86_64' "$XEN_LOG"
	refute grep -q 'warning' "$XEN_LOG"
}

@test "xen-rpm: the family is the class RPM: the RPM family's hooks run, the Debian family's do not" {
	xs_rpm --list-hooks --class=XEN_DOMU --include=@core fixture "$T" "$RPM_REPO"
	assert_status 0
	grep -qE '^classes: DEFAULT RPM ' <<<"$output"
	# nor does the name of a guest without --hostname ("debian") make it DEBIAN
	refute grep -qE '^classes: .*\bDEBIAN\b' <<<"$output"
	grep -E 'hooks/customize/30-modprobe-aliases\.lua' <<<"$output" | grep -q 'runs: classes XEN_DOMU RPM (all set)'
	grep -E 'hooks/customize/80-network-ifcfg\.lua' <<<"$output" | grep -q 'runs: classes XEN_DOMU RPM (all set)'
	grep -E 'hooks/customize/30-modules\.lua' <<<"$output" | grep -q 'skipped: class DEBIAN is not set'
	grep -E 'hooks/customize/80-network\.lua' <<<"$output" | grep -q 'skipped: class DEBIAN is not set'
	grep -E 'hooks/customize/90-apt-sources\.lua' <<<"$output" | grep -q 'skipped: none of its classes is set'
}

@test "xen-rpm: fstab: root on the whole /dev/xvda, /proc, swap on /dev/xvdb" {
	assert_xen_fstab "$G"
}

@test "xen-rpm: a getty on hvc0 is enabled (serial-getty@hvc0 in getty.target.wants, linked as systemctl would)" {
	local link=$G/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service
	[ -L "$link" ]
	# /usr/lib/systemd/system, systemd's unit directory on the RPM family,
	# not the same file through the /lib -> usr/lib link
	assert_eq /usr/lib/systemd/system/serial-getty@.service "$(readlink "$link")" "target of $link"
	[ -f "$G/usr/lib/systemd/system/serial-getty@.service" ]
	assert_eq systemd-lite-252-1.noarch \
		"$(rpmq "$G" -qf /usr/lib/systemd/system/serial-getty@.service)" "owner of the unit"
	# no sysvinit here: no inittab made up
	[ ! -e "$G/etc/inittab" ]
}

@test "xen-rpm: securetty: hvc0 and xvc0 added once to the packaged file, mode kept" {
	grep -qx hvc0 "$G/etc/securetty"
	grep -qx xvc0 "$G/etc/securetty"
	assert_eq 1 "$(grep -cx hvc0 "$G/etc/securetty")" "hvc0 lines"
	assert_eq 1 "$(grep -cx xvc0 "$G/etc/securetty")" "xvc0 lines"
	# the package's lines are still there, in their order
	assert_eq "console tty1 tty2 tty3 tty4 tty5 tty6 ttyS0 hvc0 xvc0" \
		"$(tr '\n' ' ' <"$G/etc/securetty" | sed 's/ $//')" "/etc/securetty"
	assert_eq 600 "$(stat -c %a "$G/etc/securetty")" "mode of /etc/securetty"
	# rpm sees the content changed, nothing else
	assert_eq "S.5....T.  c /etc/securetty" "$(rpmq "$G" -V securetty)" "rpm -V securetty"
}

@test "xen-rpm: modprobe aliases load the Xen block and network front-ends; no Debian /etc/modules" {
	local f=$G/etc/modprobe.d/xen.conf
	has_line "$f" "alias scsi_hostadapter xen-blkfront"
	has_line "$f" "alias eth0 xen-netfront"
	[ ! -e "$G/etc/modules" ]
	# the modules those aliases name are the kernel's
	[ -f "$G/lib/modules/6.1.0-1.fx.x86_64/kernel/drivers/block/xen-blkfront.ko" ]
	[ -f "$G/lib/modules/6.1.0-1.fx.x86_64/kernel/drivers/net/xen-netfront.ko" ]
}

@test "xen-rpm: /boot/grub/menu.lst boots the installed kernel and its initramfs with root=/dev/xvda console=hvc0" {
	local m=$G/boot/grub/menu.lst kernel initrd
	[ -f "$m" ]
	kernel=$(awk '$1 == "kernel" { print $2; exit }' "$m")
	initrd=$(awk '$1 == "initrd" { print $2; exit }' "$m")
	assert_eq /boot/vmlinuz-6.1.0-1.fx.x86_64 "$kernel" "kernel of menu.lst"
	# the RPM family's name for the initrd (dracut's), not Debian's initrd.img-VER
	assert_eq /boot/initramfs-6.1.0-1.fx.x86_64.img "$initrd" "initrd of menu.lst"
	[ -f "$G$kernel" ]
	[ -f "$G$initrd" ]
	assert_eq kernel-6.1.0-1.fx.x86_64 "$(rpmq "$G" -qf "$kernel")" "owner of $kernel"
	assert_eq kernel-6.1.0-1.fx.x86_64 "$(rpmq "$G" -qf "$initrd")" "owner of $initrd"
	grep -qE "^kernel $kernel .*\broot=/dev/xvda( |$)" "$m"
	grep -qE "^kernel $kernel .*\bconsole=hvc0( |$)" "$m"
	grep -qE '^kernel .* ro( |$)' "$m"
	grep -qx 'default 0' "$m"
	grep -qx 'root (hd0)' "$m"
	# the title from fixture-release's os-release (through /etc/os-release)
	grep -qx 'title Fixture Linux 1, kernel 6.1.0-1.fx.x86_64' "$m"
	refute grep -qE '#[A-Z_]+#' "$m"
	[ ! -e "$G/boot/grub/grub.cfg" ]
}

@test "xen-rpm: hostname and hosts" {
	assert_xen_hosts "$G" xen-guest1
}

@test "xen-rpm: eth0 by DHCP in ifcfg-eth0; the packaged ifcfg-lo untouched; no Debian network files" {
	local d=$G/etc/sysconfig/network-scripts
	has_line "$d/ifcfg-eth0" "DEVICE=eth0"
	has_line "$d/ifcfg-eth0" "BOOTPROTO=dhcp"
	has_line "$d/ifcfg-eth0" "ONBOOT=yes"
	refute grep -q '^IPADDR=' "$d/ifcfg-eth0"
	# initscripts-lite's directory and file verify clean
	run rpmq "$G" -V initscripts-lite
	assert_status 0
	assert_eq "" "$output" "rpm -V initscripts-lite"
	[ ! -e "$G/etc/network/interfaces" ]
	[ ! -e "$G/etc/systemd/network/10-eth0.network" ]
	# a file:// mirror is a host path, and apt sources are Debian's
	[ ! -e "$G/etc/apt" ]
}

@test "xen-rpm: no persistent-net rules; 99-default.link masked, so eth0 stays eth0" {
	[ ! -e "$G/etc/udev/rules.d/70-persistent-net.rules" ]
	[ ! -e "$G/usr/lib/udev/rules.d/75-persistent-net-generator.rules" ]
	[ -f "$G/usr/lib/systemd/network/99-default.link" ]
	assert_eq /dev/null "$(readlink "$G/etc/systemd/network/99-default.link")" "99-default.link mask"
	grep -qE '^kernel .*\bnet\.ifnames=0\b' "$G/boot/grub/menu.lst"
}

@test "xen-rpm: none of the RPM family's cruft is installed; rpm -Va shows only the edited config files" {
	local p bad=
	for p in $CRUFT; do
		installed "$G" "$p" && bad="$bad $p"
	done
	[ -z "$bad" ] || { echo "cruft installed:$bad" >&2; return 1; }
	local va
	va=$(rpmq "$G" -Va | LC_ALL=C sort) || true
	assert_eq "$(printf '%s\n' 'S.5....T.  c /etc/group' 'S.5....T.  c /etc/passwd' \
		'S.5....T.  c /etc/securetty' 'S.5....T.  c /etc/shadow' 'S.5....T.  c /etc/webapp.conf')" \
		"$va" "rpm -Va"
	# and the target's own rpm reads its database
	run --separate-stderr chroot "$G" /usr/bin/rpm -q kernel
	assert_status 0
	assert_eq kernel-6.1.0-1.fx.x86_64 "$output" "chroot rpm -q kernel"
}

@test "xen-rpm: /dev is left as the filesystem package made it" {
	# the nodes made for scriptlets and hooks are gone again, as dnf leaves /dev
	assert_eq "" "$(ls -A "$G/dev")" "contents of /dev"
}

@test "xen-rpm: XEN_DOMU keeps RPM cruft out at resolve time and names the package that requires it" {
	plan_rpm --class=XEN_DOMU --include=@core,@xen-guest
	assert_status 0
	local p
	for p in $CRUFT; do
		refute grep -q "^$p " <<<"$output"
	done
	# printer-tools requires cups
	plan_rpm --class=XEN_DOMU --include=@core,printer-tools
	assert_status 1
	assert_error_line 'printer-tools'
	assert_error_line 'cups.*excluded'
	# without the class the same request resolves, cups with it
	plan_rpm --include=@core,printer-tools
	assert_status 0
	grep -q '^cups ' <<<"$output"
	grep -q '^printer-tools ' <<<"$output"
	# asking for cruft by name is a contradiction, said as such
	plan_rpm --class=XEN_DOMU --include=@core,avahi
	assert_status 1
	assert_error_line 'avahi is both included and excluded'
}

@test "xen-rpm: a package that only recommends cruft resolves without it, weak dependencies on or off" {
	local weak
	for weak in "" --recommends; do
		plan_rpm --class=XEN_DOMU $weak --include=@core,mdns-tools
		assert_status 0
		grep -q '^mdns-tools ' <<<"$output"
		refute grep -q '^avahi ' <<<"$output"
	done
	# without the class, weak dependencies bring avahi in
	plan_rpm --recommends --include=@core,mdns-tools
	assert_status 0
	grep -q '^avahi ' <<<"$output"
}

@test "xen-rpm: cruft that got in (the site emptied the exclude list) is removed after install by the target's rpm" {
	local site=$BATS_TEST_TMPDIR/site
	allow_cruft "$site"
	# mdns-tools recommends avahi: with weak dependencies on, avahi is installed
	xs_rpm --class=XEN_DOMU --config-space="$site" --recommends --include=@core,@xen-guest,mdns-tools \
		fixture "$T" "$RPM_REPO"
	assert_status 0
	assert_stderr_has 'cruft: removing avahi'
	refute installed "$T" avahi
	installed "$T" mdns-tools
	[ ! -e "$T/usr/sbin/avahi-daemon" ]
	[ ! -e "$T/etc/avahi" ]
	# rpm -e ran avahi's %preun, with $1 = 0 (no instance left) and the
	# device nodes scriptlets have at install
	assert_eq "0 /dev/null:device" "$(cat "$T/var/lib/avahi-preun-ran")" "avahi's %preun marker"
	# and /dev is as the filesystem package made it again
	assert_eq "" "$(ls -A "$T/dev")" "contents of /dev"
	# the rest of the build is as before
	[ -L "$T/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service" ]
	[ -f "$T/boot/grub/menu.lst" ]
}

@test "xen-rpm: cruft another package requires is not removed behind its back: the build fails naming both" {
	local site=$BATS_TEST_TMPDIR/site
	allow_cruft "$site"
	xs_rpm --class=XEN_DOMU --config-space="$site" --include=@core,printer-tools fixture "$T" "$RPM_REPO"
	assert_status 1
	assert_stderr_has 'cups is needed by .*printer-tools'
	assert_error_line '60-cruft\.lua.*rpm -e'
	installed "$T" cups
	installed "$T" printer-tools
}

@test "xen-rpm: --xen-config with --xen-kernel-dir and --swap: the rpm kernel's names, xvda and xvdb, parsed by libxlutil" {
	local w=$BATS_TEST_TMPDIR ver=6.1.0-1.fx.x86_64
	# relative names, as a user types them: the config must name absolute paths
	XSTRAP=$(realpath "$XSTRAP")
	cd "$w"
	SOURCE_DATE_EPOCH=1700000000 xs_rpm --class=XEN_DOMU --include=@core,@xen-guest --hostname=db2 \
		--swap=64M --xen-config=db2.cfg --xen-kernel-dir=kernels --memory=1G --vcpus=2 \
		--bridge=xenbr1 fixture db2 "$RPM_REPO"
	assert_status 0
	xl_values "$w/db2.cfg"
	has_line "$w/db2.cfg.values" "name db2"
	has_line "$w/db2.cfg.values" "memory 1024"
	has_line "$w/db2.cfg.values" "vcpus 2"
	has_line "$w/db2.cfg.values" "kernel $w/kernels/vmlinuz-$ver"
	has_line "$w/db2.cfg.values" "ramdisk $w/kernels/initramfs-$ver.img"
	has_line "$w/db2.cfg.values" "root /dev/xvda ro"
	has_line "$w/db2.cfg.values" "extra console=hvc0 net.ifnames=0"
	has_line "$w/db2.cfg.values" "disk 0 $w/db2.img xvda raw"
	has_line "$w/db2.cfg.values" "disk 1 $w/db2-swap.img xvdb raw"
	has_line "$w/db2.cfg.values" "vif mac=$(xen_mac db2), bridge=xenbr1"
	refute grep -q '^bootloader' "$w/db2.cfg.values"
	# the kernel and initramfs are the guest's own
	assert_same_file "$w/db2/boot/vmlinuz-$ver" "$w/kernels/vmlinuz-$ver"
	assert_same_file "$w/db2/boot/initramfs-$ver.img" "$w/kernels/initramfs-$ver.img"
	# a directory is not a disk: the config says how to make db2.img
	grep -qF "# $w/db2 is a directory, not a disk" "$w/db2.cfg"
	grep -qF "mke2fs -t ext4 -O ^orphan_file,^metadata_csum_seed -d $w/db2 $w/db2.img 2G" "$w/db2.cfg"
	# --swap: the image, and the fstab line it implies
	assert_swap_image "$w/db2-swap.img" db2-swap
	has_line "$w/db2/etc/fstab" "/dev/xvdb none swap sw 0 0"
}

@test "xen-rpm: --swap under SOURCE_DATE_EPOCH: the same UUID in two builds; without it, a fresh one" {
	local w=$BATS_TEST_TMPDIR t
	for t in a b; do
		SOURCE_DATE_EPOCH=1700000000 xs_rpm --class=XEN_DOMU --include=@core --hostname=db2 \
			--swap=16M:"$w/$t.swap" fixture "$w/$t" "$RPM_REPO"
		assert_status 0
	done
	assert_same_file "$w/a.swap" "$w/b.swap"
	xs_rpm --class=XEN_DOMU --include=@core --hostname=db2 --swap=16M:"$w/c.swap" fixture "$w/c" "$RPM_REPO"
	assert_status 0
	assert_swap_image "$w/c.swap" db2-swap
	[ "$(blkid -o value -s UUID "$w/a.swap")" != "$(blkid -o value -s UUID "$w/c.swap")" ]
}

@test "xen-rpm: --xen-config for a tar: pygrub, and the disk line names the image to make from it" {
	local w=$BATS_TEST_TMPDIR
	xs_rpm --class=XEN_DOMU --include=@core,@xen-guest --hostname=db3 --format=tar \
		--xen-config="$w/db3.cfg" fixture "$w/db3.tar" "$RPM_REPO"
	assert_status 0
	xl_values "$w/db3.cfg"
	has_line "$w/db3.cfg.values" "bootloader pygrub"
	has_line "$w/db3.cfg.values" "disk 0 $w/db3.img xvda raw"
	refute grep -q '^disk 1' "$w/db3.cfg.values"
	grep -qF "# $w/db3.tar is a tar archive, not a disk" "$w/db3.cfg"
}

@test "xen-rpm: bad Xen values are usage errors naming the option" {
	run "$XSTRAP" --swap=lots fixture "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--swap: expected SIZE[:PATH]'*'found "lots"'* ]]
	run "$XSTRAP" --mac=00:16:3e:zz:00:01 fixture "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--mac: expected a MAC'* ]]
	run "$XSTRAP" --memory=1k fixture "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--memory: expected'*'found "1k"'* ]]
	xs_rpm --swap=1G fixture /dev/xstrap-no-such-disk "$RPM_REPO"
	assert_status 1
	assert_stderr_has 'is a block device; name the swap device or file too'
}
