#!/usr/bin/env bats
# Extra apt sources as mmdebstrap users write them (--source 'deb
# [signed-by=KEY] URI SUITE COMP', --sources-file FILE in deb822 or one-line
# format), on top of the fixture suite: the site repository
# (tests/fixtures/mkrepo.sh, repo-site) is signed by its own key, has
# site-tool (which depends on the fixture's hello-fixture) and a newer alt-a.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	T=$BATS_TEST_TMPDIR/target
	SITE_URL=file://$fixture_dir/repo-site
	SITE_KEY=$fixture_dir/otherkey.asc
	SITE="deb [signed-by=$SITE_KEY] $SITE_URL site main"
}

@test "--source with its own key: a package from it installs, with its dependency from the suite" {
	run --separate-stderr xs --variant=extract --include=site-tool --keyring="$KEYRING" \
		--source="$SITE" fixture "$T" "$FIXTURE_URL"
	echo "$stderr"
	assert_status 0
	assert_same_file "$fixture_dir/src/site-tool/usr/share/site-tool/README" "$T/usr/share/site-tool/README"
	# hello-fixture came from the fixture suite, verified with --keyring
	assert_same_file "$fixture_dir/src/hello-fixture/usr/bin/hello-fixture" "$T/usr/bin/hello-fixture"
}

@test "--source: the highest version wins across sources and is fetched from its own repository" {
	run --separate-stderr xs plan --json --variant=extract --include=alt-a --keyring="$KEYRING" \
		--source="$SITE" fixture "$FIXTURE_URL"
	assert_status 0
	printf '%s' "$output" > "$BATS_TEST_TMPDIR/plan.json"
	python3 - "$BATS_TEST_TMPDIR/plan.json" "$SITE_URL" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
alt = [p for p in plan if p["name"] == "alt-a"]
assert len(alt) == 1, plan
assert alt[0]["version"] == "2.0-1", alt
assert alt[0]["url"] == sys.argv[2] + "/pool/main/alt-a_2.0-1_all.deb", alt
EOF
	run --separate-stderr xs --variant=extract --include=alt-a --keyring="$KEYRING" \
		--source="$SITE" fixture "$T" "$FIXTURE_URL"
	assert_status 0
	assert_same_file "$fixture_dir/src/alt-a-site/usr/share/alt/a" "$T/usr/share/alt/a"
}

@test "--source with the wrong key is refused, naming the source; nothing is unpacked" {
	run --separate-stderr xs --variant=extract --include=site-tool --keyring="$KEYRING" \
		--source="deb [signed-by=$KEYRING] $SITE_URL site main" fixture "$T" "$FIXTURE_URL"
	echo "$stderr"
	assert_status 1
	[[ "$stderr" == *"--source 1"* ]]
	[[ "$stderr" == *"$SITE_URL"* ]]
	[[ "$stderr" == *"no public key"* ]]
	assert_no_package_files "$T"
}

@test "--source without signed-by is verified with the suite's key: another key's repository is refused" {
	run --separate-stderr xs plan --variant=extract --include=site-tool --keyring="$KEYRING" \
		--source="deb $SITE_URL site main" fixture "$FIXTURE_URL"
	assert_status 1
	[[ "$stderr" == *"--source 1"* ]]
	[[ "$stderr" == *"no public key"* ]]
}

@test "--source naming a suite its Release does not describe is refused" {
	mkdir -p "$BATS_TEST_TMPDIR/m/dists"
	# the site repository's signed "site" Release served as suite "stable"
	cp -a "$fixture_dir/repo-site/dists/site" "$BATS_TEST_TMPDIR/m/dists/stable"
	ln -s "$fixture_dir/repo-site/pool" "$BATS_TEST_TMPDIR/m/pool"
	run --separate-stderr xs plan --variant=extract --include=site-tool --keyring="$KEYRING" \
		--source="deb [signed-by=$SITE_KEY] file://$BATS_TEST_TMPDIR/m stable main" fixture "$FIXTURE_URL"
	assert_status 1
	[[ "$stderr" == *'expected suite or codename "stable"'* ]]
	[[ "$stderr" == *'found suite "site"'* ]]
}

@test "--sources-file in deb822 format: the same source, the same package" {
	cat > "$BATS_TEST_TMPDIR/site.sources" <<EOF
# a site repository, as apt reads it
Types: deb
URIs: $SITE_URL
Suites: site
Components: main
Signed-By: $SITE_KEY
EOF
	run --separate-stderr xs --variant=extract --include=site-tool --keyring="$KEYRING" \
		--sources-file="$BATS_TEST_TMPDIR/site.sources" fixture "$T" "$FIXTURE_URL"
	echo "$stderr"
	assert_status 0
	assert_same_file "$fixture_dir/src/site-tool/usr/share/site-tool/README" "$T/usr/share/site-tool/README"
}

@test "--sources-file: a missing key file and a malformed line are named" {
	printf 'deb [signed-by=%s] %s site main\n' "$BATS_TEST_TMPDIR/nokey.asc" "$SITE_URL" > "$BATS_TEST_TMPDIR/a.list"
	run --separate-stderr xs plan --variant=extract --keyring="$KEYRING" \
		--sources-file="$BATS_TEST_TMPDIR/a.list" fixture "$FIXTURE_URL"
	assert_status 1
	[[ "$stderr" == *"a.list line 1"* ]]
	[[ "$stderr" == *"nokey.asc"* ]]
	printf 'deb %s\n' "$SITE_URL" > "$BATS_TEST_TMPDIR/b.list"
	run --separate-stderr xs plan --variant=extract --keyring="$KEYRING" \
		--sources-file="$BATS_TEST_TMPDIR/b.list" fixture "$FIXTURE_URL"
	assert_status 1
	[[ "$stderr" == *"b.list line 1: expected a URI and a suite"* ]]
}

@test "--source with arch= not naming the build's architecture is left out (with a note), as apt does" {
	run --separate-stderr xs plan --variant=extract --include=alt-a --keyring="$KEYRING" \
		--source="deb [arch=arm64 signed-by=$SITE_KEY] $SITE_URL site main" \
		--source="deb [arch=arm64,amd64 signed-by=$SITE_KEY] $SITE_URL site main" fixture "$FIXTURE_URL"
	assert_status 0
	[ "$output" = "alt-a 2.0-1 all" ]
	run --separate-stderr xs plan --variant=extract --include=alt-a --keyring="$KEYRING" \
		--source="deb [arch=arm64 signed-by=$SITE_KEY] $SITE_URL site main" fixture "$FIXTURE_URL"
	assert_status 0
	[ "$output" = "alt-a 1.0-1 all" ]
	[[ "$stderr" == *"--source 1: $SITE_URL site left out: its architectures do not include amd64"* ]]
}

@test "--updates on a suite without updates or security suites: exit 1, naming repos/debian.conf" {
	run --separate-stderr xs plan --variant=extract --include=alt-a --updates --keyring="$KEYRING" \
		fixture "$FIXTURE_URL"
	assert_status 1
	[[ "$stderr" == *"debian.conf defines no updates or security suite"* ]]
}

# apt_candidates PKG...: "PKG VERSION" as apt, in a private root whose
# sources are the fixture suite, the site repository and site-backports,
# would install each
apt_candidates() {
	local r=$BATS_TEST_TMPDIR/apt
	mkdir -p "$r/etc/apt/apt.conf.d" "$r/etc/apt/preferences.d" "$r/etc/apt/sources.list.d" \
		"$r/var/lib/apt/lists/partial" "$r/var/cache/apt/archives/partial" "$r/var/lib/dpkg"
	: > "$r/var/lib/dpkg/status"
	{
		echo "deb [signed-by=$KEYRING] $FIXTURE_URL fixture main"
		echo "$SITE"
		echo "$BACKPORTS"
	} > "$r/etc/apt/sources.list"
	local opts=(-o "Dir=$r" -o "Dir::State::status=$r/var/lib/dpkg/status"
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" -q update > "$r/update.log" 2>&1 || {
		cat "$r/update.log" >&2
		return 1
	}
	apt-cache "${opts[@]}" policy "$@" |
		awk '/^[^ ]/ { p = $1; sub(/:$/, "", p) } /Candidate:/ { print p, $2 }' | LC_ALL=C sort
}

@test "suite, site repository and a NotAutomatic backports suite: each package at apt's candidate; NAME/SUITE takes backports" {
	command -v apt-get >/dev/null || skip "apt-get is not installed: nothing to compare with"
	BACKPORTS="deb [signed-by=$SITE_KEY] file://$fixture_dir/repo-backports site-backports main"
	run --separate-stderr xs plan --variant=extract --include=alt-a,alt-b,site-tool --keyring="$KEYRING" \
		--source="$SITE" --source="$BACKPORTS" fixture "$FIXTURE_URL"
	assert_status 0
	cut -d' ' -f1,2 <<<"$output" | LC_ALL=C sort > "$BATS_TEST_TMPDIR/xstrap.txt"
	apt_candidates $(cut -d' ' -f1 "$BATS_TEST_TMPDIR/xstrap.txt") > "$BATS_TEST_TMPDIR/apt.txt"
	diff -u "$BATS_TEST_TMPDIR/apt.txt" "$BATS_TEST_TMPDIR/xstrap.txt"
	# backports' newer alt-b is not taken unless asked for, as with apt
	grep -qx 'alt-b 1.0-1' "$BATS_TEST_TMPDIR/xstrap.txt"
	grep -qx 'alt-a 2.0-1' "$BATS_TEST_TMPDIR/xstrap.txt"
	run --separate-stderr xs plan --variant=extract --include=alt-b/site-backports --keyring="$KEYRING" \
		--source="$BACKPORTS" fixture "$FIXTURE_URL"
	assert_status 0
	[ "$output" = "alt-b 2.0-1 all" ]
}
