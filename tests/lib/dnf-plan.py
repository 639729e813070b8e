#!/usr/bin/python3
# tests/lib/dnf-plan.py - the package set dnf would install into an empty root
#
# Usage: /usr/bin/python3 tests/lib/dnf-plan.py REPO_PATH WEAK SPEC...
#   REPO_PATH  a local rpm-md repository (the directory holding repodata/)
#   WEAK       1: install weak dependencies (Recommends, Supplements), 0: not
#   SPEC       what `dnf install` takes: NAME, @GROUP, @ENVIRONMENT, ...
#
# Prints one line per package of the transaction, sorted:
#   NAME EPOCH:VERSION-RELEASE ARCH
# with EPOCH always printed (0 when the package has none), the form of
# `xstrap plan`. Exits 1 and prints dnf's problem when the request cannot be
# resolved.
#
# This is what `dnf --installroot=ROOT --releasever=9 --setopt=reposdir=
# --repofrompath=r,file://REPO_PATH --setopt=r.gpgcheck=0
# --setopt=install_weak_deps=WEAK --assumeno install SPEC...` computes, through
# dnf's own Python API (python3-dnf, dnf 4) instead of its table output. The
# host's /etc/dnf/dnf.conf and plugins are not read, so the result does not
# depend on the host's configuration; the options dnf.conf could change are
# set here to dnf's defaults. The root and the cache are throwaway directories.
# Run it with the system's /usr/bin/python3: the dnf module is a Debian package.

import os
import shutil
import sys
import tempfile

import dnf
import dnf.exceptions


def main(argv):
    if len(argv) < 4 or argv[2] not in ("0", "1"):
        sys.stderr.write("usage: dnf-plan.py REPO_PATH WEAK(0|1) SPEC...\n")
        return 2
    repo = os.path.abspath(argv[1])
    weak = argv[2] == "1"
    specs = argv[3:]
    if not os.path.isfile(os.path.join(repo, "repodata", "repomd.xml")):
        sys.stderr.write("dnf-plan.py: no repodata/repomd.xml in %s\n" % repo)
        return 2

    tmp = tempfile.mkdtemp(prefix="dnf-plan.")
    try:
        base = dnf.Base()
        conf = base.conf
        conf.installroot = os.path.join(tmp, "root")
        os.makedirs(conf.installroot)
        conf.cachedir = os.path.join(tmp, "cache")
        conf.persistdir = os.path.join(tmp, "persist")
        conf.logdir = os.path.join(tmp, "log")
        for d in (conf.cachedir, conf.persistdir, conf.logdir):
            os.makedirs(d)
        conf.reposdir = []
        conf.releasever = "9"
        # The repository is x86_64 whatever the host: dnf --forcearch=x86_64.
        conf.arch = "x86_64"
        conf.install_weak_deps = weak
        conf.skip_if_unavailable = False
        conf.gpgcheck = False
        conf.repo_gpgcheck = False
        conf.best = False          # dnf's built-in default (Debian's dnf.conf too)
        conf.multilib_policy = "best"
        conf.group_package_types = ["mandatory", "default", "conditional"]
        conf.substitutions["releasever"] = "9"

        base.repos.add_new_repo("baseos", conf, baseurl=["file://" + repo],
                                gpgcheck=False, repo_gpgcheck=False,
                                skip_if_unavailable=False)
        base.fill_sack(load_system_repo=False)
        base.read_comps(arch_filter=True)
        try:
            base.install_specs(specs)
            base.resolve()
        except dnf.exceptions.Error as e:
            sys.stderr.write("dnf-plan.py: dnf cannot resolve %s: %s\n"
                             % (" ".join(specs), e))
            return 1

        lines = set()
        for p in base.transaction.install_set:
            lines.add("%s %d:%s-%s %s" % (p.name, p.epoch or 0, p.version,
                                          p.release, p.arch))
        if not lines:
            sys.stderr.write("dnf-plan.py: dnf installs nothing\n")
            return 1
        # C collation, as `LC_ALL=C sort` orders xstrap's output
        for line in sorted(lines, key=lambda s: s.encode()):
            print(line)
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
