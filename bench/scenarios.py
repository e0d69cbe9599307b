#!/usr/bin/env python3
"""blogdom at a distance: benchmark scenarios beyond a local server.

Nine scenarios, each against a server this script starts on 127.0.0.1:

  a  local NSD, no rate limiting: blogdom against dnsperf's ceiling
     (what bench/bench.py measures);
  b  every answer 50 ms away: faultd as a latency rig (delay=50 on every
     answer), ceiling dnsperf with enough queries outstanding for the delay;
  c  NSD with its default response rate limiting (rrl-ratelimit 200,
     rrl-slip 2), ceiling dnsperf over TCP, which RRL leaves alone; also
     hand-tuned blogdom settings beside the defaults;
  d  a per-client limit of 1,000 queries/s (faultd --rate-limit, the rest
     dropped, as public resolvers do), ceiling the limit itself;
  i  both: every answer 50 ms away and a limit of 1,000 queries/s (a
     public resolver across a continent), ceiling the limit itself.

Each prints names/s, the ratio to the ceiling measured in the same run,
`?` lines, wrong verdicts (checked against the zone's truth), extra queries
(retries and checks), peak RSS and wall time; massdns is a row when
MASSDNS names its binary.  --quick runs small counts for CI.

Four more disturb blogdom a third of the way through 300,000 names, each
against an undisturbed run of the same set-up in the same round:

  e  the server (faultd) answers nothing for 0.5 s, and for 2 s;
  f  blogdom's stdout goes into a reader that stops reading for 0.5 s;
  g  ... into a reader that reads half as many lines/s as blogdom gave
     undisturbed;
  h  two servers (-s A -s B), A silent for 2 s.

Each prints the undisturbed and disturbed times, the bound
undisturbed + S + max(1 s, undisturbed / 2) (S the disturbance's length)
and whether it held, `?` lines, wrong verdicts, queries against names and
peak RSS: median and worst of the rounds.

A benchmark, not a test: it never fails on the figures.  Exit status 2 for
a set-up error (a missing tool or binary, a server that does not start), 130
when interrupted.  Python 3 standard library only.  See bench/README.md.
"""

import argparse
import json
import math
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as core  # noqa: E402  (bench/bench.py: shared machinery)

LOOPBACK = core.LOOPBACK        # the only address this script talks to
ZONE = core.ZONE
REPO_ROOT = core.REPO_ROOT
SetupError = core.SetupError
log = core.log

# What each scenario probes by default, and with --quick.
NAMES = {"a": 1_000_000, "b": 100_000, "c": 200_000, "d": 20_000,
         "e": 300_000, "f": 300_000, "g": 300_000, "h": 300_000,
         "i": 20_000}
QUICK_NAMES = {"a": 20_000, "b": 5_000, "c": 5_000, "d": 2_000,
               "e": 20_000, "f": 20_000, "g": 20_000, "h": 20_000,
               "i": 2_000}
DISTURBANCES = ("e", "f", "g", "h")
TITLES = {
    "a": "local NSD, no rate limiting",
    "b": "every answer {delay} ms away (faultd rig)",
    "c": "NSD with response rate limiting ({rrl}/s, slip {rrl_slip})",
    "d": "a per-client limit of {limit:,} queries/s (faultd rig)",
    "e": "the server silent a third of the way (faultd rig)",
    "f": "the reader pauses a third of the way (faultd rig)",
    "g": "the reader reads at half speed (faultd rig)",
    "h": "the first of two servers silent a third of the way (faultd rig)",
    "i": "{delay} ms away and a limit of {limit:,} queries/s (faultd rig)",
}
# Hand-tuned blogdom settings for scenario c, beside the defaults.  A
# setting with --rate is skipped when names / rate exceeds
# --max-tuned-seconds (its wall time is known in advance).
TUNED_C = ["-c 100 --timeout 500", "-c 50 --timeout 300", "--timeout 800",
           "--rate 190 -c 50"]
QUICK_DNSPERF = "-c 32 -T 1 -q 500"   # scenario a without calibration
# Seconds of quiet before each run in c.  NSD's RRL rate is smoothed
# (rate = r(t) + r(t-1)/2), so a source's rate halves with each quiet
# second; 3 s bring a run's thousands a second back under the limit.
RRL_PAUSE = 3.0
QUICK_RRL_PAUSE = 1.5
# Scenario b's ceiling: outstanding queries = target rate x delay.
DELAY_TARGET_QPS = 200_000

STATS_RE = re.compile(r"(\d+) queries, (\d+) retries, (\d+) timeouts")


# ------------------------------------------------------------------ the rig

# faultd's rules for the names of a split NameSpace (e<num> exists, n<num>
# does not), answering blogdom's resolver checks like the top of the tree:
# com., dev. and test. exist, random names do not.
RIG_APEXES = ("com", "dev", "test")


class Rig:
    """faultd as a latency rig, a fresh one for every run: its counters
    and rate-limit buckets start from zero, and the run's queries are
    counted by the server itself (--stats)."""

    def __init__(self, binary, workdir, delay_ms=0, limit=0, burst=0,
                 slip=0, silence=None):
        self.binary = binary
        self.workdir = workdir
        self.delay_ms = delay_ms
        self.limit = limit
        self.burst = burst
        self.slip = slip
        self.silence = silence      # (after queries, ms) or None
        self.proc = None
        self.port = None
        self.stats_path = None

    def argv(self, port_file, stats_file):
        delay = f",delay={self.delay_ms}" if self.delay_ms else ""
        args = [str(self.binary), "--bind", LOOPBACK,
                "--port-file", str(port_file), "--stats", str(stats_file)]
        for apex in RIG_APEXES:
            args += ["--rule", f"{apex} nodata{delay}"]
        args += ["--rule", f"e*.{ZONE} a=192.0.2.1{delay}",
                 "--default", f"nxdomain{delay}"]
        if self.limit:
            args += ["--rate-limit", str(self.limit)]
            if self.burst:
                args += ["--rate-burst", str(self.burst)]
            if self.slip:
                args += ["--slip", str(self.slip)]
        if self.silence:
            args += ["--silence", "%d:%d" % self.silence]
        return args

    def describe(self):
        parts = [f"delay={self.delay_ms} ms on every answer"
                 if self.delay_ms else "no delay"]
        if self.limit:
            parts.append(f"--rate-limit {self.limit} (burst "
                         f"{self.burst or self.limit}, "
                         + (f"slip {self.slip})" if self.slip else
                            "the rest dropped)"))
        return "faultd, " + ", ".join(parts)

    def start(self, tag):
        port_file = self.workdir / f"{tag}.faultd.port"
        self.stats_path = self.workdir / f"{tag}.faultd.stats"
        for p in (port_file, self.stats_path):
            p.unlink(missing_ok=True)
        err = open(self.workdir / f"{tag}.faultd.err", "wb")
        self.proc = subprocess.Popen(
            self.argv(port_file, self.stats_path), stdin=subprocess.DEVNULL,
            stdout=err, stderr=err, start_new_session=True,
            preexec_fn=core._pdeathsig)
        err.close()
        deadline = time.monotonic() + 10
        while not port_file.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SetupError(
                    "faultd did not start; "
                    + core.tail(self.workdir / f"{tag}.faultd.err"))
            time.sleep(0.01)
        self.port = int(port_file.read_text())
        return self.port

    def stop(self):
        """Stops faultd; returns its counts ({} if it did not write them)."""
        if self.proc is None:
            return {}
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        counts = {}
        try:
            for line in self.stats_path.read_text().splitlines():
                key, value = line.split()
                counts[key] = int(value)
        except (OSError, ValueError):
            pass
        return counts


# ------------------------------------------------------------------ rows

class Row:
    """One line of a scenario's table: a tool run every round, or a
    figure known in advance (kind "limit")."""

    def __init__(self, label, kind, argv=None, rate=None, note=None):
        self.label = label
        self.kind = kind    # dnsperf, blogdom, massdns, extra, limit
        self.argv = argv    # function(ctx) -> argv list
        self.rate = rate    # kind "limit": names/s
        self.note = note
        self.runs = []
        self.skipped = None


def parse_massdns(path, ns):
    """Counts massdns's ndjson output (-o J) like core.count_marks counts
    blogdom's lines: NOERROR means the name exists (RFC 8020: an answer or
    NODATA), NXDOMAIN that it does not; a name with neither is '?'."""
    c = {"lines": 0, "exists": 0, "nxdomain": 0, "unknown": 0, "other": 0,
         "wrong": 0}
    status = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                try:
                    doc = json.loads(line)
                except ValueError:
                    c["other"] += 1
                    continue
                name = str(doc.get("name", "")).rstrip(".").lower()
                st = doc.get("status")
                if st in ("NOERROR", "NXDOMAIN") or name not in status:
                    status[name] = st
    except OSError:
        pass
    suffix = f".{ZONE}"
    for name, st in status.items():
        if st not in ("NOERROR", "NXDOMAIN"):
            continue
        want = st == "NOERROR"
        c["exists" if want else "nxdomain"] += 1
        i = ns.index_of_label(name[:-len(suffix)]) \
            if name.endswith(suffix) else None
        if i is None or (i < ns.exist) != want:
            c["wrong"] += 1
    c["lines"] = c["exists"] + c["nxdomain"]
    c["unknown"] = ns.n - c["lines"]
    return c


def run_row(scn, row, rnd):
    """Runs one row once; returns the result dict (also kept in row.runs)."""
    n = scn.n
    tag = f"{scn.key}.{re.sub(r'[^A-Za-z0-9]+', '_', row.label)}.r{rnd}"
    out = scn.workdir / f"{tag}.out"
    err = scn.workdir / f"{tag}.err"
    ctx = {"names": scn.gen["names"], "data": scn.gen["data"],
           "resolvers": scn.workdir / f"{tag}.resolvers",
           "json": scn.workdir / f"{tag}.json", "port": None}
    if scn.pause:
        time.sleep(scn.pause)
    counts = {}
    if scn.rig is not None:
        ctx["port"] = scn.rig.start(tag)
    else:
        if not scn.nsd.alive():
            raise SetupError("NSD died during the benchmark; log:\n"
                             + core.tail(scn.nsd.log_path))
        ctx["port"] = scn.nsd.port
    ctx["resolvers"].write_text(f"{LOOPBACK}:{ctx['port']}\n")
    try:
        res = core.run_timed(row.argv(ctx), out, err, scn.timeout)
    finally:
        if scn.rig is not None:
            counts = scn.rig.stop()
    res["round"] = rnd
    res["server"] = counts
    server_extra = counts["queries"] - n if "queries" in counts else None
    if row.kind == "dnsperf":
        d = core.parse_dnsperf(out.read_text(errors="replace"))
        res["dnsperf"] = d
        res["rate"] = d.get("qps")
        res["unanswered"] = d.get("lost")
        if res["rate"] is None and not res.get("error"):
            res["error"] = "no 'Queries per second' in dnsperf output"
    else:
        res["rate"] = n / res["wall"] if res.get("wall") else None
        if row.kind == "massdns":
            c = parse_massdns(ctx["json"], scn.gen["namespace"])
        else:
            c = core.count_marks(out, scn.gen["namespace"])
        res["marks"] = c
        marked = c["exists"] + c["nxdomain"] + c["unknown"]
        if row.kind in ("blogdom", "massdns") or \
                (c["lines"] == n and marked == c["lines"]):
            res["unanswered"] = c["unknown"]
            res["wrong"] = c["wrong"]
            if row.kind != "massdns" and c["lines"] != n:
                res["error"] = f"{c['lines']:,} output lines for {n:,} names"
        if res["exit"] not in (0, 1) and row.kind != "extra" or \
                row.kind == "extra" and res["exit"] != 0:
            res.setdefault("error", f"exit status {res['exit']}")
        res["extra"] = server_extra
        m = STATS_RE.search(err.read_text(errors="replace")) \
            if row.kind == "blogdom" else None
        if m:
            res["client_queries"] = int(m.group(1))
            res["retries"] = int(m.group(2))
            res["timeouts"] = int(m.group(3))
            if res["extra"] is None:
                res["extra"] = int(m.group(1)) - n
    if res["timed_out"]:
        res["error"] = f"timed out after {scn.timeout:.0f}s"
    if res.get("error"):
        res["rate"] = None
        last = core.tail(err, 1).strip()[:120]
        res["error"] += (f" (exit {res['exit']} after {res['wall']:.2f} s"
                         + (f"; {last}" if last else "") + ")")
        msg = core.tail(err, 5).strip()
        log(f"{scn.key}: {row.label} round {rnd}: {res['error']}"
            + (f"\n    stderr: {msg}" if msg else ""))
    if not scn.keep:
        for p in (out, ctx["json"]):
            p.unlink(missing_ok=True)
    row.runs.append(res)
    return res


# ------------------------------------------------------------------ scenarios

class Runs:
    """What every scenario has: its letter, its names, a work directory of
    its own, and the bounds of a run."""

    def __init__(self, key, args, workdir, machine):
        self.key = key
        self.args = args
        self.n = args.names or (QUICK_NAMES if args.quick else NAMES)[key]
        self.workdir = workdir / key
        self.workdir.mkdir()
        self.machine = machine
        self.keep = args.keep
        self.timeout = args.timeout or (600 + self.n / 100)
        self.title = TITLES[key].format(**vars(args))
        self.gen = None
        self.server_text = ""

    def print_heading(self, rounds):
        m = self.machine
        print(f"scenario {self.key}: {self.title}")
        print(f"server: {self.server_text}")
        print(f"names: {self.n:,} ({self.gen['exist'] / self.n:.0%} exist)  "
              f"rounds: {rounds}  machine: {m['cores']} cores"
              + (f" (load {m['loadavg_1m_at_start']:.1f} at start)"
                 if m["loadavg_1m_at_start"] is not None else ""))


class Scenario(Runs):
    def __init__(self, key, args, workdir, machine):
        super().__init__(key, args, workdir, machine)
        self.rig = None
        self.nsd = None
        self.pause = 0.0
        self.rows = []
        self.ceiling_label = None
        self.ceiling_note = ""
        self.calibration = None

    # -- set-up

    def setup(self):
        a = self.args
        log(f"{self.key}: generating {self.n:,} names ...")
        self.gen = core.generate(self.workdir, self.n, a.exist_ratio,
                                 split=True)
        if self.key in ("a", "c"):
            rrl = (a.rrl, a.rrl_slip) if self.key == "c" else None
            startup = a.startup_timeout or (60 + 20 * self.gen["exist"] / 1e6)
            self.nsd = core.NSD(self.workdir, self.gen["zone"], a.nsd_workers,
                                startup, rrl=rrl)
            log(f"{self.key}: starting NSD ({a.nsd_workers} workers) ...")
            self.nsd.start()
            self.server_text = (f"NSD {core.nsd_version()} ({a.nsd_workers} "
                                f"workers, {self.nsd.rrl_text()})")
            if self.key == "c":
                self.pause = QUICK_RRL_PAUSE if a.quick else RRL_PAUSE
        else:
            limit = a.limit if self.key in ("d", "i") else 0
            delay = a.delay if self.key in ("b", "i") else 0
            self.rig = Rig(a.faultd_path, self.workdir, delay_ms=delay,
                           limit=limit, burst=a.limit_burst,
                           slip=a.limit_slip)
            self.server_text = f"{self.rig.describe()} ({a.faultd_path})"
        self.rows = self.make_rows()

    def dnsperf_row(self, label, opts):
        def argv(ctx):
            return (["dnsperf", "-s", LOOPBACK, "-p", str(ctx["port"]),
                     "-d", str(ctx["data"]), "-n", "1"] + shlex.split(opts))
        return Row(label, "dnsperf", argv, note=f"dnsperf {opts}")

    def blogdom_row(self, label, extra_args=""):
        binary = str(Path(self.args.blogdom).resolve())

        def argv(ctx):
            return ([binary, "-s", f"{LOOPBACK}:{ctx['port']}", "--stats"]
                    + shlex.split(extra_args) + ["-f", str(ctx["names"])])
        return Row(label, "blogdom", argv)

    def make_rows(self):
        a = self.args
        rows = []
        if self.key == "a":
            opts = a.dnsperf_opts or (QUICK_DNSPERF if a.quick else None)
            if opts is None:
                log("a: calibrating dnsperf ...")
                opts, self.calibration = core.calibrate(
                    self.gen["data"], self.n, self.nsd.port, self.workdir,
                    self.timeout, core.DNSPERF_GRID, self.machine["cores"])
            rows.append(self.dnsperf_row("dnsperf", opts))
            self.ceiling_label = "dnsperf"
            self.ceiling_note = f"dnsperf {opts} (calibrated)" \
                if self.calibration else f"dnsperf {opts}"
        elif self.key == "b":
            q = min(60_000, max(500, math.ceil(
                DELAY_TARGET_QPS * a.delay / 1000)))
            opts = f"-c 10 -q {q} -b 4096"
            rows.append(self.dnsperf_row("dnsperf", opts))
            self.ceiling_label = "dnsperf"
            self.ceiling_note = (f"dnsperf {opts} ({q:,} outstanding = "
                                 f"{DELAY_TARGET_QPS:,} q/s x {a.delay} ms)")
        elif self.key == "c":
            rows.append(self.dnsperf_row("dnsperf tcp",
                                         "-m tcp -c 32 -q 500"))
            # A lost query holds its slot for dnsperf's timeout: -t 1 and
            # more slots keep the run short when RRL drops thousands.
            rows.append(self.dnsperf_row("dnsperf udp",
                                         "-c 32 -q 2000 -t 1"))
            self.ceiling_label = "dnsperf tcp"
            self.ceiling_note = ("dnsperf -m tcp -c 32 -q 500 (RRL limits "
                                 "UDP only); dnsperf udp shows what the limit "
                                 "leaves a client that never retries")
        else:
            # The best any client can do: the bucket's burst at once, then
            # one name per token.
            burst = a.limit_burst or a.limit
            best = self.n * a.limit / (self.n - burst) \
                if self.n > burst else None
            rows.append(Row("limit", "limit", rate=best))
            self.ceiling_label = "limit"
            self.ceiling_note = (
                f"the limit, {a.limit:,} queries/s after a burst of "
                f"{burst:,}: {self.n:,} names take at least "
                f"{max(self.n - burst, 0) / a.limit:.2f} s"
                + ("" if best else " (too few names for the limit to bite)"))
        rows.append(self.blogdom_row("blogdom"))
        if self.key == "c":
            for i, t in enumerate(a.tuned if a.tuned is not None
                                  else TUNED_C):
                row = self.blogdom_row(f"tuned{i + 1}", t)
                row.note = t
                m = re.search(r"--rate[= ](\d+)", t)
                cap = a.max_tuned_seconds
                if cap is None:
                    cap = 10 if a.quick else 300
                if m and cap and self.n / int(m.group(1)) > cap:
                    row.skipped = (f"skipped: {self.n:,} names at "
                                   f"{int(m.group(1))}/s take at least "
                                   f"{self.n / int(m.group(1)):,.0f} s "
                                   f"(--max-tuned-seconds {cap:g})")
                rows.append(row)
        if a.massdns:
            def massdns(ctx):
                return [a.massdns, "-r", str(ctx["resolvers"]), "-t", "A",
                        "-o", "J", "-w", str(ctx["json"]),
                        str(ctx["names"])]
            rows.append(Row("massdns", "massdns", massdns))
        for label, template in core.parse_extra(os.environ.get("BENCH_EXTRA")):
            def extra(ctx, template=template):
                return core.substitute(template, {
                    "server": LOOPBACK, "port": ctx["port"],
                    "names": ctx["names"], "resolvers": ctx["resolvers"],
                    "data": ctx["data"]})
            rows.append(Row(label, "extra", extra))
        return rows

    def to_json(self):
        return {"key": self.key, "title": self.title, "names": self.n,
                "existing": self.gen["exist"], "server": self.server_text,
                "ceiling": self.ceiling_note, "calibration": self.calibration,
                "rows": [dict(s, runs=row.runs) for s, row in
                         zip(self.summary, self.rows)]}

    def teardown(self):
        if self.nsd is not None:
            self.nsd.stop()
        if self.rig is not None:
            self.rig.stop()

    # -- running

    def run(self, rounds):
        for rnd in range(1, rounds + 1):
            for row in self.rows:
                if row.kind == "limit" or row.skipped:
                    continue
                log(f"{self.key}: round {rnd}/{rounds}: {row.label} ...")
                r = run_row(self, row, rnd)
                rate = f"{r['rate']:,.0f}/s" if r.get("rate") else "failed"
                log(f"{self.key}: round {rnd}/{rounds}: {row.label} {rate}, "
                    f"wall {r['wall']:.2f}s, "
                    f"rss {core.fmt_bytes_kb(r.get('maxrss_kb'))}"
                    + (f", ? {r['unanswered']:,}"
                       if r.get("unanswered") is not None else "")
                    + (f", extra {r['extra']:,}"
                       if r.get("extra") is not None else ""))

    # -- report

    def summaries(self):
        out = []
        for row in self.rows:
            s = {"label": row.label, "kind": row.kind, "note": row.note,
                 "skipped": row.skipped}
            if row.kind == "limit":
                if row.rate:
                    s.update(rate_median=row.rate, rate_min=row.rate,
                             rate_max=row.rate, ok_rounds=1,
                             wall_median=self.n / row.rate)
                out.append(s)
                continue
            ok = [r for r in row.runs if r.get("rate")]
            s["rounds"] = len(row.runs)
            s["ok_rounds"] = len(ok)
            if ok:
                rates = [r["rate"] for r in ok]
                s.update(rate_median=statistics.median(rates),
                         rate_min=min(rates), rate_max=max(rates),
                         wall_median=statistics.median(r["wall"] for r in ok),
                         wall_min=min(r["wall"] for r in ok))
            # A failed run's queries and CPU time are those of a run cut
            # short; its '?' lines and wrong verdicts count all the same.
            for key, agg, name, runs in (
                    ("cpu", statistics.median, "cpu_median", ok),
                    ("maxrss_kb", max, "maxrss_kb", row.runs),
                    ("unanswered", max, "unanswered_max", row.runs),
                    ("wrong", max, "wrong_max", row.runs),
                    ("extra", statistics.median, "extra_median", ok)):
                vals = [r[key] for r in runs if r.get(key) is not None]
                if vals:
                    s[name] = agg(vals)
            s["errors"] = sorted({r["error"] for r in row.runs
                                  if r.get("error")})
            limited = [r["server"].get("limited", 0) +
                       r["server"].get("slipped", 0)
                       for r in row.runs if r.get("server")]
            if any(limited):
                s["limited_median"] = statistics.median(limited)
            out.append(s)
        return out

    def ceiling(self, summaries):
        for s in summaries:
            if s["label"] == self.ceiling_label and "rate_median" in s:
                return s["rate_median"]
        return None

    def print_table(self, rounds):
        summaries = self.summaries()
        ceiling = self.ceiling(summaries)
        self.print_heading(rounds)
        print(f"ceiling: {self.ceiling_note}")
        rows = [("tool", "names/s (median, min-max)", "ratio", "wall s",
                 "cpu s", "peak RSS", "? lines", "wrong", "extra q")]
        for s in summaries:
            if s.get("skipped"):
                continue
            if "rate_median" in s:
                rate = fmt_int(s["rate_median"])
                if s.get("ok_rounds", 0) > 1:
                    rate += (f" ({fmt_int(s['rate_min'])}-"
                             f"{fmt_int(s['rate_max'])})")
                ratio = f"{s['rate_median'] / ceiling:.2f}" \
                    if ceiling else "-"
            elif s["kind"] == "limit":
                rate, ratio = "-", "-"
            else:
                rate, ratio = "failed", "-"
            wall = f"{s['wall_median']:.2f}" if "wall_median" in s else "-"
            cpu = f"{s['cpu_median']:.2f}" if "cpu_median" in s else "-"
            rss = core.fmt_bytes_kb(s.get("maxrss_kb")) \
                if s.get("maxrss_kb") else "-"
            un = fmt_int(s["unanswered_max"]) if "unanswered_max" in s \
                else "-"
            wrong = fmt_int(s["wrong_max"]) if "wrong_max" in s else "-"
            extra = fmt_int(s["extra_median"]) \
                if "extra_median" in s and s["kind"] != "dnsperf" else "-"
            rows.append((s["label"], rate, ratio, wall, cpu, rss, un, wrong,
                         extra))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(c.ljust(widths[i]) if i < 2 else
                            c.rjust(widths[i]) for i, c in enumerate(r))
                  .rstrip())
        for s in summaries:
            if s.get("note") and s["kind"] == "blogdom":
                print(f"{s['label']}: blogdom {s['note']}")
            if s.get("skipped"):
                print(f"{s['label']}: {s['skipped']}")
            for e in s.get("errors", []):
                print(f"note: {s['label']}: {e} (such rounds count as failed)")
            if s.get("limited_median"):
                print(f"note: {s['label']}: the server refused "
                      f"{fmt_int(s['limited_median'])} queries (median) "
                      "over its limit")
        if self.key == "c":
            self.print_tuned(summaries)
        print()
        return summaries

    def print_tuned(self, summaries):
        base = next((s for s in summaries if s["label"] == "blogdom"), None)
        tuned = [s for s in summaries if s["label"].startswith("tuned")
                 and "wall_min" in s]
        if not base or "wall_min" not in base or not tuned:
            return
        best = min(tuned, key=lambda s: s["wall_min"])
        factor = base["wall_min"] / best["wall_min"]
        print(f"best wall time: tuned '{best['note']}' {best['wall_min']:.2f} s"
              f", defaults {base['wall_min']:.2f} s (best of each; the "
              f"defaults take {factor:.2f}x as long)")


def fmt_int(x):
    return core.fmt_int(x)


# ------------------------------------------------------------------ disturbances

# e-h: blogdom disturbed a third of the way through its names, each run
# against an undisturbed run of the same set-up in the same round.
SILENCES_E = (0.5, 2.0)     # e: seconds the server answers nothing
PAUSE_F = 0.5               # f: seconds the reader stops reading
SLOW_G = 0.5                # g: the reader's pace, a share of blogdom's
                            #    undisturbed lines/s in the same round
SILENCE_H = 2.0             # h: seconds the first of two servers is silent
READER = REPO_ROOT / "tests" / "cli" / "reader.py"
# A disturbed run past this many bounds is stuck: it is stopped and
# counts as failed (--timeout overrides).
STUCK_BOUNDS = 10
STUCK_MIN = 60.0


def bound_of(undisturbed, seconds):
    """How long a disturbed run may take: the undisturbed time, the
    disturbance, and the larger of 1 s and half the undisturbed time to
    find the pace again."""
    return undisturbed + seconds + max(1.0, undisturbed / 2)


class Variant:
    """One run of a disturbance scenario each round: undisturbed, or
    disturbed by a silence, a pause of the reader or a slow reader."""

    def __init__(self, label, seconds=None, silence=None, pause=None,
                 slow=None):
        self.label = label
        self.seconds = seconds  # S: how long the disturbance lasts
        self.silence = silence  # the first server's (after queries, ms)
        self.pause = pause      # the reader's (after lines, seconds)
        self.slow = slow        # the reader's share of undisturbed lines/s
        self.runs = []

    @property
    def disturbed(self):
        return self.seconds is not None or self.slow is not None


class Disturbance(Runs):
    """A scenario of e-h: in each round the undisturbed run, then each
    disturbed one, each against fresh faultds (the same rules as b and d,
    no delay), blogdom with its defaults."""

    def __init__(self, key, args, workdir, machine):
        super().__init__(key, args, workdir, machine)
        self.servers = 2 if key == "h" else 1
        self.piped = key in ("f", "g")
        self.variants = []
        self.summary = None

    def setup(self):
        log(f"{self.key}: generating {self.n:,} names ...")
        self.gen = core.generate(self.workdir, self.n, self.args.exist_ratio,
                                 split=True)
        third = self.n // 3
        v = [Variant("undisturbed")]
        if self.key == "e":
            v += [Variant(f"silent {s:g} s", seconds=s,
                          silence=(third, round(s * 1000)))
                  for s in SILENCES_E]
        elif self.key == "f":
            v.append(Variant(f"paused {PAUSE_F:g} s", seconds=PAUSE_F,
                             pause=(third, PAUSE_F)))
        elif self.key == "g":
            v.append(Variant(f"reader at {SLOW_G:g}x", slow=SLOW_G))
        else:
            # blogdom spreads its queries over both servers: a third of
            # the way is about a sixth of the names at the first.
            v.append(Variant(f"first silent {SILENCE_H:g} s",
                             seconds=SILENCE_H,
                             silence=(self.n // 6, round(SILENCE_H * 1000))))
        self.variants = v
        rig = f"faultd, no delay ({self.args.faultd_path})"
        self.server_text = {
            "e": f"{rig}; silent for S s after {third:,} queries",
            "f": f"{rig}; blogdom's stdout piped into tests/cli/reader.py, "
                 f"which stops for {PAUSE_F:g} s after {third:,} lines",
            "g": f"{rig}; blogdom's stdout piped into tests/cli/reader.py, "
                 f"which reads {SLOW_G:g}x the lines/s of the round's "
                 "undisturbed run",
            "h": f"two of them, -s A -s B; A silent for {SILENCE_H:g} s "
                 f"after {self.n // 6:,} queries",
        }[self.key]

    def teardown(self):
        pass    # every run stops its own servers

    # -- running

    def run(self, rounds):
        for rnd in range(1, rounds + 1):
            base = None
            for variant in self.variants:
                log(f"{self.key}: round {rnd}/{rounds}: {variant.label} ...")
                r = self.run_once(variant, rnd, base)
                if not variant.disturbed:
                    base = r
                log(f"{self.key}: round {rnd}/{rounds}: {variant.label} "
                    + (f"{r['wall']:.2f} s" if r.get("wall") is not None
                       else "failed")
                    + (f", bound {r['bound']:.2f} s"
                       if r.get("bound") is not None else "")
                    + (f", ? {r['unanswered']:,}, wrong {r['wrong']:,}"
                       if r.get("unanswered") is not None else "")
                    + (f", extra {r['extra']:,}"
                       if r.get("extra") is not None else "")
                    + (f"; {r['error']}" if r.get("error") else ""))

    def reader_args(self, variant, base_wall):
        """reader.py's options for this run, and S for a slow reader (the
        time its pace adds to the undisturbed run)."""
        if variant.pause:
            return ["--pause-after", str(variant.pause[0]),
                    "--pause", str(variant.pause[1])], variant.seconds
        if variant.slow:
            rate = variant.slow * self.n / base_wall
            return ["--rate", f"{rate:.0f}"], self.n / rate - base_wall
        return [], variant.seconds

    def run_once(self, variant, rnd, base):
        tag = (f"{self.key}.{re.sub(r'[^A-Za-z0-9]+', '_', variant.label)}"
               f".r{rnd}")
        out = self.workdir / f"{tag}.out"
        err = self.workdir / f"{tag}.err"
        res = {"round": rnd}
        variant.runs.append(res)
        base_wall = base.get("wall") if base and not base.get("error") \
            else None
        if variant.disturbed and base_wall is None:
            res["error"] = "no undisturbed run in this round to compare with"
            return res
        reader, seconds = self.reader_args(variant, base_wall)
        timeout = self.timeout
        if variant.disturbed:
            res["undisturbed"] = base_wall
            res["seconds"] = seconds
            res["bound"] = bound_of(base_wall, seconds)
            if not self.args.timeout:
                timeout = max(STUCK_MIN, STUCK_BOUNDS * res["bound"])
        rigs = [Rig(self.args.faultd_path, self.workdir,
                    silence=variant.silence if i == 0 else None)
                for i in range(self.servers)]
        counts = []
        try:
            argv = [str(Path(self.args.blogdom).resolve())]
            for i, rig in enumerate(rigs):
                argv += ["-s", f"{LOOPBACK}:{rig.start(f'{tag}.s{i}')}"]
            argv += ["--stats", "-f", str(self.gen["names"])]
            if self.piped:
                res.update(self.run_piped(argv, out, err, tag, reader,
                                          timeout))
            else:
                res.update(core.run_timed(argv, out, err, timeout))
        finally:
            counts = [rig.stop() for rig in rigs]
        self.judge(res, out, err, counts, timeout)
        if not self.keep:
            out.unlink(missing_ok=True)
        return res

    def run_piped(self, argv, out, err, tag, reader, timeout):
        """run_timed with blogdom's stdout piped into reader.py, which
        writes what it reads to out."""
        rfd, wfd = os.pipe()
        with open(self.workdir / f"{tag}.reader.err", "wb") as rerr:
            proc = subprocess.Popen(
                [sys.executable, str(READER), str(out)] + reader,
                stdin=rfd, stdout=subprocess.DEVNULL, stderr=rerr,
                start_new_session=True, preexec_fn=core._pdeathsig)
        os.close(rfd)
        try:
            res = core.run_timed(argv, out, err, timeout, stdout=wfd)
        finally:
            # blogdom has exited: the reader sees the end of its input.
            os.close(wfd)
            try:
                status = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                core._killpg(proc)
                status = None
        if status != 0:
            raise SetupError(f"reader.py failed ({status}): "
                             + core.tail(self.workdir / f"{tag}.reader.err"))
        return res

    def judge(self, res, out, err, counts, timeout):
        """Checks a run's lines against the rig's truth and collects its
        figures: '?' lines, wrong verdicts, the servers' queries."""
        n = self.n
        c = core.count_marks(out, self.gen["namespace"]) if out.exists() \
            else {"lines": 0, "unknown": 0, "wrong": 0}
        res["lines"] = c["lines"]
        res["unanswered"] = c["unknown"]
        res["wrong"] = c["wrong"]
        if all("queries" in x for x in counts):
            res["queries"] = sum(x["queries"] for x in counts)
            res["silenced"] = sum(x.get("silenced", 0) for x in counts)
            # A run cut short asked for fewer names: no extra to speak of.
            if c["lines"] == n:
                res["extra"] = res["queries"] - n
        m = STATS_RE.search(err.read_text(errors="replace")) \
            if err.exists() else None
        if m:
            res["retries"] = int(m.group(2))
            res["timeouts"] = int(m.group(3))
        if res.get("error"):
            pass
        elif res.get("timed_out"):
            res["error"] = (f"stopped after {timeout:.0f} s with "
                            f"{c['lines']:,} of {n:,} lines")
        elif c["lines"] != n:
            res["error"] = f"{c['lines']:,} output lines for {n:,} names"
        elif res.get("exit") != 0:
            res["error"] = f"exit status {res.get('exit')}"
        if res.get("error"):
            last = core.tail(err, 1).strip()[:120] if err.exists() else ""
            if last:
                res["error"] += f" ({last})"
        if res.get("bound") is not None:
            res["ratio"] = res["wall"] / res["bound"]
            res["held"] = res["wall"] <= res["bound"] and not res.get("error")

    # -- report

    def summaries(self):
        out = []
        for v in self.variants:
            s = {"label": v.label, "disturbed": v.disturbed,
                 "rounds": len(v.runs)}
            for key in ("wall", "seconds", "bound", "ratio", "unanswered",
                        "wrong", "queries", "extra", "silenced",
                        "maxrss_kb"):
                vals = [r[key] for r in v.runs if r.get(key) is not None]
                if vals:
                    s[key] = (statistics.median(vals), max(vals))
            held = [r["held"] for r in v.runs if "held" in r]
            if held:
                s["held"] = (sum(held), len(held))
            s["errors"] = sorted({r["error"] for r in v.runs
                                  if r.get("error")})
            out.append(s)
        return out

    def print_table(self, rounds):
        summaries = self.summaries()
        self.print_heading(rounds)
        print("bound: undisturbed + S + max(1 s, undisturbed / 2), with the "
              "undisturbed run of the same round")
        rows = [("run", "", "S s", "time s", "bound s", "time/bound", "held",
                 "? lines", "wrong", "queries", "extra", "silenced",
                 "peak RSS")]
        n = self.n

        def fig(s, key, i, fmt):
            return fmt(s[key][i]) if key in s else "-"

        for s in summaries:
            for i, stat in enumerate(("median", "worst")):
                rows.append((
                    s["label"] if i == 0 else "", stat,
                    fig(s, "seconds", i, lambda x: f"{x:.2f}"),
                    fig(s, "wall", i, lambda x: f"{x:.2f}"),
                    fig(s, "bound", i, lambda x: f"{x:.2f}") if i == 0
                    else "",
                    fig(s, "ratio", i, lambda x: f"{x:.2f}"),
                    (f"{s['held'][0]}/{s['held'][1]}" if "held" in s else "-")
                    if i == 0 else "",
                    fig(s, "unanswered", i, fmt_int),
                    fig(s, "wrong", i, fmt_int),
                    fig(s, "queries", i, fmt_int),
                    fig(s, "extra", i, lambda x: f"{100 * x / n:.2f}%"),
                    fig(s, "silenced", i, fmt_int),
                    fig(s, "maxrss_kb", i, core.fmt_bytes_kb)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            print("  ".join(c.ljust(widths[i]) if i < 2 else
                            c.rjust(widths[i]) for i, c in enumerate(r))
                  .rstrip())
        print("worst: the largest figure of the rounds; extra: queries "
              "beyond one a name, as the servers counted them (faultd "
              "--stats)")
        for s in summaries:
            for e in s["errors"]:
                print(f"note: {s['label']}: {e}")
        print()
        return summaries

    def to_json(self):
        return {"key": self.key, "title": self.title, "names": self.n,
                "existing": self.gen["exist"], "server": self.server_text,
                "variants": [dict(s, runs=v.runs) for s, v in
                             zip(self.summary, self.variants)]}


def print_disturbance_overview(done):
    """Each disturbed run of e-h against its undisturbed one, medians."""
    rows = [("scenario", "run", "names", "undisturbed s", "disturbed s",
             "worst s", "bound s", "held", "? lines", "wrong", "extra")]
    for scn in done:
        base = scn.summary[0]
        for s in scn.summary[1:]:
            rows.append((
                scn.key, s["label"], fmt_int(scn.n),
                f"{base['wall'][0]:.2f}" if "wall" in base else "-",
                f"{s['wall'][0]:.2f}" if "wall" in s else "-",
                f"{s['wall'][1]:.2f}" if "wall" in s else "-",
                f"{s['bound'][0]:.2f}" if "bound" in s else "-",
                f"{s['held'][0]}/{s['held'][1]}" if "held" in s else "-",
                fmt_int(s["unanswered"][1]) if "unanswered" in s else "-",
                fmt_int(s["wrong"][1]) if "wrong" in s else "-",
                f"{100 * s['extra'][0] / scn.n:.2f}%" if "extra" in s
                else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("overview: blogdom disturbed (medians; the worst time, and the "
          "most '?' lines and wrong verdicts of any round)")
    for r in rows:
        print("  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i])
                        for i, c in enumerate(r)).rstrip())


# ------------------------------------------------------------------ the rig's own capacity

RIG_NAMES = 200_000     # the data file dnsperf cycles through (-l)


def rig_opts(delay_ms):
    """dnsperf options with enough queries outstanding for the delay."""
    q = 1000 if delay_ms == 0 else min(60_000, max(1000, math.ceil(
        DELAY_TARGET_QPS * delay_ms / 1000)))
    return f"-c 10 -q {q} -b 4096"


def proc_cpu_seconds(pid):
    """User+system CPU seconds of a running process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1]
        ticks = sum(int(x) for x in fields.split()[11:13])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run_rig_capacity(args, workdir, machine):
    """How many queries a second faultd answers, at no delay and at
    --delay, measured with dnsperf for a fixed time (-l), in interleaved
    rounds; also faultd's CPU time per query, which says what it would
    answer on a core of its own."""
    seconds = 3 if args.quick else 10
    d = workdir / "rig"
    d.mkdir()
    gen = core.generate(d, RIG_NAMES, args.exist_ratio, split=True)
    delays = [0] + ([args.delay] if args.delay else [])
    results = {delay: [] for delay in delays}
    for rnd in range(1, args.rounds + 1):
        for delay in delays:
            rig = Rig(args.faultd_path, d, delay_ms=delay)
            tag = f"rig.{delay}.r{rnd}"
            port = rig.start(tag)
            opts = rig_opts(delay)
            out = d / f"{tag}.out"
            log(f"rig: round {rnd}/{args.rounds}: delay {delay} ms, "
                f"dnsperf {opts} -l {seconds} ...")
            try:
                core.run_timed(["dnsperf", "-s", LOOPBACK, "-p", str(port),
                                "-d", str(gen["data"]), "-l", str(seconds)]
                               + shlex.split(opts), out,
                               d / f"{tag}.err", seconds + 60)
                cpu = proc_cpu_seconds(rig.proc.pid)
            finally:
                counts = rig.stop()
            r = core.parse_dnsperf(out.read_text(errors="replace"))
            r["faultd_cpu"] = cpu
            r["answered"] = counts.get("answered")
            results[delay].append(r)
            log(f"rig: delay {delay} ms: {r.get('qps') or 0:,.0f} q/s, "
                f"latency {r.get('latency_avg') or 0:.4f} s")
    print("rig: faultd's own capacity, dnsperf for "
          f"{seconds} s a run ({args.faultd_path})")
    print(f"rounds: {args.rounds}  machine: {machine['cores']} cores"
          + (f" (load {machine['loadavg_1m_at_start']:.1f} at start)"
             if machine["loadavg_1m_at_start"] is not None else ""))
    rows = [("delay", "dnsperf", "q/s (median, min-max)", "avg latency",
             "lost", "faultd cpu/query")]
    for delay in delays:
        runs = results[delay]
        qps = [r["qps"] for r in runs if r.get("qps")]
        lat = [r["latency_avg"] for r in runs if r.get("latency_avg")]
        per = [r["faultd_cpu"] / r["answered"] * 1e6 for r in runs
               if r.get("faultd_cpu") and r.get("answered")]
        rows.append((
            f"{delay} ms", rig_opts(delay),
            (fmt_int(statistics.median(qps)) +
             (f" ({fmt_int(min(qps))}-{fmt_int(max(qps))})"
              if len(qps) > 1 else "")) if qps else "failed",
            f"{statistics.median(lat) * 1000:.1f} ms" if lat else "-",
            fmt_int(max(r.get("lost") or 0 for r in runs)),
            f"{statistics.median(per):.1f} us" if per else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(widths[i]) if i < 3 else c.rjust(widths[i])
                        for i, c in enumerate(r)).rstrip())
    print("faultd cpu/query: its user+system time per answer; 1e6 / it is "
          "what faultd would answer on a core of its own")
    print()
    return results


# ------------------------------------------------------------------ main

def find_faultd(args):
    """--faultd, $FAULTD, or a build under the repository."""
    if args.faultd:
        return Path(args.faultd)
    if os.environ.get("FAULTD"):
        return Path(os.environ["FAULTD"])
    candidates = [Path(args.blogdom).resolve().parent / "tests" / "faultd"
                  / "faultd"]
    for build in ("release", "faultd", "dev"):
        candidates += [REPO_ROOT / "build" / build / "tests" / "faultd" /
                       "faultd", REPO_ROOT / "build" / build / "faultd"]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    return None


def check_tools(args, keys):
    missing = []
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    progs = []
    if {"a", "b", "c", "d"} & set(keys) or args.rig:
        progs.append(("dnsperf", "dnsperf"))
    if {"a", "c"} & set(keys):
        progs += [("nsd", "nsd"), ("nsd-checkconf", "nsd")]
    for prog, pkg in progs:
        if not shutil.which(prog, path=path):
            missing.append(f"{prog} (package {pkg})")
    if missing:
        raise SetupError("missing: " + ", ".join(missing) +
                         "\n  install with: scripts/bootstrap bench "
                         "(or apt-get install nsd dnsperf)")
    b = Path(args.blogdom)
    if not (b.is_file() and os.access(b, os.X_OK)):
        raise SetupError(f"blogdom binary not found or not executable: {b}\n"
                         "  build it first, or pass --blogdom PATH / set "
                         "BLOGDOM")
    if {"b", "d", "i", *DISTURBANCES} & set(keys) or args.rig:
        f = find_faultd(args)
        if f is None or not (f.is_file() and os.access(f, os.X_OK)):
            raise SetupError(
                "faultd (tests/faultd) not found; build it with\n"
                "  cmake -S tests/faultd -B build/faultd "
                "-DCMAKE_BUILD_TYPE=Release && cmake --build build/faultd\n"
                "  or pass --faultd PATH / set FAULTD")
        args.faultd_path = f.resolve()
    if {"f", "g"} & set(keys) and not READER.is_file():
        raise SetupError(f"the reader {READER} is missing")
    if args.massdns and not shutil.which(args.massdns):
        raise SetupError(f"MASSDNS={args.massdns}: not an executable")
    if "/usr/sbin" not in os.environ.get("PATH", "").split(":"):
        os.environ["PATH"] = path


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="blogdom against servers at a distance: delay, RRL and "
                    "per-client limits; and disturbed: a silent server, a "
                    "paused or slow reader; on loopback (see "
                    "bench/README.md)")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help="a b c d e f g h (default: all eight), and rig: "
                        "faultd's own capacity under dnsperf")
    p.add_argument("--quick", action="store_true",
                   help="small counts, one round, no calibration: a few "
                        "seconds a scenario")
    p.add_argument("--names", type=int, metavar="N",
                   help="names per scenario (default a 1,000,000, b "
                        "100,000, c 200,000, d 20,000, e-h 300,000)")
    p.add_argument("--exist-ratio", type=float, default=0.5, metavar="R",
                   help="fraction of names that exist (default 0.5)")
    p.add_argument("--rounds", type=int, metavar="R",
                   help="interleaved rounds (default 3; 1 with --quick)")
    p.add_argument("--blogdom", metavar="PATH",
                   default=os.environ.get("BLOGDOM") or
                   str(REPO_ROOT / "build" / "release" / "blogdom"),
                   help="blogdom binary (default $BLOGDOM or "
                        "build/release/blogdom)")
    p.add_argument("--faultd", metavar="PATH",
                   help="faultd binary (default $FAULTD, or a build under "
                        "build/)")
    p.add_argument("--delay", type=int, default=50, metavar="MS",
                   help="b: delay of every answer (default 50)")
    p.add_argument("--limit", type=int, default=1000, metavar="QPS",
                   help="d: queries a second per client (default 1000)")
    p.add_argument("--limit-burst", type=int, default=0, metavar="N",
                   help="d: bucket size (default: one second's worth)")
    p.add_argument("--limit-slip", type=int, default=0, metavar="N",
                   help="d: answer every Nth refused query with TC=1 "
                        "(default 0: drop them all)")
    p.add_argument("--rrl", type=int, default=200, metavar="QPS",
                   help="c: NSD rrl-ratelimit (default 200, NSD's own)")
    p.add_argument("--rrl-slip", type=int, default=2, metavar="N",
                   help="c: NSD rrl-slip (default 2, NSD's own)")
    p.add_argument("--tuned", action="append", metavar="'ARGS'",
                   help="c: a hand-tuned blogdom setting to run beside the "
                        "defaults; repeatable (default: "
                        + "; ".join(TUNED_C) + "). Write --tuned='-c 50'")
    p.add_argument("--max-tuned-seconds", type=float, metavar="S",
                   help="c: skip a tuned setting whose --rate makes it take "
                        "longer than S (default 300, 10 with --quick; 0: "
                        "never skip)")
    p.add_argument("--dnsperf-opts", metavar="'OPTS'",
                   help="a: fixed dnsperf options instead of calibrating")
    p.add_argument("--nsd-workers", type=int, default=2, metavar="K",
                   help="NSD server-count (default 2)")
    p.add_argument("--timeout", type=float, metavar="S",
                   help="per-run time limit (default 600 s + 10 ms a name; "
                        "e-h: a disturbed run is stopped at 10 bounds, "
                        "at least 60 s)")
    p.add_argument("--startup-timeout", type=float, metavar="S",
                   help="how long NSD may take to load its zone")
    p.add_argument("--keep", action="store_true",
                   help="keep the work directory and every output")
    p.add_argument("--json", metavar="FILE",
                   help="also write every run's figures as JSON")
    a = p.parse_args(argv)
    a.scenarios = [k for s in a.scenarios for k in s.replace(",", " ").split()]
    for k in a.scenarios:
        if k not in NAMES and k != "rig":
            p.error(f"unknown scenario {k!r} (want a to i, or rig)")
    a.rig = "rig" in a.scenarios
    a.scenarios = [k for k in a.scenarios if k != "rig"]
    if not a.scenarios and not a.rig:
        a.scenarios = sorted(NAMES)
    if a.names is not None and a.names < 1:
        p.error("--names must be at least 1")
    if a.rounds is None:
        a.rounds = 1 if a.quick else 3
    if a.rounds < 1:
        p.error("--rounds must be at least 1")
    if a.limit < 1:
        p.error("--limit must be at least 1")
    a.massdns = os.environ.get("MASSDNS") or None
    a.faultd_path = None
    return a


def main(argv=None):
    args = parse_args(argv)
    check_tools(args, args.scenarios)
    machine = core.machine_info()
    workdir = Path(tempfile.mkdtemp(prefix="blogdom-scenarios-"))
    done = []
    try:
        log(f"work dir {workdir}")
        core.RUNSTAT = core.build_runstat(workdir)
        rig = None
        if args.rig:
            rig = run_rig_capacity(args, workdir, machine)
            sys.stdout.flush()
        for key in args.scenarios:
            kind = Disturbance if key in DISTURBANCES else Scenario
            scn = kind(key, args, workdir, machine)
            try:
                scn.setup()
                scn.run(args.rounds)
            finally:
                scn.teardown()
            scn.summary = scn.print_table(args.rounds)
            sys.stdout.flush()
            done.append(scn)
        distant = [s for s in done if s.key not in DISTURBANCES]
        disturbed = [s for s in done if s.key in DISTURBANCES]
        if len(distant) > 1:
            print_overview(distant)
        if len(disturbed) > 1:
            if distant:
                print()
            print_disturbance_overview(disturbed)
        if args.json:
            write_json(args, machine, done, rig)
    finally:
        if args.keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def print_overview(done):
    """blogdom's defaults across the scenarios, one line each."""
    rows = [("scenario", "names", "blogdom names/s", "ratio", "wall s",
             "? lines", "wrong", "extra q", "peak RSS")]
    for scn in done:
        s = next(x for x in scn.summary if x["label"] == "blogdom")
        ceiling = scn.ceiling(scn.summary)
        rows.append((
            f"{scn.key} {scn.title}", fmt_int(scn.n),
            fmt_int(s["rate_median"]) if "rate_median" in s else "failed",
            f"{s['rate_median'] / ceiling:.2f}"
            if ceiling and "rate_median" in s else "-",
            f"{s['wall_median']:.2f}" if "wall_median" in s else "-",
            fmt_int(s["unanswered_max"]) if "unanswered_max" in s else "-",
            fmt_int(s["wrong_max"]) if "wrong_max" in s else "-",
            fmt_int(s["extra_median"]) if "extra_median" in s else "-",
            core.fmt_bytes_kb(s.get("maxrss_kb")) if s.get("maxrss_kb")
            else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("overview: blogdom with its defaults")
    for r in rows:
        print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                        for i, c in enumerate(r)).rstrip())


def write_json(args, machine, done, rig=None):
    doc = {"machine": machine, "blogdom": str(Path(args.blogdom).resolve()),
           "quick": args.quick, "rounds": args.rounds, "scenarios": [],
           "rig": rig}
    for scn in done:
        doc["scenarios"].append(scn.to_json())
    with open(args.json, "w") as f:
        json.dump(doc, f, indent=2, default=str)
        f.write("\n")
    log(f"wrote {args.json}")


if __name__ == "__main__":
    core.run_main(main, log)
