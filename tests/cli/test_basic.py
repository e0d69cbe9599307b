"""The core contract against a real authoritative server (NSD) on loopback:
the book's run, names and TLDs, verdicts, exit statuses."""

import json

from conftest import BOOK_FOUND, BOOK_FREE, BOOK_ORDER, free_port


def test_default_run_prints_the_books_18_names(run, nsd):
    r = run("-s", nsd.v4)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert len(r.lines) == 18
    marks = r.marks()
    assert {n[:-4] for n, m in marks.items() if m == "+ "} == BOOK_FOUND
    assert {n[:-4] for n, m in marks.items() if m == "  "} == BOOK_FREE
    assert all(n.endswith(".dev") for n in marks)


def test_input_order(run, nsd):
    r = run("-s", nsd.v4, "--order=input")
    assert [line[2:-4] for line in r.lines] == BOOK_ORDER


def test_max_len_zero_probes_all_35_keywords(run, nsd):
    r = run("-s", nsd.v4, "-m", "0")
    assert len(r.lines) == 35
    assert "  continue.dev" in r.lines and "  false.dev" in r.lines


def test_labels_and_dotted_names(run, nsd):
    r = run("-s", nsd.v4, "-t", "dev", "-t", "com", "and", "with", "try.app",
            "--order=input")
    assert r.lines == ["+ and.dev", "+ and.com", "  with.dev", "+ with.com",
                       "+ try.app"]
    assert r.returncode == 0


def test_case_and_trailing_dots_are_normalized(run, nsd):
    r = run("-s", nsd.v4, "AND", "Def.DEV.", "none.dev.", "--order=input")
    assert r.lines == ["+ and.dev", "+ def.dev", "  none.dev"]


def test_existing_name_without_address_is_taken(run, nsd):
    r = run("-s", nsd.v4, "for.dev", "six.dev", "empty.dev", "--json")
    rows = {j["name"]: j for j in map(json.loads, r.lines)}
    for name in ("for.dev", "six.dev", "empty.dev"):
        assert rows[name]["status"] == "found"
        assert rows[name]["reason"] == "nodata"
        assert rows[name]["rcode"] == "NOERROR"
        assert rows[name]["addresses"] == []


def test_alias_to_missing_target_is_taken(run, nsd):
    r = run("-s", nsd.v4, "alias.dev", "--json")
    row = json.loads(r.stdout)
    assert row["status"] == "found"
    assert row["reason"] == "alias"
    assert row["rcode"] == "NXDOMAIN"
    assert r.returncode == 0


def test_nxdomain_is_free(run, nsd):
    r = run("-s", nsd.v4, "nosuchname.dev", "--json")
    row = json.loads(r.stdout)
    assert (row["status"], row["reason"], row["rcode"]) == \
        ("notfound", "nxdomain", "NXDOMAIN")
    assert r.lines and r.returncode == 0


def test_ipv6_server(run, nsd):
    r = run("-s", nsd.v6, "and", "none", "--order=input")
    assert r.lines == ["+ and.dev", "  none.dev"]
    dead = f"[::1]:{free_port()}"
    r = run("-s", dead, "-s", nsd.v6, "--json", "and")
    # Nothing listens on the first server: the name still gets its answer
    # from the second.
    assert json.loads(r.stdout)["status"] == "found"


def test_json_fields(run, nsd):
    r = run("-s", nsd.v4, "--json", "dual.dev", "--type", "AAAA")
    row = json.loads(r.stdout)
    assert row["name"] == "dual.dev"
    assert row["type"] == "AAAA"
    assert row["addresses"] == ["2001:db8::10"]
    assert row["tries"] == 1
    assert row["server"] == nsd.v4
    assert isinstance(row["ms"], float)
    r = run("-s", nsd.v4, "--json", "dual.dev")
    assert json.loads(r.stdout)["addresses"] == ["192.0.2.10"]


def test_hyphen_is_probed_underscore_is_no_host_name(run, nsd):
    # The zone has under_score.dev, but no registry sells that label: it
    # is never called free nor taken, and never sent.
    r = run("-s", nsd.v4, "under_score", "with-hyphen", "--order=input")
    assert r.lines == ["? under_score.dev", "+ with-hyphen.dev"]
    assert r.returncode == 1
    assert r.stderr.count("invalid name under_score.dev") == 1
    rows = [json.loads(x) for x in run("-s", nsd.v4, "under_score", "--json")
            .lines]
    assert [(x["reason"], x["evidence"], x["tries"]) for x in rows] == [
        ("invalid-hostname", "input", 0)]


def test_duplicates_are_probed_again(run, nsd):
    r = run("-s", nsd.v4, "and", "and", "AND.dev")
    assert r.lines == ["+ and.dev"] * 3


def test_only_filters_lines_not_the_exit_status(run, nsd):
    r = run("-s", nsd.v4, "--only=notfound")
    assert sorted(line[2:-4] for line in r.lines) == sorted(BOOK_FREE)
    assert all(line.startswith("  ") for line in r.lines)
    r = run("-s", nsd.v4, "--only", "found", "and", "bad..name")
    assert r.lines == ["+ and.dev"]
    assert r.returncode == 1


def test_invalid_name_is_a_question_mark_and_the_run_goes_on(run, nsd):
    r = run("-s", nsd.v4, "and", "a..b", "bad name", "x" * 64, "none",
            "--order=input")
    assert r.lines == ["+ and.dev", "? a..b", "? bad\\x20name.dev",
                       "? " + "x" * 64 + ".dev", "  none.dev"]
    assert r.returncode == 1
    errs = r.stderr.splitlines()
    assert len(errs) == 3
    assert "empty label" in errs[0]
    assert "label longer than 63" in errs[2]
    assert all(e.startswith("blogdom: ") for e in errs)


def test_quiet_hides_reasons_not_lines(run, nsd):
    r = run("-s", nsd.v4, "-q", "a..b")
    assert r.lines == ["? a..b"]
    assert r.stderr == ""


def test_usage_errors_exit_2_with_one_line_and_no_output(run, tmp_path):
    cases = [["--bogus"], ["-s", "nohost"], ["-s", "127.0.0.1:99999"],
             ["--tries", "0"], ["--type", "BOGUS"], ["-c"],
             ["-f", str(tmp_path / "missing.txt")], ["-f", str(tmp_path)],
             ["--order", "random"], ["-t", "bad..tld"]]
    for args in cases:
        r = run(*args, "-s", "127.0.0.1:9", network=False)
        assert r.returncode == 2, args
        assert r.stdout == "", args
        assert r.stderr.startswith("blogdom: "), args


def test_an_ambiguous_ipv6_server_is_a_usage_error(run, tmp_path):
    # ::1:5300 is the address ::0.1.83.0, or ::1 and port 5300. The missing
    # file stops the run before any query should the spec ever be taken.
    r = run("-s", "::1:5300", "-f", str(tmp_path / "missing.txt"),
            network=False)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.splitlines() == [
        "blogdom: ambiguous server '::1:5300': [::0.1.83.0]:53 or "
        "[::1]:5300; write [ADDR]:PORT for a port, [ADDR] for port 53"]


def test_a_server_given_twice_is_one_server(run, faultd):
    f = faultd(["*.dev a=192.0.2.1"])
    r = run("-s", f.addr, "-s", f"{f.addr},{f.addr}", "and")
    assert r.returncode == 0
    assert r.lines == ["+ and.dev"]
    assert r.stderr.splitlines() == [
        "blogdom: server addresses given more than once (2 repeats, the "
        f"first {f.addr}): each is asked as one server"]
    assert len(f.queries()) == 1
    r = run("-s", f.addr, "-s", f.addr, "and")
    assert r.stderr.splitlines() == [
        f"blogdom: server {f.addr} given twice: asked as one server"]


def test_missing_file_stops_before_any_query(run, faultd, tmp_path):
    f = faultd()
    r = run("-s", f.addr, "and", "-f", str(tmp_path / "nope"))
    assert r.returncode == 2
    assert r.stdout == ""
    assert f.queries() == []


def test_help_and_version(run):
    r = run("--help", network=False)
    assert r.returncode == 0
    assert r.stdout.startswith("Usage: blogdom")
    assert "--concurrency" in r.stdout
    r = run("--version", network=False)
    assert r.returncode == 0
    assert r.stdout.startswith("blogdom ")


def test_no_search_domain_is_appended(run, faultd, tmp_path):
    # With a search domain in the environment, a resolver library would
    # also ask "and.dev.example." (or "and.example."). Only the name itself
    # may go out.
    import os
    f = faultd()
    env = dict(os.environ, LOCALDOMAIN="example", RES_OPTIONS="ndots:5")
    run("-s", f.addr, "and", "x", env=env)
    names = sorted(q[2].lower() for q in f.queries())
    assert names == ["and.dev", "x.dev"]
