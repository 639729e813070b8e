#!/bin/bash
# bench/bench-rpm.sh — wall time of xstrap against dnf --installroot on
# rpm-md repositories.
#
# Usage: bench/bench-rpm.sh [-n RUNS] [-p PACKAGES] [-r REPOS]
#
# Two local, signed repositories (REPOS, default "fixture,synthetic"):
#
#   fixture    the tests' repository (tests/fixtures/mkrpmrepo.sh; about a
#              dozen small packages), group @core
#   synthetic  bench/mkrpmbench.sh: the fixture's base packages plus
#              PACKAGES (default 200) generated ones of a distribution's
#              shape (~31,000 files, ~340 MB installed, zstd and xz
#              payloads, scriptlets), group @bench
#
# Both are built once and reused ($RPM_FIXTURES, default build/fixtures-rpm;
# $BENCH_RPM_REPO, default build/bench-rpm). For each repository the two
# commands run once untimed (warming dnf's metadata cache and xstrap's
# package cache), then alternately RUNS times (default 5), dnf first, each
# into a fresh directory on the same filesystem ($BENCH_DIR/rpm, default
# /var/tmp/xstrap-bench/rpm):
#
#   dnf --installroot=DIR --setopt=cachedir=DNFCACHE --setopt=reposdir= \
#       --setopt=skip_if_unavailable=False --setopt=install_weak_deps=False \
#       --repofrompath=R,file://REPO --setopt=R.gpgcheck=1 \
#       --setopt=R.repo_gpgcheck=1 --setopt=R.gpgkey=file://KEY \
#       --releasever=1 --refresh -y install @GROUP
#   xstrap -v --cache-dir=CACHE --repo-type=rpm-md --keyring=KEY \
#       --include=@GROUP R DIR file://REPO
#
# Both verify the signature of repomd.xml and every package's signature and
# digests. dnf runs with HOME set to a directory whose .rpmmacros says
# %_dbpath /var/lib/rpm (Debian's rpm otherwise keeps the database in
# ~/.rpmdb) and keeps its metadata cache across runs, as xstrap keeps its
# cache; --refresh makes dnf fetch and check repomd.xml again on every run,
# as xstrap does, and reuse the rest when unchanged. dnf reads packages
# straight from the file:// repository (it never copies local packages);
# xstrap reads them from its package cache, filled by the warm-up run.
# Every run gets a new directory and no tree is removed before all runs are
# done; on ext4 without a journal the runs start only 6 minutes after the
# last removal of trees (a previous benchmark's, or the repository build's
# work directory; bench/settle.bash). sync(1) runs before each run, outside
# the timed region. Wall time is date +%s.%N
# around the command.
#
# After every run the installed package set (rpm --root=DIR
# --dbpath=/var/lib/rpm -qa, without dnf's gpg-pubkey entry) must be the
# same for both tools, or the benchmark stops. The trees of the two
# warm-up runs are compared as well (paths, modes, owners, sizes, link
# targets; left out: the package managers' own state, what is below /dev,
# where xstrap makes the usual nodes and dnf none, and below /var/tmp) and
# the differences are printed, for information.
#
# Output: every run, the medians, the ratio xstrap/dnf (the bar is <= 1.0),
# the median stage times of each tool (xstrap -v; dnf's timers in the
# root's /var/log/dnf.log), the command lines and the machine facts, ready
# to paste into docs/benchmarks.md. Disk: about 5 GB for the trees of the
# synthetic repository. Environment: XSTRAP (default build/xstrap of this
# tree), BENCH_DIR, RPM_FIXTURES, BENCH_RPM_REPO. Needs root.
set -u
export LC_ALL=C

top=$(cd "$(dirname "$0")/.." && pwd)
runs=5
npkg=200
repos=fixture,synthetic
while getopts n:p:r:h opt; do
	case $opt in
	n) runs=$OPTARG ;;
	p) npkg=$OPTARG ;;
	r) repos=$OPTARG ;;
	*) sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d'; exit 2 ;;
	esac
done
case $runs in ''|*[!0-9]*|0) echo "bench-rpm: -n wants a positive number" >&2; exit 2 ;; esac
case $npkg in ''|*[!0-9]*|0) echo "bench-rpm: -p wants a positive number" >&2; exit 2 ;; esac

xstrap=${XSTRAP:-$top/build/xstrap}
base=${BENCH_DIR:-/var/tmp/xstrap-bench}
bench=$base/rpm
fixtures=${RPM_FIXTURES:-$top/build/fixtures-rpm}
synthetic=${BENCH_RPM_REPO:-$top/build/bench-rpm}

die() { echo "bench-rpm: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v dnf >/dev/null || die "dnf is not installed (Debian: dnf)"
command -v rpm >/dev/null || die "rpm is not installed (Debian: rpm)"
[ -x "$xstrap" ] || die "no xstrap binary at $xstrap (run make)"
# shellcheck source=tests/lib/mirror.bash
. "$top/tests/lib/mirror.bash"
# shellcheck source=bench/settle.bash
. "$top/bench/settle.bash"

for r in ${repos//,/ }; do
	case $r in
	fixture) bash "$top/tests/fixtures/mkrpmrepo.sh" "$fixtures" || die "cannot build the fixture repository" ;;
	synthetic) RPM_FIXTURES=$fixtures bash "$top/bench/mkrpmbench.sh" -n "$npkg" "$synthetic" ||
		die "cannot build the synthetic repository" ;;
	*) die "unknown repository \"$r\" (fixture, synthetic)" ;;
	esac
done
fixtures=$(cd "$fixtures" && pwd)
[ -d "$synthetic" ] && synthetic=$(cd "$synthetic" && pwd)

mkdir -p "$bench" || die "cannot create $bench"
logs=$bench/logs
roots=$bench/roots
if [ -e "$roots" ]; then
	safe_rmtree "$roots" || die "cannot remove $roots"
	bench_removed "$base"
fi
rm -rf "$logs" "$bench/caches"
mkdir -p "$logs" "$roots" "$bench/caches"
# dnf's rpm: the database at /var/lib/rpm of the root, as the root's rpm has it
dnfhome=$bench/dnf-home
mkdir -p "$dnfhome"
printf '%%_dbpath /var/lib/rpm\n' >"$dnfhome/.rpmmacros"
trap 'safe_rmtree "$roots"; bench_removed "$base"' EXIT

# timed LOG CMD...: run CMD (@DIR@ becomes a new directory), print its wall time
timed() {
	local log=$1 t0 t1 dir
	shift
	dir=$(mktemp -d "$roots/root-XXXXXX") && chmod 755 "$dir" || exit 1
	echo "$dir" >"$bench/last-dir"
	local argv=("${@//@DIR@/$dir}")
	sync
	t0=$(date +%s.%N)
	"${argv[@]}" >"$log" 2>&1 || { echo "bench-rpm: failed: ${argv[*]} (see $log)" >&2; tail -n 20 "$log" >&2; exit 1; }
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

# pkgset DIR: the installed packages, one NAME-EPOCH:VERSION-RELEASE.ARCH a line
pkgset() {
	rpm --root="$1" --dbpath=/var/lib/rpm -qa --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n' |
		grep -v '^gpg-pubkey-' | sort
}

# check_set NAME DIR: DIR's package set is the reference set of this repository
check_set() {
	pkgset "$2" >"$bench/set.now"
	if ! cmp -s "$bench/set.ref" "$bench/set.now"; then
		echo "bench-rpm: $1 installed a different package set in $2 than dnf's first run:" >&2
		diff "$bench/set.ref" "$bench/set.now" | head -n 40 >&2
		exit 1
	fi
}

# tree DIR: what a package manager put there, its own state left out
tree() {
	(cd "$1" && find . \( -path ./var/lib/rpm -o -path ./var/lib/dnf -o -path ./var/cache \
		-o -path ./var/log -o -path ./etc/dnf -o -path './var/tmp/*' -o -path './dev/*' \) -prune -o \
		\( -type d -printf '%p %M %u %g\n' \) -o -printf '%p %M %u %g %s %l\n') | sort
}

# stages FILE...: median of each "xstrap: STAGE: N s" (xstrap -v) or
# "timer: STAGE: N ms" (dnf.log) over FILE..., in the order they come
stages() {
	local tmp=$bench/stages.tmp k
	awk '/^xstrap: [a-z]+: [0-9.]+ s$/ { sub(":", "", $2); print $2, $3 }
	     / DDEBUG timer: / { sub(/.* DDEBUG timer: /, ""); n = split($0, f, ": "); sub(/ ms$/, "", f[n])
	                         gsub(/ /, "_", f[1]); printf "%s %.3f\n", f[1], f[n] / 1000 }' "$@" >"$tmp"
	for k in $(awk '!seen[$1]++ { print $1 }' "$tmp"); do
		printf '%s %s s; ' "${k//_/ }" "$(awk -v k="$k" '$1 == k { print $2 }' "$tmp" | median)"
	done
	echo
}

result=$bench/result
: >"$result"
rows=$bench/rows
: >"$rows"

# bench_repo NAME REPODIR KEY GROUP
bench_repo() {
	local name=$1 repo=$2 key=$3 group=$4 i t line
	local dnf_cmd=(env "HOME=$dnfhome" dnf --installroot=@DIR@ "--setopt=cachedir=$bench/caches/dnf-$name"
		--setopt=reposdir= --setopt=skip_if_unavailable=False --setopt=install_weak_deps=False
		"--repofrompath=$name,file://$repo" "--setopt=$name.gpgcheck=1" "--setopt=$name.repo_gpgcheck=1"
		"--setopt=$name.gpgkey=file://$key" --releasever=1 --refresh -y install "@$group")
	local xs_cmd=("$xstrap" -v "--cache-dir=$bench/caches/xstrap-$name" --repo-type=rpm-md "--keyring=$key"
		"--include=@$group" "$name" @DIR@ "file://$repo")
	local dnf_dirs=() xs_dirs=()

	echo "# $name: $repo, @$group"
	echo "  warming the caches (untimed)"
	t=$(timed "$logs/$name-dnf-warm.log" "${dnf_cmd[@]}") || exit 1
	local dnf_warm
	dnf_warm=$(cat "$bench/last-dir")
	echo "  dnf warm-up: $t s"
	pkgset "$dnf_warm" >"$bench/set.ref"
	t=$(timed "$logs/$name-xstrap-warm.log" "${xs_cmd[@]}") || exit 1
	local xs_warm
	xs_warm=$(cat "$bench/last-dir")
	echo "  xstrap warm-up: $t s"
	check_set xstrap "$xs_warm"
	tree "$dnf_warm" >"$bench/tree.dnf"
	tree "$xs_warm" >"$bench/tree.xstrap"

	: >"$bench/dnf.times"
	: >"$bench/xs.times"
	for i in $(seq "$runs"); do
		t=$(timed "$logs/$name-dnf-$i.log" "${dnf_cmd[@]}") || exit 1
		dnf_dirs+=("$(cat "$bench/last-dir")")
		check_set dnf "${dnf_dirs[-1]}"
		echo "$t" >>"$bench/dnf.times"
		line="  run $i: dnf $t s"
		t=$(timed "$logs/$name-xstrap-$i.log" "${xs_cmd[@]}") || exit 1
		xs_dirs+=("$(cat "$bench/last-dir")")
		check_set xstrap "${xs_dirs[-1]}"
		echo "$t" >>"$bench/xs.times"
		echo "$line, xstrap $t s"
	done

	local dnf_med xs_med ratio npk files mb
	dnf_med=$(median <"$bench/dnf.times")
	xs_med=$(median <"$bench/xs.times")
	ratio=$(awk -v x="$xs_med" -v d="$dnf_med" 'BEGIN { printf "%.3f", x / d }')
	npk=$(wc -l <"$bench/set.ref")
	files=$(grep -vc ' d[rwxsStT-]\{9\} ' "$bench/tree.xstrap")
	mb=$(du -sm "$xs_warm" | cut -f1)
	local dnf_logs=() x
	for x in "${dnf_dirs[@]}"; do dnf_logs+=("$x/var/log/dnf.log"); done
	{
		echo
		echo "## $name: @$group from $repo"
		echo "packages:      $npk (both tools, every run), $files files and links, $mb MB on disk (xstrap's tree)"
		echo "runs:          $runs (after one warm-up each)"
		echo "dnf median:    $dnf_med s   ($(tr '\n' ' ' <"$bench/dnf.times"))"
		echo "xstrap median: $xs_med s   ($(tr '\n' ' ' <"$bench/xs.times"))"
		echo "ratio xstrap/dnf: $ratio   (bar: <= 1.0)"
		echo "xstrap stages (median): $(stages "$logs/$name"-xstrap-[0-9]*.log)"
		echo "dnf timers (median):    $(stages "${dnf_logs[@]}")"
		echo "tree differences of the warm-up roots (< dnf, > xstrap; $(diff "$bench/tree.dnf" "$bench/tree.xstrap" | grep -c '^[<>]') lines):"
		diff "$bench/tree.dnf" "$bench/tree.xstrap" | grep '^[<>]' | head -n 30 | sed 's/^/  /'
		echo "commands:"
		echo "  ${dnf_cmd[*]}" | sed "s|@DIR@|DIR|"
		echo "  ${xs_cmd[*]}" | sed "s|@DIR@|DIR|"
	} >>"$result"
	echo "$name @$group|$npk|$files|$dnf_med|$xs_med|$ratio" >>"$rows"
	echo "  dnf median $dnf_med s, xstrap median $xs_med s, ratio $ratio"
}

bench_settle "$base" "$synthetic/.done"
for r in ${repos//,/ }; do
	case $r in
	fixture) bench_repo fixture "$fixtures/repo" "$fixtures/keyring.asc" core ;;
	synthetic) bench_repo synthetic "$synthetic/repo" "$synthetic/keyring.asc" bench ;;
	esac
done

model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
fstype=$(df -PT "$bench" | awk 'NR == 2 { print $2 }')
date=$(date -u +%Y-%m-%d)
cat "$result"
cat <<EOF

## machine
date:     $(date -u)
cpu:      $model
nproc:    $(nproc)
memory:   $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
kernel:   $(uname -r)
fs:       $fstype ($bench)
tools:    dnf $(dnf --version 2>/dev/null | head -n 1); $(rpm --version); $("$xstrap" --version 2>/dev/null | head -n 1)

## rows for docs/benchmarks.md
EOF
while IFS='|' read -r what npk files dnf_med xs_med ratio; do
	echo "| $date | $model | $(nproc) | $fstype | $what | $npk | $runs | $dnf_med | $xs_med | $ratio |"
done <"$rows"
