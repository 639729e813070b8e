#!/usr/bin/env bats
# An rpm root whose package set has no rpm still gets its package database,
# written by xstrap itself (core/rpm/rpmdb_sqlite.c) in rpm's sqlite format:
#   xstrap --repo-type=rpm-md --keyring=KEY --include=PKGS fixture T URL
# and
#   dnf --installroot=T ... install PKGS
# (PKGS: the fixture's @core without rpm) give databases that rpm reads
# alike (-qa, -Va, -qi of the key) and that hold the same rows: every
# package's stored header byte for byte (install times aside), every index
# table, the schema, the gpg-pubkey entry of the signing key.
#
# Also here: a distribution of repos/rpm.conf whose rpm keeps its database
# in /usr/lib/sysimage/rpm (Fedora) gets it there, and one whose rpm reads
# Berkeley DB (rpmdb-backend = bdb, EL8) is refused when rpm is not in the
# package set. Both use a copy of the data directory with two test
# distributions added (XSTRAP_DATADIR).
#
# Skips as rpm-install.bats does: without rpmbuild, rpmsign, createrepo_c or
# /bin/busybox (nothing to test with), the dnf comparisons without dnf.
bats_require_minimum_version 1.5.0
load ../lib/common

# the fixture's @core without rpm (nothing in it requires rpm), and dbtags
# (every tag the database indexes)
PKGS='filesystem setup busybox webapp capped luapost trig needsold filedep epochpkg dbtags'

setup_file() {
	rpm_fixture_setup
	[ -z "${RPM_MISSING_TOOL:-}" ] || return 0
	XS_ROOT=$BATS_FILE_TMPDIR/xstrap-root
	export XS_ROOT
	local rc=0
	"$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" --repo-type=rpm-md --keyring="$RPM_KEYRING" \
		--include="${PKGS// /,}" fixture "$XS_ROOT" "$RPM_REPO" >"$BATS_FILE_TMPDIR/xstrap.log" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/xstrap.status"
	if ! command -v dnf >/dev/null; then
		export DNF_MISSING="dnf is not installed (Debian packages dnf, python3-dnf): nothing to compare with"
		return 0
	fi
	# Debian's rpm keeps its database in ~/.rpmdb: this HOME's .rpmmacros
	# puts dnf's in ROOT/var/lib/rpm (../shared/NOTES.md)
	local home=$BATS_FILE_TMPDIR/rpm-home
	mkdir -p "$home"
	printf '%%_dbpath /var/lib/rpm\n' >"$home/.rpmmacros"
	DNF_ROOT=$BATS_FILE_TMPDIR/dnf-root
	export DNF_ROOT
	# shellcheck disable=SC2086
	if ! HOME=$home dnf --installroot="$DNF_ROOT" --releasever=1 \
		--setopt=reposdir= --setopt=skip_if_unavailable=False \
		--setopt=install_weak_deps=False \
		--repofrompath=fx,"$RPM_REPO" --setopt=fx.gpgcheck=1 \
		--setopt=fx.gpgkey="file://$RPM_KEYRING" --setopt=fx.repo_gpgcheck=1 \
		-y install $PKGS >"$BATS_FILE_TMPDIR/dnf.log" 2>&1; then
		cat "$BATS_FILE_TMPDIR/dnf.log" >&2
		echo "dnf could not build the reference root from $RPM_REPO" >&2
		return 1
	fi
}

teardown_file() {
	stop_dnf_agents "$BATS_FILE_TMPDIR"
}

setup() {
	common_setup
	rpm_fixture_check
	T=$BATS_TEST_TMPDIR/target
}

need_dnf() {
	if [ -n "${DNF_MISSING:-}" ]; then
		skip "$DNF_MISSING"
	fi
}

# xstrap_root: fail, showing xstrap's output, when setup_file's build failed
xstrap_root() {
	if [ "$(cat "$BATS_FILE_TMPDIR/xstrap.status")" != 0 ]; then
		echo "xstrap --include=${PKGS// /,} fixture $XS_ROOT $RPM_REPO failed:" >&2
		cat "$BATS_FILE_TMPDIR/xstrap.log" >&2
		return 1
	fi
}

# rpm_sqlite ROOT ARGS...: the host's rpm on ROOT's database, the sqlite
# backend asked for whatever the host's rpm defaults to
rpm_sqlite() {
	local root=$1
	shift
	rpm --root="$root" --dbpath=/var/lib/rpm --define '_db_backend sqlite' "$@"
}

# same_output WHAT A B: equal strings A (dnf's) and B (xstrap's), or a diff
same_output() {
	if [ "$2" != "$3" ]; then
		echo "$1 differs (- dnf, + xstrap):" >&2
		diff -u <(printf '%s\n' "$2") <(printf '%s\n' "$3") | tail -n +3 >&2
		return 1
	fi
}

@test "a root without rpm has an rpm database, in rpm's sqlite format" {
	xstrap_root
	[ ! -e "$XS_ROOT/usr/bin/rpm" ]
	run -0 head -c 16 "$XS_ROOT/var/lib/rpm/rpmdb.sqlite"
	[ "$output" = "SQLite format 3" ]
	run -0 rpm_sqlite "$XS_ROOT" -q capped --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n'
	[ "$output" = "capped-1.0-1.x86_64" ]
}

@test "rpm -qa on the sqlite backend: the packages and the key dnf's root has" {
	need_dnf
	xstrap_root
	local dnf xs
	dnf=$(rpm_sqlite "$DNF_ROOT" -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' | LC_ALL=C sort)
	xs=$(rpm_sqlite "$XS_ROOT" -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' | LC_ALL=C sort)
	[[ "$xs" == *gpg-pubkey-* ]]
	same_output "rpm -qa" "$dnf" "$xs"
}

@test "rpm -Va: what dnf's root reports (the files %post changed), nothing else" {
	need_dnf
	xstrap_root
	local dnf xs
	dnf=$(rpm_sqlite "$DNF_ROOT" -Va 2>&1 | LC_ALL=C sort || true)
	xs=$(rpm_sqlite "$XS_ROOT" -Va 2>&1 | LC_ALL=C sort || true)
	[[ "$xs" == *" c /etc/passwd"* ]]
	same_output "rpm -Va" "$dnf" "$xs"
}

@test "the database's rows equal dnf's: headers byte for byte, index tables, schema" {
	need_dnf
	xstrap_root
	local dump=$XSTRAP_TOP/tests/lib/rpmdb-dump.py dnf xs
	dnf=$(python3 "$dump" "$DNF_ROOT/var/lib/rpm/rpmdb.sqlite")
	xs=$(python3 "$dump" "$XS_ROOT/var/lib/rpm/rpmdb.sqlite")
	[[ "$xs" == *"Sha1header "*" gpg-pubkey 0"* ]]
	same_output "the rpmdb dump" "$dnf" "$xs"
}

@test "the key's gpg-pubkey entry: as rpm --import makes it" {
	need_dnf
	xstrap_root
	local dnf xs
	dnf=$(rpm_sqlite "$DNF_ROOT" -qi gpg-pubkey | grep -v '^Install Date')
	xs=$(rpm_sqlite "$XS_ROOT" -qi gpg-pubkey | grep -v '^Install Date')
	[[ "$xs" == *"BEGIN PGP PUBLIC KEY BLOCK"* ]]
	same_output "rpm -qi gpg-pubkey" "$dnf" "$xs"
}

@test "SOURCE_DATE_EPOCH is the install time of every entry, and two builds give the same database bytes" {
	local t
	for t in "$T" "$T-again"; do
		run -0 env SOURCE_DATE_EPOCH=1700000000 "$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" \
			--repo-type=rpm-md --keyring="$RPM_KEYRING" --include=setup fixture "$t" "$RPM_REPO"
	done
	cmp "$T/var/lib/rpm/rpmdb.sqlite" "$T-again/var/lib/rpm/rpmdb.sqlite"
	run -0 rpm_sqlite "$T" -q gpg-pubkey setup filesystem --qf '%{INSTALLTIME} %{INSTALLTID}\n'
	[ "$(printf '%s\n' "$output" | LC_ALL=C sort -u)" = "1700000000 1700000000" ]
}

# datadir_with NAME RPMDB BACKEND: a copy of the data directory whose
# repos/rpm.conf also has distribution NAME (its one repository the
# fixture's, its database at RPMDB in the BACKEND format)
datadir_with() {
	local dd=$BATS_TEST_TMPDIR/datadir
	mkdir -p "$dd"
	cp -r "$XSTRAP_TOP/repos" "$XSTRAP_TOP/classes" "$XSTRAP_TOP/hooks" "$XSTRAP_TOP/lua" "$dd/"
	printf '\n[%s]\nreleasever = 1\nrepo fx = repo\nenabled = fx\ngroups = @core\n' "$1" >>"$dd/repos/rpm.conf"
	printf 'rpmdb = %s\nrpmdb-backend = %s\ngpgkey = RPM-GPG-KEY-fixture\nkey-family = fixture\n' "$2" "$3" \
		>>"$dd/repos/rpm.conf"
	echo "$dd"
}

@test "a distribution whose rpm reads /usr/lib/sysimage/rpm gets its database there" {
	local dd
	dd=$(datadir_with fixture-sysimage /usr/lib/sysimage/rpm sqlite)
	run -0 env XSTRAP_DATADIR="$dd" "$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" \
		--keyring="$RPM_KEYRING" --variant=custom --include=setup fixture-sysimage "$T" "file://$RPM_FIXTURES"
	[ ! -e "$T/var/lib/rpm/rpmdb.sqlite" ]
	run -0 rpm --root="$T" --dbpath=/usr/lib/sysimage/rpm --define '_db_backend sqlite' -q setup
	[ "$output" = "setup-2.14-1.noarch" ]
}

@test "a distribution whose rpm reads Berkeley DB: refused without rpm in the package set" {
	local dd
	dd=$(datadir_with fixture-bdb /var/lib/rpm bdb)
	run -1 --separate-stderr env XSTRAP_DATADIR="$dd" "$XSTRAP" --cache-dir="$BATS_FILE_TMPDIR/xstrap-cache" \
		--keyring="$RPM_KEYRING" --variant=custom --include=setup fixture-bdb "$T" "file://$RPM_FIXTURES"
	[[ "$stderr" == *'fixture-bdb: its rpm keeps the package database in the "bdb" format'* ]]
	[[ "$stderr" == *"--include=rpm"* ]]
}
