#!/usr/bin/env python3
"""Compare today's model columns with the golden files beside this script (README.md here).

usage: check.py [--update] MMREPLAY replay|demo

Columns are compared by name: a golden column must exist with the same value in the row with the
same key; new columns and new rows may appear. Exit status 0 when everything matches. --update
re-pins a deliberate, explained change of a model: every differing pinned value (and time-series
digest) of the golden files takes today's, under the same runs and OLD_DEFAULTS; rows, columns
and file layout stay. A missing row or column is never updated (exit 1)."""
import csv
import hashlib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Flags that restore the behaviour the golden files pinned, given to every replay and suite run.
# A change whose new default alters old columns adds the flag restoring the old default here and
# a line in README.md, e.g.: OLD_DEFAULTS = ['--pcp', 'off']
OLD_DEFAULTS = ['--flush-ceiling', '0', '--purge', 'inline']  # kernel-exact vmalloc defaults (docs/vmalloc-fidelity.md)

# Golden columns that no longer exist, and why; the row mapping below still pins their meaning.
RETIRED = {'cached_hole': 'the cached-hole rbtree is the vmlist variant rbtree_cache (the cached hole became a variant)'}

# Columns whose text changed meaning, and why; rows are found by the key columns instead.
RELABELLED = {'config': 'labels name every axis in settings order'}

REPLAY_KEY = ('trace', 'vmlist', 'tlb', 'buddy', 'vma', 'page_mode')
# The demo's axes (bench/suites/demo.ini); its golden config labels were buddy/vmlist/tlb, with
# vma at its default (maple): the vma axis was added to the demo after the golden run
SUMMARY_KEY = ('trace', 'buddy', 'vmlist', 'tlb', 'vma')
# A suite skips the cells whose axes cannot change their trace: the golden run had them
EVERY_CELL = ['--every-cell']
# The golden runs' `--vmlist all` (list, rbtree, augmented before rbtree_cache existed)
GOLDEN_VMLISTS = 'list,rbtree,augmented'


def map_golden(row):
    """A golden row's key in today's terms."""
    if row.get('cached_hole') == '1' and row.get('vmlist') == 'rbtree':
        row = dict(row, vmlist='rbtree_cache')
    return row


def read_csv(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


UPDATE = False  # --update: differing values are re-pinned (the golden rows take today's)
MISSING = []  # differences --update cannot re-pin: a row or a column gone


def compare_rows(name, golden, new, key):
    errors = []
    index = {tuple(r[k] for k in key): r for r in new}
    for orig in golden:
        g = map_golden(orig)
        k = tuple(g[c] for c in key)
        r = index.get(k)
        if r is None:
            errors.append(f'{name}: no row {k}')
            MISSING.append(errors[-1])
            continue
        for col, want in g.items():
            if col in RETIRED or col in RELABELLED:
                continue
            if col not in r:
                errors.append(f'{name}: column {col} is gone')
                MISSING.append(errors[-1])
            elif r[col] != want:
                errors.append(f'{name}: {k} {col}: {r[col]} != golden {want}')
                orig[col] = r[col]
    return errors


def write_golden(path, rows):
    """The golden file at path rewritten with rows (its header and row order kept)."""
    with open(path, newline='') as f:
        header = next(csv.reader(f))
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator='\n')
        w.writeheader()
        w.writerows(rows)


def run(mm, *args):
    subprocess.run([mm, *args], check=True, stdout=subprocess.DEVNULL)


def check_file(name, golden_file, out, key):
    """Today's rows (the CSV out) against the golden file; with --update the differing values
    are re-pinned in it."""
    gpath = os.path.join(HERE, golden_file)
    golden = read_csv(gpath)
    found = compare_rows(name, golden, read_csv(out), key)
    if found and UPDATE:
        write_golden(gpath, golden)
    return found


def check_replay(mm, work):
    errors = []
    traces = sorted(f for f in os.listdir(os.path.join(ROOT, 'data/traces')) if f.endswith('.txt.zst'))
    for t in traces:
        name, path, out = t[:-len('.txt.zst')], os.path.join(ROOT, 'data/traces', t), os.path.join(work, 'r.csv')
        for mode in ('placement', 'faithful'):
            run(mm, 'replay', '--vmlist', GOLDEN_VMLISTS, '--tlb', 'all', '--buddy', 'all', '--vma', 'all',
                '--page-mode', mode, *OLD_DEFAULTS, '--out', out, '--quiet', path)
            errors += check_file(f'{name} {mode}', f'replay-{name}-{mode}.csv', out, REPLAY_KEY)
        run(mm, 'replay', '--vmlist', 'rbtree', '--cached-hole', '--tlb', 'all', '--populate', 'all',
            *OLD_DEFAULTS, '--out', out, '--quiet', path)
        errors += check_file(f'{name} cached-hole populate', f'replay-{name}-cachedhole-populate.csv', out,
                             REPLAY_KEY)
    return errors


def series_digest(path, columns):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    idx = [rows[0].index(c) for c in columns]
    text = ''.join(','.join(r[i] for i in idx) + '\n' for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def check_demo(mm, work):
    out = os.path.join(work, 'demo')
    # one timed repeat: the repeats time the host, and the pinned columns are the model's
    run(mm, 'suite', '--no-plots', '--repeats', '1', *EVERY_CELL, *OLD_DEFAULTS, '--out', out,
        os.path.join(ROOT, 'bench/suites/demo.ini'))
    gpath = os.path.join(HERE, 'demo-summary.csv')
    golden, new = read_csv(gpath), read_csv(os.path.join(out, 'summary.csv'))
    errors = compare_rows('demo summary', golden, new, SUMMARY_KEY)
    if errors and UPDATE:
        write_golden(gpath, golden)
    # a golden time series' name holds its old label: today's file is the same cell's
    today = {tuple(r[k] for k in SUMMARY_KEY): r['config'] for r in new}
    renamed = {}
    for g in golden:
        k = tuple(g[c] for c in SUMMARY_KEY)
        if k in today:
            old, cur = (f"{g['trace']}__{lab.replace('/', '_')}.csv" for lab in (g['config'], today[k]))
            renamed[old] = cur
    with open(os.path.join(HERE, 'demo-timeseries.columns')) as f:
        columns = f.read().strip().split(',')
    digests = []
    with open(os.path.join(HERE, 'demo-timeseries.sha256')) as f:
        for line in f:
            want, name = line.split()
            digests.append([want, name])
            path = os.path.join(out, 'timeseries', renamed.get(name, name))
            if not os.path.exists(path):
                errors.append(f'time series {name} is missing')
                continue
            try:
                got = series_digest(path, columns)
            except ValueError as e:
                errors.append(f'time series {name}: {e}')
                continue
            if got != want:
                errors.append(f'time series {name}: model columns differ from the golden digest')
                digests[-1][0] = got
    if UPDATE and any('time series' in e and 'differ' in e for e in errors):
        with open(os.path.join(HERE, 'demo-timeseries.sha256'), 'w') as f:
            f.writelines(f'{want} {name}\n' for want, name in digests)
    return errors


def main():
    global UPDATE
    args = sys.argv[1:]
    if args[:1] == ['--update']:
        UPDATE, args = True, args[1:]
    if len(args) != 2 or args[1] not in ('replay', 'demo'):
        sys.exit(__doc__)
    mm = args[0]
    with tempfile.TemporaryDirectory(prefix='golden.') as work:
        errors = (check_replay if args[1] == 'replay' else check_demo)(mm, work)
    for e in errors[:50]:
        print(e)
    if UPDATE and errors:
        print(f'{len(errors) - len(MISSING)} differences re-pinned in tests/golden')
        for e in MISSING:
            print(f'not re-pinned: {e}')
        sys.exit(1 if MISSING else 0)
    if errors:
        print(f'{len(errors)} differences from tests/golden')
        sys.exit(1)
    print(f'golden {args[1]}: every pinned column matches')


main()
