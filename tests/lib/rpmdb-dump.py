#!/usr/bin/env python3
"""rpmdb-dump.py DB: rpm's sqlite database as sorted text lines, for diff.

Each package's stored header (hex, with INSTALLTIME and INSTALLTID zeroed:
the time of the build) and every index table's rows with the package's name
in place of its row number (hnum: the order of the writes), and the schema.
sqlite_stat1 (the query planner's statistics, which depend on the queries
the writer ran) is left out."""
import sqlite3
import struct
import sys

INSTALL_TIMES = (1008, 1128)  # INSTALLTIME, INSTALLTID


def entries(blob):
    il, _ = struct.unpack(">II", blob[:8])
    return il, [struct.unpack(">IIiI", blob[8 + 16 * i:24 + 16 * i]) for i in range(il)]


def name_of(blob):
    il, ents = entries(blob)
    store = blob[8 + 16 * il:]
    for tag, _, off, _ in ents:
        if tag == 1000:
            return store[off:store.index(b"\0", off)].decode()
    return "?"


def without_times(blob):
    il, ents = entries(blob)
    b = bytearray(blob)
    base = 8 + 16 * il
    for tag, _, off, _ in ents:
        if tag in INSTALL_TIMES:
            b[base + off:base + off + 4] = b"\0\0\0\0"
    return bytes(b)


def main():
    con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    names = {}
    lines = []
    for hnum, blob in con.execute("SELECT hnum, blob FROM Packages"):
        names[hnum] = name_of(blob)
        lines.append("Packages %s %s" % (names[hnum], without_times(blob).hex()))
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
        "('Packages', 'sqlite_sequence', 'sqlite_stat1')")]
    for t in tables:
        for key, hnum, idx in con.execute("SELECT key, hnum, idx FROM '%s'" % t):
            if t == "Installtid":
                key = "(time)"
            lines.append("%s %r %s %d" % (t, key, names.get(hnum, hnum), idx))
    for (sql,) in con.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
                              "AND name != 'sqlite_stat1'"):
        lines.append("schema " + sql)
    print("\n".join(sorted(lines)))


main()
