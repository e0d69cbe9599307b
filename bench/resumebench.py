#!/usr/bin/env python3
"""What --state costs, and what a kill costs a resumed run.

Against faultd on loopback (the rig of bench/scenarios.py, a fresh one per
run, so that each run's queries are counted by the server itself):

1. Throughput: blogdom -o OUT, and the same with --state STATE, in turns,
   ROUNDS times each (the files removed before each run); the median
   names/s of each, their ratio, and each one's peak RSS.
2. Kills: one run with --state killed with SIGKILL at KILLS moments drawn
   from a seeded generator (each a share of what is left), and run again
   each time with the same command line until it ends. After each kill the
   state file tells how many lines it covers (its committed lines, by the
   state format of blogdom(1)); a run's re-asked names are those it asked
   (its server's count, less the handful of checks every run asks) that
   its own commits did not cover, which the next run asks again. The
   final output is compared with an uninterrupted run's (the same lines,
   in the order their answers came).

It prints figures and fails only when set-up breaks or the final output is
wrong (exit 1). Usage:

    bench/resumebench.py [--names N] [--rounds R] [--kills K] [--seed S]
                         [--blogdom PATH] [--faultd PATH]
"""

import argparse
import os
import random
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as core  # noqa: E402  (bench/bench.py: shared machinery)
import scenarios  # noqa: E402  (bench/scenarios.py: the faultd rig)

LOOPBACK = core.LOOPBACK
log = core.log

# The state file's header (blogdom(1), RESUMING): magic, four 32-bit
# words, then 64-bit key, length covered, watermark, chain and the lines
# covered by status.
STATE_HEADER = struct.Struct("=8s4I4Q3Q")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--names", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--exist-ratio", type=float, default=0.5)
    p.add_argument("--blogdom", default=os.environ.get(
        "BLOGDOM", str(core.REPO_ROOT / "build/release/blogdom")))
    p.add_argument("--faultd", default=os.environ.get(
        "FAULTD", str(core.REPO_ROOT / "build/faultd/faultd")))
    return p.parse_args(argv)


def committed(state):
    """Lines the state file covers, or 0 when there is none yet."""
    try:
        data = state.read_bytes()
    except FileNotFoundError:
        return 0
    fields = STATE_HEADER.unpack_from(data)
    if fields[0] != b"BDSTATE\0":
        raise core.SetupError(f"{state}: not a state file")
    return sum(fields[-3:])


class Runner:
    def __init__(self, args, workdir, names):
        self.args = args
        self.workdir = workdir
        self.names = names
        self.rig = scenarios.Rig(Path(args.faultd), workdir)
        self.count = 0

    def argv(self, port, out, state=None):
        cmd = [self.args.blogdom, "-s", f"{LOOPBACK}:{port}", "-f",
               str(self.names), "-o", str(out)]
        if state is not None:
            cmd += ["--state", str(state)]
        return cmd

    def timed(self, out, state=None):
        """One whole run: (runstat's figures, the server's query count)."""
        self.count += 1
        port = self.rig.start(f"run{self.count}")
        try:
            res = core.run_timed(self.argv(port, out, state),
                                 self.workdir / f"run{self.count}.stdout",
                                 self.workdir / f"run{self.count}.err",
                                 timeout=600 + self.args.names / 1000)
        finally:
            counts = self.rig.stop()
        return res, counts.get("queries", 0)

    def killed(self, out, state, after_s):
        """A run killed with SIGKILL after after_s seconds (or ended first):
        (its exit status or None when killed, the server's query count)."""
        self.count += 1
        port = self.rig.start(f"run{self.count}")
        err = open(self.workdir / f"run{self.count}.err", "wb")
        try:
            proc = subprocess.Popen(self.argv(port, out, state),
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err,
                                    preexec_fn=core._pdeathsig)
            try:
                rc = proc.wait(timeout=after_s)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                rc = None
        finally:
            err.close()
            counts = self.rig.stop()
        return rc, counts.get("queries", 0)


def throughput(runner, args, n):
    rates = {"plain": [], "state": []}
    rss = {"plain": 0, "state": 0}
    for r in range(args.rounds):
        for kind in ("plain", "state"):
            out = runner.workdir / f"{kind}.out"
            state = runner.workdir / f"{kind}.state" if kind == "state" \
                else None
            for f in (out, state):
                if f is not None:
                    f.unlink(missing_ok=True)
            res, _ = runner.timed(out, state)
            if res.get("error") or res["exit"] not in (0, 1):
                raise core.SetupError(f"{kind} run failed: {res}")
            rates[kind].append(n / res["wall"])
            rss[kind] = max(rss[kind], res["maxrss_kb"] or 0)
            log(f"round {r + 1}: {kind} {n / res['wall']:,.0f} names/s, "
                f"peak RSS {res['maxrss_kb'] / 1024:.1f} MiB")
    plain = statistics.median(rates["plain"])
    with_state = statistics.median(rates["state"])
    print(f"throughput, {n:,} names, median of {args.rounds}:")
    print(f"  -o OUT            {plain:>10,.0f} names/s   peak RSS "
          f"{rss['plain'] / 1024:.1f} MiB")
    print(f"  -o OUT --state S  {with_state:>10,.0f} names/s   peak RSS "
          f"{rss['state'] / 1024:.1f} MiB")
    print(f"  ratio {with_state / plain:.3f}")
    return plain


def kills(runner, args, n, rate):
    rng = random.Random(args.seed)
    ref = runner.workdir / "ref.out"
    res, ref_queries = runner.timed(ref)
    overhead = max(ref_queries - n, 0)   # the checks every run asks
    out = runner.workdir / "killed.out"
    state = runner.workdir / "killed.state"
    bound = max(n // 100, int(rate))
    print(f"kills: {args.kills} SIGKILLs (seed {args.seed}), then runs to "
          f"the end; bound on re-asked names per resume: max(1% = "
          f"{n // 100:,}, one second = {int(rate):,})")
    before = 0
    rc = None
    for k in range(args.kills + 1):
        left = (n - before) / rate
        after = rng.uniform(0.1, 0.9) * left if k < args.kills else 3600
        t0 = time.monotonic()
        rc, queries = runner.killed(out, state, after)
        took = time.monotonic() - t0
        now = committed(state)
        asked = max(queries - overhead, 0)
        reasked = max(asked - (now - before), 0) if rc is None else 0
        what = "killed" if rc is None else f"ended, exit {rc}"
        print(f"  run {k + 1}: {what} after {took:6.2f} s; "
              f"{asked:>9,} names asked, {now - before:>9,} committed, "
              f"{reasked:>7,} to ask again"
              + ("" if reasked <= bound else "  OVER THE BOUND"))
        before = now
        if rc is not None:
            break
    # Lines come in the order answers arrive: the same lines, in any order.
    lines = sorted(out.read_bytes().splitlines())
    same = rc is not None and lines == sorted(ref.read_bytes().splitlines())
    print(f"  final: exit {rc}, {len(lines):,} lines, "
          f"{'the same as' if same else 'DIFFERENT FROM'} an uninterrupted "
          f"run's")
    return same


def main(argv=None):
    args = parse_args(argv)
    for tool in (args.blogdom, args.faultd):
        if not os.access(tool, os.X_OK):
            print(f"resumebench: no {tool}: scripts/bootstrap bench builds "
                  "it", file=sys.stderr)
            return 2
    workdir = Path(tempfile.mkdtemp(prefix="blogdom-resume-"))
    try:
        core.RUNSTAT = core.build_runstat(workdir)
        gen = core.generate(workdir, args.names, args.exist_ratio,
                            split=True)
        runner = Runner(args, workdir, gen["names"])
        rate = throughput(runner, args, args.names)
        ok = kills(runner, args, args.names, rate)
    except core.SetupError as e:
        print(f"resumebench: {e}", file=sys.stderr)
        return 2
    finally:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
