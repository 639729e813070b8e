#!/usr/bin/env bats
# Hostile rpm packages write nothing outside the target (issue 3: "confined
# to the target as for .deb"). Built here with rpmbuild and signed with the
# rpm fixture's key, so only the confinement stops them:
#   plant    symlinks /escape -> / and /rel -> ../../../../../../tmp
#   through  files /escape/tmp/xstrap-escape-rpm-abs and /rel/xstrap-escape-rpm-rel,
#            written through plant's links; Requires plant, so it comes after
#   liar     a signed liar-1-1 that the (re-signed) metadata of repo-liar
#            calls liar-2-1: a validly signed package served under another
#            version's name
#   ownerfix ships /usr/share/ownerfix/secret as nobody:nobody 0777 (so
#            xstrap fixes its owner and mode after %pre); its %pre replaces
#            that file with a symlink to /tmp/xstrap-owner-victim
#   evilhost %post runs `hostname xstrap-evil` and writes
#            /proc/sys/kernel/hostname (issue 8)
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
	cat >"$top/SPECS/liar.spec" <<'EOF'
Name: liar
Version: 1
Release: 1
Summary: an old release, served as a newer one
License: Public Domain
BuildArch: noarch
AutoReqProv: no
%description
hostile
%install
mkdir -p %{buildroot}/usr/share/liar
echo one >%{buildroot}/usr/share/liar/version
%files
/usr/share/liar/version
EOF
	cat >"$top/SPECS/ownerfix.spec" <<'EOF'
Name: ownerfix
Version: 1
Release: 1
Summary: turns its owner-fixed file into a symlink out of the root
License: Public Domain
BuildArch: noarch
AutoReqProv: no
Requires(pre): busybox setup
%description
hostile
%install
mkdir -p %{buildroot}/usr/share/ownerfix
echo secret >%{buildroot}/usr/share/ownerfix/secret
%pre
rm -f /usr/share/ownerfix/secret
ln -s /tmp/xstrap-owner-victim /usr/share/ownerfix/secret
%files
%attr(0777,nobody,nobody) /usr/share/ownerfix/secret
EOF
	cat >"$top/SPECS/evilhost.spec" <<'EOF'
Name: evilhost
Version: 1
Release: 1
Summary: renames the host it is installed on
License: Public Domain
BuildArch: noarch
AutoReqProv: no
Requires(post): busybox
%description
hostile
%files
%post
/usr/bin/busybox hostname xstrap-evil
mkdir -p /var/lib/evilhost
/usr/bin/busybox hostname >/var/lib/evilhost/saw
echo xstrap-evil >/proc/sys/kernel/hostname
EOF
	local s
	for s in plant through liar ownerfix evilhost; do
		rpmbuild -bb --define "_topdir $top" --define "_rpmdir $repo" \
			--define 'debug_package %{nil}' --define '__os_install_post %{nil}' \
			--define '_build_id_links none' "$top/SPECS/$s.spec" >"$top/$s.log" 2>&1 || {
			cat "$top/$s.log" >&2
			return 1
		}
	done
	GNUPGHOME=$RPM_FIXTURES/gnupg rpmsign --define '_gpg_name rpm-fixture@xstrap.invalid' \
		--define '__gpg /usr/bin/gpg' --addsign "$repo"/noarch/*.rpm >/dev/null 2>&1
	# liar gets a repository of its own, whose metadata lies about it
	local liar=$BATS_FILE_TMPDIR/repo-liar
	mkdir -p "$liar"
	mv "$repo"/noarch/liar-*.rpm "$liar/"
	# the fixture's base packages, so the root has filesystem
	cp "$RPM_FIXTURES"/repo/Packages/filesystem-*.rpm "$RPM_FIXTURES"/repo/Packages/busybox-*.rpm \
		"$RPM_FIXTURES"/repo/Packages/setup-*.rpm "$repo/"
	createrepo_c -q "$repo"
	createrepo_c -q "$liar"
	relabel_version "$liar" liar 2
	local r
	for r in "$repo" "$liar"; do
		GNUPGHOME=$RPM_FIXTURES/gnupg gpg --batch --yes --armor --detach-sign \
			-o "$r/repodata/repomd.xml.asc" "$r/repodata/repomd.xml" 2>/dev/null
	done
}

# relabel_version REPO NAME VER: primary.xml of REPO calls package NAME
# version VER, and repomd.xml gives the new primary's checksums and sizes
# (to be signed again)
relabel_version() {
	python3 - "$@" <<'EOF'
import gzip, hashlib, re, sys
repo, name, ver = sys.argv[1:]
md_path = f"{repo}/repodata/repomd.xml"
md = open(md_path).read()
block = re.search(r'<data type="primary">.*?</data>', md, re.S).group(0)
href = re.search(r'<location href="([^"]+)"', block).group(1)
xml = gzip.open(f"{repo}/{href}").read().decode()
pkg = re.compile(r'(<name>%s</name>.*?<version epoch="\d+" ver=")[^"]*(")' % re.escape(name), re.S)
xml, n = pkg.subn(r"\g<1>%s\g<2>" % ver, xml, count=1)
assert n == 1, "no such package in primary"
raw = xml.encode()
gz = gzip.compress(raw, mtime=0)
open(f"{repo}/{href}", "wb").write(gz)
new = block
for tag, val in (("checksum", hashlib.sha256(gz).hexdigest()), ("open-checksum", hashlib.sha256(raw).hexdigest()),
                 ("size", str(len(gz))), ("open-size", str(len(raw)))):
    new = re.sub(r"(<%s[^>]*>)[^<]*(</%s>)" % (tag, tag), r"\g<1>%s\g<2>" % val, new)
open(md_path, "w").write(md.replace(block, new))
EOF
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

@test "rpm: a signed liar-1-1 served as liar-2-1 by signed metadata: refused, naming the package and both versions" {
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --include=liar \
		hostile "$T" "file://$BATS_FILE_TMPDIR/repo-liar"
	assert_status 1
	assert_error_line 'liar-1-1.noarch.rpm \(liar\): the package.s header gives epoch:version-release "0:1-1", the repository metadata "0:2-1"'
	[ ! -e "$T/usr/share/liar/version" ]
}

@test "rpm: an owner-fixed file that %pre turned into a symlink to a host file: the host file keeps its mode and owner" {
	local victim=/tmp/xstrap-owner-victim
	rm -f "$victim"
	echo host >"$victim"
	chmod 0600 "$victim"
	local before
	before=$(stat -c '%a %u:%g' "$victim")
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --include=ownerfix \
		hostile "$T" "file://$BATS_FILE_TMPDIR/repo"
	local after
	after=$(stat -c '%a %u:%g' "$victim")
	rm -f "$victim"
	echo "$stderr"
	assert_eq "$before" "$after"
	assert_status 0
	# the fix-up changed the symlink itself: still a symlink, owned by nobody
	[ -L "$T/usr/share/ownerfix/secret" ]
	assert_eq nobody "$(stat -c %U "$T/usr/share/ownerfix/secret")"
}

@test "rpm: a %post that runs hostname and writes /proc/sys/kernel/hostname leaves the host's name as it was" {
	local host_name
	host_name=$(hostname)
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" --include=evilhost \
		hostile "$T" "file://$BATS_FILE_TMPDIR/repo"
	echo "$stderr"
	local now
	now=$(hostname)
	# a regression must not leave the test machine renamed
	[ "$now" = "$host_name" ] || hostname "$host_name"
	assert_eq "$host_name" "$now"
	# hostname(1) worked, in the scriptlet's own UTS namespace
	assert_eq xstrap-evil "$(cat "$T/var/lib/evilhost/saw")"
	# the write to /proc/sys failed (read-only): a failed %post is a
	# warning, as in rpm, and the build goes on
	assert_status 0
	assert_stderr_has 'evilhost'
	assert_stderr_has 'Read-only file system'
}
