# bench/settle.bash — sourced by every bench script: median, and waiting
# out ext4's recently deleted inodes (bench.sh and bench-rpm.sh).
#
# ext4 without a journal, when it allocates an inode, skips those freed in
# the last 60 s, or in the last 6 minutes when their inode table block is
# dirty (recently_deleted() in fs/ext4/ialloc.c), and a tool writing a new
# tree next to them soon dirties those blocks again. Within 6 minutes of a
# benchmark removing its trees, every run pays for it: xstrap on the
# synthetic rpm-md repository took 12-22 s instead of 7.8 s, with 10 s of
# system time instead of 2.3 s, most of it in recently_deleted(). So the
# benchmarks record when they remove trees and wait that out before they
# time anything.

# bench_removed BASE: note that trees below BASE were removed just now
bench_removed() {
	date +%s >"$1/last-removal"
}

# bench_settle BASE [STAMP...]: when BASE is on ext4 without a journal, wait
# until 6 minutes (and a few seconds) have passed since the last removal
# noted by bench_removed and since each STAMP file's modification time
# (a repository build that removed its work directory), after sync(1).
bench_settle() {
	local base=$1 dev last=0 t f wait
	shift
	[ "$(df -PT "$base" | awk 'NR == 2 { print $2 }')" = ext4 ] || return 0
	dev=$(df -P "$base" | awk 'NR == 2 { print $1 }')
	dev=$(readlink -f "$dev")
	dev=${dev##*/}
	compgen -G "/proc/fs/jbd2/$dev-*" >/dev/null && return 0
	[ -s "$base/last-removal" ] && last=$(cat "$base/last-removal")
	for f in "$@"; do
		[ -e "$f" ] || continue
		t=$(stat -c %Y "$f")
		[ "$t" -gt "$last" ] && last=$t
	done
	wait=$((last + 365 - $(date +%s)))
	[ "$wait" -gt 0 ] || return 0
	sync
	echo "# waiting $wait s: trees were removed recently from this ext4 without a journal (see bench/settle.bash)"
	sleep "$wait"
}

# median: the median of the numbers on stdin, one per line
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
