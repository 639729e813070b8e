#!/usr/bin/env bats
# Bash completion: the script `xstrap --bash-completion` prints (and `make
# install` installs) registers _xstrap for xstrap and completes options from
# the option table, their values, subcommands and the suites in repos/.
# (install.bats checks where make install puts it.)

bats_require_minimum_version 1.5.0
load ../lib/common

setup() {
	[ -x "$XSTRAP" ] || { echo "the binary under test is missing: $XSTRAP (run make)" >&2; return 1; }
	SCRIPT=$BATS_TEST_TMPDIR/xstrap.bash
	XSTRAP_DATADIR=$XSTRAP_TOP "$XSTRAP" --bash-completion >"$SCRIPT"
}

# complete WORD...: what _xstrap offers for the last WORD of "xstrap WORD...",
# in a fresh bash that has only sourced the script (no bash-completion).
complete_words() {
	bash -c 'source "$1"; shift; COMP_WORDS=(xstrap "$@"); COMP_CWORD=$#; _xstrap; echo "${COMPREPLY[*]}"' \
		_ "$SCRIPT" "$@"
}

@test "completion: sourcing the script registers _xstrap for xstrap" {
	run bash -c 'source "$1" && complete -p xstrap' _ "$SCRIPT"
	assert_status 0
	assert_eq "complete -F _xstrap xstrap" "$output"
}

@test "completion: an option from the option table is completed" {
	run complete_words --vari
	assert_eq "--variant=" "$output"
	run complete_words --no-ver
	assert_eq "--no-verify" "$output"
	run complete_words --bash-c
	assert_eq "--bash-completion" "$output"
}

@test "completion: option values: variants, hook stages, key files" {
	# bash splits "--variant=min" at '=' (COMP_WORDBREAKS) ...
	run complete_words --variant = min
	assert_eq "minbase" "$output"
	# ... or passes it whole; getopt also takes the value as the next word
	run complete_words --variant=min
	assert_eq "--variant=minbase" "$output"
	run complete_words --variant bui
	assert_eq "buildd" "$output"
	run complete_words --hook = cu
	assert_eq "customize:" "$output"
	run complete_words --keyring = "$XSTRAP_TOP/repos/keys/debian-archive-k"
	assert_eq "$XSTRAP_TOP/repos/keys/debian-archive-keyring.asc" "$output"
}

@test "completion: --format, --repo-type and --mode offer what the options accept" {
	run complete_words --format = ext
	assert_eq "ext2 ext3 ext4" "$output"
	run complete_words --format=squ
	assert_eq "--format=squashfs" "$output"
	run complete_words --repo-type rpm
	assert_eq "rpm rpm-md rpmmd" "$output"
	run complete_words --mode = un
	assert_eq "unshare" "$output"
	# each offered word is accepted by the option (a usage error names it)
	local w
	for w in dir tar ext2 ext3 ext4; do
		run "$XSTRAP" --format="$w" --help
		assert_status 0
	done
	for w in deb apt rpm rpm-md rpmmd; do
		run "$XSTRAP" --repo-type="$w" --help
		assert_status 0
	done
	for w in auto root unshare; do
		run "$XSTRAP" --mode="$w" --help
		assert_status 0
	done
}

@test "completion: subcommands and the suites of repos/*.conf" {
	run complete_words pl
	assert_eq "plan" "$output"
	run complete_words book
	assert_eq "bookworm" "$output"
	run complete_words plan --include=openssh-server rock
	assert_eq "rocky8 rocky9" "$output"
	# after the suite comes TARGET, a directory, and no suite any more
	run complete_words --variant minbase bookworm "$XSTRAP_TOP/rep"
	assert_eq "$XSTRAP_TOP/repos" "$output"
}
