#!/bin/bash
# bench/bench-nfsroot.sh — an FAI nfsroot (issue 12): wall time of
#
#   xstrap nfsroot --cache-dir=CACHE SUITE DIR MIRROR --export=DIR.export
#   fai-make-nfsroot -C CONF        (NFSROOT=DIR, TFTPROOT=DIR.export)
#   mmdebstrap --include=PACKAGES --setup-hook=... SUITE DIR MIRROR
#
# xstrap's package list is the NFSROOT class's (classes/20-nfsroot.lua):
# live-boot, initramfs-tools, nfs-common, busybox, linux-image-amd64,
# fai-client, fai-nfsroot, on the default variant (important).
#
# fai-make-nfsroot, the issue's reference, gets a config space of its own
# (CONF under $BENCH_DIR; nothing in /etc/fai is read or changed) whose
# NFSROOT package list is that same list, with the substitutions
# fai-make-nfsroot itself imposes: it always installs dracut-live,
# dracut-network and dracut-squash and builds its initrd with dracut, and
# its final check wants the dracut package, so dracut takes
# initramfs-tools' and live-boot's place (they conflict); dracut's livenet
# module needs curl; and the check refuses an nfsroot whose /sbin/init is
# systemd's, so sysvinit-core replaces systemd-sysv. Its base is
# debootstrap's default variant (important), from the same mirror, with the
# same single suite in its sources.list. Its own work counts in its time,
# as a user would see it: the base.tar.xz it compresses in the background,
# the TFTP layout, the root password.
#
# mmdebstrap builds xstrap's exact list with the same initramfs settings
# (a setup hook writes /etc/initramfs-tools/conf.d/xstrap-nfsroot as
# hooks/extract/10-nfsroot.lua does): the fastest Debian tool on the same
# package list, for a second ratio.
#
# Usage: bench/bench-nfsroot.sh [-n RUNS] [-s SUITE]
#
# All three fetch from the host's Debian mirror through the private
# apt-cacher-ng (tests/lib/acng.sh), each warmed by one untimed run, then
# alternate RUNS times (default 3), each into a new directory under
# $BENCH_DIR/roots (default /var/tmp/xstrap-bench-nfsroot). The trees are
# kept until the end and removed at exit, so that no run pays for the
# inodes an earlier run freed (bench/settle.bash); a removal before the
# start is waited out the same way. Wall time is date +%s.%N around the
# command, after sync(1). fai-make-nfsroot writes its log to
# /var/log/fai/fai-make-nfsroot.log, as it always does.
#
# Output: every run, the package counts, the medians and the ratios
# xstrap/fai-make-nfsroot (the issue's bar: <= 0.5) and xstrap/mmdebstrap.
#
# Environment: XSTRAP (default build/xstrap of this tree), BENCH_DIR.
# Needs root, fai-make-nfsroot (Debian package fai-server) and mmdebstrap,
# and about 1 GB free per run for the kept trees. Takes minutes per run:
# do not run it on a machine others share.
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
command -v fai-make-nfsroot >/dev/null || die "fai-make-nfsroot is not installed (Debian package fai-server)"
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
roots=$base/roots
if [ -e "$roots" ]; then
	safe_rmtree "$roots" || die "cannot remove $roots"
	bench_removed "$base"
fi
mkdir -p "$roots" || die "cannot create $roots"
trap 'safe_rmtree "$roots"; bench_removed "$base"' EXIT

# fai-make-nfsroot's config space (see above for its package list)
fai=$base/fai-conf
rm -rf "$fai"
mkdir -p "$fai/apt" || die "cannot create $fai"
echo "LOGUSER=" >"$fai/fai.conf"
echo "deb $MIRROR $suite main" >"$fai/apt/sources.list"
{
	echo "FAI_DEBOOTSTRAP=\"$suite $MIRROR\""
	echo "FAI_DEBOOTSTRAP_OPTS="
	echo "FAI_ROOTPW='*'"
	# the directories of each run, from the environment fai_cmd sets
	echo "NFSROOT=\$BENCH_OUT"
	echo "TFTPROOT=\$BENCH_OUT.export"
	echo "NFSROOT_HOOKS="
} >"$fai/nfsroot.conf"
fai_packages=" ${packages//,/ } "
fai_packages=${fai_packages/ live-boot / }
fai_packages=${fai_packages/ initramfs-tools / }
fai_packages="${fai_packages# }dracut curl sysvinit-core systemd-sysv-"
printf 'PACKAGES install-norec\n%s\n' "$fai_packages" >"$fai/NFSROOT"

conf='printf "BOOT=nfs\nMODULES=netboot\nBUSYBOX=y\nCOMPRESS=gzip\n" >"$1/etc/initramfs-tools/conf.d/xstrap-nfsroot"'
xs_cmd=("$xstrap" nfsroot "--cache-dir=$base/cache" "$suite" @OUT@ "$MIRROR" --export=@OUT@.export)
fai_cmd=(env BENCH_OUT=@OUT@ fai-make-nfsroot -C "$fai")
mm_cmd=(mmdebstrap "--include=$packages" --setup-hook='touch "$1/.THIS_IS_THE_FAI_NFSROOT"'
	--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d"' --setup-hook="$conf" "$suite" @OUT@ "$MIRROR")

# timed NAME CMD...: run CMD from / with @OUT@ replaced by the new
# directory $roots/NAME (kept until exit), after sync(1); print its wall
# time in seconds and the number of packages it installed
timed() {
	local name=$1 out=$roots/$1 log=$base/logs/$1.log t0 t1 a argv=() n
	shift
	for a in "$@"; do argv+=("${a//@OUT@/$out}"); done
	sync
	t0=$(date +%s.%N)
	(cd / && "${argv[@]}") >"$log" 2>&1 || { echo "bench-nfsroot: $name failed, see $log:" >&2; tail -n 20 "$log" >&2; return 1; }
	t1=$(date +%s.%N)
	n=$(grep -c '^Status: install ok installed' "$out/var/lib/dpkg/status")
	awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.2f %d\n", b - a, n }'
}

tools=(xs fai mm)
declare -A label=([xs]=xstrap [fai]=fai-make-nfsroot [mm]=mmdebstrap) count=()
bench_settle "$base"
echo "# warming the caches (untimed)"
for tool in "${tools[@]}"; do
	declare -n cmd=${tool}_cmd
	r=$(timed "$tool-warm" "${cmd[@]}") || exit 1
	echo "  ${label[$tool]} warm-up: ${r% *} s, ${r#* } packages"
	: >"$base/$tool.times"
done
for i in $(seq "$runs"); do
	line="run $i:"
	for tool in "${tools[@]}"; do
		declare -n cmd=${tool}_cmd
		r=$(timed "$tool-$i" "${cmd[@]}") || exit 1
		echo "${r% *}" >>"$base/$tool.times"
		count[$tool]=${r#* }
		line="$line ${label[$tool]} ${r% *} s,"
	done
	echo "${line%,}"
done
declare -A med=()
for tool in "${tools[@]}"; do
	med[$tool]=$(median <"$base/$tool.times")
done
ratio() { awk -v x="$1" -v m="$2" 'BEGIN { printf "%.3f", x / m }'; }
cat <<EOF

## result
build:                   $suite nfsroot, default variant (important)
xstrap:                  nfsroot class: $packages; ${count[xs]} packages
fai-make-nfsroot:        $fai_packages, and dracut-live, dracut-network, dracut-squash; ${count[fai]} packages
mmdebstrap:              --include=$packages; ${count[mm]} packages
runs:                    $runs each (after one warm-up each), alternating
xstrap median:           ${med[xs]} s   ($(tr '\n' ' ' <"$base/xs.times"))
fai-make-nfsroot median: ${med[fai]} s   ($(tr '\n' ' ' <"$base/fai.times"))
mmdebstrap median:       ${med[mm]} s   ($(tr '\n' ' ' <"$base/mm.times"))
ratio:                   $(ratio "${med[xs]}" "${med[fai]}") (xstrap / fai-make-nfsroot; the bar is <= 0.5)
ratio:                   $(ratio "${med[xs]}" "${med[mm]}") (xstrap / mmdebstrap)
machine:                 $(nproc) CPUs, $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
EOF
