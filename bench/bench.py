#!/usr/bin/env python3
"""blogdom benchmark: how close does blogdom get to the DNS server's ceiling?

One run, one machine, loopback only:

  1. generate a zone `bench.test.` and a shuffled names file (half existing
     names, half NXDOMAIN by default) plus the same names as a dnsperf data file;
  2. start a private NSD (own config, own port, own pid file) on 127.0.0.1;
  3. each round: dnsperf (the ceiling), blogdom, then any BENCH_EXTRA tools,
     each measured through bench/runstat.c (wall clock, its own rusage);
  4. print a table (median and min-max names/s, ratio to the ceiling, CPU, peak
     RSS, `?` lines), optionally write JSON.

This is a benchmark, not a test: it never fails on the figures.  It exits
non-zero only when set-up breaks (missing tool, NSD does not start, ...).

Python 3 standard library only.  See bench/README.md.
"""

import argparse
import array
import contextlib
import ctypes
import json
import os
import random
import re
import shlex
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

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"          # the only address this script ever talks to
ZONE = "bench.test"
SEED = 20240601                 # fixed: the names file is the same every run
NAME_MULT = 2654435761          # odd and not a multiple of 5: a bijection mod 10^k
NAME_ADD = 12345

# dnsperf settings tried by the calibration step ("-c C -T T -q Q"); the
# best one (highest q/s with at most CALIBRATION_MAX_LOSS lost) is used for
# the rounds.  -c 32: many source ports, so that SO_REUSEPORT spreads the
# queries evenly over all NSD workers (the kernel hashes on the 4-tuple; with
# -c 1 every query lands on one worker).  -T 1 and 2: on loopback dnsperf and
# NSD share the cores, and which split is best depends on the machine.
# -q: outstanding queries; too few leaves the server idle, too many overflows
# socket buffers (lost queries).  Threads above the core count are skipped.
DNSPERF_GRID = [f"-c 32 -T {t} -q {q}"
                for t in (1, 2) for q in (200, 500, 1000, 2000)]
CALIBRATION_REPEATS = 2         # each grid entry is run this often (mean q/s)
CALIBRATION_MAX_LOSS = 0.001    # settings losing more than 0.1% are not chosen
CALIBRATION_NAMES = 200000      # calibrate on at most this many names

# NSD options that are set only if this NSD version knows them
# (probed with nsd-checkconf).
NSD_OPTIONAL = [
    ("reuseport", "yes"),
    ("tcp-count", "1000"),
    ("send-buffer-size", "8388608"),
    ("receive-buffer-size", "8388608"),
    ("rrl-ratelimit", "0"),
    ("rrl-whitelist-ratelimit", "0"),
    ("rrl-slip", "2"),
    ("hide-identity", "yes"),
    ("zonefiles-check", "no"),
]


class SetupError(Exception):
    """Something the benchmark needs is missing or broken (exit 2)."""


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def fmt_int(x):
    return f"{int(round(x)):,}"


def fmt_bytes_kb(kb):
    if kb is None:
        return "-"
    if kb >= 1024 * 1024:
        return f"{kb / 1024 / 1024:.2f} GiB"
    if kb >= 1024:
        return f"{kb / 1024:.1f} MiB"
    return f"{kb} KiB"


def _pdeathsig():
    """preexec_fn: the child gets SIGTERM if this script dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))   # PR_SET_PDEATHSIG
    except Exception:
        pass


def tail(path, lines=15):
    try:
        with open(path, "r", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------- generation

class NameSpace:
    """Index i in [0, n) <-> name w<num>.bench.test; i < exist => in the zone.

    num = (i * NAME_MULT + NAME_ADD) mod 10^digits is a bijection, so existing
    and missing names are interleaved in number space and never collide.

    With split=True the first letter tells the truth instead: e<num> exists,
    n<num> does not.  A server that answers by pattern rather than from a
    zone file (faultd: `e*.bench.test answer`) needs that.
    """

    def __init__(self, n, exist, split=False):
        self.n = n
        self.exist = exist
        self.split = split
        self.digits = max(6, len(str(max(n - 1, 0))))
        self.mod = 10 ** self.digits
        self.inv = pow(NAME_MULT, -1, self.mod)

    def num(self, i):
        return (i * NAME_MULT + NAME_ADD) % self.mod

    def letter(self, i):
        if not self.split:
            return "w"
        return "e" if i < self.exist else "n"

    def label(self, i):
        return f"{self.letter(i)}{self.num(i):0{self.digits}d}"

    def index_of_label(self, label):
        """Index of one of our labels, or None if it is not one of ours."""
        if len(label) != self.digits + 1 or not label[1:].isdigit():
            return None
        i = ((int(label[1:]) - NAME_ADD) * self.inv) % self.mod
        if i >= self.n or label[0] != self.letter(i):
            return None
        return i


def generate(workdir, n, exist_ratio, split=False):
    """Write zone, names file and dnsperf data file.  Streams to disk; the
    only large object held is the shuffled index array (4 bytes per name)."""
    exist = int(round(n * exist_ratio))
    ns = NameSpace(n, exist, split)
    t0 = time.monotonic()

    zone_path = workdir / f"{ZONE}.zone"
    with open(zone_path, "w", buffering=1 << 20) as z:
        z.write(f"$ORIGIN {ZONE}.\n$TTL 3600\n"
                f"@ IN SOA ns.{ZONE}. hostmaster.{ZONE}. 1 3600 900 604800 300\n"
                f"@ IN NS ns.{ZONE}.\n"
                f"ns IN A {LOOPBACK}\n")
        chunk = []
        for i in range(exist):
            chunk.append(f"{ns.label(i)} IN A 192.0.2.{1 + i % 254}\n")
            if len(chunk) >= 65536:
                z.write("".join(chunk))
                chunk.clear()
        z.write("".join(chunk))

    order = array.array("I", range(n))
    random.Random(SEED).shuffle(order)
    names_path = workdir / "names.txt"
    data_path = workdir / "dnsperf.txt"
    suffix = f".{ZONE}"
    with open(names_path, "w", buffering=1 << 20) as fn, \
            open(data_path, "w", buffering=1 << 20) as fd:
        cn, cd = [], []
        for i in order:
            name = ns.label(i) + suffix
            cn.append(name + "\n")
            cd.append(name + " A\n")
            if len(cn) >= 65536:
                fn.write("".join(cn))
                fd.write("".join(cd))
                cn.clear()
                cd.clear()
        fn.write("".join(cn))
        fd.write("".join(cd))
    del order
    return {
        "zone": zone_path, "names": names_path, "data": data_path,
        "n": n, "exist": exist, "namespace": ns,
        "seconds": time.monotonic() - t0,
    }


# ----------------------------------------------------------------------- DNS

def dns_query(qname, qtype, qid):
    hdr = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)   # RD=0: authoritative query
    q = b"".join(bytes([len(p)]) + p.encode("ascii")
                 for p in qname.strip(".").split(".")) + b"\0"
    return hdr + q + struct.pack("!HH", qtype, 1)


def probe(port, timeout=0.25):
    """Ask 127.0.0.1:port for bench.test SOA.  Returns (rcode, aa) or None."""
    qid = random.randrange(1, 65536)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(dns_query(ZONE, 6, qid), (LOOPBACK, port))
            while True:
                data, _ = s.recvfrom(4096)
                if len(data) >= 12:
                    rid, flags = struct.unpack("!HH", data[:4])
                    if rid == qid and flags & 0x8000:
                        return flags & 0xF, bool(flags & 0x0400)
        except (socket.timeout, ConnectionRefusedError, OSError):
            return None


def free_port():
    """A port free on 127.0.0.1 for both UDP and TCP."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((LOOPBACK, 0))
            port = u.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                    t.bind((LOOPBACK, port))
            except OSError:
                continue
            return port
    raise SetupError("could not find a free port on 127.0.0.1")


# ----------------------------------------------------------------------- NSD

def nsd_version():
    try:
        out = subprocess.run(["nsd", "-v"], capture_output=True, text=True,
                             timeout=10)
    except OSError as e:
        raise SetupError(f"cannot run nsd: {e}")
    m = re.search(r"NSD version (\S+)", out.stdout + out.stderr)
    return m.group(1) if m else "unknown"


# Zones that make the private NSD look like the top of the DNS tree to
# blogdom's resolver checks (it asks for com. and the TLDs it probes under,
# and for random names that must not exist): the root zone delegates com.,
# dev. and test. to the same server, test. delegates bench.test., and each
# of them has its apex.  The answers are authoritative, which blogdom
# accepts from a server it is pointed at.
VETTING_ZONES = {
    ".": ("root", ["com. IN NS ns.test.", "dev. IN NS ns.test.",
                   "test. IN NS ns.test.", f"ns.test. IN A {LOOPBACK}"]),
    "com": ("com", []),
    "dev": ("dev", []),
    "test": ("test", [f"bench IN NS ns.bench", f"ns.bench IN A {LOOPBACK}"]),
}


def write_vetting_zones(workdir):
    """Write the VETTING_ZONES files; returns [(zone name, path)]."""
    out = []
    for name, (stem, records) in VETTING_ZONES.items():
        path = workdir / f"{stem}.zone"
        origin = "." if name == "." else f"{name}."
        path.write_text(
            f"$ORIGIN {origin}\n$TTL 3600\n"
            f"@ IN SOA ns.test. hostmaster.test. 1 3600 900 604800 300\n"
            f"@ IN NS ns.test.\n" + "".join(r + "\n" for r in records))
        out.append((name, path))
    return out


def nsd_known_options(workdir, rrl=None):
    """Which of NSD_OPTIONAL this nsd accepts (nsd-checkconf on a tiny conf).
    rrl None turns rate limiting off; (ratelimit, slip) sets it."""
    known = []
    probe_conf = workdir / "probe.conf"
    wanted = []
    for opt, val in NSD_OPTIONAL:
        if opt == "rrl-slip" and rrl is None:
            continue
        if rrl is not None and opt == "rrl-ratelimit":
            val = str(rrl[0])
        elif rrl is not None and opt == "rrl-slip":
            val = str(rrl[1])
        elif rrl is not None and opt == "rrl-whitelist-ratelimit":
            continue
        wanted.append((opt, val))
    for opt, val in wanted:
        probe_conf.write_text(f'server:\n    {opt}: {val}\n')
        r = subprocess.run(["nsd-checkconf", str(probe_conf)],
                           capture_output=True, text=True, timeout=10)
        if r.returncode == 0:
            known.append((opt, val))
        else:
            log(f"nsd: option '{opt}' not supported here, left out")
    probe_conf.unlink()
    return known


class NSD:
    """A private NSD serving bench.test and the VETTING_ZONES on 127.0.0.1.
    rrl: None for no response rate limiting, or (ratelimit, slip)."""

    def __init__(self, workdir, zone_path, workers, startup_timeout, rrl=None):
        self.workdir = workdir
        self.zone_path = zone_path
        self.workers = workers
        self.startup_timeout = startup_timeout
        self.rrl = rrl
        self.proc = None
        self.port = None
        self.options = []
        self.log_path = workdir / "nsd.log"
        self.conf_path = workdir / "nsd.conf"
        self.load_seconds = None

    def write_conf(self):
        d = self.workdir
        extra = "".join(f"    {k}: {v}\n" for k, v in self.options)
        vetting = "".join(f'zone:\n    name: "{name}"\n    zonefile: "{path}"\n'
                          for name, path in write_vetting_zones(d))
        self.conf_path.write_text(
            "# generated by bench/bench.py: private NSD for the benchmark\n"
            "server:\n"
            f"    server-count: {self.workers}\n"
            f"    ip-address: {LOOPBACK}\n"
            f"    port: {self.port}\n"
            "    do-ip6: no\n"
            '    username: ""\n'
            '    chroot: ""\n'
            f'    zonesdir: "{d}"\n'
            f'    pidfile: "{d}/nsd.pid"\n'
            '    database: ""\n'
            f'    zonelistfile: "{d}/zone.list"\n'
            f'    xfrdfile: "{d}/xfrd.state"\n'
            f'    logfile: "{self.log_path}"\n'
            "    verbosity: 0\n"
            "    hide-version: yes\n"
            + extra +
            "remote-control:\n"
            "    control-enable: no\n"
            "zone:\n"
            f"    name: {ZONE}\n"
            f'    zonefile: "{self.zone_path}"\n' + vetting)
        r = subprocess.run(["nsd-checkconf", str(self.conf_path)],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise SetupError("nsd-checkconf rejected the generated config:\n"
                             + r.stdout + r.stderr)

    def start(self):
        self.options = nsd_known_options(self.workdir, self.rrl)
        for attempt in range(3):
            self.port = free_port()
            self.write_conf()
            t0 = time.monotonic()
            with open(self.log_path, "ab") as lf:
                self.proc = subprocess.Popen(
                    ["nsd", "-d", "-c", str(self.conf_path)],
                    stdin=subprocess.DEVNULL, stdout=lf, stderr=lf,
                    start_new_session=True, preexec_fn=_pdeathsig)
            deadline = t0 + self.startup_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                r = probe(self.port)
                if r is not None and r[0] == 0 and r[1]:
                    self.load_seconds = time.monotonic() - t0
                    return
                time.sleep(0.1)
            if self.proc.poll() is None:
                self.stop()
                raise SetupError(
                    f"NSD did not answer on {LOOPBACK}:{self.port} within "
                    f"{self.startup_timeout:.0f}s; log:\n{tail(self.log_path)}")
            text = tail(self.log_path)
            if "already in use" in text or "bind" in text.lower():
                log(f"nsd: port {self.port} was taken, retrying")
                continue
            raise SetupError(f"NSD exited with status {self.proc.returncode}; "
                             f"log:\n{text}")
        raise SetupError("NSD could not bind a port after 3 attempts")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rrl_text(self):
        opts = dict(self.options)
        if "rrl-ratelimit" not in opts:
            return "rrl not built in"
        if opts["rrl-ratelimit"] == "0":
            return "rrl off"
        return (f"rrl {opts['rrl-ratelimit']}/s per worker, "
                f"slip {opts.get('rrl-slip', '?')}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            log("nsd did not stop on SIGTERM, killing its process group")
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        except ProcessLookupError:
            pass


# ------------------------------------------------------------------ running

RUNSTAT_SOURCE = Path(__file__).resolve().parent / "runstat.c"


def build_runstat(workdir):
    """Compile bench/runstat.c into workdir; returns the binary's path."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise SetupError("no C compiler (cc) for bench/runstat.c; install "
                         "build-essential")
    out = workdir / "runstat"
    r = subprocess.run([cc, "-O2", "-std=c11", "-o", str(out),
                        str(RUNSTAT_SOURCE)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SetupError("cannot compile bench/runstat.c:\n" + r.stderr)
    return out


RUNSTAT = None      # set by main(): the compiled bench/runstat.c


def run_timed(cmd, out_path, err_path, timeout, env=None, stdout=None):
    """Run cmd with stdout and stderr to files and measure it through
    runstat (bench/runstat.c): wall time (monotonic clock), CPU time
    (user+sys) and peak RSS from the command's own rusage (wait4).  A run
    past `timeout` seconds is killed with its process group.  stdout, a
    file descriptor (the write end of a pipe to a reader), takes the
    output instead of out_path, which then only names runstat's report."""
    report = Path(str(out_path) + ".runstat")
    report.unlink(missing_ok=True)
    res = {"cmd": cmd, "timed_out": False}
    sink = open(out_path, "wb") if stdout is None else \
        contextlib.nullcontext(stdout)
    with sink as fo, open(err_path, "wb") as fe:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(RUNSTAT), str(report)] + list(cmd),
                                stdin=subprocess.DEVNULL, stdout=fo,
                                stderr=fe, start_new_session=True,
                                preexec_fn=_pdeathsig, env=env)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            res["timed_out"] = True
            _killpg(proc)
        except BaseException:
            _killpg(proc)
            raise
        res["wall"] = time.monotonic() - t0
    res.update({"user": None, "sys": None, "cpu": None, "maxrss_kb": None,
                "exit": None})
    try:
        fields = dict(line.split(None, 1) for line in
                      report.read_text().splitlines() if " " in line)
    except OSError:
        fields = {}
    if "wall_ns" in fields:
        res["wall"] = int(fields["wall_ns"]) / 1e9
        res["user"] = int(fields["utime_us"]) / 1e6
        res["sys"] = int(fields["stime_us"]) / 1e6
        res["cpu"] = res["user"] + res["sys"]
        res["maxrss_kb"] = int(fields["maxrss_kb"])
    if "exit" in fields:
        res["exit"] = int(fields["exit"])
    elif "signal" in fields:
        res["signal"] = int(fields["signal"])
        res["exit"] = -int(fields["signal"])
    if not res["timed_out"] and proc.returncode != 0:
        res["error"] = f"runstat failed ({proc.returncode}); see {err_path}"
    report.unlink(missing_ok=True)
    return res


def _killpg(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except (subprocess.TimeoutExpired, ChildProcessError):
            continue


def parse_dnsperf(text):
    r = {}
    pats = {
        "sent": r"Queries sent:\s+(\d+)",
        "completed": r"Queries completed:\s+(\d+)",
        "lost": r"Queries lost:\s+(\d+)",
        "run_time": r"Run time \(s\):\s+([\d.]+)",
        "qps": r"Queries per second:\s+([\d.]+)",
        "latency_avg": r"Average Latency \(s\):\s+([\d.]+)",
    }
    for k, p in pats.items():
        m = re.search(p, text)
        if m:
            r[k] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    m = re.search(r"Response codes:\s+(.*)", text)
    if m:
        r["rcodes"] = {a: int(b) for a, b in
                       re.findall(r"([A-Z]+) (\d+) \(", m.group(1))}
    return r


def count_marks(path, ns):
    """Count blogdom output lines by mark; check marks against the zone."""
    c = {"lines": 0, "exists": 0, "nxdomain": 0, "unknown": 0, "other": 0,
         "wrong": 0}
    suffix = f".{ZONE}"
    with open(path, "r", errors="replace") as f:
        for line in f:
            c["lines"] += 1
            mark, name = line[:2], line[2:].strip().rstrip(".")
            if mark == "+ ":
                c["exists"] += 1
                want = True
            elif mark == "  ":
                c["nxdomain"] += 1
                want = False
            elif mark == "? ":
                c["unknown"] += 1
                continue
            else:
                c["other"] += 1
                continue
            i = None
            if name.endswith(suffix):
                i = ns.index_of_label(name[:-len(suffix)])
            if i is None or (i < ns.exist) != want:
                c["wrong"] += 1
    return c


# -------------------------------------------------------------- the tools

class Tool:
    def __init__(self, label, argv, kind):
        self.label = label
        self.argv = argv          # list of strings (placeholders substituted)
        self.kind = kind          # "dnsperf", "blogdom", "extra"
        self.runs = []


def substitute(template, values):
    """Split a BENCH_EXTRA template like a shell would (no shell is run), then
    substitute {server} {port} {names} {resolvers} {data} in each word."""
    words = shlex.split(template)
    out = []
    for w in words:
        for k, v in values.items():
            w = w.replace("{" + k + "}", str(v))
        out.append(w)
    return out


def parse_extra(env):
    extras = []
    for entry in (env or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        label, sep, template = entry.partition("=")
        if not sep or not label.strip() or not template.strip():
            raise SetupError(f"BENCH_EXTRA entry not 'label=command': {entry!r}")
        extras.append((label.strip(), template.strip()))
    return extras


def run_tool(tool, workdir, round_no, n, ns, timeout, keep):
    tag = f"{tool.label}.r{round_no}"
    out = workdir / f"{tag}.out"
    err = workdir / f"{tag}.err"
    res = run_timed(tool.argv, out, err, timeout)
    res["round"] = round_no
    if tool.kind == "dnsperf":
        d = parse_dnsperf(out.read_text(errors="replace"))
        res["dnsperf"] = d
        res["rate"] = d.get("qps")
        res["unanswered"] = d.get("lost")
        if res["rate"] is None:
            res["error"] = "no 'Queries per second' in dnsperf output"
    else:
        res["rate"] = n / res["wall"] if res["wall"] > 0 else None
        c = count_marks(out, ns)
        res["marks"] = c
        marked = c["exists"] + c["nxdomain"] + c["unknown"]
        # An extra whose output is in blogdom's format (another blogdom
        # build, say) is judged like blogdom; any other extra only by its
        # exit status.
        marks_ok = c["lines"] > 0 and marked == c["lines"]
        if tool.kind == "blogdom" or (marks_ok and c["lines"] == n):
            if marks_ok:
                res["unanswered"] = c["unknown"]
                res["wrong"] = c["wrong"]
            else:
                res["unanswered"] = None
                res["note"] = ("output is not '+ ', '  ', '? ' lines "
                               "(--json?): marks not counted")
            if c["lines"] != n:
                res["error"] = f"{c['lines']:,} output lines for {n:,} names"
            elif res["exit"] not in (0, 1):
                res["error"] = f"exit status {res['exit']}"
        else:
            res["unanswered"] = None
            if res["exit"] != 0:
                res["error"] = f"exit status {res['exit']}"
    if res["timed_out"]:
        res["error"] = f"timed out after {timeout:.0f}s"
    if res.get("error"):
        res["rate"] = None       # a broken run has no meaningful rate
    if res.get("error"):
        msg = tail(err, 5).strip()
        log(f"{tool.label} round {round_no}: {res['error']}"
            + (f"\n    stderr: {msg}" if msg else ""))
    if not keep and tool.kind != "dnsperf":
        out.unlink(missing_ok=True)      # may be 10M lines; not needed further
    tool.runs.append(res)
    return res


def calibrate(data_path, n, port, workdir, timeout, grid, cores):
    """Run dnsperf over a sample with each setting of the grid, keep the best.

    Each setting runs CALIBRATION_REPEATS times (loopback figures are noisy);
    the score is the mean q/s.  Settings that lose more than
    CALIBRATION_MAX_LOSS of the queries are only chosen if all do: dnsperf's
    q/s counts completed queries only, so a lossy setting would flatter the
    ceiling."""
    sample = data_path
    sample_n = n
    if n > CALIBRATION_NAMES:
        sample = workdir / "dnsperf-calibration.txt"
        sample_n = CALIBRATION_NAMES
        with open(data_path) as src, open(sample, "w") as dst:
            for k, line in enumerate(src):
                if k >= CALIBRATION_NAMES:
                    break
                dst.write(line)
    results = []
    tag = workdir / "calibrate"
    for opts in grid:
        m = re.search(r"-T\s*(\d+)", opts)
        if m and int(m.group(1)) > max(1, cores):
            continue
        qps, lost = [], 0
        for _ in range(CALIBRATION_REPEATS):
            cmd = (["dnsperf", "-s", LOOPBACK, "-p", str(port),
                    "-d", str(sample), "-n", "1"] + shlex.split(opts))
            run_timed(cmd, tag.with_suffix(".out"), tag.with_suffix(".err"),
                      timeout)
            d = parse_dnsperf(tag.with_suffix(".out").read_text(errors="replace"))
            qps.append(d.get("qps") or 0.0)
            lost += d.get("lost") or 0
        r = {"opts": opts, "qps": statistics.mean(qps), "runs_qps": qps,
             "lost": lost, "loss": lost / (sample_n * CALIBRATION_REPEATS)}
        results.append(r)
        log(f"calibrate dnsperf {opts}: {r['qps']:,.0f} q/s "
            f"({', '.join(f'{x:,.0f}' for x in qps)}), lost {lost}")
    clean = [r for r in results if r["loss"] <= CALIBRATION_MAX_LOSS] or results
    best = max(clean, key=lambda x: x["qps"])
    if best["qps"] <= 0:
        raise SetupError("dnsperf calibration got no answers; see "
                         f"{tag.with_suffix('.err')}")
    return best["opts"], {"sample_names": sample_n,
                          "repeats": CALIBRATION_REPEATS, "results": results}


# ----------------------------------------------------------------- report

def summarize(tool):
    ok = [r for r in tool.runs if r.get("rate")]
    s = {"label": tool.label, "cmd": tool.argv, "rounds": len(tool.runs),
         "ok_rounds": len(ok)}
    if ok:
        rates = [r["rate"] for r in ok]
        s["rate_median"] = statistics.median(rates)
        s["rate_min"] = min(rates)
        s["rate_max"] = max(rates)
        s["wall_median"] = statistics.median(r["wall"] for r in ok)
    cpus = [r["cpu"] for r in tool.runs if r.get("cpu") is not None]
    if cpus:
        s["cpu_median"] = statistics.median(cpus)
    rss = [r["maxrss_kb"] for r in tool.runs if r.get("maxrss_kb")]
    if rss:
        s["maxrss_kb"] = max(rss)
    un = [r["unanswered"] for r in tool.runs if r.get("unanswered") is not None]
    if un:
        s["unanswered_max"] = max(un)
        s["unanswered_median"] = statistics.median(un)
    wrong = [r["wrong"] for r in tool.runs if r.get("wrong") is not None]
    if wrong:
        s["wrong_max"] = max(wrong)
    s["errors"] = [r["error"] for r in tool.runs if r.get("error")]
    s["notes"] = [r["note"] for r in tool.runs if r.get("note")]
    return s


def print_table(header, summaries, n, ceiling_label):
    ceiling = None
    for s in summaries:
        if s["label"] == ceiling_label and "rate_median" in s:
            ceiling = s["rate_median"]
    rows = [("tool", "names/s (median, min-max)", "ratio", "wall s", "cpu s",
             "cpu us/name", "peak RSS", "? lines")]
    for s in summaries:
        if "rate_median" in s:
            rate = f"{fmt_int(s['rate_median'])}"
            if s["ok_rounds"] > 1:
                rate += f" ({fmt_int(s['rate_min'])}-{fmt_int(s['rate_max'])})"
            ratio = f"{s['rate_median'] / ceiling:.2f}" if ceiling else "-"
            wall = f"{s['wall_median']:.2f}"
        else:
            rate, ratio, wall = "failed", "-", "-"
        cpu = f"{s['cpu_median']:.2f}" if "cpu_median" in s else "-"
        cpu_name = (f"{s['cpu_median'] / n * 1e6:.2f}"
                    if "cpu_median" in s and n else "-")
        rss = fmt_bytes_kb(s.get("maxrss_kb"))
        un = fmt_int(s["unanswered_max"]) if "unanswered_max" in s else "-"
        rows.append((s["label"], rate, ratio, wall, cpu, cpu_name, rss, un))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(header)
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            cells.append(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]))
        print("  ".join(cells).rstrip())
    for s in summaries:
        for e in sorted(set(s["errors"])):
            print(f"note: {s['label']}: {e} (such rounds count as failed)")
        for e in sorted(set(s["notes"])):
            print(f"note: {s['label']}: {e}")
        if s.get("wrong_max"):
            print(f"note: {s['label']}: up to {s['wrong_max']:,} answers "
                  "contradict the zone")


# ------------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Measure blogdom against the DNS server's own ceiling "
                    "(dnsperf) on loopback, with a private NSD.")
    p.add_argument("--names", type=int, default=100000, metavar="N",
                   help="number of names to probe (default 100000)")
    p.add_argument("--exist-ratio", type=float, default=0.5, metavar="R",
                   help="fraction of names that exist in the zone "
                        "(default 0.5; e.g. 0.01 for a small zone in "
                        "--memory-only runs)")
    p.add_argument("--rounds", type=int, default=3, metavar="R",
                   help="rounds; each runs dnsperf, blogdom, extras in turn "
                        "(default 3)")
    p.add_argument("--blogdom", metavar="PATH",
                   default=os.environ.get("BLOGDOM") or
                   str(REPO_ROOT / "build" / "release" / "blogdom"),
                   help="blogdom binary (default $BLOGDOM or "
                        "build/release/blogdom under the repo root)")
    p.add_argument("--blogdom-args", default="", metavar="'ARGS'",
                   help="extra arguments for blogdom, for experiments (the "
                        "benchmark proper uses default settings); write "
                        "--blogdom-args='-c 500' with '=' since ARGS starts "
                        "with '-'")
    p.add_argument("--memory-only", action="store_true",
                   help="skip dnsperf, run blogdom (and extras) once, "
                        "report peak RSS")
    p.add_argument("--dnsperf-opts", default=None, metavar="'OPTS'",
                   help="dnsperf options instead of calibrating, "
                        "e.g. '-c 8 -T 1 -q 500'")
    p.add_argument("--nsd-workers", type=int, default=2, metavar="K",
                   help="NSD server-count (default 2)")
    p.add_argument("--timeout", type=float, default=None, metavar="S",
                   help="per-run time limit in seconds "
                        "(default 600 + 1 ms per name)")
    p.add_argument("--startup-timeout", type=float, default=None, metavar="S",
                   help="how long to wait for NSD to load the zone "
                        "(default 60 + 20 s per million records)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory (zone, names, outputs)")
    p.add_argument("--json", metavar="FILE",
                   help="also write machine-readable results to FILE")
    a = p.parse_args(argv)
    if a.names < 1:
        p.error("--names must be at least 1")
    if not 0.0 <= a.exist_ratio <= 1.0:
        p.error("--exist-ratio must be between 0 and 1")
    if a.rounds < 1:
        p.error("--rounds must be at least 1")
    if a.nsd_workers < 1:
        p.error("--nsd-workers must be at least 1")
    return a


def check_tools(args):
    missing = []
    for prog, pkg in (("nsd", "nsd"), ("nsd-checkconf", "nsd")) + \
            ((("dnsperf", "dnsperf"),) if not args.memory_only else ()):
        if not shutil.which(prog, path=os.environ.get("PATH", "") +
                            ":/usr/sbin:/sbin"):
            missing.append(f"{prog} (package {pkg})")
    if missing:
        raise SetupError("missing: " + ", ".join(missing) +
                         "\n  install with: scripts/bootstrap bench, or "
                         "apt-get install nsd dnsperf")
    b = Path(args.blogdom)
    if not (b.is_file() and os.access(b, os.X_OK)):
        raise SetupError(f"blogdom binary not found or not executable: {b}\n"
                         "  build it first, or pass --blogdom PATH / set BLOGDOM")
    # NSD lives in /usr/sbin, which may be missing from a user's PATH.
    if "/usr/sbin" not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def machine_info():
    model = None
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"cores": cores, "cpu": model, "kernel": os.uname().release,
            "loadavg_1m_at_start": load}


def main(argv=None):
    args = parse_args(argv)
    check_tools(args)
    extras = parse_extra(os.environ.get("BENCH_EXTRA"))
    rounds = 1 if args.memory_only else args.rounds
    n = args.names
    timeout = args.timeout or (600 + n / 1000)
    version = nsd_version()
    machine = machine_info()

    workdir = Path(tempfile.mkdtemp(prefix="blogdom-bench-"))
    nsd = None
    try:
        log(f"work dir {workdir}")
        global RUNSTAT
        RUNSTAT = build_runstat(workdir)
        log(f"generating {n:,} names ({args.exist_ratio:.0%} exist) ...")
        gen = generate(workdir, n, args.exist_ratio)
        log(f"generated in {gen['seconds']:.1f}s: zone {gen['exist']:,} "
            f"records, names {gen['names']}")
        resolvers = workdir / "resolvers.txt"

        startup = args.startup_timeout or (60 + 20 * gen["exist"] / 1e6)
        nsd = NSD(workdir, gen["zone"], args.nsd_workers, startup)
        log(f"starting NSD {version} ({args.nsd_workers} workers) ...")
        nsd.start()
        log(f"NSD answers on {LOOPBACK}:{nsd.port} after "
            f"{nsd.load_seconds:.1f}s (zone of {gen['exist']:,} names)")
        resolvers.write_text(f"{LOOPBACK}:{nsd.port}\n")

        values = {"server": LOOPBACK, "port": nsd.port, "names": gen["names"],
                  "resolvers": resolvers, "data": gen["data"]}
        tools = []
        calibration = None
        dnsperf_opts = None
        if not args.memory_only:
            if args.dnsperf_opts is not None:
                dnsperf_opts = args.dnsperf_opts
            else:
                log("calibrating dnsperf ...")
                dnsperf_opts, calibration = calibrate(
                    gen["data"], n, nsd.port, workdir, timeout, DNSPERF_GRID,
                    machine["cores"])
            log(f"dnsperf options: {dnsperf_opts}")
            tools.append(Tool("dnsperf", [
                "dnsperf", "-s", LOOPBACK, "-p", str(nsd.port),
                "-d", str(gen["data"]), "-n", "1"] + shlex.split(dnsperf_opts),
                "dnsperf"))
        tools.append(Tool("blogdom", [
            str(Path(args.blogdom).resolve()), "-s", f"{LOOPBACK}:{nsd.port}"]
            + shlex.split(args.blogdom_args) + ["-f", str(gen["names"])],
            "blogdom"))
        for label, template in extras:
            tools.append(Tool(label, substitute(template, values), "extra"))

        for rnd in range(1, rounds + 1):
            for tool in tools:
                if not nsd.alive():
                    raise SetupError("NSD died during the benchmark; log:\n"
                                     + tail(nsd.log_path))
                log(f"round {rnd}/{rounds}: {tool.label} ...")
                r = run_tool(tool, workdir, rnd, n, gen["namespace"], timeout,
                             args.keep)
                rate = f"{r['rate']:,.0f}/s" if r.get("rate") else "failed"
                cpu = f"{r['cpu']:.2f}s" if r["cpu"] is not None else "-"
                log(f"round {rnd}/{rounds}: {tool.label} {rate}, "
                    f"wall {r['wall']:.2f}s, cpu {cpu}, "
                    f"rss {fmt_bytes_kb(r.get('maxrss_kb'))}")

        summaries = [summarize(t) for t in tools]
        rrl = nsd.rrl_text()
        header = (f"server: NSD {version} ({args.nsd_workers} workers, {rrl})  "
                  f"names: {n:,} ({gen['exist'] / n:.0%} exist)  "
                  f"rounds: {rounds}  machine: {machine['cores']} cores")
        if machine["loadavg_1m_at_start"] is not None:
            header += f" (load {machine['loadavg_1m_at_start']:.1f} at start)"
        if args.memory_only:
            header += "  [memory-only]"
        if dnsperf_opts is not None:
            header += f"\ndnsperf: {dnsperf_opts}"
        print_table(header, summaries, n, "dnsperf")
        sys.stdout.flush()

        if args.json:
            doc = {
                "server": {"software": "NSD", "version": version,
                           "workers": args.nsd_workers,
                           "options": dict(nsd.options),
                           "load_seconds": nsd.load_seconds},
                "names": n, "existing": gen["exist"],
                "exist_ratio": args.exist_ratio, "seed": SEED,
                "rounds": rounds, "memory_only": args.memory_only,
                "machine": machine, "dnsperf_opts": dnsperf_opts,
                "calibration": calibration,
                "tools": [dict(summarize(t), kind=t.kind,
                               runs=t.runs) for t in tools],
            }
            ceiling = next((s.get("rate_median") for s in summaries
                            if s["label"] == "dnsperf"), None)
            for t in doc["tools"]:
                if ceiling and t.get("rate_median"):
                    t["ratio"] = t["rate_median"] / ceiling
            with open(args.json, "w") as f:
                json.dump(doc, f, indent=2, default=str)
                f.write("\n")
            log(f"wrote {args.json}")
    finally:
        if nsd is not None:
            nsd.stop()
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt


def run_main(main, log):
    """Runs a benchmark's main: SIGTERM and SIGINT end it as an interrupt
    (its cleanup runs), a set-up failure is one line and status 2."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        sys.exit(main())
    except SetupError as e:
        log(f"set-up failed: {e}")
        sys.exit(2)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    run_main(main, log)
