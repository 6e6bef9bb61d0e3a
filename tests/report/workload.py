#!/usr/bin/env python3
"""Whose work the page's answers count. A recording of `tar` made while a `-j2` build ran: by
default the page states the recorded command's tree and its share of the events (what `info`
says), and the vmlist and lazy answers show its workload_ figures (equal to the summary's), the
fragmentation answer says it is the whole zone's; with --workload all they are the machine's.
The page says what perf lost (events_lost).

usage: workload.py MMREPLAY"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagecheck  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRACE = os.path.join(ROOT, 'data', 'attribution', 'k_tar_make.perf.txt.zst')
AXES = ['--vmlist', 'list,augmented', '--tlb', 'eager,lazy', '--buddy', 'lifo,mobility', '--repeats', '1',
        '--no-plots']


def page_of(mm, work, name, extra):
    out = os.path.join(work, name)
    run = subprocess.run([mm, 'suite', *AXES, *extra, '--out', out, TRACE], capture_output=True, text=True)
    if run.returncode:
        sys.exit(f'suite {extra} failed: {run.stderr}')
    with open(os.path.join(out, 'index.html')) as f:
        return pagecheck.parse(f.read()), pagecheck.read_csv(os.path.join(out, 'summary.csv'))


def main():
    mm = sys.argv[1]
    errors = []
    info = subprocess.run([mm, 'info', TRACE], capture_output=True, text=True, check=True).stdout
    m = re.search(r'^workload +(tree:\d+): (\d+) of (\d+) events', info, re.M)
    if not m:
        sys.exit(f'info states no workload share:\n{info}')
    label, mine, of = m.group(1), m.group(2), m.group(3)
    with tempfile.TemporaryDirectory(prefix='mmreplay-workload.') as work:
        page, rows = page_of(mm, work, 'tree', [])
        wl = [p for p in page.paras if p['class'] == 'workload']
        if len(wl) != 1 or (wl[0]['data-workload'], wl[0]['data-events'], wl[0]['data-of']) != (label, mine, of):
            errors.append(f'workload paragraph {wl}, info says {label} {mine} of {of}')
        elif f'{int(mine):,} of {int(of):,} events' not in wl[0]['text']:
            errors.append(f'workload paragraph text: {wl[0]["text"]}')
        lost = [p for p in page.paras if p['class'] == 'lost']
        if len(lost) != 1 or lost[0]['data-lost'] != rows[0]['events_lost'] or 'lost' not in lost[0]['text']:
            errors.append(f'lost paragraph {lost}')
        want = {'vmlist': ('workload_vmlist_visits', 'workload'), 'lazy': ('workload_tlb_flushes', 'workload'),
                'fragmentation': ('ufi9_end', 'machine')}
        for a in page.answers:
            metric, whose = want.get(a['data-question'], (None, None))
            if metric and (a['figs'][0][0] != metric or a.get('whose') != whose):
                errors.append(f'{a["data-question"]}: figure {a["figs"][0][0]}, whose {a.get("whose")}; '
                              f'want {metric}, {whose}')
        if {a['data-question'] for a in page.answers} != set(want):
            errors.append(f'answers: {[a["data-question"] for a in page.answers]}')
        errors += pagecheck.check_answers(page, rows, pagecheck.setting_columns(mm))
        if any(int(r['workload_vmlist_visits']) >= int(r['vmlist_visits']) for r in rows):
            errors.append('the workload has every vmlist visit: its share is not counted')
        page, rows = page_of(mm, work, 'all', ['--workload', 'all'])
        wl = [p for p in page.paras if p['class'] == 'workload']
        if len(wl) != 1 or wl[0]['data-workload'] != 'all':
            errors.append(f'--workload all: workload paragraph {wl}')
        for a in page.answers:
            if a['figs'][0][0].startswith('workload_') or 'whose' in a:
                errors.append(f'--workload all: {a["data-question"]} answers from {a["figs"][0][0]}')
        errors += pagecheck.check_answers(page, rows, pagecheck.setting_columns(mm))
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'workload: the page counts {label} ({mine} of {of} events), --workload all the machine')


main()
