#!/usr/bin/env bats
# Reproducible roots (issue 9, "done when" 5, the tar half): two
# `--format=tar` builds with the same SOURCE_DATE_EPOCH, seconds apart, are
# byte-identical, for bookworm minbase from the host's mirror and for the
# rpm test distribution's @core,@xen-guest; what the cleanup hooks of class
# REPRODUCIBLE normalize is checked by name (docs/compat.md lists it).
#
# Needs: for bookworm, root and the host's mirror (through the tests'
# apt-cacher-ng); for rpm-md, the rpm fixture's tools. Skips otherwise.
bats_require_minimum_version 1.5.0

SDE=1700000000

setup_file() {
	load ../lib/common
	load ../lib/mirror
	rpm_fixture_setup
	mirror_setup_file || true
	MIRROR=$(host_mirror)
	export MIRROR
}

setup() {
	load ../lib/common
	load ../lib/mirror
	common_setup
}

# tar_entry TAR PATH: print PATH's content from TAR
tar_entry() {
	tar -xOf "$1" "./${2#/}"
}

@test "reproducible: bookworm minbase, two tar builds with the same SOURCE_DATE_EPOCH are byte-identical" {
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	local w=$BATS_TEST_TMPDIR t
	for t in A B; do
		SOURCE_DATE_EPOCH=$SDE run "$XSTRAP" -q --cache-dir="$BATS_FILE_TMPDIR/cache" --format=tar \
			--variant=minbase bookworm "$w/$t.tar" "$MIRROR"
		[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
		[ "$t" = B ] || sleep 2
	done
	assert_same_file "$w/A.tar" "$w/B.tar"
	# what the cleanup removed or normalized is really gone / normalized
	refute tar -tf "$w/A.tar" ./var/log/dpkg.log
	refute tar -tf "$w/A.tar" ./var/log/alternatives.log
	refute tar -tf "$w/A.tar" ./var/cache/ldconfig/aux-cache
	# shadow's last change is the date's day, not the build's
	assert_eq "$((SDE / 86400))" "$(tar_entry "$w/A.tar" etc/shadow | awk -F: '$1 == "root" { print $3 }')" "root's last change in /etc/shadow"
}

@test "reproducible: without SOURCE_DATE_EPOCH the build logs stay, as debootstrap's root has them" {
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	local w=$BATS_TEST_TMPDIR
	run env -u SOURCE_DATE_EPOCH "$XSTRAP" -q --cache-dir="$BATS_FILE_TMPDIR/cache" --format=tar \
		--variant=minbase bookworm "$w/plain.tar" "$MIRROR"
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	tar -tf "$w/plain.tar" ./var/log/dpkg.log
	tar -tf "$w/plain.tar" ./var/cache/ldconfig/aux-cache
}

@test "reproducible: rpm-md @core,@xen-guest, two tar builds with the same SOURCE_DATE_EPOCH are byte-identical" {
	rpm_fixture_check
	local w=$BATS_TEST_TMPDIR t
	for t in A B; do
		SOURCE_DATE_EPOCH=$SDE run "$XSTRAP" -q --cache-dir="$BATS_FILE_TMPDIR/cache" --format=tar \
			--repo-type=rpm-md --keyring="$RPM_KEYRING" --class=XEN_DOMU --include=@core,@xen-guest \
			fixture "$w/$t.tar" "$RPM_REPO"
		[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
		[ "$t" = B ] || sleep 2
	done
	assert_same_file "$w/A.tar" "$w/B.tar"
	mkdir "$w/root"
	tar -C "$w/root" -xf "$w/A.tar"
	# sqlite's WAL index is there, all zeroes
	[ -s "$w/root/var/lib/rpm/rpmdb.sqlite-shm" ]
	assert_eq "" "$(tr -d '\0' <"$w/root/var/lib/rpm/rpmdb.sqlite-shm")" "bytes of rpmdb.sqlite-shm other than zero"
	# the rpm database says the date, and still answers a query
	run rpmq "$w/root" -q --qf '%{installtime}\n' filesystem
	assert_eq "$SDE" "$output" "filesystem's install time"
}
