#!/usr/bin/env python3
"""What --for-sale costs: blogdom over N taken names against a local NSD,
with and without --for-sale, in interleaved rounds.

Every name of the zone exists (an A record), and a share of them
(--sale-ratio) has a "_for-sale" TXT record (RFC 10023), so --for-sale
asks one more query for every name. The figure to watch is the ratio of
wall time with --for-sale to wall time without: one extra query a name,
through the same windows, should cost at most twice the run without it.

Loopback only: NSD is started here, on a free port of 127.0.0.1, with its
own config, pid file and zone in a temporary directory. blogdom runs with
--trust-resolver --no-wildcard-check, as NSD serves the benchmark's zone
and nothing else (the checks are a fixed cost, the same either way).

This is a benchmark, not a test: it prints figures and never fails on
them. Python 3 standard library only.

    bench/forsale.py                        # 100,000 names, 3 rounds
    bench/forsale.py --names 1000000 --rounds 5 --blogdom build/release/blogdom
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import free_port  # noqa: E402  (bench/bench.py)

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"  # the only address this script ever talks to
ZONE = "sale.test"
SEED = 20261129
TIME_BIN = "/usr/bin/time"  # GNU time (Debian package time)


def log(msg):
    print(f"forsale: {msg}", file=sys.stderr, flush=True)


def generate(workdir, n, ratio):
    """The zone (every name taken, one in 1/ratio for sale) and the names,
    shuffled."""
    every = max(1, round(1 / ratio)) if ratio > 0 else 0
    zone = workdir / f"{ZONE}.zone"
    sale = 0
    with open(zone, "w", buffering=1 << 20) as z:
        z.write(f"$ORIGIN {ZONE}.\n$TTL 3600\n"
                f"@ IN SOA ns.{ZONE}. hostmaster.{ZONE}. 1 3600 900 604800 300\n"
                f"@ IN NS ns.{ZONE}.\nns IN A {LOOPBACK}\n")
        for i in range(n):
            z.write(f"n{i} IN A 192.0.2.{1 + i % 254}\n")
            if every and i % every == 0:
                z.write(f'_for-sale.n{i} IN TXT "v=FORSALE1;fval=USD{i}"\n')
                sale += 1
    order = list(range(n))
    random.Random(SEED).shuffle(order)
    names = workdir / "names.txt"
    with open(names, "w", buffering=1 << 20) as f:
        f.write("".join(f"n{i}.{ZONE}\n" for i in order))
    return zone, names, sale


class Nsd:
    def __init__(self, workdir, zone, workers):
        self.dir = workdir
        self.zone = zone
        self.workers = workers
        self.proc = None
        self.port = None

    def start(self):
        for _ in range(5):
            self.port = free_port()
            conf = self.dir / "nsd.conf"
            conf.write_text(
                "server:\n"
                f"  server-count: {self.workers}\n"
                f"  ip-address: {LOOPBACK}@{self.port}\n"
                "  do-ip6: no\n"
                '  username: ""\n  chroot: ""\n'
                f'  zonesdir: "{self.dir}"\n'
                f'  pidfile: "{self.dir}/nsd.pid"\n'
                '  database: ""\n'
                f'  zonelistfile: "{self.dir}/zone.list"\n'
                f'  xfrdfile: "{self.dir}/xfrd.state"\n'
                f'  logfile: "{self.dir}/nsd.log"\n'
                "  verbosity: 0\n  rrl-ratelimit: 0\n"
                "remote-control:\n  control-enable: no\n"
                f'zone:\n  name: "{ZONE}"\n  zonefile: "{self.zone}"\n')
            self.proc = subprocess.Popen(
                [shutil.which("nsd") or "/usr/sbin/nsd", "-d", "-c",
                 str(conf)], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
            if self.wait_ready(60):
                return self
            self.stop()
        raise RuntimeError("NSD did not start: see " + str(self.dir))

    def wait_ready(self, seconds):
        name = b"".join(bytes([len(p)]) + p.encode()
                        for p in f"n0.{ZONE}".split(".")) + b"\0"
        query = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + name + \
            struct.pack(">HH", 1, 1)
        end = time.monotonic() + seconds
        while time.monotonic() < end and self.proc.poll() is None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(0.2)
                try:
                    s.sendto(query, (LOOPBACK, self.port))
                    reply = s.recv(512)
                    if reply[3] & 0xf == 0:  # NOERROR: the zone is loaded
                        return True
                except OSError:
                    pass
            time.sleep(0.1)
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def run_once(argv, out_path):
    """Wall seconds, CPU seconds and peak RSS (KiB) of one run, and its
    exit status. GNU time measures: a child's own rusage would count the
    memory of the Python process it was forked from."""
    times = out_path.with_suffix(".time")
    with open(out_path, "wb") as out:
        start = time.monotonic()
        proc = subprocess.run([TIME_BIN, "-o", str(times), "-f",
                               "%M %U %S %x"] + argv,
                              stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.PIPE)
        wall = time.monotonic() - start
    rss, user, system, status = times.read_text().split()[-4:]
    return {"wall": wall, "cpu": float(user) + float(system),
            "rss_kib": int(rss), "status": int(status),
            "stderr": proc.stderr.decode(errors="replace").strip()}


def count_lines(path):
    plus = total = 0
    with open(path, "rb") as f:
        for line in f:
            total += 1
            plus += line.startswith(b"+ ")
    return plus, total


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--names", type=int, default=100000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sale-ratio", type=float, default=0.01,
                   help="share of names with a _for-sale record (0.01)")
    p.add_argument("--workers", type=int, default=2,
                   help="NSD server-count (2)")
    p.add_argument("--blogdom", default=os.environ.get(
        "BLOGDOM", str(REPO_ROOT / "build" / "release" / "blogdom")))
    p.add_argument("--json", metavar="FILE", help="write the figures here")
    args = p.parse_args()
    blogdom = str(Path(args.blogdom).resolve())
    if not os.access(blogdom, os.X_OK):
        log(f"no blogdom at {blogdom} (--blogdom or BLOGDOM)")
        return 2
    if not os.access(TIME_BIN, os.X_OK) or not shutil.which("nsd"):
        log("needs nsd and GNU time: apt-get install nsd time")
        return 2

    with tempfile.TemporaryDirectory(prefix="bd-forsale-") as d:
        work = Path(d)
        zone, names, sale = generate(work, args.names, args.sale_ratio)
        log(f"{args.names:,} names, {sale:,} for sale; starting NSD")
        nsd = Nsd(work, zone, args.workers).start()
        base = [blogdom, "-s", f"{LOOPBACK}:{nsd.port}", "--trust-resolver",
                "--no-wildcard-check", "--stats", "-f", str(names)]
        modes = {"plain": base, "for-sale": base + ["--for-sale"]}
        runs = {m: [] for m in modes}
        try:
            for rnd in range(1, args.rounds + 1):
                for mode, argv in modes.items():
                    out = work / f"{mode}.out"
                    r = run_once(argv, out)
                    r["plus"], r["lines"] = count_lines(out)
                    runs[mode].append(r)
                    log(f"round {rnd} {mode}: {r['wall']:.2f} s wall, "
                        f"{r['cpu']:.2f} s cpu, {r['rss_kib'] / 1024:.1f} "
                        f"MiB, {r['plus']:,}/{r['lines']:,} '+', exit "
                        f"{r['status']}")
                    if r["stderr"]:
                        log(f"  {r['stderr'].splitlines()[-1]}")
            # --only for-sale: the names for sale, exactly.
            only = run_once(base + ["--only", "for-sale"], work / "only.out")
            only_lines = count_lines(work / "only.out")[1]
        finally:
            nsd.stop()

    med = {m: statistics.median(r["wall"] for r in rs)
           for m, rs in runs.items()}
    print(f"{args.names:,} taken names, {sale:,} for sale, NSD with "
          f"{args.workers} workers, {args.rounds} interleaved rounds")
    print(f"{'mode':10} {'wall s (median, min-max)':28} {'names/s':>10} "
          f"{'cpu s':>7} {'peak RSS':>10}")
    for mode, rs in runs.items():
        walls = [r["wall"] for r in rs]
        cpu = statistics.median(r["cpu"] for r in rs)
        rss = max(r["rss_kib"] for r in rs) / 1024
        print(f"{mode:10} {med[mode]:6.2f} ({min(walls):.2f}-{max(walls):.2f})"
              f"{'':12} {args.names / med[mode]:10,.0f} {cpu:7.2f} "
              f"{rss:7.1f} MiB")
    ratio = med["for-sale"] / med["plain"]
    print(f"for-sale / plain wall time: {ratio:.2f}x")
    print(f"--only for-sale lines: {only_lines:,} (names for sale: {sale:,}); "
          f"exit {only['status']}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"names": args.names, "for_sale": sale, "runs": runs,
             "ratio": ratio, "only_for_sale_lines": only_lines}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
