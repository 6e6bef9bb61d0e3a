#!/usr/bin/env python3
"""Memory-pressure workloads for record-machine.sh: the machine nearly full of page cache,
then a workload that makes the kernel reclaim, compact and fall back.

  wl_pressure.py fill --dir D --free-mib M   write files in D until MemFree is about M MiB
                                             (page cache: the kernel can reclaim it); run it
                                             before the recorder, so its events are not traced;
                                             stops early, saying so, with --keep-disk-gib G
                                             (8) of disk left or after --stall N (12) GiB
                                             without a new low of MemFree
  wl_pressure.py thp --frac F                THP hog: MADV_HUGEPAGE anonymous memory of F x
                                             MemAvailable (F <= 0.6), touched in 64 MiB steps,
                                             a third released and taken again
  wl_pressure.py pagecache --dir D --mib N   read and rewrite N MiB of files in D (streaming
                                             page-cache I/O at full memory)
  wl_pressure.py mixed --dir D --seed S      rounds of anonymous mmaps of 1-64 MiB (touched),
                                             small files, file writes, thread bursts; part of it
                                             released each round
  wl_pressure.py clean --dir D               delete the files

Anonymous memory never exceeds 60 % of MemAvailable at the start of a command.
"""
import argparse
import mmap
import os
import random
import stat
import sys
import threading
import time

MIB = 1 << 20


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def scratch(d):
    """The scratch folder d, made if missing; refused (exit 2) when it is a link or not ours: the
    recorder runs as root, and a folder someone else made in /var/tmp could hold planted links."""
    os.makedirs(d, mode=0o700, exist_ok=True)
    st = os.lstat(d)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        sys.exit("wl_pressure.py: %s is not a folder of our own; refusing to write in it" % d)


def ours(path, write):
    """A file of the scratch folder, opened without following a link (created if write)."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC) if write else os.O_RDWR
    return os.fdopen(os.open(path, flags | os.O_NOFOLLOW, 0o600), "wb" if write else "r+b")


def fill(args):
    """Stops at the first of: MemFree at most --free-mib; the disk holding --dir down to
    --keep-disk-gib free; --stall files in a row without a new low of MemFree (the kernel's
    reclaim holds free memory above the target). Never fails for the last two: it says where it
    stopped, and the recording's log keeps that line."""
    scratch(args.dir)
    buf = os.urandom(MIB) * 16
    i = stall = 0
    low = meminfo("MemFree")
    why = "MemFree reached the target"
    while meminfo("MemFree") > args.free_mib * MIB:
        st = os.statvfs(args.dir)
        if st.f_bavail * st.f_frsize < (args.keep_disk_gib + 1) * 1024 * MIB:
            why = "stopped: %d GiB of disk left" % (st.f_bavail * st.f_frsize // (1024 * MIB))
            break
        if stall >= args.stall:
            why = "stopped: MemFree made no new low in %d GiB (reclaim holds it)" % stall
            break
        try:
            with ours(os.path.join(args.dir, "fill%04d" % i), True) as f:
                for _ in range(64):  # 1 GiB a file
                    f.write(buf)
        except OSError as e:
            why = "stopped: %s" % e.strerror
            break
        i += 1
        free = meminfo("MemFree")
        stall = 0 if free < low else stall + 1
        low = min(low, free)
    print("fill: %d GiB written, MemFree %d MiB (%s)" % (i, meminfo("MemFree") // MIB, why))


def anon(nbytes, huge):
    m = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if huge:
        m.madvise(mmap.MADV_HUGEPAGE)
    for off in range(0, nbytes, 4096):
        m[off] = 1
    return m


def thp(args):
    frac = min(args.frac, 0.6)
    total = int(meminfo("MemAvailable") * frac) // (64 * MIB) * (64 * MIB)
    maps = []
    for _ in range(total // (64 * MIB)):
        maps.append(anon(64 * MIB, True))
    print("thp: %d MiB touched" % (total // MIB))
    rng = random.Random(1)
    for idx in sorted(rng.sample(range(len(maps)), len(maps) // 3)):
        maps[idx].close()
        maps[idx] = None
    time.sleep(0.5)
    for idx in range(len(maps)):
        if maps[idx] is None:
            maps[idx] = anon(64 * MIB, True)
    time.sleep(0.5)


def pagecache(args):
    names = sorted(n for n in os.listdir(args.dir) if n.startswith("fill"))
    left = args.mib * MIB
    buf = os.urandom(MIB)
    k = 0
    while left > 0 and names:
        name = os.path.join(args.dir, names[k % len(names)])
        if k % 2:  # rewrite: the old pages are truncated and new ones cached
            with ours(name, False) as f:
                for _ in range(256):
                    f.write(buf)
        else:
            with open(name, "rb") as f:
                while f.read(MIB):
                    pass
        left -= 256 * MIB if k % 2 else os.path.getsize(name)
        k += 1


def mixed(args):
    rng = random.Random(args.seed)
    budget = int(meminfo("MemAvailable") * 0.3)
    scratch(args.dir)
    live, used = [], 0
    for rnd in range(args.rounds):
        for _ in range(rng.randint(2, 6)):
            size = rng.choice([1, 2, 4, 8, 16, 32, 64]) * MIB
            if used + size > budget:
                break
            live.append(anon(size, rng.random() < 0.3))
            used += size
        small = os.path.join(args.dir, "small%d" % rnd)
        scratch(small)
        for j in range(rng.randint(100, 600)):
            with ours(os.path.join(small, str(j)), True) as f:
                f.write(b"x" * rng.randint(100, 20000))
        with ours(os.path.join(args.dir, "w%d" % (rnd % 4)), True) as f:
            for _ in range(rng.randint(16, 128)):
                f.write(os.urandom(MIB))
        ts = [threading.Thread(target=time.sleep, args=(0.01,)) for _ in range(rng.randint(5, 80))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        rng.shuffle(live)
        for _ in range(len(live) // 3):
            m = live.pop()
            used -= len(m)
            m.close()
    print("mixed: %d rounds, %d MiB anonymous at the end" % (args.rounds, used // MIB))


def clean(args):
    """Deletes only what these commands write (fill*, small*/, w*): --dir may be shared."""
    import re
    ours = re.compile(r"(fill\d{4}|w\d|small\d+)$")
    for n in os.listdir(args.dir) if os.path.isdir(args.dir) else []:
        p = os.path.join(args.dir, n)
        if not ours.match(n) or os.path.islink(p):
            continue
        if os.path.isdir(p):
            for m in os.listdir(p):
                if m.isdigit() and os.path.isfile(os.path.join(p, m)):
                    os.unlink(os.path.join(p, m))
            try:
                os.rmdir(p)
            except OSError:
                pass
        else:
            os.unlink(p)
    try:
        os.rmdir(args.dir)
    except OSError:
        pass


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("fill")
    s.add_argument("--dir", required=True)
    s.add_argument("--free-mib", type=int, default=1024)
    s.add_argument("--keep-disk-gib", type=int, default=8)
    s.add_argument("--stall", type=int, default=12)
    s = sub.add_parser("thp")
    s.add_argument("--frac", type=float, default=0.4)
    s = sub.add_parser("pagecache")
    s.add_argument("--dir", required=True)
    s.add_argument("--mib", type=int, default=4096)
    s = sub.add_parser("mixed")
    s.add_argument("--dir", required=True)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--rounds", type=int, default=30)
    s = sub.add_parser("clean")
    s.add_argument("--dir", required=True)
    a = p.parse_args()
    {"fill": fill, "thp": thp, "pagecache": pagecache, "mixed": mixed, "clean": clean}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
