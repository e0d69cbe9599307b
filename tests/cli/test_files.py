"""Names from files and standard input, streamed."""

import os
import subprocess
import time

from conftest import BLOGDOM, WRAPPER, loopback_only, without_checks


def test_file_with_comments_blanks_and_spaces(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("# my list\n\n  and  \r\nnone.dev\n\t# indented note\n"
                     "try.app\nlast")
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert r.lines == ["+ and.dev", "  none.dev", "+ try.app", "  last.dev"]
    assert r.returncode == 0


def test_stdin_and_several_files_in_order(run, nsd, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("and\n")
    b.write_text("none\n")
    r = run("-s", nsd.v4, "-f", a, "-f", "-", "-f", b, "def.dev",
            "--order=input", stdin=b"elif\nwith\n")
    # NAME arguments first, then the files in the order given.
    assert r.lines == ["+ def.dev", "+ and.dev", "+ elif.dev", "  with.dev",
                       "  none.dev"]


def test_labels_in_files_cross_every_tld(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("and\nwith\n")
    r = run("-s", nsd.v4, "-f", names, "-t", "dev", "-t", ".COM",
            "--order=input")
    assert r.lines == ["+ and.dev", "+ and.com", "  with.dev", "+ with.com"]


def test_file_without_final_newline_and_empty_file(run, nsd, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = run("-s", nsd.v4, "-f", empty)
    assert r.lines == [] and r.returncode == 0
    one = tmp_path / "one.txt"
    one.write_bytes(b"and")
    assert run("-s", nsd.v4, "-f", one).lines == ["+ and.dev"]


def test_slow_stdin_does_not_hold_up_answers(faultd):
    """Names trickle in: each answer must come out before the next name is
    even written."""
    f = faultd(["*.dev a=192.0.2.1"])
    loopback_only(["-s", f.addr])
    args = WRAPPER + [BLOGDOM] + without_checks(["-s", f.addr, "-f", "-"])
    proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    try:
        for name in ("one", "two", "three"):
            proc.stdin.write(name.encode() + b"\n")
            proc.stdin.flush()
            line = proc.stdout.readline().decode()
            assert line == f"+ {name}.dev\n"
        proc.stdin.close()
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_many_names_from_a_pipe(run, faultd):
    f = faultd(["*.dev a=192.0.2.1"], default="nxdomain")
    names = "".join(f"n{i}.dev\n" for i in range(5000)).encode()
    r = run("-s", f.addr, "-f", "-", stdin=names)
    assert len(r.lines) == 5000
    assert set(line[2:] for line in r.lines) == \
        {f"n{i}.dev" for i in range(5000)}
    assert r.returncode == 0


def test_a_file_failing_mid_run_loses_no_other_names(run, nsd, tmp_path):
    """/proc/self/mem opens, then read(2) fails (EIO): it is said once, the
    files around it still give all their names, and the run exits 2."""
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("and\nnone\n")
    b.write_text("elif\nwith\n")
    r = run("-s", nsd.v4, "-f", a, "-f", "/proc/self/mem", "-f", b,
            "--order=input")
    assert r.lines == ["+ and.dev", "  none.dev", "+ elif.dev", "  with.dev"]
    assert r.stderr.splitlines() == [
        "blogdom: cannot read /proc/self/mem: Input/output error"]
    assert r.returncode == 2


def test_stdin_failing_mid_run_loses_no_other_names(run, nsd, tmp_path):
    # The test's own memory, opened here: blogdom's reads of it fail (EIO
    # at offset 0) instead of reading the memory of blogdom.
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("and\n")
    b.write_text("with\n")
    with open("/proc/self/mem", "rb") as mem:
        r = run("-s", nsd.v4, "-f", a, "-f", "-", "-f", b, "--order=input",
                stdin=mem)
        assert r.lines == ["+ and.dev", "  with.dev"]
        assert r.stderr.splitlines() == [
            "blogdom: cannot read standard input: Input/output error"]
        assert r.returncode == 2
        # Names read from stdin without -f: the same.
        r = run("-s", nsd.v4, stdin=mem)
        assert r.lines == []
        assert r.stderr.splitlines() == [
            "blogdom: cannot read standard input: Input/output error"]
        assert r.returncode == 2


def test_directory_among_files_stops_before_any_query(run, faultd,
                                                      tmp_path):
    f = faultd()
    a = tmp_path / "a.txt"
    a.write_text("and\n")
    d = tmp_path / "dir"
    d.mkdir()
    r = run("-s", f.addr, "-f", a, "-f", d, "-f", a)
    assert r.stdout == ""
    assert r.stderr.splitlines() == [f"blogdom: cannot read {d}: Is a directory"]
    assert r.returncode == 2
    # A directory on standard input, named as such.
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        r = run("-s", f.addr, "-f", a, "-f", "-", stdin=fd)
    finally:
        os.close(fd)
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "blogdom: cannot read standard input: Is a directory"]
    assert r.returncode == 2
    assert f.queries() == []


def test_missing_files_among_good_ones_are_all_said_before_any_query(
        run, faultd, tmp_path):
    """A file that cannot be opened stops the run at start-up, as a usage
    error: nothing is sent, so no name is lost unsaid; every such file is
    said, not only the first."""
    f = faultd()
    a = tmp_path / "a.txt"
    a.write_text("and\n")
    r = run("-s", f.addr, "-f", a, "-f", tmp_path / "nope1", "-f", a,
            "-f", tmp_path / "nope2")
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        f"blogdom: cannot open {tmp_path / 'nope1'}: No such file or directory",
        f"blogdom: cannot open {tmp_path / 'nope2'}: No such file or directory"]
    assert r.returncode == 2
    assert f.queries() == []
