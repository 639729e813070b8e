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

# xl_parse_setup DIR: build tests/lib/xl-parse.c (Xen's own config parser,
# libxlutil from libxen-dev) into DIR/xl-parse; on failure set
# XL_PARSE_SKIP to the reason (bats cannot skip from setup_file)
xl_parse_setup() {
	export XL_PARSE=$1/xl-parse XL_PARSE_SKIP=
	if ! pkg-config --exists xlutil xenlight 2>/dev/null; then
		XL_PARSE_SKIP="libxlutil is not installed (Debian package libxen-dev)"
	elif ! cc -o "$XL_PARSE" "$XSTRAP_TOP/tests/lib/xl-parse.c" \
		$(pkg-config --cflags --libs xlutil xenlight) >&2; then
		XL_PARSE_SKIP="tests/lib/xl-parse.c does not build against libxen-dev"
	fi
}

# xl_values CFG: write CFG.values, the "key value" lines of CFG as libxlutil
# parsed it; skips without libxlutil, fails when xl's parser refuses CFG
xl_values() {
	[ -z "$XL_PARSE_SKIP" ] || skip "$XL_PARSE_SKIP"
	if ! "$XL_PARSE" "$1" >"$1.values"; then
		echo "libxlutil refuses $1:" >&2
		cat "$1" >&2
		return 1
	fi
}

# xen_mac NAME: the MAC xstrap derives for NAME: 00:16:3e, then the first
# three bytes of SHA-256("xstrap xen mac\nNAME"), the first one below 0x80
xen_mac() {
	local h
	h=$(printf 'xstrap xen mac\n%s' "$1" | sha256sum | cut -c1-6)
	printf '00:16:3e:%02x:%s:%s\n' $((0x${h:0:2} & 0x7f)) "${h:2:2}" "${h:4:2}"
}

# assert_swap_image IMG LABEL: blkid and swaplabel see a swap area labelled
# LABEL; the image is sparse (a few blocks on the host)
assert_swap_image() {
	assert_eq swap "$(blkid -o value -s TYPE "$1")" "blkid's TYPE of $1"
	assert_eq "$2" "$(blkid -o value -s LABEL "$1")" "blkid's LABEL of $1"
	swaplabel "$1" | grep -qx "LABEL: $2"
	[ "$(stat -c %b "$1")" -lt 64 ]
}
