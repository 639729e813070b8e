#!/bin/bash
# bench/bench.sh — wall time and peak memory of xstrap against mmdebstrap,
# bookworm minbase (and, with -i, minbase plus packages: the kernel case).
#
# Usage: bench/bench.sh [-n RUNS] [-s SUITE] [-v VARIANT] [-i PKG,PKG...] [-u USER]
# (VARIANT: minbase, the default, or important, debootstrap's default)
#
# Both tools fetch from the host's Debian mirror (read from the host's apt
# sources) through the same private apt-cacher-ng (tests/lib/acng.sh), warmed
# by one untimed run of each, so the network is out of the picture. Then the
# two commands run alternately RUNS times (default 5), each into a fresh
# directory on the same filesystem ($BENCH_DIR, default /var/tmp/xstrap-bench):
#
#   mmdebstrap --variant=minbase \
#       --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr SUITE DIR MIRROR
#   xstrap --variant=minbase --cache-dir=$BENCH_DIR/xstrap-cache SUITE DIR MIRROR
#
# (mmdebstrap's merged-usr hook makes it install debootstrap's package set
# instead of pulling usrmerge and perl.) xstrap's package cache stays warm
# across runs; mmdebstrap has no such cache and reads the packages from the
# warm apt-cacher-ng on 127.0.0.1. Every run gets a new directory; no tree
# is removed until all runs are done: right after a tree of 10,000 files is
# deleted, ext4 (without a journal, as here) skips the recently freed inodes
# when it allocates new ones (recently_deleted()), which adds ~3 s to
# whichever tool runs next. That is an artefact of back-to-back runs, not
# work either tool does, so it is kept out of both; for the same reason the
# runs start only 6 minutes after the last removal of trees by this script
# or bench/bench-rpm.sh (bench/settle.bash). sync(1) runs before each
# run, outside the timed region. Wall time is date +%s.%N around the command;
# peak memory is /usr/bin/time's maximum resident set (%M: the largest of the
# tool and every process it waited for), median over the runs.
#
# -i PKG,PKG adds --include=PKG,PKG to both commands: `make bench` runs the
# kernel case, -i linux-image-amd64,firmware-linux-free (bar: <= 0.60, and
# xstrap's peak RSS at most mmdebstrap's).
#
# -u USER runs both as USER, unprivileged: `mmdebstrap --mode=unshare` and
# xstrap's default mode for a normal user (unshare), each in a user
# namespace with USER's subordinate ids (bar: <= 0.40). USER is created
# (no home, subordinate ids 500000-565535) when it does not exist; its
# cache, HOME and TMPDIR live in $BENCH_DIR/home-USER.
#
# Output: every run, the medians, the ratio xstrap/mmdebstrap (the bar is
# <= 0.35), package counts, the command lines and the machine facts, ready to
# paste into docs/benchmarks.md.
#
# Environment: XSTRAP (default build/xstrap of this tree), BENCH_DIR,
# XSTRAP_ACNG_PORT / XSTRAP_ACNG_DIR (see tests/lib/acng.sh). Without an
# xstrap binary only mmdebstrap is measured. Needs root.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5
suite=bookworm
include=
variant=minbase
user=
while getopts n:s:v:i:u:h opt; do
	case $opt in
	n) runs=$OPTARG ;;
	s) suite=$OPTARG ;;
	i) include=$OPTARG ;;
	v) variant=$OPTARG ;;
	u) user=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d'; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "bench: -n wants a positive number" >&2; exit 2 ;; esac

xstrap=${XSTRAP:-$top/build/xstrap}
bench=${BENCH_DIR:-/var/tmp/xstrap-bench}
hookdir=/usr/share/mmdebstrap/hooks/merged-usr

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (Debian package time)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed"
[ -d "$hookdir" ] || die "$hookdir is missing (mmdebstrap too old?)"
# shellcheck source=tests/lib/mirror.bash
. "$top/tests/lib/mirror.bash"
# shellcheck source=bench/settle.bash
. "$top/bench/settle.bash"
MIRROR=$(host_mirror)
[ -n "$MIRROR" ] || die "no Debian mirror configured in the host's apt sources"
have_xstrap=1
if [ ! -x "$xstrap" ]; then
	echo "bench: no xstrap binary at $xstrap; measuring mmdebstrap only" >&2
	have_xstrap=0
fi

"$top/tests/lib/acng.sh" start || die "cannot start apt-cacher-ng"
http_proxy=$("$top/tests/lib/acng.sh" url)
export http_proxy

mkdir -p "$bench" || die "cannot create $bench"
logs=$bench/logs
mkdir -p "$logs"
roots=$bench/roots
if [ -e "$roots" ]; then
	safe_rmtree "$roots" || die "cannot remove $roots"
	bench_removed "$bench"
fi
mkdir -p "$roots"
# A new directory for every run (see above); all are removed at exit.
# timed runs in a subshell: the last directory is remembered in a file.
clean() {
	dir=$(mktemp -d "$roots/root-XXXXXX") && chmod 755 "$dir" && echo "$dir" > "$bench/last-dir"
	[ -z "$user" ] || chown "$user:" "$dir"
	sync
}
trap 'safe_rmtree "$roots"; bench_removed "$bench"' EXIT

inc=()
case_name="$suite $variant"
if [ -n "$include" ]; then
	inc=(--include="$include")
	case_name="$suite $variant + $include"
fi
as_user=()
mm_mode=()
xs_cache=$bench/xstrap-cache
if [ -n "$user" ]; then
	if ! id "$user" >/dev/null 2>&1; then
		useradd -M -d /nonexistent -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user" &&
			usermod --add-subuids 500000-565535 --add-subgids 500000-565535 "$user" ||
			die "cannot create the user $user"
	fi
	grep -q "^$user:" /etc/subuid || die "$user has no subordinate ids in /etc/subuid"
	uhome=$bench/home-$user
	mkdir -p "$uhome/tmp" && chown -R "$user:" "$uhome" || die "cannot create $uhome"
	as_user=(setpriv "--reuid=$user" "--regid=$user" --init-groups env "HOME=$uhome" "TMPDIR=$uhome/tmp"
		"http_proxy=$http_proxy")
	mm_mode=(--mode=unshare)
	xs_cache=$uhome/xstrap-cache
	case_name="$case_name, as $user (unshare)"
fi
mm_cmd=("${as_user[@]}" mmdebstrap "${mm_mode[@]}" "--variant=$variant" "${inc[@]}" "--hook-dir=$hookdir" "$suite" @DIR@ "$MIRROR")
xs_cmd=("${as_user[@]}" "$xstrap" "--variant=$variant" "${inc[@]}" "--cache-dir=$xs_cache" "$suite" @DIR@ "$MIRROR")

# timed LOG CMD...: run CMD, print its wall time in seconds and its peak
# RSS in MB (/usr/bin/time's %M, into LOG.rss)
timed() {
	local log=$1 t0 t1
	shift
	clean
	local argv=("${@/#@DIR@/$dir}")
	set -- "${argv[@]}"
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$log.rss" "$@" > "$log" 2>&1 ||
		{ echo "bench: failed: $* (see $log)" >&2; tail -n 20 "$log" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" -v kb="$(tail -n 1 "$log.rss")" 'BEGIN { printf "%.2f %.0f\n", b - a, kb / 1024 }'
}

pkgcount() {
	local dir
	dir=$(cat "$bench/last-dir")
	if command -v dpkg-query >/dev/null; then
		dpkg-query --admindir="$dir/var/lib/dpkg" -W -f '${db:Status-Abbrev}\n'
	else
		chroot "$dir" dpkg-query -W -f '${db:Status-Abbrev}\n'
	fi | grep -c '^ii'
}

bench_settle "$bench"
echo "# warming the caches (untimed)"
t=$(timed "$logs/mmdebstrap-warm.log" "${mm_cmd[@]}") || exit 1
echo "  mmdebstrap warm-up: ${t% *} s"
mm_pkgs=$(pkgcount)
xs_pkgs=-
if [ $have_xstrap = 1 ]; then
	t=$(timed "$logs/xstrap-warm.log" "${xs_cmd[@]}") || exit 1
	echo "  xstrap warm-up: ${t% *} s"
	xs_pkgs=$(pkgcount)
fi

: > "$bench/mm.times"
: > "$bench/xs.times"
: > "$bench/mm.rss"
: > "$bench/xs.rss"
for i in $(seq "$runs"); do
	read -r t m < <(timed "$logs/mmdebstrap-$i.log" "${mm_cmd[@]}") || exit 1
	echo "$t" >> "$bench/mm.times"
	echo "$m" >> "$bench/mm.rss"
	line="run $i: mmdebstrap ${t} s ${m} MB"
	if [ $have_xstrap = 1 ]; then
		read -r t m < <(timed "$logs/xstrap-$i.log" "${xs_cmd[@]}") || exit 1
		echo "$t" >> "$bench/xs.times"
		echo "$m" >> "$bench/xs.rss"
		line="$line, xstrap ${t} s ${m} MB"
	fi
	echo "$line"
done

mm_med=$(median < "$bench/mm.times")
mm_rss=$(median < "$bench/mm.rss")
xs_med=-
xs_rss=-
ratio=-
if [ $have_xstrap = 1 ]; then
	xs_med=$(median < "$bench/xs.times")
	xs_rss=$(median < "$bench/xs.rss")
	ratio=$(awk -v x="$xs_med" -v m="$mm_med" 'BEGIN { printf "%.3f", x / m }')
fi
bar=0.35
[ -z "$include" ] || bar=0.60
[ -z "$user" ] || bar=0.40

model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
fstype=$(df -PT "$bench" | awk 'NR == 2 { print $2 }')
mm_version=$(mmdebstrap --version 2>/dev/null | head -n 1)
xs_version="xstrap -"
[ $have_xstrap = 1 ] && xs_version=$("$xstrap" --version 2>/dev/null | head -n 1)
date=$(date -u +%Y-%m-%d)

cat <<EOF

## result
case:                 $case_name
runs:                 $runs (after one warm-up each)
load at the end:      $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews both tools)
mmdebstrap median:    $mm_med s   ($(tr '\n' ' ' < "$bench/mm.times")) packages: $mm_pkgs
xstrap median:        $xs_med s   ($(tr '\n' ' ' < "$bench/xs.times")) packages: $xs_pkgs
ratio xstrap/mmdebstrap: $ratio   (bar: <= $bar)
peak RSS (median):    mmdebstrap $mm_rss MB ($(tr '\n' ' ' < "$bench/mm.rss")), xstrap $xs_rss MB ($(tr '\n' ' ' < "$bench/xs.rss"))

## command lines (MIRROR from the host's apt sources, http_proxy=$http_proxy)
$(echo "${mm_cmd[*]/#"$MIRROR"/MIRROR}" | sed "s|@DIR@|DIR|")
$(echo "${xs_cmd[*]/#"$MIRROR"/MIRROR}" | sed "s|@DIR@|DIR|")

## machine
date:     $date
cpu:      $model
nproc:    $(nproc)
memory:   $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
kernel:   $(uname -r)
fs:       $fstype ($bench)
tools:    $mm_version; $xs_version

## row for docs/benchmarks.md
| $date | $model | $(nproc) | $fstype | $case_name | $runs | $mm_med ($mm_pkgs pkgs, $mm_rss MB) | $xs_med ($xs_pkgs pkgs, $xs_rss MB) | $ratio |
EOF
