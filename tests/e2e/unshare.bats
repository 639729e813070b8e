#!/usr/bin/env bats
# Unprivileged builds (issue 11, "done when" 1, 3 and 4): a normal user
# created here, with subordinate ids, builds with --mode=auto (unshare for
# a normal user); the tar equals the root build's byte for byte under the
# same SOURCE_DATE_EPOCH (names, modes, owners, device nodes, a hook's
# x.mknod nodes, contents); a directory keeps the mapped ids on disk and says so; each refusal is one
# line: user namespaces off (user.max_user_namespaces=0, set in a user
# namespace of its own by tests/lib/no-userns.py), no subordinate ids, a
# noexec (or, as root, nodev) target, --mode=root without root. Nothing is
# left behind after success, failure or a SIGINT while scripts run (the last
# test, interrupt.bats's case in unshare mode): no process of the user (so
# no namespace), no mount, no temporary file, no work tree.
#
# Needs root (to create the users and the root build), the host's mirror
# (through the tests' apt-cacher-ng), uidmap (newuidmap, newgidmap) and
# setpriv. Skips otherwise.
bats_require_minimum_version 1.5.0

SDE=1700000000
# a user with subordinate ids, and one without
U1=xstrap-unshare1
U2=xstrap-unshare2
SUB=400000

setup_file() {
	load ../lib/common
	load ../lib/mirror
	mirror_setup_file newuidmap newgidmap setpriv useradd || true
	MIRROR=$(host_mirror)
	export MIRROR
	[ -n "$MIRROR_SKIP" ] && return 0
	local u
	for u in $U1 $U2; do
		id "$u" >/dev/null 2>&1 || useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u"
	done
	grep -q "^$U1:$SUB:" /etc/subuid || usermod --add-subuids $SUB-$((SUB + 65535)) "$U1"
	grep -q "^$U1:$SUB:" /etc/subgid || usermod --add-subgids $SUB-$((SUB + 65535)) "$U1"
	# the users' own work area: /var/tmp is searchable by everyone, bats' is not
	UWORK=$(mktemp -d /var/tmp/xstrap-unshare.XXXXXX)
	chmod 755 "$UWORK"
	mkdir -p "$UWORK/1/tmp" "$UWORK/2/tmp"
	chown -R "$U1:" "$UWORK/1"
	chown -R "$U2:" "$UWORK/2"
	export UWORK
}

teardown_file() {
	load ../lib/mirror
	[ -z "${UWORK:-}" ] || safe_rmtree "$UWORK"
	local u
	for u in $U1 $U2; do
		pkill -KILL -u "$u" 2>/dev/null || true
		userdel "$u" 2>/dev/null || true
	done
	sed -i "/^$U1:/d; /^$U2:/d" /etc/subuid /etc/subgid
}

setup() {
	load ../lib/common
	load ../lib/mirror
	common_setup
	[ -z "$MIRROR_SKIP" ] || skip "$MIRROR_SKIP"
}

# as USER CMD...: CMD as USER (no supplementary groups of root's), with a
# home, a TMPDIR and a cache of its own and the tests' proxy; through
# $AS_WRAP when set
as() {
	local u=$1 d
	shift
	d=$UWORK/${u##*unshare}
	${AS_WRAP:+"$AS_WRAP"} setpriv --reuid="$u" --regid="$u" --init-groups env -u XDG_CACHE_HOME HOME="$d" TMPDIR="$d/tmp" \
		http_proxy="${http_proxy:-}" "$@"
}

# assert_clean USER DIR: no process of USER runs, nothing is mounted below
# DIR, USER's TMPDIR is empty
assert_clean() {
	local d=$UWORK/${1##*unshare} left deadline=$((SECONDS + 10))
	# the kernel ends a PID namespace's processes (SIGKILL) as its init
	# dies: give the reaping a moment
	while left=$(pgrep -u "$1") && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	[ -z "$left" ] || ps -o pid,ppid,stat,etime,args -p "$(echo $left | tr ' ' ,)" >&2
	assert_eq "" "$(echo $left)" "processes of $1 left"
	assert_eq "" "$(mounts_under "$2")" "mounts below $2"
	assert_eq "" "$(ls -A "$d/tmp")" "files left in $1's TMPDIR"
}

@test "unshare: as a normal user, the minbase tar equals the root build's byte for byte (same SOURCE_DATE_EPOCH), x.mknod's nodes too" {
	local u=$UWORK/1
	# a hook's device nodes: stand-ins in the namespace, nodes in the tar
	printf '%s\n' 'return { run = function(x)' 'x.mknod("/dev/xvda", "b", 202, 0, tonumber("660", 8))' \
		'x.mknod("/dev/hvc0", "c", 229, 0)' 'x.chown("/dev/xvda", 0, 6)' 'end }' >"$UWORK/nodes.lua"
	chmod 644 "$UWORK/nodes.lua"
	run -0 --separate-stderr as $U1 env SOURCE_DATE_EPOCH=$SDE "$XSTRAP" -q --cache-dir="$u/cache" \
		--hook=customize:"$UWORK/nodes.lua" --variant=minbase --format=tar bookworm "$u/user.tar" "$MIRROR"
	assert_clean $U1 "$u"
	SOURCE_DATE_EPOCH=$SDE run -0 --separate-stderr "$XSTRAP" -q --mode=root --cache-dir="$BATS_FILE_TMPDIR/cache" \
		--hook=customize:"$UWORK/nodes.lua" --variant=minbase --format=tar bookworm "$BATS_TEST_TMPDIR/root.tar" "$MIRROR"
	# the guest's owners and nodes are in it, not the host's mapped ids
	tar --numeric-owner -tvf "$u/user.tar" ./etc/shadow | grep -q '^-rw-r----- 0/42 '
	tar --numeric-owner -tvf "$u/user.tar" ./dev/null | grep -q '^crw-rw-rw- 0/0 *1,3 '
	tar --numeric-owner -tvf "$u/user.tar" ./dev/xvda | grep -q '^brw-rw---- 0/6 *202,0 '
	tar --numeric-owner -tvf "$u/user.tar" ./dev/hvc0 | grep -q '^crw------- 0/0 *229,0 '
	if ! cmp "$BATS_TEST_TMPDIR/root.tar" "$u/user.tar"; then
		diff <(tar --numeric-owner --full-time -tvf "$BATS_TEST_TMPDIR/root.tar") \
			<(tar --numeric-owner --full-time -tvf "$u/user.tar") | head -40 >&2
		return 1
	fi
}

@test "unshare: a package's device nodes are stand-ins in the namespace and nodes in the tar, equal to the root build's" {
	local u=$UWORK/1 f=$UWORK/fixture
	# the fixture repository (built once per run) where the user can read it
	bash "$XSTRAP_TOP/tests/fixtures/mkrepo.sh" "$fixture_dir" >&2
	rm -rf "$f"
	mkdir -p "$f"
	cp -r "$fixture_dir/repo" "$fixture_dir/keyring.asc" "$f/"
	chmod -R a+rX "$f"
	run -0 --separate-stderr as $U1 env SOURCE_DATE_EPOCH=$SDE "$XSTRAP" -q --cache-dir="$u/cache-fixture" \
		--variant=extract --include=devnode-fixture --keyring="$f/keyring.asc" --format=tar \
		fixture "$u/nodes.tar" "file://$f/repo"
	assert_clean $U1 "$u"
	SOURCE_DATE_EPOCH=$SDE run -0 --separate-stderr "$XSTRAP" -q --mode=root --cache-dir="$BATS_TEST_TMPDIR/cache" \
		--variant=extract --include=devnode-fixture --keyring="$f/keyring.asc" --format=tar \
		fixture "$BATS_TEST_TMPDIR/nodes.tar" "file://$f/repo"
	tar --numeric-owner -tvf "$u/nodes.tar" ./dev/xstrap-null | grep -q '^crw-rw-rw- 0/0 *1,3 '
	tar --numeric-owner -tvf "$u/nodes.tar" ./dev/xstrap-loop | grep -q '^brw-rw---- 0/6 *7,0 '
	cmp "$BATS_TEST_TMPDIR/nodes.tar" "$u/nodes.tar"
}

@test "unshare: a directory output keeps the mapped ids on disk and says so; its scripts ran (every package ii)" {
	local u=$UWORK/1
	run -0 --separate-stderr as $U1 "$XSTRAP" --cache-dir="$u/cache" --variant=minbase bookworm "$u/root" "$MIRROR"
	assert_clean $U1 "$u"
	grep -q "owners on disk are the guest's as this user namespace mapped them" <<<"$stderr$output"
	# guest root is the user, guest gid 42 (shadow) is the range's start + 41
	assert_eq "$(id -u $U1)" "$(stat -c %u "$u/root/etc/passwd")" "owner of /etc/passwd"
	assert_eq "$((SUB + 41))" "$(stat -c %g "$u/root/etc/shadow")" "group of /etc/shadow"
	assert_eq "" "$(pkgset "$u/root" | awk '$3 != "ii"')" "packages not ii"
}

@test "unshare: user namespaces switched off (user.max_user_namespaces=0): one line, nothing left" {
	local u=$UWORK/1
	# the sysctl at 0 in a namespace of its own (the host's may be read-only)
	AS_WRAP=$XSTRAP_TOP/tests/lib/no-userns.py run -1 --separate-stderr as $U1 "$XSTRAP" --cache-dir="$u/cache" \
		--variant=minbase bookworm "$u/off" "$MIRROR"
	assert_error_line 'user namespaces are not allowed here.*max_user_namespaces'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
	assert_clean $U1 "$u"
}

@test "unshare: a user without subordinate ids: one line naming /etc/subuid and usermod" {
	local u=$UWORK/2
	run -1 --separate-stderr as $U2 "$XSTRAP" --cache-dir="$u/cache" --variant=minbase bookworm "$u/root" "$MIRROR"
	assert_error_line "$U2 has no subordinate ids in /etc/subuid.*usermod --add-subuids"
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
	assert_clean $U2 "$u"
}

@test "unshare: --mode=root as a normal user is refused in one line" {
	local u=$UWORK/1
	run -1 --separate-stderr as $U1 "$XSTRAP" --mode=root --cache-dir="$u/cache" --variant=minbase bookworm "$u/r" "$MIRROR"
	assert_error_line '--mode=root needs root'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr"
}

@test "unshare: a target on a noexec tmpfs is refused in one line, as a user and as root; a nodev one as root" {
	local m=$UWORK/mnt
	mkdir -p "$m"
	mount -t tmpfs -o noexec,mode=1777 xstrap-test "$m"
	run -1 --separate-stderr as $U1 "$XSTRAP" --cache-dir="$UWORK/1/cache" --variant=minbase bookworm "$m/u" "$MIRROR"
	local user_err=$stderr
	run -1 --separate-stderr "$XSTRAP" --cache-dir="$BATS_TEST_TMPDIR/cache" --variant=minbase bookworm "$m/r" "$MIRROR"
	local root_err=$stderr
	umount "$m"
	mount -t tmpfs -o nodev xstrap-test "$m"
	run -1 --separate-stderr "$XSTRAP" --cache-dir="$BATS_TEST_TMPDIR/cache" --variant=minbase bookworm "$m/r" "$MIRROR"
	umount "$m"
	assert_error_line 'mounted nodev'
	assert_eq 1 "$(grep -c . <<<"$stderr")" "lines on stderr (nodev)"
	stderr=$user_err assert_error_line 'mounted noexec'
	assert_eq 1 "$(grep -c . <<<"$user_err")" "lines on stderr (noexec, user)"
	stderr=$root_err assert_error_line 'mounted noexec'
	assert_eq 1 "$(grep -c . <<<"$root_err")" "lines on stderr (noexec, root)"
}

@test "unshare: SIGINT to the build's process group while scripts run in the target: exits non-zero, no process, mount or temporary file left" {
	local u=$UWORK/1 t=$UWORK/1/int pid deadline rc=0
	local reset=(env --default-signal=INT,QUIT)
	"${reset[@]}" true 2>/dev/null || reset=(perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or die "exec: $!"' --)
	setsid "${reset[@]}" setpriv --reuid=$U1 --regid=$U1 --init-groups env -u XDG_CACHE_HOME HOME="$u" \
		TMPDIR="$u/tmp" http_proxy="${http_proxy:-}" "$XSTRAP" --cache-dir="$u/cache" --variant=minbase \
		--format=tar bookworm "$t.tar" "$MIRROR" >"$u/int.log" 2>&1 </dev/null 3>&- &
	pid=$!
	# the configure stage: a process chroot'ed into the work tree
	deadline=$((SECONDS + 180))
	until [ -n "$(procs_in_root "$t.tar.xstrap-tmp")" ]; do
		kill -0 "$pid" 2>/dev/null || { cat "$u/int.log" >&2; return 1; }
		[ $SECONDS -lt $deadline ] || { echo "configure stage not seen" >&2; kill -KILL -- -"$pid"; return 1; }
		sleep 0.05
	done
	kill -INT -- -"$pid"
	deadline=$((SECONDS + 30))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
	wait "$pid" || rc=$?
	[ "$rc" -ne 0 ]
	assert_clean $U1 "$u"
	[ ! -e "$t.tar.xstrap-tmp" ]
	[ ! -e "$t.tar.tmp" ]
	[ ! -e "$t.tar" ]
}
