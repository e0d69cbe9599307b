"""Output in a shell: pipes, head, escaping, JSON lines, stats."""

import json
import subprocess

from conftest import BLOGDOM, WRAPPER


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
