#!/usr/bin/env bats
# Extra rpm-md repositories with their own key, EPEL's kind, beside a
# distribution's: --repo=NAME,URL[,KEYFILE] and dnf .repo files
# (--sources-file). The fixture (tests/fixtures/mkrpmrepo.sh) has
# repo-extra/, a repository signed (repomd.xml and packages) by the
# "unrelated" key otherkey.asc only, with extra-tool, a package the main
# repository does not have.
#
# Each repository is verified on its own: the extra one with its key only,
# the main one with the distribution's key only. The guest gets the extra
# repository's .repo file and key; the rpm database (written by xstrap: no
# rpm in these package sets) holds both keys, as dnf's does.
#
# Skips as rpm-install.bats does: without rpmbuild, rpmsign, createrepo_c or
# /bin/busybox (nothing to test with), the dnf comparison without dnf.
bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	rpm_fixture_setup
}

setup() {
	common_setup
	rpm_fixture_check
	T=$BATS_TEST_TMPDIR/target
	EXTRA_URL=file://$RPM_FIXTURES/repo-extra
	EXTRA_KEY=$RPM_FIXTURES/otherkey.asc
}

teardown() {
	stop_dnf_agents "$BATS_TEST_TMPDIR"
}

# xs_rpm ARGS...: `run` xstrap on the fixture repository with its key
xs_rpm() {
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" "$@"
}

@test "--repo=NAME,URL,KEYFILE: its package is installed, and the guest gets its .repo file and key" {
	xs_rpm --repo="extra,$EXTRA_URL,$EXTRA_KEY" --include=setup,extra-tool fixture "$T" "$RPM_REPO"
	[ "$status" -eq 0 ]
	[ -f "$T/usr/share/extra-tool/README" ]
	run -0 rpmq "$T" -q extra-tool
	[ "$output" = "extra-tool-1.0-1.noarch" ]
	run -0 cat "$T/etc/yum.repos.d/extra.repo"
	[ "$output" = "[extra]
name=extra
baseurl=$EXTRA_URL
enabled=1
gpgcheck=1
repo_gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/otherkey.asc" ]
	cmp "$EXTRA_KEY" "$T/etc/pki/rpm-gpg/otherkey.asc"
}

@test "both keys are in the rpm database, as dnf imports them from both repositories" {
	if ! command -v dnf >/dev/null; then
		skip "dnf is not installed (Debian packages dnf, python3-dnf): nothing to compare with"
	fi
	xs_rpm --repo="extra,$EXTRA_URL,$EXTRA_KEY" --include=setup,extra-tool fixture "$T" "$RPM_REPO"
	[ "$status" -eq 0 ]
	local home=$BATS_TEST_TMPDIR/rpm-home dnf_root=$BATS_TEST_TMPDIR/dnf-root
	mkdir -p "$home"
	printf '%%_dbpath /var/lib/rpm\n' >"$home/.rpmmacros"
	HOME=$home dnf --installroot="$dnf_root" --releasever=1 -q \
		--setopt=reposdir= --setopt=skip_if_unavailable=False --setopt=install_weak_deps=False \
		--repofrompath=fx,"$RPM_REPO" --setopt=fx.gpgcheck=1 \
		--setopt=fx.gpgkey="file://$RPM_KEYRING" --setopt=fx.repo_gpgcheck=1 \
		--repofrompath=extra,"$EXTRA_URL" --setopt=extra.gpgcheck=1 \
		--setopt=extra.gpgkey="file://$EXTRA_KEY" --setopt=extra.repo_gpgcheck=1 \
		-y install setup extra-tool >"$BATS_TEST_TMPDIR/dnf.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/dnf.log" >&2; return 1; }
	local dnf xs
	dnf=$(rpmq "$dnf_root" -qa | LC_ALL=C sort)
	xs=$(rpmq "$T" -qa | LC_ALL=C sort)
	[ "$(grep -c '^gpg-pubkey-' <<<"$xs")" -eq 2 ]
	[ "$dnf" = "$xs" ]
}

@test "--repo without KEYFILE: its repomd.xml is checked with the distribution's key, and refused" {
	xs_rpm --repo="extra,$EXTRA_URL" --include=setup,extra-tool fixture "$T" "$RPM_REPO"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"repo-extra/repodata/repomd.xml.asc: signed by key"* ]]
	[[ "$stderr" == *"repository extra is checked with the distribution's key; give its own as --repo=NAME,URL,KEYFILE"* ]]
	[ ! -e "$T/usr/share/extra-tool" ]
}

@test "the extra repository's key vouches for its own packages only" {
	# repo-otherkey's webapp is signed by the key the extra repository
	# brings; the main repository is checked with the fixture key alone
	xs_rpm --repo="extra,$EXTRA_URL,$EXTRA_KEY" --include=webapp,extra-tool fixture "$T" \
		"file://$RPM_FIXTURES/repo-otherkey"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"webapp-1.2-1.noarch.rpm (webapp): signed by key"*"no public key for it is in the keyring"* ]]
	[ ! -e "$T/usr/share/extra-tool" ]
}

@test "--sources-file=FILE.repo: a dnf .repo file, its gpgkey=file:// the key" {
	local repo=$BATS_TEST_TMPDIR/site.repo
	printf '[site]\nname=A site repository\nbaseurl=%s\nenabled=1\ngpgcheck=1\ngpgkey=file://%s\n\n[off]\nbaseurl=file:///nowhere\nenabled=0\n' \
		"$EXTRA_URL" "$EXTRA_KEY" >"$repo"
	xs_rpm --sources-file="$repo" --include=setup,extra-tool fixture "$T" "$RPM_REPO"
	[ "$status" -eq 0 ]
	run -0 rpmq "$T" -q extra-tool
	[ "$output" = "extra-tool-1.0-1.noarch" ]
	[ -f "$T/etc/yum.repos.d/site.repo" ]
	[ ! -e "$T/etc/yum.repos.d/off.repo" ]
}

@test "a .repo file's key from the network is refused: only a key you have checked is used" {
	local repo=$BATS_TEST_TMPDIR/site.repo
	printf '[site]\nbaseurl=%s\ngpgkey=https://example.invalid/KEY\n' "$EXTRA_URL" >"$repo"
	xs_rpm --sources-file="$repo" --include=setup fixture "$T" "$RPM_REPO"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$repo: [site]: gpgkey=https://example.invalid/KEY: only a local key (file://PATH) is read"* ]]
}

@test "--repo names: a bad one, a missing key file, and --repo for a Debian suite are refused" {
	xs_rpm --repo="bad name,$EXTRA_URL" --include=setup fixture "$T" "$RPM_REPO"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *'the repository name "bad name" is not one dnf accepts'* ]]
	xs_rpm --repo="extra,$EXTRA_URL,/nonexistent/key.asc" --include=setup fixture "$T" "$RPM_REPO"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"the key file /nonexistent/key.asc: No such file or directory"* ]]
	run --separate-stderr xs plan --repo="extra,$EXTRA_URL" bookworm http://127.0.0.1:9/debian
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"--repo: only for rpm distributions"* ]]
}
