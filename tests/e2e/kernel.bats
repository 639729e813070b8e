#!/usr/bin/env bats
# A guest with a kernel, against the real Debian archive: bookworm minbase
# plus linux-image-amd64 and firmware-linux-free (the `make bench` kernel
# case), built once by xstrap with -v and -j 4 under /usr/bin/time.
#   - the initrd is generated once (the kernel hook's creation deferred into
#     initramfs-tools' trigger), and holds the same files (lsinitramfs) as
#     mmdebstrap's build of the same set (with its merged-usr hook);
#   - the tree otherwise equals debootstrap's with the same --include,
#     outside tests/lib/compat-allowlist.txt;
#   - the peak RSS of xstrap and what it runs stays within the budget
#     xstrap(1) states (128 MB), though the kernel package unpacks to
#     ~400 MB.
# Reference roots are cached as mirror.bats caches debootstrap's
# (tests/lib/mirror.bash: cached_root). Needs root, debootstrap,
# mmdebstrap, apt-cacher-ng, /usr/bin/time and a Debian mirror in the
# host's apt sources; skips with a message otherwise.

SUITE=bookworm
INCLUDE=linux-image-amd64,firmware-linux-free
BUDGET_KB=$((128 * 1024)) # xstrap(1), MEMORY

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	mirror_setup_file debootstrap mmdebstrap || true
	[ -n "$MIRROR_SKIP" ] || [ -x /usr/bin/time ] || export MIRROR_SKIP="/usr/bin/time is not installed (Debian package time)"
}

setup() {
	load ../lib/mirror
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
	ROOT=$BATS_FILE_TMPDIR/root
	LOG=$BATS_FILE_TMPDIR/xstrap.log
	RSS=$BATS_FILE_TMPDIR/xstrap.maxrss
}

teardown_file() {
	load ../lib/mirror
	safe_rmtree "$BATS_FILE_TMPDIR/root"
}

# xstrap_root: the one build every test reads (made by the first test
# that needs it); fails with the end of its log when xstrap failed.
xstrap_root() {
	local status=$BATS_FILE_TMPDIR/xstrap.status
	if [ ! -e "$status" ]; then
		local rc=0
		timeout 1800 /usr/bin/time -f %M -o "$RSS" "$XSTRAP" -v -j 4 --variant=minbase \
			--include="$INCLUDE" --cache-dir="$BATS_FILE_TMPDIR/cache" \
			"$SUITE" "$ROOT" "$MIRROR" >"$LOG" 2>&1 || rc=$?
		echo "$rc" >"$status"
	fi
	if [ "$(cat "$status")" != 0 ]; then
		echo "xstrap -j 4 --variant=minbase --include=$INCLUDE $SUITE failed; last lines:" >&2
		tail -n 40 "$LOG" >&2
		return 1
	fi
}

# initrd ROOT: the one initrd in ROOT/boot
initrd() {
	local f
	f=$(ls "$1"/boot/initrd.img-* 2>/dev/null)
	[ "$(echo "$f" | wc -l)" = 1 ] || { echo "expected one initrd in $1/boot, found: $f" >&2; return 1; }
	echo "${f#"$1"}"
}

@test "kernel: the initrd is generated once, by initramfs-tools' trigger, after every package is configured" {
	xstrap_root
	local n
	n=$(grep -c '^update-initramfs: Generating /boot/initrd.img-' "$LOG")
	[ "$n" = 1 ] || { echo "update-initramfs generated $n times:" >&2; grep -n 'initramfs' "$LOG" >&2; return 1; }
	grep -q '^update-initramfs: deferring creation of /boot/initrd.img-' "$LOG"
	local f
	f=$(initrd "$ROOT")
	[ -s "$ROOT$f" ]
	# the trigger ran last: nothing is left pending
	[ -z "$(chroot "$ROOT" dpkg --audit 2>&1)" ]
}

@test "kernel: the initrd holds the same files (lsinitramfs) as mmdebstrap's build of the same packages" {
	xstrap_root
	local ref f g
	ref=$(mmdebstrap_ref "$SUITE" minbase "$INCLUDE") || return 1
	f=$(initrd "$ROOT")
	g=$(initrd "$ref")
	[ "$f" = "$g" ] || { echo "kernel versions differ: $g (mmdebstrap), $f (xstrap)" >&2; return 1; }
	chroot "$ref" lsinitramfs "$g" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/ref.list"
	chroot "$ROOT" lsinitramfs "$f" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/xs.list"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/xs.list")" -gt 100 ]
	if ! diff -u "$BATS_TEST_TMPDIR/ref.list" "$BATS_TEST_TMPDIR/xs.list" >"$BATS_TEST_TMPDIR/list.diff"; then
		echo "the initrds' file lists differ (- mmdebstrap, + xstrap):" >&2
		grep '^[-+][^-+]' "$BATS_TEST_TMPDIR/list.diff" | head -n 40 >&2
		return 1
	fi
}

@test "kernel: the tree equals debootstrap's with the same --include outside the allowlist (the initrd by its list, above)" {
	xstrap_root
	local ref
	ref=$(debootstrap_ref "$SUITE" minbase "$INCLUDE") || return 1
	pkgset "$ref" >"$BATS_TEST_TMPDIR/ref.pkgs"
	pkgset "$ROOT" >"$BATS_TEST_TMPDIR/xs.pkgs"
	diff -u "$BATS_TEST_TMPDIR/ref.pkgs" "$BATS_TEST_TMPDIR/xs.pkgs" >&2
	grep -q '^linux-image-amd64 .* ii $' "$BATS_TEST_TMPDIR/xs.pkgs"
	# the initrd's bytes carry mkinitramfs' timestamps
	{ cat "$XSTRAP_TOP/tests/lib/compat-allowlist.txt"; echo 'boot/initrd.img-*'; } >"$BATS_TEST_TMPDIR/allow"
	shadow_days_as_ref "$ref" "$ROOT"
	if ! "$XSTRAP_TOP/tests/lib/treecmp.sh" "$ref" "$ROOT" "$BATS_TEST_TMPDIR/allow" >"$BATS_TEST_TMPDIR/tree.diff"; then
		echo "trees differ (A: debootstrap, B: xstrap), $(wc -l <"$BATS_TEST_TMPDIR/tree.diff") paths:" >&2
		head -n 60 "$BATS_TEST_TMPDIR/tree.diff" >&2
		return 1
	fi
}

@test "kernel: peak RSS with -j 4 stays within the memory budget (128 MB), though the kernel unpacks to ~400 MB" {
	xstrap_root
	grep -q 'extract: [1-9][0-9]* of [0-9]* packages streamed from the cache' "$LOG"
	local kb
	kb=$(tail -n 1 "$RSS")
	echo "# peak RSS: $kb KB (budget $BUDGET_KB KB)" >&3
	[ "$kb" -gt 0 ]
	[ "$kb" -le "$BUDGET_KB" ] || { echo "peak RSS $kb KB exceeds the budget of $BUDGET_KB KB" >&2; return 1; }
}
