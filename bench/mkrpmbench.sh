#!/bin/bash
# bench/mkrpmbench.sh — the larger rpm-md repository of bench/bench-rpm.sh.
#
# Usage: bench/mkrpmbench.sh [-n PACKAGES] OUTDIR
#
# Builds OUTDIR/repo: the base packages of the tests' rpm-md fixture
# (filesystem, busybox, setup, rpm; tests/fixtures/mkrpmrepo.sh, built
# first into $RPM_FIXTURES, default build/fixtures-rpm) plus PACKAGES
# (default 200) generated ones, bench001..benchNNN, all in the group
# "bench" (@bench; a quarter of the generated packages are not listed and
# come in as dependencies). Every package is signed by the fixture's key
# (OUTDIR/keyring.asc is a copy of its public half) and repomd.xml carries
# a detached signature, as in the fixture.
#
# The generated packages have the shape of a distribution's, not its
# content: 20-300 files each in a few directories of their own (/usr/bin,
# /usr/lib64, /usr/libexec, /usr/share/NAME/..., docs, licences, a man
# page, a %config(noreplace) file in /etc), symlinks, file sizes drawn from
# log-normal distributions (text a few kB, binaries tens of kB, a fifth of
# the packages with one file of 0.5-3 MB), text that compresses about 3:1,
# "binaries" about 2:1 and some incompressible data; a quarter of the
# packages have a shell %post, every 40th a %pre that adds a system user
# and group which then own files of the package; Requires between the
# packages (by name, versioned, or by a library soname). About 80 % are
# x86_64, the rest noarch. Payloads: two thirds zstd (Fedora, EL9), one
# third xz -2 (EL8; w2.xzdio). zstd runs at level 3 rather than Fedora's
# 19 to keep the build short; decompression, the part a package manager
# pays for, costs about the same at either level. With the default 200
# packages the repository holds about 31,000 files, ~340 MB installed
# (202 MB of packages); building it takes 60-100 s on 2 cores.
#
# Deterministic content (fixed seed, SOURCE_DATE_EPOCH=1700000000); the
# signatures are new on every build, like the fixture's. Built once: when
# OUTDIR/.done is newer than this script and the fixture's .done, and
# PACKAGES is the same, nothing is done. rpmbuild runs on all cores
# (xargs -P). Needs what mkrpmrepo.sh needs, and python3.
set -euo pipefail
export LC_ALL=C TZ=UTC
umask 022

top=$(cd "$(dirname "$0")/.." && pwd)
npkg=200
while getopts n:h opt; do
	case $opt in
	n) npkg=$OPTARG ;;
	*) sed -n '2,/^set -e/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -e/d'; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-n PACKAGES] OUTDIR" >&2; exit 2; }
case $npkg in ''|*[!0-9]*|0) echo "mkrpmbench.sh: -n wants a positive number" >&2; exit 2 ;; esac
script=$(readlink -f "$0")
fixtures=${RPM_FIXTURES:-$top/build/fixtures-rpm}

bash "$top/tests/fixtures/mkrpmrepo.sh" "$fixtures"
fixtures=$(cd "$fixtures" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

fresh() {
	[ -e "$out/.done" ] && [ "$(cat "$out/params" 2>/dev/null)" = "packages=$npkg" ] &&
		[ -z "$(find "$script" "$fixtures/.done" -newer "$out/.done" -print -quit)" ]
}
fresh && exit 0
exec 9>"$out/.lock"
flock 9
fresh && exit 0

for tool in rpmbuild rpmsign createrepo_c gpg python3 xargs; do
	command -v "$tool" >/dev/null || { echo "mkrpmbench.sh: $tool is required" >&2; exit 1; }
done

export SOURCE_DATE_EPOCH=1700000000
rm -rf "$out/repo" "$out/work" "$out/.done" "$out/params" "$out/keyring.asc"
work=$out/work
mkdir -p "$work/home" "$work/top" "$work/specs" "$work/trees"
t0=$(date +%s)
tick() { echo "mkrpmbench.sh: $1 after $(($(date +%s) - t0)) s" >&2; }

# --- the generated packages: specs and their file trees -------------------------

python3 - "$work" "$npkg" <<'PY'
import math, os, random, sys

work, npkg = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261122)

# a vocabulary and a pool of lines for text files
def word(r):
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 10)))
vocab = [word(rng) for _ in range(3000)]
lines = []
for _ in range(20000):
    n = rng.randint(2, 14)
    s = " ".join(rng.choice(vocab) for _ in range(n))
    lines.append(rng.choice(["", "", "    ", "\t", "# ", "  * "]) + s + rng.choice(["", ".", ";", " {", ",", ")"]) + "\n")

def text(r, size):
    out, n = [], 0
    while n < size:
        l = lines[r.randrange(len(lines))]
        out.append(l)
        n += len(l)
    return "".join(out)[:size].encode()

def binary(r, size):
    # 4 kB blocks: random, repeated or sparse; compresses about 2:1
    out, n, blocks = [], 0, []
    while n < size:
        k = r.random()
        if k < 0.45 or not blocks:
            b = r.randbytes(4096)
        elif k < 0.75:
            b = blocks[r.randrange(len(blocks))]
        else:
            b = bytes(4096 - 64) + r.randbytes(64)
        blocks.append(b)
        out.append(b)
        n += len(b)
    return b"".join(out)[:size]

def lognormal(r, median, sigma, cap):
    return max(16, min(cap, int(r.lognormvariate(math.log(median), sigma))))

names = ["bench%03d" % (i + 1) for i in range(npkg)]
archs = ["noarch" if random.Random(1000 + i).random() < 0.2 else "x86_64" for i in range(npkg)]
total_size = total_files = 0
group = []
for i, name in enumerate(names):
    r = random.Random(1000 + i)
    r.random()
    arch = archs[i]
    version = "%d.%d.%d" % (r.randint(0, 9), r.randint(0, 30), r.randint(0, 20))
    payload = "w2.xzdio" if i % 3 == 2 else "w3.zstdio"
    tree = os.path.join(work, "trees", name)
    files = []          # (path, kind, data)
    dirs = []           # directories the package owns
    attrs = {}          # path -> %attr(...) prefix
    config = set()
    links = []          # (path, target)

    libdir = "/usr/lib64" if arch == "x86_64" else "/usr/lib"
    share = "/usr/share/" + name
    subdirs = [share] + ["%s/%s" % (share, word(r)) for _ in range(r.randint(1, 4))]
    dirs += subdirs
    if arch == "x86_64" and r.random() < 0.5:
        dirs.append("/usr/libexec/" + name)
    dirs += ["/usr/share/doc/" + name, "/usr/share/licenses/" + name]
    nfiles = r.randint(20, 300)

    def add(path, data, mode=0o644):
        files.append((path, data, mode))

    # the fixed part: programs, a library, config, docs, licence, man page
    for k in range(r.randint(1, 3)):
        add("/usr/bin/%s%s" % (name, "" if k == 0 else "-" + word(r)), binary(r, lognormal(r, 24000, 1.2, 2 << 20)), 0o755)
    if arch == "x86_64":
        so = "%s/lib%s.so.1.%d.0" % (libdir, name, r.randint(0, 9))
        add(so, binary(r, lognormal(r, 60000, 1.2, 3 << 20)), 0o755)
        links.append(("%s/lib%s.so.1" % (libdir, name), os.path.basename(so)))
    add("/etc/%s.conf" % name, text(r, lognormal(r, 1500, 0.8, 20000)))
    config.add("/etc/%s.conf" % name)
    add("/usr/share/doc/%s/README" % name, text(r, lognormal(r, 3000, 0.8, 40000)))
    add("/usr/share/licenses/%s/LICENSE" % name, text(r, lognormal(r, 10000, 0.3, 40000)))
    add("/usr/share/man/man1/%s.1.gz" % name, r.randbytes(lognormal(r, 2500, 0.7, 30000)))
    if r.random() < 0.2:    # one large file: a data blob, mostly incompressible
        big = r.randint(400000, 2500000)
        blob = r.randbytes(big * 3 // 4) + binary(r, big - big * 3 // 4)
        add("%s/%s.dat" % (share, word(r)), blob)
    # the rest: text and binary files spread over the package's directories
    own = [d for d in dirs if d.startswith(share) or d.startswith("/usr/libexec")]
    while len(files) < nfiles:
        d = r.choice(own)
        k = r.random()
        if k < 0.70:
            add("%s/%s.%s" % (d, word(r), r.choice(["txt", "py", "xml", "conf", "h", "json", "html"])),
                text(r, lognormal(r, 2000, 1.2, 256000)))
        elif k < 0.95:
            add("%s/%s.%s" % (d, word(r), r.choice(["so", "bin", "mo", "pyc"])),
                binary(r, lognormal(r, 6000, 1.4, 4 << 20)), 0o755 if d.startswith("/usr/libexec") else 0o644)
        else:
            add("%s/%s.%s" % (d, word(r), r.choice(["png", "gz", "ttf"])), r.randbytes(lognormal(r, 6000, 1.2, 1 << 20)))
        if r.random() < 0.02:
            links.append(("%s/%s" % (d, word(r)), os.path.basename(files[-1][0])))
    seen = set()
    for path, data, mode in files:
        if path in seen:
            continue
        seen.add(path)
        p = tree + path
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        total_size += len(data)
        total_files += 1
    links = [(l, t) for l, t in dict(links).items() if l not in seen]
    for l, t in links:
        os.makedirs(os.path.dirname(tree + l), exist_ok=True)
        os.symlink(t, tree + l)
    for d in dirs:
        os.makedirs(tree + d, exist_ok=True)

    # scriptlets
    pre = post = None
    user = None
    if i % 40 == 7:
        user, uid = name, 900 + i
        pre = ("grep -q '^{u}:' /etc/group || echo '{u}:x:{id}:' >>/etc/group\n"
               "grep -q '^{u}:' /etc/passwd || echo '{u}:x:{id}:{id}:{u} daemon:/var/lib/{u}:/sbin/nologin' >>/etc/passwd\n"
               "grep -q '^{u}:' /etc/shadow || echo '{u}:!!:19676::::::' >>/etc/shadow\n"
               "exit 0\n").format(u=user, id=uid)
        dirs.append("/var/lib/" + user)
        os.makedirs(tree + "/var/lib/" + user, exist_ok=True)
        attrs["/var/lib/" + user] = "%%attr(0750,%s,%s)" % (user, user)
        attrs["/etc/%s.conf" % name] = "%%attr(0640,root,%s)" % user
    if i % 4 == 1:
        post = ("mkdir -p /var/lib/{n}-state\n"
                "echo 'configured {n} {v}' >/var/lib/{n}-state/stamp\n"
                "if [ -f /etc/{n}.conf ]; then\n"
                "\tsed -n 1p /etc/{n}.conf >/var/lib/{n}-state/first-line\n"
                "fi\n"
                "grep -c . /usr/share/doc/{n}/README >/dev/null || :\n").format(n=name, v=version)

    # dependencies on earlier packages: by name, versioned, or by soname
    requires = ["filesystem"]
    provides = []
    if arch == "x86_64":
        provides.append("lib%s.so.1()(64bit)" % name)
    for j in sorted(set(r.randrange(i) for _ in range(r.randint(0, 3)))) if i else []:
        dep = names[j]
        k = r.random()
        if k < 0.4 or (k >= 0.7 and archs[j] == "noarch"):
            requires.append(dep)
        elif k < 0.7:
            requires.append("%s >= 0.1" % dep)
        else:
            requires.append("lib%s.so.1()(64bit)" % dep)
    # a quarter are pulled in by the next package instead of the group
    if i % 4 != 3 or i + 1 == npkg:
        group.append(name)
    if i % 4 == 0 and i > 0:
        requires.append(names[i - 1])
    with open(os.path.join(work, "specs", name + ".spec"), "w") as f:
        f.write("%%define _binary_payload %s\n\n" % payload)
        f.write("Name:\t\t%s\nVersion:\t%s\nRelease:\t1\n" % (name, version))
        f.write("Summary:\tGenerated package %d of the xstrap rpm benchmark\n" % (i + 1))
        f.write("License:\tMIT\nAutoReqProv:\tno\n")
        if arch == "noarch":
            f.write("BuildArch:\tnoarch\n")
        for q in requires:
            f.write("Requires:\t%s\n" % q)
        for q in provides:
            f.write("Provides:\t%s\n" % q)
        if pre:
            f.write("Requires(pre):\tsetup\nRequires(pre):\t/bin/sh\n")
        if post:
            f.write("Requires(post):\t/bin/sh\n")
        f.write("\n%%description\nPackage %d of bench/mkrpmbench.sh: files of a realistic shape.\n\n" % (i + 1))
        f.write("%%install\ncp -a %s/. %%{buildroot}/\n\n" % tree)
        if pre:
            f.write("%%pre\n%s\n" % pre)
        if post:
            f.write("%%post\n%s\n" % post)
        f.write("%files\n")
        for d in dirs:
            f.write("%s%%dir %s\n" % (attrs.get(d, "") + " " if d in attrs else "", d))
        for path in sorted(seen):
            pfx = attrs.get(path, "")
            if path in config:
                pfx = (pfx + " " if pfx else "") + "%config(noreplace)"
            f.write("%s%s\n" % (pfx + " " if pfx else "", path))
        for l, _ in links:
            f.write("%s\n" % l)
with open(os.path.join(work, "group"), "w") as f:
    f.write("\n".join(group) + "\n")
print("mkrpmbench.sh: %d packages, %d files, %.0f MB of file data" % (npkg, total_files, total_size / 1e6), file=sys.stderr)
PY

tick "generated"
# --- build and sign ----------------------------------------------------------------

export HOME=$work/home
cat >"$HOME/.rpmmacros" <<EOF
%_topdir $work/top
%_dbpath /var/lib/rpm
%_buildhost xstrap-bench
%use_source_date_epoch_as_buildtime 1
%clamp_mtime_to_source_date_epoch 1
%__os_install_post %{nil}
%debug_package %{nil}
%_build_id_links none
%__gpg /usr/bin/gpg
EOF

# rpmbuild classifies every file with libmagic (for file colours and
# automatic dependencies, both moot here); with the system's magic database
# that is 85 % of its time on these files. A one-line database makes it
# cheap; the file classes in the headers say "data" or "ASCII text".
printf '0\tstring\tXSTRAPBENCHMAGIC\txstrap bench data\n' >"$work/magic"
export MAGIC=$work/magic
# one rpmbuild per spec, as many at a time as there are cores; the
# directories they share exist beforehand (two rpmbuilds creating BUILD at
# once: "failed to create directory ... File exists")
mkdir -p "$work"/top/BUILD "$work"/top/BUILDROOT "$work"/top/RPMS/noarch "$work"/top/RPMS/x86_64 \
	"$work"/top/SOURCES "$work"/top/SPECS "$work"/top/SRPMS
if ! find "$work/specs" -name '*.spec' -print0 | sort -z |
	xargs -0 -P "$(nproc)" -n 1 sh -c 'rpmbuild -bb --quiet "$1" >"$1.log" 2>&1 || { cat "$1.log" >&2; exit 255; }' sh; then
	echo "mkrpmbench.sh: rpmbuild failed" >&2
	exit 1
fi

tick "built"
mkdir -p "$out/repo/Packages"
for base in filesystem busybox setup rpm; do
	cp "$fixtures"/repo/Packages/"$base"-[0-9]*.rpm "$out/repo/Packages/"
done
cp "$fixtures/keyring.asc" "$out/keyring.asc"
gnupg=$(readlink -f "$fixtures/gnupg")
trap 'gpgconf --homedir "$gnupg" --kill gpg-agent 2>/dev/null || true' EXIT
fpr=$(gpg --homedir "$gnupg" --batch --no-auto-check-trustdb --with-colons --show-keys "$fixtures/keyring.asc" | awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$fpr" ] || { echo "mkrpmbench.sh: no key in $fixtures/keyring.asc" >&2; exit 1; }
if ! rpmsign --addsign --define "_gpg_path $gnupg" --define "_gpg_name $fpr" \
	"$work"/top/RPMS/*/bench*.rpm >"$work/sign.log" 2>&1; then
	cat "$work/sign.log" >&2
	echo "mkrpmbench.sh: rpmsign --addsign failed" >&2
	exit 1
fi
mv "$work"/top/RPMS/*/bench*.rpm "$out/repo/Packages/"
tick "signed"

{
	cat <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group>
    <id>bench</id>
    <name>Bench</name>
    <description>The fixture's base and the generated packages of bench/mkrpmbench.sh.</description>
    <default>true</default>
    <uservisible>false</uservisible>
    <packagelist>
EOF
	for p in filesystem setup busybox rpm $(cat "$work/group"); do
		echo "      <packagereq type=\"mandatory\">$p</packagereq>"
	done
	cat <<'EOF'
    </packagelist>
  </group>
</comps>
EOF
} >"$work/comps.xml"
touch -d @"$SOURCE_DATE_EPOCH" "$out"/repo/Packages/*.rpm
createrepo_c --quiet --no-database --groupfile "$work/comps.xml" \
	--revision "$SOURCE_DATE_EPOCH" --set-timestamp-to-revision "$out/repo" >/dev/null
gpg --homedir "$gnupg" --batch --quiet --no-tty --no-auto-check-trustdb --local-user "$fpr" --armor --detach-sign \
	-o "$out/repo/repodata/repomd.xml.asc" "$out/repo/repodata/repomd.xml"

rm -rf "$work"
echo "packages=$npkg" >"$out/params"
touch "$out/.done"
echo "mkrpmbench.sh: $out/repo: $(find "$out/repo/Packages" -name '*.rpm' | wc -l) packages," \
	"$(du -sm "$out/repo/Packages" | cut -f1) MB, built in $(($(date +%s) - t0)) s" >&2
