#!/usr/bin/env bats
# --updates against the real Debian archive: bookworm, bookworm-updates and
# bookworm-security loaded side by side, the newest version of each package
# installed, as the host's apt picks it from the same three suites.
#
# The reference is apt itself, in a private APT root (-o Dir=...) whose
# sources name the same three suites on the same mirror (the security
# archive beside it, as on Debian's mirrors) with an empty dpkg status:
# `apt-cache policy` gives the candidate version of every package xstrap
# installed. Then, inside the root, apt-get update && apt-get -s upgrade
# must find nothing to upgrade.
#
# Needs: root, apt-get, apt-cacher-ng, a Debian mirror in the host's apt
# sources. Skips with a message otherwise.

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/mirror
	mirror_setup_file apt-get apt-cache || true
}

setup() {
	load ../lib/mirror
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-updates.XXXXXX")
	KEYRING=$XSTRAP_TOP/repos/keys/debian-archive-keyring.asc
}

teardown() {
	safe_rmtree "$WORK"
}

# apt_root_candidates DIR PKG...: "PKG VERSION" as apt in a private root
# with bookworm, bookworm-updates and bookworm-security would install them.
apt_root_candidates() {
	local r=$1
	shift
	mkdir -p "$r/etc/apt/apt.conf.d" "$r/etc/apt/preferences.d" "$r/etc/apt/sources.list.d" \
		"$r/var/lib/apt/lists/partial" "$r/var/cache/apt/archives/partial" "$r/var/lib/dpkg"
	: > "$r/var/lib/dpkg/status"
	{
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm main"
		echo "deb [signed-by=$KEYRING] $MIRROR bookworm-updates main"
		echo "deb [signed-by=$KEYRING] ${MIRROR%/*}/debian-security bookworm-security main"
	} > "$r/etc/apt/sources.list"
	local opts=(-o "Dir=$r" -o "Dir::State::status=$r/var/lib/dpkg/status"
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64)
	apt-get "${opts[@]}" -q update > "$r/update.log" 2>&1 || {
		cat "$r/update.log" >&2
		return 1
	}
	apt-cache "${opts[@]}" policy "$@" |
		awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) } /Candidate:/ { print p, $2 }' | LC_ALL=C sort
}

# guest_upgrades_nothing ROOT: the root's own apt, after apt-get update
# from its own sources (through the test's proxy), would upgrade nothing.
guest_upgrades_nothing() {
	local out
	out=$(chroot "$1" env http_proxy="$http_proxy" sh -c \
		'apt-get -q update >/dev/null && apt-get -s upgrade') || {
		echo "apt-get update or upgrade in $1 failed: $out" >&2
		return 1
	}
	echo "$out" | tail -n 3
	[[ "$out" == *"0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."* ]]
}

@test "--updates bookworm: every package at apt's candidate across bookworm, -updates and -security" {
	[ "$(dpkg --print-architecture)" = amd64 ] || skip "the reference apt root is set up for amd64"
	run timeout 1800 "$XSTRAP" --variant=minbase --updates --cache-dir="$WORK/cache" \
		bookworm "$WORK/root" "$MIRROR"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	dpkg-query --admindir="$WORK/root/var/lib/dpkg" -W -f '${Package} ${Version}\n' |
		LC_ALL=C sort > "$WORK/installed"
	# at least one package comes from -updates or -security, else the test
	# would not tell --updates from a plain build
	grep -q 'deb12u' "$WORK/installed"
	apt_root_candidates "$WORK/aptroot" $(cut -d' ' -f1 "$WORK/installed") > "$WORK/apt"
	[ "$(wc -l < "$WORK/apt")" -eq "$(wc -l < "$WORK/installed")" ]
	diff -u "$WORK/apt" "$WORK/installed"

	# the guest's sources name all three suites (one-line, as bookworm's installer writes)
	grep -Eq "^deb $MIRROR bookworm main\$" "$WORK/root/etc/apt/sources.list"
	grep -Eq "^deb $MIRROR bookworm-updates main\$" "$WORK/root/etc/apt/sources.list"
	grep -Eq "^deb ${MIRROR%/*}/debian-security bookworm-security main\$" "$WORK/root/etc/apt/sources.list"

	# and the guest's own apt, fed the same suites, has nothing to upgrade
	guest_upgrades_nothing "$WORK/root"
}

@test "--updates: the security suite is its own signed suite (a wrong --security-mirror is refused, naming it)" {
	# bookworm's own archive under the name of the security archive: its
	# dists/bookworm-security does not exist there
	run "$XSTRAP" plan --variant=minbase --updates --security-mirror="$MIRROR" \
		--cache-dir="$WORK/cache" bookworm "$MIRROR"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bookworm-security"* ]]
	[[ "$output" == *"not found"* ]]
}

@test "--updates on trixie: deb822 sources naming trixie, trixie-updates and trixie-security, read by the guest's apt" {
	run timeout 1800 "$XSTRAP" --variant=minbase --updates --cache-dir="$WORK/cache" \
		trixie "$WORK/root" "$MIRROR"
	echo "$output" | tail -n 5
	[ "$status" -eq 0 ]
	cat "$WORK/root/etc/apt/sources.list.d/debian.sources"
	[ ! -e "$WORK/root/etc/apt/sources.list" ]
	grep -qx "Suites: trixie trixie-updates" "$WORK/root/etc/apt/sources.list.d/debian.sources"
	grep -qx "Suites: trixie-security" "$WORK/root/etc/apt/sources.list.d/debian.sources"
	grep -qx "URIs: ${MIRROR%/*}/debian-security" "$WORK/root/etc/apt/sources.list.d/debian.sources"
	[ "$(grep -cx 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' "$WORK/root/etc/apt/sources.list.d/debian.sources")" -eq 2 ]
	[ -f "$WORK/root/usr/share/keyrings/debian-archive-keyring.gpg" ]
	guest_upgrades_nothing "$WORK/root"
}
