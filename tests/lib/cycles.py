#!/usr/bin/env python3
"""cycles.py - fails when the core's modules call each other in a cycle.

Reads the link graph of the built objects with nm: a module (one object
file) depends on another when it uses a symbol the other defines. Prints
every strongly connected group of two or more modules, with one call that
makes each edge, and exits 1; prints "no cycles among N modules" and exits 0
otherwise.

Usage: tests/lib/cycles.py OBJDIR | OBJECT.o...   (make cycles passes the
core's objects; a directory is searched for *.o)
"""
import os
import subprocess
import sys


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], check=True, capture_output=True, text=True).stdout
    return out.splitlines()


def module_name(objdir, path):
    rel = os.path.relpath(path, objdir)
    return rel[:-2] if rel.endswith(".o") else rel


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    objs = []
    if len(sys.argv) == 2 and os.path.isdir(sys.argv[1]):
        objdir = sys.argv[1]
        for d, _, files in os.walk(objdir):
            objs += [os.path.join(d, f) for f in files if f.endswith(".o")]
    else:
        objs = sys.argv[1:]
        objdir = os.path.commonpath([os.path.dirname(os.path.abspath(o)) for o in objs])
        objs = [os.path.abspath(o) for o in objs]
    if not objs:
        sys.exit(f"{objdir}: no object files; build first (make)")
    defined, used = {}, {}
    for o in objs:
        m = module_name(objdir, o)
        used[m] = set()
        for line in nm(o, "--defined-only", "--extern-only"):
            parts = line.split()
            if len(parts) >= 3:
                defined.setdefault(parts[2], m)
        for line in nm(o, "--undefined-only"):
            parts = line.split()
            if parts:
                used[m].add(parts[-1])
    edges = {m: {} for m in used}
    for m, syms in used.items():
        for s in sorted(syms):
            d = defined.get(s)
            if d and d != m and d not in edges[m]:
                edges[m][d] = s
    # Tarjan's strongly connected components
    index, low, stack, on, sccs = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    if not sccs:
        print(f"no cycles among {len(edges)} modules")
        return 0
    for comp in sccs:
        print("cycle among: " + ", ".join(comp))
        for a in comp:
            for b, sym in sorted(edges[a].items()):
                if b in comp:
                    print(f"  {a} -> {b} (calls {sym})")
    return 1


if __name__ == "__main__":
    sys.exit(main())
