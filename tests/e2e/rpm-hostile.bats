#!/usr/bin/env bats
# Hostile rpm packages write nothing outside the target (issue 3: "confined
# to the target as for .deb"). Built here with rpmbuild and signed with the
# rpm fixture's key, so only the confinement stops them:
#   plant    symlinks /escape -> / and /rel -> ../../../../../../tmp
#   through  files /escape/tmp/xstrap-escape-rpm-abs and /rel/xstrap-escape-rpm-rel,
#            written through plant's links; Requires plant, so it comes after
bats_require_minimum_version 1.5.0

setup_file() {
	load ../lib/common
	rpm_fixture_setup
	[ -z "${RPM_MISSING_TOOL:-}" ] || return 0
	local top=$BATS_FILE_TMPDIR/build repo=$BATS_FILE_TMPDIR/repo
	mkdir -p "$top/SPECS" "$repo"
	cat >"$top/SPECS/plant.spec" <<'EOF'
Name: plant
Version: 1
Release: 1
Summary: plants symlinks that lead out of the root
License: Public Domain
BuildArch: noarch
AutoReqProv: no
Requires: filesystem
%description
hostile
%install
mkdir -p %{buildroot}
ln -s / %{buildroot}/escape
ln -s ../../../../../../tmp %{buildroot}/rel
%files
/escape
/rel
EOF
	cat >"$top/SPECS/through.spec" <<'EOF'
Name: through
Version: 1
Release: 1
Summary: writes through the planted symlinks
License: Public Domain
BuildArch: noarch
AutoReqProv: no
Requires: plant
%description
hostile
%install
mkdir -p %{buildroot}/escape/tmp %{buildroot}/rel
echo escaped >%{buildroot}/escape/tmp/xstrap-escape-rpm-abs
echo escaped >%{buildroot}/rel/xstrap-escape-rpm-rel
%files
/escape/tmp/xstrap-escape-rpm-abs
/rel/xstrap-escape-rpm-rel
EOF
	local s
	for s in plant through; do
		rpmbuild -bb --define "_topdir $top" --define "_rpmdir $repo" \
			--define 'debug_package %{nil}' --define '__os_install_post %{nil}' \
			--define '_build_id_links none' "$top/SPECS/$s.spec" >"$top/$s.log" 2>&1 || {
			cat "$top/$s.log" >&2
			return 1
		}
	done
	GNUPGHOME=$RPM_FIXTURES/gnupg rpmsign --define '_gpg_name rpm-fixture@xstrap.invalid' \
		--define '__gpg /usr/bin/gpg' --addsign "$repo"/noarch/*.rpm >/dev/null 2>&1
	# the fixture's base packages, so the root has filesystem
	cp "$RPM_FIXTURES"/repo/Packages/filesystem-*.rpm "$repo/"
	createrepo_c -q "$repo"
	GNUPGHOME=$RPM_FIXTURES/gnupg gpg --batch --yes --armor --detach-sign \
		-o "$repo/repodata/repomd.xml.asc" "$repo/repodata/repomd.xml" 2>/dev/null
}

setup() {
	load ../lib/common
	common_setup
	rpm_fixture_check
	T=$BATS_TEST_TMPDIR/target
	record_host_state
}

@test "rpm: a file written through a symlink to / planted by an earlier package lands inside the target" {
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --include=through \
		hostile "$T" "file://$BATS_FILE_TMPDIR/repo"
	assert_no_escape "$T"
	[ ! -e /tmp/xstrap-escape-rpm-abs ]
	[ ! -e /tmp/xstrap-escape-rpm-rel ]
	assert_status 0
	# resolved inside the root: /escape is the target's /, /rel its /tmp
	[ "$(cat "$T/tmp/xstrap-escape-rpm-abs")" = escaped ]
	[ "$(cat "$T/tmp/xstrap-escape-rpm-rel")" = escaped ]
}
