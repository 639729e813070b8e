#!/usr/bin/env bats
# The command line: --help is generated from the option table and every
# option it lists is documented in xstrap(1); usage errors exit 2 with a
# message that names the option and what was expected.

bats_require_minimum_version 1.5.0
load ../lib/common

setup() {
	[ -x "$XSTRAP" ] || { echo "the binary under test is missing: $XSTRAP (run make)" >&2; return 1; }
}

# help_options: the long option names --help lists, one per line
help_options() {
	"$XSTRAP" --help | sed -n 's/^  \(-., \)\{0,1\}--\(\[no-\]\)\{0,1\}\([a-z0-9-]*\).*/\3/p'
}

@test "cli: --help lists the options and exits 0" {
	run "$XSTRAP" --help
	assert_status 0
	[[ "$output" == *"Usage: xstrap [OPTIONS] SUITE TARGET [MIRROR]"* ]]
	[[ "$output" == *"--variant=NAME"* ]]
	[[ "$output" == *"-j, --jobs=N"* ]]
	[[ "$output" == *"--[no-]merged-usr"* ]]
	refute grep -q 'resolves only' <<<"$output"
	run "$XSTRAP" -h
	assert_status 0
}

@test "cli: every option --help lists is in xstrap(1), and every option of xstrap(1) in --help" {
	local man=$XSTRAP_TOP/docs/xstrap.1 name missing=""
	local listed
	listed=$(help_options)
	[ "$(wc -l <<<"$listed")" -gt 20 ]
	for name in $listed; do
		grep -q -- "\\\\-\\\\-${name//-/\\\\-}" "$man" || missing="$missing --$name"
	done
	assert_eq "" "$missing" "options in --help but not in docs/xstrap.1"
	local documented
	# the option headings: the line after each .TP
	documented=$(awk 'tp { print } { tp = ($0 == ".TP") }' "$man" |
		grep -oE '\\-\\-[a-z]+(\\-[a-z]+)*' | sed 's/\\//g; s/^--//' | sort -u)
	for name in $documented; do
		case "$name" in no-merged-usr) name=merged-usr ;; esac
		grep -qx -- "$name" <<<"$listed" || "$XSTRAP" --help | grep -q -- "--$name" || missing="$missing --$name"
	done
	assert_eq "" "$missing" "options in docs/xstrap.1 but not in --help"
}

@test "cli: the version" {
	run "$XSTRAP" --version
	assert_status 0
	[[ "$output" =~ ^xstrap\ [0-9]+\.[0-9]+ ]]
}

@test "cli: a bad value is a usage error naming the option, what was expected and found" {
	run "$XSTRAP" --variant=tiny bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--variant: expected minbase'*'found "tiny"'* ]]
	[[ "$output" == *"Try 'xstrap --help'."* ]]
	run "$XSTRAP" -j 0 bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--jobs: expected 1 to 16, found "0"'* ]]
	run "$XSTRAP" --jobs=2x bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	run "$XSTRAP" --set novalue bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'--set: expected NAME=VALUE, found "novalue"'* ]]
	run "$XSTRAP" --hook=install:x.lua bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[[ "$output" == *'expected STAGE:FILE'* ]]
	run "$XSTRAP" --no-such-option bookworm "$BATS_TEST_TMPDIR/t"
	assert_status 2
	[ ! -e "$BATS_TEST_TMPDIR/t" ]
}

@test "cli: missing arguments are a usage error" {
	run "$XSTRAP" bookworm
	assert_status 2
	[[ "$output" == *'expected: xstrap [OPTIONS] SUITE TARGET [MIRROR]'* ]]
	run "$XSTRAP" plan
	assert_status 2
	[[ "$output" == *'expected: xstrap plan [OPTIONS] SUITE [MIRROR]'* ]]
}
