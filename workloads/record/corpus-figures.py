#!/usr/bin/env python3
"""Every fidelity figure of a set of recordings, as the markdown table of docs/corpus.md.

  corpus-figures.py [--mmreplay BIN] [--pressure NAMES] [--out DIR] RECORDING_DIR...

For each recording directory it runs five views of mmreplay (vmalloc-fidelity, the same with
--purge model, machine --seed-check, machine in buddy mode, machine in placement mode with the
kernel's policy: --buddy mobility --pcp on), keeps their outputs in --out (default: a new
temporary folder, named on stderr) and prints one row per recording. A bound that does not hold
is marked with a cross: follow after the first purge >= 99 % where the ceiling is >= 99 %, else
within 2 points of it; purges within 1 of the kernel's; end state >= 99 %; seed in range; buddy
mode ufi(9) max <= 2 thousandths, free pages <= 0.5 %, at most 5 % of the snapshots left out;
placement ufi(9) max <= 15 and free pages <= 2 %, marked only for the recordings named in
--pressure (comma-separated directory names: nearly full and memory-hog recordings). Exit 0 when
every view ran, 1 when one failed (its cells show '-'), 2 on usage.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

VIEWS = (
    ("vfid", ["vmalloc-fidelity"]),
    ("vfidm", ["vmalloc-fidelity", "--purge", "model"]),
    ("seed", ["machine", "--seed-check"]),
    ("buddy", ["machine", "--page-mode", "buddy"]),
    ("place", ["machine", "--page-mode", "placement", "--buddy", "mobility", "--pcp", "on"]),
)
HEAD = ("| recording | follow after the first purge (ceiling) | purges model / kernel | end state "
        "| seed | buddy: ufi(9) max / mean, free pages, untraced | placement: ufi(9) max / mean, "
        "free pages | placement compaction runs, migrated (kernel) |")


def cross(good):
    return "" if good else " **✗**"


def phys(text, bounded, buddy):
    """The buddy or placement cell, and the compaction cell, from a machine view's output."""
    m = re.search(r"against (\d+) buddyinfo snapshots: ufi\(9\) error max (\d+) .*?mean ([\d.]+) "
                  r"thousandths; free pages error max (\d+) of (\d+) \(([\d.]+) %\)", text)
    if not m:
        return "-", "-"
    u = re.search(r"left out for evidence of untraced movements (\d+)", text)
    cm = re.search(r"compaction runs (\d+) \(kernel (\d+)\).*?migrated (\d+) \((\d+)\)", text)
    uf, fr, tot = int(m[2]), float(m[6]), int(m[1])
    un = int(u[1]) if u else 0
    if buddy:
        cell = (f"{uf}{cross(uf <= 2)} / {m[3]}, {m[6]} %{cross(fr <= 0.5)}, "
                f"{un} of {tot}{cross(un <= 0.05 * tot)}")
    elif bounded:
        cell = f"{uf}{cross(uf <= 15)} / {m[3]}, {m[6]} %{cross(fr <= 2)}"
    else:
        cell = f"{uf} / {m[3]}, {m[6]} %"
    comp = f"{cm[1]} ({cm[2]}), {int(cm[3]):,} ({int(cm[4]):,})" if cm and int(cm[2]) else "-"
    return cell, comp


def row(name, out, bounded):
    v, vm, s, b, p = (out.get(k, "") for k, _ in VIEWS)
    m = re.search(r"after the first purge: (\d+) / (\d+) \(([\d.]+) %\)", v)
    c = re.search(r"ceiling:.*?\(([\d.]+) %\)", v)
    if m and int(m[2]) > 0:
        f, ce = float(m[3]), float(c[1]) if c else 100.0
        follow = f"{m[3]} % ({ce:.1f} %){cross(f >= 99 if ce >= 99 else f >= ce - 2)}"
    else:
        follow = "no purge" if v else "-"
    m = re.search(r"purges: model (\d+), trace (\d+)", vm)
    purges = f"{m[1]} / {m[2]}{cross(abs(int(m[1]) - int(m[2])) <= 1)}" if m else "-"
    m = re.search(r"end state: \d+ of \d+ .*?\(([\d.]+) %\)", v)
    end = f"{m[1]} %{cross(float(m[1]) >= 99)}" if m else "-"
    seed = "in range" if "is in range" in s else ("**out**" if s else "-")
    bb, _ = phys(b, True, True)
    pp, comp = phys(p, bounded, False)
    return f"| {name} | {follow} | {purges} | {end} | {seed} | {bb} | {pp} | {comp} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mmreplay", default="mmreplay", help="the mmreplay to run [mmreplay]")
    ap.add_argument("--pressure", default="", help="recordings the placement bounds apply to")
    ap.add_argument("--out", help="folder for the views' outputs (made if missing)")
    ap.add_argument("dirs", nargs="+", metavar="RECORDING_DIR")
    a = ap.parse_args()
    pressure = {n for n in a.pressure.split(",") if n}
    out = a.out or tempfile.mkdtemp(prefix="corpus-figures.")
    os.makedirs(out, exist_ok=True)
    if not a.out:
        print(f"corpus-figures.py: the views' outputs are in {out}", file=sys.stderr)
    status = 0
    rows = []
    for d in a.dirs:
        name = os.path.basename(os.path.normpath(d))
        got = {}
        for key, args in VIEWS:
            path = os.path.join(out, f"{name}.{key}")
            # created new: never through a planted link, never over an earlier output
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            except OSError as e:
                print(f"corpus-figures.py: {path}: {e.strerror}", file=sys.stderr)
                return 1
            with os.fdopen(fd, "w") as f:
                # an absolute path: a name starting with '-' is never read as an option
                r = subprocess.run([a.mmreplay, *args, os.path.abspath(d)], stdout=f,
                                   stderr=subprocess.STDOUT)
            if r.returncode not in (0, 1):
                print(f"corpus-figures.py: {name}: {' '.join(args)} exited {r.returncode}",
                      file=sys.stderr)
                status = 1
            with open(path, errors="replace") as f:
                got[key] = f.read()
        rows.append(row(name, got, name in pressure))
    print(HEAD)
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return status


if __name__ == "__main__":
    sys.exit(main())
