"""The Slurm recipe of docs/SHARDS.md, run by a real Slurm: a one-node
cluster on loopback (Debian's munged, slurmctld and slurmd, with a key, a
configuration, state and logs in a directory of the test's own), started
and stopped here. A job array of 4 shards, each with its own -o and
--state, probes names against a faultd; one shard is killed with SIGKILL in
the middle of its run and requeued, and Slurm runs its script again, with
the same arguments. The outputs merged hold every name once, with the
verdict of an uninterrupted run, and each shard ends with the exit status
an uninterrupted run of it gives.

Needs root (slurmd starts each job as its user) and the packages, which
scripts/bootstrap test installs: without them the suite is skipped, except
under CI=true, where a missing package fails it."""

import contextlib
import ctypes
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import BLOGDOM, blogdom, free_port, loopback_only, needs, \
    terminate, without_checks

SHARDS = 4
COUNT = 1600
# Each shard's names at this pace take about 4 s: time to be killed in
# the middle, little enough for the suite's budget.
RATE = 100
# The one name with no definitive answer: the shard that holds it ends
# with exit status 1, and is the one killed, after its line is written.
ERROR_NAME = "n5.dev"

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "scontrol", "scancel", "squeue")
# Job states after which Slurm runs the job no more (unless requeued).
ENDED = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
         "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED"}


def names():
    return [f"n{i}.dev" for i in range(COUNT)]


def start_server(faultd):
    return faultd([f"{ERROR_NAME} servfail", "n*7.dev a=192.0.2.1"],
                  default="nxdomain")


def tools():
    """{tool: path} of the daemons and commands, or skips (fails under
    CI=true) when one is missing. The daemons are in sbin, which the PATH
    of a login that is not root's lacks."""
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    found = {t: shutil.which(t, path=path) for t in DAEMONS + CLIENTS}
    missing = [t for t, p in found.items() if not p]
    if missing:
        reason = ("needs Slurm and munge (slurmctld, slurmd, slurm-client, "
                  "munge): not found: " + " ".join(missing))
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (scripts/bootstrap test installs them)")
        needs(reason)
    return found


def wait(what, ready, deadline):
    """ready()'s first true value, asked every 50 ms for deadline s."""
    end = time.monotonic() + deadline
    while True:
        value = ready()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"no {what} after {deadline} s")
        time.sleep(0.05)


def die_with_parent():
    """In the child, before exec: SIGKILL when the test's process dies, so
    that no daemon outlives a run that was killed (PR_SET_PDEATHSIG)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)


class Slurm:
    """munged, slurmctld and slurmd in the foreground, as children of the
    test, on free loopback ports; every file they use is under workdir and
    every command is given SLURM_CONF."""

    def __init__(self, workdir, paths):
        self.dir = Path(workdir)
        self.paths = paths
        self.host = socket.gethostname().split(".")[0]
        self.conf = self.dir / "slurm.conf"
        self.socket = self.dir / "munge.socket"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))
        self.procs = {}

    def config(self, ctld_port, slurmd_port):
        d = self.dir
        return f"""ClusterName=blogdom
SlurmctldHost={self.host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job waits until its former credential has expired: 5 s, the
# least Slurm takes, instead of 120.
AuthInfo=socket={self.socket},cred_expire=5
StateSaveLocation={d}/state
SlurmdSpoolDir={d}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
# No systemd, no cgroups: processes tracked by their parents, no task
# binding, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
KillWait=5
MinJobAge=600
ReturnToService=2
# Four CPUs whatever the machine has, so that the four shards run at once.
SlurmdParameters=config_overrides
NodeName={self.host} NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=blogdom Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
"""

    def spawn(self, name, args):
        log = open(self.dir / f"{name}.out", "w")
        self.procs[name] = subprocess.Popen(
            [self.paths[name]] + args, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, env=self.env,
            preexec_fn=die_with_parent)
        log.close()

    def start(self):
        key = self.dir / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        for sub in ("state", "spool"):
            (self.dir / sub).mkdir()
        # slurmd loads a cgroup plugin even when no other plugin uses it;
        # left to choose, it picks one by what /sys/fs/cgroup holds and
        # fails where nothing is mounted there (a chroot, some containers).
        # Named, the plugin is loaded and never used.
        (self.dir / "cgroup.conf").write_text("CgroupPlugin=cgroup/v1\n")
        d = self.dir
        self.spawn("munged", ["--foreground", f"--socket={self.socket}",
                              f"--key-file={key}",
                              f"--log-file={d}/munged.log",
                              f"--pid-file={d}/munged.pid",
                              f"--seed-file={d}/munged.seed"])
        wait("munged's socket", self.socket.exists, 10)
        for _ in range(3):
            ports = (free_port(), free_port())
            if ports[0] == ports[1]:
                continue
            self.conf.write_text(self.config(*ports))
            self.spawn("slurmctld", ["-D", "-c"])
            self.spawn("slurmd", ["-D", "-N", self.host])
            try:
                wait(f"node {self.host} idle", self.idle, 30)
                return self
            except AssertionError:
                # A port taken since it was found free: again with others.
                for name in ("slurmd", "slurmctld"):
                    self.end(name)
        raise AssertionError("Slurm did not start\n" + self.logs())

    def idle(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with status "
                                     f"{proc.returncode}\n" + self.logs())
        node = self.command("scontrol", "-o", "show", "node", self.host,
                            check=False)
        return " State=IDLE " in node.stdout

    def command(self, tool, *args, check=True, cwd=None):
        r = subprocess.run([self.paths[tool]] + [str(a) for a in args],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, env=self.env, cwd=cwd, timeout=30)
        if check:
            assert r.returncode == 0, \
                f"{tool} {' '.join(map(str, args))}: {r.stderr}"
        return r

    def tasks(self, job):
        """{array index: {field: value}} of a job array, from scontrol's
        one line a task (the pending rest of an array is one line whose
        index is a range, left out)."""
        out = self.command("scontrol", "-o", "show", "job", job).stdout
        tasks = {}
        for line in out.splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if fields.get("ArrayTaskId", "").isdigit():
                tasks[int(fields["ArrayTaskId"])] = fields
        return tasks

    def logs(self, more=()):
        """The end of each daemon's log, and of the files in more."""
        parts = []
        for path in sorted(self.dir.glob("*.log")) + \
                sorted(self.dir.glob("*.out")) + list(more):
            text = Path(path).read_text(errors="replace") \
                if Path(path).exists() else "(none)"
            parts.append(f"--- {path}\n" + "\n".join(
                text.splitlines()[-40:]))
        return "\n".join(parts)

    def end(self, name):
        proc = self.procs.pop(name, None)
        if proc:
            terminate(proc)

    def stop(self):
        """Cancels what still runs (a failed test's jobs), then ends the
        daemons."""
        ctld = self.procs.get("slurmctld")
        if ctld and ctld.poll() is None:
            self.command("scancel", "--user=root", check=False)
            end = time.monotonic() + 15
            while time.monotonic() < end:
                queue = self.command("squeue", "-h", "-o", "%T",
                                     check=False)
                if queue.returncode != 0 or not queue.stdout.strip():
                    break
                time.sleep(0.1)
        for name in ("slurmd", "slurmctld", "munged"):
            self.end(name)


@pytest.fixture
def slurm():
    if os.geteuid() != 0:
        needs("needs root: slurmd starts jobs as their user")
    paths = tools()
    # munged refuses a socket in a directory that not everyone may enter.
    with tempfile.TemporaryDirectory(prefix="bd-slurm-") as d:
        os.chmod(d, 0o755)
        cluster = Slurm(d, paths)
        try:
            yield cluster.start()
        finally:
            cluster.stop()


@contextlib.contextmanager
def diagnosed(slurm, work):
    """On failure, the daemons' and the jobs' logs, as captured output."""
    try:
        yield
    except BaseException:
        print(slurm.logs(sorted((work / "logs").glob("*"))))
        raise


def job_script(server):
    """The recipe's script: one shard of the array a task, each with its
    own output and state, run again as it is when Slurm requeues it. Its
    time limit ends a task that a failed test leaves behind."""
    args = ["--shard", f"$k/{SHARDS}", "-f", "names.txt",
            "-o", "out/part$k.txt", "--state", "out/part$k.state",
            "-s", server, "--rate", str(RATE)]
    loopback_only(args)
    program = os.path.abspath(shutil.which(BLOGDOM) or BLOGDOM)
    words = [f'"{a}"' if "$k" in a else shlex.quote(a)
             for a in [program] + without_checks(args)]
    return f"""#!/bin/sh
#SBATCH --job-name=blogdom
#SBATCH --array=0-{SHARDS - 1}
#SBATCH --requeue
#SBATCH --time=2
#SBATCH --output=logs/%A_%a.log
k=$SLURM_ARRAY_TASK_ID
exec {' '.join(words)}
"""


def line_count(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_a_killed_shard_requeued_by_slurm_ends_as_if_never_killed(
        slurm, faultd, tmp_path):
    f = start_server(faultd)
    work = tmp_path
    names_file = work / "names.txt"
    names_file.write_text("".join(n + "\n" for n in names()))
    # What uninterrupted runs give: the whole list, and each shard.
    whole = blogdom("-s", f.addr, "-f", names_file)
    assert whole.returncode == 1, whole.stderr
    want = whole.marks()
    assert sorted(want) == sorted(names())
    shard_lines = {}
    shard_status = {}
    for k in range(SHARDS):
        r = blogdom("-s", f.addr, "--shard", f"{k}/{SHARDS}", "-f",
                    names_file)
        shard_lines[k] = sorted(r.lines)
        shard_status[k] = r.returncode
    killed = next(k for k in range(SHARDS)
                  if f"? {ERROR_NAME}" in shard_lines[k])
    assert shard_status[killed] == 1
    assert [shard_status[k] for k in range(SHARDS) if k != killed] == \
        [0] * (SHARDS - 1)

    for sub in ("out", "logs"):
        (work / sub).mkdir()
    script = work / "blogdom.sbatch"
    script.write_text(job_script(f.addr))
    with diagnosed(slurm, work):
        job = slurm.command("sbatch", "--parsable", script,
                            cwd=work).stdout.strip().split(";")[0]
        out = work / "out" / f"part{killed}.txt"
        # Killed once 60 % of its lines are out: the run has committed
        # some of them (once a second), and has more to do.
        total = len(shard_lines[killed])
        wait(f"60 % of shard {killed}'s lines",
             lambda: line_count(out) > total * 6 // 10, 30)
        slurm.command("scancel", "--batch", "--signal=KILL",
                      f"{job}_{killed}")

        def killed_ended():
            task = slurm.tasks(job).get(killed)
            return task if task and task["JobState"] in ENDED else None

        task = wait(f"end of shard {killed} by its kill", killed_ended, 30)
        assert task["ExitCode"] == f"0:{int(signal.SIGKILL)}", task
        at_kill = line_count(out)
        assert 0 < at_kill < total, "not killed in the middle of its run"
        asked_before = len(f.queries())
        slurm.command("scontrol", "requeue", f"{job}_{killed}")

        def ended():
            tasks = slurm.tasks(job)
            if sorted(tasks) == list(range(SHARDS)) and \
                    all(t["JobState"] in ENDED for t in tasks.values()) and \
                    tasks[killed]["Restarts"] == "1":
                return tasks
            return None

        tasks = wait("end of every shard", ended, 60)
        for k, t in tasks.items():
            assert t["ExitCode"] == f"{shard_status[k]}:0", (k, t)
            assert t["Restarts"] == ("1" if k == killed else "0"), (k, t)
            lines = (work / "out" / f"part{k}.txt").read_text().splitlines()
            assert sorted(lines) == shard_lines[k], k

        # The recipe's merge, as documented.
        subprocess.run("cat out/part*.txt > all.txt", shell=True, cwd=work,
                       check=True)
        merged = (work / "all.txt").read_text().splitlines()
        seen = Counter(line[2:] for line in merged)
        assert [n for n, c in seen.items() if c != 1] == []
        assert sorted(seen) == sorted(names())
        assert {line[2:]: line[:2] for line in merged} == want

        # The requeued run went on from its state: it asked the names the
        # killed run had not written, and again at most those written
        # since its last commit (one second's worth; twice that here).
        # The other shards may still have been running then.
        mine = {line[2:] for line in shard_lines[killed]}
        again = {q[2] for q in f.queries()[asked_before:]} & mine
        assert len(again) <= total - at_kill + 2 * RATE, \
            (len(again), total, at_kill)
        assert len(again) < total
