#!/usr/bin/env python3
"""tests/lib/imgcmp.py IMAGE DIR [--clamp=EPOCH] [--allow=FILE]

Compares an ext2/3/4 IMAGE, read with debugfs (no mount, no loop device),
with the tree DIR, inode by inode. For every path it compares
  type, mode (setuid/setgid/sticky included), numeric owner and group,
  size and sha256 of regular files, symlink targets, device numbers,
  mtime in seconds (DIR's clamped to EPOCH when --clamp is given),
  extended attributes, names and values (file capabilities and POSIX ACLs
  are xattrs: security.capability, system.posix_acl_*),
  link counts, and hard links: the paths that share an inode in DIR share
  one in IMAGE, and no other paths do.
Directory sizes are not compared (they depend on the filesystem). The
image's /lost+found is ignored when DIR has none (mke2fs makes one too).
--allow=FILE names paths to ignore, one shell glob per line (as in
tests/lib/treecmp.sh; '*' matches '/' too).

Prints one line per difference; exits 0 when equal, 1 when not, 2 on
usage errors or when debugfs fails.
"""
import fnmatch
import hashlib
import os
import re
import stat
import subprocess
import sys
import tempfile


def debugfs(image, cmds):
    """Runs CMDS in one debugfs process; returns {command: output}."""
    with tempfile.NamedTemporaryFile("w", suffix=".cmds", delete=False) as f:
        f.write("\n".join(cmds) + "\n")
        name = f.name
    try:
        p = subprocess.run(["debugfs", "-f", name, image], capture_output=True)
    finally:
        os.unlink(name)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode(errors="replace"))
        sys.exit(2)
    out, cur, buf = {}, None, []
    for line in p.stdout.decode("utf-8", errors="surrogateescape").split("\n"):
        if line.startswith("debugfs: "):
            if cur is not None:
                out[cur] = buf
            cur, buf = line[len("debugfs: "):], []
        else:
            buf.append(line)
    if cur is not None:
        out[cur] = buf
    return out


def image_tree(image):
    """{path: (ino, mode, uid, gid)} of every name in IMAGE; the root is '.'."""
    tree = {".": (2, None, None, None)}
    frontier = [(2, ".")]
    while frontier:
        cmds = ["ls -p <%d>" % ino for ino, _ in frontier]
        out = debugfs(image, cmds)
        nxt = []
        for (ino, path), cmd in zip(frontier, cmds):
            for line in out.get(cmd, []):
                if not line.startswith("/") or not line.endswith("/"):
                    continue
                f = line[1:-1].split("/")
                cino, mode, uid, gid = int(f[0]), int(f[1], 8), int(f[2]), int(f[3])
                name = "/".join(f[4:-1])
                if name in (".", ".."):
                    if name == "." and path == ".":
                        tree["."] = (cino, mode, uid, gid)
                    continue
                child = name if path == "." else path + "/" + name
                tree[child] = (cino, mode, uid, gid)
                if stat.S_ISDIR(mode):
                    nxt.append((cino, child))
        frontier = nxt
    return tree


def parse_stat(lines):
    info = {"xattrs": []}
    in_ea = False
    for line in lines:
        m = re.search(r"Links: (\d+)", line)
        if m:
            info["links"] = int(m.group(1))
        m = re.search(r"Size: (\d+)\s*$", line)
        if m and "User:" in line:
            info["size"] = int(m.group(1))
        m = re.match(r"\s*mtime: 0x([0-9a-f]+)(?::([0-9a-f]+))?", line)
        if m:
            lo, extra = int(m.group(1), 16), int(m.group(2) or "0", 16)
            info["mtime"] = lo - (1 << 32 if lo >= 1 << 31 else 0) + ((extra & 3) << 32)
        m = re.match(r"Fast link dest: \"(.*)\"\s*$", line)
        if m:
            info["fastlink"] = m.group(1)
        m = re.search(r"Device major/minor number: (\d+):(\d+)", line)
        if m:
            info["dev"] = "%d:%d" % (int(m.group(1)), int(m.group(2)))
        if line.startswith("Extended attributes:"):
            in_ea = True
            continue
        if in_ea:
            m = re.match(r"  (\S+) \(\d+\)", line)
            if m:
                info["xattrs"].append(m.group(1))
            else:
                in_ea = False
    return info


def image_inodes(image, inos, modes, tmp):
    """Per inode: links, mtime, xattrs {name: bytes}, and for regular files
    and symlinks their content (sha256 / target)."""
    out = debugfs(image, ["stat <%d>" % i for i in inos])
    info = {i: parse_stat(out.get("stat <%d>" % i, [])) for i in inos}
    cmds, want = [], []
    for i in inos:
        for name in info[i]["xattrs"]:
            cmds.append("ea_get -x <%d> %s" % (i, name))
            want.append((i, name))
        if stat.S_ISREG(modes[i]) or (stat.S_ISLNK(modes[i]) and "fastlink" not in info[i]):
            cmds.append("dump <%d> %s/%d" % (i, tmp, i))
    out = debugfs(image, cmds) if cmds else {}
    for i, name in want:
        text = " ".join(out.get("ea_get -x <%d> %s" % (i, name), []))
        hexpart = text.split("=", 1)[1] if "=" in text else ""
        info[i].setdefault("xv", {})[name] = bytes.fromhex(re.sub(r"[^0-9a-fA-F]", "", hexpart))
    for i in inos:
        path = "%s/%d" % (tmp, i)
        if stat.S_ISREG(modes[i]):
            with open(path, "rb") as f:
                info[i]["sha256"] = hashlib.sha256(f.read()).hexdigest()
        elif stat.S_ISLNK(modes[i]):
            if "fastlink" in info[i]:
                info[i]["target"] = info[i]["fastlink"]
            else:
                with open(path, "rb") as f:
                    info[i]["target"] = f.read().decode("utf-8", errors="surrogateescape")
    return info


def acl_canonical(value):
    """A POSIX ACL xattr with the ids of USER_OBJ, GROUP_OBJ, MASK and
    OTHER as the kernel reports them (ACL_UNDEFINED_ID): libext2fs, which
    debugfs reads through, reports 0 there; ext4's disk format has none."""
    if len(value) < 4 or (len(value) - 4) % 8:
        return value
    out = bytearray(value)
    for off in range(4, len(value), 8):
        tag = int.from_bytes(value[off:off + 2], "little")
        if tag not in (0x02, 0x08):
            out[off + 4:off + 8] = b"\xff\xff\xff\xff"
    return bytes(out)


def canonical_xattrs(xs):
    return {n: acl_canonical(v) if n.startswith("system.posix_acl_") else v for n, v in xs.items()}


def dir_tree(root):
    tree = {}
    for top, dirs, files in os.walk(root):
        rel = os.path.relpath(top, root)
        if rel == ".":
            tree["."] = os.lstat(top)
        for n in dirs + files:
            p = n if rel == "." else rel + "/" + n
            tree[p] = os.lstat(os.path.join(top, n))
    return tree


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opts = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    if len(args) != 2:
        sys.stderr.write(__doc__)
        return 2
    image, root = args
    clamp = int(opts["clamp"]) if "clamp" in opts else None
    allow = []
    if "allow" in opts:
        with open(opts["allow"]) as f:
            allow = [l.split(" #")[0].strip() for l in f if l.strip() and not l.startswith("#")]

    def allowed(p):
        return any(fnmatch.fnmatchcase(p, g) for g in allow)

    itree = image_tree(image)
    dtree = dir_tree(root)
    if "lost+found" not in dtree:
        itree = {p: v for p, v in itree.items() if p != "lost+found" and not p.startswith("lost+found/")}
    modes = {}
    for p, (ino, mode, _, _) in itree.items():
        modes[ino] = mode
    with tempfile.TemporaryDirectory() as tmp:
        info = image_inodes(image, sorted(modes), modes, tmp)

    diffs = []
    ipaths_of, dpaths_of = {}, {}
    for p, (ino, *_rest) in itree.items():
        ipaths_of.setdefault(ino, set()).add(p)
    for p, st in dtree.items():
        if not stat.S_ISDIR(st.st_mode):
            dpaths_of.setdefault((st.st_dev, st.st_ino), set()).add(p)
    for p in sorted(set(itree) | set(dtree)):
        if p != "." and allowed(p):
            continue
        if p not in itree:
            diffs.append("%s\tonly in %s" % (p, root))
            continue
        if p not in dtree:
            diffs.append("%s\tonly in %s" % (p, image))
            continue
        ino, mode, uid, gid = itree[p]
        st, ii = dtree[p], info[ino]
        bad = []
        if mode != st.st_mode:
            bad.append("mode %o != %o" % (mode, st.st_mode))
        if (uid, gid) != (st.st_uid, st.st_gid):
            bad.append("owner %d:%d != %d:%d" % (uid, gid, st.st_uid, st.st_gid))
        mt = st.st_mtime_ns // 10**9
        if clamp is not None and mt > clamp:
            mt = clamp
        if ii.get("mtime") != mt:
            bad.append("mtime %s != %d" % (ii.get("mtime"), mt))
        fsname = os.path.join(root, p)
        if stat.S_ISREG(st.st_mode):
            if ii.get("size") != st.st_size:
                bad.append("size %s != %d" % (ii.get("size"), st.st_size))
            if ii.get("sha256") != file_sha256(fsname):
                bad.append("content differs")
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(fsname)
            if ii.get("target") != target:
                bad.append("symlink -> %r != %r" % (ii.get("target"), target))
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            dev = "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
            if ii.get("dev") != dev:
                bad.append("device %s != %s" % (ii.get("dev"), dev))
        if not (p == "." and "lost+found" not in dtree) and ii.get("links") != st.st_nlink:
            bad.append("links %s != %d" % (ii.get("links"), st.st_nlink))
        dx = {n: os.getxattr(fsname, n, follow_symlinks=False) for n in os.listxattr(fsname, follow_symlinks=False)}
        if canonical_xattrs(ii.get("xv", {})) != canonical_xattrs(dx):
            bad.append("xattrs %r != %r" % (ii.get("xv", {}), dx))
        if not stat.S_ISDIR(st.st_mode):
            same_i = {q for q in ipaths_of[ino] if not allowed(q)}
            same_d = {q for q in dpaths_of[(st.st_dev, st.st_ino)] if not allowed(q)}
            if same_i != same_d:
                bad.append("hard links %s != %s" % (sorted(same_i), sorted(same_d)))
        if bad:
            diffs.append("%s\t%s" % (p, "; ".join(bad)))
    for d in diffs:
        print(d)
    sys.stderr.write("imgcmp: %d paths compared, %d differ\n" % (len(set(itree) | set(dtree)), len(diffs)))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
