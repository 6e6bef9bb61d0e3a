#!/usr/bin/env python3
"""A suite on a real Slurm: a single-node cluster started here (munged with a key written here,
slurmctld and slurmd on localhost, slurm.conf written into a temporary directory, free ports),
a suite of at least 40 cells submitted through the script `suite --list-jobs --format slurm`
writes (the prepare step, an array of tasks of a few cells each, the merge and the graphs), and
every model column of its summary equal to the direct `suite` run's. Everything started here is
stopped at the end, on failure too; every wait is bounded. Where Debian's slurm-wlm and munge
are missing, or the cluster does not come up, the test is skipped (exit 77) with the reason.

usage: slurm.py MMREPLAY"""
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'data')
SKIP = 77

SUITE = """[suite]
name = slurmtest
repeats = 1
[traces]
trace = ${data}/traces/k_fork.perf.txt.zst
trace = ${data}/traces/u_build.strace.txt.zst
[axes]
vmlist = list,rbtree,rbtree_cache,augmented,nodes
tlb = eager,range,lazy
buddy = lifo,addr,mobility
vma = list,rbtree,maple
"""

CONF = """ClusterName=mmrtest
SlurmctldHost=localhost
SlurmUser={user}
SlurmdUser=root
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={dir}/munge.sock
StateSaveLocation={dir}/state
SlurmdSpoolDir={dir}/spool
SlurmctldPidFile={dir}/slurmctld.pid
SlurmdPidFile={dir}/slurmd.pid
SlurmctldLogFile={dir}/slurmctld.log
SlurmdLogFile={dir}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=localhost NodeHostname=localhost CPUs={cpus} RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
"""


def skip(why):
    print(f'SKIP: {why}')
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def model(path):
    with open(path, newline='') as f:
        return [{k: v for k, v in r.items() if not k.startswith('host_')} for r in csv.DictReader(f)]


def tail(path, n=5):
    try:
        with open(path, errors='replace') as f:
            return ' | '.join(f.read().strip().splitlines()[-n:])
    except OSError:
        return '(no log)'


def wait(what, cond, seconds):
    t0 = time.time()
    while time.time() - t0 < seconds:
        if cond():
            return True
        time.sleep(0.2)
    return False


def main():
    mm = os.path.realpath(sys.argv[1])
    tools = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'sinfo', 'scancel']
    missing = [t for t in tools if not shutil.which(t, path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')]
    if missing:
        skip(f'{", ".join(missing)} not installed (Debian packages slurm-wlm and munge; run.sh test installs them)')
    if os.geteuid() != 0:
        skip('slurmd runs jobs as their users: a single-node cluster needs root here')
    sbin = lambda t: shutil.which(t, path=os.environ.get('PATH', '') + ':/usr/sbin:/sbin')
    procs = []
    work = tempfile.mkdtemp(prefix='mmreplay-slurm.')
    env = dict(os.environ, SLURM_CONF=os.path.join(work, 'slurm.conf'), MMREPLAY_DATA=os.path.realpath(DATA))
    try:
        os.makedirs(os.path.join(work, 'state'))
        os.makedirs(os.path.join(work, 'spool'))
        key = os.path.join(work, 'munge.key')
        with open(key, 'wb') as f:
            f.write(os.urandom(1024))
        os.chmod(key, 0o600)
        with open(env['SLURM_CONF'], 'w') as f:
            f.write(CONF.format(dir=work, user='root', ctld_port=free_port(), d_port=free_port(),
                                cpus=os.cpu_count() or 1))
        log = open(os.path.join(work, 'daemons.out'), 'w')
        procs.append(subprocess.Popen([sbin('munged'), '-F', '--force', f'--key-file={key}',
                                       f'--socket={work}/munge.sock', f'--pid-file={work}/munged.pid',
                                       f'--seed-file={work}/munge.seed', f'--log-file={work}/munged.log'],
                                      stdout=log, stderr=log))
        if not wait('munged', lambda: os.path.exists(f'{work}/munge.sock'), 15):
            skip(f'munged did not start: {tail(work + "/munged.log")} {tail(work + "/daemons.out")}')
        procs.append(subprocess.Popen([sbin('slurmctld'), '-D', '-i', '-f', env['SLURM_CONF']], stdout=log,
                                      stderr=log, env=env))
        procs.append(subprocess.Popen([sbin('slurmd'), '-D', '-N', 'localhost', '-f', env['SLURM_CONF']],
                                      stdout=log, stderr=log, env=env))

        def idle():
            r = subprocess.run(['sinfo', '-h', '-o', '%T'], capture_output=True, text=True, env=env)
            return r.returncode == 0 and r.stdout.strip() == 'idle'
        if not wait('the node', idle, 30):
            skip(f'slurm did not come up: {tail(work + "/slurmctld.log")} {tail(work + "/slurmd.log")} '
                 f'{tail(work + "/daemons.out")}')

        ini = os.path.join(work, 'slurmtest.ini')
        with open(ini, 'w') as f:
            f.write(SUITE)
        direct, out = os.path.join(work, 'direct'), os.path.join(work, 'out')
        subprocess.run([mm, 'suite', '--no-plots', '--out', direct, ini], check=True, capture_output=True, env=env)
        want = model(os.path.join(direct, 'summary.csv'))
        assert len(want) >= 40, f'{len(want)} cells'
        t0 = time.time()
        script = subprocess.run([mm, 'suite', '--list-jobs', '--format', 'slurm', '--cells-per-job', '5', '--out',
                                 out, ini], check=True, capture_output=True, text=True, env=env).stdout
        path = os.path.join(work, 'submit.sh')
        with open(path, 'w') as f:
            f.write(script)
        sub = subprocess.run(['bash', path], capture_output=True, text=True, env=env, timeout=60)
        assert sub.returncode == 0, f'the script: {sub.stdout} {sub.stderr}'
        print(sub.stdout.strip())

        def drained():
            r = subprocess.run(['squeue', '-h'], capture_output=True, text=True, env=env)
            return r.returncode == 0 and not r.stdout.strip()
        assert wait('the jobs', drained, 120), f'jobs still queued after 120 s: {tail(work + "/slurmctld.log")}'
        took = time.time() - t0
        logs = sorted(os.listdir(os.path.join(out, 'slurm')))
        errs = ' | '.join(tail(os.path.join(out, 'slurm', l), 3) for l in logs if l.startswith('merge'))
        assert os.path.exists(os.path.join(out, 'summary.csv')), f'no summary; merge said: {errs}'
        got = model(os.path.join(out, 'summary.csv'))
        assert got == want, 'the Slurm run differs from the direct run in a model column'
        assert os.path.exists(os.path.join(out, 'index.html')), 'no report page'
        tasks = len([l for l in logs if l.startswith('cells-') and l.endswith('.out')])
        assert tasks == (len(want) + 4) // 5, f'{tasks} array tasks for {len(want)} cells of 5'
        print(f'slurm: {len(want)} cells as {tasks} array tasks, merged and plotted in {took:.1f} s: '
              f'every model column equals the direct run')
    finally:
        if shutil.which('scancel') and procs:
            try:  # a controller that never came up does not answer: the daemons are stopped below
                subprocess.run(['scancel', '--full', '-u', 'root'], capture_output=True, env=env, timeout=20)
            except subprocess.TimeoutExpired:
                pass
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


main()
