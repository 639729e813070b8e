#!/bin/bash
# bench/bench-nfsroot.sh — an FAI nfsroot (issue 12): wall time of
#
#   xstrap nfsroot --cache-dir=CACHE SUITE DIR MIRROR --export=DIR.export
#   mmdebstrap --include=PACKAGES --setup-hook='touch "$1/.THIS_IS_THE_FAI_NFSROOT"' SUITE DIR MIRROR
#
# with PACKAGES the NFSROOT class's list (classes/20-nfsroot.lua: live-boot,
# initramfs-tools, nfs-common, busybox, linux-image-amd64, fai-client,
# fai-nfsroot) and the same initramfs settings (an essential hook writes
# /etc/initramfs-tools/conf.d/xstrap-nfsroot as hooks/extract/10-nfsroot.lua
# does), on the default variant (important) for both. fai-make-nfsroot is
# not the reference: it needs an FAI config space and installs FAI's own
# package list with dracut instead of live-boot (/etc/fai/NFSROOT), so its
# time would not measure the same root; mmdebstrap is the fastest Debian
# tool building the same package list, and fai-make-nfsroot runs
# debootstrap, which is slower than mmdebstrap (docs/benchmarks.md).
#
# Usage: bench/bench-nfsroot.sh [-n RUNS] [-s SUITE]
#
# Both fetch from the host's Debian mirror through the private
# apt-cacher-ng (tests/lib/acng.sh), each warmed by one untimed run, then
# alternate RUNS times (default 3), each into a new directory under
# $BENCH_DIR (default /var/tmp/xstrap-bench-nfsroot), removed afterwards.
# Wall time is date +%s.%N around the command, after sync(1).
#
# Output: every run, the medians and the ratio xstrap/mmdebstrap (the
# issue's bar: <= 0.5 against fai-make-nfsroot).
#
# Environment: XSTRAP (default build/xstrap of this tree), BENCH_DIR.
# Needs root and mmdebstrap. Takes minutes per run: do not run it on a
# machine others share.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
runs=3
suite=bookworm
while getopts n:s:h opt; do
	case $opt in
	n) runs=$OPTARG ;;
	s) suite=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d'; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "bench: -n wants a positive number" >&2; exit 2 ;; esac

xstrap=${XSTRAP:-$top/build/xstrap}
base=${BENCH_DIR:-/var/tmp/xstrap-bench-nfsroot}
packages=live-boot,initramfs-tools,nfs-common,busybox,linux-image-amd64,fai-client,fai-nfsroot

die() { echo "bench-nfsroot: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$xstrap" ] || die "no xstrap binary at $xstrap (run make)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed"
# shellcheck source=tests/lib/mirror.bash
. "$top/tests/lib/mirror.bash"
# shellcheck source=bench/settle.bash
. "$top/bench/settle.bash"
MIRROR=$(host_mirror)
[ -n "$MIRROR" ] || die "no Debian mirror configured in the host's apt sources"
"$top/tests/lib/acng.sh" start || die "cannot start apt-cacher-ng"
http_proxy=$("$top/tests/lib/acng.sh" url)
export http_proxy

mkdir -p "$base/logs" || die "cannot create $base"
conf='printf "BOOT=nfs\nMODULES=netboot\nBUSYBOX=y\nCOMPRESS=gzip\n" >"$1/etc/initramfs-tools/conf.d/xstrap-nfsroot"'
xs_cmd=("$xstrap" nfsroot "--cache-dir=$base/cache" "$suite" @OUT@ "$MIRROR" --export=@OUT@.export)
mm_cmd=(mmdebstrap "--include=$packages" --setup-hook='touch "$1/.THIS_IS_THE_FAI_NFSROOT"'
	--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"' --setup-hook="$conf" "$suite" @OUT@ "$MIRROR")

# timed LOG OUT CMD...: run CMD with @OUT@ replaced by OUT; print its wall
# time in seconds; remove OUT afterwards
timed() {
	local log=$1 out=$2 t0 t1 a argv=()
	shift 2
	for a in "$@"; do argv+=("${a//@OUT@/$out}"); done
	sync
	t0=$(date +%s.%N)
	"${argv[@]}" >"$log" 2>&1 || { echo "bench-nfsroot: failed, see $log:" >&2; tail -n 20 "$log" >&2; return 1; }
	t1=$(date +%s.%N)
	rm -rf "$out" "$out.export"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

echo "# warming the caches (untimed)"
t=$(timed "$base/logs/xs-warm.log" "$base/xs-warm" "${xs_cmd[@]}") || exit 1
echo "  xstrap warm-up: $t s"
t=$(timed "$base/logs/mm-warm.log" "$base/mm-warm" "${mm_cmd[@]}") || exit 1
echo "  mmdebstrap warm-up: $t s"
: >"$base/xs.times"
: >"$base/mm.times"
for i in $(seq "$runs"); do
	x=$(timed "$base/logs/xs-$i.log" "$base/xs-$i" "${xs_cmd[@]}") || exit 1
	echo "$x" >>"$base/xs.times"
	m=$(timed "$base/logs/mm-$i.log" "$base/mm-$i" "${mm_cmd[@]}") || exit 1
	echo "$m" >>"$base/mm.times"
	echo "run $i: xstrap nfsroot ${x} s, mmdebstrap ${m} s"
done
xs_med=$(median <"$base/xs.times")
mm_med=$(median <"$base/mm.times")
cat <<EOF

## result
build:             $suite nfsroot ($packages)
runs:              $runs (after one warm-up each)
xstrap median:     $xs_med s   ($(tr '\n' ' ' <"$base/xs.times"))
mmdebstrap median: $mm_med s   ($(tr '\n' ' ' <"$base/mm.times"))
ratio:             $(awk -v x="$xs_med" -v m="$mm_med" 'BEGIN { printf "%.3f", x / m }') (xstrap / mmdebstrap)
machine:           $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
EOF
