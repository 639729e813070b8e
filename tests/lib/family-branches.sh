#!/bin/bash
# family-branches.sh - fails when C code outside the family folders
# (core/deb, core/rpm, the test-only tests/skeleton) names a package family:
# the pipeline must call struct xs_family and never ask which family it
# holds. Comments do not count (the compiler strips them first); the one
# table that lists the built-in families (core/family.c) may name them.
# Usage: tests/lib/family-branches.sh [TOP]   (prints each hit; exit 1 if any)
set -u
top=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
# identifiers of one family's code, and the old bool
pattern='\b(rpmmd\w*|xs_(rpm|deb|dpkg|apt)(_\w*|info\w*)?|DISTTYPE_\w+|xs_family_(deb|rpm))\b|(->|\.)(rpm|deb)\b'
hits=0
while IFS= read -r f; do
	case "$f" in core/deb/* | core/rpm/* | core/family.c) continue ;; esac
	out=$(gcc -fpreprocessed -dD -E -P "$f" 2>/dev/null | grep -nE "$pattern")
	if [ -n "$out" ]; then
		printf '%s: names a package family outside core/deb, core/rpm:\n%s\n' "$f" "$out"
		hits=1
	fi
done < <(find core -name '*.[ch]' | sort)
[ "$hits" = 0 ] && echo "no family branches outside the family folders"
exit "$hits"
