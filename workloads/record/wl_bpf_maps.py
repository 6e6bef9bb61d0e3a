#!/usr/bin/env python3
"""A BPF-map workload for record-machine.sh, like data/recordings/d_bpf2's.

  wl_bpf_maps.py [--seed N] [--ops N] [--warmup-threads N]

--ops random operations (default 1200): create a BPF array map of 33 KiB-9 MiB (the kernel
vmallocs its values with align 1: bpf_map_area_alloc above 32 KiB), close a random open map, or
start a burst of 5-60 threads and join them (each stack a 20 KiB vmalloc area, align 16 KiB).
Sizes are log-uniform; choices come from --seed, so a rerun asks for the same areas.
--warmup-threads N first starts and joins N threads in rounds of 500, to leave thread stacks in
the kernel's vmap pools as a long-running machine has them (run it outside the recording).
Needs CAP_BPF (root). Exit status 0, 1 when a bpf() call fails.
"""
import argparse
import ctypes
import os
import random
import sys
import threading
import time

SYS_BPF = 321  # x86-64
BPF_MAP_CREATE = 0
BPF_MAP_TYPE_ARRAY = 2
libc = ctypes.CDLL(None, use_errno=True)


def map_create(value_bytes):
    """An array map whose value area is about value_bytes (8-byte values)."""
    attr = (ctypes.c_uint32 * 32)()  # union bpf_attr, zero past the fields set
    attr[0] = BPF_MAP_TYPE_ARRAY
    attr[1] = 4  # key_size
    attr[2] = 8  # value_size
    attr[3] = max(1, value_bytes // 8)  # max_entries
    fd = libc.syscall(SYS_BPF, BPF_MAP_CREATE, ctypes.byref(attr), ctypes.sizeof(attr))
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit(f"wl_bpf_maps.py: bpf(BPF_MAP_CREATE, {value_bytes} bytes): {os.strerror(err)}")
    return fd


def burst(n, hold):
    ev = threading.Event()
    ts = [threading.Thread(target=ev.wait, args=(hold,)) for _ in range(n)]
    for t in ts:
        t.start()
    ev.set()
    for t in ts:
        t.join()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2)
    ap.add_argument("--ops", type=int, default=1200)
    ap.add_argument("--warmup-threads", type=int, default=0)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    left = a.warmup_threads
    while left > 0:
        burst(min(500, left), 0.01)
        left -= 500
    if a.warmup_threads:
        return 0
    maps = []
    for _ in range(a.ops):
        r = rnd.random()
        if r < 0.45 or not maps:
            size = int(33 * 1024 * (9 * 1024 / 33) ** rnd.random())
            maps.append(map_create(size))
        elif r < 0.85:
            os.close(maps.pop(rnd.randrange(len(maps))))
        else:
            burst(rnd.randint(5, 60), 0.002)
        if rnd.random() < 0.05:
            time.sleep(0.01)
    for fd in maps:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
