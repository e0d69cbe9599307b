#!/usr/bin/env python3
"""The authoritative mode against the recursive one, on one loopback rig.

Inside a private network namespace (nothing but lo: the public root
servers of the built-in hints cannot be reached), NSD instances on port 53
of their own loopback addresses:

    127.0.0.2  the root zone, delegating dev. to 127.0.0.3 and 127.0.0.4
    127.0.0.3  dev.        (N names, every other one exists)
    127.0.0.4  dev.        (the same zone)
    127.0.0.5  ., dev., com.: the same dev. zone, for the recursive mode
               (-s 127.0.0.5 passes vetting: it answers the root zone)
    127.0.0.12 mute.'s only server: a socket that reads nothing (silent)

and blogdom run three ways over the same names:

    recursive            -s 127.0.0.5                    (one NSD)
    authoritative        --root 127.0.0.2 --server-rate 0 (two TLD servers)
    authoritative, polite --root 127.0.0.2 (the default 100 queries a second
                          to each server), on a small share of the names
    a dead zone ahead     --root 127.0.0.2, defaults: D names under mute.
                          and then D under dev., against the D dev. names
                          alone; when the last dev. line came, and the
                          last line of all

Prints names/s, the ratio of the authoritative mode to the recursive one
(measured in the same run), wrong verdicts, '?' lines and peak RSS.

    sudo python3 bench/authbench.py [--count N] [--rounds R] [--blogdom PATH]

Needs root (unshare, port 53), NSD and /usr/bin/time (`scripts/bootstrap
bench` installs what the benchmarks need).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def zone_text(origin, n, glue):
    """dev. with n names; name i exists when i is even."""
    lines = [f"$ORIGIN {origin}.", "$TTL 300",
             f"@ IN SOA ns1.{origin}. host.{origin}. 1 3600 900 604800 300",
             f"@ IN NS ns1.{origin}.", f"@ IN NS ns2.{origin}.",
             f"ns1 IN A {glue[0]}", f"ns2 IN A {glue[1]}"]
    lines += [f"n{i} IN A 192.0.2.{i % 250 + 1}" for i in range(0, n, 2)]
    return "\n".join(lines) + "\n"


ROOT_ZONE = """$ORIGIN .
$TTL 300
@ IN SOA a.root. host.root. 1 3600 900 604800 300
@ IN NS a.root.
a.root. IN A 127.0.0.2
dev. IN NS ns1.dev.
dev. IN NS ns2.dev.
ns1.dev. IN A 127.0.0.3
ns2.dev. IN A 127.0.0.4
com. IN NS a.root.
mute. IN NS ns1.mute.
ns1.mute. IN A 127.0.0.12
"""

COM_ZONE = """$ORIGIN com.
$TTL 300
@ IN SOA a.root. host.root. 1 3600 900 604800 300
@ IN NS a.root.
"""


def nsd_conf(d, addr, zones):
    z = "".join(f"zone:\n  name: {name}\n  zonefile: {path}\n"
                for name, path in zones)
    return f"""server:
  ip-address: {addr}@53
  username: ""
  chroot: ""
  zonesdir: "{d}"
  database: ""
  pidfile: "{d}/nsd.pid"
  zonelistfile: "{d}/zone.list"
  xfrdfile: "{d}/xfrd.state"
  verbosity: 0
  rrl-ratelimit: 0
  server-count: 1
  tcp-count: 200
remote-control:
  control-enable: no
{z}"""


def wait_for(addr):
    q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x03dev\x00\x00\x06\x00\x01")
    end = time.monotonic() + 120
    while time.monotonic() < end:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.3)
            try:
                s.sendto(q, (addr, 53))
                s.recvfrom(512)
                return
            except OSError:
                time.sleep(0.1)
    raise RuntimeError(f"NSD on {addr} did not answer")


def start_rig(work, n):
    names = [f"n{i}.dev" for i in range(n)]
    (work / "names.txt").write_text("\n".join(names) + "\n")
    (work / "root.zone").write_text(ROOT_ZONE)
    (work / "com.zone").write_text(COM_ZONE)
    (work / "dev.zone").write_text(zone_text("dev", n,
                                             ("127.0.0.3", "127.0.0.4")))
    servers = {
        "127.0.0.2": [(".", work / "root.zone")],
        "127.0.0.3": [("dev", work / "dev.zone")],
        "127.0.0.4": [("dev", work / "dev.zone")],
        "127.0.0.5": [(".", work / "root.zone"), ("dev", work / "dev.zone"),
                      ("com", work / "com.zone")],
    }
    procs = []
    nsd = shutil.which("nsd") or "/usr/sbin/nsd"
    for addr, zones in servers.items():
        d = work / addr
        d.mkdir()
        conf = d / "nsd.conf"
        conf.write_text(nsd_conf(d, addr, zones))
        procs.append(subprocess.Popen([nsd, "-d", "-c", str(conf)],
                                      stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
    for addr in servers:
        wait_for(addr)
    return procs


def run_blogdom(blogdom, args, names_file):
    """Runs blogdom and returns (seconds, lines, peak RSS KiB, status). The
    peak is measured by /usr/bin/time, a small parent: a child forked from
    this Python would carry Python's own peak across its exec."""
    out = Path(str(names_file) + ".out")
    rss_file = Path(str(names_file) + ".rss")
    t0 = time.monotonic()
    with open(out, "w") as f:
        proc = subprocess.run(["/usr/bin/time", "-o", str(rss_file), "-f",
                               "%M", blogdom, "-q", "-f", str(names_file)] +
                              args, stdout=f, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - t0
    rss = int(rss_file.read_text().split()[-1])
    return seconds, out.read_text().splitlines(), rss, proc.returncode


def timed_lines(blogdom, args, names_file):
    """Runs blogdom; returns (seconds at its last line under dev., at its
    last line, lines)."""
    t0 = time.monotonic()
    last_dev = 0.0
    lines = []
    with subprocess.Popen([blogdom, "-q", "-f", str(names_file)] + args,
                          stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          text=True) as proc:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.rstrip().endswith(".dev"):
                last_dev = time.monotonic() - t0
    return last_dev, time.monotonic() - t0, lines


def dead_zone(args, work):
    """The dev. names alone, then behind as many names of a dead zone."""
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.12", 53))
    live = [f"n{i}.dev" for i in range(args.dead)]
    alone = work / "live.txt"
    behind = work / "dead-first.txt"
    alone.write_text("\n".join(live) + "\n")
    behind.write_text("".join(f"d{i}.mute\n" for i in range(args.dead)) +
                      "\n".join(live) + "\n")
    flags = ["--root", "127.0.0.2"]
    rows = []
    try:
        for _ in range(args.rounds):
            a_dev, _, a_lines = timed_lines(args.blogdom, flags, alone)
            b_dev, b_all, b_lines = timed_lines(args.blogdom, flags, behind)
            dead_q = sum(1 for x in b_lines if x.startswith("? ") and
                         x.endswith(".mute"))
            rows.append((a_dev, b_dev, b_all, len(a_lines), len(b_lines),
                         dead_q))
    finally:
        silent.close()
    return rows


def judge(lines, n):
    """(wrong verdicts, ? lines) against the zone: n<even> exist."""
    wrong = errors = 0
    for line in lines:
        mark, name = line[:2], line[2:]
        if mark == "? ":
            errors += 1
            continue
        i = int(name[1:].split(".")[0])
        if (mark == "+ ") != (i % 2 == 0):
            wrong += 1
    return wrong, errors


def inside(args):
    names = [x for x in socket.if_nameindex()]
    if [x[1] for x in names] != ["lo"]:
        sys.exit("not in a private network namespace")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    with tempfile.TemporaryDirectory(prefix="bd-auth-") as d:
        work = Path(d)
        procs = start_rig(work, args.count)
        try:
            small = work / "small.txt"
            small.write_text("".join(f"n{i}.dev\n"
                                     for i in range(args.polite)))
            rows = {"recursive": [], "authoritative": []}
            for _ in range(args.rounds):
                for mode, extra in (
                        ("recursive", ["-s", "127.0.0.5"]),
                        ("authoritative", ["--root", "127.0.0.2",
                                           "--server-rate", "0"])):
                    s, lines, rss, code = run_blogdom(args.blogdom, extra,
                                                      work / "names.txt")
                    wrong, errors = judge(lines, args.count)
                    rows[mode].append((args.count / s, s, rss, wrong, errors,
                                       len(lines)))
            s, lines, rss, code = run_blogdom(
                args.blogdom, ["--root", "127.0.0.2"], small)
            wrong, errors = judge(lines, args.polite)
            polite = (args.polite / s, s, rss, wrong, errors, len(lines))
            dead = dead_zone(args, work) if args.dead else []
            print(json.dumps({"rows": rows, "polite": polite,
                              "dead": dead}))
        finally:
            for p in procs:
                p.terminate()
                p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--polite", type=int, default=2000,
                    help="names for the run with the default --server-rate")
    ap.add_argument("--dead", type=int, default=400,
                    help="names of the dead zone, and of dev. behind them "
                    "(0: no such run)")
    ap.add_argument("--blogdom", default=str(ROOT / "build/release/blogdom"))
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside:
        inside(args)
        return
    if os.geteuid() != 0:
        sys.exit("authbench: needs root (a network namespace, port 53)")
    for tool in ("/usr/bin/time", shutil.which("nsd") or "/usr/sbin/nsd"):
        if not os.path.exists(tool):
            sys.exit(f"authbench: {tool} is missing: scripts/bootstrap bench")
    cmd = ["unshare", "--net", "--mount", sys.executable, __file__,
           "--inside", "--count", str(args.count), "--rounds",
           str(args.rounds), "--polite", str(args.polite), "--dead",
           str(args.dead), "--blogdom",
           os.path.abspath(args.blogdom)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr or out.stdout)
    res = json.loads(out.stdout.splitlines()[-1])
    med = {}
    print(f"{args.count:,} names under dev., every other one existing; "
          f"{args.rounds} interleaved rounds")
    print(f"{'mode':<32}{'names/s (median, min-max)':>30}{'wall s':>8}"
          f"{'peak RSS':>10}{'wrong':>7}{'?':>6}")
    for mode, rows in res["rows"].items():
        rates = sorted(r[0] for r in rows)
        mid = sorted(rows, key=lambda r: r[0])[len(rows) // 2]
        med[mode] = rates[len(rates) // 2]
        label = ("recursive, one NSD" if mode == "recursive"
                 else "authoritative, two TLD servers")
        print(f"{label:<32}{med[mode]:>12,.0f} ({rates[0]:,.0f}-"
              f"{rates[-1]:,.0f}){mid[1]:>8.2f}{mid[2] / 1024:>7.1f} MiB"
              f"{sum(r[3] for r in rows):>7}{sum(r[4] for r in rows):>6}")
    p = res["polite"]
    print(f"{'authoritative, default caps':<32}{p[0]:>12,.0f}"
          f"{'':>18}{p[1]:>8.2f}{p[2] / 1024:>7.1f} MiB{p[3]:>7}{p[4]:>6}"
          f"  ({args.polite} names, 100 qps a server)")
    print(f"ratio authoritative / recursive: "
          f"{med['authoritative'] / med['recursive']:.2f}")
    dead = res["dead"]
    if dead:
        print(f"a dead zone ahead ({args.dead} names under mute., then "
              f"{args.dead} under dev.; defaults):")
        for a_dev, b_dev, b_all, a_n, b_n, dead_q in dead:
            print(f"  dev. alone {a_dev:6.2f} s; behind the dead zone "
                  f"{b_dev:6.2f} s (ratio {b_dev / a_dev:.2f}); last line "
                  f"{b_all:6.2f} s; lines {a_n} and {b_n}; mute. '?' "
                  f"{dead_q}")


if __name__ == "__main__":
    main()
