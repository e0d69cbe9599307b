"""--authoritative (-A): no resolver; blogdom follows referrals from the
root down to the zone that holds each name's public suffix and asks that
zone's own servers, with RD=0.

Every run of blogdom here happens inside the rig's network namespace
(authrig.py), which has nothing but loopback: the built-in root hints are
public addresses, and there they cannot be reached even by a run that
forgot --root. The one run that uses them on purpose is in a namespace of
its own too (the netns fixture)."""

import json
import random
import re
import subprocess

import pytest

import conftest
from authrig import NOBODY, RESOLVER, ROOT
from authrig import authrig_fixture  # noqa: F401 (the authrig fixture)
from conftest import BOOK_FOUND, BOOK_ORDER, TIMED, blogdom

BOOK_LINES = [("+ " if n in BOOK_FOUND else "  ") + n + ".dev"
              for n in BOOK_ORDER]

# IANA's named.root: the 13 root servers, IPv4 and IPv6.
ROOT_HINTS = {
    "a": ("198.41.0.4", "2001:503:ba3e::2:30"),
    "b": ("170.247.170.2", "2801:1b8:10::b"),
    "c": ("192.33.4.12", "2001:500:2::c"),
    "d": ("199.7.91.13", "2001:500:2d::d"),
    "e": ("192.203.230.10", "2001:500:a8::e"),
    "f": ("192.5.5.241", "2001:500:2f::f"),
    "g": ("192.112.36.4", "2001:500:12::d0d"),
    "h": ("198.97.190.53", "2001:500:1::53"),
    "i": ("192.36.148.17", "2001:7fe::53"),
    "j": ("192.58.128.30", "2001:503:c27::2:30"),
    "k": ("193.0.14.129", "2001:7fd::1"),
    "l": ("199.7.83.42", "2001:500:9f::42"),
    "m": ("202.12.27.33", "2001:dc3::35"),
}


def auth(rig, *args, **kw):
    """blogdom -A against the rig's root, in input order."""
    return rig.run("-A", "--root", ROOT, "--order=input", *args, **kw)


def rows_of(r):
    return [json.loads(line) for line in r.lines]


def table(r):
    """(name, status, reason, evidence, zone, server) of each JSON line."""
    return [(x["name"], x["status"], x["reason"], x["evidence"],
             x.get("zone"), x.get("server")) for x in rows_of(r)]


def mentions(line, addr):
    """Whether a line names addr (not as the start of a longer address)."""
    return re.search(re.escape(addr) + r"(?![\d.])", line) is not None


def lines_about(r, addr, zone=None):
    """The stderr lines that name the server at addr (and zone, a word)."""
    return [x for x in r.stderr.splitlines() if mentions(x, addr) and
            (zone is None or re.search(rf"\b{re.escape(zone)}\b", x))]


def one_warning(r, addr, zone):
    """The one warning that sidelines the server at addr for zone."""
    lines = lines_about(r, addr, zone)
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("blogdom: warning: "), lines[0]
    return lines[0]


def only_lame_dev_warnings(r):
    """Runs under dev. may meet its lame second server (127.0.0.4): a
    warning about it is the only stderr allowed."""
    for line in r.stderr.splitlines():
        assert mentions(line, "127.0.0.4") and "dev" in line, r.stderr


# ---- the rig itself ----------------------------------------------------


def test_rig_servers_answer_as_intended(authrig):
    ask = [
        # 0-4 the root: referrals with glue, none for com., NXDOMAIN for
        # a TLD that does not exist, a referral back to itself for lamey.
        (ROOT, "and.dev"), (ROOT, "and.com"), (ROOT, "x.zzq"),
        (ROOT, "example.co.uk"), (ROOT, "x.lamey"),
        # 5-11 dev.: authority, NXDOMAIN, NODATA, delegations
        ("127.0.0.3", "and.dev"), ("127.0.0.3", "none.dev"),
        ("127.0.0.3", "for.dev"), ("127.0.0.3", "deleg.dev"),
        ("127.0.0.3", "www.deleg.dev"), ("127.0.0.3", "away.dev"),
        ("127.0.0.4", "and.dev"),
        # 12-14 com. through net.
        ("127.0.0.6", "ns.nic.net"), ("127.0.0.5", "and.com"),
        ("127.0.0.5", "none.com"),
        # 15-18 uk., with org.uk cut off
        ("127.0.0.7", "example.co.uk"), ("127.0.0.7", "none.co.uk"),
        ("127.0.0.7", "example.org.uk"), ("127.0.0.8", "example.org.uk"),
        # 19-21 wild., app.
        ("127.0.0.3", "anything.wild"), ("127.0.0.9", "h1.app"),
        ("127.0.0.9", "f1.app"),
        # 22-25 the faultds and the address nothing listens on
        ("127.0.0.10", "tc.tcz"), ("127.0.0.11", "x.sfail"),
        ("127.0.0.12", "x.mute"), (NOBODY, "x.gone"),
        # 26-28 oob.: no glue, its server's name under tcz.
        (ROOT, "and.oob"), ("127.0.0.10", "ns.oob-host.tcz"),
        ("127.0.0.5", "and.oob"),
    ]
    a = authrig.ask_many({"addr": addr, "name": name, "timeout": 0.5}
                         for addr, name in ask)

    def referral(reply, zone, glue):
        assert (reply["rcode"], reply["aa"], reply["answer"]) == \
            (0, False, []), reply
        assert {r[0] for r in reply["authority"]} == {zone}, reply
        assert {r[1] for r in reply["authority"]} == {2}, reply
        assert sorted(r[2] for r in reply["additional"] if r[1] == 1) == \
            sorted(glue), reply

    def authority(reply, rcode, answer):
        assert (reply["rcode"], reply["aa"], reply["tc"]) == \
            (rcode, True, False), reply
        assert [r[2] for r in reply["answer"]] == answer, reply

    referral(a[0], "dev", ["127.0.0.3", "127.0.0.4"])
    referral(a[1], "com", [])
    assert [r[2] for r in a[1]["authority"]] == ["ns.nic.net"]
    authority(a[2], 3, [])
    referral(a[3], "uk", ["127.0.0.7"])
    referral(a[4], "lamey", [ROOT])
    authority(a[5], 0, ["192.0.2.1"])
    authority(a[6], 3, [])
    authority(a[7], 0, [])
    referral(a[8], "deleg.dev", [NOBODY])
    referral(a[9], "deleg.dev", [NOBODY])
    referral(a[10], "away.dev", [])
    assert (a[11]["rcode"], a[11]["aa"]) == (5, False)  # REFUSED
    authority(a[12], 0, ["127.0.0.5"])
    authority(a[13], 0, ["192.0.2.21"])
    authority(a[14], 3, [])
    authority(a[15], 0, ["192.0.2.41"])
    authority(a[16], 3, [])
    referral(a[17], "org.uk", ["127.0.0.8"])
    authority(a[18], 0, ["192.0.2.42"])
    authority(a[19], 0, ["192.0.2.99"])
    authority(a[20], 0, ["192.0.2.101"])
    authority(a[21], 3, [])
    assert (a[22]["rcode"], a[22]["tc"], a[22]["answer"]) == (0, True, [])
    assert a[23]["rcode"] == 2  # SERVFAIL
    assert a[24] is None and a[25] is None
    referral(a[26], "oob", [])
    assert [r[2] for r in a[26]["authority"]] == ["ns.oob-host.tcz"]
    authority(a[27], 0, ["127.0.0.5"])
    authority(a[28], 0, ["192.0.2.61"])
    # Over TCP the truncated answer comes whole.
    authority(authrig.ask("127.0.0.10", "tc.tcz", tcp=True), 0,
              ["192.0.2.7"])
    # The resolver iterates from the rig's root.
    r = authrig.ask(RESOLVER, "example.co.uk", rd=True, timeout=5)
    assert (r["rcode"], r["aa"], [x[2] for x in r["answer"]]) == \
        (0, False, ["192.0.2.41"])
    # RRL bites: of 100 NXDOMAINs sent at once, some come back truncated
    # and some not at all; answers for names that exist are not limited.
    nx = authrig.blast("127.0.0.9", [f"probe{i}.app" for i in range(100)])
    assert nx["truncated"] > 0 and nx["silent"] > 0, nx
    ok = authrig.blast("127.0.0.9", [f"h{i}.app" for i in range(100)])
    assert ok == {"whole": 100, "truncated": 0, "silent": 0}, ok


def test_the_harness_refuses_authoritative_runs_without_a_loopback_root(
        monkeypatch):
    def ran(*args, **kw):
        pytest.fail(f"blogdom ran: {args}")

    refused = {
        "loopback --root": [
            ["-A", "and"], ["--authoritative", "and"], ["--auth", "and"],
            ["-jA", "and"], ["-qAj", "and"], ["-A", "-s", "127.0.0.1"],
            ["--authoritative", "-s", "127.0.0.1", "--json"],
            ["-s", "127.0.0.1", "and", "-A"]],
        "not a loopback": [
            ["--root", "198.41.0.4", "and"], ["--ro=192.0.2.1", "and"],
            ["-A", "--root", "198.41.0.4"],
            ["--root", "127.0.0.2,8.8.8.8", "and"],
            ["--root", "127.0.0.2", "--root", "[2001:db8::1]:53"],
            ["-A", "--root", "127.0.0.2", "-s", "10.0.0.1", "and"]],
    }
    monkeypatch.setattr(subprocess, "run", ran)
    for message, cases in refused.items():
        for args in cases:
            for network in (True, False):
                with pytest.raises(AssertionError, match=message):
                    blogdom(*args, network=network)
    # Runs that are not --authoritative, or name loopback roots, pass.
    for args in (["-A", "--root", "127.0.0.2", "and"],
                 ["--root=127.0.0.2:53", "and"],
                 ["--root", "[::1]:5353", "-A"],
                 ["-tA", "-s", "127.0.0.1", "and"],
                 ["-s", "127.0.0.1", "-t", "A", "and"],
                 ["-s", "127.0.0.1", "--", "-A"]):
        conftest.loopback_only(args)
        conftest.loopback_roots_only(args)
    assert not conftest.authoritative(["-tA", "-s", "127.0.0.1"])
    assert conftest.authoritative(["--root", "127.0.0.2"])


# ---- verdicts ------------------------------------------------------------


def test_names_under_dev(authrig):
    names = ["and.dev", "none.dev", "for.dev", "empty.dev", "deleg.dev",
             "www.deleg.dev", "away.dev"]
    r = auth(authrig, *names)
    assert r.lines == ["+ and.dev", "  none.dev", "+ for.dev", "+ empty.dev",
                       "+ deleg.dev", "+ www.deleg.dev", "+ away.dev"]
    assert r.returncode == 0, r.stderr
    only_lame_dev_warnings(r)
    r = auth(authrig, "--json", *names)
    good = "127.0.0.3:53"
    assert table(r) == [
        ("and.dev", "found", "answer", "auth:noerror", "dev", good),
        ("none.dev", "notfound", "nxdomain", "auth:nxdomain", "dev", good),
        ("for.dev", "found", "nodata", "auth:noerror", "dev", good),
        ("empty.dev", "found", "nodata", "auth:noerror", "dev", good),
        # delegated: to a server that does not exist (127.0.0.99), to a
        # name server whose name does not exist; a name below a delegation
        ("deleg.dev", "found", "delegated", "auth:referral", "dev", good),
        ("www.deleg.dev", "found", "delegated", "auth:referral", "dev",
         good),
        ("away.dev", "found", "delegated", "auth:referral", "dev", good)]
    assert r.returncode == 0
    only_lame_dev_warnings(r)


def test_alias_to_a_missing_name_is_taken(authrig):
    # NSD answers NXDOMAIN with the CNAME in the answer (RFC 6604): the
    # alias itself exists.
    r = auth(authrig, "alias.dev", "--json")
    [row] = rows_of(r)
    assert (row["name"], row["status"], row["zone"], row["server"]) == \
        ("alias.dev", "found", "dev", "127.0.0.3:53")
    assert row["reason"] in ("alias", "answer"), row
    assert r.returncode == 0


def test_the_books_names_and_a_lame_server(authrig):
    # dev.'s second server refuses everything: it is sidelined for dev.
    # with one warning, and every name is answered by the first.
    more = [f"n{i}" for i in range(60)]
    r = auth(authrig, *BOOK_ORDER, *more)
    assert r.lines == BOOK_LINES + [f"  {n}.dev" for n in more]
    assert r.returncode == 0
    line = one_warning(r, "127.0.0.4", "dev")
    assert r.stderr.splitlines() == [line]
    r = auth(authrig, "--json", *BOOK_ORDER, *more)
    rows = rows_of(r)
    assert len(rows) == 78
    assert {(x["zone"], x["server"]) for x in rows} == \
        {("dev", "127.0.0.3:53")}
    assert r.returncode == 0
    one_warning(r, "127.0.0.4", "dev")


def test_out_of_bailiwick_name_server(authrig):
    # com.'s server is ns.nic.net., with no glue: found by resolving it
    # from the root through net.
    names = ["and.com", "with.com", "none.com", "deleg.com"]
    r = auth(authrig, *names)
    assert r.lines == ["+ and.com", "+ with.com", "  none.com",
                       "+ deleg.com"]
    assert r.returncode == 0
    assert r.stderr == ""
    r = auth(authrig, "--json", *names)
    s = "127.0.0.5:53"
    assert table(r) == [
        ("and.com", "found", "answer", "auth:noerror", "com", s),
        ("with.com", "found", "answer", "auth:noerror", "com", s),
        ("none.com", "notfound", "nxdomain", "auth:nxdomain", "com", s),
        ("deleg.com", "found", "delegated", "auth:referral", "com", s)]


def test_a_zones_servers_are_found_once_for_all_its_names(authrig):
    # oob.'s name server, ns.oob-host.tcz., is resolved through the rig's
    # faultd for tcz., which logs each query: 40 names under oob. (and
    # the wildcard check) share one lookup of its address.
    def lookups():
        return [q for q in authrig.faultd_queries("127.0.0.10")
                if q[2] == "ns.oob-host.tcz"]

    before = len(lookups())
    names = ["and"] + [f"n{i}" for i in range(39)]
    r = auth(authrig, "-t", "oob", *names)
    assert r.lines == ["+ and.oob"] + [f"  n{i}.oob" for i in range(39)]
    assert r.returncode == 0
    assert r.stderr == ""
    asked = lookups()[before:]
    assert [q[3] for q in asked if q[3] == 1] == [1], asked
    assert len(asked) <= 2, asked  # A, and perhaps AAAA
    r = auth(authrig, "and.oob", "--json")
    assert table(r) == [("and.oob", "found", "answer", "auth:noerror", "oob",
                         "127.0.0.5:53")]


def test_public_suffixes_below_a_tld(authrig):
    # co.uk's names are in the uk. zone; org.uk is a zone of its own.
    names = ["example.co.uk", "none.co.uk", "deleg.co.uk", "example.org.uk",
             "none.org.uk"]
    r = auth(authrig, *names)
    assert r.lines == ["+ example.co.uk", "  none.co.uk", "+ deleg.co.uk",
                       "+ example.org.uk", "  none.org.uk"]
    assert r.returncode == 0
    assert r.stderr == ""
    r = auth(authrig, "--json", *names)
    uk, org = "127.0.0.7:53", "127.0.0.8:53"
    assert table(r) == [
        ("example.co.uk", "found", "answer", "auth:noerror", "uk", uk),
        ("none.co.uk", "notfound", "nxdomain", "auth:nxdomain", "uk", uk),
        ("deleg.co.uk", "found", "delegated", "auth:referral", "uk", uk),
        ("example.org.uk", "found", "answer", "auth:noerror", "org.uk", org),
        ("none.org.uk", "notfound", "nxdomain", "auth:nxdomain", "org.uk",
         org)]
    # Labels under a public suffix given with -t.
    r = authrig.run("--root", ROOT, "--order=input", "-t", "co.uk", "-t",
                    "org.uk", "example", "none")
    assert r.lines == ["+ example.co.uk", "+ example.org.uk",
                       "  none.co.uk", "  none.org.uk"]
    assert r.returncode == 0


def test_wildcard_tld(authrig):
    r = auth(authrig, "real.wild", "any-thing.wild", "and.dev", "--json")
    assert [(x["name"], x["status"], x["reason"], x["zone"])
            for x in rows_of(r)] == [
        ("real.wild", "error", "wildcard", "wild"),
        ("any-thing.wild", "error", "wildcard", "wild"),
        ("and.dev", "found", "answer", "dev")]
    assert r.returncode == 1
    r = auth(authrig, "real.wild", "any-thing.wild")
    assert r.lines == ["? real.wild", "? any-thing.wild"]
    assert r.returncode == 1
    # --no-wildcard-check takes the zone's word.
    r = auth(authrig, "real.wild", "any-thing.wild", "--no-wildcard-check",
             "--json")
    assert table(r) == [
        ("real.wild", "found", "answer", "auth:noerror", "wild",
         "127.0.0.3:53"),
        ("any-thing.wild", "found", "answer", "auth:noerror", "wild",
         "127.0.0.3:53")]
    assert r.returncode == 0


def test_tld_that_does_not_exist(authrig):
    r = auth(authrig, "x.zzq", "and.dev", "y.zzq")
    assert r.lines == ["? x.zzq", "+ and.dev", "? y.zzq"]
    assert r.returncode == 1
    r = auth(authrig, "x.zzq", "and.dev", "y.zzq", "--json")
    assert [(x["name"], x["status"], x["reason"], x["zone"], x["server"])
            for x in rows_of(r)] == [
        ("x.zzq", "error", "no-such-tld", ".", "127.0.0.2:53"),
        ("and.dev", "found", "answer", "dev", "127.0.0.3:53"),
        ("y.zzq", "error", "no-such-tld", ".", "127.0.0.2:53")]


def test_truncated_answers_are_asked_again_over_tcp(authrig):
    r = auth(authrig, "tc.tcz", "tcfree.tcz", "--json")
    s = "127.0.0.10:53"
    # TC=1 with an empty answer is no NODATA: the answer is the one over
    # TCP.
    assert table(r) == [
        ("tc.tcz", "found", "answer", "auth:noerror", "tcz", s),
        ("tcfree.tcz", "notfound", "nxdomain", "auth:nxdomain", "tcz", s)]
    assert r.returncode == 0
    assert r.stderr == ""
    asked = {(q[1], q[2]) for q in authrig.faultd_queries("127.0.0.10")}
    assert {("udp", "tc.tcz"), ("tcp", "tc.tcz"), ("udp", "tcfree.tcz"),
            ("tcp", "tcfree.tcz")} <= asked


def test_zones_with_no_server_left(authrig):
    # lamey.: delegated back to the root server, which only refers again
    # (no authority); nay.: REFUSED; sfail.: SERVFAIL; mute.: no answer;
    # gone.: nothing listens.
    names = ["x.lamey", "x.nay", "x.sfail", "x.mute", "x.gone"]
    args = ("--timeout", "300", "--tries", "2")
    r = auth(authrig, *args, *names)
    assert r.lines == [f"? {n}" for n in names]
    assert r.returncode == 1
    for addr, zone in ((ROOT, "lamey"), ("127.0.0.4", "nay"),
                       ("127.0.0.11", "sfail"), ("127.0.0.12", "mute"),
                       (NOBODY, "gone")):
        one_warning(r, addr, zone)
    assert all(x.startswith("blogdom: ") for x in r.stderr.splitlines())
    r = auth(authrig, *args, *names, "--json")
    rows = rows_of(r)
    assert [(x["name"], x["status"], x["zone"]) for x in rows] == \
        [(n, "error", n[2:]) for n in names]
    assert [x["reason"] for x in rows[:4]] == \
        ["lame", "refused", "servfail", "timeout"]
    assert rows[4]["reason"] in ("timeout", "unreachable"), rows[4]


def test_delegation_to_missing_servers_taken_here_unknown_to_a_resolver(
        authrig):
    r = auth(authrig, "deleg.dev", "and.dev", "none.dev")
    assert r.lines == ["+ deleg.dev", "+ and.dev", "  none.dev"]
    assert r.returncode == 0
    # A recursive resolver (unbound, iterating from the same root) finds
    # no server of deleg.dev that answers: the recursive mode says "?".
    r = authrig.run("-s", RESOLVER, "--timeout", "1000", "--tries", "2",
                    "--order=input", "deleg.dev", "and.dev", "none.dev")
    assert r.lines == ["? deleg.dev", "+ and.dev", "  none.dev"]
    assert r.returncode == 1


# ---- the command line ----------------------------------------------------


def test_root_implies_authoritative(authrig):
    names = ("and.dev", "none.dev", "deleg.dev", "and.com")
    expected = ["+ and.dev", "  none.dev", "+ deleg.dev", "+ and.com"]
    for args in (("--root", ROOT), (f"--root={ROOT}:53",),
                 ("--authoritative", "--root", ROOT),
                 ("-A", "--root", ROOT)):
        r = authrig.run(*args, "--order=input", *names)
        assert r.lines == expected, args
        assert r.returncode == 0, args
        only_lame_dev_warnings(r)


def test_labels_under_each_tld(authrig):
    r = auth(authrig, "-t", "dev", "-t", "com", "and", "none")
    assert r.lines == ["+ and.dev", "+ and.com", "  none.dev", "  none.com"]
    assert r.returncode == 0


@pytest.mark.parametrize("args", [
    ("-A", "-s", "127.0.0.3"),
    ("--authoritative", "--server=127.0.0.3:53"),
    ("--root", ROOT, "-s", "127.0.0.3"),
    ("-s", "127.0.0.3", "--root", ROOT),
    ("-A", "-r", "SERVERS"),
    ("--root", "300.1.2.3"),
])
def test_usage_errors(authrig, tmp_path, args):
    servers = tmp_path / "servers.txt"
    servers.write_text("127.0.0.3\n")
    args = [str(servers) if a == "SERVERS" else a for a in args]
    r = authrig.run(*args, "and.dev")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("blogdom: "), r.stderr


# ---- politeness ----------------------------------------------------------


def busiest_second(times_ms):
    """The most queries in any window of just under a second (980 ms, so
    that one burst at each end of a second does not count as one)."""
    times = sorted(times_ms)
    best = first = 0
    for i, t in enumerate(times):
        while times[first] <= t - 980:
            first += 1
        best = max(best, i - first + 1)
    return best


@pytest.mark.parametrize("cap, count", [(40, 120), (None, 250)])
def test_each_server_gets_at_most_server_rate_queries_a_second(authrig, cap,
                                                              count):
    # tcz.'s faultd logs the arrival of every query: retries, TCP and the
    # wildcard check count too. Without --server-rate the cap is 100 in
    # this mode.
    before = len(authrig.faultd_queries("127.0.0.10"))
    names = [f"p{i}" for i in range(count)]
    rate = ("--server-rate", str(cap)) if cap else ()
    r = auth(authrig, "-t", "tcz", *rate, *names)
    assert r.lines == [f"  p{i}.tcz" for i in range(count)]
    assert r.returncode == 0
    assert r.stderr == ""
    times = [q[0] for q in authrig.faultd_queries("127.0.0.10")[before:]]
    assert len(times) >= count
    assert busiest_second(times) <= (cap or 100)


def test_an_address_serving_several_zones_gets_the_cap_once(authrig):
    # tcz., shx. and shy. are all served by the faultd on 127.0.0.10: the
    # cap is a promise to that server, counted across its zones.
    before = len(authrig.faultd_queries("127.0.0.10"))
    names = [f"p{i}.{tld}" for i in range(40) for tld in ("tcz", "shx", "shy")]
    r = auth(authrig, "--server-rate", "40", *names)
    assert r.lines == [f"  {n}" for n in names]
    assert r.returncode == 0
    assert r.stderr == ""
    times = [q[0] for q in authrig.faultd_queries("127.0.0.10")[before:]]
    assert len(times) >= len(names)
    assert busiest_second(times) <= 40


def test_a_dead_zone_holds_back_only_its_own_names(authrig, tmp_path):
    # mute.'s only server drops every query. Its names come first in the
    # input; dev.'s names behind them are answered while mute.'s wait out
    # their tries, and every dev. line comes before the first mute. line.
    dead = [f"d{i}.mute" for i in range(300)]
    live = [f"l{i}.dev" for i in range(300)]
    listed = tmp_path / "names.txt"
    listed.write_text("\n".join(dead + live) + "\n")
    r = authrig.run("-A", "--root", ROOT, "-f", listed, "--json",
                    "--timeout", "700", "--tries", "2",
                    "--server-rate", "2000")
    rows = rows_of(r)
    assert sorted(x["name"] for x in rows) == sorted(dead + live)
    first_dead = min(i for i, x in enumerate(rows) if x["zone"] == "mute")
    assert {x["zone"] for x in rows[:first_dead]} == {"dev"}, r.stderr
    assert first_dead == len(live)
    assert all((x["status"], x["reason"]) == ("notfound", "nxdomain")
               for x in rows[:first_dead])
    assert all((x["status"], x["reason"]) == ("error", "timeout")
               for x in rows[first_dead:])
    assert r.returncode == 1
    one_warning(r, "127.0.0.12", "mute")


def test_rate_limited_server_loses_no_name(authrig, tmp_path):
    # app.'s server limits NXDOMAINs to 20 a second (rrl-slip 2: of the
    # answers over the limit, one in two is truncated, the rest dropped).
    # Of 300 names, half exist (100 with addresses, 50 delegated); none
    # may end as "?" or with a wrong verdict.
    want = {f"h{i}.app": ("found", "answer") for i in range(100)}
    want.update({f"d{i}.app": ("found", "delegated") for i in range(50)})
    want.update({f"f{i}.app": ("notfound", "nxdomain") for i in range(150)})
    names = sorted(want)
    random.Random(11).shuffle(names)
    listed = tmp_path / "names.txt"
    listed.write_text("\n".join(names) + "\n")
    r = auth(authrig, "-f", listed, "--json", timeout=240)
    rows = rows_of(r)
    assert [(x["name"], x["status"], x["reason"]) for x in rows] == \
        [(n, *want[n]) for n in names], r.stderr
    assert {x["server"] for x in rows} == {"127.0.0.9:53"}
    assert r.returncode == 0, r.stderr


# ---- the built-in root hints, with no way out ----------------------------


def addresses_in(text):
    """The root server addresses (IPv4 or IPv6) a text names."""
    found = set()
    for pair in ROOT_HINTS.values():
        for addr in pair:
            edge = r"[\w:]" if ":" in addr else r"[\d.]"
            if re.search(f"(?<!{edge})" + re.escape(addr) + f"(?!{edge})",
                         text, re.IGNORECASE):
                found.add(addr)
    return found


def test_builtin_root_hints_with_no_root_reachable(netns):
    # Inside a namespace with nothing but lo: the public root servers of
    # the built-in hints cannot be reached.
    args = ("-A", "--timeout", "300", "--tries", "1", "--order=input",
            "and.dev", "none.dev")
    r = netns.run(*args)
    # No root server at all is a set-up error, as an unusable resolver is
    # in the recursive mode: no line, exit 2, and why.
    assert r.lines == []
    assert r.returncode == 2
    assert "blogdom: no root server answered: " in r.stderr
    warned = "\n".join(x for x in r.stderr.splitlines()
                       if x.startswith("blogdom: warning: "))
    tried = addresses_in(warned)
    assert len(tried) >= 13, r.stderr
    # Every one of the 13 servers was tried (over IPv6 too where there is
    # a route for it; here there is none, so IPv4 may be all).
    assert all(set(pair) & tried for pair in ROOT_HINTS.values()), r.stderr
    if TIMED:
        assert r.seconds < 0.3 * 1 + 3, r.seconds
    r = netns.run(*args, "--json")
    assert r.lines == [] and r.returncode == 2


# Names of every kind the rig's zones hold or lack: owners, NODATA, an
# empty non-terminal, an alias, delegations and what lies below them, a
# wildcard's names, public suffixes below a TLD, and names that are not.
ZONE_NAMES = ["and.dev", "none.dev", "for.dev", "empty.dev", "deep.empty.dev",
              "x.empty.dev", "alias.dev", "missing.dev", "deleg.dev",
              "www.deleg.dev", "ns1.deleg.dev", "away.dev", "ns1.dev",
              "www.and.dev", "shop.dev", "real.wild", "any-thing.wild",
              "a.b.wild", "example.co.uk", "none.co.uk", "www.deleg.co.uk",
              "example.org.uk", "none.org.uk", "org.uk"]
ZONE_FILES = ["dev", "wild", "uk", "org.uk"]


def test_zone_files_give_the_verdicts_of_their_servers(authrig, monkeypatch,
                                                       tmp_path):
    """--zone judges as -A does against NSD serving the same files, and
    asks nothing of them."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    zones = []
    for z in ZONE_FILES:
        zones += ["--zone", conftest.ZONES / "auth" / f"{z}.zone"]
    asked = auth(authrig, "--no-wildcard-check", *ZONE_NAMES)
    judged = auth(authrig, "--no-wildcard-check", "--stats", *zones,
                  *ZONE_NAMES)
    assert judged.lines == asked.lines
    assert len(asked.lines) == len(ZONE_NAMES)
    assert "0 queries" in judged.stderr, judged.stderr
    assert f"{len(ZONE_NAMES)} judged by zone files" in judged.stderr
    # With the wildcard check, DNS cannot tell a wildcard's names from
    # the names that own records; the zone file can.
    judged = auth(authrig, *zones, "real.wild", "any-thing.wild")
    assert judged.lines == ["+ real.wild", "? any-thing.wild"]


def test_a_root_that_never_answers_is_a_setup_error(authrig):
    # A private root where nothing listens (127.0.0.99): nothing can be
    # judged, and no line pretends otherwise. A root that answered once
    # and then died leaves '?' lines instead (test_rig_* above).
    r = authrig.run("-A", "--root", "127.0.0.99", "--timeout", "300",
                    "--tries", "1", "and.dev", "none.dev")
    assert r.lines == []
    assert r.returncode == 2
    assert ("blogdom: no root server answered: 127.0.0.99:53, the last, "
            "cannot be reached") in r.stderr or \
        ("blogdom: no root server answered: 127.0.0.99:53, the last, "
         "does not answer") in r.stderr, r.stderr
