#!/usr/bin/env python3
"""A THP memory hog for record-machine.sh.

  wl_thp_hog.py [--share F] [--chunk-mib N] [--seed N]

Maps anonymous chunks of --chunk-mib (default 1024) with MADV_HUGEPAGE until they hold --share
(default 0.5, at most 0.6) of MemAvailable as read at the start, touches every chunk with two
threads (each writes one byte per 4 KiB page of every other 2 MiB), unmaps half of the chunks in
random order (--seed), maps and touches that many again, then unmaps all in random order.
Anonymous memory never exceeds the share it took at the start. Exit status 0.
"""
import argparse
import mmap
import random
import threading

PAGE = 4096
HUGE = 2 << 20


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise SystemExit("wl_thp_hog.py: no MemAvailable in /proc/meminfo")


def touch(m, size, part):
    """Write one byte to every page of every other 2 MiB of m, starting at part * 2 MiB."""
    for off in range(part * HUGE, size, 2 * HUGE):
        for p in range(off, min(off + HUGE, size), PAGE):
            m[p] = 1


def new_chunk(size):
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.madvise(mmap.MADV_HUGEPAGE)
    ts = [threading.Thread(target=touch, args=(m, size, i)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--chunk-mib", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if not 0 < a.share <= 0.6:
        raise SystemExit("wl_thp_hog.py: --share must be in (0, 0.6]")
    size = a.chunk_mib << 20
    n = int(mem_available() * a.share) // size
    rng = random.Random(a.seed)
    chunks = [new_chunk(size) for _ in range(n)]
    print(f"wl_thp_hog.py: {n} chunks of {a.chunk_mib} MiB touched", flush=True)
    half = rng.sample(range(n), n // 2)
    for i in half:
        chunks[i].close()
    for i in half:
        chunks[i] = new_chunk(size)
    rng.shuffle(chunks)
    for m in chunks:
        m.close()
    print(f"wl_thp_hog.py: {n // 2} unmapped and mapped again, all {n} unmapped", flush=True)


if __name__ == "__main__":
    main()
