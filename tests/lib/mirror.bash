# tests/lib/mirror.bash — the host's Debian mirror, read at run time.
#
# The project never names a mirror host: tests that need the real archive
# take it from the host's own apt sources (deb822 *.sources and one-line
# sources.list), or from $XSTRAP_MIRROR when that is set.
#
#   host_mirror      print the mirror URL (no trailing slash), or nothing
#   require_mirror   skip the current bats test when there is none;
#                    otherwise set and export MIRROR
#
# The entry chosen is the first "deb" entry whose suite has no '-' (so not
# -security, -updates, -backports). Sourced by bats files and by bench/bench.sh
# and tests/lib/acng.sh (plain bash, no bats needed).

# _mirror_candidates: print "URI SUITE" for every deb entry of the host.
_mirror_candidates() {
	local root=${XSTRAP_APT_ROOT:-}	# for testing this library only
	if [ -z "$root" ] && command -v apt-get >/dev/null 2>&1; then
		# apt knows about every configured target even before "apt-get update".
		apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(IDENTIFIER)' \
			2>/dev/null | awk '$3 == "Packages" { print $1, $2 }'
	fi
	# Parse the files as well: works on hosts without apt (the result is the
	# same entries, so duplicates do no harm; the first match wins).
	local f
	for f in "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		# deb [opts] URI SUITE COMPONENT...
		sed -e 's/#.*//' "$f" | awk '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if (i + 1 <= NF) print $i, $(i + 1)
			}'
	done
	for f in "$root"/etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# deb822: paragraphs separated by blank lines; fields Types, URIs,
		# Suites, Enabled. Continuation lines start with white space; comment
		# lines are dropped entirely (they do not end a paragraph).
		sed -e '/^[[:space:]]*#/d' "$f" | awk '
			function flush(   nu, ns, u, s, i, j) {
				if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*no/) {
					nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
					for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
						if (u[i] != "" && s[j] != "") print u[i], s[j]
				}
				types = uris = suites = enabled = ""; last = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^[ \t]/ { if (last == "u") uris = uris " " $0; else if (last == "s") suites = suites " " $0; next }
			{
				key = tolower($0); sub(/:.*/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
				last = ""
				if (key == "types") types = val
				else if (key == "uris") { uris = val; last = "u" }
				else if (key == "suites") { suites = val; last = "s" }
				else if (key == "enabled") enabled = tolower(val)
			}
			END { flush() }'
	done
}

host_mirror() {
	if [ -n "${XSTRAP_MIRROR:-}" ]; then
		printf '%s\n' "${XSTRAP_MIRROR%/}"
		return 0
	fi
	local uri suite
	while read -r uri suite; do
		case $uri in http://*|https://*|file:/*) ;; *) continue ;; esac
		case $suite in ''|*-*|*/*) continue ;; esac
		printf '%s\n' "${uri%/}"
		return 0
	done < <(_mirror_candidates)
	return 0
}

require_mirror() {
	MIRROR=$(host_mirror)
	if [ -z "$MIRROR" ]; then
		skip "no Debian mirror configured in the host's apt sources"
	fi
	export MIRROR
}

# ---------------------------------------------------------------------------
# Helpers for tests that build whole roots (mirror.bats, interrupt.bats).

# mounts_under DIR: print every mount point at or below DIR, deepest first.
mounts_under() {
	local d
	d=$(realpath -m "$1")
	awk -v d="$d" '{
		mp = $2; gsub(/\\040/, " ", mp); gsub(/\\011/, "\t", mp)
		if (mp == d || index(mp, d "/") == 1) print length(mp), mp
	}' /proc/self/mounts | sort -rn | cut -d' ' -f2-
}

# procs_in_root DIR: print the pids of processes whose root directory is DIR
# or below it (chroot'ed children of a build).
procs_in_root() {
	local d
	d=$(realpath -m "$1")
	# one find(1) instead of a readlink(1) per process: this runs in polling
	# loops next to a build
	find /proc -mindepth 2 -maxdepth 2 -name root \( -lname "$d" -o -lname "$d/*" \) \
		-printf '%h\n' 2>/dev/null | sed -n 's|^/proc/\([0-9][0-9]*\)$|\1|p'
}

# safe_rmtree DIR: remove a build tree: first kill what still runs inside it
# and undo mounts below it (never recurse into a host /proc or /dev through
# a leftover bind mount), then rm with --one-file-system.
safe_rmtree() {
	local d=$1 p m
	[ -n "$d" ] || return 0
	[ -e "$d" ] || return 0
	for p in $(procs_in_root "$d"); do kill -KILL "$p" 2>/dev/null; done
	for m in $(mounts_under "$d"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	if [ -n "$(mounts_under "$d")" ]; then
		echo "safe_rmtree: mounts remain below $d, not removing it" >&2
		return 1
	fi
	rm -rf --one-file-system "$d"
}

# mirror_inrelease_key SUITE: sha256 of the mirror's InRelease for SUITE (as
# seen through $http_proxy when set); empty when it cannot be fetched.
mirror_inrelease_key() {
	curl -sfL --max-time 60 "$MIRROR/dists/$1/InRelease" 2>/dev/null |
		sha256sum | awk '$1 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" { print $1 }'
}

# cached_root NAME SUITE TOOL ARGS...: print the path of a root built by
# "TOOL ARGS... DIR $MIRROR" (DIR appended after ARGS, before the mirror),
# kept in ${XSTRAP_TEST_CACHE:-/var/tmp/xstrap-test}/NAME and reused while
# less than a day old and the mirror's InRelease of SUITE is unchanged (so
# a mirror update never compares xstrap against stale versions). Concurrent
# callers wait for one build (flock).
cached_root() {
	local name=$1 suite=$2 cache dir key
	shift 2
	cache=${XSTRAP_TEST_CACHE:-/var/tmp/xstrap-test}
	dir=$cache/$name
	mkdir -p "$cache" || return 1
	key=$(mirror_inrelease_key "$suite")
	[ -n "$key" ] || { echo "cannot fetch $MIRROR/dists/$suite/InRelease" >&2; return 1; }
	(
		flock 9
		if [ -d "$dir" ] && [ -f "$dir.stamp" ] && [ "$(cat "$dir.stamp")" = "$key" ] &&
			[ -n "$(find "$dir.stamp" -mmin -1440)" ]; then
			exit 0
		fi
		safe_rmtree "$dir" && safe_rmtree "$dir.tmp" || exit 1
		rm -f "$dir.stamp"
		local t0=$SECONDS
		if ! timeout 1800 "$@" "$dir.tmp" "$MIRROR" > "$dir.log" 2>&1; then
			echo "$* failed; last lines of $dir.log:" >&2
			tail -n 20 "$dir.log" >&2
			safe_rmtree "$dir.tmp"
			exit 1
		fi
		echo "# $*: $((SECONDS - t0)) s" >> "$dir.log"
		mv "$dir.tmp" "$dir" && echo "$key" > "$dir.stamp"
	) 9> "$cache/.lock-$name" || return 1
	echo "$dir"
}

# debootstrap_ref SUITE VARIANT [INCLUDE]: a cached debootstrap root of
# SUITE/VARIANT (plus the comma-separated packages INCLUDE) built from
# $MIRROR (through $http_proxy), in debootstrap-SUITE-VARIANT[-INCLUDE]
# (cached_root). VARIANT "important" is debootstrap's default variant (no
# --variant).
debootstrap_ref() {
	local suite=$1 variant=$2 include=${3:-} varg=() name
	name=debootstrap-$suite-$variant
	[ "$variant" = important ] || varg=(--variant="$variant")
	if [ -n "$include" ]; then
		varg+=(--include="$include")
		name+=-${include//,/+}
	fi
	cached_root "$name" "$suite" debootstrap "${varg[@]}" "$suite"
}

# mmdebstrap_ref SUITE VARIANT INCLUDE: a cached mmdebstrap root of
# SUITE/VARIANT plus the comma-separated packages INCLUDE, with
# mmdebstrap's merged-usr hook (which gives debootstrap's package set:
# usr-is-merged, not usrmerge), in mmdebstrap-SUITE-VARIANT-INCLUDE.
mmdebstrap_ref() {
	local suite=$1 variant=$2 include=$3
	cached_root "mmdebstrap-$suite-$variant-${include//,/+}" "$suite" mmdebstrap --variant="$variant" \
		--include="$include" --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "$suite"
}

# shadow_days_as_ref REF ROOT: the third field of etc/shadow is the day (since
# 1970, UTC) a password last changed, which for a fresh root is the day it was
# built; a cached reference root built yesterday differs from today's build
# there and nowhere else. For each user of ROOT's etc/shadow and etc/shadow-
# whose day is today or yesterday and who has a day in REF's file, the day is
# set to REF's, in place (same inode, mode and owner), so that treecmp
# compares everything else. Any other difference is left for treecmp.
shadow_days_as_ref() {
	local ref=$1 root=$2 f today tmp
	today=$(( $(date -u +%s) / 86400 ))
	for f in etc/shadow etc/shadow-; do
		if [ ! -f "$ref/$f" ] || [ ! -f "$root/$f" ] || [ -L "$root/$f" ]; then
			continue
		fi
		tmp=$(mktemp) || return 1
		awk -F: -v OFS=: -v today="$today" '
			NR == FNR { if ($3 ~ /^[0-9]+$/) day[$1] = $3; next }
			($1 in day) && ($3 == today || $3 == today - 1) { $3 = day[$1] }
			{ print }' "$ref/$f" "$root/$f" > "$tmp" || { rm -f "$tmp"; return 1; }
		cat "$tmp" > "$root/$f" || { rm -f "$tmp"; return 1; }
		rm -f "$tmp"
	done
}

# pkgset ROOT: "Package Version Status-Abbrev" of every package, sorted.
pkgset() {
	if command -v dpkg-query >/dev/null 2>&1; then
		dpkg-query --admindir="$1/var/lib/dpkg" -W \
			-f '${Package} ${Version} ${db:Status-Abbrev}\n'
	else
		chroot "$1" dpkg-query -W -f '${Package} ${Version} ${db:Status-Abbrev}\n'
	fi | LC_ALL=C sort
}

# mirror_setup_file [TOOL...]: for setup_file of the tests that use the
# host's mirror. bats 1.8 cannot skip from setup_file, so the reason goes to
# MIRROR_SKIP for setup() to skip with; otherwise starts the private
# apt-cacher-ng and exports http_proxy. Returns 1 when the test must skip.
mirror_setup_file() {
	export MIRROR_SKIP=
	local t
	if [ -z "$(host_mirror)" ]; then
		MIRROR_SKIP="no Debian mirror configured in the host's apt sources"
	elif [ "$(id -u)" -ne 0 ]; then
		MIRROR_SKIP="needs root (chroot)"
	elif ! command -v apt-cacher-ng >/dev/null && [ ! -x /usr/sbin/apt-cacher-ng ]; then
		MIRROR_SKIP="apt-cacher-ng is not installed"
	fi
	for t in "$@"; do
		[ -n "$MIRROR_SKIP" ] || command -v "$t" >/dev/null || MIRROR_SKIP="$t is not installed"
	done
	[ -z "$MIRROR_SKIP" ] || return 1
	"$XSTRAP_TOP/tests/lib/acng.sh" start
	http_proxy=$("$XSTRAP_TOP/tests/lib/acng.sh" url)
	export http_proxy
}
