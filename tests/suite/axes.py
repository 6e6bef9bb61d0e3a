#!/usr/bin/env python3
"""Per-trace axes, end to end:
- every cell a suite skips has the model columns of a cell it ran (run again with --every-cell):
  the settings' facets in the registry lose no information;
- a suite file restricts axes per trace ([traces] axes = ...), and refuses a bad restriction;
- the stdout table has one header when redirected; --list-jobs prints only the cells that run,
  as commands a shell runs as they stand (quoted, the binary's path).

usage: axes.py MMREPLAY"""
import csv
import os
import subprocess
import sys
import tempfile

SUITE = """[suite]
name = ax
[traces]
trace = ${data}/traces/k_fork.perf.txt.zst
trace = ${data}/traces/u_churn1.strace.txt.zst
trace = gen:kmap_copy loops=2000
%s
[axes]
vmlist = list,augmented
tlb = eager,lazy
buddy = lifo,mobility
vma = list,maple
populate = none,all
pkmap_slots = 64,1024
"""


def rows(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def model(r, config):
    return tuple((k, v) for k, v in r.items() if not k.startswith('host_') and k not in config and k not in SIZED)


# the model's memory budget prices every setting that sizes the machine (pkmap slots,
# zones), also those a trace's events never reach: not a result the facets promise to keep
SIZED = ('model_mem_peak_bytes',)


def config_columns(mm):
    """The configuration columns, from the registry (`mmreplay columns`)."""
    out = subprocess.run([mm, 'columns'], check=True, capture_output=True, text=True).stdout
    return {f[0] for f in (line.split() for line in out.splitlines()[1:]) if len(f) > 2 and f[2] == 'config'}


def main():
    mm = sys.argv[1]
    config = config_columns(mm)
    errors = []
    with tempfile.TemporaryDirectory(prefix='mmreplay-axes.') as work:
        ini = os.path.join(work, 'ax.ini')
        with open(ini, 'w') as f:
            f.write(SUITE % '')
        a, b = os.path.join(work, 'every'), os.path.join(work, 'some dir')
        subprocess.run([mm, 'suite', '--no-plots', '--every-cell', '--out', a, ini], check=True, capture_output=True)
        run = subprocess.run([mm, 'suite', '--no-plots', '--out', b, ini], check=True, capture_output=True, text=True)
        every, some = rows(os.path.join(a, 'summary.csv')), rows(os.path.join(b, 'summary.csv'))
        if len(every) != 3 * 64:
            errors.append(f'--every-cell ran {len(every)} cells, not {3 * 64}')
        ran = {(r['trace'], r['config']) for r in some}
        per_trace = {t: {model(r, config) for r in some if r['trace'] == t} for t in {r['trace'] for r in some}}
        for r in every:
            if (r['trace'], r['config']) not in ran and model(r, config) not in per_trace[r['trace']]:
                errors.append(f'skipped {r["trace"]} {r["config"]} has model results no cell that ran has')
        counts = {t: len([r for r in some if r['trace'] == t]) for t in per_trace}
        # k_fork: vmlist, tlb, buddy (vmap and page events); u_churn1: vma, populate, and buddy
        # with populate=all (its page tables); kmap_copy: pkmap_slots only
        want = {'k_fork.perf': 8, 'u_churn1.strace': 2 + 2 * 2, 'kmap_copy-loops=2000': 2}
        if counts != want:
            errors.append(f'cells run per trace {counts}, expected {want}')
        skipped = rows(os.path.join(b, 'skipped.csv'))
        if len(skipped) != 3 * 64 - len(some):
            errors.append(f'skipped.csv: {len(skipped)} rows')
        # one table header on a redirected stdout
        if run.stdout.count('\ntrace ') + run.stdout.startswith('trace ') != 1:
            errors.append(f'table headers: {run.stdout[:400]}')
        # --list-jobs: runnable cells only, each line runs as it stands
        jobs = subprocess.run([mm, 'suite', '--list-jobs', '--out', b, ini], check=True, capture_output=True,
                              text=True).stdout.splitlines()
        if len(jobs) != len(some) or not all(j.startswith(os.path.realpath(mm) + ' suite --job ') for j in jobs):
            errors.append(f'list-jobs: {len(jobs)} lines, {jobs[:2]}')
        if jobs and "'" + b + "'" not in jobs[0]:
            errors.append(f'list-jobs does not quote the directory with a space: {jobs[0]}')
        if jobs:
            subprocess.run(['bash', '-c', jobs[-1]], check=True, capture_output=True)
            k = int(jobs[-1].split('--job ')[1].split()[0])
            if not os.path.exists(os.path.join(b, 'cells', f'cell-{k:05d}.csv')):
                errors.append(f'{jobs[-1]} wrote no cell file')
        # a per-trace restriction, and bad ones
        with open(ini, 'w') as f:
            f.write((SUITE % '').replace('u_churn1.strace.txt.zst\n', 'u_churn1.strace.txt.zst\naxes = vma=maple\n'))
        c = os.path.join(work, 'restricted')
        subprocess.run([mm, 'suite', '--no-plots', '--out', c, ini], check=True, capture_output=True)
        churn = [r for r in rows(os.path.join(c, 'summary.csv')) if r['trace'] == 'u_churn1.strace']
        if {r['vma'] for r in churn} != {'maple'} or len(churn) != 3:
            errors.append(f'restricted u_churn1: {[r["config"] for r in churn]}')
        if not any('restricts' in r['reason'] for r in rows(os.path.join(c, 'skipped.csv'))):
            errors.append('skipped.csv does not name the restriction')
        for bad, why in (('axes = vmlist=nodes', "has no value 'nodes'"), ('axes = levels=4', 'is not an axis'),
                         ('axes = vmlist', 'AXIS=VALUE')):
            with open(ini, 'w') as f:
                f.write((SUITE % '').replace('u_churn1.strace.txt.zst\n', 'u_churn1.strace.txt.zst\n' + bad + '\n'))
            r = subprocess.run([mm, 'suite', '--no-plots', '--out', c, ini], capture_output=True, text=True)
            if r.returncode == 0 or why not in r.stderr or len(r.stderr.strip().splitlines()) != 1:
                errors.append(f'{bad}: exit {r.returncode}, {r.stderr!r}')
    for e in errors[:30]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'per-trace axes: {len(every) - len(some)} skipped cells repeat cells that ran; restrictions hold')


main()
