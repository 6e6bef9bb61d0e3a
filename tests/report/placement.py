#!/usr/bin/env python3
"""The report page's placement-error table: a suite over a bundled recording (copied under a
name full of HTML's special characters) in placement mode with two buddy policies and the
per-CPU lists on and off. The table has one row per placement configuration, each cell shows the
summary's value of that configuration (data-value and text), the free-pages share is the error
over the kernel's free pages then, and the recording's name reaches the page only escaped.

usage: placement.py MMREPLAY"""
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagecheck  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REC = os.path.join(ROOT, 'data', 'recordings', 'd_mixed5')
NAME = 'd_<b>&"x\''


class Table(html.parser.HTMLParser):
    """The rows of table.placement-error: their attributes and cells (data-col -> value, text)."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell, self.inside = [], None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'table' and a.get('class') == 'placement-error':
            self.inside = True
        elif self.inside and tag == 'tr' and a.get('class') == 'placement-row':
            self._row = dict(a, cells={})
            self.rows.append(self._row)
        elif self._row is not None and tag == 'td' and 'data-col' in a:
            self._cell = [a['data-value'], '']
            self._row['cells'][a['data-col']] = self._cell

    def handle_endtag(self, tag):
        if tag == 'td':
            self._cell = None
        elif tag == 'tr':
            self._row = None
        elif tag == 'table':
            self.inside = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data


def main():
    mm = sys.argv[1]
    errors = []
    with tempfile.TemporaryDirectory(prefix='mmreplay-placement.') as work:
        rec, out = os.path.join(work, NAME), os.path.join(work, 'out')
        shutil.copytree(REC, rec)
        run = subprocess.run([mm, 'suite', '--vmlist', 'augmented', '--tlb', 'lazy', '--page-mode', 'placement',
                              '--buddy', 'lifo,mobility', '--pcp', 'on,off', '--repeats', '1', '--no-plots',
                              '--out', out, rec], capture_output=True, text=True)
        if run.returncode:
            sys.exit(f'suite failed: {run.stderr}')
        rows = pagecheck.read_csv(os.path.join(out, 'summary.csv'))
        with open(os.path.join(out, 'index.html')) as f:
            text = f.read()
        if NAME in text or 'd_<b>' in text:
            errors.append('the recording name reached the page unescaped')
        t = Table()
        t.feed(text)
        by = {r['config']: r for r in rows}
        want = {r['config'] for r in rows if r['page_mode'] == 'placement' and int(r['snaps_compared'] or 0) > 0}
        if len(want) != 4 or {row['data-config'] for row in t.rows} != want:
            errors.append(f'table rows {[row["data-config"] for row in t.rows]}, summary {sorted(want)}')
        for row in t.rows:
            r = by.get(row['data-config'])
            if r is None or row['data-trace'] != r['trace'] or r['trace'] != NAME:
                errors.append(f'row {row["data-trace"]} {row["data-config"]}: not the summary\'s')
                continue
            for col, (value, shown) in row['cells'].items():
                if col == 'free_pages_err_pct':
                    pct = 100 * float(r['snap_free_pages_err_max']) / float(r['snap_free_pages_kernel'])
                    if value != f'{pct:.2f} %' or shown != value:
                        errors.append(f'{row["data-config"]}: share {value}/{shown}, want {pct:.2f} %')
                elif value != r[col] or shown.replace(',', '') != r[col]:
                    errors.append(f'{row["data-config"]} {col}: page {value}/{shown}, summary {r[col]}')
            for col in ('buddy', 'pcp', 'compaction', 'snap_ufi9_err_max', 'snap_ufi9_err_max_at',
                        'snap_free_pages_err_max', 'snaps_untraced'):
                if col not in row['cells']:
                    errors.append(f'{row["data-config"]}: no {col} cell')
        if len({(row['cells']['buddy'][0], row['cells']['pcp'][0]) for row in t.rows}) != 4:
            errors.append('the rows are not the four policies')
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(1)
    print('placement-error table: 4 rows, every cell the summary\'s')


if __name__ == '__main__':
    main()
