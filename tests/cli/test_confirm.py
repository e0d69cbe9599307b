"""--confirm: the registry (RDAP, on a loopback fixture) has the last word
on names DNS calls free."""

import json
import os
import socket
import time

import pytest

from conftest import TIMED
from rdapd import RdapServer, bootstrap_json

# WHOIS is off in these tests (an empty table of WHOIS servers): a TLD
# without RDAP has no registry service. test_whois.py asks WHOIS.
NO_WHOIS = ("--whois-servers", os.devnull)


@pytest.fixture
def rdap():
    started = []

    def start(rules):
        srv = RdapServer(rules)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.close()


def rows_of(r):
    return {row["name"]: row for row in map(json.loads, r.lines)}


def test_registered_without_dns_is_never_free(run, nsd, rdap):
    # for.dev of the book was registered with no DNS: here "gone.dev" and
    # "hold.dev" are NXDOMAIN in DNS, but the registry has them.
    srv = rdap({"gone.dev": 200, "hold.dev": 200, "*": 404})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", "gone", "hold",
            "free", "and")
    rows = rows_of(r)
    assert (rows["gone.dev"]["status"], rows["gone.dev"]["reason"],
            rows["gone.dev"]["evidence"]) == \
        ("found", "registered-no-dns", "rdap:200")
    assert rows["hold.dev"]["status"] == "found"
    assert (rows["free.dev"]["status"], rows["free.dev"]["evidence"],
            rows["free.dev"]["confirmed"]) == ("notfound", "rdap:404", True)
    # A name DNS already knows is not asked.
    assert rows["and.dev"]["evidence"] == "dns:noerror"
    assert srv.count("and.dev") == 0
    assert r.returncode == 0
    marks = run("-s", nsd.v4, "--confirm", "--rdap-url", srv.url, "gone",
                "free", "--order=input").lines
    assert marks == ["+ gone.dev", "  free.dev"]


def test_registry_errors_are_question_marks(run, nsd, rdap):
    srv = rdap({"down.dev": 500, "flaky.dev": "500x2", "*": 404})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", "down", "flaky",
            timeout=120)
    rows = rows_of(r)
    assert (rows["down.dev"]["status"], rows["down.dev"]["reason"]) == \
        ("error", "rdap-failed")
    assert srv.count("down.dev") == 3  # tries, with back-off
    assert rows["flaky.dev"]["status"] == "notfound"
    assert srv.count("flaky.dev") == 3
    assert r.returncode == 1


def test_429_pauses_the_whole_registry(run, nsd, rdap):
    srv = rdap({"busy.dev": "429x1:1", "*": 404})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--order=input", "busy",
            "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", timeout=60)
    assert r.lines[0] == "  busy.dev" and len(r.lines) == 9
    reqs = srv.requests
    first_429 = min(t for t, p in reqs if p.endswith("/busy.dev"))
    # After the 429, no request at all for its Retry-After second.
    later = [t for t, p in reqs if t > first_429 + 0.05]
    assert later and min(later) >= first_429 + 0.9
    assert "Retry-After" not in r.stderr  # a second is not worth a word


def test_a_long_retry_after_is_said_once(run, nsd, rdap):
    srv = rdap({"busy*.dev": "429x1:6", "*": 404})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "busy1", "busy2", "n1",
            timeout=60)
    assert len(r.lines) == 3
    said = [line for line in r.stderr.splitlines() if "Retry-After" in line]
    assert len(said) == 1, r.stderr
    assert "Retry-After of 6 s" in said[0]


def test_rate_per_registry(run, nsd, rdap, tmp_path):
    srv = rdap({"*": 404})
    names = tmp_path / "names.txt"
    names.write_text("".join(f"free{i}\n" for i in range(30)))
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--rdap-rate", "10", "-f",
            names, timeout=60)
    assert len(r.lines) == 30
    times = sorted(t for t, _ in srv.requests)
    for i, t in enumerate(times):
        assert sum(1 for u in times[i:] if u <= t + 1.0) <= 10
    if TIMED:
        assert r.seconds >= 2.5


def test_slow_registry_does_not_hold_up_dns_lines(faultd, rdap, tmp_path):
    import subprocess
    from conftest import BLOGDOM, WRAPPER, without_checks
    f = faultd(["taken* answer"], default="nxdomain")
    srv = rdap({"slowfree.dev": "slow:3:404", "*": 404})
    args = without_checks(["-s", f.addr, "--rdap-url", srv.url,
                           "slowfree", "taken1", "taken2"])
    proc = subprocess.Popen(WRAPPER + [BLOGDOM] + args,
                            stdout=subprocess.PIPE)
    start = time.monotonic()
    first = proc.stdout.readline().decode()
    second = proc.stdout.readline().decode()
    early = time.monotonic() - start
    rest = proc.stdout.read().decode()
    assert proc.wait(30) == 0
    assert {first, second} == {"+ taken1.dev\n", "+ taken2.dev\n"}
    assert rest == "  slowfree.dev\n"
    if TIMED:
        assert early < 2.0


def test_bootstrap_file_and_tld_without_rdap(run, nsd, rdap, tmp_path):
    srv = rdap({"gone.dev": 200, "*": 404})
    boot = tmp_path / "dns.json"
    boot.write_text(srv.bootstrap_json(["dev"]))
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "--json", "gone",
            "nope.com", "--order=input")
    rows = [json.loads(line) for line in r.lines]
    assert rows[0]["status"] == "found" and rows[0]["confirmed"] is True
    # com has no RDAP server in this bootstrap: DNS's verdict stands.
    assert (rows[1]["status"], rows[1]["confirmed"],
            rows[1]["evidence"]) == ("notfound", False, "dns:nxdomain")


def test_bad_bootstrap_is_a_setup_error(run, tmp_path):
    boot = tmp_path / "dns.json"
    boot.write_text("{not json")
    r = run("-s", "127.0.0.1:9", "--rdap-bootstrap", boot,
            *NO_WHOIS, "x")
    assert r.returncode == 2 and r.stdout == ""


def test_the_registry_is_asked_about_the_registrable_domain(run, nsd, rdap):
    # hold.dev is registered and on hold, with no DNS: the names under it
    # are taken too. Registries hold registrable domains, not the names
    # under them: each domain is asked once, whatever shares it.
    from rdapd import domain_body
    srv = rdap({"hold.dev": {"code": 200, "body": domain_body(
        "hold.dev", status=["client hold"])}, "*": 404})
    names = ["www.hold.dev", "mail.hold.dev", "hold.dev", "a.b.hold.dev",
             "www.free.dev", "free.dev", "x.free.dev"]
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", *names)
    rows = rows_of(r)
    for n in ("www.hold.dev", "mail.hold.dev", "hold.dev", "a.b.hold.dev"):
        assert (rows[n]["status"], rows[n]["reason"],
                rows[n]["evidence"]) == ("found", "on-hold", "rdap:200"), n
        assert rows[n]["rdap_status"] == ["client hold"]
    for n in ("www.free.dev", "free.dev", "x.free.dev"):
        assert (rows[n]["status"], rows[n]["evidence"]) == \
            ("notfound", "rdap:404"), n
    assert rows["www.hold.dev"]["registrable"] == "hold.dev"
    assert rows["a.b.hold.dev"]["registrable"] == "hold.dev"
    assert rows["x.free.dev"]["registrable"] == "free.dev"
    assert "registrable" not in rows["hold.dev"]
    assert "registrable" not in rows["free.dev"]
    assert srv.count("hold.dev") == 1
    assert srv.count("free.dev") == 1
    assert srv.count("www.hold.dev") == 0
    assert len(srv.requests) == 2
    assert r.returncode == 0
    r = run("-s", nsd.v4, "--confirm", "--rdap-url", srv.url,
            "--order=input", "www.hold.dev", "www.free.dev")
    assert r.lines == ["+ www.hold.dev", "  www.free.dev"]


def test_what_could_not_be_confirmed_is_said(run, nsd, rdap, tmp_path):
    # app has no RDAP service here; dev's registry answers, slowly for
    # slow.dev; a name under com goes to a server that is not there.
    srv = rdap({"slow.dev": "slow:3:404", "*": 404})
    boot = tmp_path / "dns.json"
    boot.write_text(srv.bootstrap_json(["dev"]))
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "--rdap-timeout", "500",
            "--rdap-tries", "1", "--json", "x1.app", "x2.app", "free.dev",
            "slow.dev")
    rows = rows_of(r)
    assert (rows["slow.dev"]["status"], rows["slow.dev"]["reason"],
            rows["slow.dev"]["evidence"]) == \
        ("error", "rdap-timeout", "rdap:no-answer")
    assert rows["x1.app"]["status"] == "notfound"
    assert rows["x1.app"]["confirmed"] is False
    assert srv.count("slow.dev") == 1  # --rdap-tries 1
    assert ("warning: 3 names not confirmed by their registry: no registry "
            "service for .app (2), no answer in time (1)") in r.stderr
    assert r.returncode == 1
    # quiet says nothing of it; a name every registry answers, nothing
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "-q", "x1.app")
    assert r.stderr == ""
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "free.dev")
    assert "not confirmed" not in r.stderr

    # nothing listens where the registry should be
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    r = run("-s", nsd.v4, "--rdap-url", f"http://127.0.0.1:{port}/",
            "--rdap-tries", "1", "--json", "gone")
    rows = rows_of(r)
    assert (rows["gone.dev"]["status"], rows["gone.dev"]["reason"]) == \
        ("error", "rdap-unreachable")
    assert "server unreachable (1)" in r.stderr


def test_the_next_bootstrap_url_is_asked_when_one_is_down(run, nsd, rdap,
                                                          tmp_path):
    # dev's registry is listed at two base URLs; nothing listens at the
    # first. Every name is still answered, by the second.
    srv = rdap({"gone.dev": 200, "*": 404})
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    down = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    boot = tmp_path / "dns.json"
    boot.write_text(bootstrap_json(["dev"], [down, srv.url]))
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "--rdap-tries", "1",
            "--json", "gone", "free", "--order=input")
    rows = rows_of(r)
    assert (rows["gone.dev"]["status"], rows["gone.dev"]["evidence"]) == \
        ("found", "rdap:200")
    assert (rows["free.dev"]["status"], rows["free.dev"]["evidence"]) == \
        ("notfound", "rdap:404")
    assert srv.count("gone.dev") == 1 and srv.count("free.dev") == 1
    assert "not confirmed" not in r.stderr
    # Both down: the last one's failure is the line's.
    boot.write_text(bootstrap_json(["dev"], [down, down + "v2/"]))
    r = run("-s", nsd.v4, "--rdap-bootstrap", boot,
            *NO_WHOIS, "--rdap-tries", "1",
            "--json", "free")
    assert json.loads(r.lines[0])["reason"] == "rdap-unreachable"
