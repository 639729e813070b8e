#!/usr/bin/env bats
# The happy path and the plain errors, against the signed fixture repository
# (tests/fixtures/mkrepo.sh) over file:// and over HTTP on 127.0.0.1.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
	HTTP_URL=$(serve_http "$fixture_dir")
	export HTTP_URL
}

teardown_file() {
	stop_http
}

setup() {
	common_setup
	T=$BATS_TEST_TMPDIR/target
	SRC=$fixture_dir/src/hello-fixture
}

# plan_ok ARGS...: `xstrap plan --variant=extract` with the fixture key; must succeed
plan_ok() {
	run --separate-stderr xs plan --variant=extract --keyring="$KEYRING" "$@"
	assert_status 0
}

# assert_hello_tree DIR: hello-fixture's files, bytes, modes and links
assert_hello_tree() {
	local t=$1 f
	for f in usr/bin/hello-fixture etc/hello-fixture.conf usr/share/doc/hello-fixture/copyright \
		usr/libexec/hello-fixture/suid-helper usr/share/hello-fixture/hard-a \
		usr/share/hello-fixture/hard-b usr/share/hello-fixture/owned; do
		assert_same_file "$SRC/$f" "$t/$f"
	done
	assert_eq 755 "$(stat -c %a "$t/usr/bin/hello-fixture")" "mode of /usr/bin/hello-fixture"
	assert_eq 4755 "$(stat -c %a "$t/usr/libexec/hello-fixture/suid-helper")" "mode of the setuid helper"
	assert_eq 640 "$(stat -c %a "$t/usr/share/hello-fixture/owned")" "mode of /usr/share/hello-fixture/owned"
	assert_eq 644 "$(stat -c %a "$t/etc/hello-fixture.conf")" "mode of the conffile"
	[ -L "$t/usr/bin/hello-link" ]
	assert_eq hello-fixture "$(readlink "$t/usr/bin/hello-link")" "target of /usr/bin/hello-link"
	assert_eq "$(stat -c %i "$t/usr/share/hello-fixture/hard-a")" \
		"$(stat -c %i "$t/usr/share/hello-fixture/hard-b")" "inode of hard-b (hard link to hard-a)"
	assert_eq 2 "$(stat -c %h "$t/usr/share/hello-fixture/hard-a")" "link count of hard-a"
	[ -d "$t/usr/share/hello-fixture/empty" ]
	[ -z "$(ls -A "$t/usr/share/hello-fixture/empty")" ]
	# the dependency chain was unpacked too
	assert_same_file "$fixture_dir/src/dep-fixture/usr/share/dep-fixture/README" \
		"$t/usr/share/dep-fixture/README"
	# extract configures nothing: hello-fixture's postinst must not have run
	[ ! -e "$t/var/lib/hello-fixture/configured" ]
}

@test "plan: dep-fixture pulls in hello-fixture and exactly one of alt-a, alt-b" {
	plan_ok --include=dep-fixture fixture "$FIXTURE_URL"
	grep -qx 'dep-fixture 2.0-1 all' <<<"$output"
	grep -qx 'hello-fixture 1.0-1 amd64' <<<"$output"
	assert_eq 1 "$(grep -cE '^alt-(a|b) 1\.0-1 all$' <<<"$output")" "number of alt-a/alt-b lines"
	# one package per line, NAME VERSION ARCH, nothing else
	refute grep -vE '^[a-z0-9][a-z0-9.+-]* [^ ]+ (amd64|all)$' <<<"$output"
	# nothing that was not asked for
	refute grep -qE '^(conflict|evil|plant|use|tamper)' <<<"$output"
}

@test "plan: an explicitly included alternative is the one chosen" {
	plan_ok --include=alt-b,dep-fixture fixture "$FIXTURE_URL"
	grep -qx 'alt-b 1.0-1 all' <<<"$output"
	refute grep -q '^alt-a ' <<<"$output"
}

@test "plan: an excluded alternative is never chosen" {
	plan_ok --include=dep-fixture --exclude=alt-a fixture "$FIXTURE_URL"
	grep -qx 'alt-b 1.0-1 all' <<<"$output"
	refute grep -q '^alt-a ' <<<"$output"
	plan_ok --include=dep-fixture --exclude=alt-b fixture "$FIXTURE_URL"
	grep -qx 'alt-a 1.0-1 all' <<<"$output"
	refute grep -q '^alt-b ' <<<"$output"
}

@test "plan: a binary (non-armored) keyring verifies the repository too" {
	run --separate-stderr xs plan --variant=extract --keyring="$fixture_dir/keyring.gpg" \
		--include=dep-fixture fixture "$FIXTURE_URL"
	assert_status 0
	grep -qx 'hello-fixture 1.0-1 amd64' <<<"$output"
}

@test "plan --json: a JSON array with name, version, arch, size, sha256, filename of each package" {
	plan_ok --json --include=dep-fixture fixture "$FIXTURE_URL"
	python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$output"
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	python3 - "$fixture_dir/repo" "$BATS_TEST_TMPDIR/plan.json" <<'EOF'
import hashlib, json, os, sys
repo = sys.argv[1]
plan = json.load(open(sys.argv[2]))
assert isinstance(plan, list), "not an array"
names = {p["name"] for p in plan}
assert {"dep-fixture", "hello-fixture"} <= names, names
assert len(names & {"alt-a", "alt-b"}) == 1, names
for p in plan:
    for k in ("name", "version", "arch", "size", "sha256", "filename"):
        assert k in p, f"{p.get('name')}: no {k}"
    path = os.path.join(repo, p["filename"])
    blob = open(path, "rb").read()
    assert int(p["size"]) == len(blob), f"{p['name']}: size {p['size']} != {len(blob)}"
    assert p["sha256"] == hashlib.sha256(blob).hexdigest(), f"{p['name']}: sha256"
hello = [p for p in plan if p["name"] == "hello-fixture"][0]
assert (hello["version"], hello["arch"]) == ("1.0-1", "amd64"), hello
assert hello["filename"] == "pool/main/hello-fixture_1.0-1_amd64.deb", hello
EOF
}

@test "extract over file://: files with their bytes, modes, symlink, hard link and empty dir" {
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 0
	assert_hello_tree "$T"
	# exactly one alternative was unpacked
	assert_eq 1 "$(ls "$T/usr/share/alt" | wc -l)" "files in /usr/share/alt"
}

@test "extract with every package above the memory limit: streamed from the cache, the same tree" {
	XSTRAP_STREAM_ABOVE=0 run --separate-stderr xs -v --variant=extract --include=dep-fixture \
		--keyring="$KEYRING" fixture "$T" "$FIXTURE_URL"
	assert_status 0
	assert_hello_tree "$T"
	assert_stderr_has 'extract: ([0-9]+) of \1 packages streamed from the cache'
}

@test "a streamed package changed in the cache after its download: checked whole before it streams, fetched again" {
	run --separate-stderr xs --variant=extract --include=hello-fixture --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 0
	local deb
	deb=$(ls "$CACHE"/debs/*.deb | head -n 1)
	[ -n "$deb" ]
	# same size (all the cache checks before use) and still a valid .deb:
	# debian-binary "2.0" becomes "2.1" (offset 8 + 60 + 2)
	printf '1' | dd of="$deb" bs=1 seek=70 conv=notrunc status=none
	XSTRAP_STREAM_ABOVE=0 run --separate-stderr xs --variant=extract --include=hello-fixture \
		--keyring="$KEYRING" fixture "$BATS_TEST_TMPDIR/t2" "$FIXTURE_URL"
	assert_status 0
	assert_stderr_has "$(basename "$deb") \(package hello-fixture 1.0-1\): the cached file is not the one the signed index names.*fetching it again"
	assert_same_file "$fixture_dir/src/hello-fixture/usr/bin/hello-fixture" "$BATS_TEST_TMPDIR/t2/usr/bin/hello-fixture"
}

@test "extract keeps owners from the archive (1234:5678) and the setuid bit after chown" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create files owned by another user"
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 0
	assert_eq 1234:5678 "$(stat -c %u:%g "$T/usr/share/hello-fixture/owned")" "owner of /usr/share/hello-fixture/owned"
	assert_eq 0:0 "$(stat -c %u:%g "$T/usr/bin/hello-fixture")" "owner of /usr/bin/hello-fixture"
	assert_eq 4755 "$(stat -c %a "$T/usr/libexec/hello-fixture/suid-helper")" "mode of the setuid helper"
}

@test "extract over http://127.0.0.1: the same tree" {
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" \
		fixture "$T" "$HTTP_URL/repo"
	assert_status 0
	assert_hello_tree "$T"
	# the packages really came over HTTP
	grep -q 'GET /repo/pool/main/hello-fixture_1.0-1_amd64.deb' "$BATS_FILE_TMPDIR"/http.*
}

@test "an unknown package: exit 1, the error names it" {
	run --separate-stderr xs --variant=extract --include=no-such-package --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 1
	assert_error_line 'no-such-package'
	assert_no_package_files "$T"
}

@test "conflicting packages: exit 1, the error names both" {
	run --separate-stderr xs --variant=extract --include=conflict-a,conflict-b --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 1
	assert_stderr_has '^xstrap: error: '
	assert_stderr_has 'conflict-a'
	assert_stderr_has 'conflict-b'
	assert_no_package_files "$T"
}

@test "an unknown suite: exit 1, one error line naming it" {
	run --separate-stderr xs -q --variant=extract --keyring="$KEYRING" no-such-suite "$T" "$FIXTURE_URL"
	assert_status 1
	assert_eq 1 "$(grep -c . <<<"$stderr")" "number of lines on stderr ($stderr)"
	assert_error_line 'no-such-suite'
	assert_no_package_files "$T"
}

@test "an unreachable mirror: exit 1, the error names the URL" {
	run --separate-stderr xs --variant=extract --keyring="$KEYRING" fixture "$T" http://127.0.0.1:1/
	assert_status 1
	assert_error_line 'http://127\.0\.0\.1:1/'
}

@test "usage errors exit 2" {
	run --separate-stderr "$XSTRAP"
	assert_status 2
	run --separate-stderr "$XSTRAP" --variant=no-such-variant fixture "$T" "$FIXTURE_URL"
	assert_status 2
	assert_stderr_has 'no-such-variant'
	run --separate-stderr "$XSTRAP" --no-such-option fixture "$T" "$FIXTURE_URL"
	assert_status 2
	[ ! -e "$T" ]
}

@test "--format=tar: a tar of the tree with paths, modes, owners and links" {
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" --format=tar \
		fixture "$BATS_TEST_TMPDIR/T.tar" "$FIXTURE_URL"
	assert_status 0
	listing=$(tar --numeric-owner -tvf "$BATS_TEST_TMPDIR/T.tar")
	grep -qE '^-rwxr-xr-x 0/0 .* (\./)?usr/bin/hello-fixture$' <<<"$listing"
	grep -qE '^-rwsr-xr-x 0/0 .* (\./)?usr/libexec/hello-fixture/suid-helper$' <<<"$listing"
	grep -qE '^-rw-r----- 1234/5678 .* (\./)?usr/share/hello-fixture/owned$' <<<"$listing"
	grep -qE '^l.* (\./)?usr/bin/hello-link -> hello-fixture$' <<<"$listing"
	grep -qE '^h.* (\./)?usr/share/hello-fixture/hard-[ab] link to (\./)?usr/share/hello-fixture/hard-[ab]$' <<<"$listing"
	grep -qE '^d.* (\./)?usr/share/hello-fixture/empty/?$' <<<"$listing"
	# and the bytes
	mkdir "$BATS_TEST_TMPDIR/x"
	tar -C "$BATS_TEST_TMPDIR/x" -xf "$BATS_TEST_TMPDIR/T.tar" --wildcards '*usr/bin/hello-fixture'
	assert_same_file "$SRC/usr/bin/hello-fixture" "$BATS_TEST_TMPDIR/x/usr/bin/hello-fixture"
	# a tar was asked for, not a directory
	[ ! -d "$BATS_TEST_TMPDIR/T.tar" ]
}

@test "--format=tar is reproducible: same SOURCE_DATE_EPOCH, byte-identical tars" {
	export SOURCE_DATE_EPOCH=1234567890
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" --format=tar \
		fixture "$BATS_TEST_TMPDIR/one.tar" "$FIXTURE_URL"
	assert_status 0
	sleep 1 # a clock leaking into the tar would now differ
	CACHE=$BATS_TEST_TMPDIR/cache2
	run --separate-stderr xs --variant=extract --include=dep-fixture --keyring="$KEYRING" --format=tar \
		fixture "$BATS_TEST_TMPDIR/two.tar" "$HTTP_URL/repo"
	assert_status 0
	cmp "$BATS_TEST_TMPDIR/one.tar" "$BATS_TEST_TMPDIR/two.tar"
	# no entry is newer than SOURCE_DATE_EPOCH
	python3 - "$BATS_TEST_TMPDIR/one.tar" <<'EOF'
import sys, tarfile
late = [m.name for m in tarfile.open(sys.argv[1]) if m.mtime > 1234567890]
assert not late, f"entries newer than SOURCE_DATE_EPOCH: {late}"
EOF
}
