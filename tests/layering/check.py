#!/usr/bin/env python3
"""The layering, read off every include line.

mmreplay has three floors, each depending only on the floors below it:
core/ (the engine) < workloads/ (readers, generators, snapshots) < bench/ (the CLI).
Every quoted include names its header from the project root, so the floor it reaches is the
first path component. This check fails when
  - a quoted include is not root-relative (only "config.h", the build's own, is bare),
  - a root-relative include names no file in the tree,
  - a file includes from a floor above its own (core/ from workloads/ or bench/, workloads/
    from bench/), or from a room above its own within its floor (LEVEL below: bench/run/ from
    bench/cli/, bench/output/ from bench/run/, core/kva/ from core/machine/, ...), or from a
    room of the same height beside its own,
  - a private header (NAME_priv.h) is included from outside its own folder.
tests/ may include from any floor.

usage: check.py SOURCE_ROOT      check the tree
       check.py --selftest       plant each kind of violation in a scratch tree, expect each caught
"""
import os
import re
import sys
import tempfile

FLOORS = {'core': 0, 'workloads': 1, 'bench': 2}
# Rooms within a floor by height: a file may include from its own room and the rooms below, not
# from a room beside it of the same height (gen/ and state/ both sit on trace/). The
# microbenchmarks (`mmreplay bench NAME`) sit on cli/, whose option parsing they use. Files at a floor's top level (core/mm_event.h,
# workloads/infile.c) are its lowest room.
LEVEL = {
    'core': {'': 0, 'lib': 0, 'phys': 1, 'kva': 2, 'proc': 3, 'machine': 4},
    'workloads': {'': 0, 'trace': 1, 'state': 2, 'gen': 2, 'record': 3},
    'bench': {'': 0, 'host': 0, 'output': 1, 'run': 2, 'cli': 3, 'microbench': 4},
}


def room(path):
    parts = path.split('/')
    return parts[1] if len(parts) > 2 else ''
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for top in ('core', 'workloads', 'bench', 'tests'):
        for dirpath, dirnames, files in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if not d.startswith(('build', '.'))]
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(dirpath, f), root)


def violations(root):
    out = []
    for rel in sources(root):
        floor = rel.split('/')[0]
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as fh:
            text = fh.read()
        for m in INCLUDE.finditer(text):
            name = m.group(1)
            line = text.count('\n', 0, m.start()) + 1
            where = f'{rel}:{line}'
            if name == 'config.h':
                continue
            top = name.split('/')[0]
            if top not in FLOORS and top != 'tests':
                out.append(f'{where}: "{name}" is not named from the project root')
                continue
            if not os.path.isfile(os.path.join(root, name)):
                out.append(f'{where}: "{name}" names no file')
                continue
            if floor in FLOORS and (top == 'tests' or FLOORS[top] > FLOORS[floor]):
                out.append(f'{where}: {floor}/ includes "{name}" from the floor above it')
            elif floor == top and floor in LEVEL:
                a, b = room(rel), room(name)
                lv = LEVEL[floor]
                if a not in lv or b not in lv:
                    out.append(f'{where}: {floor}/ has no room "{a if a not in lv else b}" in tests/layering/check.py')
                elif a != b and (lv[b] > lv[a] or (lv[b] == lv[a] and a and b)):
                    out.append(f'{where}: {floor}/{a or "(top)"}/ includes "{name}" from room {b or "(top)"}/, not below it')
            if floor != 'tests' and name.endswith('_priv.h') and os.path.dirname(name) != os.path.dirname(rel):
                out.append(f'{where}: private header "{name}" included from outside its folder')
    return out


def selftest():
    plants = {
        'core/kva/x.c': '#include "workloads/w.h"\n',      # upward
        'workloads/y.c': '#include "bench/b.h"\n',         # upward
        'core/z.c': '#include "x.h"\n',                    # bare name
        'bench/q.c': '#include "core/nothere.h"\n',        # names no file
        'bench/p.c': '#include "core/kva/x.h"\n#include "core/m/m_priv.h"\n',  # private header
        'bench/run/r.c': '#include "bench/cli/c.h"\n',   # a room above, same floor
        'workloads/gen/g.c': '#include "workloads/state/s.h"\n',  # a room beside
        'core/machine/ok.c': '#include "core/kva/x.h"\n#include "config.h"\n',  # fine
    }
    files = {'workloads/w.h': '', 'bench/b.h': '', 'core/kva/x.h': '', 'core/m/m_priv.h': '',
             'bench/cli/c.h': '', 'workloads/state/s.h': '',
             'tests/t.c': '#include "bench/b.h"\n'}
    files.update(plants)
    with tempfile.TemporaryDirectory() as d:
        for rel, text in files.items():
            os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(d, rel), 'w') as fh:
                fh.write(text)
        got = violations(d)
    caught = {v.split(':')[0] for v in got}
    want = set(plants) - {'core/machine/ok.c'}
    if caught != want or len(got) != len(want):
        print('selftest: expected one violation in each of', sorted(want), 'got', got)
        return 1
    print(f'selftest: {len(got)} planted violations caught, the clean file passed')
    return 0


def main():
    if sys.argv[1:] == ['--selftest']:
        return selftest()
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    got = violations(sys.argv[1])
    for v in got:
        print(v)
    n = sum(1 for _ in sources(sys.argv[1]))
    print(f'layering: {n} files, {len(got)} violations')
    return 1 if got else 0


if __name__ == '__main__':
    sys.exit(main())
