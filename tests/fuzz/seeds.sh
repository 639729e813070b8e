#!/bin/bash
# Seeds the fuzz corpora from the test fixtures (built here when missing,
# never committed): OUTDIR/TARGET/ for each target of tests/fuzz/.
#
# Usage: tests/fuzz/seeds.sh OUTDIR
# XSTRAP_FIXTURES and RPM_FIXTURES as for the tests (default build/fixtures,
# build/fixtures-rpm). Without rpmbuild the rpm corpora start from the
# committed regression inputs alone.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
apt=${XSTRAP_FIXTURES:-$top/build/fixtures}
rpm=${RPM_FIXTURES:-$top/build/fixtures-rpm}
mkdir -p "$out"/{release,packages,deb,rpm,rpmmd,sources,suites,config}
cp "$top/repos/debian.conf" "$top/repos/rpm.conf" "$out/suites/"

bash "$top/tests/fixtures/mkrepo.sh" "$apt" >&2
dist=$apt/repo/dists/fixture
cp "$dist/Release" "$out/release/Release"
cp "$dist/InRelease" "$out/release/InRelease"
cp "$dist/main/binary-amd64/Packages" "$out/packages/Packages"
# the small packages whole; a big one is a slow seed and adds nothing
find "$apt/repo/pool" -name '*.deb' -size -64k -exec cp -t "$out/deb" {} +

if command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null; then
	bash "$top/tests/fixtures/mkrpmrepo.sh" "$rpm" >&2
	find "$rpm/repo/Packages" -name '*.rpm' -size -64k -exec cp -t "$out/rpm" {} +
	# rpmmd: the first byte picks the loader (0 repomd, 1 primary, 2 filelists, 3 comps)
	md=$rpm/repo/repodata
	{ printf '\0'; cat "$md/repomd.xml"; } >"$out/rpmmd/repomd"
	for kind in primary:1 filelists:2; do
		f=$(ls "$md"/*-"${kind%:*}".xml.* | head -n 1)
		case $f in
		*.zst) cat=zstdcat ;;
		*.xz) cat=xzcat ;;
		*.bz2) cat=bzcat ;;
		*) cat="zcat -f" ;;
		esac
		{ printf "\\x0${kind#*:}"; $cat "$f"; } >"$out/rpmmd/${kind%:*}"
	done
	{ printf '\3'; cat "$top/tests/fixtures/rpm/comps.xml"; } >"$out/rpmmd/comps"
else
	echo "seeds.sh: rpmbuild or createrepo_c missing: no rpm seeds from fixtures" >&2
fi

# what tests/unit/test_sources.c reads, as a user's host would have it
cat >"$out/sources/deb822" <<'SRC'
Types: deb deb-src
URIs: http://mirror.invalid/debian/ http://other.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.invalid/debian-security
Suites: bookworm-security
Components: main
SRC
cat >"$out/sources/oneline" <<'SRC'
# comment
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.invalid/debian/ bookworm main
deb-src http://mirror.invalid/debian bookworm main
deb http://security.invalid/debian-security bookworm-security main
SRC

# config: a class script, a package list and a hook, cut at "--8<--" lines
# (fuzz_config.c): every class script and every hook of the built-in space
# and of the test config spaces, with the test space's package list
cut=$'\n--8<--\n'
pkglist=$(cat "$top"/tests/fixtures/config-space/packages/*.lua | head -c 4096)
n=0
for f in "$top"/classes/*.lua "$top"/tests/fixtures/config-space*/classes/*.lua; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	printf '%s%s%s%s' "$(cat "$f")" "$cut" "$pkglist" "$cut" >"$out/config/class-$n"
done
for f in "$top"/hooks/*/*.lua "$top"/tests/fixtures/config-space*/hooks/*/*.lua; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	printf 'return { "WEB" }%s%s%s%s' "$cut" "$pkglist" "$cut" "$(cat "$f")" >"$out/config/hook-$n"
done
