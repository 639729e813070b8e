#!/usr/bin/env bats
# rpm-md installation is dnf's: from the signed fixture repository
# (tests/fixtures/mkrpmrepo.sh, spec files in tests/fixtures/rpm/),
#   xstrap --repo-type=rpm-md --keyring=KEY --include=@core fixture T2 URL
# builds the root that
#   dnf --installroot=T1 ... install @core
# builds: same packages in the rpm database, same files (type, mode, owner,
# size, sha256, symlink target, hard links, capabilities), same scriptlet
# effects, same `rpm -Va`. The dnf root is built once per run in
# setup_file; xstrap's once, by the first test that needs it (a failure
# there fails each test that compares, with xstrap's output). Weak
# dependencies are off on both sides (xstrap's default, dnf's
# install_weak_deps=False). docs/compat.md, "rpm-md vs dnf --installroot",
# states the claim and the allowlist below.
#
# Also here: the refusals (a package not signed, or signed by a key not in
# --keyring; a package that does not exist; two that conflict) and a build
# with no rpm, dnf or yum on PATH.
#
# Skips when rpmbuild, rpmsign, createrepo_c or /bin/busybox are missing
# (nothing to test with), and the comparisons when dnf is.
bats_require_minimum_version 1.5.0
load ../lib/common

# Paths where xstrap's root may differ from dnf's (treecmp syntax: glob or
# re:REGEX, relative to the root). Every entry is a file that describes the
# build, not the system; docs/compat.md has the same list.
ALLOWLIST='
# rpm database: the sqlite pages, -wal and -shm depend on the order and time
# of the writes (every header records INSTALLTIME and INSTALLTID), and
# .rpm.lock is the lock file. The database is compared through rpm itself
# below (-qa, -Va, -qc, file states). /var/lib/rpm, the directory, is not
# excused: package rpm owns it.
var/lib/rpm/*
# dnf history: what dnf did and when (history.sqlite*).
var/lib/dnf*
# dnf metadata cache, solv files and librepo keyring for repo_gpgcheck.
var/cache/dnf*
# dnf, librepo and hawkey logs (timestamps).
var/log/dnf*.log
var/log/hawkey.log
# dnf modularity state dir (/etc/dnf/modules.d): created by dnf, owned by no
# package of the fixture.
etc/dnf*
'

setup_file() {
	rpm_fixture_setup
	[ -z "${RPM_MISSING_TOOL:-}" ] || return 0
	printf '%s\n' "$ALLOWLIST" >"$BATS_FILE_TMPDIR/allowlist"
	# Debian's rpm keeps its database in ~/.rpmdb (%_dbpath expands ~);
	# dnf's librpm reads this HOME's .rpmmacros and puts it in ROOT/var/lib/rpm.
	RPM_HOME=$BATS_FILE_TMPDIR/rpm-home
	mkdir -p "$RPM_HOME"
	printf '%%_dbpath /var/lib/rpm\n' >"$RPM_HOME/.rpmmacros"
	export RPM_HOME
	if ! command -v dnf >/dev/null; then
		export DNF_MISSING="dnf is not installed (Debian packages dnf, python3-dnf): nothing to compare with"
		return 0
	fi
	DNF_ROOT=$BATS_FILE_TMPDIR/dnf-root
	export DNF_ROOT
	if ! dnf_install "$DNF_ROOT" "$RPM_REPO" @core >"$BATS_FILE_TMPDIR/dnf.log" 2>&1; then
		cat "$BATS_FILE_TMPDIR/dnf.log" >&2
		echo "dnf could not build the reference root from $RPM_REPO" >&2
		return 1
	fi
}

teardown_file() {
	stop_dnf_agents "$BATS_FILE_TMPDIR"
	stop_http
}

setup() {
	common_setup
	rpm_fixture_check
	T=$BATS_TEST_TMPDIR/target
	XS_ROOT=$BATS_FILE_TMPDIR/xstrap-root
}

# dnf_install ROOT URL SPEC...: dnf 4 installs SPEC into the empty ROOT from
# the repository at URL only, checking repomd.xml's signature
# (repo_gpgcheck) and every package's (gpgcheck) with the fixture key, which
# it imports into ROOT's rpm database as gpg-pubkey. The host's repos are
# not read (reposdir=), a broken repository is an error, not a warning
# (Debian's dnf.conf has skip_if_unavailable=True), weak deps are off.
dnf_install() {
	local root=$1 url=$2
	shift 2
	mkdir -p "$root"
	HOME=$RPM_HOME dnf --installroot="$root" --releasever=1 \
		--setopt=reposdir= --setopt=skip_if_unavailable=False \
		--setopt=install_weak_deps=False \
		--repofrompath=fx,"$url" --setopt=fx.gpgcheck=1 \
		--setopt=fx.gpgkey="file://$RPM_KEYRING" --setopt=fx.repo_gpgcheck=1 \
		-y install "$@"
}

teardown() {
	stop_dnf_agents "$BATS_TEST_TMPDIR"
}

need_dnf() {
	if [ -n "${DNF_MISSING:-}" ]; then
		skip "$DNF_MISSING"
	fi
}

# xstrap_root: build XS_ROOT with xstrap, once per file; fail (showing
# xstrap's output) when that build failed
xstrap_root() {
	local status=$BATS_FILE_TMPDIR/xstrap.status log=$BATS_FILE_TMPDIR/xstrap.log
	if [ ! -e "$status" ]; then
		local rc=0
		"$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" --repo-type=rpm-md \
			--keyring="$RPM_KEYRING" --include=@core fixture "$XS_ROOT" "$RPM_REPO" \
			>"$log" 2>&1 || rc=$?
		echo "$rc" >"$status"
	fi
	if [ "$(cat "$status")" != 0 ]; then
		echo "xstrap --repo-type=rpm-md --include=@core fixture $XS_ROOT $RPM_REPO" \
			"exited with $(cat "$status"):" >&2
		cat "$log" >&2
		return 1
	fi
}

# nevra ROOT: the installed packages, sorted, with the epoch always shown
nevra() {
	rpmq "$1" -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' | LC_ALL=C sort
}

# assert_same_text WHAT A B: the strings A (dnf's) and B (xstrap's) are
# equal; show a diff if not
assert_same_text() {
	if [ "$2" != "$3" ]; then
		echo "$1 differs (- dnf, + xstrap):" >&2
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tail -n +3 >&2
		return 1
	fi
}

# owner_names ROOT: "PATH USER:GROUP" for every path, the names taken from
# ROOT's own /etc/passwd and /etc/group (not the host's)
owner_names() {
	(cd "$1" && find -P . -printf '%U %G %p\n') |
		awk -v pw="$1/etc/passwd" -v gr="$1/etc/group" '
		BEGIN {
			FS = ":"
			while ((getline l < pw) > 0) { split(l, f, ":"); user[f[3]] = f[1] }
			while ((getline l < gr) > 0) { split(l, f, ":"); group[f[3]] = f[1] }
			FS = " "
		}
		{
			u = ($1 in user) ? user[$1] : "#" $1
			g = ($2 in group) ? group[$2] : "#" $2
			p = substr($0, length($1) + length($2) + 3)
			print p, u ":" g
		}' | LC_ALL=C sort
}

# link_groups ROOT: one line per set of hard-linked regular files, the
# names sorted
link_groups() {
	(cd "$1" && find -P . -type f -links +1 -printf '%i %p\n') |
		LC_ALL=C sort -k1,1n -k2 |
		awk '$1 != ino { if (line != "") print line; line = $2; ino = $1; next }
		     { line = line " " $2 }
		     END { if (line != "") print line }' | LC_ALL=C sort
}

# assert_same_root ROOT: ROOT has dnf's packages and files
assert_same_root() {
	assert_same_text "rpm -qa" "$(nevra "$DNF_ROOT")" "$(nevra "$1")"
	run bash "$XSTRAP_TOP/tests/lib/treecmp.sh" "$DNF_ROOT" "$1" "$BATS_FILE_TMPDIR/allowlist"
	if [ "$status" -ne 0 ]; then
		echo "the file trees differ (A: dnf, B: xstrap):" >&2
		echo "$output" >&2
		return 1
	fi
}

# package_files RPMFILE: the paths (without the leading /) RPMFILE installs
package_files() {
	mkdir -p "$BATS_TEST_TMPDIR/no-db"
	rpm -qpl --dbpath="$BATS_TEST_TMPDIR/no-db" --nosignature "$1" | sed 's|^/||'
}

# assert_no_files_of ROOT RPMFILE: none of RPMFILE's files are in ROOT
assert_no_files_of() {
	local root=$1 rel found=
	[ -e "$root" ] || return 0
	while IFS= read -r rel; do
		# directories shared with other packages (none in webapp) would
		# need excluding; its %ghost file is never created
		if [ -e "$root/$rel" ] || [ -L "$root/$rel" ]; then
			found="$found /$rel"
		fi
	done < <(package_files "$2")
	if [ -n "$found" ]; then
		echo "files of ${2##*/} reached the target:$found" >&2
		return 1
	fi
}

# xs_build ARGS...: `run` xstrap on an rpm-md repository with the fixture key
xs_build() {
	run --separate-stderr xs --repo-type=rpm-md --keyring="$RPM_KEYRING" "$@"
}

# --- the package database ----------------------------------------------------

@test "rpm -qa: the same name, epoch, version, release and arch as dnf, key aside" {
	need_dnf
	xstrap_root
	local dnf xs
	dnf=$(nevra "$DNF_ROOT" | grep -v '^gpg-pubkey-')
	xs=$(nevra "$XS_ROOT" | grep -v '^gpg-pubkey-')
	assert_same_text "rpm -qa" "$dnf" "$xs"
	# what @core means here: mandatory and default members with their
	# dependencies, newname for oldname, no optional member, no weak dep
	grep -qx 'epochpkg-2:3.1-1.noarch' <<<"$xs"
	grep -qx 'newname-0:2.0-1.noarch' <<<"$xs"
	grep -qx 'extras-default-0:1.0-1.noarch' <<<"$xs"
	refute grep -q '^oldname-\|^extras-optional-\|^weakdep-\|^conflict-' <<<"$xs"
	assert_eq 13 "$(wc -l <<<"$xs")" "number of packages"
}

@test "rpm -qa: the signing key is in the database as gpg-pubkey, as dnf imports it" {
	need_dnf
	xstrap_root
	assert_same_text "gpg-pubkey packages" \
		"$(nevra "$DNF_ROOT" | grep '^gpg-pubkey-')" "$(nevra "$XS_ROOT" | grep '^gpg-pubkey-')"
}

@test "chroot ROOT rpm -qa: the target's own rpm reads the database xstrap wrote" {
	need_dnf
	xstrap_root
	run --separate-stderr chroot "$XS_ROOT" /usr/bin/rpm --version
	assert_status 0
	grep -q '^RPM version ' <<<"$output"
	run --separate-stderr chroot "$XS_ROOT" /usr/bin/rpm -qa \
		--qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n'
	assert_status 0
	[ -z "$stderr" ] || { echo "rpm -qa wrote to stderr: $stderr" >&2; return 1; }
	assert_same_text "chroot rpm -qa" "$(nevra "$DNF_ROOT")" "$(LC_ALL=C sort <<<"$output")"
}

# --- the files -----------------------------------------------------------------

@test "file trees: type, mode, uid, gid, size, sha256, link target, caps equal outside the allowlist" {
	need_dnf
	xstrap_root
	run bash "$XSTRAP_TOP/tests/lib/treecmp.sh" "$DNF_ROOT" "$XS_ROOT" "$BATS_FILE_TMPDIR/allowlist"
	if [ "$status" -ne 0 ]; then
		echo "the file trees differ (A: dnf, B: xstrap):" >&2
		echo "$output" >&2
		return 1
	fi
	# the fixture's special files are there at all (equal to dnf's, above)
	assert_eq "./usr/bin/capped-ping cap_net_raw=ep" "$(cd "$XS_ROOT" && getcap ./usr/bin/capped-ping)" \
		"capabilities of /usr/bin/capped-ping"
	assert_eq 4755 "$(stat -c %a "$XS_ROOT/usr/libexec/capped/suid-helper")" "mode of the setuid helper"
}

@test "payloads streamed from the cache (every package above the memory limit): the same tree as decoded in memory" {
	xstrap_root
	XSTRAP_STREAM_ABOVE=0 run --separate-stderr "$XSTRAP" -v --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" \
		--repo-type=rpm-md --keyring="$RPM_KEYRING" --include=@core fixture "$T" "$RPM_REPO"
	assert_status 0
	# all but the packages without files (size 0: nothing to hold)
	assert_stderr_has 'extract: 11 of 13 packages streamed from the cache'
	run bash "$XSTRAP_TOP/tests/lib/treecmp.sh" "$XS_ROOT" "$T" "$BATS_FILE_TMPDIR/allowlist"
	if [ "$status" -ne 0 ]; then
		echo "the file trees differ (A: in memory, B: streamed):" >&2
		echo "$output" >&2
		return 1
	fi
}

@test "file trees: owner and group names (from each root's own passwd, group) equal" {
	need_dnf
	xstrap_root
	local dnf xs
	# paths on both sides only: which exist is treecmp's business
	dnf=$(owner_names "$DNF_ROOT")
	xs=$(owner_names "$XS_ROOT")
	assert_same_text "owners by name" \
		"$(LC_ALL=C join -j1 -o 1.1,1.2 <(echo "$dnf") <(echo "$xs"))" \
		"$(LC_ALL=C join -j1 -o 2.1,2.2 <(echo "$dnf") <(echo "$xs"))"
	grep -qx './var/lib/webapp web:web' <<<"$xs"
	grep -qx './var/lib/webapp/state web:web' <<<"$xs"
}

@test "file trees: the same sets of hard links (capped's a and b are one inode)" {
	need_dnf
	xstrap_root
	assert_same_text "hard link sets" "$(link_groups "$DNF_ROOT")" "$(link_groups "$XS_ROOT")"
	assert_eq "./usr/share/capped/a ./usr/share/capped/b" "$(link_groups "$XS_ROOT")" "hard link sets"
}

@test "root directory: mode 555, as filesystem's ./ entry says, in both" {
	need_dnf
	xstrap_root
	assert_eq 555 "$(stat -c %a "$DNF_ROOT")" "mode of dnf's root"
	assert_eq 555 "$(stat -c %a "$XS_ROOT")" "mode of xstrap's root"
}

# --- scriptlets ------------------------------------------------------------------

@test "scriptlets: %pre's user and group web, same ids in passwd, group, shadow" {
	need_dnf
	xstrap_root
	local r
	for r in "$DNF_ROOT" "$XS_ROOT"; do
		grep -qx 'web:x:990:990:webapp:/var/lib/webapp:/sbin/nologin' "$r/etc/passwd"
		grep -qx 'web:x:990:' "$r/etc/group"
		grep -q '^web:' "$r/etc/shadow"
	done
	local f
	for f in etc/passwd etc/group etc/shadow; do
		assert_same_file "$DNF_ROOT/$f" "$XS_ROOT/$f"
	done
}

@test "scriptlets: /var/lib/webapp is web:web 0750; %post and %posttrans ran with dnf's arguments" {
	need_dnf
	xstrap_root
	local r
	for r in "$DNF_ROOT" "$XS_ROOT"; do
		assert_eq "750 990:990" "$(stat -c '%a %u:%g' "$r/var/lib/webapp")" "$r/var/lib/webapp"
		assert_eq 1 "$(cat "$r/var/lib/webapp/post-ran")" "%post's \$1 in $r"
		[ -f "$r/var/lib/webapp/posttrans-ran" ]
		grep -qx '# edited by %post' "$r/etc/webapp.conf"
	done
	assert_same_file "$DNF_ROOT/var/lib/webapp/posttrans-ran" "$XS_ROOT/var/lib/webapp/posttrans-ran"
	assert_same_file "$DNF_ROOT/etc/webapp.conf" "$XS_ROOT/etc/webapp.conf"
}

@test "scriptlets: the Lua %post's marker holds what dnf's holds (arg[2] = 1)" {
	need_dnf
	xstrap_root
	assert_eq "luapost 1.0-1 installed, instances: 1" "$(cat "$DNF_ROOT/var/lib/luapost/marker")" \
		"dnf's luapost marker"
	assert_same_file "$DNF_ROOT/var/lib/luapost/marker" "$XS_ROOT/var/lib/luapost/marker"
}

@test "scriptlets: trig's %triggerin -- webapp fired once, with dnf's arguments" {
	need_dnf
	xstrap_root
	assert_eq "1 1" "$(cat "$DNF_ROOT/var/lib/trig/fired")" "dnf's trigger arguments"
	assert_same_file "$DNF_ROOT/var/lib/trig/fired" "$XS_ROOT/var/lib/trig/fired"
}

# --- verification ----------------------------------------------------------------

@test "rpm -Va: the same lines for both roots (the four config files scriptlets edit)" {
	need_dnf
	xstrap_root
	local dnf xs
	dnf=$(rpmq "$DNF_ROOT" -Va | LC_ALL=C sort) || true
	xs=$(rpmq "$XS_ROOT" -Va | LC_ALL=C sort) || true
	# Not normalised: both roots must verify alike, mtimes included. In
	# dnf's, only what %pre and %post edit differs from the headers.
	assert_same_text "dnf's rpm -Va, expected" "$(printf '%s\n' \
		'S.5....T.  c /etc/group' 'S.5....T.  c /etc/passwd' \
		'S.5....T.  c /etc/shadow' 'S.5....T.  c /etc/webapp.conf')" "$dnf"
	assert_same_text "rpm -Va" "$dnf" "$xs"
}

@test "%ghost /var/log/webapp.log absent in both; rpm -qc webapp and file states equal" {
	need_dnf
	xstrap_root
	[ ! -e "$DNF_ROOT/var/log/webapp.log" ]
	[ ! -e "$XS_ROOT/var/log/webapp.log" ]
	assert_same_text "rpm -qc webapp" "$(rpmq "$DNF_ROOT" -qc webapp)" "$(rpmq "$XS_ROOT" -qc webapp)"
	assert_eq /etc/webapp.conf "$(rpmq "$XS_ROOT" -qc webapp)" "rpm -qc webapp"
	# per file, per package: state (normal, replaced, not installed, ...)
	# and flags (config, doc, ghost, ...) as recorded in the database
	local qf='[%{NAME} %{FILESTATES:fstate} %{FILEFLAGS:fflags} %{FILENAMES}\n]'
	# (gpg-pubkey has no file arrays: rpm complains about it on stderr)
	assert_same_text "file states and flags" "$(rpmq "$DNF_ROOT" -qa --qf "$qf" 2>/dev/null | LC_ALL=C sort)" \
		"$(rpmq "$XS_ROOT" -qa --qf "$qf" 2>/dev/null | LC_ALL=C sort)"
}

# --- refusals ----------------------------------------------------------------------

@test "dnf refuses repo-unsigned and repo-otherkey too (the fixture's broken repos are broken)" {
	need_dnf
	run dnf_install "$BATS_TEST_TMPDIR/d1" "file://$RPM_FIXTURES/repo-unsigned" @core
	[ "$status" -ne 0 ]
	grep -q 'webapp-1.2-1.noarch.rpm is not signed' <<<"$output"
	run dnf_install "$BATS_TEST_TMPDIR/d2" "file://$RPM_FIXTURES/repo-otherkey" @core
	[ "$status" -ne 0 ]
	grep -q 'Public key for webapp-1.2-1.noarch.rpm is not installed' <<<"$output"
}

@test "repo-unsigned: refused, naming webapp's package file as not signed; none of its files installed" {
	xs_build --include=@core fixture "$T" "file://$RPM_FIXTURES/repo-unsigned"
	assert_status 1
	assert_error_line 'webapp-1\.2-1\.noarch\.rpm.*(not signed|unsigned)|(not signed|unsigned).*webapp-1\.2-1\.noarch\.rpm'
	assert_no_files_of "$T" "$RPM_FIXTURES/repo-unsigned/Packages/webapp-1.2-1.noarch.rpm"
}

@test "repo-otherkey: refused, naming webapp's package file and the key not in --keyring" {
	local fpr
	fpr=$(gpg --batch --with-colons --show-keys "$RPM_FIXTURES/otherkey.asc" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }')
	[ ${#fpr} -eq 40 ]
	xs_build --include=@core fixture "$T" "file://$RPM_FIXTURES/repo-otherkey"
	assert_status 1
	assert_error_line 'webapp-1\.2-1\.noarch\.rpm'
	# the key by its id: 8 or 16 hex digits, or the whole fingerprint
	assert_stderr_has "${fpr: -8}"
	assert_no_files_of "$T" "$RPM_FIXTURES/repo-otherkey/Packages/webapp-1.2-1.noarch.rpm"
}

@test "--include=nosuch: refused, the package is named as not found" {
	xs_build --include=@core,nosuch fixture "$T" "$RPM_REPO"
	assert_status 1
	assert_error_line 'nosuch.*not found|not found.*nosuch'
	[ ! -e "$T/usr/bin/busybox" ]
}

@test "--include=conflict-a,conflict-b: refused, the conflict is named in plain words" {
	xs_build --include=conflict-a,conflict-b fixture "$T" "$RPM_REPO"
	assert_status 1
	assert_error_line 'conflict'
	assert_stderr_has 'conflict-a'
	assert_stderr_has 'conflict-b'
	[ ! -e "$T/usr/share/conflict-a" ]
	[ ! -e "$T/usr/share/conflict-b" ]
}

# --- over HTTP, and packages changed on the way ----------------------------------

# copy_repo DIR: a writable copy of the fixture repository in DIR
copy_repo() {
	cp -a "$RPM_FIXTURES/repo" "$1"
}

# resign_repo DIR: createrepo_c again over DIR's packages and sign the new
# repomd.xml with the fixture's key, as a mirror that rebuilt its metadata
# over a changed package would
resign_repo() {
	createrepo_c -q --update --groupfile "$XSTRAP_TOP/tests/fixtures/rpm/comps.xml" "$1" &&
		GNUPGHOME=$RPM_FIXTURES/gnupg gpg --batch --yes --armor --detach-sign \
			-o "$1/repodata/repomd.xml.asc" "$1/repodata/repomd.xml" 2>/dev/null
}

@test "over HTTP on 127.0.0.1: the same root as dnf's" {
	need_dnf
	local url
	url=$(serve_http "$RPM_FIXTURES/repo")
	xs_build --include=@core fixture "$T" "$url"
	assert_status 0
	assert_same_root "$T"
}

@test "one byte of webapp's package changed on the mirror: refused by primary's SHA256, naming it and both sums" {
	local repo=$BATS_TEST_TMPDIR/repo rpm
	copy_repo "$repo"
	rpm=$repo/Packages/webapp-1.2-1.noarch.rpm
	printf 'X' | dd of="$rpm" bs=1 seek=$(($(stat -c %s "$rpm") - 10)) conv=notrunc 2>/dev/null
	local url
	url=$(serve_http "$repo")
	xs_build --include=@core fixture "$T" "$url"
	assert_status 1
	assert_error_line 'webapp-1\.2-1\.noarch\.rpm'
	assert_stderr_has 'SHA256'
	assert_no_files_of "$T" "$rpm"
}

@test "webapp's payload changed and the metadata rebuilt and re-signed: refused by the package's own payload digest" {
	local repo=$BATS_TEST_TMPDIR/repo rpm
	copy_repo "$repo"
	rpm=$repo/Packages/webapp-1.2-1.noarch.rpm
	# the last byte belongs to the compressed payload, covered by neither the
	# header signature nor anything but the header's payload digest
	printf 'X' | dd of="$rpm" bs=1 seek=$(($(stat -c %s "$rpm") - 1)) conv=notrunc 2>/dev/null
	resign_repo "$repo"
	xs_build --include=@core fixture "$T" "file://$repo"
	assert_status 1
	assert_error_line 'webapp.*payload SHA256 mismatch'
	assert_no_files_of "$T" "$rpm"
}

@test "the same changed payload, streamed (every package above the memory limit): refused before any of its files lands" {
	local repo=$BATS_TEST_TMPDIR/repo rpm
	copy_repo "$repo"
	rpm=$repo/Packages/webapp-1.2-1.noarch.rpm
	printf 'X' | dd of="$rpm" bs=1 seek=$(($(stat -c %s "$rpm") - 1)) conv=notrunc 2>/dev/null
	resign_repo "$repo"
	export XSTRAP_STREAM_ABOVE=0
	xs_build --include=@core fixture "$T" "file://$repo"
	assert_status 1
	assert_error_line 'webapp.*payload SHA256 mismatch'
	assert_no_files_of "$T" "$rpm"
}

@test "webapp's header changed (its summary), metadata rebuilt and re-signed: refused by the header signature" {
	local repo=$BATS_TEST_TMPDIR/repo rpm off
	copy_repo "$repo"
	rpm=$repo/Packages/webapp-1.2-1.noarch.rpm
	# change the summary text inside the signed header, same length
	off=$(grep -abo 'A web application' "$rpm" | head -1 | cut -d: -f1)
	[ -n "$off" ]
	printf 'A WEB' | dd of="$rpm" bs=1 seek="$off" conv=notrunc 2>/dev/null
	resign_repo "$repo"
	xs_build --include=@core fixture "$T" "file://$repo"
	assert_status 1
	assert_error_line 'webapp.*(header SHA256 mismatch|BAD signature)'
	assert_no_files_of "$T" "$rpm"
}

# --- no rpm on the host ------------------------------------------------------------

@test "PATH without rpm*, dnf*, yum*: xstrap builds the same root" {
	need_dnf
	local p=$BATS_TEST_TMPDIR/path d f
	mkdir "$p"
	for d in /usr/bin /usr/sbin /bin /sbin; do
		for f in "$d"/*; do
			case ${f##*/} in rpm* | dnf* | yum*) continue ;; esac
			[ -e "$p/${f##*/}" ] || ln -s "$f" "$p/${f##*/}"
		done
	done
	refute env PATH="$p" sh -c 'command -v rpm || command -v rpmbuild || command -v dnf || command -v yum'
	run --separate-stderr env PATH="$p" "$XSTRAP" --cache-dir="$CACHE" --repo-type=rpm-md \
		--keyring="$RPM_KEYRING" --include=@core fixture "$T" "$RPM_REPO"
	assert_status 0
	assert_same_root "$T"
}

# --- an environment ----------------------------------------------------------

@test "@fixture-server-environment: the root dnf builds (its mandatory groups; the options, default or not, left out as dnf 4 does)" {
	need_dnf
	local env_dnf=$BATS_TEST_TMPDIR/dnf-env
	if ! dnf_install "$env_dnf" "$RPM_REPO" @fixture-server-environment >"$BATS_TEST_TMPDIR/dnf.log" 2>&1; then
		cat "$BATS_TEST_TMPDIR/dnf.log" >&2
		return 1
	fi
	xs_build --include="@Fixture Server" fixture "$T" "$RPM_REPO"
	echo "$stderr" | tail -n 5
	assert_status 0
	DNF_ROOT=$env_dnf assert_same_root "$T"
	# core and xen-guest are in; printing (a default option) and mdns are not
	rpmq "$T" -q kernel systemd-lite webapp
	refute rpmq "$T" -q cups
	refute rpmq "$T" -q avahi
}
