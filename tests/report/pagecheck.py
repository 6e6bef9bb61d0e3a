"""Reading a report page (index.html) back: its answers and tables, for the report tests."""
import csv
import html.parser
import subprocess


class Page(html.parser.HTMLParser):
    """Collects the answers (li.answer with their span.fig figures), the cells with a data-col,
    the images and the body's attributes, each with the trace section it is in."""

    def __init__(self):
        super().__init__()
        self.trace = None
        self.answers, self.cells, self.images, self.unanswered = [], [], [], []
        self.body, self.config = {}, None
        self.paras = []  # p.workload, p.lost: their attributes, text and trace
        self._answer, self._cell, self._config_td, self._para = None, None, False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'body':
            self.body = a
        elif tag == 'section' and 'data-trace' in a:
            self.trace = a['data-trace']
        elif tag == 'li' and a.get('class') in ('answer', 'unanswered'):
            self._answer = dict(a, trace=self.trace, figs=[], text='')
            (self.answers if a['class'] == 'answer' else self.unanswered).append(self._answer)
        elif tag == 'span' and a.get('class') == 'fig' and self._answer is not None:
            self._answer['figs'].append((a['data-metric'], a['data-values']))
        elif tag == 'td' and a.get('class') == 'config':
            self._config_td, self.config = True, ''
        elif tag == 'td' and 'data-col' in a:
            self._cell = dict(a, trace=self.trace, config=self.config, text='')
            self.cells.append(self._cell)
        elif tag == 'img':
            self.images.append(a)
        elif tag == 'p' and a.get('class') in ('workload', 'lost'):
            self._para = dict(a, trace=self.trace, text='')
            self.paras.append(self._para)
        elif tag == 'span' and a.get('class') == 'whose' and self._answer is not None:
            self._answer['whose'] = a['data-whose']

    def handle_endtag(self, tag):
        if tag == 'li':
            self._answer = None
        elif tag == 'p':
            self._para = None
        elif tag == 'td':
            self._cell, self._config_td = None, False

    def handle_data(self, data):
        if self._answer is not None:
            self._answer['text'] += data
        if self._cell is not None:
            self._cell['text'] += data
        if self._para is not None:
            self._para['text'] += data
        if self._config_td:
            self.config += data


def parse(text):
    p = Page()
    p.feed(text)
    return p


def read_csv(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def setting_columns(mm):
    """The summary columns that name a setting, from the registry (`mmreplay columns`): the
    configuration columns but the trace's and the label. Two rows of a trace differ in one axis
    when all of these but that axis are equal."""
    out = subprocess.run([mm, 'columns'], check=True, capture_output=True, text=True).stdout
    return tuple(f[0] for f in (line.split() for line in out.splitlines()[1:])
                 if len(f) > 2 and f[2] == 'config' and f[0] not in ('trace', 'trace_id', 'config'))


def check_answers(page, rows, setting_cols):
    """Every figure of every answer equals the summary's value for that cell. Returns errors."""
    errors = []
    for a in page.answers:
        ref = [r for r in rows if r['trace'] == a['trace'] and r['config'] == a['data-reference']]
        if len(ref) != 1:
            errors.append(f"{a['trace']}: reference {a['data-reference']} is not one summary row")
            continue
        ref, axis = ref[0], a['data-axis']
        for metric, values in a['figs']:
            for item in values.split(';'):
                value, text = item.split('=', 1)
                match = [r for r in rows if r['trace'] == a['trace'] and r[axis] == value and
                         all(r[c] == ref[c] for c in setting_cols if c in r and c != axis)]
                if len(match) != 1:
                    errors.append(f"{a['trace']} {axis}={value}: {len(match)} summary rows")
                elif match[0][metric] != text:
                    errors.append(f"{a['trace']} {axis}={value} {metric}: page {text}, summary {match[0][metric]}")
    return errors


def check_cells(page, rows):
    """Every table cell with a data-col shows the summary's value of its row."""
    errors = []
    by = {(r['trace'], r['config']): r for r in rows}
    for c in page.cells:
        r = by.get((c['trace'], c['config']))
        if r is None:
            continue  # the fidelity table: no configuration column
        want = r[c['data-col']]
        shown = c['text'].replace(',', '')
        if c['data-value'] != want or shown != want:
            errors.append(f"{c['trace']} {c['config']} {c['data-col']}: page {c['data-value']}/{c['text']}, "
                          f"summary {want}")
    return errors
