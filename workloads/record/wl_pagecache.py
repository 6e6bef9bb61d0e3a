#!/usr/bin/env python3
"""Page-cache workloads for record-machine.sh (files in --dir, deleted at the end).

  wl_pagecache.py io [--dir D] [--gib N] [--shm-gib N]
  wl_pagecache.py fill [--dir D] [--leave-mib N]
  wl_pagecache.py churn [--dir D] [--gib N] [--rounds N]

io: write --gib GiB (default 3) in 1 GiB files with fsync, drop them from the page cache
(posix_fadvise DONTNEED) and read them back twice (dropped again in between); then write and read
--shm-gib GiB (default 1) through /dev/shm. Files deleted at the end.
fill: write 1 GiB files to D (kept: run it before the recording) until MemFree is below
--leave-mib MiB (default 1024): memory nearly full of page cache, which the kernel can reclaim.
churn: on a machine filled so: --rounds (default 3) of writing --gib GiB (default 2) more with
fsync and reading back the fill's files, so the kernel reclaims page cache while it allocates;
then deletes every file in D. Anonymous memory stays at one 1 MiB buffer. Exit status 0.
"""
import argparse
import glob
import os

MIB = 1 << 20
BUF = b"\xa5" * MIB


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise SystemExit(f"wl_pagecache.py: no {key} in /proc/meminfo")


def write(path, mib, sync=True):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    for _ in range(mib):
        os.write(fd, BUF)
    if sync:
        os.fsync(fd)
    os.close(fd)


def drop(path):
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)


def read(path):
    fd = os.open(path, os.O_RDONLY)
    while os.read(fd, MIB):
        pass
    os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("mode", choices=["io", "fill", "churn"])
    ap.add_argument("--dir", default="/var/tmp/wl_pagecache")
    ap.add_argument("--gib", type=int)
    ap.add_argument("--shm-gib", type=int, default=1)
    ap.add_argument("--leave-mib", type=int, default=1024)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    if a.mode == "io":
        files = [os.path.join(a.dir, f"io{i}") for i in range(a.gib or 3)]
        for p in files:
            write(p, 1024)
            drop(p)
        for _ in range(2):
            for p in files:
                read(p)
                drop(p)
        shm = [f"/dev/shm/wl_pagecache.{os.getpid()}.{i}" for i in range(a.shm_gib)]
        for p in shm:
            write(p, 1024, sync=False)
        for p in shm:
            read(p)
            os.unlink(p)
        for p in files:
            os.unlink(p)
    elif a.mode == "fill":
        i = len(glob.glob(os.path.join(a.dir, "fill*")))
        while meminfo("MemFree") > (a.leave_mib << 20) + (1 << 30):
            write(os.path.join(a.dir, f"fill{i}"), 1024, sync=False)
            i += 1
        left = (meminfo("MemFree") - (a.leave_mib << 20)) >> 20
        if left > 0:
            write(os.path.join(a.dir, f"fill{i}"), left, sync=False)
        os.sync()
        print(f"wl_pagecache.py: MemFree {meminfo('MemFree') >> 20} MiB", flush=True)
    else:
        fills = sorted(glob.glob(os.path.join(a.dir, "fill*")))
        for r in range(a.rounds):
            for i in range(a.gib or 2):
                write(os.path.join(a.dir, f"churn{r}.{i}"), 1024)
            for p in fills[r::a.rounds]:
                read(p)
        for p in glob.glob(os.path.join(a.dir, "*")):
            os.unlink(p)
    return 0


if __name__ == "__main__":
    main()
