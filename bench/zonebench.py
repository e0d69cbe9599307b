#!/usr/bin/env python3
"""--zone against DNS: a TLD's zone file judges names with no query.

A synthetic zone in the layout the zone services publish (one record a
line, absolute names, two to four NS a delegation, gzip), with D
delegations n0, n2, n4, ... (every even number below 2D). Then:

    index build   blogdom --zone ZONE on one name, with an empty cache:
                  records read a second, the index's size a delegation
    zone          M names n0..n(M-1) (half in the zone), judged by the
                  index, lines to a file: names/s, peak RSS
    DNS           the same names by --authoritative against NSD serving a
                  zone of the same layout that holds every even name below
                  M (a root NSD delegating dev. to it, inside a private
                  network namespace: nothing but loopback)

Prints the figures, the ratio of the zone's names/s to DNS's (measured in
the same run), and whether every line of the two runs is the same.

    sudo python3 bench/zonebench.py [--delegations D] [--names M]
                                    [--rounds R] [--work DIR]

The zone files are kept in --work between runs (writing ten million
delegations takes a minute). Needs root (unshare, port 53), NSD, gzip and
/usr/bin/time (`scripts/bootstrap bench`).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from authbench import ROOT_ZONE, nsd_conf, run_blogdom, wait_for  # noqa: E402

ROOT = HERE.parent
SERIAL = 2026120301
# authbench's root: dev. delegated to 127.0.0.3 and 127.0.0.4, both of
# which serve the zone here too.
TLD_SERVERS = ("127.0.0.3", "127.0.0.4")


def write_zone(path, delegations, gz, glue=None):
    """The zone, a chunk of lines at a time; returns its record count.
    glue: the addresses of its name servers ns1.dev, ns2.dev, ..."""
    lines = [f"dev.\t86400\tin\tsoa\tns1.dev. hostmaster.dev. {SERIAL} "
             "1800 900 604800 86400"]
    for k, addr in enumerate(glue or ("",)):
        lines.append(f"dev.\t172800\tin\tns\tns{k + 1}.dev.")
        if addr:
            lines.append(f"ns{k + 1}.dev.\t172800\tin\ta\t{addr}")
    records = len(lines)
    cmd = ["gzip", "-1", "-c"] if gz else ["cat"]
    with open(path, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out)
        proc.stdin.write(("\n".join(lines) + "\n").encode())
        for start in range(0, delegations, 100_000):
            chunk = []
            for j in range(start, min(start + 100_000, delegations)):
                name = f"n{2 * j}.dev."
                for k in range(2 + j % 3):
                    chunk.append(f"{name}\t86400\tin\tns\t"
                                 f"ns{k}.h{j % 1000}.example.\n")
            records += len(chunk)
            proc.stdin.write("".join(chunk).encode())
        proc.stdin.close()
        if proc.wait() != 0:
            sys.exit("zonebench: writing the zone failed")
    return records


def prepare(work, delegations, names):
    """The zone files and the names, made once per size."""
    work.mkdir(parents=True, exist_ok=True)
    zone = work / f"dev-{delegations}.zone.gz"
    meta = work / f"dev-{delegations}.records"
    if not zone.exists() or not meta.exists():
        print(f"writing {zone} ...", file=sys.stderr)
        meta.write_text(str(write_zone(zone, delegations, True)))
    dns_zone = work / f"dev-dns-{names}.zone"
    if not dns_zone.exists():
        write_zone(dns_zone, (names + 1) // 2, False, glue=TLD_SERVERS)
    names_file = work / f"names-{names}.txt"
    if not names_file.exists():
        names_file.write_text("".join(f"n{i}.dev\n" for i in range(names)))
    return zone, int(meta.read_text()), dns_zone, names_file


def wrong_lines(lines):
    """Lines that are not what the zone holds: n<even> exist."""
    wrong = 0
    for line in lines:
        i = int(line[3:].split(".")[0])
        if line[:2] != ("+ " if i % 2 == 0 else "  "):
            wrong += 1
    return wrong


def zone_runs(args, zone, names_file):
    env_cache = Path(args.work) / "cache"
    os.environ["XDG_CACHE_HOME"] = str(env_cache)
    shutil.rmtree(env_cache, ignore_errors=True)
    one = Path(args.work) / "one.txt"
    one.write_text("n0.dev\n")
    common = ["--trust-resolver", "--no-progress", "-s", "127.0.0.1:9",
              "--zone", str(zone)]
    build = run_blogdom(args.blogdom, common, one)
    index = next((env_cache / "blogdom").glob("zone-*.idx"))
    runs = [run_blogdom(args.blogdom, common, names_file)
            for _ in range(args.rounds)]
    return build, index.stat().st_size, runs


def dns_run_inside(args):
    if [x[1] for x in socket.if_nameindex()] != ["lo"]:
        sys.exit("not in a private network namespace")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    work = Path(args.work) / "rig"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    (work / "root.zone").write_text(ROOT_ZONE)
    servers = {"127.0.0.2": [(".", work / "root.zone")]}
    for addr in TLD_SERVERS:
        servers[addr] = [("dev", Path(args.dns_zone))]
    procs = []
    nsd = shutil.which("nsd") or "/usr/sbin/nsd"
    try:
        for addr, zones in servers.items():
            d = work / addr
            d.mkdir()
            (d / "nsd.conf").write_text(nsd_conf(d, addr, zones))
            procs.append(subprocess.Popen([nsd, "-d", "-c",
                                           str(d / "nsd.conf")],
                                          stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
        for addr in servers:
            wait_for(addr)
        rows = []
        for _ in range(args.rounds):
            s, lines, rss, code = run_blogdom(
                args.blogdom, ["--root", "127.0.0.2", "--server-rate", "0",
                               "--no-progress"], Path(args.names_file))
            rows.append((s, rss, code, sorted(lines)))
        print(json.dumps(rows))
    finally:
        for p in procs:
            p.terminate()
            p.wait()


def median_run(runs):
    return sorted(runs, key=lambda r: r[0])[len(runs) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--delegations", type=int, default=10_000_000)
    ap.add_argument("--names", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", default="/tmp/blogdom-zonebench")
    ap.add_argument("--blogdom", default=str(ROOT / "build/release/blogdom"))
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dns-zone", help=argparse.SUPPRESS)
    ap.add_argument("--names-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.blogdom = os.path.abspath(args.blogdom)
    if args.inside:
        dns_run_inside(args)
        return
    if os.geteuid() != 0:
        sys.exit("zonebench: needs root (a network namespace, port 53)")
    for tool in ("/usr/bin/time", shutil.which("nsd") or "/usr/sbin/nsd",
                 shutil.which("gzip") or "/bin/gzip"):
        if not os.path.exists(tool):
            sys.exit(f"zonebench: {tool} is missing: scripts/bootstrap bench")
    zone, records, dns_zone, names_file = prepare(
        Path(args.work), args.delegations, args.names)
    build, index_bytes, runs = zone_runs(args, zone, names_file)
    out = subprocess.run(
        ["unshare", "--net", "--mount", sys.executable, __file__, "--inside",
         "--rounds", str(args.rounds), "--work", args.work, "--blogdom",
         args.blogdom, "--dns-zone", str(dns_zone), "--names-file",
         str(names_file)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr or out.stdout)
    dns = json.loads(out.stdout.splitlines()[-1])

    zone_mb = zone.stat().st_size / 2**20
    print(f"zone: {args.delegations:,} delegations, {records:,} records, "
          f"{zone_mb:,.0f} MiB gzip; {args.names:,} names, half in it; "
          f"{args.rounds} rounds")
    print(f"index build      {build[0]:8.2f} s  {records / build[0]:>12,.0f} "
          f"records/s  peak RSS {build[2] / 1024:,.0f} MiB")
    print(f"index size       {index_bytes / 2**20:8.1f} MiB "
          f"{index_bytes / args.delegations:>8.2f} bytes a delegation")
    z = median_run(runs)
    zone_rate = args.names / z[0]
    print(f"zone             {z[0]:8.2f} s  {zone_rate:>12,.0f} names/s  "
          f"peak RSS {z[2] / 1024:,.1f} MiB ({(z[2] * 1024 - index_bytes) / 2**20:,.1f}"
          f" MiB besides the mapped index), wrong {wrong_lines(z[1])}")
    d = sorted(dns, key=lambda r: r[0])[len(dns) // 2]
    dns_rate = args.names / d[0]
    print(f"DNS (-A, NSD)    {d[0]:8.2f} s  {dns_rate:>12,.0f} names/s  "
          f"peak RSS {d[1] / 1024:,.1f} MiB, wrong {wrong_lines(d[3])}")
    print(f"ratio zone / DNS: {zone_rate / dns_rate:.1f}")
    same = all(sorted(r[1]) == d[3] for r in runs)
    print(f"every line the same in both: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
