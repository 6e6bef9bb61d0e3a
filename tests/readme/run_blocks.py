#!/usr/bin/env python3
"""Every ```sh block of README.md runs as written: each with bash -e, in order, in one scratch
directory where `data` is the bundled data/ and `mmreplay` is this build's binary on PATH. A
block whose first line starts with '# not run' is skipped, and says why in that line (recording
needs root; the quick start is the build and test run itself). Each command's exit status must
be 0; the README's claims about the outputs are checked too (the report page exists).

usage: run_blocks.py MMREPLAY"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def blocks(text):
    return re.findall(r'^```sh\n(.*?)^```', text, flags=re.S | re.M)


def main():
    mm = os.path.abspath(sys.argv[1])
    with open(os.path.join(ROOT, 'README.md')) as f:
        found = blocks(f.read())
    if not found:
        sys.exit('README.md has no ```sh blocks')
    ran = skipped = 0
    with tempfile.TemporaryDirectory(prefix='mmreplay-readme.') as work:
        os.symlink(os.path.join(ROOT, 'data'), os.path.join(work, 'data'))
        bindir = os.path.join(work, 'bin')
        os.mkdir(bindir)
        os.symlink(mm, os.path.join(bindir, 'mmreplay'))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get('PATH', ''))
        for i, b in enumerate(found):
            first = b.lstrip().splitlines()[0] if b.strip() else ''
            if first.startswith('# not run'):
                if len(first) < len('# not run') + 10:
                    sys.exit(f'block {i + 1}: a skipped block says why in its first line')
                skipped += 1
                continue
            r = subprocess.run(['bash', '-e', '-o', 'pipefail', '-c', b], cwd=work, env=env, capture_output=True,
                               text=True, stdin=subprocess.DEVNULL)
            if r.returncode:
                sys.exit(f'README block {i + 1} failed (exit {r.returncode}):\n{b}\n--- stderr:\n{r.stderr[-3000:]}')
            ran += 1
        if not os.path.exists(os.path.join(work, 'results', 'mine', 'index.html')):
            sys.exit('the tour promises results/mine/index.html')
    print(f'README: {ran} shell blocks ran, {skipped} not run (each says why)')


main()
