#!/usr/bin/env bats
# xstrap against the real Debian archive, side by side with debootstrap.
#
# The mirror comes from the host's apt sources (tests/lib/mirror.bash); both
# tools fetch through a private apt-cacher-ng (tests/lib/acng.sh) via
# http_proxy, so both write the same mirror URL into etc/apt/sources.list.
# For each configuration the test asserts that xstrap's root
#   - has the same packages at the same versions as debootstrap's,
#   - has every package "ii ",
#   - passes "dpkg --audit" (no output) and "dpkg --verify" (no line that
#     debootstrap's root does not print as well),
#   - equals debootstrap's tree path by path (type, mode, owner, size,
#     sha256, link target, device numbers, capabilities) outside
#     tests/lib/compat-allowlist.txt (reasons: docs/compat.md).
# debootstrap roots are cached in ${XSTRAP_TEST_CACHE:-/var/tmp/xstrap-test}
# (see debootstrap_ref); xstrap roots live in a temporary directory that
# teardown removes.
#
# Needs: root, debootstrap, apt-cacher-ng, curl, a Debian mirror in the
# host's apt sources. Skips with a message otherwise.

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	mirror_setup_file debootstrap || true
}

setup() {
	load ../lib/mirror
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-mirror.XXXXXX")
	ALLOW=$XSTRAP_TOP/tests/lib/compat-allowlist.txt
}

teardown() {
	safe_rmtree "$WORK"
}

# run_xstrap VARIANT SUITE TARGET: build with xstrap, fresh package cache.
run_xstrap() {
	local variant=$1 suite=$2 target=$3
	if [ ! -x "$XSTRAP" ]; then
		echo "xstrap binary not found: $XSTRAP (build it first: make)" >&2
		return 1
	fi
	local t0=$SECONDS
	if ! timeout 1800 "$XSTRAP" --variant="$variant" --cache-dir="$WORK/cache" \
		"$suite" "$target" "$MIRROR" > "$WORK/xstrap.log" 2>&1; then
		echo "xstrap --variant=$variant $suite failed; last lines of its output:" >&2
		tail -n 40 "$WORK/xstrap.log" >&2
		return 1
	fi
	echo "# xstrap --variant=$variant $suite: $((SECONDS - t0)) s" >&3
}

# compare SUITE VARIANT: the whole side-by-side check.
compare() {
	local suite=$1 variant=$2 ref out rc
	local t0=$SECONDS
	ref=$(debootstrap_ref "$suite" "$variant") || return 1
	echo "# debootstrap root: $ref (ready after $((SECONDS - t0)) s)" >&3
	run_xstrap "$variant" "$suite" "$WORK/root" || return 1
	local root=$WORK/root

	# 1. same packages, same versions, all installed
	pkgset "$ref" > "$WORK/ref.pkgs"
	pkgset "$root" > "$WORK/xs.pkgs"
	if ! diff -u "$WORK/ref.pkgs" "$WORK/xs.pkgs" > "$WORK/pkgs.diff"; then
		echo "package sets differ (- debootstrap, + xstrap):" >&2
		grep '^[-+][^-+]' "$WORK/pkgs.diff" >&2
		return 1
	fi
	if grep -v ' ii $' "$WORK/xs.pkgs" > "$WORK/notii"; then
		echo "packages not in state ii:" >&2
		cat "$WORK/notii" >&2
		return 1
	fi
	[ -s "$WORK/xs.pkgs" ] || { echo "no packages at all" >&2; return 1; }

	# 2. dpkg's own consistency checks, run by the target's dpkg
	out=$(chroot "$root" dpkg --audit 2>&1); rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "dpkg --audit (rc $rc):" >&2; echo "$out" >&2
		return 1
	fi
	chroot "$ref" dpkg --verify > "$WORK/ref.verify" 2>&1
	chroot "$root" dpkg --verify > "$WORK/xs.verify" 2>&1
	# allowed: exactly the lines debootstrap's root prints too (an empty
	# pattern file matches nothing, so then every xstrap line is reported)
	if LC_ALL=C grep -vxF -f "$WORK/ref.verify" "$WORK/xs.verify" > "$WORK/verify.extra"; then
		echo "dpkg --verify reports files that debootstrap's root does not:" >&2
		cat "$WORK/verify.extra" >&2
		return 1
	fi

	# 3. the trees, path by path (shadow's days: the build's day, see there)
	shadow_days_as_ref "$ref" "$root" || return 1
	if ! "$XSTRAP_TOP/tests/lib/treecmp.sh" "$ref" "$root" "$ALLOW" > "$WORK/tree.diff"; then
		echo "trees differ (A: debootstrap, B: xstrap), $(wc -l < "$WORK/tree.diff") paths:" >&2
		head -n 60 "$WORK/tree.diff" >&2
		return 1
	fi
}

@test "mirror: bookworm minbase equals debootstrap --variant=minbase" {
	compare bookworm minbase
}

@test "mirror: bookworm important equals debootstrap (default variant)" {
	compare bookworm important
}

@test "mirror: bookworm buildd equals debootstrap --variant=buildd" {
	compare bookworm buildd
}

@test "mirror: trixie minbase equals debootstrap --variant=minbase" {
	compare trixie minbase
}

@test "mirror: trixie important equals debootstrap (default variant)" {
	compare trixie important
}

@test "mirror: apt-get update and install hello inside an xstrap root" {
	run_xstrap minbase bookworm "$WORK/root"
	local root=$WORK/root
	# apt reaches the mirror through the proxy on 127.0.0.1 (same network
	# namespace), so the root needs no resolv.conf; /proc is mounted
	# because apt and dpkg read /proc/self and teardown unmounts it.
	mount -t proc proc "$root/proc"
	run chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		http_proxy="$http_proxy" DEBIAN_FRONTEND=noninteractive \
		apt-get -q update
	echo "$output"
	[ "$status" -eq 0 ]
	run chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		http_proxy="$http_proxy" DEBIAN_FRONTEND=noninteractive \
		apt-get -q -y install hello
	echo "$output"
	[ "$status" -eq 0 ]
	run chroot "$root" hello
	[ "$status" -eq 0 ]
	[ "$output" = "Hello, world!" ]
	run chroot "$root" dpkg --audit
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	umount "$root/proc"
}
