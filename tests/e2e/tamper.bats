#!/usr/bin/env bats
# The chain of trust: keyring -> signature on InRelease / Release.gpg ->
# SHA256 of each index -> SHA256 of each package. Every test breaks one link
# in a private copy of the fixture repository and expects a refusal that
# names the file, and no package file in the target.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	R=$BATS_TEST_TMPDIR/repo
	cp -a "$fixture_dir/repo" "$R"
	URL=file://$R
	T=$BATS_TEST_TMPDIR/target
	DIST=$R/dists/fixture
}

teardown() {
	stop_http
}

# release_sha256 PATH: the SHA256 the (untampered) Release promises for PATH
release_sha256() {
	awk -v path="$1" '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 } s && $3 == path { print $1 }' \
		"$fixture_dir/repo/dists/fixture/Release"
}

# package_sha256 NAME: the SHA256 the Packages index gives for NAME
package_sha256() {
	awk -v RS= -v pkg="$1" '$0 ~ ("(^|\n)Package: " pkg "\n")' \
		"$fixture_dir/repo/dists/fixture/main/binary-amd64/Packages" | sed -n 's/^SHA256: //p'
}

# extract [URL]: the extract run every test makes, with the fixture key
extract() {
	run --separate-stderr xs --variant=extract --include=dep-fixture,tamper-target \
		--keyring="$KEYRING" fixture "$T" "${1:-$URL}"
}

@test "the untouched copy installs (the tests below break only what they say)" {
	extract
	assert_status 0
	assert_same_file "$fixture_dir/src/tamper-target/usr/share/tamper-target/marker" \
		"$T/usr/share/tamper-target/marker"
}

@test "one byte changed in InRelease's signed text: refused, the signature is named" {
	off=$(grep -bo 'Label: xstrap-fixture' "$DIST/InRelease" | head -1 | cut -d: -f1)
	flip_byte "$DIST/InRelease" $((off + 7))
	grep -q '^Label: ystrap-fixture$' "$DIST/InRelease"
	extract
	assert_status 1
	assert_error_line 'signature'
	assert_stderr_has 'InRelease'
	assert_no_package_files "$T"
}

@test "one byte changed in Release (no InRelease): Release.gpg does not verify, refused" {
	rm "$DIST/InRelease"
	off=$(grep -bo 'Label: xstrap-fixture' "$DIST/Release" | head -1 | cut -d: -f1)
	flip_byte "$DIST/Release" $((off + 7))
	extract
	assert_status 1
	assert_error_line 'signature'
	assert_stderr_has 'Release'
	assert_no_package_files "$T"
}

@test "an unsigned Release (no InRelease, no Release.gpg): refused" {
	rm "$DIST/InRelease" "$DIST/Release.gpg"
	extract
	assert_status 1
	assert_error_line 'sign'
	assert_stderr_has 'Release'
	assert_no_package_files "$T"
}

@test "one byte changed in Packages.xz: refused, naming Packages and both checksums" {
	f=$DIST/main/binary-amd64/Packages.xz
	expected=$(release_sha256 main/binary-amd64/Packages.xz)
	[ ${#expected} -eq 64 ]
	flip_byte "$f"
	actual=$(sha256_of "$f")
	[ "$expected" != "$actual" ]
	extract
	assert_status 1
	assert_error_line 'index fixture main/binary-amd64/Packages.xz \(component main, architecture amd64\)'
	assert_stderr_has 'expected'
	assert_stderr_has "$expected"
	assert_stderr_has "$actual"
	assert_no_package_files "$T"
}

@test "a Packages.xz fetched by hash that differs: refused, naming the index, that it came by hash, both checksums" {
	dir=$DIST/main/binary-amd64
	expected=$(release_sha256 main/binary-amd64/Packages.xz)
	mkdir -p "$dir/by-hash/SHA256"
	cp "$dir/Packages.xz" "$dir/by-hash/SHA256/$expected"
	flip_byte "$dir/by-hash/SHA256/$expected"
	actual=$(sha256_of "$dir/by-hash/SHA256/$expected")
	sed -i 's/^Date: .*/&\nAcquire-By-Hash: yes/' "$DIST/Release"
	grep -q '^Acquire-By-Hash: yes$' "$DIST/Release"
	rm -f "$DIST/InRelease" "$DIST/Release.gpg"
	GNUPGHOME=$fixture_dir/gnupg gpg --batch --yes --quiet --clearsign -o "$DIST/InRelease" "$DIST/Release"
	extract
	assert_status 1
	assert_error_line 'index fixture main/binary-amd64/Packages.xz \(component main, architecture amd64, fetched by hash\)'
	assert_stderr_has "by-hash/SHA256/$expected"
	assert_stderr_has "expected $expected, got $actual"
	assert_no_package_files "$T"
}

@test "every Packages index changed: refused whichever compression is fetched" {
	for f in "$DIST"/main/binary-amd64/Packages*; do
		flip_byte "$f"
	done
	extract
	assert_status 1
	assert_error_line 'Packages'
	assert_stderr_has 'expected'
	assert_no_package_files "$T"
}

@test "one byte changed in tamper-target's .deb (same size): refused, naming it and both checksums" {
	deb=$R/pool/main/tamper-target_1.0-1_all.deb
	size=$(stat -c %s "$deb")
	expected=$(package_sha256 tamper-target)
	[ ${#expected} -eq 64 ]
	flip_byte "$deb"
	assert_eq "$size" "$(stat -c %s "$deb")" "size of the corrupted .deb"
	actual=$(sha256_of "$deb")
	extract
	assert_status 1
	assert_error_line 'tamper-target'
	assert_stderr_has 'expected'
	assert_stderr_has "$expected"
	assert_stderr_has "$actual"
	assert_no_package_files "$T" tamper-target
}

@test "the corrupted .deb over HTTP: refused while it streams, nothing of it in the target" {
	deb=$R/pool/main/tamper-target_1.0-1_all.deb
	expected=$(package_sha256 tamper-target)
	flip_byte "$deb"
	actual=$(sha256_of "$deb")
	url=$(serve_http "$BATS_TEST_TMPDIR")
	extract "$url/repo"
	assert_status 1
	assert_error_line 'package tamper-target 1.0-1 \(all\): .*tamper-target_1.0-1_all.deb: SHA256 mismatch'
	assert_stderr_has "$expected"
	assert_stderr_has "$actual"
	assert_no_package_files "$T" tamper-target
	# and the bad download is not kept where a later run would trust it
	if [ -d "$CACHE" ]; then
		while IFS= read -r f; do
			[ "$(sha256_of "$f")" != "$actual" ] || {
				echo "the corrupted .deb was kept in the cache: $f" >&2
				return 1
			}
		done < <(find "$CACHE" -type f)
	fi
}

@test "a keyring without the archive's key: refused, the error says which key is missing" {
	run --separate-stderr xs --variant=extract --include=dep-fixture \
		--keyring="$fixture_dir/otherkey.asc" fixture "$T" "$URL"
	assert_status 1
	assert_error_line 'key'
	assert_no_package_files "$T"
}

@test "a Release whose Valid-Until has passed: refused as expired" {
	run --separate-stderr xs --variant=extract --include=dep-fixture \
		--keyring="$KEYRING" fixture "$T" "file://$fixture_dir/repo-expired"
	assert_status 1
	assert_error_line 'Valid-Until|expired'
	assert_no_package_files "$T"
}

@test "--no-verify: installs without a keyring, and says loudly that nothing was verified" {
	run --separate-stderr xs --no-verify --variant=extract --include=dep-fixture fixture "$T" "$URL"
	assert_status 0
	assert_stderr_has 'no-verify|NOT verified'
	assert_same_file "$fixture_dir/src/hello-fixture/usr/bin/hello-fixture" "$T/usr/bin/hello-fixture"
}
