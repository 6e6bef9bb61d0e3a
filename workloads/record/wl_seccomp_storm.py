#!/usr/bin/env python3
"""Seccomp filter storm: --children (default 60) forked children, up to --par (default 6) alive at
once, each stacking a random number (1..--max-filters, default 500) of seccomp filters of 1..41
BPF instructions (loads then RET ALLOW), then exiting (the filters are freed with the task).
Every filter is a bpf_prog (vmalloc'd) and, with the JIT, an image in the prog pack."""
import argparse, ctypes, os, random, struct, sys

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
BPF_LD_W_ABS, BPF_RET_K, SECCOMP_RET_ALLOW = 0x20, 0x06, 0x7FFF0000
libc = ctypes.CDLL(None, use_errno=True)

class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

def install(ninsn, rnd):
    insns = b"".join(struct.pack("HBBI", BPF_LD_W_ABS, 0, 0, rnd.choice((0, 4, 16)))
                     for _ in range(ninsn - 1))
    insns += struct.pack("HBBI", BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    buf = ctypes.create_string_buffer(insns, len(insns))
    prog = SockFprog(ninsn, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return ctypes.get_errno()
    return 0

def child(seed, maxf):
    rnd = random.Random(seed)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    for _ in range(rnd.randint(1, maxf)):
        if install(rnd.randint(1, 41), rnd):
            break  # ENOMEM: the filter chain's total instruction limit (MAX_INSNS_PER_PATH)
    os._exit(0)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--children", type=int, default=60)
    ap.add_argument("--par", type=int, default=6)
    ap.add_argument("--max-filters", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    alive = 0
    for i in range(a.children):
        if alive >= a.par:
            os.wait(); alive -= 1
        s = rnd.getrandbits(32)
        if os.fork() == 0:
            child(s, a.max_filters)
        alive += 1
    while alive:
        os.wait(); alive -= 1

main()
