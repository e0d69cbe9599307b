"""--confirm over WHOIS where a TLD has no RDAP: a loopback WHOIS server
(whoisd.py) sends each supported registry's replies, rate limits, garbage,
silence; DNS (faultd) calls every name NXDOMAIN. No reply that is not
clearly "free" may ever make a line free."""

import json
import socket

import pytest

from conftest import TIMED
from rdapd import RdapServer, bootstrap_json
from whoisd import WhoisServer, fixture_replies


@pytest.fixture
def whois():
    started = []

    def start(**kw):
        srv = WhoisServer(**kw)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.close()


@pytest.fixture
def dns(faultd):
    return faultd(default="nxdomain")


@pytest.fixture
def no_rdap(tmp_path):
    """A bootstrap with no RDAP service at all: every TLD asks WHOIS."""
    boot = tmp_path / "dns.json"
    boot.write_text('{"services": []}')
    return boot


def rows_of(r):
    return {row["name"]: row for row in map(json.loads, r.lines)}


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


EXPECTED = {
    "free": ("notfound", "nxdomain", "whois:free"),
    "registered": ("found", "registered-no-dns", "whois:registered"),
    "limited": ("error", "whois-limited", "whois:limited"),
    "unrecognized": ("error", "whois-unrecognized", "whois:unrecognized"),
}


def test_every_format_is_read(run, dns, no_rdap, whois):
    srv = whois()
    replies = fixture_replies()
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            srv.addr, "--whois-rate", "100", "--json", *replies,
            timeout=120)
    rows = rows_of(r)
    formats = set()
    for name, (fmt, kind, _) in replies.items():
        row = rows[name]
        assert (row["status"], row["reason"], row["evidence"]) == \
            EXPECTED[kind], (fmt, name)
        assert row["confirmed"] is (kind in ("free", "registered")), name
        assert srv.count(name) == 1, name
        formats.add(fmt)
    assert len(formats) >= 12
    assert r.returncode == 1  # the limits are "?"
    assert "WHOIS rate limit (12)" in r.stderr, r.stderr


def test_no_reply_that_is_not_clear_is_free(run, dns, no_rdap, whois):
    srv = whois()
    names = ["garbage.de", "closes.de", "silent.de", "huge.de", "slow.de",
             "slow.fr", "slow.com", "invalid.de", "reserved.it"]
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            srv.addr, "--whois-rate", "100", "--whois-timeout", "1500",
            "--json", *names, timeout=120)
    rows = rows_of(r)
    assert set(rows) == set(names)
    for name in names:
        assert rows[name]["status"] == "error", name
        assert rows[name]["confirmed"] is False, name
    reasons = {n: rows[n]["reason"] for n in names}
    assert reasons == {
        "garbage.de": "whois-unrecognized",
        "closes.de": "whois-unreachable",
        "silent.de": "whois-unreachable",
        "huge.de": "whois-unrecognized",
        "slow.de": "whois-limited",
        "slow.fr": "whois-limited",  # says "No entries found" too
        "slow.com": "whois-limited",
        "invalid.de": "whois-unrecognized",
        "reserved.it": "whois-unrecognized",
    }
    assert rows["silent.de"]["evidence"] == "whois:no-answer"
    assert r.returncode == 1
    assert ("9 names not confirmed by their registry: WHOIS rate limit (3), "
            "WHOIS reply not understood (4), WHOIS server unreachable (2)") \
        in r.stderr, r.stderr
    # The marks: no line is blank ("free") for any of them.
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            srv.addr, "--whois-rate", "100", "--whois-timeout", "1500",
            *names, timeout=120)
    assert len(r.lines) == len(names)
    assert not any(line.startswith("  ") for line in r.lines), r.lines
    assert r.returncode == 1


def test_a_refused_connection_is_unreachable(run, dns, no_rdap):
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            f"127.0.0.1:{closed_port()}", "--json", "-v", "free.de")
    row = json.loads(r.lines[0])
    assert (row["status"], row["reason"]) == ("error", "whois-unreachable")
    assert "connection refused" in r.stderr
    assert "WHOIS server unreachable (1)" in r.stderr
    assert r.returncode == 1


def test_rate_per_server(run, dns, no_rdap, whois):
    srv = whois()
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            srv.addr, "--whois-rate", "1", "r1.de", "r2.de", "r3.de",
            timeout=60)
    assert sorted(r.lines) == ["  r1.de", "  r2.de", "  r3.de"]
    assert r.returncode == 0
    times = sorted(srv.times())
    assert len(times) == 3
    # The server sees them a second apart, or more.
    assert all(b - a >= 0.9 for a, b in zip(times, times[1:])), times
    if TIMED:
        assert r.seconds >= 1.9


def test_one_query_per_registrable_domain(run, dns, no_rdap, whois):
    srv = whois()
    names = ["www.taken.de", "mail.taken.de", "taken.de", "a.b.taken.de",
             "www.no-such-name.de", "no-such-name.de"]
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-host",
            srv.addr, "--whois-rate", "100", "--json", *names)
    rows = rows_of(r)
    for n in names[:4]:
        assert (rows[n]["status"], rows[n]["evidence"]) == \
            ("found", "whois:registered"), n
    for n in names[4:]:
        assert (rows[n]["status"], rows[n]["evidence"]) == \
            ("notfound", "whois:free"), n
    assert rows["www.taken.de"]["registrable"] == "taken.de"
    assert sorted(q for _, q in srv.queries) == ["no-such-name.de",
                                                 "taken.de"]
    assert r.returncode == 0


def test_whois_only_where_there_is_no_rdap(run, dns, whois, tmp_path):
    # de has RDAP here: its names never reach WHOIS; it has none.
    rdap = RdapServer({"*": 404})
    try:
        srv = whois()
        boot = tmp_path / "dns.json"
        boot.write_text(bootstrap_json(["de"], rdap.url))
        r = run("-s", dns.addr, "--rdap-bootstrap", boot, "--whois-host",
                srv.addr, "--json", "taken.de", "taken.it")
        rows = rows_of(r)
        assert (rows["taken.de"]["status"], rows["taken.de"]["evidence"]) \
            == ("notfound", "rdap:404")
        assert (rows["taken.it"]["status"], rows["taken.it"]["evidence"]) \
            == ("found", "whois:registered")
        assert [q for _, q in srv.queries] == ["taken.it"]
        assert rdap.count("taken.de") == 1 and rdap.count("taken.it") == 0
    finally:
        rdap.close()


def test_the_table_of_servers(run, dns, no_rdap, whois, tmp_path):
    # it has a server in this table, jp none: jp has no registry service.
    srv = whois()
    table = tmp_path / "whois.txt"
    table.write_text(f"# date: 2026-05-02\nit {srv.addr}\n")
    r = run("-s", dns.addr, "--rdap-bootstrap", no_rdap, "--whois-servers",
            table, "--json", "taken.it", "x1.jp", "x2.jp")
    rows = rows_of(r)
    assert rows["taken.it"]["evidence"] == "whois:registered"
    assert (rows["x1.jp"]["status"], rows["x1.jp"]["confirmed"],
            rows["x1.jp"]["evidence"]) == ("notfound", False, "dns:nxdomain")
    assert "no registry service for .jp (2)" in r.stderr, r.stderr
    assert [q for _, q in srv.queries] == ["taken.it"]


def test_a_server_name_is_resolved_by_the_runs_resolver(run, nsd, no_rdap,
                                                        tmp_path):
    # none.dev is NXDOMAIN in the test zone; its WHOIS server's name is
    # asked of the run's resolver (NSD here), which does not know it.
    table = tmp_path / "whois.txt"
    table.write_text("dev whois.nosuch.invalid\n")
    r = run("-s", nsd.v4, "--rdap-bootstrap", no_rdap, "--whois-servers",
            table, "--json", "-v", "none", "true")
    rows = rows_of(r)
    for n in ("none.dev", "true.dev"):
        assert (rows[n]["status"], rows[n]["reason"]) == \
            ("error", "whois-unreachable"), n
    assert "cannot resolve whois.nosuch.invalid" in r.stderr, r.stderr
    assert r.returncode == 1


def test_setup_errors(run, tmp_path):
    r = run("-s", "127.0.0.1:9", "--whois-host", "127.0.0.1:x", "a.de")
    assert r.returncode == 2 and r.stdout == ""
    assert "--whois-host" in r.stderr
    bad = tmp_path / "whois.txt"
    bad.write_text("de 127.0.0.1:9\nthis line is wrong\n")
    r = run("-s", "127.0.0.1:9", "--whois-servers", bad, "a.de")
    assert r.returncode == 2 and r.stdout == ""
    assert ":2:" in r.stderr
    r = run("-s", "127.0.0.1:9", "--whois-host", "127.0.0.1",
            "--whois-rate", "0", "a.de", network=False)
    assert r.returncode == 2
