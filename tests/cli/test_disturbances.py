"""Short versions of the disturbance scenarios of bench/scenarios.py, as
correctness tests: a server that falls silent for a while (half a second
and two seconds) a third of the way in, a reader of blogdom's output that
stops reading for two seconds, one that reads slowly, and two servers of
which the first falls silent. A silence is not a rate limit and a slow
reader is not a slow server: after either, blogdom must go on and give
every name its line. Each test checks that every name gets exactly one
line, that none is '?', that every verdict is what faultd answers, and
that blogdom exits 0. There are no timing thresholds, only a generous
limit on each run; how fast is the benchmark's business. Also checks the
rig itself (faultd's --silence)."""

import os
import re
import socket
import struct
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from conftest import (BLOGDOM, FAULTD, HERE, WRAPPER, dns_query, loopback_only,
                      terminate)
# The names, the rig's rules and the verdict check of the distance
# scenarios: the same names and the same truth.
from test_distance import ZONE, check_verdicts, make_names, read_stats, rig_rules

# Under valgrind blogdom is 20-50 times slower: fewer names keep a run
# within seconds there too. The disturbances stay as long.
NAMES = 5_000 if WRAPPER else 20_000
# A limit for stuck runs only: a run on a sound blogdom takes seconds.
RUN_TIMEOUT = 120
READER = HERE / "reader.py"


def run_blogdom(tmp_path, servers, names, reader=None, extra=(),
                run_timeout=RUN_TIMEOUT):
    """blogdom -s SERVER... -f NAMES EXTRA..., its stdout to a file, or
    through reader.py with the options in `reader` (a list) to that file.
    Returns the run's exit status, lines, stderr and seconds, and whether
    it hit run_timeout (then it was stopped, and its lines are those it
    wrote)."""
    args = list(extra)
    for server in servers:
        args += ["-s", server.addr]
    args += ["-f", str(names)]
    loopback_only(args)
    out = tmp_path / "out.txt"
    err = tmp_path / "err.txt"
    reader_proc = None
    start = time.monotonic()
    with open(err, "wb") as fe:
        if reader is None:
            sink = open(out, "wb")
            stdout = sink.fileno()
        else:
            rfd, stdout = os.pipe()
            reader_proc = subprocess.Popen(
                [sys.executable, str(READER), str(out)] + reader, stdin=rfd)
            os.close(rfd)
        try:
            proc = subprocess.Popen(WRAPPER + [BLOGDOM] + args,
                                    stdin=subprocess.DEVNULL, stdout=stdout,
                                    stderr=fe)
        finally:
            # The reader sees the end of its input once blogdom exits.
            if reader is None:
                sink.close()
            else:
                os.close(stdout)
        timed_out = False
        try:
            proc.wait(run_timeout)
        except subprocess.TimeoutExpired:
            # SIGTERM first: blogdom's summary says how far it got.
            timed_out = True
            terminate(proc)
        if reader_proc is not None:
            assert reader_proc.wait(30) == 0, "reader.py failed"
    run = SimpleNamespace(
        returncode=proc.returncode, seconds=time.monotonic() - start,
        timed_out=timed_out, run_timeout=run_timeout,
        lines=out.read_text(errors="replace").splitlines(),
        stderr=err.read_text(errors="replace"))
    if WRAPPER:
        assert run.returncode != 99, "memory errors:\n" + run.stderr
    return run


def check_run(run, truth):
    """check_verdicts, after saying how far a run that timed out got."""
    if run.timed_out:
        unknown = sum(1 for line in run.lines if line.startswith("? "))
        pytest.fail(f"no end after {run.run_timeout} s: {len(run.lines):,} of "
                    f"{len(truth):,} lines ({unknown:,} '?')\n"
                    + run.stderr[-2000:])
    check_verdicts(run, truth)


def rig(faultd, tmp_path, tag, silence=None):
    """faultd as the scenarios' rig, silent as `silence` ("AFTER:MS") says;
    returns (server, its --stats file)."""
    stats = tmp_path / f"{tag}.stats"
    extra = ["--stats", str(stats)]
    if silence:
        extra += ["--silence", silence]
    rules, default = rig_rules()
    return faultd(rules, default=default, extra=extra), stats


def silenced(server, stats):
    """Stops the server; how many queries it left unanswered."""
    server.stop()
    return read_stats(stats)["silenced"]


# ---- the scenarios, short ---------------------------------------------------


@pytest.mark.parametrize("ms", [500, 2000])
def test_server_falls_silent_a_third_of_the_way(faultd, tmp_path, ms):
    names, truth = make_names(tmp_path, NAMES)
    server, stats = rig(faultd, tmp_path, "rig", f"{NAMES // 3}:{ms}")
    check_run(run_blogdom(tmp_path, [server], names), truth)
    # The rig did fall silent: the test tests what it says.
    assert silenced(server, stats) > 0


def test_reader_stops_reading_for_two_seconds(faultd, tmp_path):
    names, truth = make_names(tmp_path, NAMES)
    server, _ = rig(faultd, tmp_path, "rig")
    check_run(run_blogdom(tmp_path, [server], names,
                          reader=["--pause-after", str(NAMES // 3),
                                  "--pause", "2"]), truth)


def test_reader_reads_slowly(faultd, tmp_path):
    # Two seconds of reading, far slower than blogdom answers.
    names, truth = make_names(tmp_path, NAMES)
    server, _ = rig(faultd, tmp_path, "rig")
    check_run(run_blogdom(tmp_path, [server], names,
                          reader=["--rate", str(NAMES // 2)]), truth)


def test_first_of_two_servers_falls_silent(faultd, tmp_path):
    # blogdom spreads its queries over both servers, so a third of the
    # way in is about a sixth of the names at the first one.
    names, truth = make_names(tmp_path, NAMES)
    first, stats = rig(faultd, tmp_path, "first", f"{NAMES // 6}:2000")
    second, _ = rig(faultd, tmp_path, "second")
    check_run(run_blogdom(tmp_path, [first, second], names), truth)
    assert silenced(first, stats) > 0


def test_lost_queries_go_again_before_their_timeout(faultd, tmp_path):
    # A tenth of the names, scattered through the list, lose their first
    # query. Each try may wait a minute; the run may take half that, so it
    # ends only if the answers to later queries show those lost and their
    # names are asked again at once.
    names, truth = make_names(tmp_path, NAMES)
    rules, default = rig_rules()
    rules = [f"{mark}*7.{ZONE} {act},drop-first=1"
             for mark, act in (("e", "a=192.0.2.1"), ("n", "nxdomain"))] + rules
    server = faultd(rules, default=default)
    run = run_blogdom(tmp_path, [server], names,
                      extra=["--timeout", "60000", "--stats"], run_timeout=30)
    check_run(run, truth)
    lost = re.search(r"(\d+) found lost early", run.stderr)
    assert lost and int(lost.group(1)) >= NAMES // 10, run.stderr[-2000:]


# ---- the rig ----------------------------------------------------------------


def udp_ask(port, name, qid, wait):
    """One query over UDP; the reply's ID, or None after `wait` seconds."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(wait)
        s.sendto(dns_query(name, qid), ("127.0.0.1", port))
        try:
            return struct.unpack(">H", s.recv(4096)[:2])[0]
        except socket.timeout:
            return None


def tcp_ask(port, name, qid, wait):
    """One query over TCP; the reply's ID, or None after `wait` seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        q = dns_query(name, qid)
        s.sendall(struct.pack(">H", len(q)) + q)
        s.settimeout(wait)
        try:
            head = s.recv(2, socket.MSG_WAITALL)
            msg = s.recv(struct.unpack(">H", head)[0], socket.MSG_WAITALL)
        except socket.timeout:
            return None
    return struct.unpack(">H", msg[:2])[0]


def test_rig_falls_silent_once(faultd, tmp_path):
    stats = tmp_path / "faultd.stats"
    f = faultd(["*.dev a=192.0.2.1"],
               extra=["--silence", "3:1500", "--stats", str(stats)])
    # Three queries are answered; the fourth starts 1.5 s of silence, in
    # which nothing is answered, over UDP or TCP.
    assert [udp_ask(f.port, f"q{i}.dev", i, 2) for i in range(3)] == [0, 1, 2]
    began = time.monotonic()
    assert udp_ask(f.port, "q3.dev", 3, 0.2) is None
    assert udp_ask(f.port, "q4.dev", 4, 0.2) is None
    assert tcp_ask(f.port, "q5.dev", 5, 0.2) is None
    time.sleep(max(0.0, began + 1.7 - time.monotonic()))
    # Then faultd answers again, and nothing queued comes late.
    assert udp_ask(f.port, "q6.dev", 6, 2) == 6
    assert tcp_ask(f.port, "q7.dev", 7, 2) == 7
    f.stop()
    counts = read_stats(stats)
    assert counts["queries"] == 8 and counts["tcp"] == 2, counts
    assert counts["answered"] == 5 and counts["silenced"] == 3, counts
    log = [q[5] for q in f.queries()]
    assert log == ["answered"] * 3 + ["silenced"] * 3 + ["answered"] * 2


@pytest.mark.parametrize("spec", ["5", "5:0", ":5", "5:3600001", "x:5"])
def test_rig_refuses_a_bad_silence(spec):
    proc = subprocess.run([FAULTD, "--silence", spec], capture_output=True,
                          timeout=10)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith(f"faultd: --silence {spec}:")


def test_rig_takes_one_silence_only():
    proc = subprocess.run([FAULTD, "--silence", "1:5", "--silence", "2:5"],
                          capture_output=True, timeout=10)
    assert proc.returncode == 2
    assert b"--silence given twice" in proc.stderr
