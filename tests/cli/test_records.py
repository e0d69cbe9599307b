"""JSON lines carry the answer records of every type asked, in zone-file
form (records of each type are served by the nsd fixture from
zones/dev.zone): the CNAME chain is followed, a cap holds, the marks do not
change."""

import json

import pytest

TYPES = {
    "A": ["192.0.2.40"],
    "AAAA": ["2001:db8::40"],
    "MX": ["10 mx.types.dev.", "20 mx2.types.dev."],
    "TXT": ['"v=spf1 -all" "two \\"strings\\""'],
    "CAA": ['0 issue "letsencrypt.org"'],
    "SRV": ["1 5 443 srv.types.dev."],
    "PTR": ["ptr.types.dev."],
    "DS": ["12345 13 2 0123456789ABCDEF0123456789ABCDEF"
           "0123456789ABCDEF0123456789ABCDEF"],
    "DNSKEY": ["257 3 13 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh"
               "IiMkJSYnKCkqKywtLi8w"],
    "HTTPS": ['1 . alpn="h2,h3" port=8443 ipv4hint=192.0.2.40'],
    "SVCB": ["0 svc.types.dev."],
    "NAPTR": ['100 10 "S" "SIP+D2U" "" _sip._udp.types.dev.'],
    "TYPE65534": ["\\# 3 010203"],
}


def row(run, nsd, *args):
    r = run("-s", nsd.v4, "--json", *args)
    assert r.returncode == 0, r.stderr
    assert len(r.lines) == 1
    return json.loads(r.lines[0])


@pytest.mark.parametrize("qtype", sorted(TYPES))
def test_each_type(run, nsd, qtype):
    got = row(run, nsd, "--type", qtype, "types.dev")
    assert got["status"] == "found"
    assert got["type"] == qtype
    assert [(rec["type"], rec["ttl"]) for rec in got["records"]] == \
        [(qtype, 300)] * len(TYPES[qtype])
    assert sorted(rec["data"] for rec in got["records"]) == \
        sorted(TYPES[qtype])


def test_apex_types_and_numbers(run, nsd):
    soa = row(run, nsd, "--type", "SOA", "dev.")["records"]
    assert soa == [{"type": "SOA", "ttl": 300,
                    "data": "ns.dev. hostmaster.dev. 1 3600 900 604800 300"}]
    ns = row(run, nsd, "--type", "NS", "dev.")["records"]
    assert ns == [{"type": "NS", "ttl": 300, "data": "ns.dev."}]
    # A type by number is the same question.
    assert row(run, nsd, "--type", "15", "types.dev")["records"] == \
        row(run, nsd, "--type", "MX", "types.dev")["records"]


def test_cname_chain_is_followed(run, nsd):
    got = row(run, nsd, "--type", "MX", "chain.dev")
    assert [(rec["type"], rec["data"]) for rec in got["records"]] == [
        ("CNAME", "types.dev."), ("MX", "10 mx.types.dev."),
        ("MX", "20 mx2.types.dev.")]
    # The alias of a missing name: the CNAME is all there is.
    got = row(run, nsd, "alias.dev")
    assert got["reason"] == "alias"
    assert got["records"] == [{"type": "CNAME", "ttl": 300,
                               "data": "missing.dev."}]


def test_no_records_no_field(run, nsd):
    for name in ("none.dev", "for.dev"):  # NXDOMAIN, NODATA
        assert "records" not in row(run, nsd, name)


def test_cap(run, nsd):
    got = row(run, nsd, "many.dev")
    assert len(got["records"]) == 16
    assert got["records_truncated"] is True
    assert len(got["addresses"]) == 8


def test_marks_do_not_change(run, nsd):
    r = run("-s", nsd.v4, "--type", "MX", "--order=input", "types.dev",
            "none.dev", "chain.dev")
    assert r.lines == ["+ types.dev", "  none.dev", "+ chain.dev"]


def test_records_from_faultd_are_escaped(faultd):
    from conftest import blogdom
    f = faultd(["odd.dev cname=we\\\"ird.dev"], default="nxdomain")
    r = blogdom("-s", f.addr, "--json", "odd.dev")
    got = json.loads(r.lines[0])
    assert got["records"][0]["type"] == "CNAME"
    assert "\n" not in got["records"][0]["data"]
