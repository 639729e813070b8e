#!/bin/bash
# Runs each libFuzzer target for SECONDS on its corpus (seeded by seeds.sh)
# plus the committed regression inputs (tests/fuzz/regress/TARGET/, every
# crash found so far), and prints one line per target:
#   fuzz_TARGET: N runs in S s, no crash
# Fails when a target crashes, leaks, or runs out of time on one input
# (the input lands in BUILD/crash/), and when its corpus covers fewer
# points than the floor below: a harness that never reaches the code it
# fuzzes (fuzz_deb did, when the cache reader began refusing the
# /proc/self/fd link it was given) would otherwise pass forever.
#
# Usage: tests/fuzz/run.sh BUILD SECONDS [TARGET...]   (default: all)
# FUZZ_RUNS=N also stops a target after N executions (whichever is first).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 seconds=$2
shift 2
[ $# -gt 0 ] || set -- release packages deb rpm rpmmd sources suites config
mkdir -p "$build/crash"
failed=0
# coverage floors: about 80 % of what each target's seed corpus alone
# covers (tests/fuzz/seeds.sh, clang 14). fuzz_rpmmd and fuzz_packages
# mostly drive libsolv: with the instrumented libsolv `make fuzz-build`
# builds (BUILD/fuzz/libsolv-linked says "instrumented") their seeds cover
# 827 and 525 points; with the system's libsolv, which has no coverage
# instrumentation, 5 (fuzz_rpmmd's own switch) and 64.
solv=$(cat "$build/fuzz/libsolv-linked" 2>/dev/null)
floor() {
	case $1:$solv in
	rpmmd:instrumented) echo 660 ;; packages:instrumented) echo 420 ;;
	rpmmd:*) echo 4 ;; packages:*) echo 50 ;;
	release:*) echo 60 ;; deb:*) echo 100 ;; rpm:*) echo 120 ;;
	sources:*) echo 120 ;; suites:*) echo 160 ;; config:*) echo 160 ;;
	*) echo 1 ;;
	esac
}
for t in "$@"; do
	bin=$build/fuzz/fuzz_$t
	corpus=$build/corpus/$t
	regress=$top/tests/fuzz/regress/$t
	mkdir -p "$corpus" "$regress"
	log=$build/fuzz/fuzz_$t.log
	# the floor is for the seeds: without any (seeds.sh makes the rpm ones
	# only where rpmbuild and createrepo_c are installed) it is not checked
	seeded=$(find "$corpus" "$regress" -type f | head -n 1)
	start=$(date +%s)
	# -timeout: one input may take 10 s at most (a hang is a bug);
	# -rss_limit_mb: the parsers must not balloon on small inputs
	nice "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
		${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -print_final_stats=1 -artifact_prefix="$build/crash/$t-" \
		"$corpus" "$regress" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -n 1)
	if [ "$rc" -eq 0 ] && [ -n "$seeded" ] && [ "${cov:-0}" -lt "$(floor "$t")" ]; then
		echo "fuzz_$t: FAILED: its corpus reaches ${cov:-no} coverage points, expected at least $(floor "$t"): the harness does not reach the code it fuzzes; see $log"
		failed=1
	elif [ "$rc" -ne 0 ]; then
		echo "fuzz_$t: FAILED after ${runs:-?} runs (exit $rc); see $log and $build/crash/"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" | head -n 5
		failed=1
	else
		note=
		[ -n "$seeded" ] || note="; no seeds, so the coverage floor was not checked"
		echo "fuzz_$t: ${runs:-?} runs in $(($(date +%s) - start)) s, no crash ($(ls "$corpus" | wc -l) corpus inputs$note)"
	fi
done
exit $failed
