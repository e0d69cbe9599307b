"""Output in a shell: pipes, head, readers that pause or crawl, escaping,
JSON lines, stats."""

import json
import os
import subprocess
import threading

import pytest

from conftest import BLOGDOM, WRAPPER

# A label long enough that 3000 lines are three pipe buffers: the pipe is
# full long before a paused reader reads.
PAD = "x" * 55


def padded_names(tmp_path, count):
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}-{PAD}\n" for i in range(count)))
    return names


def expected_line(i):
    """Even names exist, odd ones do not (the rules of padded_faultd)."""
    return f"{'+ ' if i % 2 == 0 else '  '}n{i}-{PAD}.dev"


def padded_faultd(faultd):
    return faultd([f"n*[02468]-{PAD}.dev answer"], default="nxdomain")


def read_in_background(piped_run, **how):
    """Reads blogdom's stdout in a thread; returns the thread and a dict
    that gets "data" when the pipe ends."""
    got = {}
    thread = threading.Thread(
        target=lambda: got.update(data=piped_run.read(**how)))
    thread.start()
    return thread, got


def finish(piped_run, thread, timeout=120):
    """Waits for blogdom, then for the reader; returns blogdom's stderr
    and whether the description it shared was left non-blocking."""
    _, err = piped_run.proc.communicate(timeout=timeout)
    nonblocking = bool(piped_run.shared_flags() & os.O_NONBLOCK)
    piped_run.close_write()
    thread.join(timeout)
    assert not thread.is_alive()
    return (err or b"").decode(), nonblocking


def test_a_paused_reader_costs_no_try(faultd, piped, tmp_path):
    # Today's pager or a slow filter: nothing read for 3 s. Answers are
    # still read in the meantime, so no try times out and none is sent
    # again; the names wait in the input, and every line comes once.
    f = padded_faultd(faultd)
    p = piped("-s", f.addr, "-f", padded_names(tmp_path, 3000), "--stats")
    thread, got = read_in_background(p, pause=3)
    err, nonblocking = finish(p, thread)
    assert p.proc.returncode == 0
    assert sorted(got["data"].decode().splitlines()) == \
        sorted(expected_line(i) for i in range(3000))
    summary = err.splitlines()
    assert len(summary) == 1, err
    assert "1500 found, 1500 notfound, 0 error" in summary[0]
    assert "3000 queries, 0 retries, 0 timeouts" in summary[0]
    # The file description blogdom shared with us is blocking again.
    assert not nonblocking


@pytest.mark.parametrize("mode", ["--order=input", "--json"])
def test_a_slow_reader_gets_every_line(faultd, piped, tmp_path, mode):
    f = padded_faultd(faultd)
    p = piped("-s", f.addr, "-f", padded_names(tmp_path, 3000), mode)
    thread, got = read_in_background(p, size=4096, nap=0.005)
    _, nonblocking = finish(p, thread)
    assert p.proc.returncode == 0
    lines = got["data"].decode().splitlines()
    if mode == "--order=input":
        assert lines == [expected_line(i) for i in range(3000)]
    else:
        rows = sorted((json.loads(line) for line in lines),
                      key=lambda row: int(row["name"][1:].split("-")[0]))
        assert [(row["name"], row["status"]) for row in rows] == \
            [(f"n{i}-{PAD}.dev", "found" if i % 2 == 0 else "notfound")
             for i in range(3000)]
    assert not nonblocking


def test_head_ends_the_run_quietly(nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}\n" for i in range(20000)))
    cmd = " ".join(WRAPPER + [BLOGDOM, "-s", nsd.v4, "-f", str(names)]) + \
        " | head -1; echo \"status=${PIPESTATUS[0]}\""
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True,
                       timeout=60)
    out = r.stdout.splitlines()
    assert len(out) == 2
    assert out[0].startswith("  n")
    assert out[1] == "status=141"
    assert r.stderr == ""


def test_control_bytes_are_escaped_everywhere(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_bytes(b"\x1b]0;owned\x07\nsp ace\nnul\x00byte\n"
                      b"caf\xc3\xa9\nbidi\xe2\x80\xaeved\n\xff\xfe\n")
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert r.lines == ["? \\x1b]0;owned\\x07.dev", "? sp\\x20ace.dev",
                       "? nul\\x00byte.dev", "  caf\u00e9.dev",
                       "? bidi\\xe2\\x80\\xaeved.dev", "? \\xff\\xfe.dev"]
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert "\u202e" not in r.stderr
    # Five invalid names, one reason each; café is a valid IDN name.
    assert len(r.stderr.splitlines()) == 5
    for line in r.stderr.splitlines():
        assert line.isprintable()


def test_json_lines_parse_and_carry_the_detail(run, nsd):
    r = run("-s", nsd.v4, "--json", "--order=input", "and", "none",
            "a\x01b")
    rows = [json.loads(line) for line in r.lines]
    assert [(x["name"], x["status"]) for x in rows] == [
        ("and.dev", "found"), ("none.dev", "notfound"),
        ("a\\x01b.dev", "error")]
    assert rows[0]["rcode"] == "NOERROR"
    assert rows[0]["addresses"] == ["192.0.2.1"]
    assert rows[1]["rcode"] == "NXDOMAIN"
    assert rows[2]["reason"] == "invalid-name"
    assert rows[2]["detail"] == "control character in name"
    assert rows[2]["rcode"] is None and rows[2]["tries"] == 0


def test_stats_summary_on_stderr(run, nsd):
    r = run("-s", nsd.v4, "--stats")
    assert len(r.lines) == 18
    summary = r.stderr.splitlines()
    assert len(summary) == 1
    assert summary[0].startswith("blogdom: 18 names in ")
    assert "10 found, 8 notfound, 0 error" in summary[0]


def test_no_progress_line_off_a_terminal(run, nsd):
    assert run("-s", nsd.v4).stderr == ""
    # Asked for anyway, it comes as plain lines, which a log keeps
    # readable: no carriage return, no escape sequence.
    r = run("-s", nsd.v4, "--progress")
    assert r.stderr.startswith("blogdom: 0/18 names  ")
    assert r.stderr.endswith("\n")
    assert "\r" not in r.stderr and "\x1b" not in r.stderr
