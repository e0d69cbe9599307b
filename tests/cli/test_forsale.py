"""--for-sale: every name that exists is asked for its "_for-sale" TXT
records (RFC 10023) through the same servers; valid ones go on its JSON
line, malformed ones are counted in --stats, the marks do not change, and
--only for-sale keeps the names for sale. The records are in
zones/dev.zone, served by the nsd fixture."""

import json

from conftest import TIMED

SALE = [{"ftxt": "Make an offer; serious buyers only"},
        {"furi": "https://broker.example/buy?d=sale.dev"},
        {"furi": "mailto:sales@broker.example"},
        {"fcod": "NLREG-4711"},
        {"fval": "EUR999.95"}]


def rows_of(r):
    return {row["name"]: row for row in map(json.loads, r.lines)}


def test_records_on_json_lines(run, nsd):
    r = run("-s", nsd.v4, "--for-sale", "--json", "--stats", "shop", "sale",
            "badsale", "junksale", "and", "none")
    rows = rows_of(r)
    assert rows["shop.dev"]["for_sale"] == [{"fval": "USD1000"}]
    # Several records, in the order sent (NSD keeps the zone's order);
    # another TXT record at the node is no for-sale record.
    assert rows["sale.dev"]["for_sale"] == SALE
    # Malformed records are left out; the good one beside them stays.
    assert rows["badsale.dev"]["for_sale"] == [{"ftxt": "still for sale"}]
    for name in ("junksale.dev", "and.dev", "none.dev"):
        assert "for_sale" not in rows[name], rows[name]
    for row in rows.values():
        assert row["status"] == ("notfound" if row["name"] == "none.dev"
                                 else "found")
    assert r.returncode == 0
    # 6 malformed records under badsale (bad price, ftp URI, unknown tag,
    # no content tag, a control character, over 255 octets) and 1 under
    # junksale.
    assert "for sale: 3 names, 7 malformed records, 0 lookups without an " \
           "answer" in r.stderr, r.stderr


def test_marks_do_not_change_and_only_for_sale(run, nsd):
    names = ["shop", "sale", "badsale", "junksale", "and", "none"]
    r = run("-s", nsd.v4, "--for-sale", "--order=input", *names)
    assert r.lines == ["+ shop.dev", "+ sale.dev", "+ badsale.dev",
                       "+ junksale.dev", "+ and.dev", "  none.dev"]
    # --only for-sale implies --for-sale, and alone keeps those names.
    r = run("-s", nsd.v4, "--only", "for-sale", "--order=input", *names)
    assert r.lines == ["+ shop.dev", "+ sale.dev", "+ badsale.dev"]
    assert r.returncode == 0
    r = run("-s", nsd.v4, "--only", "notfound,for-sale", "--order=input",
            *names)
    assert r.lines == ["+ shop.dev", "+ sale.dev", "+ badsale.dev",
                       "  none.dev"]
    # Without --for-sale nobody is asked, and nothing is for sale.
    r = run("-s", nsd.v4, "--json", "shop")
    assert "for_sale" not in json.loads(r.lines[0])


def test_outside_bytes_are_escaped(run, nsd):
    r = run("-s", nsd.v4, "--for-sale", "--json", "oddsale")
    assert "\u202e" not in r.stdout
    row = json.loads(r.lines[0])
    # Decoded, the text as sent; raw, the bidirectional override is an
    # escape (\u202e) that no terminal acts on.
    assert row["for_sale"] == [
        {"ftxt": "\"quoted\" \\ caf\u00e9 \u202ertl"}]
    assert "\\u202e" in r.stdout


def test_asked_through_the_same_server_under_the_same_rules(faultd):
    """A slow, failing and truncating server: the lookup retries, goes
    over TCP after a truncated answer, and a name whose lookup never gets
    an answer keeps its verdict."""
    from conftest import blogdom
    f = faultd(["_for-sale.shop.dev tc",
                "_for-sale.slow.dev delay=300",
                "_for-sale.gone.dev drop",
                "*.dev answer"], default="nxdomain")
    r = blogdom("-s", f.addr, "--for-sale", "--json", "--stats",
                "--timeout", "500", "--tries", "2", "shop", "slow", "gone",
                "plain")
    rows = rows_of(r)
    assert set(rows) == {"shop.dev", "slow.dev", "gone.dev", "plain.dev"}
    for row in rows.values():
        assert row["status"] == "found", row
        assert "for_sale" not in row
    assert r.returncode == 0
    asked = [q for q in f.queries() if q[2].startswith("_for-sale.")]
    by_name = {}
    for q in asked:
        by_name.setdefault(q[2].rstrip("."), []).append(q)
    assert {q[3] for q in asked} == {16}  # TXT
    assert [q[1] for q in by_name["_for-sale.shop.dev"]] == ["udp", "tcp"]
    assert len(by_name["_for-sale.gone.dev"]) == 2  # --tries
    assert "1 lookups without an answer" in r.stderr, r.stderr


def test_slow_lookups_do_not_hold_up_free_names(faultd):
    import subprocess
    import time
    from conftest import BLOGDOM, WRAPPER, without_checks
    f = faultd(["_for-sale.slow*.dev delay=1500", "slow*.dev answer"],
               default="nxdomain")
    args = without_checks(["-s", f.addr, "--for-sale", "--timeout", "3000",
                           "slow1", "slow2", "free1", "free2"])
    proc = subprocess.Popen(WRAPPER + [BLOGDOM] + args,
                            stdout=subprocess.PIPE)
    start = time.monotonic()
    first = proc.stdout.readline().decode()
    second = proc.stdout.readline().decode()
    early = time.monotonic() - start
    rest = proc.stdout.read().decode()
    assert proc.wait(30) == 0
    assert {first, second} == {"  free1.dev\n", "  free2.dev\n"}
    assert sorted(rest.splitlines()) == ["+ slow1.dev", "+ slow2.dev"]
    if TIMED:
        assert early < 1.0


def test_names_too_long_for_the_node_skip_it(run, nsd):
    label = "a" * 60
    name = ".".join([label] * 4)[:240] + ".dev"
    r = run("-s", nsd.v4, "--for-sale", "--json", name)
    row = json.loads(r.lines[0])
    assert row["status"] == "notfound"
    r = run("-s", nsd.v4, "--for-sale", "--stats", "and")
    assert r.lines == ["+ and.dev"]
