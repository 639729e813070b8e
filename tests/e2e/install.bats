#!/usr/bin/env bats
# What a packager runs: `make`, then `make install PREFIX=/usr DESTDIR=D`.
# The installed binary must find its data (repos/, classes/, hooks/, lua/)
# under PREFIX/share/xstrap: relative to itself, so the installed tree
# works wherever it is copied, and else in the directory compiled in,
# which follows the PREFIX of `make install`, not that of the first `make`.
# The sources are built once more, in this file's scratch directory: the
# build under test is not touched. No network.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
	local stage=$BATS_FILE_TMPDIR
	export DEST=$stage/dest INSTALL_LOG=$stage/make.log INSTALL_FAILED=
	if ! own_make -j2 BUILD="$stage/build" >"$INSTALL_LOG" 2>&1 ||
		! own_make BUILD="$stage/build" install PREFIX=/usr DESTDIR="$DEST" >>"$INSTALL_LOG" 2>&1; then
		INSTALL_FAILED="make && make install PREFIX=/usr DESTDIR=$DEST failed"
	fi
}

setup() {
	common_setup
	if [ -n "$INSTALL_FAILED" ]; then
		echo "$INSTALL_FAILED; its output:" >&2
		cat "$INSTALL_LOG" >&2
		return 1
	fi
	T=$BATS_TEST_TMPDIR/target
}

@test "install: the installed tree, copied to another prefix, runs from there with its own data" {
	local prefix=$BATS_TEST_TMPDIR/prefix
	cp -a "$DEST/usr" "$prefix"
	# from another directory, with no XSTRAP_DATADIR to point the way
	cd /
	run --separate-stderr env -u XSTRAP_DATADIR "$prefix/bin/xstrap" --list-hooks --variant=extract \
		--include=hello-fixture --keyring="$KEYRING" --class=XEN_DOMU fixture "$T" "$FIXTURE_URL"
	assert_status 0
	# the copied tree's hooks, none of the source tree's
	grep -qF "$prefix/share/xstrap/hooks/customize/10-fstab.lua" <<<"$output"
	grep -qF "$prefix/share/xstrap/hooks/customize/70-hostname.lua" <<<"$output"
	refute grep -qF "$XSTRAP_TOP/hooks/" <<<"$output"
	[ ! -e "$T" ]
	# its repos/ and lua/ too: the plan resolves, the class scripts run
	run --separate-stderr env -u XSTRAP_DATADIR "$prefix/bin/xstrap" plan --cache-dir="$CACHE" \
		--variant=extract --include=hello-fixture --keyring="$KEYRING" --class=XEN_DOMU \
		fixture "$FIXTURE_URL"
	assert_status 0
	grep -q '^hello-fixture 1\.0-1 ' <<<"$output"
}

@test "install: the data directory compiled in follows make install's PREFIX, not make's" {
	# the same build installed once more under a PREFIX no host has, so
	# that no data directory of this host can answer in its place
	local prefix=/nonexistent/xstrap-install-test dest=$BATS_TEST_TMPDIR/dest
	own_make BUILD="$BATS_FILE_TMPDIR/build" install PREFIX="$prefix" DESTDIR="$dest" \
		>"$BATS_TEST_TMPDIR/make.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/make.log" >&2; return 1; }
	# the binary alone, with no share/xstrap beside it, looks in the
	# directory compiled in
	local lone=$BATS_TEST_TMPDIR/lone
	mkdir -p "$lone"
	cp "$dest$prefix/bin/xstrap" "$lone/"
	run --separate-stderr env -u XSTRAP_DATADIR "$lone/xstrap" plan bookworm
	assert_status 1
	assert_error_line "$prefix/share/xstrap/repos/debian\.conf"
	refute grep -q '/usr/local/' <<<"$stderr"
}

@test "install: data, Lua modules and man pages are where the binary and man look" {
	[ -x "$DEST/usr/bin/xstrap" ]
	[ -f "$DEST/usr/share/xstrap/repos/debian.conf" ]
	[ -f "$DEST/usr/share/xstrap/classes/70-xen-domu-cruft.lua" ]
	[ -f "$DEST/usr/share/xstrap/hooks/customize/70-hostname.lua" ]
	[ -f "$DEST/usr/share/xstrap/lua/xstrap.lua" ]
	[ -f "$DEST/usr/share/xstrap/lua/xstrap/families.lua" ]
	[ -f "$DEST/usr/share/man/man1/xstrap.1" ]
	[ -f "$DEST/usr/share/man/man5/xstrap-hooks.5" ]
	# nothing under /usr/local
	[ ! -e "$DEST/usr/local" ]
}

@test "install: the bash completion goes where bash-completion looks, and completes" {
	local script=$DEST/usr/share/bash-completion/completions/xstrap
	[ -f "$script" ]
	run bash -c 'source "$1"; COMP_WORDS=(xstrap --vari); COMP_CWORD=1; _xstrap; echo "${COMPREPLY[*]}"' _ "$script"
	assert_eq "--variant=" "$output"
	run bash -c 'source "$1"; COMP_WORDS=(xstrap book); COMP_CWORD=1; _xstrap; echo "${COMPREPLY[*]}"' _ "$script"
	assert_eq "bookworm" "$output"
}
