#!/usr/bin/env bats
# rpm-md metadata is verified like apt's: repomd.xml against repomd.xml.asc
# (gpgme, --keyring), every metadata file against repomd.xml's SHA256.
# Uses the real CentOS Stream 9 BaseOS metadata in ../shared/data (skips
# when it is absent), signed here with the fixture repository's test key.
bats_require_minimum_version 1.5.0

setup_file() {
	load ../lib/common
	common_setup_file
}

setup() {
	load ../lib/common
	common_setup
	DATA=$XSTRAP_TOP/../shared/data/cs9-baseos
	[ -d "$DATA/repodata" ] || skip "no CentOS Stream 9 metadata at $DATA (../shared/data is not in this checkout)"
	REPO=$BATS_TEST_TMPDIR/cs9
	mkdir -p "$REPO"
	cp -r "$DATA/repodata" "$REPO/"
	chmod -R u+w "$REPO"
	SPECS=--include=@core,kernel,openssh-server
}

sign() {
	GNUPGHOME=$fixture_dir/gnupg gpg --batch --yes --armor --detach-sign \
		-o "$REPO/repodata/repomd.xml.asc" "$REPO/repodata/repomd.xml"
}

@test "rpm-md: a signed repomd.xml with the right key resolves" {
	sign
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 0
	grep -q '^kernel 0:5.14.0-55.el9 x86_64$' <<<"$output"
	grep -q '^openssh-server ' <<<"$output"
	grep -q '^bash ' <<<"$output"
}

@test "rpm-md: an unsigned repomd.xml is refused unless --no-verify" {
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'repomd.xml.*not signed'
	run --separate-stderr xs plan --repo-type=rpm-md --no-verify $SPECS cs9 "file://$REPO"
	assert_status 0
	assert_stderr_has 'NOT verified'
}

@test "rpm-md: a repomd.xml changed after signing is refused (bad signature)" {
	sign
	sed -i 's|<revision>|<revision>1|' "$REPO/repodata/repomd.xml"
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'repomd.xml.asc.*BAD signature'
}

@test "rpm-md: a repomd.xml signed by an unknown key is refused" {
	sign
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$fixture_dir/otherkey.asc" $SPECS cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'no public key|NO_PUBKEY'
}

@test "rpm-md: a primary.xml.gz that differs from repomd.xml's SHA256 is refused, naming it" {
	sign
	local primary
	primary=$(ls "$REPO"/repodata/*-primary.xml.gz)
	flip_byte "$primary"
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'primary.xml.gz: SHA256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}'
}

@test "rpm-md: an unknown group and an unknown package are named" {
	run --separate-stderr xs plan --repo-type=rpm-md --no-verify --include=@no-such-group cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'group or environment "no-such-group" not found'
	run --separate-stderr xs plan --repo-type=rpm-md --no-verify --include=no-such-package cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'package "no-such-package" not found'
}

@test "rpm-md: a build whose packages are missing from the repository names the first one and leaves the target empty" {
	run --separate-stderr xs --repo-type=rpm-md --no-verify $SPECS cs9 "$BATS_TEST_TMPDIR/root" "file://$REPO"
	assert_status 1
	assert_error_line 'file://.*/Packages/.*\.rpm: not found'
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/root" 2>/dev/null)" ]
}

@test "rpm-md: a signed repomd.xml whose revision goes back is refused; --allow-older-metadata takes it" {
	sign
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 0
	# the same metadata, re-signed with a lower revision: a replayed older repomd.xml
	sed -i 's|<revision>1644263915</revision>|<revision>1644263914</revision>|' "$REPO/repodata/repomd.xml"
	grep -q '<revision>1644263914</revision>' "$REPO/repodata/repomd.xml"
	sign
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" $SPECS cs9 "file://$REPO"
	assert_status 1
	assert_error_line 'repomd.xml: revision 1644263914 is older than revision 1644263915 this cache saw for the repository'
	run --separate-stderr xs plan --repo-type=rpm-md --keyring="$KEYRING" --allow-older-metadata $SPECS cs9 "file://$REPO"
	assert_status 0
	assert_stderr_has 'revision 1644263914 is older than revision 1644263915 seen before; taken'
}
