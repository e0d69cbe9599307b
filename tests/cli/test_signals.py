"""Interrupts: keep what was answered, nothing half-written, a summary;
at once, whatever the reader of stdout does."""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BLOGDOM, WRAPPER, loopback_only, without_checks


def start(args):
    loopback_only(args)
    return subprocess.Popen(WRAPPER + [BLOGDOM] + without_checks(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def signal_once_asked(f, proc, count, signum, settle=0.3):
    """Sends signum to proc once f has seen count queries, and settle
    seconds more for their answers; returns (stdout, stderr)."""
    deadline = time.monotonic() + 30
    while len(f.queries()) < count:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(settle)
    proc.send_signal(signum)
    return proc.communicate(timeout=30)


@pytest.mark.parametrize("signum,status", [(signal.SIGINT, 130),
                                           (signal.SIGTERM, 143)])
def test_interrupt_keeps_answered_lines(faultd, tmp_path, signum, status):
    f = faultd(["fast* answer", "slow* drop"])
    names = tmp_path / "names.txt"
    names.write_text("".join(f"fast{i}\nslow{i}\n" for i in range(50)))
    proc = start(["-s", f.addr, "-f", str(names), "--timeout", "60000"])
    # Wait until every fast name is in: the slow ones never answer.
    deadline = time.monotonic() + 30
    while sum(1 for q in f.queries() if q[2].startswith("fast")) < 50:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == status
    lines = out.decode().splitlines()
    assert out.endswith(b"\n")
    assert sorted(lines) == sorted(f"+ fast{i}.dev" for i in range(50))
    summary = err.decode().strip().splitlines()
    assert len(summary) == 1
    assert "50 names answered" in summary[0]
    assert "50 in flight not answered" in summary[0]


def test_interrupt_in_input_order_keeps_held_lines_in_order(faultd,
                                                            tmp_path):
    f = faultd(["slow0.dev drop", "* answer"])
    names = tmp_path / "names.txt"
    names.write_text("slow0\n" + "".join(f"n{i}\n" for i in range(20)))
    proc = start(["-s", f.addr, "-f", str(names), "--timeout", "60000",
                  "--order=input"])
    out, _ = signal_once_asked(f, proc, 21, signal.SIGINT)
    assert proc.returncode == 130
    assert out.decode().splitlines() == [f"+ n{i}.dev" for i in range(20)]


def test_interrupt_stops_sending_at_once(faultd, tmp_path):
    f = faultd(["* drop"])
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}\n" for i in range(100000)))
    proc = start(["-s", f.addr, "-f", str(names), "-c", "10",
                  "--timeout", "60000"])
    out, _ = signal_once_asked(f, proc, 10, signal.SIGTERM, settle=0)
    assert proc.returncode == 143
    assert out == b""
    time.sleep(0.2)
    assert len(f.queries()) == 10


def test_quiet_interrupt_says_nothing(faultd, tmp_path):
    f = faultd(["fast* answer", "slow* drop"])
    names = tmp_path / "names.txt"
    names.write_text("fast0\nslow0\n")
    proc = start(["-s", f.addr, "-f", str(names), "--timeout", "60000",
                  "-q"])
    out, err = signal_once_asked(f, proc, 2, signal.SIGINT)
    assert proc.returncode == 130
    assert out == b"+ fast0.dev\n"
    assert err == b""


PAD = "x" * 55
SUMMARY = re.compile(r"blogdom: interrupted by SIG(INT|TERM): (\d+) names "
                     r"answered, \d+ in flight not answered, (\d+) of their "
                     r"lines not written \(standard output was full\)$")


# 100000 names: stopped while the full stdout holds new names back; 3000:
# stopped once every name is answered and only the lines wait.
@pytest.mark.parametrize("signum,status,count", [
    (signal.SIGINT, 130, 100000), (signal.SIGTERM, 143, 100000),
    (signal.SIGINT, 130, 3000)])
def test_interrupt_while_the_reader_never_reads(faultd, piped, tmp_path,
                                                signum, status, count):
    f = faultd(default="answer")
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}-{PAD}\n" for i in range(count)))
    p = piped("-s", f.addr, "-f", names)
    # Once more names were asked than the pipe holds lines (a pipe buffer
    # holds some 900), and then no more: the pipe is full, and the run
    # waits for its reader (with its names, or only with its lines). A
    # blogdom that blocked in write(2) would stop there too, for good.
    deadline = time.monotonic() + 60
    asked = -1
    while asked < 1000 or len(f.queries()) != asked:
        assert time.monotonic() < deadline
        asked = len(f.queries())
        time.sleep(0.5)
    p.proc.send_signal(signum)
    _, err = p.proc.communicate(timeout=30)
    assert p.proc.returncode == status
    assert not p.shared_flags() & os.O_NONBLOCK
    data = p.read_now()
    summary = err.decode().splitlines()
    assert len(summary) == 1, err
    m = SUMMARY.match(summary[0])
    assert m, summary[0]
    answered, dropped = int(m.group(2)), int(m.group(3))
    assert dropped > 0
    # What went out: answered names' lines, whole, each once; a line can
    # be cut only at the end, where the pipe filled before the signal, and
    # it counts as not written.
    whole = data[:data.rfind(b"\n") + 1].decode().splitlines()
    assert len(whole) + dropped == answered
    assert len(set(whole)) == len(whole)
    assert all(re.fullmatch(rf"\+ n\d+-{PAD}\.dev", line) for line in whole)
