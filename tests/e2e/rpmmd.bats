#!/usr/bin/env bats
# rpm-md resolution is dnf's: `xstrap plan --repo-type=rpm-md` on the real
# CentOS Stream 9 BaseOS metadata in ../shared/data/cs9-baseos gives exactly
# the package set (name, epoch, version, release, arch) that dnf 4 computes
# on the same metadata for @core, kernel and openssh-server, and for the
# environment @minimal-environment ("Minimal Install"), with weak
# dependencies off and on. dnf runs here, in the same test, through
# tests/lib/dnf-plan.py (its Python API, in a throwaway installroot); that is
# what `dnf --installroot=ROOT --assumeno install @core kernel openssh-server`
# prints as its transaction. Skips when the metadata or dnf is absent.
bats_require_minimum_version 1.5.0

setup() {
	load ../lib/common
	DATA=$XSTRAP_TOP/../shared/data/cs9-baseos
	[ -d "$DATA/repodata" ] || skip "no CentOS Stream 9 metadata at $DATA (../shared/data is not in this checkout)"
	DATA=$(cd "$DATA" && pwd)
	[ -x /usr/bin/dnf ] || skip "dnf is not installed (Debian packages dnf, python3-dnf): nothing to compare with"
	/usr/bin/python3 -c 'import dnf' 2>/dev/null ||
		skip "/usr/bin/python3 cannot import dnf (Debian package python3-dnf)"
	[ -x "$XSTRAP" ] || { echo "the binary under test is missing: $XSTRAP (run make)" >&2; return 1; }
	CACHE=$BATS_TEST_TMPDIR/cache
	export XDG_CACHE_HOME=$BATS_TEST_TMPDIR/xdg-cache
}

# same_as_dnf WEAK [XSTRAP OPTIONS]: dnf's set (weak deps WEAK=0|1) and
# xstrap's for @core, kernel and openssh-server are equal; on a mismatch,
# show what each has that the other has not.
same_as_dnf() {
	local weak=$1 specs=$2 d=$BATS_TEST_TMPDIR
	shift 2
	local dnf_specs
	IFS=, read -r -a dnf_specs <<<"$specs"
	run --separate-stderr /usr/bin/python3 "$XSTRAP_TOP/tests/lib/dnf-plan.py" \
		"$DATA" "$weak" "${dnf_specs[@]}"
	assert_status 0
	printf '%s\n' "$output" | LC_ALL=C sort >"$d/dnf.txt"

	run --separate-stderr xs plan --repo-type=rpm-md --no-verify "$@" \
		--include="$specs" cs9 "file://$DATA"
	assert_status 0
	printf '%s\n' "$output" | LC_ALL=C sort >"$d/xstrap.txt"

	if ! cmp -s "$d/dnf.txt" "$d/xstrap.txt"; then
		echo "xstrap's package set differs from dnf's" \
			"(weak deps $weak; dnf: $(wc -l <"$d/dnf.txt"), xstrap: $(wc -l <"$d/xstrap.txt") packages)" >&2
		echo "--- only dnf installs:" >&2
		LC_ALL=C comm -23 "$d/dnf.txt" "$d/xstrap.txt" >&2
		echo "+++ only xstrap installs:" >&2
		LC_ALL=C comm -13 "$d/dnf.txt" "$d/xstrap.txt" >&2
		return 1
	fi
	# a sanity floor: the comparison is about a real system, not two empty sets
	[ "$(wc -l <"$d/dnf.txt")" -gt 150 ]
}

@test "rpm-md: @core, kernel, openssh-server without weak deps: dnf's package set" {
	same_as_dnf 0 @core,kernel,openssh-server
	grep -q '^kernel 0:5.14.0-55.el9 x86_64$' "$BATS_TEST_TMPDIR/xstrap.txt"
	grep -q '^openssh-server ' "$BATS_TEST_TMPDIR/xstrap.txt"
}

@test "rpm-md: @core, kernel, openssh-server with weak deps (--recommends): dnf's package set" {
	same_as_dnf 1 @core,kernel,openssh-server --recommends
	grep -q '^kernel 0:5.14.0-55.el9 x86_64$' "$BATS_TEST_TMPDIR/xstrap.txt"
}

@test "rpm-md: the environment @minimal-environment, weak deps off and on: dnf's package sets" {
	same_as_dnf 0 @minimal-environment
	same_as_dnf 1 @minimal-environment --recommends
}

@test "rpm-md: the environment by its name, \"@Minimal Install\", with weak deps: dnf's package set" {
	same_as_dnf 1 "@Minimal Install" --recommends
}
