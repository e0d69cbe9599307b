"""Hostile input: binary junk, huge lines, bad sizes. Each invalid name is
one escaped '?' line with one reason on stderr; the run goes on."""

import json
import os
import subprocess
import sys

import pytest

from conftest import BLOGDOM, WRAPPER, without_checks


def test_megabyte_lines_cost_no_memory_and_lose_nothing(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    with open(names, "wb") as f:
        f.write(b"and\n")
        for _ in range(20):
            f.write(b"x" * (5 << 20) + b"\n")  # 20 lines of 5 MiB
        f.write(b"none\n")
    r = run("-s", nsd.v4, "-f", names, "--order=input", "--json")
    rows = [json.loads(line) for line in r.lines]
    assert len(rows) == 22
    assert rows[0]["name"] == "and.dev" and rows[-1]["name"] == "none.dev"
    for row in rows[1:-1]:
        assert row["status"] == "error"
        assert row["reason"] == "invalid-name"
        assert row["truncated"] is True
        assert row["name"] == "x" * 1024 + "..."
    assert len(r.stderr.splitlines()) == 20
    assert r.returncode == 1


# Run by a fresh, bare interpreter: forks the command, waits for it and
# writes its peak RSS (KiB) to the descriptor argv[1]. Linux carries the
# high-water mark of a process across execve, so a child of pytest itself
# (tens of MiB) would report pytest's size, not blogdom's; forked from this
# interpreter, the child starts from a few MiB, under the limit, and a
# maximum of the two still catches any blogdom above it.
PEAK_RSS = r"""
import os, resource, sys
report = int(sys.argv[1])
os.set_inheritable(report, False)
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status = os.waitpid(pid, 0)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
os.write(report, b"%d\n" % peak)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measuring_peak_rss(cmd, timeout):
    """Runs cmd; returns its CompletedProcess and its peak RSS in KiB."""
    rfd, wfd = os.pipe()
    try:
        proc = subprocess.run([sys.executable, "-I", "-S", "-c", PEAK_RSS,
                               str(wfd)] + cmd, pass_fds=(wfd,),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    finally:
        os.close(wfd)
    with os.fdopen(rfd) as report:
        return proc, int(report.read())


def test_peak_memory_stays_small_with_huge_lines(nsd, tmp_path):
    names = tmp_path / "names.txt"
    with open(names, "wb") as f:
        f.write(b"y" * (64 << 20) + b"\nand\n")
    if WRAPPER:
        pytest.skip("the peak would be the wrapper's")
    with open(BLOGDOM, "rb") as exe:
        if b"__asan_init" in exe.read():
            pytest.skip("AddressSanitizer's shadow memory is not ours")
    r, peak_kib = run_measuring_peak_rss(
        [BLOGDOM, "-s", nsd.v4, "-q", "-f", str(names)], timeout=60)
    assert peak_kib < 12 * 1024, peak_kib
    assert r.stdout.decode().splitlines()[-1] == "+ and.dev"


def test_sizes_and_labels(run, nsd):
    ok63 = "a" * 63
    name253 = ".".join(["b" * 63] * 3 + ["c" * 57]) + ".dev"
    assert len(name253) == 253
    r = run("-s", nsd.v4, "--order=input", "--json", "--", ok63, "a" * 64,
            name253, "d" + name253, "a..b.dev", ".lead.dev", "-x-", "_u_")
    rows = [json.loads(line) for line in r.lines]
    got = [(row["status"], row.get("detail")) for row in rows]
    assert got == [
        ("notfound", None),
        ("error", "label longer than 63 characters"),
        ("notfound", None),
        ("error", "name longer than 253 characters"),
        ("error", "empty label"),
        ("error", "empty label"),
        # Valid DNS names, but no registry sells those labels.
        ("error", "the label to register starts or ends with a hyphen"),
        ("error", "the label to register may hold only letters, digits and "
                  "hyphens"),
    ]


def test_every_byte_value_is_handled(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    with open(names, "wb") as f:
        for b in range(256):
            if b != 0x0a:
                f.write(b"n" + bytes([b]) + b"x\n")
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert len(r.lines) == 255
    for line in r.lines + r.stderr.splitlines():
        assert line.isprintable()
        assert not any(0x80 <= ord(c) <= 0x9f for c in line)


def test_open_file_limit_lowers_concurrency_and_loses_nothing(faultd,
                                                              tmp_path):
    if WRAPPER:
        pytest.skip("valgrind needs descriptors of its own under the limit")
    servers = [faultd(["* answer"]) for _ in range(8)]
    names = tmp_path / "names.txt"
    names.write_text("".join(f"n{i}\n" for i in range(2000)))
    args = []
    for s in servers:
        args += ["-s", s.addr]
    # Room for stdio, the loop's own descriptors (libuv keeps one in
    # reserve once stdout, a pipe here, is a stream), the names file and a
    # socket: not one socket per server.
    cmd = "ulimit -n 12; exec " + " ".join(
        WRAPPER + [BLOGDOM] + without_checks(args + ["-f", str(names)]))
    r = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=120)
    lines = r.stdout.decode().splitlines()
    assert len(lines) == 2000
    assert set(lines) == {f"+ n{i}.dev" for i in range(2000)}
    assert r.returncode == 0
    assert "Too many open files" in r.stderr.decode()
