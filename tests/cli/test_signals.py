"""Interrupts: keep what was answered, nothing half-written, a summary."""

import signal
import subprocess
import time

import pytest

from conftest import BLOGDOM, WRAPPER, loopback_only, without_checks


def start(args):
    loopback_only(args)
    return subprocess.Popen(WRAPPER + [BLOGDOM] + without_checks(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


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
    deadline = time.monotonic() + 30
    while len(f.queries()) < 21:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert out.decode().splitlines() == [f"+ n{i}.dev" for i in range(20)]


def test_interrupt_stops_sending_at_once(faultd, tmp_path):
    f = faultd(["* drop"])
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}\n" for i in range(100000)))
    proc = start(["-s", f.addr, "-f", str(names), "-c", "10",
                  "--timeout", "60000"])
    deadline = time.monotonic() + 30
    while len(f.queries()) < 10:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert out == b""
    time.sleep(0.2)
    assert len(f.queries()) == 10
