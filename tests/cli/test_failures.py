"""When the surroundings fail: stdout full or closed, closed descriptors,
a terminal shared by lines and progress, names on a pipe, inputs that
block, and options given wrongly. Every run checks stdout, stderr and the
exit status, and, where stdout can be read, one line per input name."""

import errno
import fcntl
import os
import pty
import re
import resource
import select
import struct
import subprocess
import termios
import threading
import time

import pytest

from conftest import (BLOGDOM, BOOK_FOUND, BOOK_FREE, TIMED, WRAPPER,
                      loopback_only, without_checks)

BOOK_LINES = sorted([f"+ {n}.dev" for n in BOOK_FOUND] +
                    [f"  {n}.dev" for n in BOOK_FREE])
SUMMARY = re.compile(r"^blogdom: \d+ names in [0-9.]+ s ")


def command(args):
    """The blogdom command line for args, which must name a loopback
    server (the resolver checks are off against faultd)."""
    args = [str(a) for a in args]
    loopback_only(args)
    return WRAPPER + [BLOGDOM] + without_checks(args)


def spawn(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
          stderr=subprocess.PIPE, shell_redirect=None, timeout=60):
    """Runs blogdom with the given descriptors; shell_redirect (such as
    "2>&-") is applied by sh's exec, to start blogdom with a descriptor
    closed."""
    cmd = command(args)
    if shell_redirect is not None:
        cmd = ["sh", "-c", f'exec "$@" {shell_redirect}', "sh"] + cmd
    proc = subprocess.run(cmd, stdin=stdin, stdout=stdout, stderr=stderr,
                          timeout=timeout)
    out = proc.stdout.decode() if proc.stdout is not None else None
    err = proc.stderr.decode() if proc.stderr is not None else None
    return proc.returncode, out, err


# ---- stdout that cannot be written --------------------------------------


def test_full_disk_is_a_write_error(nsd):
    with open("/dev/full", "wb") as full:
        status, _, err = spawn(["-s", nsd.v4], stdout=full)
    assert status == 2
    assert err == "blogdom: write error: No space left on device\n"


def test_full_disk_with_stats_still_gives_the_summary(nsd):
    with open("/dev/full", "wb") as full:
        status, _, err = spawn(["-s", nsd.v4, "--stats"], stdout=full)
    assert status == 2
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0] == "blogdom: write error: No space left on device"
    assert SUMMARY.match(lines[1]), lines[1]


def test_write_error_stops_the_run(faultd, tmp_path):
    # The first batch fails to write: the names still waiting are never
    # asked, and the run ends at once, not after their timeouts.
    f = faultd(["slow* drop", "* answer"])
    names = tmp_path / "names.txt"
    names.write_text("fast\n" + "".join(f"slow{i}\n" for i in range(50)))
    start = time.monotonic()
    with open("/dev/full", "wb") as full:
        status, _, err = spawn(["-s", f.addr, "-f", names, "-c", "1",
                                "--order=input", "--timeout", "60000"],
                               stdout=full)
    assert status == 2
    assert err == "blogdom: write error: No space left on device\n"
    if TIMED:
        assert time.monotonic() - start < 10
    assert len([q for q in f.queries() if q[2].startswith("slow")]) <= 1


def test_closed_stdout_is_a_write_error(nsd):
    status, out, err = spawn(["-s", nsd.v4], stdout=None,
                             shell_redirect=">&-")
    assert status == 2
    assert out is None
    assert err == "blogdom: write error: Bad file descriptor\n"


def test_closed_stdout_with_stats(nsd):
    status, _, err = spawn(["-s", nsd.v4, "--stats"], stdout=None,
                           shell_redirect=">&-")
    assert status == 2
    lines = err.splitlines()
    assert lines[0] == "blogdom: write error: Bad file descriptor"
    assert len(lines) == 2 and SUMMARY.match(lines[1]), err


def test_help_into_a_full_disk_is_a_write_error():
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(WRAPPER + [BLOGDOM, "--help"], stdout=full,
                              stderr=subprocess.PIPE, timeout=30)
    assert proc.returncode == 2
    assert proc.stderr == b"blogdom: write error: No space left on device\n"


# ---- closed stdin and stderr ----------------------------------------------


# valgrind cannot start without a stderr of its own.
needs_stderr = pytest.mark.skipif(bool(WRAPPER),
                                  reason="the wrapper needs stderr")


@needs_stderr
def test_closed_stderr_runs_normally(nsd):
    status, out, err = spawn(["-s", nsd.v4], stderr=None,
                             shell_redirect="2>&-")
    assert status == 0
    assert sorted(out.splitlines()) == BOOK_LINES
    assert err is None


@needs_stderr
def test_closed_stderr_keeps_the_exit_status(nsd):
    # The reason for the invalid name has nowhere to go: it vanishes, the
    # line and the status stay.
    status, out, _ = spawn(["-s", nsd.v4, "and", "a..b"], stderr=None,
                           shell_redirect="2>&-")
    assert status == 1
    assert sorted(out.splitlines()) == ["+ and.dev", "? a..b"]


def test_closed_stdin_keeps_the_built_in_list(nsd):
    status, out, err = spawn(["-s", nsd.v4], shell_redirect="<&-")
    assert status == 0
    assert sorted(out.splitlines()) == BOOK_LINES
    assert err == ""


def test_closed_stdin_with_dash_reads_nothing(nsd):
    status, out, err = spawn(["-s", nsd.v4, "-f", "-"],
                             shell_redirect="<&-")
    assert (status, out, err) == (0, "", "")


# ---- names from stdin -----------------------------------------------------


def test_names_from_a_pipe_without_arguments(run, nsd):
    r = run("-s", nsd.v4, stdin=b"zzz1\nand\n")
    assert r.returncode == 0
    assert sorted(r.lines) == ["  zzz1.dev", "+ and.dev"]
    assert r.stderr == ""


def test_names_from_a_redirected_file(nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("zzz1\nand\n")
    with open(names, "rb") as f:
        status, out, err = spawn(["-s", nsd.v4, "--order=input"], stdin=f)
    assert (status, out, err) == (0, "  zzz1.dev\n+ and.dev\n", "")


def test_dev_null_keeps_the_built_in_list(nsd):
    status, out, err = spawn(["-s", nsd.v4], stdin=subprocess.DEVNULL)
    assert status == 0
    assert sorted(out.splitlines()) == BOOK_LINES
    assert err == ""


def test_a_pipe_is_ignored_when_names_are_given(run, nsd):
    r = run("-s", nsd.v4, "none", stdin=b"and\n")
    assert r.lines == ["  none.dev"]
    r = run("-s", nsd.v4, "-m", "2", stdin=b"and\n")
    assert r.lines == ["+ and.dev"]  # -m is about the built-in list only


def test_an_empty_pipe_is_no_names(run, nsd):
    r = run("-s", nsd.v4, stdin=b"")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


# ---- inputs that block ----------------------------------------------------


def write_later(path, delay, text):
    """Opens the FIFO for writing (which waits for the reader), then writes
    text after delay seconds."""
    def writer():
        fd = os.open(path, os.O_WRONLY)
        try:
            time.sleep(delay)
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return t


def test_two_blocking_inputs_cost_no_cpu_while_waiting(nsd, tmp_path):
    # A finished first input must not keep the loop busy while the second
    # one is silent.
    first, second = tmp_path / "first", tmp_path / "second"
    os.mkfifo(first)
    os.mkfifo(second)
    writers = [write_later(first, 0.3, "and\n"),
               write_later(second, 2.0, "as\n")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    status, out, err = spawn(["-s", nsd.v4, "-f", first, "-f", second])
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for w in writers:
        w.join(5)
    assert status == 0, err
    assert sorted(out.splitlines()) == ["+ and.dev", "+ as.dev"]
    assert err == ""
    assert wall > 2.0
    cpu = (after.ru_utime - before.ru_utime) + \
        (after.ru_stime - before.ru_stime)
    if TIMED:
        assert cpu < 0.3, f"{cpu:.3f} s of CPU in {wall:.3f} s"


# ---- the progress line and the result lines -------------------------------


def render(text):
    """What a terminal shows for text: "\\r" goes back to the start of the
    line, ESC [ K erases to its end, "\\n" ends it. Returns the finished
    lines and what is left on the last one."""
    lines, cur, col, i = [], [], 0, 0
    while i < len(text):
        if text.startswith("\x1b[K", i):
            del cur[col:]
            i += 3
            continue
        c = text[i]
        if c == "\r":
            col = 0
        elif c == "\n":
            lines.append("".join(cur))
            cur, col = [], 0
        else:
            if col < len(cur):
                cur[col] = c
            else:
                cur.append(c)
            col += 1
        i += 1
    return lines, "".join(cur)


def run_in_pty(args, stderr_to_pty=True, timeout=60):
    """Runs blogdom with stdout (and stderr) on one pseudo-terminal, as in
    a shell; returns (status, what the terminal received, stderr if it was
    a pipe)."""
    master, slave = pty.openpty()
    # Wide, so that no line wraps.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 300, 0, 0))
    proc = subprocess.Popen(command(args), stdin=subprocess.DEVNULL,
                            stdout=slave,
                            stderr=slave if stderr_to_pty else
                            subprocess.PIPE)
    os.close(slave)
    chunks = []
    end = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([master], [], [],
                                    max(0.0, end - time.monotonic()))
        assert ready, "blogdom did not finish"
        try:
            data = os.read(master, 65536)
        except OSError as e:  # EIO: every writer of the terminal is gone
            if e.errno != errno.EIO:
                raise
            break
        if not data:
            break
        chunks.append(data)
    err = proc.stderr.read().decode() if proc.stderr is not None else None
    status = proc.wait(timeout)
    os.close(master)
    return status, b"".join(chunks).decode(), err


@pytest.mark.parametrize("flag", ["--progress", None])
def test_progress_never_shares_a_line_with_results(nsd, flag):
    args = ["-s", nsd.v4] + ([flag] if flag else [])
    status, screen, _ = run_in_pty(args)
    assert status == 0
    assert "\x1b[K" in screen and "names" in screen  # it was drawn
    lines, last = render(screen)
    assert sorted(lines) == BOOK_LINES
    assert last == ""  # erased at the end


def test_progress_redrawn_between_slow_answers(faultd, tmp_path):
    # Answers come in over a second, while the progress line is redrawn:
    # every line still stands alone.
    f = faultd(["a* delay=100", "b* delay=400", "c* delay=700",
                "d* delay=1000", "* answer"])
    names = tmp_path / "names.txt"
    names.write_text("".join(f"{p}{i}\n" for p in "abcd" for i in range(10)))
    status, screen, _ = run_in_pty(["-s", f.addr, "-f", names, "--progress"])
    assert status == 0
    lines, last = render(screen)
    assert sorted(lines) == sorted(f"+ {p}{i}.dev" for p in "abcd"
                                   for i in range(10))
    assert last == ""
    # Drawn again after answers had come: "40 names" is not the first draw.
    assert screen.count("\x1b[K") > 2


def test_progress_off_a_terminal_is_plain_lines(faultd):
    f = faultd(["slow.dev delay=1200", "* answer"])
    status, screen, err = run_in_pty(["-s", f.addr, "and", "slow",
                                      "--progress"], stderr_to_pty=False)
    assert status == 0
    lines, last = render(screen)
    assert sorted(lines) == ["+ and.dev", "+ slow.dev"] and last == ""
    assert "\r" not in err and "\x1b" not in err
    progress = err.splitlines()
    assert len(progress) >= 2, err  # one at the start, one a second
    for line in progress:
        assert re.match(r"^blogdom: \d+/2 names  ", line), line


def test_progress_into_a_pipe_is_plain_lines(run, faultd):
    f = faultd(["slow.dev delay=1200", "* answer"])
    r = run("-s", f.addr, "and", "slow", "--progress")
    assert r.returncode == 0
    assert sorted(r.lines) == ["+ and.dev", "+ slow.dev"]
    assert "\r" not in r.stderr and "\x1b" not in r.stderr
    assert len(r.stderr.splitlines()) >= 2
    assert all(line.startswith("blogdom: ")
               for line in r.stderr.splitlines())


# ---- options given wrongly ------------------------------------------------


@pytest.mark.parametrize("args,message", [
    (["--json=yes"], "option --json takes no value"),
    (["--stats="], "option --stats takes no value"),
    (["--timeout"], "option --timeout needs a value (--timeout=MS)"),
    (["-c"], "option -c (--concurrency) needs a value"),
    (["--conc"], "option --concurrency needs a value (--concurrency=N)"),
    (["--no"], "ambiguous option '--no'"),
    (["--bogus"], "unknown option '--bogus'"),
])
def test_option_errors_name_the_option(run, args, message):
    r = run(*args, network=False)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [f"blogdom: {message}",
                                     "blogdom: try 'blogdom --help'"]


def test_help_lists_every_exit_status(run):
    r = run("--help", network=False)
    assert r.returncode == 0
    statuses = r.stdout[r.stdout.index("Exit status:"):]
    for status in ("0", "1", "2", "130", "143", "141"):
        assert re.search(rf"\b{status}\b", statuses), status
