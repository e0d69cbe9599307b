"""--for-sale with --authoritative: the _for-sale query goes through the
map of zones, to the zone that holds the name's suffix, as the name's own
query did (the auth rig, authrig.py, in a namespace with only loopback)."""

import json

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
    # A delegated name's records are in its own zone: not asked here.
    assert deleg["reason"] == "delegated" and "for_sale" not in deleg
    assert free["status"] == "notfound"
    assert "for sale: 1 names, 0 malformed records, 0 lookups without an " \
           "answer" in r.stderr, r.stderr
    marks = authrig.run("--root", ROOT, "--only", "for-sale", "shop.dev",
                        "and.dev")
    assert marks.lines == ["+ shop.dev"]
