"""-o FILE and --state FILE: a run killed by anything, SIGKILL included,
continues when the same command line is run again; at the end the output
holds exactly one line per name, the lines an uninterrupted run gives, and
the exit status it gives."""

import json
import os
import random
import signal
import subprocess
import time

import pytest

from conftest import (BLOGDOM, TIMED, WRAPPER, blogdom, loopback_only,
                      without_checks)
from rdapd import RdapServer

COUNT = 10000


def names():
    return [f"n{i}.dev" for i in range(COUNT)]


def exists(name):
    """The faultd below answers n*7.dev, and NXDOMAIN for the rest."""
    return name.split(".")[0].endswith("7")


def start_server(faultd):
    # A delay makes the run last long enough (about a second) to be
    # killed in its middle.
    return faultd(["n*7.dev delay=150,a=192.0.2.1"],
                  default="delay=150,nxdomain")


def run_killed(args, stdin, after):
    """blogdom with args and the names file stdin on its standard input,
    killed with SIGKILL after `after` seconds unless it ended first.
    Returns its exit status (-9 when killed)."""
    args = [str(a) for a in args]
    loopback_only(args)
    with open(stdin, "rb") as names_in:
        proc = subprocess.Popen(WRAPPER + [BLOGDOM] + without_checks(args),
                                stdin=names_in, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        return proc.wait(after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        return proc.wait()


def lines_of(path, json_lines):
    text = path.read_text()
    assert text == "" or text.endswith("\n"), "a line cut in two"
    rows = []
    for line in text.splitlines():
        if json_lines:
            row = json.loads(line)
            rows.append((row["name"], row["status"] == "found"))
        else:
            rows.append((line[2:], line.startswith("+ ")))
    return rows


MODES = {
    "text": [],
    "json": ["--json"],
    "input-order": ["--order=input"],
    "shard": ["--shard", "1/3"],
}


# Under valgrind each run is slow: two modes there, every mode in the
# plain and sanitizer runs.
@pytest.mark.parametrize("mode", sorted(MODES) if TIMED else
                         ["input-order", "text"])
def test_killed_runs_end_with_one_line_per_name(faultd, tmp_path, mode):
    f = start_server(faultd)
    out = tmp_path / "out.txt"
    state = tmp_path / "state"
    extra = MODES[mode]
    args = ["-s", f.addr, "-o", out, "--state", state, "--timeout", "2000",
            *extra]
    stdin = ("\n".join(names()) + "\n").encode()
    names_file = tmp_path / "names.txt"
    names_file.write_bytes(stdin)
    rng = random.Random(f"state-{mode}")
    kills = 0
    for _ in range(3):
        rc = run_killed(args, names_file, rng.uniform(0.15, 0.7))
        if rc != -signal.SIGKILL:
            break
        kills += 1
    assert kills > 0, "no run was killed: the test proves nothing"
    r = blogdom(*args, stdin=stdin)
    assert r.returncode == 0, r.stderr
    asked = len(f.queries())
    rows = lines_of(out, "--json" in extra)
    got = [name for name, _ in rows]
    assert len(got) == len(set(got)), "a name has two lines"
    want = names()
    if mode == "shard":
        # The shard's names, as an uninterrupted run gives them.
        whole = tmp_path / "whole.txt"
        r = blogdom("-s", f.addr, "-o", whole, *extra, stdin=stdin)
        want = [line[2:] for line in whole.read_text().splitlines()]
    assert sorted(got) == sorted(want)
    assert all(found == exists(name) for name, found in rows)
    if mode == "input-order":
        assert got == want
    # Each rerun asks again at most what one commit interval took: here
    # well under the whole input again.
    assert asked < len(want) + (kills + 1) * len(want) // 2, asked
    # Run again once finished: nothing to do, the same status, the output
    # as it was.
    before = out.read_bytes()
    r = blogdom(*args, stdin=stdin)
    assert r.returncode == 0 and r.lines == []
    assert out.read_bytes() == before


def test_a_question_mark_stays_in_the_exit_status(faultd, tmp_path):
    f = faultd(["n1.dev servfail", "*.dev delay=30,nxdomain"])
    out = tmp_path / "out.txt"
    state = tmp_path / "state"
    stdin = ("\n".join(names()[:400]) + "\n").encode()
    names_file = tmp_path / "names.txt"
    names_file.write_bytes(stdin)
    args = ["-s", f.addr, "-o", out, "--state", state, "--tries", "1"]
    run_killed(args, names_file, 0.5)
    r = blogdom(*args, stdin=stdin)
    assert r.returncode == 1, r.stderr  # n1.dev's '?', whichever run had it
    assert len(out.read_text().splitlines()) == 400
    assert blogdom(*args, stdin=stdin).returncode == 1


def test_wrong_state_is_exit_2_and_leaves_the_output(faultd, tmp_path):
    f = faultd(default="nxdomain")
    out = tmp_path / "out.txt"
    state = tmp_path / "state"
    args = ["-s", f.addr, "-o", out, "--state", state]
    r = blogdom(*args, "a.dev", "b.dev", "c.dev")
    assert r.returncode == 0 and len(out.read_text().splitlines()) == 3
    before = out.read_bytes()
    # other names at the same places
    r = blogdom(*args, "a.dev", "x.dev", "c.dev")
    assert r.returncode == 2
    assert f"state file {state} was made for another input" in r.stderr
    assert out.read_bytes() == before
    # fewer names than the state covers
    r = blogdom(*args, "a.dev")
    assert r.returncode == 2 and out.read_bytes() == before
    # options that change the lines
    r = blogdom(*args, "--json", "a.dev", "b.dev", "c.dev")
    assert r.returncode == 2 and "made with other options" in r.stderr
    assert out.read_bytes() == before
    # a damaged state, a cut one, an output shorter than it says
    data = state.read_bytes()
    state.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    r = blogdom(*args, "a.dev", "b.dev", "c.dev")
    assert r.returncode == 2 and "damaged" in r.stderr
    state.write_bytes(data[:40])
    r = blogdom(*args, "a.dev", "b.dev", "c.dev")
    assert r.returncode == 2 and "cut short" in r.stderr
    state.write_bytes(data)
    out.write_text("x\n")
    r = blogdom(*args, "a.dev", "b.dev", "c.dev")
    assert r.returncode == 2 and "shorter than the state file" in r.stderr
    assert out.read_text() == "x\n"


def test_output_alone_and_state_needs_output(faultd, tmp_path):
    f = faultd(default="nxdomain")
    out = tmp_path / "out.txt"
    out.write_text("old\n")
    r = blogdom("-s", f.addr, "-o", out, "a.dev")
    assert r.returncode == 0 and r.stdout == ""
    assert out.read_text() == "  a.dev\n"
    r = blogdom("-s", f.addr, "--state", tmp_path / "s", "a.dev",
                network=False)
    assert r.returncode == 2 and "needs -o" in r.stderr
    r = blogdom("-s", f.addr, "-o", tmp_path / "no" / "such" / "dir", "a.dev",
                network=False)
    assert r.returncode == 2 and "cannot open" in r.stderr


def test_an_interrupt_commits_what_is_done(faultd, tmp_path):
    f = start_server(faultd)
    out = tmp_path / "out.txt"
    state = tmp_path / "state"
    args = ["-s", f.addr, "-o", out, "--state", state]
    stdin = ("\n".join(names()) + "\n").encode()
    names_file = tmp_path / "names.txt"
    names_file.write_bytes(stdin)
    loopback_only([str(a) for a in args])
    with open(names_file, "rb") as names_in:
        proc = subprocess.Popen(WRAPPER + [BLOGDOM] +
                                without_checks([str(a) for a in args]),
                                stdin=names_in, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    # Interrupted once lines come (a fixed sleep could fall before the
    # handlers are in place under valgrind).
    end = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size == 0) and \
            time.monotonic() < end and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 128 + signal.SIGINT
    done = len(out.read_text().splitlines())
    queries = len(f.queries())
    r = blogdom(*args, stdin=stdin)
    assert r.returncode == 0
    assert len(out.read_text().splitlines()) == COUNT
    # what the interrupted run wrote is not asked again
    assert len(f.queries()) - queries <= COUNT - done + 200
    assert os.path.getsize(state) > 0


def test_killed_runs_with_confirm(faultd, tmp_path):
    # Lines that wait for the registry come late and out of order: the
    # state holds them above its watermark.
    f = faultd(default="nxdomain")
    srv = RdapServer({"n*0.dev": 200, "*": 404})
    try:
        out = tmp_path / "out.txt"
        args = ["-s", f.addr, "-o", out, "--state", tmp_path / "state",
                "--rdap-url", srv.url, "--rdap-rate", "400"]
        count = 800
        names_file = tmp_path / "names.txt"
        names_file.write_text("".join(f"n{i}.dev\n" for i in range(count)))
        rng = random.Random("state-confirm")
        kills = 0
        for _ in range(3):
            if run_killed(args, names_file, rng.uniform(0.3, 1.2)) != \
                    -signal.SIGKILL:
                break
            kills += 1
        assert kills > 0
        r = blogdom(*args, stdin=names_file.read_bytes())
        assert r.returncode == 0, r.stderr
        rows = lines_of(out, False)
        assert sorted(n for n, _ in rows) == sorted(f"n{i}.dev"
                                                    for i in range(count))
        assert all(found == name.split(".")[0].endswith("0")
                   for name, found in rows)
    finally:
        srv.close()
