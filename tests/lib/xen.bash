# tests/lib/xen.bash - what a Xen guest root promises whatever its family,
# checked alike by xen.bats (bookworm) and xen-rpm.bats (the rpm fixture),
# both built with --set swap=/dev/xvdb. Load after ../lib/common.

# assert_xen_fstab ROOT: root on the whole /dev/xvda, /proc, swap on /dev/xvdb
assert_xen_fstab() {
	has_line "$1/etc/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
	has_line "$1/etc/fstab" "proc /proc proc defaults 0 0"
	has_line "$1/etc/fstab" "/dev/xvdb none swap sw 0 0"
	refute grep -q 'xvda1' "$1/etc/fstab"
	[ -d "$1/proc" ]
	[ -d "$1/sys" ]
}

# assert_xen_hosts ROOT NAME: /etc/hostname is NAME, /etc/hosts has it on
# 127.0.1.1 (DHCP) besides localhost
assert_xen_hosts() {
	assert_eq "$2" "$(cat "$1/etc/hostname")" "/etc/hostname"
	has_line "$1/etc/hosts" "127.0.1.1 $2"
	has_line "$1/etc/hosts" "127.0.0.1 localhost"
	grep -qE '^::1 +localhost' "$1/etc/hosts"
}
