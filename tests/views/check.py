#!/usr/bin/env python3
"""The views people read and the mistakes they make: aligned help and tables, a recording's
agreement columns in replay's table, machine and vmalloc-fidelity in words, each command's help
with only the settings it uses, --out creating only its last component, a failed suite start
leaving nothing, compare refusing a CSV that is not a summary.

usage: check.py MMREPLAY"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, 'data')
REC = os.path.join(DATA, 'recordings', 'd_mixed5')
FORK = os.path.join(DATA, 'traces', 'k_fork.perf.txt.zst')


def run(mm, *args, cwd=None):
    return subprocess.run([mm, *args], capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL)


def columns_aligned(lines):
    """Every row's fields start where the header's do (left-aligned text, right-aligned numbers:
    a field ends at or before the next header field starts)."""
    head = lines[0]
    starts = [m.start() for m in re.finditer(r'\S+', head)]
    errors = []
    for line in lines[1:]:
        for m in re.finditer(r'\S+', line):
            if not any(s <= m.start() < e for s, e in zip(starts, starts[1:] + [10**6])) or \
               any(m.start() < s < m.end() for s in starts):
                errors.append(f'field {m.group()!r} at {m.start()} straddles a column: {line[:120]!r}')
                break
    return errors


def main():
    mm = os.path.abspath(sys.argv[1])
    errors = []
    # mmreplay --help: every summary starts in one column
    usage = run(mm, '--help').stdout.splitlines()
    rows = [ln for ln in usage if ln.startswith('  ') and len(ln.split()) > 1]
    cols = {len(ln) - len(ln[2:].split(None, 1)[1]) for ln in rows if not ln[2:].startswith(' ')}
    if len(cols) != 1:
        errors.append(f'mmreplay --help: summaries start at columns {sorted(cols)}')
    # replay's table: rbtree_cache fits its column; a recording brings its agreement columns
    r = run(mm, 'replay', '--vmlist', 'list,rbtree_cache,nodes', '--tlb', 'lazy', '--buddy', 'lifo', REC)
    table = r.stdout.splitlines()
    if r.returncode or len(table) != 4:
        errors.append(f'replay of a recording: rc {r.returncode}, {len(table)} lines: {r.stderr[-300:]}')
    else:
        errors += columns_aligned(table)
        for col in ('snaps_compared', 'snap_ufi9_err_max', 'vmap_addr_exact_warm'):
            if col not in table[0].split():
                errors.append(f'replay DIR without --out lacks {col}')
    r = run(mm, 'replay', '--tlb', 'lazy', '--buddy', 'lifo', FORK)
    if 'snaps_compared' in r.stdout:
        errors.append('replay of a plain trace shows agreement columns it cannot have')
    # machine: words, not a raw CSV line
    r = run(mm, 'machine', REC)
    last = r.stdout.strip().splitlines()[-3:] if r.stdout.strip() else ['']
    if r.returncode or any(ln.count(',') > 5 for ln in last):
        errors.append(f'machine ends in CSV: {last}')
    if 'buddyinfo snapshots: ufi(9) error max' not in r.stdout:
        errors.append(f'machine does not say the agreement in words: {last}')
    with tempfile.TemporaryDirectory(prefix='mmreplay-views.') as work:
        csvp = os.path.join(work, 'm.csv')
        r = run(mm, 'machine', '--csv', csvp, REC)
        if r.returncode or not open(csvp).readline().startswith('trace,page_mode'):
            errors.append(f'machine --csv: rc {r.returncode} {r.stderr[-200:]}')
        # vmalloc-fidelity on a trace without a purge
        r = run(mm, 'vmalloc-fidelity', '--vmalloc-state', os.path.join(REC, 'vmallocinfo.start.txt'), FORK)
        if r.returncode or '0 / 0 (0.0 %)' in r.stdout or 'the trace has no purge event' not in r.stdout:
            errors.append(f'vmalloc-fidelity without a purge: {r.stdout[:400]}')
        # --mismatches: its bounds in --help match what the parser takes
        h = run(mm, 'vmalloc-fidelity', '--help').stdout
        m = re.search(r'--mismatches N .*\((\d+)\.\.(\d+)\)', h)
        if not m:
            errors.append('vmalloc-fidelity --help gives no bounds for --mismatches')
        else:
            hi = int(m.group(2))
            over = run(mm, 'vmalloc-fidelity', '--mismatches', str(hi + 1), REC)
            if over.returncode != 2 or f'0..{hi}' not in over.stderr:
                errors.append(f'--mismatches {hi + 1}: {over.stderr}')
        # each command's help lists only the settings it uses
        maps = run(mm, 'maps', '--help').stdout
        for want, absent in (('--vma', '--vmlist'), ('--populate', '--tlb'), ('--vma', '--pcp')):
            if want not in maps or absent in maps:
                errors.append(f'maps --help: {want} missing or {absent} shown')
        mach = run(mm, 'machine', '--help').stdout
        if '--buddy' not in mach or '--vma ' in mach:
            errors.append('machine --help shows process settings or lacks --buddy')
        if '--vmlist' not in run(mm, 'replay', '--help').stdout:
            errors.append('replay --help lost --vmlist')
        suite_help = run(mm, 'suite', '--help').stdout
        vm = [ln for ln in suite_help.splitlines() if ln.strip().startswith('--vmlist')]
        if not vm or vm[0].rstrip().endswith('[augmented]') or 'all' not in vm[0].rsplit('[', 1)[1]:
            errors.append(f'suite --help vmlist default: {vm}')
        # --out creates only its last component
        bad = os.path.join(work, 'nonexistent', 'a', 'b.csv')
        r = run(mm, 'replay', '--quiet', '--out', bad, FORK)
        if r.returncode == 0 or os.path.exists(os.path.join(work, 'nonexistent')):
            errors.append(f'replay --out into a missing directory: rc {r.returncode}, made it')
        r = run(mm, 'replay', '--quiet', '--tlb', 'lazy', '--buddy', 'lifo', '--out', os.path.join(work, 'ok.csv'), FORK)
        if r.returncode or not os.path.exists(os.path.join(work, 'ok.csv')):
            errors.append(f'replay --out in an existing directory: {r.stderr}')
        r = run(mm, 'suite', '--out', os.path.join(work, 'x', 'y'), FORK)
        if r.returncode == 0 or os.path.exists(os.path.join(work, 'x')):
            errors.append('suite --out a/b made a')
        # a failed start names the path as given and leaves nothing
        cwd = os.path.join(work, 'cwd')
        os.mkdir(cwd)
        r = run(mm, 'suite', '--name', 'typo', 'nonexist.perf.txt.zst', cwd=cwd)
        if r.returncode == 0 or 'mmreplay suite: nonexist.perf.txt.zst:' not in r.stderr:
            errors.append(f'suite with a missing trace: {r.stderr}')
        if os.listdir(cwd):
            errors.append(f'a failed suite start left {os.listdir(cwd)}')
        # compare refuses a CSV that is not a summary
        traces = os.path.join(work, 'traces.csv')
        with open(traces, 'w') as f:
            f.write('trace,spec,events,vmap_events\nk_fork.perf,/x/k_fork.perf.txt.zst,57089,85\n')
        r = run(mm, 'compare', traces)
        if r.returncode == 0 or 'not a summary' not in r.stderr:
            errors.append(f'compare traces.csv: rc {r.returncode} {r.stderr}')
        r = run(mm, 'compare', os.path.join(work, 'ok.csv'))
        if r.returncode:
            errors.append(f'compare of a replay CSV: {r.stderr}')
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print('views: help, tables, machine, vmalloc-fidelity, --out, suite start and compare as people read them')


main()
