#!/usr/bin/env bats
# rpm distributions by name (repos/rpm.conf): `xstrap plan centos-stream9
# MIRROR` loads each enabled repository below MIRROR, each verified on its
# own, finds the key without --keyring, caches the parsed metadata. The
# mirror is local (tests/fixtures/mkrpmmirror.sh): the real CentOS Stream 9
# BaseOS metadata from ../shared/data (skipped when absent) next to small
# AppStream and CRB repositories built here with rpmbuild and createrepo_c,
# signed with the fixture key.
bats_require_minimum_version 1.5.0

setup_file() {
	load ../lib/common
	common_setup_file
	local data=$XSTRAP_TOP/../shared/data/cs9-baseos t
	if [ ! -d "$data/repodata" ]; then
		export XSTRAP_RPM_SKIP="no CentOS Stream 9 metadata at $data (../shared/data is not in this checkout)"
		return 0
	fi
	for t in rpmbuild createrepo_c; do
		if ! command -v $t >/dev/null; then
			export XSTRAP_RPM_SKIP="$t is not installed (Debian packages rpm, createrepo-c)"
			return 0
		fi
	done
	[ -z "${XSTRAP_MISSING_TOOL:-}" ] || return 0
	bash "$XSTRAP_TOP/tests/fixtures/mkrpmmirror.sh" "$BATS_FILE_TMPDIR/rpm" "$data" "$fixture_dir/gnupg"
}

setup() {
	load ../lib/common
	common_setup
	[ -z "${XSTRAP_RPM_SKIP:-}" ] || skip "$XSTRAP_RPM_SKIP"
	MIRROR=$BATS_FILE_TMPDIR/rpm/mirror
	URL=file://$MIRROR
	# where the key is looked for instead of /etc/pki/rpm-gpg and
	# /usr/share/distribution-gpg-keys/$family
	PKI=$BATS_TEST_TMPDIR/pki
	DGK=$BATS_TEST_TMPDIR/dgk
	mkdir -p "$PKI" "$DGK/centos"
	cp "$KEYRING" "$DGK/centos/RPM-GPG-KEY-CentOS-Official"
	export XSTRAP_RPM_KEYDIRS="$PKI:$DGK/\$family"
}

# own_mirror: a copy of the mirror this test may change ($MIRROR, $URL)
own_mirror() {
	cp -r "$MIRROR" "$BATS_TEST_TMPDIR/mirror"
	MIRROR=$BATS_TEST_TMPDIR/mirror
	URL=file://$MIRROR
}

resign() {
	GNUPGHOME=$fixture_dir/gnupg gpg --batch --yes --quiet --armor --detach-sign \
		-o "$1/repodata/repomd.xml.asc" "$1/repodata/repomd.xml"
}

# json_check PYTHON: run PYTHON with `plan` bound to the JSON in $output
json_check() {
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/plan.json"
	python3 - "$BATS_TEST_TMPDIR/plan.json" "$MIRROR" <<EOF
import hashlib, json, os, sys
plan = {p["name"]: p for p in json.load(open(sys.argv[1]))}
mirror = sys.argv[2]
$1
EOF
}

@test "rpm distribution: its name selects rpm-md; BaseOS and AppStream load; @core by default; key from the key directories" {
	run --separate-stderr xs plan --json centos-stream9 "$URL"
	assert_status 0
	json_check '
assert len(plan) > 200, len(plan)
for name in ("bash", "systemd", "xstrap-appstream-tool"):
    assert name in plan, name
assert "xstrap-crb-tool" not in plan  # CRB is off by default
# each package comes from the repository that has it
base = "file://" + mirror + "/9-stream/BaseOS/x86_64/os/"
assert plan["bash"]["url"].startswith(base + "Packages/"), plan["bash"]["url"]
tool = plan["xstrap-appstream-tool"]
app = "file://" + mirror + "/9-stream/AppStream/x86_64/os/"
assert tool["url"] == app + tool["filename"], tool
blob = open(tool["url"][len("file://"):], "rb").read()
assert hashlib.sha256(blob).hexdigest() == tool["sha256"], "the URL does not lead to the package"
'
}

@test "rpm distribution: an alias and an explicit --repo-type=rpm-md plan the same" {
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 0
	local want=$output
	run --separate-stderr xs plan --repo-type=rpm-md c9s "$MIRROR/"
	assert_status 0
	assert_eq "$want" "$output" "the plan for c9s"
	# --include adds to @core; --variant=custom leaves only --include
	run --separate-stderr xs plan --variant=custom --include=xstrap-appstream-tool c9s "$URL"
	assert_status 0
	grep -q '^xstrap-appstream-tool 0:1.0-1 noarch$' <<<"$output"
	grep -q '^bash ' <<<"$output"
	refute grep -q '^systemd ' <<<"$output"
}

@test "rpm distribution: no key anywhere is one error naming every place looked and --keyring" {
	rm "$DGK/centos/RPM-GPG-KEY-CentOS-Official"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 1
	assert_error_line "no key for centos-stream9"
	assert_error_line "RPM-GPG-KEY-centosofficial or RPM-GPG-KEY-CentOS-Official"
	assert_error_line "in $PKI, $DGK/centos, $XSTRAP_TOP/repos/keys;"
	assert_error_line "--keyring=FILE"
	# --keyring needs no search
	run --separate-stderr xs plan --keyring="$KEYRING" centos-stream9 "$URL"
	assert_status 0
}

@test "rpm distribution: the first key directory that has the key wins (a wrong key there is refused)" {
	cp "$fixture_dir/otherkey.asc" "$PKI/RPM-GPG-KEY-centosofficial"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 1
	assert_error_line 'BaseOS/x86_64/os/repodata/repomd.xml.asc.*(no public key|NO_PUBKEY)'
	cp "$KEYRING" "$PKI/RPM-GPG-KEY-centosofficial"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 0
}

@test "rpm distribution: --enable-repo and --disable-repo choose the repositories" {
	run --separate-stderr xs plan --include=xstrap-crb-tool centos-stream9 "$URL"
	assert_status 1
	assert_error_line 'package "xstrap-crb-tool" not found'
	run --separate-stderr xs plan --json --enable-repo=crb --include=xstrap-crb-tool centos-stream9 "$URL"
	assert_status 0
	json_check '
tool = plan["xstrap-crb-tool"]
assert tool["url"].startswith("file://" + mirror + "/9-stream/CRB/x86_64/os/Packages/"), tool
assert plan["xstrap-appstream-tool"]["url"].startswith("file://" + mirror + "/9-stream/AppStream/"), plan
'
	run --separate-stderr xs plan --disable-repo=AppStream centos-stream9 "$URL"
	assert_status 0
	grep -q '^bash ' <<<"$output"
	refute grep -q xstrap-appstream-tool <<<"$output"
	run --separate-stderr xs plan --disable-repo='*' --enable-repo=BaseOS,CRB \
		--include=xstrap-crb-tool centos-stream9 "$URL"
	assert_status 1 # xstrap-crb-tool needs AppStream's tool
	assert_error_line 'xstrap-crb-tool'
	run --separate-stderr xs plan --enable-repo=Extras centos-stream9 "$URL"
	assert_status 1
	assert_error_line '--enable-repo=Extras: centos-stream9 has no repository of that name \(it has: BaseOS, AppStream, CRB\)'
	run --separate-stderr xs plan --disable-repo=BaseOS,AppStream centos-stream9 "$URL"
	assert_status 1
	assert_error_line 'no repository of centos-stream9 is enabled'
	run --separate-stderr xs plan --enable-repo=CRB --keyring="$KEYRING" bookworm "$FIXTURE_URL"
	assert_status 1
	assert_error_line 'only for rpm distributions'
	run --separate-stderr xs plan --repo-type=rpm-md --enable-repo=CRB --keyring="$KEYRING" cs9 "$URL/9-stream/BaseOS/x86_64/os"
	assert_status 1
	assert_error_line 'not an rpm distribution xstrap knows'
}

@test "rpm distribution: each repository is verified on its own" {
	own_mirror
	local app=$MIRROR/9-stream/AppStream/x86_64/os
	sed -i 's|<revision>|<revision>1|' "$app/repodata/repomd.xml"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 1
	assert_error_line "$app/repodata/repomd.xml.asc.*BAD signature"
	rm "$app/repodata/repomd.xml.asc"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 1
	assert_error_line "$app/repodata/repomd.xml: repomd.xml is not signed"
	resign "$app"
	local primary
	primary=$(ls "$app"/repodata/*-primary.xml.gz)
	flip_byte "$primary"
	run --separate-stderr xs plan centos-stream9 "$URL"
	assert_status 1
	assert_error_line 'AppStream/x86_64/os/repodata/.*primary.xml.gz: SHA256 mismatch'
}

@test "rpm distribution: a repository missing below MIRROR is named with the layout expected" {
	run --separate-stderr xs plan centos-stream9 "$URL/9-stream"
	assert_status 1
	assert_error_line 'no centos-stream9 repository BaseOS below the mirror'
	assert_error_line "9-stream/9-stream/BaseOS/x86_64/os/repodata/repomd.xml"
}

@test "rpm distribution: a second plan reads the parsed metadata from the cache, keyed by repomd.xml" {
	own_mirror
	run --separate-stderr xs plan -v centos-stream9 "$URL"
	assert_status 0
	local first=$output
	refute grep -q 'loaded from cache' <<<"$stderr"
	# With the metadata files gone from the mirror, only the cache can answer.
	rm "$MIRROR"/9-stream/*/x86_64/os/repodata/*.xml.gz
	run --separate-stderr xs plan -v centos-stream9 "$URL"
	assert_status 0
	assert_eq "$first" "$output" "the plan from the cache"
	[ "$(grep -c 'loaded from cache' <<<"$stderr")" -eq 2 ]
	# a new repomd.xml (here: a new revision) is a new key: BaseOS is parsed
	# again (from the metadata files cached by their checksums), AppStream not
	local base=$MIRROR/9-stream/BaseOS/x86_64/os
	sed -i 's|<revision>|<revision>1|' "$base/repodata/repomd.xml"
	resign "$base"
	run --separate-stderr xs plan -v centos-stream9 "$URL"
	assert_status 0
	assert_eq "$first" "$output" "the plan after BaseOS changed"
	[ "$(grep -c 'loaded from cache' <<<"$stderr")" -eq 1 ]
	grep -q 'AppStream/x86_64/os: loaded from cache' <<<"$stderr"
}

@test "rpm distribution: Fedora publishes no repomd.xml.asc: planned with a warning, package signatures still required" {
	mkdir -p "$DGK/fedora"
	cp "$KEYRING" "$DGK/fedora/RPM-GPG-KEY-fedora-41-primary"
	run --separate-stderr xs plan fedora41 "$URL"
	assert_status 0
	assert_stderr_has 'releases/41/Everything/x86_64/os/repodata/repomd.xml: fedora41 publishes no signature for its repository metadata'
	assert_stderr_has "trusting each package's own signature"
	run --separate-stderr xs plan --json --include=xstrap-appstream-tool f41 "$URL"
	assert_status 0
	json_check '
assert plan["bash"]["url"].startswith("file://" + mirror + "/releases/41/Everything/x86_64/os/Packages/")
assert plan["xstrap-appstream-tool"]["url"].startswith("file://" + mirror + "/updates/41/Everything/x86_64/Packages/")
'
}
