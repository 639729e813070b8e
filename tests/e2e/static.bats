#!/usr/bin/env bats
# make static: one statically linked xstrap that needs from its host only gpg
# (gpgme runs it) and, for https mirrors, CA certificates.
#
# The proof: a bare root (bookworm minbase + gnupg + ca-certificates, built
# by the normal xstrap, then its dpkg and apt programs deleted) has none of
# xstrap's libraries; the static tarball is unpacked at /opt in it, and
# inside it (chroot; the root bound onto itself, /proc and /sys mounted by
# this test and unmounted by teardown on every exit path) the static binary builds bookworm minbase
# with the same package set as the normal build outside. The mirror comes
# through the private apt-cacher-ng (tests/lib/acng.sh) as http_proxy.
#
# `make static` runs once in setup_file (build-static/ is reused while its
# inputs are unchanged). Needs: root, a Debian mirror in the host's apt
# sources, apt-cacher-ng, and what `tests/lib/deps.sh static` installs
# (cmake, dpkg-dev); skips with the reason otherwise.

bats_require_minimum_version 1.5.0

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	load ../lib/common
	mirror_setup_file cmake dpkg-source chroot || return 0
	export STATIC_LOG=$BATS_FILE_TMPDIR/make-static.log
	export STATIC_FAILED=
	own_make static >"$STATIC_LOG" 2>&1 || STATIC_FAILED=1
}

setup() {
	load ../lib/mirror
	load ../lib/common
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
	if [ -n "$STATIC_FAILED" ]; then
		echo "make static failed; last lines of its output:" >&2
		tail -n 30 "$STATIC_LOG" >&2
		return 1
	fi
	STATIC_BIN=$XSTRAP_TOP/build-static/xstrap
	TARBALL=$(ls -t "$XSTRAP_TOP"/build-static/xstrap-*-"$(uname -m)"-static.tar.gz | head -n 1)
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-static.XXXXXX")
}

teardown() {
	# safe_rmtree unmounts what the test mounted below WORK before removing
	[ -z "${WORK:-}" ] || safe_rmtree "$WORK"
}

# build_root TARGET ARGS...: the normal xstrap, into TARGET, own cache
build_root() {
	local target=$1
	shift
	timeout 1800 "$XSTRAP" --cache-dir="$WORK/cache" "$@" bookworm "$target" "$MIRROR" \
		>"$WORK/build.log" 2>&1 || {
		echo "xstrap $* bookworm $target failed; last lines:" >&2
		tail -n 30 "$WORK/build.log" >&2
		return 1
	}
}

@test "static: make static makes one binary that is not a dynamic executable" {
	run ldd "$STATIC_BIN"
	[[ "$output" == *"not a dynamic executable"* ]]
	run file -L "$STATIC_BIN"
	[[ "$output" == *"statically linked"* ]]
	# the tarball: the binary beside its data, the man pages and completion
	local top list=$BATS_TEST_TMPDIR/tarball.list
	top=$(basename "$TARBALL" .tar.gz)
	tar -tzf "$TARBALL" >"$list"
	has_line "$list" "$top/bin/xstrap"
	has_line "$list" "$top/share/xstrap/repos/debian.conf"
	has_line "$list" "$top/share/xstrap/lua/xstrap.lua"
	has_line "$list" "$top/share/bash-completion/completions/xstrap"
}

@test "static: in a bare root without dpkg, apt or xstrap's libraries it builds bookworm minbase as the normal build does" {
	local bare=$WORK/bare
	build_root "$bare" --variant=minbase --include=gnupg,ca-certificates
	# the bare root: no dpkg, no apt, none of the libraries xstrap links
	# (minbase has e2fsprogs' libext2fs: deleted as well)
	rm -f "$bare"/usr/bin/dpkg* "$bare"/usr/bin/apt* "$bare"/usr/lib/apt/methods/* \
		"$bare"/usr/lib/*/libext2fs.so*
	run find "$bare/usr/bin" -name 'dpkg*' -o -name 'apt*'
	assert_eq "" "$output" "dpkg and apt programs left in the bare root"
	run find "$bare" -xdev \( -name 'libsolv*.so*' -o -name 'libcurl*.so*' -o -name 'libarchive.so*' \
		-o -name 'libgpgme.so*' -o -name 'liblua5.4.so*' -o -name 'libext2fs.so*' \)
	assert_eq "" "$output" "xstrap's libraries in the bare root"
	[ -x "$bare/usr/bin/gpg" ]

	tar -C "$bare/opt" -xzf "$TARBALL"
	local bin
	bin=/opt/$(basename "$TARBALL" .tar.gz)/bin/xstrap
	# xstrap makes its mounts private from "/" down, which needs "/" to be a
	# mount point: in a plain chroot directory it is not (schroot and
	# systemd-nspawn bind the root onto itself the same way)
	mount --bind "$bare" "$bare"
	mount -t proc proc "$bare/proc"
	mount -t sysfs sysfs "$bare/sys"
	run chroot "$bare" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		http_proxy="$http_proxy" "$bin" --variant=minbase bookworm /srv/guest "$MIRROR"
	if [ "$status" -ne 0 ]; then
		echo "the static xstrap failed in the bare root; last lines:" >&2
		tail -n 30 <<<"$output" >&2
	fi
	assert_status 0
	# its data came from beside the binary: nothing under /usr/local or /usr/share
	[ ! -e "$bare/usr/local/share/xstrap" ]
	[ ! -e "$bare/usr/share/xstrap" ]

	build_root "$WORK/normal" --variant=minbase
	local got want
	got=$(pkgset "$bare/srv/guest")
	want=$(pkgset "$WORK/normal")
	assert_eq "$want" "$got" "package set of the static build in the bare root"
	[ "$(wc -l <<<"$got")" -gt 50 ]
	run grep -cv ' ii $' <<<"$got"
	assert_eq 0 "$output" "packages not installed (not 'ii')"
}
