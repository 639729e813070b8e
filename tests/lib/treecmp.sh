#!/bin/bash
# tests/lib/treecmp.sh A B [ALLOWLIST] — compare two root file trees.
#
# For every path under A and B it compares: type, mode (4 octal digits,
# setuid/setgid/sticky included), numeric uid and gid, and further
#   regular files   size and sha256
#   symlinks        the link target
#   devices         major:minor
#   any             file capabilities (security.capability), when getcap exists
# Directory sizes and timestamps are not compared (they depend on the
# filesystem and on when the build ran, not on what was installed).
#
# Paths matched by ALLOWLIST are ignored. ALLOWLIST has one pattern per
# line, matched against the path relative to the root without a leading
# slash (e.g. "var/log/apt/eipp.log.xz"):
#   GLOB        shell glob; '*' and '?' also match '/', [..] is a class
#   re:REGEX    extended regular expression (awk), implicitly anchored
# Blank lines and lines starting with '#' are ignored; text after " #" is a
# comment. The root itself is "." and is never ignored.
#
# Output: one line per differing path, sorted:
#   PATH<TAB>A: ATTRS<TAB>B: ATTRS
# where ATTRS is "-" for a path missing on that side. A summary goes to
# stderr. Exit 0 when the trees are equal outside the allowlist, 1 when they
# differ, 2 on usage errors. Paths with newlines are not supported (Debian
# packages ship none).
#
# Environment: TREECMP_JOBS (default: nproc) hashing processes per tree;
# TREECMP_SHOW_ALLOWED=1 also lists the allowed differences on stderr.
set -u
export LC_ALL=C

usage() { echo "usage: $0 TREE_A TREE_B [ALLOWLIST]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
a=$1 b=$2 allow=${3:-}
[ -d "$a" ] || { echo "treecmp: $a: not a directory" >&2; exit 2; }
[ -d "$b" ] || { echo "treecmp: $b: not a directory" >&2; exit 2; }
if [ -n "$allow" ] && [ "$allow" != - ] && [ ! -r "$allow" ]; then
	echo "treecmp: $allow: cannot read allowlist" >&2; exit 2
fi
jobs=${TREECMP_JOBS:-$(nproc 2>/dev/null || echo 2)}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/treecmp.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# scan TREE OUT: write "meta" and "hash" listings of TREE into OUT.*
scan() {
	local tree=$1 out=$2
	# type mode uid gid size path target ; -P: never follow symlinks
	(cd "$tree" && find -P . -printf '%y\t%m\t%U\t%G\t%s\t%p\t%l\n') > "$out.meta" || return 1
	# sha256 of regular files, several processes, line-buffered so that
	# their lines never interleave (each line is one write(2) < PIPE_BUF).
	(cd "$tree" && find -P . -type f -print0 |
		xargs -0 -r -n 64 -P "$jobs" stdbuf -oL sha256sum --) > "$out.hash" || return 1
	# device numbers (few files; GNU find has no rdev directive)
	(cd "$tree" && find -P . \( -type c -o -type b \) -exec stat -c '%n	%t:%T' {} +) > "$out.dev" || return 1
	# file capabilities
	: > "$out.caps"
	if command -v getcap >/dev/null 2>&1; then
		(cd "$tree" && getcap -r . 2>/dev/null) > "$out.caps" || true
	fi
}

scan "$a" "$tmp/a" & pa=$!
scan "$b" "$tmp/b" & pb=$!
wait "$pa" || { echo "treecmp: cannot scan $a" >&2; exit 2; }
wait "$pb" || { echo "treecmp: cannot scan $b" >&2; exit 2; }

if [ -n "$allow" ] && [ "$allow" != - ]; then
	cp "$allow" "$tmp/allow"
else
	: > "$tmp/allow"
fi

awk -F '\t' -v OFS='\t' -v showallowed="${TREECMP_SHOW_ALLOWED:-}" '
function glob2re(g,   r, i, c, n) {
	r = ""; n = length(g)
	for (i = 1; i <= n; i++) {
		c = substr(g, i, 1)
		if (c == "*") r = r ".*"
		else if (c == "?") r = r "."
		else if (c == "[") {
			# copy a bracket expression up to its closing ]
			j = index(substr(g, i + 1), "]")
			if (j == 0) { r = r "\\["; continue }
			cls = substr(g, i + 1, j - 1)
			if (substr(cls, 1, 1) == "!") cls = "^" substr(cls, 2)
			r = r "[" cls "]"; i += j
		}
		else if (index("\\^$.|+(){}", c)) r = r "\\" c
		else r = r c
	}
	return "^" r "$"
}
function norm(p) { sub(/^\.\//, "", p); return p }
function rel(p) { return p == "." ? "." : norm(p) }
FILENAME == ARGV[1] {		# allowlist
	line = $0
	sub(/^[ \t]+/, "", line)
	if (line == "" || substr(line, 1, 1) == "#") next
	sub(/[ \t]+#.*$/, "", line); sub(/[ \t]+$/, "", line)
	if (line == "") next
	nre++
	if (substr(line, 1, 3) == "re:") re[nre] = "^(" substr(line, 4) ")$"
	else re[nre] = glob2re(line)
	next
}
FILENAME ~ /\.meta$/ {
	side = substr(FILENAME, length(FILENAME) - 5, 1)	# "a" or "b"
	p = rel($6)
	mode = sprintf("%04d", $2 + 0)
	attr = $1 " " mode " " $3 ":" $4
	if ($1 == "f") attr = attr " size=" $5
	else if ($1 == "l") attr = attr " -> " $7
	m[side, p] = attr
	seen[p] = 1
	next
}
FILENAME ~ /\.hash$/ {
	side = substr(FILENAME, length(FILENAME) - 5, 1)
	h = substr($0, 1, 64); p = substr($0, 67)
	if (substr(h, 1, 1) == "\\") {	# escaped name
		h = substr($0, 2, 64); p = substr($0, 68); gsub(/\\\\/, "\\", p)
	}
	sha[side, rel(p)] = h
	next
}
FILENAME ~ /\.dev$/ {
	side = substr(FILENAME, length(FILENAME) - 4, 1)
	dev[side, rel($1)] = $2
	next
}
FILENAME ~ /\.caps$/ {
	side = substr(FILENAME, length(FILENAME) - 5, 1)
	# "./usr/bin/ping cap_net_raw=ep" (getcap >= 2.4x) or "... = cap..."
	line = $0; i = index(line, " ")
	p = substr(line, 1, i - 1); c = substr(line, i + 1); sub(/^= /, "", c)
	caps[side, rel(p)] = c
	next
}
function full(side, p,   s) {
	if (!((side, p) in m)) return "-"
	s = m[side, p]
	if ((side, p) in sha) s = s " sha256=" sha[side, p]
	if ((side, p) in dev) s = s " dev=" dev[side, p]
	if ((side, p) in caps) s = s " caps=" caps[side, p]
	return s
}
END {
	for (p in seen) {
		sa = full("a", p); sb = full("b", p)
		if (sa == sb) continue
		ign = 0
		if (p != ".") for (i = 1; i <= nre; i++) if (p ~ re[i]) { ign = 1; break }
		if (ign) { nign++; if (showallowed) print "allowed: " p, "A: " sa, "B: " sb > "/dev/stderr"; continue }
		ndiff++
		print p, "A: " sa, "B: " sb
	}
	printf "treecmp: %d paths differ, %d differences allowed by the allowlist\n", ndiff, nign > "/dev/stderr"
	exit (ndiff > 0)
}' "$tmp/allow" "$tmp/a.meta" "$tmp/b.meta" "$tmp/a.hash" "$tmp/b.hash" \
	"$tmp/a.dev" "$tmp/b.dev" "$tmp/a.caps" "$tmp/b.caps" > "$tmp/out"
rc=$?
sort "$tmp/out"
exit $rc
