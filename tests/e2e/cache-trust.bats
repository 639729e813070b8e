#!/usr/bin/env bats
# A cache is a convenience, never a source of trust: every file read from it
# (a package, a Packages index, a parsed .solv pool) is checked against the
# signed digest in the pass that reads it. Each test builds once into a
# private cache, swaps one cached file for another that is valid and of the
# same size, and builds again: the planted bytes never reach the target.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	T=$BATS_TEST_TMPDIR/target
	T2=$BATS_TEST_TMPDIR/target2
}

# extract TARGET [ARGS...]: the fixture's alt-b (an uncompressed data.tar)
extract() {
	local target=$1
	shift
	run --separate-stderr xs --variant=extract --include=alt-b --keyring="$KEYRING" "$@" \
		fixture "$target" "$FIXTURE_URL"
}

# plant FILE OLD NEW: replace the bytes OLD by NEW (same length) in FILE, in
# a new file renamed over it (as another writer of the cache would)
plant() {
	python3 - "$@" <<'PYEOF'
import os, sys
path, old, new = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()
assert len(old) == len(new)
data = open(path, "rb").read()
assert old in data, f"{old!r} not in {path}"
with open(path + ".plant", "wb") as f:
    f.write(data.replace(old, new))
os.rename(path + ".plant", path)
PYEOF
}

@test "a cached .deb swapped for a valid one of the same size: fetched again, the planted bytes never reach the target" {
	extract "$T"
	assert_status 0
	assert_eq "alternative b" "$(cat "$T/usr/share/alt/b")" "/usr/share/alt/b"
	deb=$(grep -l 'alternative b' "$CACHE"/debs/*.deb)
	[ -f "$deb" ]
	size=$(stat -c %s "$deb")
	want=$(basename "$deb" .deb)
	plant "$deb" "alternative b" "PLANTED!!!!!!"
	assert_eq "$size" "$(stat -c %s "$deb")" "size of the planted .deb"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/alt/b | grep -q PLANTED
	found=$(sha256_of "$deb")
	extract "$T2"
	assert_status 0
	assert_stderr_has "alt-b.*not the one the signed index names.*expected SHA256 $want, found $found.*fetching it again"
	assert_eq "alternative b" "$(cat "$T2/usr/share/alt/b")" "/usr/share/alt/b after the swap"
	assert_eq "$want" "$(sha256_of "$deb")" "the cached file's digest after the run"
}

@test "a cached .deb swapped, and the mirror now serves the planted one too: refused, the target has none of it" {
	R=$BATS_TEST_TMPDIR/repo
	cp -a "$fixture_dir/repo" "$R"
	run --separate-stderr xs --variant=extract --include=alt-b --keyring="$KEYRING" fixture "$T" "file://$R"
	assert_status 0
	deb=$(grep -l 'alternative b' "$CACHE"/debs/*.deb)
	want=$(basename "$deb" .deb)
	plant "$deb" "alternative b" "PLANTED!!!!!!"
	found=$(sha256_of "$deb")
	cp "$deb" "$R/pool/main/alt-b_1.0-1_all.deb"
	run --separate-stderr xs --variant=extract --include=alt-b --keyring="$KEYRING" fixture "$T2" "file://$R"
	assert_status 1
	assert_error_line "alt-b.*expected $want, got $found"
	refute grep -rqs PLANTED "$T2"
}

# plain_sha256 REPO SUITE: the SHA256 the signed Release gives for the
# uncompressed main/binary-amd64/Packages (what names its cached text and pool)
plain_sha256() {
	awk '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == "main/binary-amd64/Packages" { print $1 }' \
		"$1/dists/$2/Release"
}

# site_pool: the site repository's index, parsed into this test's cache
site_pool() {
	run --separate-stderr xs plan --keyring="$fixture_dir/otherkey.asc" site "file://$fixture_dir/repo-site"
	SITE=$(plain_sha256 "$fixture_dir/repo-site" site)
	[ -f "$CACHE/index/$SITE.solv" ]
}

@test "a cached Packages text changed (same size, still a valid index): fetched again, the build uses the signed one" {
	extract "$T"
	assert_status 0
	want=$(plain_sha256 "$fixture_dir/repo" fixture)
	txt=$CACHE/index/$want.txt
	[ -f "$txt" ]
	plant "$txt" "Priority: optional" "Priority: required"
	found=$(sha256_of "$txt")
	extract "$T2"
	assert_status 0
	assert_stderr_has "fixture main/binary-amd64/Packages: the cached index .*$want.txt is not the one the signed Release names \(expected SHA256 $want, found $found\); discarded, fetching it again"
	assert_eq "$want" "$(sha256_of "$txt")" "the cached text's digest after the run"
	assert_eq "alternative b" "$(cat "$T2/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "a cached .solv swapped for another index's valid pool (with its sum): not used, the index parsed again" {
	extract "$T"
	assert_status 0
	site_pool
	want=$(plain_sha256 "$fixture_dir/repo" fixture)
	cp "$CACHE/index/$SITE.solv" "$CACHE/index/$want.solv"
	cp "$CACHE/index/$SITE.solv.sum" "$CACHE/index/$want.solv.sum"
	# site-tool is only in the site's pool: the swapped pool would offer it
	run --separate-stderr xs --variant=extract --include=site-tool --keyring="$KEYRING" fixture "$T2" "$FIXTURE_URL"
	assert_status 1
	assert_stderr_has "$want.solv: not the parsed pool of the verified metadata \(made from SHA256 $SITE, expected $want"
	assert_error_line 'site-tool'
	assert_no_package_files "$T2"
	extract "$BATS_TEST_TMPDIR/t3"
	assert_status 0
	assert_eq "alternative b" "$(cat "$BATS_TEST_TMPDIR/t3/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "a cached .solv changed after it was written (its sum kept): not used, the index parsed again" {
	extract "$T"
	assert_status 0
	site_pool
	want=$(plain_sha256 "$fixture_dir/repo" fixture)
	cp "$CACHE/index/$SITE.solv" "$CACHE/index/$want.solv"
	run --separate-stderr xs --variant=extract --include=site-tool --keyring="$KEYRING" fixture "$T2" "$FIXTURE_URL"
	assert_status 1
	assert_stderr_has "$want.solv: not the parsed pool of the verified metadata \(made from SHA256 $want, expected $want; its own SHA256 [0-9a-f]{64}, recorded [0-9a-f]{64}\)"
	assert_error_line 'site-tool'
	assert_no_package_files "$T2"
}

@test "a cached compressed index changed, its text gone: fetched again" {
	extract "$T"
	assert_status 0
	want=$(plain_sha256 "$fixture_dir/repo" fixture)
	rm "$CACHE/index/$want.txt"
	xz=$(ls "$CACHE"/index/*.xz)
	flip_byte "$xz"
	extract "$T2"
	assert_status 0
	assert_stderr_has "fixture main/binary-amd64/Packages.xz: the cached file .*xz is not the one the signed Release names.*fetching it again"
	assert_eq "alternative b" "$(cat "$T2/usr/share/alt/b")" "/usr/share/alt/b"
}

@test "a cache directory others can write: refused, naming it and its mode" {
	mkdir -p "$CACHE/debs"
	chmod 0777 "$CACHE/debs"
	extract "$T"
	assert_status 1
	assert_error_line "$CACHE/debs: the cache directory is owned by uid [0-9]+ with mode 0777"
	assert_no_package_files "$T"
}

@test "an index folder of the cache that its group can write: refused before a cached index is read" {
	extract "$T"
	assert_status 0
	chmod 0775 "$CACHE/index"
	extract "$T2"
	assert_status 1
	assert_error_line "$CACHE/index: the cache directory is owned by uid [0-9]+ with mode 0775"
	assert_no_package_files "$T2"
}

# rpm_cached_flipped OFFSET: builds T from the rpm fixture, then flips the
# byte at OFFSET of the cached rpm (negative: from its end); sets rpm, want
# (its signed SHA256) and found (the changed file's).
rpm_cached_flipped() {
	rpm_fixture_setup
	rpm_fixture_check
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --variant=extract --include=epochpkg \
		fixture "$T" "$RPM_REPO"
	assert_status 0
	rpm=$(ls "$CACHE"/rpms/*.rpm | head -n 1)
	[ -f "$rpm" ]
	want=$(basename "$rpm" .rpm)
	local off=$1
	[ "$off" -ge 0 ] || off=$(($(stat -c %s "$rpm") + off))
	flip_byte "$rpm" "$off"
	found=$(sha256_of "$rpm")
}

@test "rpm: a cached package changed (same size): fetched again, the build uses the signed one" {
	rpm_cached_flipped -100
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --variant=extract --include=epochpkg \
		fixture "$T2" "$RPM_REPO"
	assert_status 0
	assert_stderr_has "not the one the signed index names \(expected SHA256 $want, found $found\); discarded, fetching it again"
	assert_eq "$want" "$(sha256_of "$rpm")" "the cached rpm's digest after the run"
}

@test "rpm: a streamed cached package changed where no signature reaches (its lead): fetched again before any byte is unpacked" {
	# the lead's name field (bytes 10-75): covered by primary's SHA256 of
	# the whole file, by neither the signed header nor the payload digest
	rpm_cached_flipped 20
	XSTRAP_STREAM_ABOVE=0 run --separate-stderr xs -v --repo-type=rpm-md --keyring="$RPM_KEYRING" --variant=extract \
		--include=epochpkg fixture "$T2" "$RPM_REPO"
	assert_status 0
	assert_stderr_has "extract: 2 of 2 packages streamed from the cache"
	assert_stderr_has "not the one the signed index names \(expected SHA256 $want, found $found\); discarded, fetching it again"
	assert_eq "$want" "$(sha256_of "$rpm")" "the cached rpm's digest after the run"
}
