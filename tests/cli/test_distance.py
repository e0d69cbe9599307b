"""Short versions of the distance scenarios of bench/scenarios.py, as
correctness tests: a local NSD, a 50 ms delay on every answer, NSD's
response rate limiting, and a per-client limit of queries a second. Each
checks that every name gets one line, that none is '?', and that every
verdict is the zone's truth. There are no timing thresholds: how fast is
the benchmark's business. Also checks the rig itself (faultd's
--rate-limit, --slip and --stats, and its delay queue)."""

import random
import socket
import struct
import time

import pytest

from conftest import Nsd, dns_query

# Names as the benchmark makes them: e<number> exists, n<number> does not.
ZONE = "bench.test"
NAMES = 2000
# faultd answers like the top of the DNS tree for blogdom's resolver
# checks (apexes exist, random names do not), and like bench.test's zone
# for the names.
APEXES = ("com", "dev", "test")


def make_names(tmp_path, n=NAMES, seed=12):
    """n names, half existing, shuffled; returns (file, {name: exists})."""
    truth = {}
    for i in range(n):
        exists = i < n // 2
        truth[f"{'e' if exists else 'n'}{i:06d}.{ZONE}"] = exists
    names = sorted(truth)
    random.Random(seed).shuffle(names)
    path = tmp_path / "names.txt"
    path.write_text("".join(name + "\n" for name in names))
    return path, truth


def check_verdicts(r, truth):
    """One line per name, no '?', each mark the zone's truth."""
    marks = {}
    for line in r.lines:
        assert line[2:] not in marks, f"two lines for {line[2:]}"
        marks[line[2:]] = line[:2]
    assert set(marks) == set(truth), r.stderr[-2000:]
    unknown = [name for name, mark in marks.items() if mark == "? "]
    assert not unknown, f"{len(unknown)} '?' lines, e.g. {unknown[:5]}\n" + \
        r.stderr[-2000:]
    wrong = [name for name, mark in marks.items()
             if (mark == "+ ") != truth[name]]
    assert not wrong, f"{len(wrong)} wrong verdicts, e.g. {wrong[:5]}"
    assert r.returncode == 0, r.stderr[-2000:]


def rig_rules(delay_ms=0):
    """faultd rules for the names of make_names, each delayed delay_ms."""
    delay = f",delay={delay_ms}" if delay_ms else ""
    rules = [f"{apex} nodata{delay}" for apex in APEXES]
    rules.append(f"e*.{ZONE} a=192.0.2.1{delay}")
    return rules, f"nxdomain{delay}"


def read_stats(path):
    counts = {}
    for line in path.read_text().splitlines():
        key, value = line.split()
        counts[key] = int(value)
    return counts


# ---- zones for NSD ----------------------------------------------------------

SOA = "@ IN SOA ns.test. hostmaster.test. 1 3600 900 604800 300\n" \
      "@ IN NS ns.test.\n"


def write_zones(tmp_path, truth):
    """The root, com., dev., test. and bench.test. zones: enough of the
    tree for blogdom's resolver checks, and the names' truth."""
    d = tmp_path / "zones"
    d.mkdir()
    (d / "root.zone").write_text(
        "$ORIGIN .\n$TTL 300\n" + SOA +
        "".join(f"{apex}. IN NS ns.test.\n" for apex in APEXES) +
        "ns.test. IN A 127.0.0.1\n")
    for apex in ("com", "dev"):
        (d / f"{apex}.zone").write_text(f"$ORIGIN {apex}.\n$TTL 300\n" + SOA)
    (d / "test.zone").write_text(
        "$ORIGIN test.\n$TTL 300\n" + SOA +
        "bench IN NS ns.bench\nns.bench IN A 127.0.0.1\n")
    (d / f"{ZONE}.zone").write_text(
        f"$ORIGIN {ZONE}.\n$TTL 300\n" + SOA +
        "".join(f"{name.split('.')[0]} IN A 192.0.2.1\n"
                for name, exists in truth.items() if exists))
    return sorted(d.glob("*.zone"))


class RrlNsd(Nsd):
    """NSD with its default response rate limiting: 200 answers a second
    per class of answer and source /24, every 2nd answer over the limit
    truncated (slip), the rest dropped. All NXDOMAIN answers of a zone are
    one class; each name's positive answer is its own. TCP is not
    limited."""

    def config(self, port):
        conf = super().config(port)
        assert "rrl-ratelimit: 0\n" in conf
        return conf.replace("rrl-ratelimit: 0\n",
                            "rrl-ratelimit: 200\n  rrl-slip: 2\n")


@pytest.fixture
def nsd_server(tmp_path):
    started = []

    def start(kind, truth):
        workdir = tmp_path / f"nsd{len(started)}"
        workdir.mkdir()
        server = kind(workdir, write_zones(workdir, truth),
                      addrs=("127.0.0.1",)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


# ---- the scenarios, short ---------------------------------------------------


def test_local_nsd(run, nsd_server, tmp_path):
    names, truth = make_names(tmp_path)
    server = nsd_server(Nsd, truth)
    check_verdicts(run("-s", server.v4, "-f", names), truth)


def test_every_answer_50_ms_away(run, faultd, tmp_path):
    names, truth = make_names(tmp_path)
    rules, default = rig_rules(delay_ms=50)
    f = faultd(rules, default=default)
    check_verdicts(run("-s", f.addr, "-f", names, checks=True), truth)


def test_nsd_response_rate_limiting(run, nsd_server, tmp_path):
    # 1000 NXDOMAIN answers at 200/s: most queries for a missing name are
    # dropped or truncated the first time.
    names, truth = make_names(tmp_path)
    server = nsd_server(RrlNsd, truth)
    check_verdicts(run("-s", server.v4, "-f", names), truth)


def test_per_client_limit(run, faultd, tmp_path):
    # 2000 names against 1000 queries a second: about half are dropped at
    # first, and answered when asked again.
    names, truth = make_names(tmp_path)
    rules, default = rig_rules()
    stats = tmp_path / "faultd.stats"
    f = faultd(rules, default=default,
               extra=["--rate-limit", "1000", "--stats", str(stats)])
    check_verdicts(run("-s", f.addr, "-f", names, checks=True), truth)
    f.stop()
    counts = read_stats(stats)
    assert counts["answered"] >= NAMES, counts
    assert counts["queries"] == counts["answered"] + counts["limited"]


# ---- the rig ----------------------------------------------------------------


def udp_burst(port, names, wait=0.5):
    """Sends one query per name from one socket, all at once, then reads
    replies for `wait` seconds; returns {id: flags}."""
    replies = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for qid, name in enumerate(names):
            s.sendto(dns_query(name, qid), ("127.0.0.1", port))
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0:
            s.settimeout(left)
            try:
                msg = s.recv(4096)
            except socket.timeout:
                break
            qid, flags = struct.unpack(">HH", msg[:4])
            replies[qid] = flags
    return replies


def tcp_ask(port, name, qid=7):
    """One query over TCP; returns the reply's flags."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        q = dns_query(name, qid)
        s.sendall(struct.pack(">H", len(q)) + q)
        head = s.recv(2, socket.MSG_WAITALL)
        msg = s.recv(struct.unpack(">H", head)[0], socket.MSG_WAITALL)
    return struct.unpack(">H", msg[2:4])[0]


TC = 0x0200


def test_rig_limits_each_source_and_slips(faultd, tmp_path):
    stats = tmp_path / "faultd.stats"
    f = faultd(["*.dev a=192.0.2.1"],
               extra=["--rate-limit", "10", "--rate-burst", "20",
                      "--slip", "2", "--stats", str(stats)])
    replies = udp_burst(f.port, [f"q{i}.dev" for i in range(100)])
    full = [q for q, flags in replies.items() if not flags & TC]
    truncated = [q for q, flags in replies.items() if flags & TC]
    # The bucket's 20 tokens, maybe one more refilled during the burst;
    # of the rest, every second one slips.
    assert 20 <= len(full) <= 22, sorted(full)
    assert len(truncated) == (100 - len(full)) // 2
    # The first queries took the tokens.
    assert set(range(20)) <= set(full)
    # TCP is not limited.
    assert not tcp_ask(f.port, "t.dev") & TC
    f.stop()
    counts = read_stats(stats)
    assert counts["udp"] == 100 and counts["tcp"] == 1
    assert counts["answered"] == len(full) + 1
    assert counts["slipped"] == len(truncated)
    assert counts["limited"] == 100 - len(full) - len(truncated)
    log = [q[5] for q in f.queries()]
    assert log.count("slipped") == len(truncated)
    assert log.count("limited") == counts["limited"]


def test_rig_delays_keep_due_order_across_lanes(faultd):
    # Three delays, three FIFO lanes in faultd: the answers must still
    # leave in order of due time, not of arrival.
    f = faultd(["slow.dev delay=300", "mid.dev delay=150",
                "fast.dev delay=10"])
    order = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(3)
        for qid, name in enumerate(["slow.dev", "mid.dev", "fast.dev",
                                    "slow.dev", "fast.dev"]):
            s.sendto(dns_query(name, qid), ("127.0.0.1", f.port))
        for _ in range(5):
            order.append(struct.unpack(">H", s.recv(4096)[:2])[0])
    assert order == [2, 4, 1, 0, 3]
