#!/usr/bin/env python3
"""A suite over one perf and one strace trace with every variant axis at `all`: only the cells
whose axes can change each trace run, the skipped ones are listed with their reason, and the
report page answers its four questions with the summary's own numbers.

usage: answers.py MMREPLAY"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagecheck  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUITE = """[suite]
name = four
repeats = 2
[traces]
trace = ${data}/traces/k_threads2.perf.txt.zst
trace = ${data}/traces/u_churn1.strace.txt.zst
[axes]
vmlist = all
tlb = all
buddy = all
vma = all
"""


def main():
    mm = sys.argv[1]
    errors = []
    with tempfile.TemporaryDirectory(prefix='mmreplay-report.') as work:
        ini, out = os.path.join(work, 'four.ini'), os.path.join(work, 'four')
        with open(ini, 'w') as f:
            f.write(SUITE)
        run = subprocess.run([mm, 'suite', '--no-plots', '--out', out, ini], capture_output=True, text=True)
        if run.returncode:
            sys.exit(f'suite failed: {run.stderr}')
        nv = len(subprocess.run([mm, 'replay', '--help'], capture_output=True, text=True).stdout
                 .split('--vmlist LIST')[1].split(':')[1].split('[')[0].split(','))
        configs = nv * 3 * 3 * 3
        rows = pagecheck.read_csv(os.path.join(out, 'summary.csv'))
        perf = [r for r in rows if r['trace'] == 'k_threads2.perf']
        strace = [r for r in rows if r['trace'] == 'u_churn1.strace']
        # perf: vmlist x tlb x buddy apply (vmap and page events), vma does not
        if len(perf) != nv * 9 or {r['vma'] for r in perf} != {'maple'}:
            errors.append(f'perf cells: {len(perf)}, vma {sorted({r["vma"] for r in perf})}')
        # strace: vma applies; vmlist, tlb, buddy do not (no vmap or page events, populate none)
        if len(strace) != 3 or {(r['vmlist'], r['tlb'], r['buddy']) for r in strace} != {('augmented', 'lazy', 'lifo')}:
            errors.append(f'strace cells: {[r["config"] for r in strace]}')
        skipped = pagecheck.read_csv(os.path.join(out, 'skipped.csv'))
        if len(skipped) != 2 * configs - len(rows):
            errors.append(f'skipped.csv has {len(skipped)} rows, expected {2 * configs - len(rows)}')
        for s in skipped:
            want = 'vma' if s['trace'] == 'k_threads2.perf' else ('vmlist', 'tlb', 'buddy')
            if not s['reason'].startswith(want) or 'does not apply' not in s['reason']:
                errors.append(f'skipped {s["trace"]} {s["config"]}: {s["reason"]}')
        for t in ('k_threads2.perf', 'u_churn1.strace'):
            if f'{t}: ' not in run.stderr or 'cells skipped' not in run.stderr:
                errors.append(f'the run does not say what it skipped for {t}: {run.stderr}')
        with open(os.path.join(out, 'index.html')) as f:
            page = pagecheck.parse(f.read())
        asked = {(a['trace'], a['data-question']) for a in page.answers}
        for want in (('k_threads2.perf', 'fragmentation'), ('k_threads2.perf', 'vmlist'),
                     ('k_threads2.perf', 'lazy'), ('u_churn1.strace', 'vma')):
            if want not in asked:
                errors.append(f'no answer {want} on the page (answers: {sorted(asked)})')
        if ('u_churn1.strace', 'vmlist') in asked or ('k_threads2.perf', 'vma') in asked:
            errors.append(f'an answer the trace cannot give: {sorted(asked)}')
        errors += pagecheck.check_answers(page, rows, pagecheck.setting_columns(mm))
        errors += pagecheck.check_cells(page, rows)
        if len(page.cells) < 10:
            errors.append('the answer tables are missing')
        lazy = [a for a in page.answers if a['data-question'] == 'lazy']
        if lazy and '9,648 TLB flushes' not in lazy[0]['text']:
            errors.append(f'lazy answer: {lazy[0]["text"]}')
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'report answers: {len(page.answers)} answers and {len(page.cells)} cells equal the summary')


main()
