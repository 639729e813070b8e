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
