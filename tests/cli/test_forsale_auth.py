"""--for-sale with --authoritative: the _for-sale query goes through the
map of zones, to the zone that holds the name's suffix, as the name's own
query did, and on to a delegated name's own servers (the auth rig,
authrig.py, in a namespace with only loopback)."""

import json
import re

from authrig import ROOT
from authrig import authrig_fixture  # noqa: F401 (the authrig fixture)


def test_for_sale_through_the_map(authrig):
    r = authrig.run("--root", ROOT, "--for-sale", "--json", "--stats",
                    "--order=input", "shop.dev", "and.dev", "deleg.dev",
                    "none.dev")
    rows = [json.loads(line) for line in r.lines]
    assert [row["name"] for row in rows] == ["shop.dev", "and.dev",
                                             "deleg.dev", "none.dev"]
    shop, plain, deleg, free = rows
    assert shop["status"] == "found" and shop["zone"] == "dev"
    assert shop["for_sale"] == [{"fval": "USD1000"}]
    assert "for_sale" not in plain
    # A delegated name's own servers (127.0.0.99) cannot be reached: its
    # lookup is counted and said, never taken for "not for sale".
    assert deleg["reason"] == "delegated" and "for_sale" not in deleg
    assert free["status"] == "notfound"
    assert "for sale: 1 names, 0 malformed records, 1 lookups without an " \
           "answer" in r.stderr, r.stderr
    assert any("127.0.0.99" in x and "deleg.dev" in x
               for x in r.stderr.splitlines()), r.stderr
    marks = authrig.run("--root", ROOT, "--only", "for-sale", "shop.dev",
                        "and.dev")
    assert marks.lines == ["+ shop.dev"]


def test_a_delegated_names_own_servers_are_asked(authrig):
    # store.dev.: glue in dev., its own zone on 127.0.0.8; glueless.dev.:
    # its server named under net. and looked up there. Both hold their
    # _for-sale records in their own zones.
    names = ["store.dev", "glueless.dev", "shop.dev", "and.dev"]
    r = authrig.run("--root", ROOT, "--for-sale", "--json", "--order=input",
                    *names)
    rows = [json.loads(line) for line in r.lines]
    assert [(x["name"], x["reason"], x["zone"]) for x in rows] == [
        ("store.dev", "delegated", "dev"), ("glueless.dev", "delegated", "dev"),
        ("shop.dev", "answer", "dev"), ("and.dev", "answer", "dev")]
    assert rows[0]["for_sale"] == [{"fval": "EUR50"}]
    assert rows[1]["for_sale"] == [{"ftxt": "ask us"}]
    assert "for_sale" not in rows[3]
    assert r.returncode == 0
    marks = authrig.run("--root", ROOT, "--only", "for-sale", *names)
    assert sorted(marks.lines) == ["+ glueless.dev", "+ shop.dev",
                                   "+ store.dev"]
    assert marks.returncode == 0


def test_a_delegated_names_records_come_from_its_own_servers(authrig):
    # --type with JSON lines: the registry's zone only refers store.dev and
    # glueless.dev to their own servers, which hold their records; the
    # verdict stays the registry's. deleg.dev's own server (127.0.0.99)
    # refuses every query (nothing listens there): its line says so, and
    # --stats counts it.
    names = ["store.dev", "glueless.dev", "shop.dev", "deleg.dev"]
    r = authrig.run("--root", ROOT, "--json", "--order=input", "--stats",
                    "--type", "A", "--timeout", "300", "--tries", "2",
                    *names)
    rows = {x["name"]: x for x in map(json.loads, r.lines)}
    store, glueless, shop, deleg = (rows[n] for n in names)
    assert (store["status"], store["reason"], store["zone"]) == \
        ("found", "delegated", "dev")
    assert store["addresses"] == ["192.0.2.40"]
    assert store["records"] == [{"type": "A", "ttl": 300,
                                 "data": "192.0.2.40"}]
    assert glueless["addresses"] == ["192.0.2.41"]
    assert shop["reason"] == "answer" and shop["addresses"] == ["192.0.2.30"]
    assert deleg["status"] == "found" and deleg["reason"] == "delegated"
    assert "records" not in deleg and deleg["addresses"] == []
    assert deleg["records_error"] == "unreachable", deleg
    assert "delegated names' records: 3 asked of their own servers, 1 " \
           "without an answer" in r.stderr, r.stderr
    assert r.returncode == 0

    mx = authrig.run("--root", ROOT, "--json", "--type", "MX", "store.dev")
    row = json.loads(mx.lines[0])
    assert row["records"] == [{"type": "MX", "ttl": 300,
                               "data": "10 mail.store.dev."}]

    # Marks show no records: nothing is asked beyond the registry's zone.
    plain = authrig.run("--root", ROOT, "--stats", "--type", "A", *names)
    assert sorted(plain.lines) == ["+ deleg.dev", "+ glueless.dev",
                                   "+ shop.dev", "+ store.dev"]
    assert "delegated names' records" not in plain.stderr


def queries_of(run):
    return int(re.search(r"; (\d+) queries,", run.stderr).group(1))


def test_a_delegated_names_own_zone_is_asked_once_found(authrig):
    # The referral that makes store.dev a "delegated" name names its own
    # servers: its records and its _for-sale record are asked there
    # straight away (two queries), not of dev.'s servers again. and.dev
    # lives in dev. itself: its _for-sale record is asked there (one).
    # One name a run: with two, which of dev.'s servers (one refuses)
    # gets the follow-up query depends on which answer comes first.
    for name, more in (("store.dev", 2), ("and.dev", 1)):
        plain = authrig.run("--root", ROOT, "--stats", "--json", name)
        both = authrig.run("--root", ROOT, "--stats", "--json", "--type",
                           "A", "--for-sale", name)
        row = json.loads(both.lines[0])
        if name == "store.dev":
            assert row["for_sale"] == [{"fval": "EUR50"}]
            assert row["addresses"] == ["192.0.2.40"]
        else:
            assert row["reason"] == "answer"
        assert queries_of(both) - queries_of(plain) == more, (
            name, plain.stderr, both.stderr)
