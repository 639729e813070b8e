#!/usr/bin/env bats
# An interrupted build must stop promptly, fail, and leave nothing mounted
# and nothing running in its target (DESIGN: "Mounts made for the configure
# stage are undone on every exit path, signals included").
#
# Each test starts "xstrap --variant=minbase bookworm T" against the host's
# mirror (through tests/lib/acng.sh), waits until the configure stage runs
# (something is mounted below T, or a process is chroot'ed into T), then
#   - SIGINT to the whole process group (what Ctrl-C in a terminal does),
#   - SIGTERM to the xstrap process alone (what kill(1) does),
#   - SIGKILL to the chroot'ed dpkg (or maintainer script) child,
# and asserts: xstrap exits non-zero within 30 s, /proc/self/mounts has no
# line containing T, no process is left inside T, and no temporary file is
# left (DESIGN, Trust: "every exit path, signals included, removes temporary
# keyrings and work directories"): no gpgme home in the build's TMPDIR, no
# TARGET.xstrap-tmp work tree or TARGET.tmp archive of --format=tar. After
# the SIGINT case a rebuild into a fresh target must succeed.
#
# The same is asserted, without a mirror, at two earlier points, against
# the fixture repository on tests/lib/faultyhttp.py: while InRelease stalls
# (a temporary keyring exists) and while a package download stalls in a
# --format=tar build (the work tree exists).

setup_file() {
	export XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	export XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
	load ../lib/common
	common_setup_file
	load ../lib/mirror
	mirror_setup_file || true
}

setup() {
	load ../lib/common
	load ../lib/mirror
	[ -x "$XSTRAP" ] || { echo "xstrap binary not found: $XSTRAP (build it first: make)" >&2; return 1; }
	WORK=$(mktemp -d "${XSTRAP_TEST_TMP:-/var/tmp}/xstrap-interrupt.XXXXXX")
	T=$WORK/target
	R=$T # the tree being built (TARGET.xstrap-tmp for --format=tar)
	mkdir "$WORK/tmp"
	XPID=
}

# need_mirror: skip unless the host's Debian mirror is configured
need_mirror() {
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
	require_mirror
}

teardown() {
	stop_http
	if [ -n "$XPID" ] && kill -0 "$XPID" 2>/dev/null; then
		kill -KILL "$XPID" 2>/dev/null
		wait "$XPID" 2>/dev/null
	fi
	safe_rmtree "$WORK"
}

# start_build [ARGS...]: xstrap in the background (default: a minbase
# bookworm build into T from the mirror), in a session of its own (so the
# process-group signal reaches it and its children but not bats), with
# SIGINT/SIGQUIT at their defaults (a non-interactive shell starts
# background jobs with them ignored), its temporary files in WORK/tmp.
start_build() {
	local reset=(env --default-signal=INT,QUIT)
	"${reset[@]}" true 2>/dev/null ||
		reset=(perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or die "exec: $!"' --)
	[ $# -gt 0 ] || set -- --variant=minbase bookworm "$T" "$MIRROR"
	TMPDIR=$WORK/tmp setsid "${reset[@]}" "$XSTRAP" --cache-dir="$WORK/cache" "$@" \
		> "$WORK/xstrap.log" 2>&1 < /dev/null 3>&- &
	XPID=$!
}

# wait_for CMD...: wait up to 60 s, while xstrap runs, until CMD succeeds
wait_for() {
	local deadline=$((SECONDS + 60))
	while [ $SECONDS -lt $deadline ]; do
		if ! kill -0 "$XPID" 2>/dev/null; then
			echo "xstrap exited before '$*' held; output:" >&2
			tail -n 30 "$WORK/xstrap.log" >&2
			return 1
		fi
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "'$*' did not hold within 60 s; output:" >&2
	tail -n 30 "$WORK/xstrap.log" >&2
	return 1
}

# keyring_present: a temporary gpgme home exists in the build's TMPDIR
keyring_present() {
	compgen -G "$WORK/tmp/xstrap-gpg-*" >/dev/null
}

# in_configure: true once the configure stage is visibly running.
in_configure() {
	grep -qF "$R/" /proc/self/mounts && return 0
	[ -e "$R/var/lib/dpkg/status" ] || return 1
	[ -n "$(procs_in_root "$R")" ]
}

# wait_configure [dpkg]: wait up to 120 s for the configure stage; with
# "dpkg", print the pid of a chroot'ed child to kill (a dpkg if one shows
# up within the window, else any process inside T once one is seen for 3 s).
wait_configure() {
	local want=${1:-} deadline=$((SECONDS + 120)) first= p
	while [ $SECONDS -lt $deadline ]; do
		if ! kill -0 "$XPID" 2>/dev/null; then
			echo "xstrap exited before its configure stage was seen; output:" >&2
			tail -n 30 "$WORK/xstrap.log" >&2
			return 1
		fi
		if [ -z "$want" ]; then
			if in_configure; then
				echo "# configure stage seen: $(grep -cF "$R/" /proc/self/mounts) mounts below T, chroot'ed: $(for p in $(procs_in_root "$R"); do cat "/proc/$p/comm"; done 2>/dev/null | tr '\n' ' ')" >&3
				return 0
			fi
		else
			for p in $(procs_in_root "$R"); do
				if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dpkg ]; then
					echo "$p"; return 0
				fi
				[ -n "$first" ] || first=$SECONDS
			done
			if [ -n "$first" ] && [ $((SECONDS - first)) -ge 3 ]; then
				p=$(procs_in_root "$R" | head -n 1)
				[ -n "$p" ] && { echo "$p"; return 0; }
			fi
		fi
		sleep 0.05
	done
	echo "configure stage not reached within 120 s; output:" >&2
	tail -n 30 "$WORK/xstrap.log" >&2
	return 1
}

# assert_stopped: xstrap exits non-zero within 30 s, leaving no mount and no
# process behind.
assert_stopped() {
	local deadline=$((SECONDS + 30)) rc
	while kill -0 "$XPID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
		sleep 0.1
	done
	if kill -0 "$XPID" 2>/dev/null; then
		echo "xstrap still running 30 s after the signal" >&2
		return 1
	fi
	rc=0
	wait "$XPID" || rc=$?
	XPID=
	echo "# xstrap exit status $rc; last output line: $(tail -n 1 "$WORK/xstrap.log")" >&3
	if [ "$rc" -eq 0 ]; then
		echo "xstrap exited 0 after being interrupted" >&2
		return 1
	fi
	if grep -F "$T" /proc/self/mounts >&2; then
		echo "mounts below the target remain (above)" >&2
		return 1
	fi
	local left
	left=$(procs_in_root "$R")
	if [ -n "$left" ]; then
		echo "processes left inside the target:" >&2
		ps -o pid,ppid,comm,args -p "$(echo $left | tr ' ' ,)" >&2
		return 1
	fi
	left=$(ls -A "$WORK/tmp")
	if [ -n "$left" ]; then
		echo "temporary files left in the build's TMPDIR: $left" >&2
		return 1
	fi
	for left in "$T.xstrap-tmp" "$T.tmp"; do
		if [ -e "$left" ]; then
			echo "left behind: $left" >&2
			return 1
		fi
	done
}

# faulty_fixture FAULT SUFFIX: serve the fixture repository with FAULT on
# SUFFIX; sets URL and RULES
faulty_fixture() {
	RULES=$WORK/rules
	echo "$1 $2" >"$RULES"
	URL=$(serve_faulty "$XSTRAP_FIXTURES/repo" "$RULES")
}

# fixture_build [ARGS...]: the fixture's small packages from URL
fixture_build() {
	start_build --variant=extract --include=dep-fixture,tamper-target \
		--keyring="$XSTRAP_FIXTURES/keyring.asc" "$@" fixture "$T" "$URL"
}

@test "interrupt: SIGTERM while InRelease stalls: its temporary keyring is removed" {
	faulty_fixture stall InRelease
	fixture_build
	wait_for grep -q ' stall$' "$RULES.log"
	wait_for keyring_present
	kill -TERM "$XPID"
	assert_stopped
}

@test "interrupt: SIGINT to the process group while a package stalls, --format=tar: no work tree, no keyring" {
	faulty_fixture stall tamper-target_1.0-1_all.deb
	T=$WORK/root.tar
	R=$T.xstrap-tmp
	fixture_build --format=tar
	wait_for test -d "$R"
	wait_for grep -q ' stall$' "$RULES.log"
	kill -INT -- "-$XPID"
	assert_stopped
}

@test "interrupt: SIGINT to the process group during configure" {
	need_mirror
	start_build
	wait_configure
	kill -INT -- "-$XPID"
	assert_stopped

	# a new build into a fresh target still works (no stale lock or cache)
	run timeout 1800 "$XSTRAP" --variant=minbase --cache-dir="$WORK/cache" \
		bookworm "$WORK/again" "$MIRROR"
	echo "$output" | tail -n 20
	[ "$status" -eq 0 ]
	run chroot "$WORK/again" dpkg --audit
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run grep -F "$WORK" /proc/self/mounts
	[ "$status" -ne 0 ]
}

@test "interrupt: SIGTERM to xstrap alone during configure" {
	need_mirror
	start_build
	wait_configure
	kill -TERM "$XPID"
	assert_stopped
}

@test "interrupt: SIGTERM during configure of a --format=tar build: no work tree, no keyring" {
	need_mirror
	T=$WORK/root.tar
	R=$T.xstrap-tmp
	start_build --variant=minbase --format=tar bookworm "$T" "$MIRROR"
	wait_configure
	kill -TERM "$XPID"
	assert_stopped
}

@test "interrupt: SIGKILL of the chroot'ed dpkg child" {
	need_mirror
	start_build
	local victim tries=0
	# the process chosen may end on its own before the kill: choose again
	while :; do
		victim=$(wait_configure dpkg)
		echo "# killing $victim ($(cat "/proc/$victim/comm" 2>/dev/null))" >&3
		kill -KILL "$victim" 2>/dev/null && break
		tries=$((tries + 1))
		[ "$tries" -lt 5 ] || { echo "every process chosen ended before it could be killed" >&2; return 1; }
	done
	assert_stopped
}
