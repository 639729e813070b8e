#!/usr/bin/env bats
# The metadata is the suite asked for, signed by a key pinned for it, over
# a strong hash, not from the future and not older than the newest this
# cache has seen. Each test re-signs a private copy of the fixture
# repository (with the fixture key, copied into a private GNUPGHOME) and
# expects a refusal that leaves the target empty.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	R=$BATS_TEST_TMPDIR/repo
	cp -a "$fixture_dir/repo" "$R"
	DIST=$R/dists/fixture
	T=$BATS_TEST_TMPDIR/target
	# gpg-agent's socket path must stay short
	G=$(mktemp -d /tmp/xstrap-gpg.XXXXXX)
	cp -a "$fixture_dir/gnupg/." "$G/"
	GO=$(mktemp -d /tmp/xstrap-gpg.XXXXXX)
	cp -a "$fixture_dir/gnupg-other/." "$GO/"
}

teardown() {
	gpgconf --homedir "$G" --kill gpg-agent 2>/dev/null || true
	gpgconf --homedir "$GO" --kill gpg-agent 2>/dev/null || true
	rm -rf "$G" "$GO"
}

# sign HOME [DIGEST]: sign $DIST/Release into InRelease and Release.gpg
sign() {
	local home=$1 digest=${2:-SHA512}
	rm -f "$DIST/InRelease" "$DIST/Release.gpg"
	gpg --homedir "$home" --batch --quiet --no-tty --digest-algo "$digest" --clearsign \
		-o "$DIST/InRelease" "$DIST/Release"
	gpg --homedir "$home" --batch --quiet --no-tty --digest-algo "$digest" --armor --detach-sign \
		-o "$DIST/Release.gpg" "$DIST/Release"
}

# release_with FIELD VALUE...: $DIST/Release with these fields replaced, signed with the fixture key
release_with() {
	while [ $# -ge 2 ]; do
		sed -i "s/^$1: .*/$1: $2/" "$DIST/Release"
		shift 2
	done
	sign "$G"
}

# rfc_date SECONDS: the Release date SECONDS from now (negative: in the past)
rfc_date() {
	date -u -d "@$(($(date +%s) + $1))" '+%a, %d %b %Y %H:%M:%S UTC'
}

extract() {
	run --separate-stderr xs --variant=extract --include=alt-b "$@" fixture "$T" "file://$R"
}

# assert_target_empty: no file at all in the target (or no target)
assert_target_empty() {
	local n=0
	[ ! -d "$T" ] || n=$(find "$T" -type f | wc -l)
	assert_eq 0 "$n" "files in the target"
}

# datadir SECTION: a copy of the data directory whose repos/debian.conf
# also has SECTION (exported as XSTRAP_DATADIR)
datadir() {
	local d=$BATS_TEST_TMPDIR/datadir top
	top=$XSTRAP_TOP
	mkdir -p "$d/repos"
	for x in classes hooks lua; do ln -s "$top/$x" "$d/$x"; done
	cp -a "$top/repos/." "$d/repos/"
	printf '\n%s\n' "$1" >>"$d/repos/debian.conf"
	export XSTRAP_DATADIR=$d
}

fixture_fpr() {
	gpg --homedir "$1" --batch --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }'
}

@test "another suite's signed InRelease served for the requested one: refused, the target empty" {
	release_with Suite other Codename other
	extract --keyring="$KEYRING"
	assert_status 1
	assert_error_line 'InRelease: expected suite or codename "fixture".*found suite "other", codename "other"'
	assert_target_empty
}

@test "an older signed InRelease after a newer one was seen: refused, the target empty; --allow-older-metadata takes it" {
	release_with Date "$(rfc_date -86400)"
	extract --keyring="$KEYRING"
	assert_status 0
	release_with Date "$(rfc_date -172800)"
	rm -rf "$T"
	extract --keyring="$KEYRING"
	assert_status 1
	assert_error_line 'InRelease: Date .* is older than the .* this cache saw for fixture at .*: a rollback'
	assert_stderr_has 'allow-older-metadata'
	assert_target_empty
	extract --keyring="$KEYRING" --allow-older-metadata
	assert_status 0
	assert_stderr_has 'older than the .* seen before; taken \(--allow-older-metadata\)'
	assert_eq "alternative b" "$(cat "$T/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "the newest Date is remembered: a run with the older one again is still refused" {
	release_with Date "$(rfc_date -86400)"
	extract --keyring="$KEYRING"
	assert_status 0
	release_with Date "$(rfc_date -172800)"
	rm -rf "$T"
	extract --keyring="$KEYRING" --allow-older-metadata
	assert_status 0
	rm -rf "$T"
	extract --keyring="$KEYRING"
	assert_status 1
	assert_error_line 'a rollback'
	assert_target_empty
}

@test "a signed InRelease dated tomorrow: refused, the target empty" {
	release_with Date "$(rfc_date 86400)"
	extract --keyring="$KEYRING"
	assert_status 1
	assert_error_line 'InRelease: Date .* lies in the future'
	assert_target_empty
}

@test "a Date a minute ahead (clock skew) is taken" {
	release_with Date "$(rfc_date 60)"
	extract --keyring="$KEYRING"
	assert_status 0
}

@test "a key of the keyring that is not the suite's pinned key: refused, the target empty" {
	cat "$fixture_dir/keyring.asc" "$fixture_dir/otherkey.asc" >"$BATS_TEST_TMPDIR/both.asc"
	datadir "[fixture]
keyring = $BATS_TEST_TMPDIR/both.asc
signers = $(fixture_fpr "$G")
components = main"
	# signed by the other key, which the suite's keyring holds too
	sign "$GO"
	extract
	assert_status 1
	assert_error_line "InRelease: signed by key $(fixture_fpr "$GO"), which is in the keyring but not one of the keys pinned for this suite \($(fixture_fpr "$G")\)"
	assert_target_empty
	# the pinned key's signature is taken
	sign "$G"
	extract
	assert_status 0
	assert_eq "alternative b" "$(cat "$T/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "a suite's alias from repos/debian.conf is its name too" {
	datadir "[fixture]
aliases = fixture-stable
keyring = $fixture_dir/keyring.asc
components = main"
	release_with Suite fixture-stable Codename fixture-next
	extract
	assert_status 0
	assert_eq "alternative b" "$(cat "$T/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "an InRelease whose only signature is over SHA1: refused, the target empty" {
	S=$(mktemp -d /tmp/xstrap-gpg.XXXXXX)
	gpg --homedir "$S" --batch --quiet --no-tty --passphrase '' --quick-gen-key 'sha1 signer <sha1@xstrap.invalid>' rsa2048 sign never
	gpg --homedir "$S" --batch --armor --export >"$BATS_TEST_TMPDIR/sha1.asc"
	sign "$S" SHA1
	gpgconf --homedir "$S" --kill gpg-agent 2>/dev/null || true
	rm -rf "$S"
	extract --keyring="$BATS_TEST_TMPDIR/sha1.asc"
	assert_status 1
	assert_error_line 'InRelease: the only good signature .* is made over SHA1'
	assert_target_empty
}
