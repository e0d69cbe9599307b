"""--confirm with the registry's word in full: a 200's status values and
dates go on JSON lines, name the reason of a name on its way out or held,
and a 200 whose body is no domain object is '?' (rdap-bad-response),
never a guess. The RDAP server is the loopback fixture (rdapd.py)."""

import json

import pytest

from rdapd import RdapServer, domain_body

EXPIRES = "2026-09-01T00:00:00Z"
DELETES = "2026-08-06T12:30:00.5+02:00"
DELETES_UTC = "2026-08-06T10:30:00Z"  # as a line has it


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


def body(name, status, events=()):
    return {"code": 200, "body": domain_body(name, status, events)}


def test_status_values_name_the_reason(run, nsd, rdap):
    srv = rdap({
        "active.dev": body("active.dev", ["active"],
                           [("registration", "2020-01-01T00:00:00Z"),
                            ("expiration", EXPIRES)]),
        "redeem.dev": body("redeem.dev",
                           ["redemption period", "pending delete"],
                           [("expiration", EXPIRES), ("deletion", DELETES)]),
        "dropping.dev": body("dropping.dev", ["pending delete"],
                             [("deletion", DELETES)]),
        "held.dev": body("held.dev", ["client hold", "client transfer "
                                      "prohibited"]),
        "frozen.dev": body("frozen.dev", ["server hold"]),
        "epp.dev": body("epp.dev", ["clientHold"]),
        "bare.dev": {"code": 200, "body": {"objectClassName": "domain"}},
        "*": 404})
    names = ["active", "redeem", "dropping", "held", "frozen", "epp", "bare",
             "free"]
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", *names)
    rows = rows_of(r)
    want = {
        "active.dev": ("registered-no-dns", ["active"], EXPIRES, None),
        "redeem.dev": ("redemption", ["redemption period", "pending delete"],
                       EXPIRES, DELETES_UTC),
        "dropping.dev": ("pending-delete", ["pending delete"], None,
                         DELETES_UTC),
        "held.dev": ("on-hold", ["client hold", "client transfer prohibited"],
                     None, None),
        "frozen.dev": ("on-hold", ["server hold"], None, None),
        "epp.dev": ("on-hold", ["clientHold"], None, None),
        "bare.dev": ("registered-no-dns", [], None, None),
    }
    for name, (reason, status, expires, deletes) in want.items():
        row = rows[name]
        assert (row["status"], row["reason"], row["evidence"],
                row["confirmed"]) == ("found", reason, "rdap:200", True), row
        assert row["rdap_status"] == status, row
        assert row.get("expires") == expires, row
        assert row.get("deletes") == deletes, row
    free = rows["free.dev"]
    assert free["status"] == "notfound" and "rdap_status" not in free
    assert r.returncode == 0
    # The marks do not change: a name on its way out is still taken.
    marks = run("-s", nsd.v4, "--rdap-url", srv.url, "--order=input",
                "redeem", "held", "free").lines
    assert marks == ["+ redeem.dev", "+ held.dev", "  free.dev"]


def test_malformed_bodies_are_bad_responses(run, nsd, rdap):
    bad = {
        "notjson.dev": "<html>registered</html>",
        "array.dev": [{"objectClassName": "domain"}],
        "noclass.dev": {"ldhName": "noclass.dev", "status": ["active"]},
        "entity.dev": {"objectClassName": "entity"},
        "statusstr.dev": {"objectClassName": "domain", "status": "active"},
        "statusnum.dev": {"objectClassName": "domain", "status": [1]},
        "eventsobj.dev": {"objectClassName": "domain", "events": {}},
        "eventnum.dev": {"objectClassName": "domain", "events": [7]},
        # a domain object, but for another domain
        "other.dev": {"objectClassName": "domain", "ldhName": "else.dev"},
        "under.dev": {"objectClassName": "domain", "ldhName": "x.under.dev"},
        "dupkey.dev": '{"objectClassName":"domain","status":["active"],'
                      '"status":["redemption period"]}',
        "blank.dev": "",
        "huge.dev": '{"objectClassName":"domain","pad":"' +
                    "x" * (300 * 1024) + '"}',
    }
    srv = rdap({name: {"code": 200, "body": b} for name, b in bad.items()})
    names = [n.split(".")[0] for n in bad]
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", *names,
            timeout=120)
    rows = rows_of(r)
    assert set(rows) == set(bad)
    for name, row in rows.items():
        assert (row["status"], row["reason"], row["evidence"],
                row["confirmed"]) == \
            ("error", "rdap-bad-response", "rdap:200", False), row
        assert "rdap_status" not in row
        # A body that is no answer is not asked again.
        assert srv.count(name) == 1
    assert r.returncode == 1
    marks = run("-s", nsd.v4, "--rdap-url", srv.url, "notjson").lines
    assert marks == ["? notjson.dev"]


def test_dates_are_utc_or_left_out(run, nsd, rdap):
    # A date is written in RFC 3339 in UTC; one that is no date costs
    # itself, with a flag, not the registry's answer.
    srv = rdap({"odd.dev": body("odd.dev", ["client hold"],
                                [("expiration", "2026-01-01\u202e"),
                                 ("deletion", "2026-12-31")]),
                "odd2.dev": body("odd2.dev", ["active"],
                                 [("expiration", "2026-01-01 12:00"),
                                  ("deletion", "2026-06-30T23:00:00-02:00")]),
                "nodate.dev": body("nodate.dev", ["active"],
                                   [("expiration", "next week")])})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", "odd", "odd2",
            "nodate")
    rows = rows_of(r)
    for line in r.lines:
        assert "\u202e" not in line
    assert (rows["odd.dev"]["reason"], rows["odd.dev"]["deletes"],
            rows["odd.dev"]["rdap_dates_dropped"]) == \
        ("on-hold", "2026-12-31T00:00:00Z", True)
    assert "expires" not in rows["odd.dev"]
    assert (rows["odd2.dev"]["reason"], rows["odd2.dev"]["deletes"],
            rows["odd2.dev"]["rdap_dates_dropped"]) == \
        ("registered-no-dns", "2026-07-01T01:00:00Z", True)
    assert rows["nodate.dev"]["rdap_dates_dropped"] is True
    assert r.returncode == 0


def test_long_and_many_status_values_are_cut_and_flagged(run, nsd, rdap):
    values = ["client hold", "x" * 5000] + [f"s{i}" for i in range(20)]
    srv = rdap({"long.dev": body("long.dev", values)})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", "long")
    row = json.loads(r.lines[0])
    assert (row["reason"], row["rdap_status_truncated"]) == ("on-hold", True)
    assert len(row["rdap_status"]) == 16
    assert row["rdap_status"][1] == "x" * 64


def test_strings_as_sent_with_escapes(run, nsd, rdap):
    odd = ["client hold", "a\"b\\c", "\u202eevil", "tab\there", "caf\u00e9"]
    srv = rdap({"odd.dev": body("odd.dev", odd,
                                [("expiration", "2026-01-01T00:00:00Z")])})
    r = run("-s", nsd.v4, "--rdap-url", srv.url, "--json", "odd")
    assert "\u202e" not in r.stdout and "\t" not in r.stdout
    row = json.loads(r.lines[0])
    assert row["reason"] == "on-hold"
    # Decoded, each string is what the registry sent; raw, the override
    # and the tab are escapes.
    assert row["rdap_status"] == odd
    assert row["expires"] == "2026-01-01T00:00:00Z"
