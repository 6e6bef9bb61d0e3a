#!/usr/bin/env python3
"""The demo's report page in a real headless browser (Debian's chromium): it renders, every
image loads, and the numbers it shows after load equal summary.csv's. Leaves a screenshot
(OUT/report-demo.png) and the rendered DOM (OUT/report-demo.dom.html). Exit 77 (skipped) where
no chromium is installed (run.sh installs it for the test run where the distribution has it).

usage: browser.py MMREPLAY OUT"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagecheck  # noqa: E402

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
         '--disable-component-update', '--disable-sync']


def chromium(profile, *args):
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    return subprocess.run([exe, *FLAGS, f'--user-data-dir={profile}', *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def main():
    mm, out = sys.argv[1], os.path.abspath(sys.argv[2])
    if not (shutil.which('chromium') or shutil.which('chromium-browser')):
        print('browser test skipped: no chromium (apt-get install chromium)')
        sys.exit(77)
    demo = os.path.join(out, 'results', 'demo')
    os.makedirs(out, exist_ok=True)
    subprocess.run([mm, 'demo', '--out', demo], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = 'file://' + os.path.join(demo, 'index.html')
    shot, dom_path = os.path.join(out, 'report-demo.png'), os.path.join(out, 'report-demo.dom.html')
    errors = []
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        dom = chromium(profile, '--virtual-time-budget=20000', '--dump-dom', url)
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        chromium(profile, '--window-size=1280,2400', '--hide-scrollbars', f'--screenshot={shot}', url)
    with open(dom_path, 'w') as f:
        f.write(dom.stdout)
    page = pagecheck.parse(dom.stdout)
    loaded = page.body.get('data-images', '')
    n, _, total = loaded.partition('/')
    if not loaded or n != total or int(total or 0) == 0:
        errors.append(f'images loaded after load: {loaded!r} (rendered DOM in {dom_path})')
    broken = [i.get('src') for i in page.images if i.get('data-loaded') != 'yes']
    if broken:
        errors.append(f'broken images: {broken[:5]}')
    rows = pagecheck.read_csv(os.path.join(demo, 'summary.csv'))
    traces = {r['trace'] for r in rows}
    shown = {c['trace'] for c in page.cells}
    if traces - shown:
        errors.append(f'traces without a table on the rendered page: {sorted(traces - shown)}')
    errors += pagecheck.check_cells(page, rows)
    errors += pagecheck.check_answers(page, rows, pagecheck.setting_columns(mm))
    # graphs that answer: what is held fixed, which way is better, final values in the key
    def svg(name):
        path = os.path.join(demo, name)
        return open(path).read() if os.path.exists(path) else ''
    tlb = svg('tlb_k_threads2.perf.svg')
    for want in ('lower is better', 'others held at augmented/lazy/lifo', 'lazy: 3', 'eager: 9648'):
        if want not in tlb:
            errors.append(f'tlb_k_threads2.perf.svg lacks {want!r}')
    if 'find_vma visits' not in svg('vma_u_churn1.strace.svg'):
        errors.append('no VMA graph for the strace trace')
    if os.path.exists(os.path.join(demo, 'frag_u_churn1.strace.svg')):
        errors.append('a flat fragmentation graph for a trace that takes no page')
    if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
        errors.append(f'no screenshot at {shot}')
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'browser: {loaded} images loaded, {len(page.cells)} numbers equal the summary; screenshot {shot}')


main()
