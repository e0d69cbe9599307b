"""Vetting: before any name is sent, every server is asked a random name
under a made-up TLD (must be NXDOMAIN) and com. SOA (must be answered, not
referred); a server that fails is dropped. Referrals are never answers. The
TLD checks: a TLD that exists, denied by the resolver."""

import json
import socket

from conftest import BOOK_FOUND, BOOK_ORDER, ask

BOOK_LINES = [("+ " if n in BOOK_FOUND else "  ") + n + ".dev"
              for n in BOOK_ORDER]
LAST = ": no usable DNS server left"


def closed_port():
    """A loopback UDP port nothing listens on: bound, then closed."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rows_of(r):
    return [json.loads(line) for line in r.lines]


def warning_for(r, addr, phrase):
    """The one warning line about addr: it names the phrase and the drop."""
    lines = [x for x in r.stderr.splitlines() if f"server {addr} " in x]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("blogdom: warning: "), lines[0]
    assert phrase in lines[0], lines[0]
    assert lines[0].endswith(": dropped"), lines[0]
    return lines[0]


def refused_alone(r, addr, phrase):
    """No server left: exit 2, nothing on stdout, one line for the server
    ending the run."""
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(f"blogdom: server {addr} "), lines[0]
    assert phrase in lines[0], lines[0]
    assert lines[0].endswith(LAST), lines[0]


def names_asked(f):
    return {q[2] for q in f.queries()}


# ---- the fixtures themselves -------------------------------------------


def test_fixtures_answer_like_the_servers_they_stand_for(nsd, nsd_root_only,
                                                         nsd_tld_only,
                                                         unbound):
    made_up = "qzxwvkqjxzqvbn.qzxwvkqjxzqk"
    for port in (nsd.port, unbound.port):
        assert ask("127.0.0.1", port, "and.dev")["answer"] == [1]
        assert ask("127.0.0.1", port, "none.dev")["rcode"] == 3
        assert ask("127.0.0.1", port, made_up)["rcode"] == 3
        com = ask("127.0.0.1", port, "com", 6)
        assert (com["rcode"], com["answer"]) == (0, [6])
        assert ask("127.0.0.1", port, "beispiel.de")["rcode"] == 3
        assert ask("127.0.0.1", port, "example.co.uk")["answer"] == [1]
    # The recursive resolver is no authority.
    assert not ask("127.0.0.1", unbound.port, "and.dev")["aa"]
    # Root only: NXDOMAIN for a made-up TLD, a referral for the rest.
    assert ask("127.0.0.1", nsd_root_only.port, made_up)["rcode"] == 3
    for name, qtype in (("com", 6), ("and.dev", 1)):
        a = ask("127.0.0.1", nsd_root_only.port, name, qtype)
        assert (a["rcode"], a["aa"], a["answer"], a["authority"]) == \
            (0, False, [], [2])
    # TLD only: authoritative under dev., a referral for deleg.dev,
    # REFUSED elsewhere.
    tld = nsd_tld_only.port
    assert ask("127.0.0.1", tld, "and.dev")["aa"]
    assert ask("127.0.0.1", tld, "none.dev")["rcode"] == 3
    assert ask("127.0.0.1", tld, "com", 6)["rcode"] == 5
    assert ask("127.0.0.1", tld, made_up)["rcode"] == 5
    a = ask("127.0.0.1", tld, "deleg.dev")
    assert (a["rcode"], a["aa"], a["answer"], a["authority"]) == \
        (0, False, [], [2])


def test_nsd_and_unbound_pass_vetting(run, nsd, unbound):
    for server in (nsd.v4, nsd.v6, unbound.v4):
        r = run("-s", server, "--order=input")
        assert r.lines == BOOK_LINES, server
        assert r.stderr == ""
        assert r.returncode == 0


# ---- servers dropped while others remain ------------------------------


def test_rewriting_resolvers_are_dropped_beside_a_real_one(run, unbound,
                                                            faultd):
    fake1 = faultd([], default="answer")
    fake2 = faultd([], default="answer")
    r = run("-s", unbound.v4, "-s", fake1.addr, "-s", fake2.addr,
            "--order=input", checks=True)
    assert r.lines == BOOK_LINES
    assert r.returncode == 0
    warning_for(r, fake1.addr, "rewrites NXDOMAIN")
    warning_for(r, fake2.addr, "rewrites NXDOMAIN")
    assert len(r.stderr.splitlines()) == 2
    assert unbound.v4 not in r.stderr
    # The fakes were asked the vetting queries, never a name.
    for fake in (fake1, fake2):
        asked = names_asked(fake)
        assert asked and not any(n + ".dev" in asked for n in BOOK_ORDER)


def test_servers_from_a_resolver_file_are_vetted(run, unbound, faultd,
                                                 tmp_path):
    fake = faultd([], default="answer")
    servers = tmp_path / "servers.txt"
    servers.write_text(f"# resolvers\n\n{fake.addr}\n  {unbound.v4}  \n")
    r = run("-r", servers, "and", "none", "--order=input", checks=True)
    assert r.lines == ["+ and.dev", "  none.dev"]
    assert r.returncode == 0
    warning_for(r, fake.addr, "rewrites NXDOMAIN")
    assert not {"and.dev", "none.dev"} & names_asked(fake)


def test_dead_server_beside_a_live_one(run, nsd):
    dead = f"127.0.0.1:{closed_port()}"
    r = run("-s", dead, "-s", nsd.v4, "and", "none", "--order=input")
    assert r.lines == ["+ and.dev", "  none.dev"]
    assert r.returncode == 0
    warning_for(r, dead, "refuses connections")
    assert len(r.stderr.splitlines()) == 1


def test_failing_servers_beside_a_live_one(run, nsd, faultd):
    failing = [(faultd([], default="servfail"), "fails queries (SERVFAIL)"),
               (faultd([], default="refused"), "refuses queries (REFUSED)"),
               (faultd([], default="nxdomain"),
                "answers NXDOMAIN for com., a TLD that exists")]
    args = []
    for f, _ in failing:
        args += ["-s", f.addr]
    r = run(*args, "-s", nsd.v4, "and", "none", "--order=input",
            checks=True)
    assert r.lines == ["+ and.dev", "  none.dev"]
    assert r.returncode == 0
    for f, phrase in failing:
        warning_for(r, f.addr, phrase)
        assert not {"and.dev", "none.dev"} & names_asked(f)
    assert len(r.stderr.splitlines()) == 3


def test_trust_resolver_sends_no_vetting_query(run, faultd):
    f = faultd(["and.dev answer"], default="nxdomain")
    r = run("-s", f.addr, "--trust-resolver", "and", "none",
            "--order=input", checks=True)
    assert r.lines == ["+ and.dev", "  none.dev"]
    assert r.returncode == 0
    # No com., no made-up TLD: only names under dev. (the wildcard check
    # is still on) went out.
    asked = names_asked(f)
    assert {"and.dev", "none.dev"} <= asked
    assert all(n == "dev" or n.endswith(".dev") for n in asked), asked


# ---- no server left ----------------------------------------------------


def test_server_that_never_answers(run, faultd):
    f = faultd([], default="drop")
    r = run("-s", f.addr, "--timeout", "200", "--tries", "2", "and",
            checks=True)
    refused_alone(r, f.addr, "does not answer")
    assert "and.dev" not in names_asked(f)


def test_server_that_fails_every_query(run, faultd):
    f = faultd([], default="servfail")
    r = run("-s", f.addr, "and", checks=True)
    refused_alone(r, f.addr, "fails queries (SERVFAIL)")
    assert "and.dev" not in names_asked(f)


def test_server_that_refuses_every_query(run, faultd):
    f = faultd([], default="refused")
    r = run("-s", f.addr, "and", checks=True)
    refused_alone(r, f.addr, "refuses queries (REFUSED)")
    assert "and.dev" not in names_asked(f)


def test_server_whose_answers_do_not_parse(run, faultd):
    f = faultd([], default="malformed")
    r = run("-s", f.addr, "--timeout", "200", "--tries", "2", "and",
            checks=True)
    refused_alone(r, f.addr, "sends answers that do not parse")


def test_server_with_another_rcode(run, faultd):
    f = faultd([], default="notimp")
    r = run("-s", f.addr, "and", checks=True)
    refused_alone(r, f.addr, "answers NOTIMP")


def test_dead_server_alone(run):
    dead = f"127.0.0.1:{closed_port()}"
    r = run("-s", dead, "and")
    refused_alone(r, dead, "refuses connections")


def test_one_line_per_server_when_none_is_left(run, faultd):
    a = faultd([], default="servfail")
    b = faultd([], default="answer")
    r = run("-s", a.addr, "-s", b.addr, "and", checks=True)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 2, r.stderr
    assert sum(f"blogdom: server {a.addr} fails queries (SERVFAIL)" in x
               for x in lines) == 1
    assert sum(f"blogdom: server {b.addr} rewrites NXDOMAIN" in x
               for x in lines) == 1
    assert lines[-1].endswith(LAST)
    assert not lines[0].endswith(LAST)
    assert "warning" not in r.stderr


# ---- referrals -----------------------------------------------------------


def test_root_server_is_not_a_resolver(run, nsd_root_only):
    r = run("-s", nsd_root_only.v4, "and", "none")
    refused_alone(r, nsd_root_only.v4, "answers with a referral")


def test_trusted_root_server_gives_referrals_not_answers(run, nsd_root_only):
    r = run("-s", nsd_root_only.v4, "--trust-resolver", "and", "none",
            "--order=input")
    assert r.lines == ["? and.dev", "? none.dev"]
    assert r.returncode == 1
    r = run("-s", nsd_root_only.v4, "--trust-resolver", "and", "none",
            "--order=input", "--json")
    assert [(x["name"], x["status"], x["reason"], x["evidence"])
            for x in rows_of(r)] == [
        ("and.dev", "error", "referral", "dns:referral"),
        ("none.dev", "error", "referral", "dns:referral")]


def test_tld_server_is_not_a_resolver(run, nsd_tld_only):
    r = run("-s", nsd_tld_only.v4, "and", "none")
    refused_alone(r, nsd_tld_only.v4, "refuses queries (REFUSED)")


def test_trusted_tld_server_delegation_is_a_question_mark(run, nsd_tld_only):
    args = ("-s", nsd_tld_only.v4, "--trust-resolver", "--order=input",
            "and", "deleg", "www.deleg.dev", "none")
    r = run(*args)
    assert r.lines == ["+ and.dev", "? deleg.dev", "? www.deleg.dev",
                       "  none.dev"]
    assert r.returncode == 1
    rows = rows_of(run(*args, "--json"))
    assert [(x["status"], x["reason"], x["evidence"]) for x in rows] == [
        ("found", "answer", "dns:noerror"),
        ("error", "referral", "dns:referral"),
        ("error", "referral", "dns:referral"),
        ("notfound", "nxdomain", "dns:nxdomain")]


# ---- TLD checks: a TLD that exists, denied -------------------------------


def test_denied_tld_among_the_arguments_stops_the_run(run, nsd):
    r = run("-s", nsd.v4, "elif.dev", "beispiel.de", "as.dev")
    assert r.returncode == 2
    assert r.stdout == ""
    assert "NXDOMAIN for de." in r.stderr


def test_denied_tld_given_with_t_stops_the_run(run, nsd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("and\nnone\n")
    for args in (("and",), ("-f", names)):
        r = run("-s", nsd.v4, "-t", "dev", "-t", "de", *args)
        assert r.returncode == 2, args
        assert r.stdout == "", args
        assert "NXDOMAIN for de." in r.stderr


def test_denied_tld_from_a_file_after_thousands_of_lines(run, nsd,
                                                         tmp_path):
    found = sorted(BOOK_FOUND)
    before = [found[i // 100 % len(found)] + ".dev" if i % 100 == 0
              else f"n{i}.dev" for i in range(3000)]
    after = [f"m{i}.dev" if i % 7 else "and.dev" for i in range(500)]
    names = tmp_path / "names.txt"
    names.write_text("\n".join(before + ["beispiel.de"] + after) + "\n")
    expected = [("+ " if n[:-4] in BOOK_FOUND else "  ") + n
                for n in before] + ["? beispiel.de"] + \
        [("+ " if n == "and.dev" else "  ") + n for n in after]
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert len(r.lines) == 3501
    assert r.lines == expected
    assert r.returncode == 1
    about_de = [x for x in r.stderr.splitlines() if "de." in x]
    assert len(about_de) == 1, r.stderr
    assert "NXDOMAIN for de." in about_de[0]
    assert len(r.stderr.splitlines()) == 1, r.stderr
    r = run("-s", nsd.v4, "-f", names, "--order=input", "--json")
    rows = rows_of(r)
    assert len(rows) == 3501
    de = rows[3000]
    assert (de["name"], de["status"], de["reason"]) == \
        ("beispiel.de", "error", "resolver-denies-tld")
    assert [x["status"] for x in rows[:3000] + rows[3001:]] == \
        [("found" if line.startswith("+") else "notfound")
         for line in expected[:3000] + expected[3001:]]
