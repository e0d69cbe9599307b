"""Resolvers that lie and TLDs that answer for every name."""

import json


def test_resolver_that_denies_every_name_is_refused(run, faultd):
    # As this machine's own resolver does: NXDOMAIN for everything, the
    # TLDs included. Without the checks the 18 names would all look free.
    liar = faultd([], default="nxdomain")
    r = run("-s", liar.addr, checks=True)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "NXDOMAIN for com." in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_resolver_that_rewrites_nxdomain_is_refused(run, faultd):
    liar = faultd([], default="answer")
    r = run("-s", liar.addr, "and", "none", checks=True)
    assert r.returncode == 2
    assert r.stdout == ""
    assert "rewrites NXDOMAIN" in r.stderr
    # Nothing of the input was even asked.
    names = {q[2] for q in liar.queries()}
    assert "and.dev" not in names and "none.dev" not in names


def test_known_tld_denied_means_a_lying_resolver(run, faultd):
    f = faultd(["com nodata"], default="nxdomain")
    r = run("-s", f.addr, "and", checks=True)
    assert r.returncode == 2 and r.stdout == ""
    assert "NXDOMAIN for dev." in r.stderr


def test_unknown_tld_that_does_not_exist(run, faultd):
    f = faultd(["com nodata", "taken.zzq answer"], default="nxdomain")
    r = run("-s", f.addr, "-t", "zzq", "taken", "free", "--json",
            "--order=input", checks=True)
    rows = [json.loads(line) for line in r.lines]
    assert [(x["name"], x["status"], x["reason"], x["evidence"])
            for x in rows] == [
        ("taken.zzq", "error", "no-such-tld", "no-such-tld"),
        ("free.zzq", "error", "no-such-tld", "no-such-tld")]
    assert r.returncode == 1
    assert "TLD .zzq does not exist" in r.stderr


def test_wildcard_tld_turns_found_into_question_marks(run, faultd):
    f = faultd(["com nodata", "dev nodata", "*.dev answer",
                "app nodata", "try.app answer"], default="nxdomain")
    r = run("-s", f.addr, "and", "none", "try.app", "nope.app", "--json",
            "--order=input", checks=True)
    rows = [json.loads(line) for line in r.lines]
    assert [(x["name"], x["status"], x["reason"]) for x in rows] == [
        ("and.dev", "error", "wildcard"),
        ("none.dev", "error", "wildcard"),
        ("try.app", "found", "answer"),
        ("nope.app", "notfound", "nxdomain")]
    assert "under .dev seems to exist" in r.stderr
    assert r.returncode == 1
    # --no-wildcard-check takes the server's word.
    r = run("-s", f.addr, "and", "--no-wildcard-check", checks=True)
    assert r.lines == ["+ and.dev"]


def test_trust_resolver_skips_the_checks(run, faultd):
    liar = faultd([], default="nxdomain")
    r = run("-s", liar.addr, "--trust-resolver", "--no-wildcard-check",
            checks=True)
    assert r.returncode == 0
    assert len(r.lines) == 18
    assert len(liar.queries()) == 18


def test_checks_cost_a_few_queries(run, faultd):
    f = faultd(["com nodata", "dev nodata"], default="nxdomain")
    r = run("-s", f.addr, checks=True)
    assert r.returncode == 0 and len(r.lines) == 18
    # rewrite + com. + dev. + a random name under dev: four in all.
    assert len(f.queries()) == 18 + 4


def test_internationalized_names(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("B\u00fccher\nstra\u00dfe\n\u65e5\u672c\u8a9e\n"
                     "xn--bcher-kva.dev\nbidi\u202eved\n",
                     encoding="utf-8")
    r = run("-s", nsd.v4, "-f", names, "--json", "--order=input")
    rows = [json.loads(line) for line in r.lines]
    assert [(x["name"], x.get("ascii"), x["status"]) for x in rows] == [
        ("b\u00fccher.dev", "xn--bcher-kva.dev", "notfound"),
        ("stra\u00dfe.dev", "xn--strae-oqa.dev", "notfound"),
        ("\u65e5\u672c\u8a9e.dev", "xn--wgv71a119e.dev", "notfound"),
        ("b\u00fccher.dev", "xn--bcher-kva.dev", "notfound"),
        ("bidi\\xe2\\x80\\xaeved.dev", None, "error")]
    assert rows[-1]["reason"] == "invalid-name"
    assert "IDNA2008" in rows[-1]["detail"]
    marks = run("-s", nsd.v4, "-f", names, "--order=input").lines
    assert marks[0] == "  b\u00fccher.dev"
