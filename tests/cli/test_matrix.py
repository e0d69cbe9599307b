"""The fault matrix: for each fault, the exact verdict of every name and the
exit status."""

import json

import pytest

# rule for the faulty name -> (status, reason, tries) it must end with,
# probed with --timeout 200 --tries 3 beside a healthy name.
MATRIX = {
    "delay=100,answer": ("found", "answer", 1),
    "drop": ("error", "timeout", 3),
    "drop-first=2,answer": ("found", "answer", 3),
    "servfail": ("error", "servfail", 1),
    "refused": ("error", "refused", 1),
    "formerr": ("error", "formerr", 1),
    "notimp": ("error", "notimp", 1),
    "rcode=9": ("error", "rcode", 1),
    "nxdomain": ("notfound", "nxdomain", 1),
    "nodata": ("found", "nodata", 1),
    "cname=missing.dev,nxdomain": ("found", "alias", 1),
    "tc,a=192.0.2.7": ("found", "answer", 1),
    "wrong-id,a=192.0.2.7": ("found", "answer", 1),
    "wrong-id,drop": ("error", "timeout", 3),
    "wrong-question,a=192.0.2.7": ("found", "answer", 1),
    "wrong-question,drop": ("error", "timeout", 3),
    "garbage": ("error", "timeout", 3),
    "malformed": ("error", "bad-response", 3),
    "big": ("found", "answer", 1),
    "tcp-close": ("error", "unreachable", 3),
}


@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_fault(run, faultd, rule):
    status, reason, tries = MATRIX[rule]
    f = faultd([f"faulty.dev {rule}", "healthy.dev answer"])
    r = run("-s", f.addr, "--timeout", "200", "--tries", "3", "--json",
            "--order=input", "faulty", "healthy")
    rows = [json.loads(line) for line in r.lines]
    assert [row["name"] for row in rows] == ["faulty.dev", "healthy.dev"]
    faulty, healthy = rows
    assert (faulty["status"], faulty["reason"], faulty["tries"]) == \
        (status, reason, tries), faulty
    assert healthy["status"] == "found"
    assert r.returncode == (1 if status == "error" else 0)
    marks = run("-s", f.addr, "--timeout", "200", "--tries", "3",
                "faulty").lines
    assert marks == [{"found": "+ ", "notfound": "  ",
                      "error": "? "}[status] + "faulty.dev"]


def test_truncated_answer_is_fetched_over_tcp(run, faultd):
    f = faultd(["*.dev tc,a=192.0.2.7,a=192.0.2.8"])
    r = run("-s", f.addr, "--json", "tcname")
    row = json.loads(r.stdout)
    assert row["addresses"] == ["192.0.2.7", "192.0.2.8"]
    transports = [q[1] for q in f.queries()]
    assert transports == ["udp", "tcp"]


def test_answer_larger_than_512_bytes_over_edns(run, faultd):
    f = faultd(["*.dev big"])
    r = run("-s", f.addr, "--json", "large")
    row = json.loads(r.stdout)
    assert row["status"] == "found"
    assert len(row["addresses"]) == 8  # the first 8 of 60 are kept
    assert [q[1] for q in f.queries()] == ["udp"]


def test_wrong_answers_do_not_count(run, faultd):
    # Bogus answers first, the real one 100 ms later: only the real one
    # may decide (a spoofed NXDOMAIN must not make a taken name free).
    f = faultd(["spoofid.dev wrong-id,delay=100,a=192.0.2.7",
                "spoofq.dev wrong-question,delay=100,a=192.0.2.7"])
    r = run("-s", f.addr, "--json", "spoofid", "spoofq")
    rows = [json.loads(line) for line in r.lines]
    assert all(row["addresses"] == ["192.0.2.7"] for row in rows)
    assert all(row["tries"] == 1 for row in rows)


def test_failover_order_over_three_servers(run, faultd):
    dead1 = faultd(["*.dev drop"])
    dead2 = faultd(["*.dev drop"])
    live = faultd(["*.dev answer"])
    r = run("-s", dead1.addr, "-s", dead2.addr, "-s", live.addr,
            "--timeout", "200", "--tries", "3", "--json", "one")
    row = json.loads(r.stdout)
    assert row["status"] == "found"
    assert row["tries"] == 3
    assert row["server"] == live.addr
    assert len(dead1.queries()) == 1 and len(dead2.queries()) == 1
