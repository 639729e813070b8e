# tests/lib/common.bash - loaded by every bats file: `load ../lib/common`
#
# XSTRAP_TOP       the repository root (default: two levels above the .bats file)
# XSTRAP           the binary under test (default: $XSTRAP_TOP/build/xstrap)
# XSTRAP_FIXTURES  where tests/fixtures/mkrepo.sh builds the signed test
#                  repository (default: $XSTRAP_TOP/build/fixtures); built once
#                  and reused until mkrepo.sh changes
# RPM_FIXTURES     where tests/fixtures/mkrpmrepo.sh builds the signed rpm-md
#                  repositories (default: $XSTRAP_TOP/build/fixtures-rpm);
#                  built by rpm_fixture_setup only, once, and reused until
#                  mkrpmrepo.sh or tests/fixtures/rpm/ changes

XSTRAP_TOP=${XSTRAP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
XSTRAP=${XSTRAP:-$XSTRAP_TOP/build/xstrap}
XSTRAP_FIXTURES=${XSTRAP_FIXTURES:-$XSTRAP_TOP/build/fixtures}
fixture_dir=$XSTRAP_FIXTURES
RPM_FIXTURES=${RPM_FIXTURES:-$XSTRAP_TOP/build/fixtures-rpm}
export XSTRAP_TOP XSTRAP XSTRAP_FIXTURES fixture_dir RPM_FIXTURES

# libcurl must talk to the test servers on 127.0.0.1 directly, even on a
# host whose environment names a proxy.
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

# own_make ARGS...: make in the source tree, as from a shell: nothing of a
# `make check` that runs the test (its jobserver, BUILD=, SANITIZE=) leaks in
own_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$XSTRAP_TOP" -s "$@"
}

# Build the fixture repository (once per run) and check the binary exists.
# Call from setup_file. A missing host tool is reported by common_setup as a
# skip: bats (1.8) cannot skip from setup_file.
common_setup_file() {
	local t
	for t in dpkg-deb apt-ftparchive gpg python3 ar xz; do
		if ! command -v "$t" >/dev/null; then
			export XSTRAP_MISSING_TOOL=$t
			return 0
		fi
	done
	bash "$XSTRAP_TOP/tests/fixtures/mkrepo.sh" "$XSTRAP_FIXTURES" >&2 || {
		echo "tests/fixtures/mkrepo.sh $XSTRAP_FIXTURES failed" >&2
		return 1
	}
	if [ ! -x "$XSTRAP" ]; then
		echo "the binary under test is missing: $XSTRAP (run make)" >&2
		return 1
	fi
}

# Per-test isolation: the cache and XDG dirs live in the test's temp dir, so
# no run sees another's downloads (a tampered file must really be fetched).
common_setup() {
	if [ -n "${XSTRAP_MISSING_TOOL:-}" ]; then
		skip "$XSTRAP_MISSING_TOOL is not installed (needed to build the test repository)"
	fi
	CACHE=$BATS_TEST_TMPDIR/cache
	export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/xdg-cache
	FIXTURE_URL=file://$fixture_dir/repo
	KEYRING=$fixture_dir/keyring.asc
}

# --- the rpm-md fixture ----------------------------------------------------

# Build the rpm-md fixture repositories (once per run), check the binary
# exists, and set
#   RPM_REPO     file:// URL of the signed repository (group @core)
#   RPM_KEYRING  its signing key, armored
# Call from setup_file, and rpm_fixture_check from setup: a missing host
# tool becomes a skip there (bats cannot skip from setup_file).
rpm_fixture_setup() {
	local t
	RPM_REPO=file://$RPM_FIXTURES/repo
	RPM_KEYRING=$RPM_FIXTURES/keyring.asc
	export RPM_REPO RPM_KEYRING
	for t in rpmbuild rpmsign createrepo_c gpg; do
		if ! command -v "$t" >/dev/null; then
			export RPM_MISSING_TOOL="$t is not installed (Debian packages rpm, createrepo-c, gpg)"
			return 0
		fi
	done
	if [ ! -x /bin/busybox ]; then
		export RPM_MISSING_TOOL="/bin/busybox is not installed (Debian package busybox-static)"
		return 0
	fi
	bash "$XSTRAP_TOP/tests/fixtures/mkrpmrepo.sh" "$RPM_FIXTURES" >&2 || {
		echo "tests/fixtures/mkrpmrepo.sh $RPM_FIXTURES failed" >&2
		return 1
	}
	if [ ! -x "$XSTRAP" ]; then
		echo "the binary under test is missing: $XSTRAP (run make)" >&2
		return 1
	fi
}

# rpmq ROOT ARGS...: the host's rpm on ROOT's database
rpmq() {
	local root=$1
	shift
	rpm --root="$root" --dbpath=/var/lib/rpm "$@"
}

# stop_dnf_agents DIR: librepo starts a gpg-agent on the keyring it keeps
# in ROOT/var/cache/dnf/REPO/pubring (repo_gpgcheck) and leaves it running;
# stop those of the dnf roots in DIR
stop_dnf_agents() {
	local d
	for d in "$1"/*/var/cache/dnf/*/pubring; do
		[ -d "$d" ] || continue
		gpgconf --homedir "$d" --kill gpg-agent 2>/dev/null || true
	done
}

# rpm_fixture_check: skip when rpm_fixture_setup found a tool missing
rpm_fixture_check() {
	if [ -n "${RPM_MISSING_TOOL:-}" ]; then
		skip "$RPM_MISSING_TOOL: cannot build the rpm-md test repository"
	fi
}

# xs [plan] ARGS...: the binary with this test's private cache (the
# subcommand comes first: `xstrap plan [OPTIONS] SUITE [MIRROR]`)
xs() {
	if [ "${1:-}" = plan ]; then
		shift
		"$XSTRAP" plan --cache-dir="$CACHE" "$@"
	else
		"$XSTRAP" --cache-dir="$CACHE" "$@"
	fi
}

# --- HTTP ------------------------------------------------------------------

# serve_http DIR: serve DIR on 127.0.0.1 on a free port; echo the base URL
# (no trailing slash). stop_http ends every server this file started.
serve_http() {
	start_server python3 -u -m http.server --bind 127.0.0.1 --directory "$1" 0
}

# serve_faulty DIR RULES: as serve_http, but answering with the faults RULES
# names (tests/lib/faultyhttp.py: drop, 500, 503, truncate, shortlen, slow,
# stall, redirect, endless, norange); what it answered is logged in RULES.log.
serve_faulty() {
	start_server python3 -u "$XSTRAP_TOP/tests/lib/faultyhttp.py" "$1" "$2"
}

# start_server CMD...: a server that prints "Serving HTTP on ADDR port N"
start_server() {
	local log pidfile port _
	log=$(mktemp "$BATS_FILE_TMPDIR/http.XXXXXX")
	pidfile=$BATS_FILE_TMPDIR/http.pids
	# Port 0: the kernel picks a free port and the server reports it, so
	# two test files cannot race for the same one. fd 3 is bats's; a
	# background child holding it would keep bats waiting.
	"$@" >"$log" 2>&1 3>&- &
	echo $! >>"$pidfile"
	for _ in $(seq 100); do
		port=$(sed -n 's/^Serving HTTP on [^ ]* port \([0-9]*\).*/\1/p' "$log")
		if [ -n "$port" ]; then
			echo "http://127.0.0.1:$port"
			return 0
		fi
		sleep 0.05
	done
	echo "start_server: $* did not start:" >&2
	cat "$log" >&2
	return 1
}

stop_http() {
	local pidfile=$BATS_FILE_TMPDIR/http.pids pid
	[ -f "$pidfile" ] || return 0
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$pidfile"
	rm -f "$pidfile"
}

# --- the jail ---------------------------------------------------------------

HARDLINK_VICTIM=/tmp/xstrap-hardlink-victim
HARDLINK_VICTIM_TEXT='the hostile package must not rewrite this file'

# record_host_state: remember what assert_no_escape compares against, and
# clear escape markers a previous, failed run may have left behind.
record_host_state() {
	rm -f /tmp/xstrap-escape-* 2>/dev/null || true
	rm -f "$HARDLINK_VICTIM"
	printf '%s\n' "$HARDLINK_VICTIM_TEXT" >"$HARDLINK_VICTIM"
	HOST_PASSWD_SUM=$(sha256sum </etc/passwd)
	HOST_PASSWD_STAT=$(stat -c '%a %u:%g %h %i' /etc/passwd)
	HOST_VICTIM_STAT=$(stat -c '%a %u:%g %h %i' "$HARDLINK_VICTIM")
}

# assert_no_escape [TARGET]: nothing landed outside the target.
assert_no_escape() {
	local target=${1:-} found
	found=$(compgen -G '/tmp/xstrap-escape-*' || true)
	if [ -n "$found" ]; then
		echo "files escaped the target: $found" >&2
		return 1
	fi
	if [ "$(sha256sum </etc/passwd)" != "$HOST_PASSWD_SUM" ]; then
		echo "/etc/passwd changed" >&2
		return 1
	fi
	if [ "$(stat -c '%a %u:%g %h %i' /etc/passwd)" != "$HOST_PASSWD_STAT" ]; then
		echo "/etc/passwd: mode, owner or link count changed:" \
			"$HOST_PASSWD_STAT -> $(stat -c '%a %u:%g %h %i' /etc/passwd)" >&2
		return 1
	fi
	if [ "$(cat "$HARDLINK_VICTIM")" != "$HARDLINK_VICTIM_TEXT" ] ||
		[ "$(stat -c '%a %u:%g %h %i' "$HARDLINK_VICTIM")" != "$HOST_VICTIM_STAT" ]; then
		echo "$HARDLINK_VICTIM was changed or linked through a hard link" >&2
		return 1
	fi
	if [ -n "$target" ] && [ -d "$target" ]; then
		# A hard link from the target to a host file shares its inode.
		found=$(find "$target" -xdev \( -samefile /etc/passwd -o -samefile "$HARDLINK_VICTIM" \) 2>/dev/null)
		if [ -n "$found" ]; then
			echo "hard links from the target to host files: $found" >&2
			return 1
		fi
	fi
}

# --- small assertions --------------------------------------------------------

# assert_status N: $status (from `run`) is N; show the output if not.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status" >&2
		echo "stdout: $output" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

# assert_error_line REGEX: stderr has an `xstrap: error: ` line matching
# the extended REGEX (case-insensitive).
assert_error_line() {
	if ! grep -Eiq -- "^xstrap: error: .*($1)" <<<"${stderr:-}"; then
		echo "no 'xstrap: error: ' line on stderr matches /$1/i" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

# assert_stderr_has REGEX: stderr matches the extended REGEX (case-insensitive).
assert_stderr_has() {
	if ! grep -Eiq -- "$1" <<<"${stderr:-}"; then
		echo "stderr does not match /$1/i" >&2
		echo "stderr: ${stderr:-}" >&2
		return 1
	fi
}

# has_line FILE LINE: FILE has LINE, white space runs compared as one space
has_line() {
	if ! tr -s ' \t' '  ' <"$1" | grep -qxF -- "$2"; then
		echo "$1 has no line '$2':" >&2
		cat "$1" >&2
		return 1
	fi
}

# assert_same_file EXPECTED ACTUAL: same bytes
assert_same_file() {
	if ! cmp -- "$1" "$2"; then
		echo "$2 differs from $1" >&2
		return 1
	fi
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected '$1', got '$2'" >&2
		return 1
	fi
}

# assert_no_package_files TARGET PKG...: none of the regular files and
# symlinks of the well-behaved fixture packages PKG (default: all of them)
# exist in TARGET; an absent TARGET passes.
assert_no_package_files() {
	local target=$1 pkg rel found=
	shift
	[ -e "$target" ] || return 0
	if [ $# -eq 0 ]; then
		set -- "$fixture_dir"/src/*
		set -- "${@##*/}"
	fi
	for pkg in "$@"; do
		while IFS= read -r rel; do
			if [ -e "$target/$rel" ] || [ -L "$target/$rel" ]; then
				found="$found $pkg:/$rel"
			fi
		done < <(cd "$fixture_dir/src/$pkg" && find . \( -type f -o -type l \) -printf '%P\n')
	done
	if [ -n "$found" ]; then
		echo "package files reached the target:$found" >&2
		return 1
	fi
}

# refute CMD...: CMD fails (bats's errexit ignores a plain `! CMD`)
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# sha256_of FILE: the hex digest alone
sha256_of() {
	sha256sum "$1" | cut -d' ' -f1
}

# flip_byte FILE [OFFSET]: xor one byte (default: the middle), size unchanged
flip_byte() {
	python3 - "$1" "${2:-}" <<'EOF'
import sys
path, off = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
i = int(off) if off else len(data) // 2
data[i] ^= 0x01
open(path, "wb").write(bytes(data))
EOF
}
