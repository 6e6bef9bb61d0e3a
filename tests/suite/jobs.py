#!/usr/bin/env python3
"""A suite carried out as jobs, end to end (bench/suites/README.md, "Sweeps on a cluster"):
- --list-jobs numbers the cells that run contiguously, --cells-per-job groups them, the lines
  run as they stand, and the merged summary equals the direct run's in every model column;
- merge checks the plan: a cell of another plan, a missing cell, a failed cell are named and
  nothing is written; a new plan in a directory removes what an earlier one left (cells,
  time series, graphs);
- (jobs.py MMREPLAY parallel) the GNU parallel command line, run as printed, equals it too
  (skipped where `parallel` is not installed);
- --status counts done, missing and failed cells with the failures' messages; --resume
  finishes them; Ctrl-C on a run says what finished and where, the directory is marked partial
  and plot says so once;
- a 27,000-cell plan fits one Slurm array of at most 1,000 tasks.

usage: jobs.py MMREPLAY [parallel]"""
import csv
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data')

SUITE = """[suite]
name = jobs
repeats = 1
[traces]
trace = %s
trace = gen:long_busy_list loops=300 seed=1
trace = ${data}/traces/u_build.strace.txt.zst
[axes]
vmlist = list,augmented%s
tlb = eager,lazy
vma = list,maple
"""

errors = []


def check(ok, what):
    if not ok:
        errors.append(what)
    return ok


def rows(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def model(path):
    return [{k: v for k, v in r.items() if not k.startswith('host_')} for r in rows(path)]


def job_range(line):
    a, _, b = re.search(r'--job (\S+)', line).group(1).partition('-')
    return int(a), int(b or a)


def run(mm, *args, ok=True, **kw):
    r = subprocess.run([mm, *args], capture_output=True, text=True, **kw)
    if ok and r.returncode != 0:
        errors.append(f'{" ".join(args)}: exit {r.returncode}: {r.stderr[-600:]}')
    return r


def parallel(mm):
    """GNU parallel, as --list-jobs --format parallel prints it: equal to the direct run."""
    if not shutil.which('parallel'):
        print('SKIP: GNU parallel is not installed (Debian package parallel; run.sh test installs it)')
        sys.exit(77)
    env = dict(os.environ, MMREPLAY_DATA=os.path.realpath(DATA))
    with tempfile.TemporaryDirectory(prefix='mmreplay-parallel.') as work:
        ini = os.path.join(work, 'jobs.ini')
        with open(ini, 'w') as f:
            f.write(SUITE % (os.path.realpath(os.path.join(DATA, 'traces', 'k_fork.perf.txt.zst')), ''))
        direct, par = os.path.join(work, 'direct'), os.path.join(work, 'par')
        run(mm, 'suite', '--no-plots', '--out', direct, ini, env=env)
        want = model(os.path.join(direct, 'summary.csv'))
        cmd = run(mm, 'suite', '--list-jobs', '--format', 'parallel', '--cells-per-job', '2', '--out', par,
                  ini, env=env).stdout
        r = subprocess.run(['sh', '-c', cmd], capture_output=True, text=True)
        check(r.returncode == 0, f'the parallel command line: {r.stderr[-800:]}')
        check(os.path.exists(os.path.join(par, 'index.html')), 'parallel: no report page')
        check(os.path.exists(os.path.join(par, 'prepared', 'trace-000.mmr')), 'parallel: k_fork not prepared')
        if check(os.path.exists(os.path.join(par, 'summary.csv')), 'parallel: no summary'):
            check(model(os.path.join(par, 'summary.csv')) == want, 'parallel run differs from the direct run')
        n = len(want)
    for e in errors:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'GNU parallel: {n} cells, 2 a job, prepared, merged and plotted: equal to the direct run')


def main():
    mm = os.path.realpath(sys.argv[1])
    if sys.argv[2:] == ['parallel']:
        return parallel(mm)
    env = dict(os.environ, MMREPLAY_DATA=os.path.realpath(DATA))
    with tempfile.TemporaryDirectory(prefix='mmreplay-jobs.') as work:
        trace = os.path.join(work, 'k_fork.perf.txt.zst')
        shutil.copy(os.path.join(DATA, 'traces', 'k_fork.perf.txt.zst'), trace)
        ini = os.path.join(work, 'jobs.ini')
        with open(ini, 'w') as f:
            f.write(SUITE % (trace, ''))
        direct, jobs = os.path.join(work, 'direct'), os.path.join(work, 'jobs dir')
        run(mm, 'suite', '--no-plots', '--out', direct, ini, env=env)
        want = model(os.path.join(direct, 'summary.csv'))
        ncells = len(want)
        check(ncells >= 8, f'direct run: {ncells} cells')

        # an earlier, larger plan in the same directory, run as jobs: its cells and graphs
        with open(ini, 'w') as f:
            f.write(SUITE % (trace, ',rbtree'))
        lines = run(mm, 'suite', '--list-jobs', '--out', jobs, ini, env=env).stdout.splitlines()
        for line in lines:
            subprocess.run(['sh', '-c', line], check=True, capture_output=True)
        run(mm, 'merge', jobs)
        run(mm, 'plot', jobs)
        old_cells = len(glob.glob(os.path.join(jobs, 'cells', '*.csv')))
        old_series = set(os.listdir(os.path.join(jobs, 'timeseries')))
        check(old_cells > ncells, f'the larger plan ran {old_cells} cells')
        foreign = os.path.join(work, 'foreign.csv')
        shutil.copy(sorted(glob.glob(os.path.join(jobs, 'cells', '*.csv')))[-1], foreign)

        # the plan itself: jobs numbered 0.. over the cells that run, 3 cells a job
        with open(ini, 'w') as f:
            f.write(SUITE % (trace, ''))
        r = run(mm, 'suite', '--list-jobs', '--cells-per-job', '3', '--out', jobs, ini, env=env)
        check('removed what an earlier run left' in r.stderr, f'no word on the earlier plan: {r.stderr}')
        check(not glob.glob(os.path.join(jobs, 'cells', '*.csv')), 'cells of the earlier plan left')
        check(not glob.glob(os.path.join(jobs, '*.png')) and not os.listdir(os.path.join(jobs, 'timeseries')),
              'graphs or time series of the earlier plan left')
        lines = r.stdout.splitlines()
        ranges = [job_range(l) for l in lines]
        flat = [k for a, b in ranges for k in range(a, b + 1)]
        check(flat == list(range(ncells)), f'job numbers {ranges}, expected 0..{ncells - 1} contiguous')
        check(len(lines) == (ncells + 2) // 3, f'{len(lines)} lines for {ncells} cells of 3')
        plan = rows(os.path.join(jobs, 'plan.csv'))
        check([(p['trace'], p['config']) for p in plan] == [(w['trace'], w['config']) for w in want],
              'plan.csv lists other cells than the direct run')

        # each line runs as it stands but one; merge names what is missing
        for line in lines[1:]:
            subprocess.run(['sh', '-c', line], check=True, capture_output=True)
        r = run(mm, 'merge', jobs, ok=False)
        check(r.returncode == 1 and 'not there' in r.stderr and ': jobs 0-2 not run' in r.stderr,
              f'merge with job 0-2 missing: {r.returncode} {r.stderr}')
        check(not os.path.exists(os.path.join(jobs, 'summary.csv')), 'merge wrote a summary with cells missing')
        r = run(mm, 'plot', jobs, ok=False)
        check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and 'partial' in r.stderr,
              f'plot of a partial directory: {r.stderr}')
        st = run(mm, 'suite', '--status', jobs).stdout
        check(f'{ncells - 3} done, 0 failed, 3 missing' in st and 'missing: 0-2' in st, f'status: {st}')
        subprocess.run(['sh', '-c', lines[0]], check=True, capture_output=True)

        # a cell of another plan among them
        shutil.copy(foreign, os.path.join(jobs, 'cells', f'cell-{ncells + 7:05d}.csv'))
        for args in (['merge', jobs], ['merge', '--out', os.path.join(work, 'm.csv')] +
                     sorted(glob.glob(os.path.join(jobs, 'cells', '*.csv')))):
            r = run(mm, *args, ok=False)
            check(r.returncode == 1 and 'not of' in r.stderr and f'cell-{ncells + 7:05d}' in r.stderr,
                  f'{args[:2]} with a foreign cell: {r.returncode} {r.stderr}')
        os.unlink(os.path.join(jobs, 'cells', f'cell-{ncells + 7:05d}.csv'))
        run(mm, 'merge', jobs)
        check(model(os.path.join(jobs, 'summary.csv')) == want, 'merged jobs differ from the direct run')
        run(mm, 'merge', '--out', os.path.join(work, 'm.csv'), *glob.glob(os.path.join(jobs, 'cells', '*.csv')))
        check(model(os.path.join(work, 'm.csv')) == want, 'merge of the cell files differs from the direct run')

        # a failed cell: its trace broken after the plan was made
        failing = os.path.join(work, 'failing')
        run(mm, 'suite', '--list-jobs', '--out', failing, ini, env=env)
        with open(trace, 'ab') as f:
            f.write(b'garbage\n')
        os.utime(trace, (1, 1))
        r = run(mm, 'suite', '--job', '0', '--out', failing, os.path.join(failing, 'plan.ini'), ok=False)
        check(r.returncode == 1, f'a failing job exits {r.returncode}')
        st = run(mm, 'suite', '--status', failing).stdout
        check(f'0 done, 1 failed, {ncells - 1} missing' in st and 'failed: job 0' in st and 'k_fork' in st,
              f'status with a failed cell: {st}')
        shutil.copy(os.path.join(DATA, 'traces', 'k_fork.perf.txt.zst'), trace)

        # Ctrl-C on a direct run, then --resume
        stopped = os.path.join(work, 'stopped')
        p = subprocess.Popen([mm, 'suite', '--no-plots', '-j', '1', '--out', stopped, ini], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        t0 = time.time()
        while time.time() - t0 < 120 and len(glob.glob(os.path.join(stopped, 'cells', '*.csv'))) < 2:
            time.sleep(0.05)
        p.send_signal(signal.SIGINT)
        err = p.communicate(timeout=60)[1]
        check(p.returncode == -signal.SIGINT, f'Ctrl-C: exit {p.returncode}')
        m = re.search(r'interrupted: (\d+) of (\d+) cells done, each in (.*)/cells/; `mmreplay suite --resume', err)
        if check(m, f'Ctrl-C says nothing useful: {err}'):
            done = len(glob.glob(os.path.join(stopped, 'cells', '*.csv')))
            check(int(m.group(1)) == done and int(m.group(2)) == ncells and m.group(3) == stopped,
                  f'Ctrl-C: {m.group(0)}, {done} cell files')
        check(os.path.exists(os.path.join(stopped, 'PARTIAL.txt')), 'no PARTIAL.txt after Ctrl-C')
        r = run(mm, 'plot', stopped, ok=False)
        check(r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and '--resume' in r.stderr,
              f'plot after Ctrl-C: {r.stderr}')
        run(mm, 'suite', '--resume', stopped)
        check(model(os.path.join(stopped, 'summary.csv')) == want, 'resumed run differs from the direct run')
        check(not os.path.exists(os.path.join(stopped, 'PARTIAL.txt')), 'PARTIAL.txt after the resume')

        # a complete run over an old directory leaves none of the old outputs
        with open(os.path.join(work, 'other.ini'), 'w') as f:
            f.write('[suite]\nname = other\nrepeats = 1\n[traces]\ntrace = gen:long_busy_list loops=100\n'
                    '[axes]\nvmlist = list\n')
        run(mm, 'suite', '--out', jobs, os.path.join(work, 'other.ini'), env=env)
        left = [f for f in os.listdir(os.path.join(jobs, 'timeseries')) if 'k_fork' in f or 'u_build' in f]
        left += [f for f in os.listdir(jobs) if f.endswith('.png') and ('k_fork' in f or 'u_build' in f)]
        check(not left and len(rows(os.path.join(jobs, 'summary.csv'))) == 1, f'old outputs left: {left[:4]}')

        # 27,000 cells (every_cell: each configuration of 2 traces) in one array of <= 1,000 tasks
        big = os.path.join(work, 'big.ini')
        pages = ','.join(str(65536 + 4096 * i) for i in range(5))
        with open(big, 'w') as f:
            f.write('[suite]\nname = big\nevery_cell = 1\n[traces]\ntrace = gen:long_busy_list loops=10\n'
                    'trace = gen:random_size_align loops=10\n[axes]\nvmlist = list,rbtree,rbtree_cache,augmented,nodes\n'
                    f'tlb = eager,range,lazy\nbuddy = lifo,addr,mobility\nvma = list,rbtree,maple\n'
                    f'levels = 2,3,4,5\nzone_pages = {pages}\nmax_order = 6,7,8,9,10\n')
        script = run(mm, 'suite', '--list-jobs', '--format', 'slurm', '--out', os.path.join(work, 'big'), big,
                     env=env).stdout
        m = re.search(r'--array=0-(\d+)', script)
        per = re.search(r'SLURM_ARRAY_TASK_ID \* (\d+)', script)
        if check(m and per, 'no array in the slurm script'):
            tasks, n = int(m.group(1)) + 1, int(per.group(1))
            check(tasks <= 1000 and tasks * n >= 27000 > (tasks - 1) * n,
                  f'27,000 cells as {tasks} tasks of {n}')
        check(len(rows(os.path.join(work, 'big', 'plan.csv'))) == 27000, 'the big plan has not 27,000 cells')
    for e in errors[:30]:
        print(e)
    if errors:
        sys.exit(f'{len(errors)} errors')
    print(f'jobs: {ncells} cells as jobs, merged and resumed: equal to the direct run; 27,000 cells in <= 1,000 tasks')


main()
