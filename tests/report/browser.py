#!/usr/bin/env python3
"""The demo's report page in a real headless browser (Debian's chromium): it renders, every
image loads, and the numbers it shows after load equal summary.csv's. Its wording, as a reader
sees it, for a perf trace and a generated one (the demo's), a recording directory and a recording
of a workload beside other jobs: which machine, whose work, what was lost. Leaves a screenshot
(OUT/report-demo.png) and the rendered DOM (OUT/report-demo.dom.html). Exit 77 (skipped) where
no chromium is installed (run.sh installs it for the test run where the distribution has it).

usage: browser.py MMREPLAY OUT"""
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import pagecheck  # noqa: E402

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
         '--disable-component-update', '--disable-sync']


def chromium(profile, *args):
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    return subprocess.run([exe, *FLAGS, f'--user-data-dir={profile}', *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def text_of(dom):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return ' '.join(html.unescape(re.sub(r'<[^>]*>', ' ', dom)).split())


def answer(page, trace, question):
    for a in page.answers:
        if a['trace'] == trace and a['data-question'] == question:
            return ' '.join(a['text'].split())
    return ''


def wording(dom, rows):
    """The demo's answers say which machine they are about, what the lazy figure leaves out, and
    compare nothing where nothing can be compared: a perf trace and a generated one."""
    errors, page, text = [], pagecheck.parse(dom), text_of(dom)
    for t in ('k_fork.perf', 'k_threads2.perf'):
        want = f'{t}: not applicable: a trace without the machine\'s state'
        if want not in text:
            errors.append(f'fidelity of {t}: no {want!r}')
    if 'long_busy_list-loops=2000: not applicable: a generated workload' not in text:
        errors.append('fidelity of a generated trace is not "not applicable"')
    if 'vmap_addr_exact' in text.split('How close to the real kernel')[1].split('Answers')[0]:
        errors.append('the fidelity section shows exact addresses of traces without a machine')
    ref = {r['trace']: r for r in rows if r['config'] == next(
        a['data-reference'] for a in page.answers if a['trace'] == r['trace'])}
    frag = answer(page, 'k_threads2.perf', 'fragmentation')
    zp = int(ref['k_threads2.perf']['zone_pages'])
    if f'modelled Normal zone of {zp:,} pages ({zp * 4096 >> 20} MiB) that starts all free' not in frag:
        errors.append(f'the fragmentation answer does not name the modelled zone: {frag}')
    if 'with both' in ' '.join(a['text'] for a in page.answers):
        errors.append('"with both" where three buddy policies ran')
    lazy0 = answer(page, 'k_fork.perf', 'lazy')
    lazy_row = [r for r in rows if r['trace'] == 'k_fork.perf' and r['tlb'] == 'lazy' and
                all(r[c] == ref['k_fork.perf'][c] for c in ('vmlist', 'buddy', 'vma', 'zone_pages'))][0]
    if lazy_row['tlb_flushes'] == '0' and lazy_row['vmap_lazy_pending'] != '0':
        want = f'no purge ran before the trace ended: {int(lazy_row["vmap_lazy_pending"]):,} areas'
        if want not in lazy0:
            errors.append(f'k_fork lazy answer: no {want!r}: {lazy0}')
    lazy = answer(page, 'k_threads2.perf', 'lazy')
    if 'purge=trace' not in lazy or 'still wait for a purge at the end' not in lazy:
        errors.append(f'k_threads2 lazy answer does not say the purges are the trace\'s: {lazy}')
    if "Holm's correction for the" not in text or 'at least 5 repeats' not in text:
        errors.append('the baseline comparison names no correction or repeats')
    # whose work and what was lost: the bundled traces name no command and carry no lost marks
    paras = {(p['trace'], p['class']): ' '.join(p['text'].split()) for p in page.paras}
    for t, lost in (('k_threads2.perf', 'The trace shows no lost events (events_lost 0); a perf trace '
                     'recorded before the recorders kept'),
                    ('long_busy_list-loops=2000', 'Nothing was recorded, so nothing was lost: a generated')):
        if not paras.get((t, 'lost'), '').startswith(lost):
            errors.append(f'{t}: lost paragraph {paras.get((t, "lost"))!r}')
        if not paras.get((t, 'workload'), '').startswith('Workload: every event (all)'):
            errors.append(f'{t}: workload paragraph {paras.get((t, "workload"))!r}')
    if any('whose' in a for a in page.answers):
        errors.append('an answer of the demo says it counts a workload')
    return errors


def workload_page(mm, out):
    """A recording of tar during a -j2 build, as a reader sees its page: whose work, its share,
    and answers that say they count it alone (fragmentation: the whole zone)."""
    trace = os.path.join(ROOT, 'data', 'attribution', 'k_tar_make.perf.txt.zst')
    d = os.path.join(out, 'results', 'workload')
    info = subprocess.run([mm, 'info', trace], capture_output=True, text=True).stdout
    m = re.search(r'^workload +(tree:\d+): (\d+) of (\d+) events \(([0-9.]+) %\)', info, re.M)
    r = subprocess.run([mm, 'suite', '--no-plots', '--repeats', '1', '--vmlist', 'list,augmented', '--tlb',
                        'eager,lazy', '--buddy', 'lifo,mobility', '--out', d, trace], capture_output=True, text=True)
    if r.returncode or not m:
        return [f'workload suite failed: {r.stderr[-500:]} / info: {info[-300:]}']
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        dom = chromium(profile, '--virtual-time-budget=20000', '--dump-dom',
                       'file://' + os.path.join(d, 'index.html')).stdout
    page, errors = pagecheck.parse(dom), []
    label, mine, of, share = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
    wl = [' '.join(p['text'].split()) for p in page.paras if p['class'] == 'workload']
    want = f'Workload {label} (a process tree: the recorded command\'s by default): {mine:,} of {of:,} events ({share} %)'
    if not wl or not wl[0].startswith(want):
        errors.append(f'workload paragraph {wl}, want {want!r}')
    lost = [' '.join(p['text'].split()) for p in page.paras if p['class'] == 'lost']
    if lost != ['No events were lost while recording (events_lost 0).']:
        errors.append(f'lost paragraph of a recording that lost nothing: {lost}')
    for q, whose in (('vmlist', f'[counting the work of {label} only: workload_vmlist_visits]'),
                     ('lazy', f'[counting the work of {label} only: workload_tlb_flushes]'),
                     ('fragmentation', f'[the zone\'s state after every task\'s events, not {label}\'s alone')):
        if whose not in answer(page, 'k_tar_make.perf', q):
            errors.append(f'{q} answer lacks {whose!r}: {answer(page, "k_tar_make.perf", q)}')
    return errors


def recording_page(mm, out):
    """A recording replayed by a suite: its answers are about the recorded machine and the
    fidelity table shows its agreement figures."""
    errors = []
    rec = os.path.join(ROOT, 'data', 'recordings', 'd_mixed5')
    d = os.path.join(out, 'results', 'recording')
    ini = os.path.join(out, 'recording.ini')
    os.makedirs(os.path.dirname(d), exist_ok=True)
    with open(ini, 'w') as f:
        f.write(f'[suite]\nname = recording\nrepeats = 1\n[traces]\ntrace = {rec}\n'
                '[axes]\nvmlist = list,augmented,nodes\ntlb = eager,lazy\nbuddy = lifo,mobility\n')
    r = subprocess.run([mm, 'suite', '--no-plots', '--out', d, ini], capture_output=True, text=True)
    if r.returncode:
        return [f'recording suite failed: {r.stderr[-500:]}']
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        dom = chromium(profile, '--virtual-time-budget=20000', '--dump-dom',
                       'file://' + os.path.join(d, 'index.html')).stdout
    page, text = pagecheck.parse(dom), text_of(dom)
    lost = [' '.join(p['text'].split()) for p in page.paras if p['class'] == 'lost']
    if not lost or not lost[0].startswith('The trace shows no lost events (events_lost 0)'):
        errors.append(f'recording lost paragraph: {lost}')
    frag = answer(page, 'd_mixed5', 'fragmentation')
    if 'on the recorded machine' not in frag or 'modelled' in frag:
        errors.append(f'recording fragmentation answer: {frag}')
    if 'on the recorded machine' not in answer(page, 'd_mixed5', 'vmlist'):
        errors.append('recording vmlist answer does not name the recorded machine')
    fid = text.split('How close to the real kernel')[1].split('Answers')[0]
    if 'not applicable' in fid or 'vmalloc_end_matched' not in fid:
        errors.append(f'recording fidelity section: {fid[:300]}')
    # the figures are those of the configuration that came closest: the kernel's own design
    rows = pagecheck.read_csv(os.path.join(d, 'summary.csv'))
    best = max(rows, key=lambda r: (int(r['vmap_addr_exact_warm']), int(r['vmap_addr_exact'])))
    shown = {c['data-value'] for c in page.cells if c['data-col'] == 'vmap_addr_exact_warm' and c['config'] is None}
    if best['vmlist'] != 'nodes' or shown != {best['vmap_addr_exact_warm']}:
        errors.append(f"fidelity shows exact_warm {shown}, the closest ({best['config']}) has "
                      f"{best['vmap_addr_exact_warm']}")
    return errors


def main():
    mm, out = sys.argv[1], os.path.abspath(sys.argv[2])
    if not (shutil.which('chromium') or shutil.which('chromium-browser')):
        print('browser test skipped: no chromium (apt-get install chromium)')
        sys.exit(77)
    demo = os.path.join(out, 'results', 'demo')
    os.makedirs(os.path.dirname(demo), exist_ok=True)  # --out creates only its last component
    subprocess.run([mm, 'demo', '--out', demo], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # The page runs no script (its Content-Security-Policy forbids them). To read back what
    # loaded, a copy beside it gets one, its policy otherwise unchanged, so images load under it.
    html = open(os.path.join(demo, 'index.html')).read()
    errors = []
    if "script-src 'none'" not in html or '<script' in html.lower():
        errors.append('index.html: no Content-Security-Policy forbidding scripts, or a script')
    probe = ("<script>window.addEventListener('load',function(){var i=document.images,n=0,k;"
             "for(k=0;k<i.length;k++){var ok=i[k].complete&&i[k].naturalWidth>0;"
             "i[k].setAttribute('data-loaded',ok?'yes':'no');n+=ok;}"
             "document.body.setAttribute('data-images',n+'/'+i.length);});</script>\n")
    check = os.path.join(demo, '.index.check.html')
    with open(check, 'w') as f:
        f.write(html.replace("script-src 'none'", "script-src 'unsafe-inline'")
                .replace('</body>', probe + '</body>'))
    url = 'file://' + check
    shot, dom_path = os.path.join(out, 'report-demo.png'), os.path.join(out, 'report-demo.dom.html')
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        dom = chromium(profile, '--virtual-time-budget=20000', '--dump-dom', url)
    with tempfile.TemporaryDirectory(prefix='mmreplay-chromium.') as profile:
        chromium(profile, '--window-size=1280,2400', '--hide-scrollbars', f'--screenshot={shot}',
                 'file://' + os.path.join(demo, 'index.html'))
    os.unlink(check)
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
    # graphs people can read: host labels horizontal at full size, shortened to what differs;
    # VMA bars counts alone; the visits scatter's series in colours of their own
    host = svg('host_k_threads2.perf.svg')
    if re.search(r'translate\([^)]*\) rotate\(', host) or 'every configuration also' not in host:
        errors.append('host_k_threads2.perf.svg: rotated or full-length configuration labels')
    sizes = {float(x) for x in re.findall(r'font-size="([0-9.]+)"', host)}
    if not sizes or min(sizes) < 10:
        errors.append(f'host graph text sizes {sorted(sizes)}')
    if 'munmap' in svg('vma_u_churn1.strace.svg'):
        errors.append('the VMA graph puts a host time beside counts')
    colours = set(re.findall(r"rgb\(\s*\d+,\s*\d+,\s*\d+\)", svg('vmlist_visits_k_threads2.perf.svg')))
    if len(colours) < 3:
        errors.append(f'vmlist visits scatter: {len(colours)} colours for 3 series')
    if os.path.exists(os.path.join(demo, 'frag_u_churn1.strace.svg')):
        errors.append('a flat fragmentation graph for a trace that takes no page')
    if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
        errors.append(f'no screenshot at {shot}')
    errors += wording(dom.stdout, rows)
    errors += recording_page(mm, out)
    errors += workload_page(mm, out)
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'browser: {loaded} images loaded, {len(page.cells)} numbers equal the summary; screenshot {shot}')


main()
