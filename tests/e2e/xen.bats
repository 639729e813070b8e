#!/usr/bin/env bats
# A bookworm Xen guest from the real archive (issue 4, "done when" 1):
#   xstrap --class=XEN_DOMU --include=linux-image-amd64 --set swap=/dev/xvdb \
#          --xen-config=guest.cfg --xen-kernel-dir=kernels bookworm T
# built once in setup_file through a private apt-cacher-ng (tests/lib/acng.sh)
# from the host's mirror (tests/lib/mirror.bash); each test checks one thing
# the built-in hooks promise: fstab, console getty, securetty, modules,
# pygrub menu.lst, hostname, network, no persistent-net rules, no cruft.
# Plus: the cruft list at resolve time (plan) and purged after install.
#
# Needs: root (chroot), apt-cacher-ng, a Debian mirror in the host's apt
# sources. Skips with a message otherwise.

bats_require_minimum_version 1.5.0

CRUFT="avahi-daemon smartmontools pcscd bluez nfs-common rpcbind portmap cups cups-daemon autofs gpm"

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	export XEN_BUILD_FAILED=
	mirror_setup_file || return 0
	MIRROR=$(host_mirror)
	export MIRROR
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-xen.XXXXXX")
	export WORK G=$WORK/guest
	load ../lib/xen
	xl_parse_setup "$WORK"
	local t0=$SECONDS
	if ! timeout 1800 "$XSTRAP" --cache-dir="$WORK/cache" --class=XEN_DOMU \
		--include=linux-image-amd64 --set swap=/dev/xvdb --hostname=xen-guest1 \
		--xen-config="$WORK/guest.cfg" --xen-kernel-dir="$WORK/kernels" --memory=256 --mac=00:16:3e:00:00:01 \
		bookworm "$G" "$MIRROR" >"$WORK/build.log" 2>&1; then
		XEN_BUILD_FAILED="xstrap --class=XEN_DOMU bookworm failed; see $WORK/build.log"
	fi
	echo "# xstrap --class=XEN_DOMU --include=linux-image-amd64 bookworm: $((SECONDS - t0)) s" >&3
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
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	if [ -n "$XEN_BUILD_FAILED" ]; then
		echo "$XEN_BUILD_FAILED; last lines:" >&2
		tail -n 40 "$WORK/build.log" >&2
		return 1
	fi
}

# in_guest PATH: the host path of PATH in the guest, symlinks resolved inside it
in_guest() {
	local p=$1 link n
	for n in $(seq 40); do
		if [ -L "$G$p" ]; then
			link=$(readlink "$G$p")
			case $link in
			/*) p=$link ;;
			*) p=$(dirname "$p")/$link ;;
			esac
			p=$(realpath -m -s "/$p")
		else
			break
		fi
	done
	echo "$G$p"
}

# state PKG: dpkg's status abbreviation of PKG in the guest ("ii", "" if unknown)
state() {
	dpkg-query --admindir="$G/var/lib/dpkg" -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '
}

@test "xen: fstab: root on the whole /dev/xvda, /proc, swap on /dev/xvdb" {
	assert_xen_fstab "$G"
}

@test "xen: a getty on hvc0 is enabled (systemd serial-getty@hvc0)" {
	local link=$G/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service
	[ -L "$link" ]
	assert_eq /lib/systemd/system/serial-getty@.service "$(readlink "$link")" "target of $link"
	[ -f "$(in_guest /lib/systemd/system/serial-getty@.service)" ]
	# sysvinit's inittab, when there is one, has the hvc0 getty too
	if [ -e "$G/etc/inittab" ]; then
		grep -qE '^[^#].*getty.*hvc0' "$G/etc/inittab"
	fi
}

@test "xen: securetty: hvc0 and xvc0 where the target has the file" {
	# bookworm's login no longer ships /etc/securetty; the hook must not create it
	if [ -e "$G/etc/securetty" ]; then
		grep -qx hvc0 "$G/etc/securetty"
		grep -qx xvc0 "$G/etc/securetty"
	else
		[ "$(state login)" = ii ]
		refute grep -q securetty "$G/var/lib/dpkg/info/login.list"
	fi
}

@test "xen: /etc/modules loads the Xen block and network front-ends" {
	grep -qx xen-blkfront "$G/etc/modules"
	grep -qx xen-netfront "$G/etc/modules"
	# kmod's header is kept
	grep -q '^# /etc/modules' "$G/etc/modules"
}

@test "xen: /boot/grub/menu.lst boots the installed kernel and initrd with root=/dev/xvda console=hvc0" {
	local m=$G/boot/grub/menu.lst kernel initrd
	[ -f "$m" ]
	kernel=$(awk '$1 == "kernel" { print $2; exit }' "$m")
	initrd=$(awk '$1 == "initrd" { print $2; exit }' "$m")
	[ -n "$kernel" ]
	[ -n "$initrd" ]
	[ -f "$G$kernel" ] || { echo "menu.lst names $kernel, not in the guest" >&2; return 1; }
	[ -f "$G$initrd" ] || { echo "menu.lst names $initrd, not in the guest" >&2; return 1; }
	# the kernel of linux-image-amd64's dependency, and its own initrd
	local ver=${kernel#/boot/vmlinuz-}
	assert_eq "/boot/initrd.img-$ver" "$initrd" "initrd of $kernel"
	[ "$(state "linux-image-$ver")" = ii ]
	grep -qE "^kernel $kernel .*\broot=/dev/xvda( |$)" "$m"
	grep -qE "^kernel $kernel .*\bconsole=hvc0( |$)" "$m"
	grep -qE '^kernel .* ro( |$)' "$m"
	grep -qx 'default 0' "$m"
	grep -qE '^title .' "$m"
	# no placeholder left unexpanded
	refute grep -qE '#[A-Z_]+#' "$m"
	# pygrub would prefer a grub.cfg
	[ ! -e "$G/boot/grub/grub.cfg" ]
}

@test "xen: --xen-kernel-dir copies Debian's kernel and initrd out; the config boots them directly" {
	local ver
	ver=$(ls "$G/boot" | sed -n 's/^vmlinuz-//p')
	[ -n "$ver" ]
	assert_same_file "$G/boot/vmlinuz-$ver" "$WORK/kernels/vmlinuz-$ver"
	assert_same_file "$G/boot/initrd.img-$ver" "$WORK/kernels/initrd.img-$ver"
	xl_values "$WORK/guest.cfg"
	has_line "$WORK/guest.cfg.values" "name xen-guest1"
	has_line "$WORK/guest.cfg.values" "memory 256"
	has_line "$WORK/guest.cfg.values" "kernel $WORK/kernels/vmlinuz-$ver"
	has_line "$WORK/guest.cfg.values" "ramdisk $WORK/kernels/initrd.img-$ver"
	has_line "$WORK/guest.cfg.values" "root /dev/xvda ro"
	has_line "$WORK/guest.cfg.values" "extra console=hvc0 net.ifnames=0"
	has_line "$WORK/guest.cfg.values" "vif mac=00:16:3e:00:00:01"
	# --set swap=/dev/xvdb without --swap: fstab names it, no image to attach
	has_line "$WORK/guest.cfg.values" "disk 0 $WORK/guest.img xvda raw"
	refute grep -q '^disk 1' "$WORK/guest.cfg.values"
	refute grep -q '^bootloader' "$WORK/guest.cfg.values"
}

@test "xen: hostname and hosts" {
	assert_xen_hosts "$G" xen-guest1
}

@test "xen: eth0 by DHCP in /etc/network/interfaces" {
	[ "$(state ifupdown)" = ii ]
	has_line "$G/etc/network/interfaces" "auto eth0"
	has_line "$G/etc/network/interfaces" "iface eth0 inet dhcp"
	has_line "$G/etc/network/interfaces" "iface lo inet loopback"
}

@test "xen: no persistent-net rules; systemd's NIC naming policy masked, so eth0 stays eth0" {
	[ ! -e "$G/etc/udev/rules.d/70-persistent-net.rules" ]
	[ ! -e "$(in_guest /lib/udev/rules.d/75-persistent-net-generator.rules)" ]
	if [ -e "$(in_guest /lib/systemd/network/99-default.link)" ]; then
		assert_eq /dev/null "$(readlink "$G/etc/systemd/network/99-default.link")" "99-default.link mask"
	fi
	grep -qE '^kernel .*\bnet\.ifnames=0\b' "$G/boot/grub/menu.lst"
}

@test "xen: none of the cruft packages is installed" {
	local p bad=
	for p in $CRUFT; do
		[ "$(state "$p")" = ii ] && bad="$bad $p"
	done
	[ -z "$bad" ] || { echo "cruft installed:$bad" >&2; return 1; }
	# and the root is consistent
	run chroot "$G" dpkg --audit
	assert_status 0
	assert_eq "" "$output" "dpkg --audit"
}

@test "xen: the guest's apt sources name the mirror the build used" {
	grep -qE "^deb ${MIRROR%/}/? bookworm main" "$G/etc/apt/sources.list"
	assert_eq 1 "$(grep -cE "^deb ${MIRROR%/}/? bookworm " "$G/etc/apt/sources.list")" "deb lines for the mirror"
}

@test "xen: XEN_DOMU keeps cruft out at resolve time and names the package that wants it" {
	local cache=$WORK/cache
	run --separate-stderr "$XSTRAP" plan --cache-dir="$cache" --class=XEN_DOMU bookworm "$MIRROR"
	assert_status 0
	local p
	for p in $CRUFT; do
		refute grep -q "^$p " <<<"$output"
	done
	# nfs-kernel-server depends on nfs-common and rpcbind
	run --separate-stderr "$XSTRAP" plan --cache-dir="$cache" --class=XEN_DOMU \
		--include=nfs-kernel-server bookworm "$MIRROR"
	assert_status 1
	assert_stderr_has 'nfs-kernel-server'
	assert_stderr_has 'nfs-common|rpcbind'
	# without the class the same request resolves
	run --separate-stderr "$XSTRAP" plan --cache-dir="$cache" --include=nfs-kernel-server bookworm "$MIRROR"
	assert_status 0
	grep -q '^nfs-common ' <<<"$output"
}

@test "xen: cruft that got in (the site emptied the exclude list) is purged after install" {
	local site=$WORK/site-allow-cruft g2=$WORK/guest-purge
	mkdir -p "$site/classes"
	# replaces the built-in classes/70-xen-domu-cruft.lua: nothing excluded
	printf 'return {}\n' >"$site/classes/70-xen-domu-cruft.lua"
	run --separate-stderr timeout 1800 "$XSTRAP" --cache-dir="$WORK/cache" --variant=minbase \
		--class=XEN_DOMU --config-space="$site" --include=gpm bookworm "$g2" "$MIRROR"
	assert_status 0
	local st
	st=$(dpkg-query --admindir="$g2/var/lib/dpkg" -W -f '${db:Status-Abbrev}' gpm 2>/dev/null | tr -d ' ')
	[ "$st" != ii ] || { echo "gpm is still installed" >&2; return 1; }
	[ ! -e "$g2/usr/sbin/gpm" ]
	run chroot "$g2" dpkg --audit
	assert_status 0
	assert_eq "" "$output" "dpkg --audit"
}
