#!/usr/bin/env bats
# xstrap nfsroot: a network-install client's root (class NFSROOT, FAI's
# nfsroot), against the real Debian archive through the test apt-cacher-ng.
# One build of bookworm (made by the first test that needs it, with
# --format=squashfs, --ssh-key and a test hook that prints a marker on the
# serial console at boot), then:
#   - the root has what an install client needs and the read-only-root
#     adjustments; its initrd (listed with the root's lsinitramfs) holds the
#     NFS client and live-boot's NFS and HTTP modes;
#   - the export: kernel and initrd in eliloader's and the PXE/iPXE layout,
#     the command line, the exports line, an xl config xl's parser takes;
#   - the exported kernel and initrd boot under QEMU (TCG, user networking)
#     and live-boot fetches filesystem.squashfs from a local HTTP server
#     (python3 -m http.server on 127.0.0.1, the guest's 10.0.2.2);
#   - and they boot with the root over NFS (live-boot's netboot=nfs, klibc's
#     NFSv3 nfsmount) from nfs-ganesha (VFS FSAL) on 127.0.0.1, with
#     rpcbind, which nfsmount asks for the mount daemon's port;
#   - a second build into the same root is refused before anything is
#     fetched, and leaves the root as it was;
#   - an rpm distribution is refused, naming what is missing; the nfsroot
#     options are refused without the subcommand.
# Needs root, apt-cacher-ng, qemu-system-x86_64, mksquashfs (squashfs-tools)
# and a Debian mirror in the host's apt sources, and for the NFS boot
# nfs-ganesha, nfs-ganesha-vfs and rpcbind with ports 2049 and 20048 free;
# skips with a message otherwise.

SUITE=bookworm
MARK=XSTRAP-NFSROOT-OK

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	XSTRAP=$(realpath "${XSTRAP:-$XSTRAP_TOP/build/xstrap}")
	export XSTRAP
	load ../lib/mirror
	load ../lib/xen
	mirror_setup_file qemu-system-x86_64 mksquashfs python3 ssh-keygen || true
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-nfsroot.XXXXXX")
	# a free port for the HTTP server, known before the build (--fetch-url)
	HTTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export WORK HTTP_PORT ROOT=$WORK/nfsroot EXPORT=$WORK/export MIRROR=${MIRROR:-$(host_mirror)}
	xl_parse_setup "$WORK"
}

teardown_file() {
	load ../lib/mirror
	stop_nfs_server
	[ -n "${WORK:-}" ] && safe_rmtree "$WORK"
	return 0
}

# stop_nfs_server: nfs-ganesha and the rpcbind this file started, by pid
stop_nfs_server() {
	local f pid
	for f in "$WORK/ganesha.mypid" "$WORK/rpcbind.mypid"; do
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
		kill -9 "$pid" 2>/dev/null || true
		rm -f "$f"
	done
}

# start_nfs_server: nfs-ganesha in the foreground, exporting $ROOT
# read-only over NFSv3 and v4 on 127.0.0.1:2049 (mountd on 20048), and an
# rpcbind when none answers; skips when they are missing or the ports taken
start_nfs_server() {
	command -v ganesha.nfsd >/dev/null || skip "nfs-ganesha is not installed"
	ls /usr/lib/*/ganesha/libfsalvfs.so >/dev/null 2>&1 || skip "nfs-ganesha-vfs is not installed"
	command -v rpcbind >/dev/null || skip "rpcbind is not installed"
	command -v rpcinfo >/dev/null || skip "rpcinfo is not installed (Debian package rpcbind)"
	if ss -ltn | grep -qE '127\.0\.0\.1:(2049|20048)\b|(\*|0\.0\.0\.0):(2049|20048)\b'; then
		skip "port 2049 or 20048 is taken: another NFS server runs here"
	fi
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		mkdir -p /run/rpcbind
		rpcbind -f >"$WORK/rpcbind.log" 2>&1 &
		echo $! >"$WORK/rpcbind.mypid"
		for _ in $(seq 20); do rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && break; sleep 0.5; done
	fi
	cat >"$WORK/ganesha.conf" <<-EOF
		NFS_CORE_PARAM {
			Bind_addr = 127.0.0.1;
			NFS_Port = 2049;
			MNT_Port = 20048;
			Enable_NLM = false;
			Enable_RQUOTA = false;
			Protocols = 3, 4;
		}
		NFSV4 { Graceless = true; RecoveryBackend = fs; }
		NFS_KRB5 { Active_krb5 = false; }
		EXPORT {
			Export_Id = 1;
			Path = $ROOT;
			Pseudo = $ROOT;
			Access_Type = RO;
			Squash = No_Root_Squash;
			Protocols = 3, 4;
			Transports = TCP, UDP;
			SecType = sys;
			FSAL { Name = VFS; }
		}
	EOF
	ganesha.nfsd -F -f "$WORK/ganesha.conf" -L "$WORK/ganesha.log" -N NIV_EVENT -p "$WORK/ganesha.pid" >"$WORK/ganesha.out" 2>&1 &
	echo $! >"$WORK/ganesha.mypid"
	for _ in $(seq 60); do rpcinfo -p 127.0.0.1 2>/dev/null | grep -qw mountd && return 0; sleep 0.5; done
	echo "nfs-ganesha did not register its mount daemon with rpcbind; its log:" >&2
	tail -n 20 "$WORK/ganesha.log" >&2
	return 1
}

setup() {
	load ../lib/common
	load ../lib/mirror
	load ../lib/xen
	load ../lib/boot
}

need_mirror() {
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
}

# The guest's systemd waits DefaultTimeoutStartSec (90 s) for /dev/ttyS0
# before its serial getty gives up; under TCG on a loaded host, with the
# root over NFS, udev's coldplug can come later than that. Not a property
# of the nfsroot: the tests wait longer.
SLOW="console=ttyS0 panic=-1 systemd.default_timeout_start_sec=600"

# nfsroot_built: the one build every test reads (made by the first test
# that needs it); fails with the end of its log when xstrap failed.
nfsroot_built() {
	need_mirror
	local status=$WORK/build.status log=$WORK/build.log
	if [ ! -e "$status" ]; then
		local rc=0 t0=$SECONDS
		ssh-keygen -q -t ed25519 -N '' -C xstrap-test -f "$WORK/key" >/dev/null
		# the test's marker: a unit that says on the serial console where
		# the root came from (live-boot's medium), before the getty starts
		cat >"$WORK/marker.lua" <<-EOF
			return { run = function(x)
				x.write("/etc/systemd/system/xstrap-test-marker.service", [[
			[Unit]
			Description=xstrap test: where the root came from
			Before=getty.target
			[Service]
			Type=oneshot
			ExecStart=/bin/sh -c 'echo "$MARK medium=\$(findmnt -n -o FSTYPE /run/live/medium)" >/dev/ttyS0'
			[Install]
			WantedBy=multi-user.target
			]])
				x.mkdir("/etc/systemd/system/multi-user.target.wants")
				x.symlink("/etc/systemd/system/multi-user.target.wants/xstrap-test-marker.service",
					"/etc/systemd/system/xstrap-test-marker.service")
			end }
		EOF
		timeout 1800 "$XSTRAP" nfsroot -v --cache-dir="$WORK/cache" --format=squashfs \
			--nfs-server=10.0.2.2 --fetch-url="http://10.0.2.2:$HTTP_PORT/filesystem.squashfs" \
			--ssh-key="$WORK/key.pub" --append="FAI_FLAGS=verbose,sshd FAI_ACTION=install" \
			--hook customize:"$WORK/marker.lua" \
			"$SUITE" "$ROOT" "$MIRROR" --export="$EXPORT" >"$log" 2>&1 || rc=$?
		echo "$rc" >"$status"
		echo "# xstrap nfsroot $SUITE --format=squashfs: $((SECONDS - t0)) s" >&3
	fi
	if [ "$(cat "$status")" != 0 ]; then
		echo "xstrap nfsroot $SUITE failed; last lines:" >&2
		tail -n 40 "$log" >&2
		return 1
	fi
}

# the one kernel version in the root's /boot
kernel_version() {
	local f
	f=$(ls "$ROOT"/boot/vmlinuz-*)
	[ "$(echo "$f" | wc -l)" = 1 ] || { echo "expected one kernel in $ROOT/boot, found: $f" >&2; return 1; }
	echo "${f##*/vmlinuz-}"
}

@test "nfsroot: the root has an install client's packages and the read-only-root adjustments" {
	nfsroot_built
	local p
	for p in live-boot initramfs-tools nfs-common busybox linux-image-amd64 fai-client fai-nfsroot openssh-server; do
		chroot "$ROOT" dpkg-query -W -f '${db:Status-Abbrev}' "$p" | grep -q '^ii' || { echo "$p is not installed" >&2; return 1; }
	done
	[ -e "$ROOT/.THIS_IS_THE_FAI_NFSROOT" ]
	assert_eq ../proc/self/mounts "$(readlink "$ROOT/etc/mtab")" "/etc/mtab"
	[ ! -e "$ROOT/etc/hostname" ]
	[ ! -e "$ROOT/etc/resolv.conf" ]
	[ ! -s "$ROOT/etc/machine-id" ]
	refute grep -q '^[^#]' "$ROOT/etc/fstab"
	has_line "$ROOT/etc/initramfs-tools/conf.d/xstrap-nfsroot" "BOOT=nfs"
	# root logs in by the key only: no password is set
	cmp "$WORK/key.pub" "$ROOT/root/.ssh/authorized_keys"
	assert_eq 600 "$(stat -c %a "$ROOT/root/.ssh/authorized_keys")" "authorized_keys' mode"
	grep -qE '^root:[*!]' "$ROOT/etc/shadow"
}

@test "nfsroot: the initrd holds the NFS client and live-boot's NFS and HTTP modes" {
	nfsroot_built
	local v list=$BATS_TEST_TMPDIR/initrd.list
	v=$(kernel_version)
	chroot "$ROOT" lsinitramfs "/boot/initrd.img-$v" >"$list"
	# initramfs-tools' NFS boot script and klibc's NFS mount
	grep -qx 'scripts/nfs' "$list"
	grep -qE '^(usr/)?(lib/klibc/)?bin/nfsmount$' "$list"
	# the kernel's NFS client and network drivers (MODULES=most)
	grep -qE "^usr/lib/modules/$v/kernel/fs/nfs/nfs\.ko" "$list"
	grep -qE "^usr/lib/modules/$v/kernel/drivers/net/virtio_net\.ko" "$list"
	# live-boot: its script, its NFS and HTTP mounts, squashfs and overlay,
	# and busybox's wget for fetch=URL
	grep -qx 'scripts/live' "$list"
	grep -qx 'usr/lib/live/boot/9990-mount-nfs.sh' "$list"
	grep -qx 'usr/lib/live/boot/9990-mount-http.sh' "$list"
	grep -qE "^usr/lib/modules/$v/kernel/fs/squashfs/squashfs\.ko" "$list"
	grep -qE "^usr/lib/modules/$v/kernel/fs/overlayfs/overlay\.ko" "$list"
	grep -qE '^(usr/)?bin/wget$' "$list"
	# gzip, as the eliloader layout's name says
	assert_eq 1f8b "$(head -c 2 "$EXPORT/tftp/initrd.img" | od -An -tx1 | tr -d ' \n')" "the initrd's magic"
}

@test "nfsroot: --export lays out eliloader's and PXE's kernel and initrd, the command line, exports and xen.cfg" {
	nfsroot_built
	local v xen=$EXPORT/dists/$SUITE/main/installer-amd64/current/images/netboot/xen
	v=$(kernel_version)
	cmp "$ROOT/boot/vmlinuz-$v" "$xen/vmlinuz"
	cmp "$ROOT/boot/initrd.img-$v" "$xen/initrd.gz"
	cmp "$ROOT/boot/vmlinuz-$v" "$EXPORT/tftp/vmlinuz"
	cmp "$ROOT/boot/initrd.img-$v" "$EXPORT/tftp/initrd.img"
	local cmdline="boot=live fetch=http://10.0.2.2:$HTTP_PORT/filesystem.squashfs FAI_FLAGS=verbose,sshd FAI_ACTION=install"
	local nfs="root=/dev/nfs nfsroot=10.0.2.2:$ROOT boot=live netboot=nfs FAI_FLAGS=verbose,sshd FAI_ACTION=install"
	assert_eq "$cmdline" "$(cat "$EXPORT/cmdline")" "$EXPORT/cmdline"
	assert_eq "$nfs" "$(cat "$EXPORT/cmdline-nfs")" "$EXPORT/cmdline-nfs"
	local pxe=$EXPORT/tftp/pxelinux.cfg/default
	has_line "$pxe" "default xstrap-nfsroot"
	grep -qxF "  kernel vmlinuz" "$pxe"
	grep -qxF "  append initrd=initrd.img $cmdline" "$pxe"
	has_line "$pxe" "label xstrap-nfsroot-nfs"
	grep -qxF "  append initrd=initrd.img $nfs" "$pxe"
	has_line "$EXPORT/tftp/boot.ipxe" "#!ipxe"
	has_line "$EXPORT/tftp/boot.ipxe" "kernel vmlinuz initrd=initrd.img $cmdline"
	has_line "$EXPORT/exports" "$ROOT *(ro,async,no_subtree_check,no_root_squash)"
	[ -s "$EXPORT/filesystem.squashfs" ]
	xl_values "$EXPORT/xen.cfg"
	has_line "$EXPORT/xen.cfg.values" "kernel $xen/vmlinuz"
	has_line "$EXPORT/xen.cfg.values" "ramdisk $xen/initrd.gz"
	has_line "$EXPORT/xen.cfg.values" "extra console=hvc0 $cmdline"
}

@test "nfsroot: the exported kernel and initrd boot under QEMU and live-boot fetches the squashfs over HTTP" {
	nfsroot_built
	python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$EXPORT" >"$WORK/http.log" 2>&1 &
	local http=$! log=$BATS_TEST_TMPDIR/console.log rc=0
	qemu_boot_to_login "$log" 600 "$EXPORT/tftp/vmlinuz" "$EXPORT/tftp/initrd.img" \
		"$(cat "$EXPORT/cmdline") $SLOW" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 || rc=$?
	kill "$http"
	wait "$http" 2>/dev/null || true
	[ "$rc" = 0 ]
	grep -q '"GET /filesystem.squashfs HTTP/1.[01]" 200' "$WORK/http.log"
	grep -qa "$MARK medium=ramfs" "$log"
}

@test "nfsroot: the exported kernel and initrd boot under QEMU with the root over NFS from nfs-ganesha" {
	nfsroot_built
	start_nfs_server
	local log=$BATS_TEST_TMPDIR/console.log rc=0
	qemu_boot_to_login "$log" 600 "$EXPORT/tftp/vmlinuz" "$EXPORT/tftp/initrd.img" \
		"$(cat "$EXPORT/cmdline-nfs") $SLOW" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 || rc=$?
	stop_nfs_server
	[ "$rc" = 0 ]
	grep -qa "nfsmount -o nolock -o ro  10.0.2.2:$ROOT /run/live/medium" "$log"
	grep -qa "$MARK medium=nfs" "$log"
}

@test "nfsroot: building into an existing nfsroot is refused before any download, and leaves it as it was" {
	nfsroot_built
	local before after
	before=$(find "$ROOT" -xdev -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum)
	run "$XSTRAP" nfsroot --cache-dir="$BATS_TEST_TMPDIR/cache" "$SUITE" "$ROOT" "$MIRROR" --export="$BATS_TEST_TMPDIR/export"
	[ "$status" = 1 ]
	[[ "$output" == *"$ROOT: already holds an nfsroot (/.THIS_IS_THE_FAI_NFSROOT); xstrap nfsroot does not update a root in place"* ]]
	after=$(find "$ROOT" -xdev -printf '%P %s %T@\n' | LC_ALL=C sort | sha256sum)
	assert_eq "$before" "$after" "the root's files, sizes and times"
	# nothing was fetched
	[ ! -e "$BATS_TEST_TMPDIR/cache" ] || [ -z "$(find "$BATS_TEST_TMPDIR/cache" -name '*.deb')" ]
}

@test "nfsroot: an rpm distribution is refused, naming dracut's NFS and live modules" {
	# --list-hooks runs the class scripts and fetches nothing: no key is needed
	run "$XSTRAP" nfsroot --list-hooks --no-verify centos-stream9 "$BATS_TEST_TMPDIR/root"
	[ "$status" = 1 ]
	[[ "$output" == *"NFSROOT: an nfsroot of centos-stream9 is not supported yet"*"dracut-network, dracut-live"* ]]
}

@test "nfsroot: its options are refused without the subcommand, and a private key as --ssh-key" {
	run "$XSTRAP" --export="$BATS_TEST_TMPDIR/x" "$SUITE" "$BATS_TEST_TMPDIR/root"
	[ "$status" = 2 ]
	[[ "$output" == *"are for xstrap nfsroot"* ]]
	run "$XSTRAP" --format=squashfs "$SUITE" "$BATS_TEST_TMPDIR/root"
	[ "$status" = 2 ]
	run "$XSTRAP" nfsroot --format=ext4 "$SUITE" "$BATS_TEST_TMPDIR/root.img"
	[ "$status" = 2 ]
	[[ "$output" == *"expected dir or squashfs"* ]]
	ssh-keygen -q -t ed25519 -N '' -f "$BATS_TEST_TMPDIR/k" >/dev/null
	run "$XSTRAP" nfsroot --ssh-key="$BATS_TEST_TMPDIR/k" --export="$BATS_TEST_TMPDIR/x" "$SUITE" "$BATS_TEST_TMPDIR/root" "file:///nonexistent"
	[ "$status" = 1 ]
	[[ "$output" == *"--ssh-key=$BATS_TEST_TMPDIR/k: expected OpenSSH public keys"*"found a private key"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/root" ]
}
