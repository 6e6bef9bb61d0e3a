#!/usr/bin/env python3
"""The run engine has no shared mutable state: `replay` and `suite` write the same model columns
(every column but host_*) and the same rows in the same order with -j1 and -jN, on every bundled
trace; a run stopped by an unreadable trace writes the same rows with any -j. Run by meson in
every build; under the ThreadSanitizer build (run.sh test) any report of a race fails it.

usage: check.py MMREPLAY [WORKERS [light]]   (WORKERS: the N of -jN, default 4; light: every
vmlist variant on both flush policies and one buddy policy, for slow sanitizer builds)"""
import csv
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TRACES = os.path.join(ROOT, 'data', 'traces')
# Enough configurations that workers overlap on every trace, few enough for a sanitizer build.
SETTINGS = ['--vmlist', 'all', '--tlb', 'lazy,eager', '--buddy', 'lifo,addr']
LIGHT = ['--vmlist', 'all', '--tlb', 'lazy,eager', '--buddy', 'lifo']
SUITE = """[suite]
name = parallel
repeats = 2
[traces]
trace = ${data}/traces/k_fork.perf.txt.zst
trace = gen:long_busy_list loops=150 busy=2000
trace = ${data}/traces/u_churn1.strace.txt.zst
[axes]
vmlist = list,augmented
tlb = eager,lazy
zone_pages = 65536
"""


def run(argv, want=0, out=None):
    """Run argv (its stdout to the file out, or nowhere); its stderr."""
    with open(out or os.devnull, 'w') as f:
        p = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE, text=True)
    if 'Sanitizer' in p.stderr or p.returncode != want:
        sys.exit(f'{" ".join(argv)}: exit {p.returncode} (wanted {want})\n{p.stderr[-4000:]}')
    return p.stderr


def model(path):
    """The rows of a CSV without its host_ columns."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    keep = [i for i, c in enumerate(rows[0]) if not c.startswith('host_')]
    return [[r[i] for i in keep] for r in rows]


def same(name, a, b):
    ma, mb = model(a), model(b)
    if ma != mb:
        diff = next(i for i in range(min(len(ma), len(mb)) + 1) if i >= min(len(ma), len(mb)) or ma[i] != mb[i])
        sys.exit(f'{name}: -j1 and -jN differ at row {diff} ({len(ma)} and {len(mb)} rows)')
    return len(ma) - 1


def traces(mmreplay):
    """Every bundled trace this build reads (trace.dat needs libtracecmd)."""
    out = sorted(glob.glob(os.path.join(TRACES, '*.zst')))
    dat = [t for t in out if '.trace.dat' in t]
    if dat and subprocess.run([mmreplay, 'info', dat[0]], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode:
        out = [t for t in out if t not in dat]
    return out


def lockstep(mmreplay, n, d):
    """A generated trace piped in that outgrows -jN's memory window (512 MiB / 4N: 32 MiB, half
    a million events, with -j4) runs its configurations together over one pass (lockstep): the
    same model columns as the trace from a file, and as -j1 (its window holds the trace)."""
    gen = [mmreplay, 'gen', 'random_size', '--loops', '300000']
    trace = os.path.join(d, 'rs.mmr')
    run(gen + ['--out', trace])
    conf = ['--vmlist', 'list,rbtree', '--tlb', 'lazy,eager', '--buddy', 'lifo', '--cpus', '1', '--purge', 'model']
    out = {}
    for j in ('1', n):
        out[j] = os.path.join(d, f'pipe-j{j}.csv')
        g = subprocess.Popen(gen + ['--out', '-'], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        p = subprocess.run([mmreplay, 'replay', '-j', j, '--quiet', '--out', out[j]] + conf + ['-'],
                           stdin=g.stdout, stderr=subprocess.PIPE, text=True)
        g.stdout.close()
        if g.wait() or p.returncode or 'Sanitizer' in p.stderr:
            sys.exit(f'gen | replay -j{j} -: exit {p.returncode}\n{p.stderr[-4000:]}')
    run([mmreplay, 'replay', '-j1', '--quiet', '--out', os.path.join(d, 'file.csv')] + conf + [trace])
    rows = [[r[1:] for r in model(out[j])] for j in ('1', n)]  # column 0: the trace's name
    if rows[0] != rows[1] or rows[0] != [r[1:] for r in model(os.path.join(d, 'file.csv'))]:
        sys.exit('a piped trace: lockstep (-jN), in memory (-j1) and from a file differ')
    print(f'replay of a piped trace past the window: {len(rows[0]) - 1} rows, = -j1 = from a file')


def main():
    mmreplay = sys.argv[1]
    n = sys.argv[2] if len(sys.argv) > 2 else '4'
    global SETTINGS
    if len(sys.argv) > 3 and sys.argv[3] == 'light':
        SETTINGS = LIGHT
    ts = traces(mmreplay)
    with tempfile.TemporaryDirectory(prefix='mmreplay-parallel-') as d:
        csvs = {}
        for j in ('1', n):
            csvs[j] = os.path.join(d, f'replay-j{j}.csv')
            run([mmreplay, 'replay', '-j', j, '--quiet', '--out', csvs[j]] + SETTINGS + ts)
        rows = same('replay, every bundled trace', csvs['1'], csvs[n])
        print(f'replay: {len(ts)} traces, {rows} rows, -j1 = -j{n}')

        # a trace that cannot be read stops the run after the rows before it, whatever -j
        bad = os.path.join(d, 'bad.txt')
        with open(bad, 'w') as f:
            f.write('not a trace\n')
        errs = {}
        for j in ('1', n):
            errs[j] = run([mmreplay, 'replay', '-j', j, '--out', '-'] + SETTINGS + [ts[0], bad, ts[1]], want=1,
                          out=os.path.join(d, f'stop-j{j}.csv'))
        if errs['1'] != errs[n] or bad not in errs[n]:
            sys.exit(f'a failing trace: messages differ:\n-j1: {errs["1"]}\n-j{n}: {errs[n]}')
        rows = same('replay stopped by a bad trace', os.path.join(d, 'stop-j1.csv'), os.path.join(d, f'stop-j{n}.csv'))
        print(f'replay with an unreadable trace: {rows} rows before it, the same message, -j1 = -j{n}')

        # a recording directory: its files (page state, zones, snapshots) shared by the workers
        rec = os.path.join(ROOT, 'data', 'recordings', 'd_threads4')
        if os.path.isdir(rec):
            for j in ('1', n):
                run([mmreplay, 'replay', '-j', j, '--quiet', '--out', os.path.join(d, f'rec-j{j}.csv'),
                     '--vmlist', 'list,augmented', '--tlb', 'lazy', '--buddy', 'lifo,mobility', rec])
            rows = same('replay of a recording', os.path.join(d, 'rec-j1.csv'), os.path.join(d, f'rec-j{n}.csv'))
            snaps = same('its snapshot rows', os.path.join(d, 'rec-j1.snapshots.csv'),
                         os.path.join(d, f'rec-j{n}.snapshots.csv'))
            print(f'replay of a recording: {rows} rows, {snaps} snapshot rows, -j1 = -j{n}')

        lockstep(mmreplay, n, d)

        suite = os.path.join(d, 'parallel.ini')
        with open(suite, 'w') as f:
            f.write(SUITE)
        for j in ('1', n):
            run([mmreplay, 'suite', '-j', j, '--no-plots', '--out', os.path.join(d, f's{j}'), suite])
        rows = same('suite summary', os.path.join(d, 's1', 'summary.csv'), os.path.join(d, f's{n}', 'summary.csv'))
        series = sorted(os.listdir(os.path.join(d, 's1', 'timeseries')))
        if series != sorted(os.listdir(os.path.join(d, f's{n}', 'timeseries'))) or len(series) != rows:
            sys.exit('suite: time series files differ')
        for s in series:
            same(f'time series {s}', os.path.join(d, 's1', 'timeseries', s), os.path.join(d, f's{n}', 'timeseries', s))
        print(f'suite: {rows} cells, summary and time series, -j1 = -j{n}')


if __name__ == '__main__':
    main()
