#!/usr/bin/env bats
# A mirror that misbehaves: tests/lib/faultyhttp.py serves the fixture
# repository over HTTP on 127.0.0.1 and answers chosen paths with a fault
# (a dropped connection, 500/503, a truncated body, a short Content-Length,
# a trickle, a stall, a redirect loop, an endless body). Each run must end
# in a retry that succeeds (the right bytes in the target) or in an error
# naming the URL and what went wrong, with no package file in the target
# and no partial file stored in the cache under its final name; and it
# must end: every run is bounded by timeout(1).

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
	rpm_fixture_setup
}

setup() {
	common_setup
	T=$BATS_TEST_TMPDIR/target
	RULES=$BATS_TEST_TMPDIR/rules
	: >"$RULES"
	URL=$(serve_faulty "$fixture_dir/repo" "$RULES")
	DEB=tamper-target_1.0-1_all.deb
	# a stalled or trickling transfer is given up on after 2 s, not 60
	export XSTRAP_LOW_SPEED_TIME=2
}

teardown() {
	stop_http
}

# fault FAULT SUFFIX [COUNT]: answer paths ending with SUFFIX with FAULT
fault() {
	echo "$*" >>"$RULES"
}

# extract: the fixture's two small packages, through the faulty mirror,
# bounded in time so that a hang fails the test instead of blocking it
extract() {
	run --separate-stderr timeout 120 "$XSTRAP" --cache-dir="$CACHE" --variant=extract \
		--include=dep-fixture,tamper-target --keyring="$KEYRING" fixture "$T" "$URL"
	if [ "$status" -eq 124 ]; then
		echo "xstrap did not end within 120 s (a hang)" >&2
		return 1
	fi
}

# installed: the retry delivered the right bytes
installed() {
	assert_status 0
	assert_same_file "$fixture_dir/src/tamper-target/usr/share/tamper-target/marker" \
		"$T/usr/share/tamper-target/marker"
}

# served N FAULT SUFFIX: the mirror answered SUFFIX with FAULT N times
served() {
	local n
	n=$(grep -c -- "$3 $2\$" "$RULES.log" || true)
	assert_eq "$1" "$n" "times $3 was answered with $2"
}

# refused: failed, nothing installed, no file of the package stored under
# the name the cache trusts
refused() {
	assert_status 1
	assert_no_package_files "$T"
	local sha stored
	sha=$(sha256_of "$fixture_dir/repo/pool/main/$DEB")
	stored=$(find "$CACHE" -name "$sha.deb" 2>/dev/null)
	if [ -n "$stored" ]; then
		echo "a file was stored under the package's final name: $stored" >&2
		return 1
	fi
}

@test "no fault: the faulty server serves the repository as it is" {
	extract
	installed
	served 0 drop "$DEB"
}

@test "connection dropped in the middle of a package, once: retried, installed" {
	fault drop "$DEB" 1
	extract
	installed
	served 1 drop "$DEB"
	served 1 ok "$DEB"
}

@test "dropped once, then a server that cannot resume: started over, installed" {
	fault drop "$DEB" 1
	fault norange "$DEB" 1
	extract
	installed
	served 1 drop "$DEB"
	served 1 norange "$DEB"
	served 1 ok "$DEB"
}

@test "connection dropped every time: refused after retries, naming the URL" {
	fault drop "$DEB"
	extract
	refused
	assert_error_line "$URL/pool/main/$DEB: download failed"
	assert_stderr_has 'gave up after retries'
	served 4 drop "$DEB"
}

@test "503, then 500, on Packages.xz: retried, installed" {
	fault 503 Packages.xz 1
	fault 500 Packages.xz 1
	extract
	installed
	served 1 503 Packages.xz
	served 1 500 Packages.xz
	served 1 ok Packages.xz
}

@test "500 on InRelease every time: refused, naming InRelease and the status" {
	fault 500 InRelease
	extract
	refused
	assert_error_line "$URL/dists/fixture/InRelease: download failed: .*500"
	served 4 500 InRelease
}

@test "a truncated package (full Content-Length, half the body), once: retried, installed" {
	fault truncate "$DEB" 1
	extract
	installed
	served 1 truncate "$DEB"
}

@test "a short Content-Length on a package, once: the rest fetched again, installed" {
	fault shortlen "$DEB" 1
	extract
	installed
	served 1 shortlen "$DEB"
}

@test "a short Content-Length on Packages.xz every time: refused, naming the index and both sizes" {
	fault shortlen Packages.xz
	extract
	refused
	size=$(stat -c %s "$fixture_dir/repo/dists/fixture/main/binary-amd64/Packages.xz")
	assert_error_line "Packages.xz: size mismatch: expected $size bytes, got [0-9]+ \\(the server ended the file early; gave up after retries"
}

@test "a short Content-Length on InRelease (size unknown): its signature does not verify, refused" {
	fault shortlen InRelease
	extract
	refused
	assert_error_line 'InRelease'
}

@test "a package trickling below the low-speed limit, once: given up on, retried, installed" {
	fault slow "$DEB" 1
	extract
	installed
	served 1 slow "$DEB"
}

@test "a package trickling every time: refused as too slow, naming the URL" {
	fault slow "$DEB"
	extract
	refused
	assert_error_line "$URL/pool/main/$DEB: download failed: .*too slow"
}

@test "InRelease never answered (a stall): refused after retries, no hang" {
	fault stall InRelease
	extract
	refused
	assert_error_line "$URL/dists/fixture/InRelease: download failed"
	served 4 stall InRelease
}

@test "a redirect loop on Packages.xz: refused, naming the URL and the redirects" {
	fault redirect Packages.xz
	extract
	refused
	assert_error_line "Packages.xz: download failed: .*redirects"
}

@test "an endless InRelease: cut off at the in-memory limit, refused" {
	fault endless InRelease
	extract
	refused
	assert_error_line "$URL/dists/fixture/InRelease: more than [0-9]+ bytes"
}

@test "a package larger than its index says (endless): cut off at the promised size, refused" {
	fault endless "$DEB"
	extract
	refused
	size=$(stat -c %s "$fixture_dir/repo/pool/main/$DEB")
	assert_error_line "$URL/pool/main/$DEB: size mismatch: expected $size bytes, got more"
}

@test "rpm-md: a primary.xml.gz larger than repomd.xml says (endless): cut off at that size, refused" {
	rpm_fixture_check
	stop_http
	URL=$(serve_faulty "$RPM_FIXTURES/repo" "$RULES")
	fault endless primary.xml.gz
	run --separate-stderr timeout 120 "$XSTRAP" plan --cache-dir="$CACHE" --repo-type=rpm-md \
		--keyring="$RPM_KEYRING" --include=filesystem fixture "$URL"
	assert_status 1
	size=$(sed -n '/<data type="primary">/,/<\/data>/s/.*<size>\([0-9]*\)<\/size>.*/\1/p' \
		"$RPM_FIXTURES/repo/repodata/repomd.xml")
	assert_error_line "primary.xml.gz: size mismatch: expected $size bytes, got more"
}
