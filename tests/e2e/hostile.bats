#!/usr/bin/env bats
# The target is a jail. Each hostile fixture package tries to write outside
# it: ../ names, absolute names, writes through symlinks (its own, or one an
# earlier package planted), hard links to host files. xstrap may refuse the
# package or keep the write inside the target; either way nothing may change
# outside the target, and the target's parent must hold nothing but it.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	record_host_state
	# Directly under /tmp, so the fixtures' ../ chains and relative symlinks
	# reach the host's /tmp from the target.
	PARENT=$(mktemp -d /tmp/xstrap-hostile.XXXXXX)
	T=$PARENT/target
}

teardown() {
	rm -rf "$PARENT"
	rm -f /tmp/xstrap-escape-* "$HARDLINK_VICTIM"
}

# hostile PKGS ERROR_REGEX: install PKGS (comma-separated) with the extract
# variant, then check the jail held. A refusal must be a clean exit 1 with an
# error line matching ERROR_REGEX (the package at fault).
hostile() {
	run --separate-stderr xs --variant=extract --include="$1" --keyring="$KEYRING" \
		fixture "$T" "file://$fixture_dir/repo"
	assert_no_escape "$T"
	case $status in
	0) ;;
	1) assert_error_line "$2" ;;
	*)
		echo "xstrap neither succeeded nor refused cleanly: exit $status" >&2
		echo "stderr: $stderr" >&2
		return 1
		;;
	esac
	assert_parent_holds_only_target
}

# Nothing was created next to the target (staging dirs, stray files).
assert_parent_holds_only_target() {
	local left
	left=$(ls -A "$PARENT")
	if [ -n "$left" ] && [ "$left" != target ]; then
		echo "the target's parent holds more than the target: $left" >&2
		return 1
	fi
}

@test "evil-dotdot: a ./../../../tmp/ name stays inside the target" {
	hostile evil-dotdot 'evil-dotdot|\.\./'
}

@test "evil-absolute: a /tmp/ name stays inside the target" {
	hostile evil-absolute 'evil-absolute|/tmp/xstrap-escape-absolute'
}

@test "evil-symlink: writes through its own symlinks to / and ../../tmp stay inside the target" {
	hostile evil-symlink 'evil-symlink|escape|rel'
	if [ "$status" -eq 0 ] && [ -L "$T/escape" ]; then
		# a kept symlink is kept as written: content, not a door
		assert_eq / "$(readlink "$T/escape")" "target of /escape"
	fi
}

@test "evil-hardlink: hard links to /etc/passwd and to a host file are not made, the host file not rewritten" {
	hostile evil-hardlink 'evil-hardlink|passwd|victim'
	assert_eq "$HARDLINK_VICTIM_TEXT" "$(cat "$HARDLINK_VICTIM")" "content of $HARDLINK_VICTIM"
	if [ -e "$T/hostpasswd" ]; then
		assert_eq 1 "$(stat -c %h "$T/hostpasswd")" "link count of the target's /hostpasswd"
	fi
}

@test "plant-link alone: an absolute symlink is ordinary content and is kept as written" {
	run --separate-stderr xs --variant=extract --include=plant-link --keyring="$KEYRING" \
		fixture "$T" "file://$fixture_dir/repo"
	assert_status 0
	[ -L "$T/usr/lib/plant" ]
	assert_eq /tmp "$(readlink "$T/usr/lib/plant")" "target of /usr/lib/plant"
	assert_no_escape "$T"
	assert_parent_holds_only_target
}

@test "plant-link then use-link in one run: a write through a planted symlink stays inside the target" {
	hostile plant-link,use-link 'use-link|plant'
	# Resolved inside the root, /usr/lib/plant -> /tmp means TARGET/tmp.
	# (Looking through $T/usr/lib/plant from the host would follow the link
	# to the host's /tmp, which assert_no_escape already found empty.)
	if [ "$status" -eq 0 ] && [ -e "$T/tmp/xstrap-escape-planted" ]; then
		assert_same_file <(printf 'escaped through a symlink another package planted') \
			"$T/tmp/xstrap-escape-planted"
	fi
}

@test "plant-link then use-link: like dpkg, a directory entry keeps an existing symlink and is resolved inside the root" {
	# use-link's ./usr/lib/plant/ meets plant-link's /usr/lib/plant -> /tmp.
	# dpkg keeps a symlink to a directory (what keeps merged-usr's
	# /bin -> usr/bin alive while packages still ship ./bin/), and the jail
	# resolves /tmp as the target's own /tmp.
	run --separate-stderr xs --variant=extract --include=plant-link,use-link --keyring="$KEYRING" \
		fixture "$T" "file://$fixture_dir/repo"
	assert_no_escape "$T"
	assert_status 0
	[ -L "$T/usr/lib/plant" ] || {
		echo "/usr/lib/plant is no longer the symlink plant-link shipped: $(stat -c %F "$T/usr/lib/plant")" >&2
		return 1
	}
	assert_eq /tmp "$(readlink "$T/usr/lib/plant")" "target of /usr/lib/plant"
	assert_same_file <(printf 'escaped through a symlink another package planted') \
		"$T/tmp/xstrap-escape-planted"
}

@test "--format=tar with every hostile package: no entry of the tar escapes where it is unpacked" {
	run --separate-stderr xs --variant=extract --format=tar \
		--include=evil-dotdot,evil-absolute,evil-symlink,evil-hardlink,plant-link,use-link \
		--keyring="$KEYRING" fixture "$T.tar" "file://$fixture_dir/repo"
	assert_no_escape
	case $status in
	0)
		python3 - "$T.tar" <<'EOF'
import sys, tarfile
bad = []
for m in tarfile.open(sys.argv[1]):
    names = [m.name] + ([m.linkname] if m.islnk() else [])
    for n in names:
        if n.startswith("/") or ".." in n.split("/"):
            bad.append(f"{m.name} ({n})")
assert not bad, f"escaping names in the tar: {bad}"
EOF
		;;
	1) assert_error_line 'evil|plant|use-link' ;;
	*)
		echo "exit $status; stderr: $stderr" >&2
		return 1
		;;
	esac
	left=$(ls -A "$PARENT")
	[ -z "$left" ] || [ "$left" = target.tar ]
}
