#!/bin/bash
# bench/bench-image.sh — what an ext4 image adds to a build: wall time of
#
#   xstrap --variant=VARIANT --cache-dir=CACHE SUITE DIR MIRROR
#   xstrap --variant=VARIANT --cache-dir=CACHE --format=ext4 SUITE IMG MIRROR
#
# (the second builds the same tree in a staging directory, writes the image
# with libext2fs, and removes the staging tree).
#
# Usage: bench/bench-image.sh [-n RUNS] [-s SUITE] [-V VARIANT] [-k]
#   -k  the Xen guest of issue 9 instead: --class=XEN_DOMU
#       --include=linux-image-amd64,systemd-sysv (about 650 MB, 15,000 files)
#
# Both fetch from the host's Debian mirror through the private
# apt-cacher-ng (tests/lib/acng.sh), each warmed by one untimed run, then
# alternate RUNS times (default 5), each into a new directory or image.
#
# Where: a journaled ext4 filesystem made for the benchmark on a loop device
# ($BENCH_DIR/fs.img, mounted at $BENCH_DIR/fs; default BENCH_DIR
# /var/tmp/xstrap-bench-image). Why: every image build removes its staging
# tree, and on ext4 *without* a journal (this machine's root) the kernel
# then skips the freed inodes for minutes (recently_deleted(), see
# bench/settle.bash), which would slow whichever run comes next by seconds
# — an artefact of back-to-back runs that journaled ext4, the usual host
# filesystem, does not have. Both commands run on the same filesystem.
# sync(1) runs before each run, outside the timed region; wall time is
# date +%s.%N around the command.
#
# Output: every run, the medians, the ratio ext4/dir (the bar: <= 1.20),
# the commands and the machine, and a row for docs/benchmarks.md.
#
# Environment: XSTRAP (default build/xstrap of this tree), BENCH_DIR,
# XSTRAP_ACNG_PORT / XSTRAP_ACNG_DIR (see tests/lib/acng.sh). Needs root.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5
suite=bookworm
variant=minbase
kernel=0
while getopts n:s:V:kh opt; do
	case $opt in
	n) runs=$OPTARG ;;
	s) suite=$OPTARG ;;
	V) variant=$OPTARG ;;
	k) kernel=1 ;;
	*) sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d'; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "bench: -n wants a positive number" >&2; exit 2 ;; esac

xstrap=${XSTRAP:-$top/build/xstrap}
base=${BENCH_DIR:-/var/tmp/xstrap-bench-image}

die() { echo "bench-image: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$xstrap" ] || die "no xstrap binary at $xstrap (run make)"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is not installed"
# shellcheck source=tests/lib/mirror.bash
. "$top/tests/lib/mirror.bash"
# shellcheck source=bench/settle.bash
. "$top/bench/settle.bash"
MIRROR=$(host_mirror)
[ -n "$MIRROR" ] || die "no Debian mirror configured in the host's apt sources"

"$top/tests/lib/acng.sh" start || die "cannot start apt-cacher-ng"
http_proxy=$("$top/tests/lib/acng.sh" url)
export http_proxy

mkdir -p "$base" || die "cannot create $base"
fs=$base/fs
loop=
cleanup() {
	if mountpoint -q "$fs"; then umount "$fs"; fi
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
	rm -f "$base/fs.img"
}
trap cleanup EXIT
mkdir -p "$fs"
mountpoint -q "$fs" && umount "$fs"
rm -f "$base/fs.img"
truncate -s 40G "$base/fs.img" || die "cannot create $base/fs.img"
mkfs.ext4 -q -F "$base/fs.img" || die "mkfs.ext4 failed"
loop=$(losetup -f --show "$base/fs.img") || die "losetup failed"
mount "$loop" "$fs" || die "cannot mount $loop on $fs"

extra=()
what="$suite $variant"
if [ $kernel = 1 ]; then
	extra=(--class=XEN_DOMU --include=linux-image-amd64,systemd-sysv --hostname=web1)
	what="$suite $variant + XEN_DOMU linux-image-amd64 systemd-sysv"
fi
dir_cmd=("$xstrap" "--variant=$variant" "--cache-dir=$base/cache" "${extra[@]}" "$suite" @OUT@ "$MIRROR")
img_cmd=("$xstrap" "--variant=$variant" "--cache-dir=$base/cache" "${extra[@]}" --format=ext4 "$suite" @OUT@ "$MIRROR")
logs=$base/logs
mkdir -p "$logs"

# timed LOG OUT CMD...: run CMD with @OUT@ replaced by OUT (a new path
# below $fs); print its wall time in seconds
timed() {
	local log=$1 out=$2 t0 t1
	shift 2
	local argv=("${@/#@OUT@/$out}")
	sync
	t0=$(date +%s.%N)
	"${argv[@]}" >"$log" 2>&1 || { echo "bench-image: failed, see $log:" >&2; tail -n 20 "$log" >&2; return 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

echo "# warming the caches (untimed)"
t=$(timed "$logs/dir-warm.log" "$fs/warm-dir" "${dir_cmd[@]}") || exit 1
echo "  dir warm-up: $t s"
t=$(timed "$logs/img-warm.log" "$fs/warm.img" "${img_cmd[@]}") || exit 1
echo "  ext4 warm-up: $t s"
: >"$base/dir.times"
: >"$base/img.times"
for i in $(seq "$runs"); do
	d=$(timed "$logs/dir-$i.log" "$fs/dir-$i" "${dir_cmd[@]}") || exit 1
	echo "$d" >>"$base/dir.times"
	e=$(timed "$logs/img-$i.log" "$fs/img-$i.img" "${img_cmd[@]}") || exit 1
	echo "$e" >>"$base/img.times"
	echo "run $i: dir ${d} s, ext4 ${e} s"
done
dir_med=$(median <"$base/dir.times")
img_med=$(median <"$base/img.times")
ratio=$(awk -v e="$img_med" -v d="$dir_med" 'BEGIN { printf "%.3f", e / d }')
size=$(du -sm "$fs/dir-1" | cut -f1)
files=$(find "$fs/dir-1" | wc -l)
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
date=$(date -u +%Y-%m-%d)
version=$("$xstrap" --version | head -n 1)

cat <<EOF

## result
build:             $what ($size MB, $files files)
runs:              $runs (after one warm-up each)
dir median:        $dir_med s   ($(tr '\n' ' ' <"$base/dir.times"))
ext4 median:       $img_med s   ($(tr '\n' ' ' <"$base/img.times"))
ratio ext4/dir:    $ratio   (bar: <= 1.20)

## command lines (MIRROR from the host's apt sources, http_proxy=$http_proxy)
$(echo "${dir_cmd[*]/#"$MIRROR"/MIRROR}" | sed "s|@OUT@|DIR|")
$(echo "${img_cmd[*]/#"$MIRROR"/MIRROR}" | sed "s|@OUT@|IMG|")

## machine
date:     $date
cpu:      $model
nproc:    $(nproc)
memory:   $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
kernel:   $(uname -r)
fs:       ext4 with a journal, on a loop device over $(df -PT "$base" | awk 'NR == 2 { print $2 }') ($base)
load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, at the end)
tools:    $version

## row for docs/benchmarks.md
| $date | $model | $(nproc) | $what | $runs | $dir_med | $img_med | $ratio |
EOF
