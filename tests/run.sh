#!/bin/bash
# Runs every unit test (cmocka, built into build/tests/) and every end-to-end
# test (bats, tests/e2e/*.bats) in TAP mode, lists each skipped test with its
# reason, and closes with one line:
#   N passed, N failed, N skipped
# Usage: tests/run.sh [BUILD_DIR] [BATS_FILE...] (default: every tests/e2e/*.bats)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
shift || true
export XSTRAP="${XSTRAP:-$build/xstrap}"
export XSTRAP_TOP="$top"
export CMOCKA_MESSAGE_OUTPUT=TAP

log=$(mktemp)
start=$(date +%s)
# An apt-cacher-ng the tests start (tests/lib/acng.sh) is stopped at the end;
# one that was already answering is left alone.
acng_was_up=0
"$top/tests/lib/acng.sh" status 2>/dev/null && acng_was_up=1
finish() {
	rm -f "$log"
	# tests that sign with a fixture key start gpg-agents there; stop them
	local h
	for h in "${XSTRAP_FIXTURES:-$top/build/fixtures}"/gnupg* "${RPM_FIXTURES:-$top/build/fixtures-rpm}"/gnupg*; do
		[ -d "$h" ] && gpgconf --homedir "$h" --kill gpg-agent 2>/dev/null
	done
	[ "$acng_was_up" = 1 ] || "$top/tests/lib/acng.sh" stop
}
trap finish EXIT

run_tap() {
	# Print the TAP stream as it arrives and keep a copy for counting.
	"$@" 2>&1 | tee -a "$log"
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "# unit: $(basename "$t")" | tee -a "$log"
	run_tap "$t"
done
[ $# -gt 0 ] || set -- "$top"/tests/e2e/*.bats

bats_files=()
for f in "$@"; do [ -f "$f" ] && bats_files+=("$f"); done
if [ ${#bats_files[@]} -gt 0 ]; then
	echo "# e2e: ${bats_files[*]##*/}"
	run_tap bats --tap "${bats_files[@]}"
fi

# cmocka reports a skipped test as "not ok N - name # SKIP", bats as "ok N # skip"
skipped=$(grep -cE '^(not )?ok [0-9]+.*# (skip|SKIP)' "$log")
passed=$(grep -E '^ok [0-9]+' "$log" | grep -cvE '# (skip|SKIP)')
failed=$(grep -E '^not ok [0-9]+' "$log" | grep -cvE '# (skip|SKIP)')
# Each skipped test with its reason. bats: "ok N NAME # skip REASON";
# cmocka: "not ok N # SKIP NAME", its reason the message the test printed
# just before (print_message("skipped: ...")).
list_skipped() {
	awk '
	/^# unit: / { unit = $3; msg = ""; next }
	/^(not )?ok [0-9]+ # SKIP/ {
		name = $0; sub(/^(not )?ok [0-9]+ # SKIP */, "", name)
		why = msg; sub(/^skipped: */, "", why)
		printf "#   %s: %s: %s\n", unit, name, why == "" ? "(no reason given)" : why
		msg = ""; next
	}
	/^ok [0-9]+ .*# skip/ {
		name = $0; sub(/^ok [0-9]+ /, "", name)
		why = name; sub(/.*# skip */, "", why); sub(/ *# skip.*$/, "", name)
		printf "#   %s: %s\n", name, why == "" ? "(no reason given)" : why
		next
	}
	/^(not )?ok [0-9]+/ || /^#/ || /^[0-9]+\.\.[0-9]+/ { msg = ""; next }
	{ msg = $0 }
	' "$log"
}
if [ "$skipped" -gt 0 ]; then
	echo "# skipped:"
	list_skipped
fi
echo "# took $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
