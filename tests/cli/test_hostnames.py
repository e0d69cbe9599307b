"""Host-name rules: the label that would be registered (the one right under
the public suffix) must be a host name label (LDH, no hyphen at either end,
'--' in positions 3-4 only in a valid A-label); labels below it keep DNS's
looser rules. IDNA full stops are dots."""

import json

import pytest

from conftest import BOOK_FOUND

# (argument, line name): names no registry sells, as typed. A label
# argument is probed under .dev, so it prints with .dev.
INVALID = [
    ("_x.dev", "_x.dev"),
    ("a_b.dev", "a_b.dev"),
    ("-abc.dev", "-abc.dev"),
    ("abc-.dev", "abc-.dev"),
    ("ab--cd.dev", "ab--cd.dev"),
    # A-labels that are not: Punycode that does not decode, that decodes to
    # a code point IDNA2008 disallows (U+1F4A9), to a string not in NFC
    # ('u' + U+0308), or to an upper-case letter ('bÜcher'); the last two
    # encode back to xn--bcher-kva, not to themselves.
    ("xn--zzzz.dev", "xn--zzzz.dev"),
    ("xn--ls8h.dev", "xn--ls8h.dev"),
    ("xn--bucher-xyd.dev", "xn--bucher-xyd.dev"),
    ("xn--bcher-2pa.dev", "xn--bcher-2pa.dev"),
    ("-", "-.dev"),
    ("-abc", "-abc.dev"),
    ("abc-", "abc-.dev"),
    ("a_b", "a_b.dev"),
    ("ab--cd", "ab--cd.dev"),
    # Under a public suffix of two labels, the label to register is the one
    # below co.uk.
    ("x_y.co.uk", "x_y.co.uk"),
    ("-ex.co.uk", "-ex.co.uk"),
    ("_dmarc.co.uk", "_dmarc.co.uk"),
    ("Mixed_Case.Dev", "Mixed_Case.Dev"),
]

# (argument, line) for names that are valid, as the nsd fixture's zones
# answer them.
VALID = [
    ("123.dev", "  123.dev"),
    ("123", "  123.dev"),
    ("a" * 63 + ".dev", "  " + "a" * 63 + ".dev"),
    ("b" * 63, "  " + "b" * 63 + ".dev"),
    # '--' elsewhere than in positions 3-4 is plain LDH.
    ("a--b.dev", "  a--b.dev"),
    ("with-hyphen.dev", "+ with-hyphen.dev"),
    ("xn--bcher-kva.dev", "  b\u00fccher.dev"),
    ("xn--bcher-kva", "  b\u00fccher.dev"),
    ("example.co.uk", "+ example.co.uk"),
    ("ex-ample.co.uk", "  ex-ample.co.uk"),
    # Below the label to register, underscores are fine.
    ("x_y.example.co.uk", "  x_y.example.co.uk"),
    ("_srv._tcp.and.dev", "  _srv._tcp.and.dev"),
]


def rows_of(r):
    return [json.loads(line) for line in r.lines]


def test_invalid_host_names_are_question_marks_as_typed(run, nsd):
    args = [a for a, _ in INVALID]
    r = run("-s", nsd.v4, "--order=input", "--", *args)
    assert r.lines == ["? " + shown for _, shown in INVALID]
    assert r.returncode == 1
    errs = r.stderr.splitlines()
    assert len(errs) == len(INVALID), r.stderr
    assert all(e.startswith("blogdom: ") and "invalid name" in e
               for e in errs), r.stderr
    for _, shown in INVALID:
        assert sum(shown in e for e in errs) >= 1, shown
    r = run("-s", nsd.v4, "--order=input", "--json", "--", *args)
    assert [(x["name"], x["status"], x["reason"], x["evidence"])
            for x in rows_of(r)] == \
        [(shown, "error", "invalid-hostname", "input")
         for _, shown in INVALID]


def test_invalid_host_names_are_never_sent(run, faultd):
    f = faultd([], default="nxdomain")
    r = run("-s", f.addr, "--", "ok.dev", *[a for a, _ in INVALID], "ok2")
    assert r.returncode == 1
    assert len(r.lines) == len(INVALID) + 2
    assert sorted(q[2] for q in f.queries()) == ["ok.dev", "ok2.dev"]


def test_invalid_host_names_from_a_file(run, nsd, faultd, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("".join(a + "\n" for a, _ in INVALID) + "and\n")
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert r.lines == ["? " + shown for _, shown in INVALID] + ["+ and.dev"]
    assert r.returncode == 1
    f = faultd([], default="nxdomain")
    run("-s", f.addr, "-f", names)
    assert [q[2] for q in f.queries()] == ["and.dev"]


def test_valid_host_names(run, nsd):
    r = run("-s", nsd.v4, "--order=input", "--", *[a for a, _ in VALID])
    assert r.lines == [line for _, line in VALID]
    assert r.stderr == ""
    assert r.returncode == 0


def test_a_label_of_64_octets_keeps_its_reason(run, nsd):
    r = run("-s", nsd.v4, "--json", "c" * 64 + ".dev")
    row = json.loads(r.stdout)
    assert (row["name"], row["status"], row["reason"], row["detail"]) == \
        ("c" * 64 + ".dev", "error", "invalid-name",
         "label longer than 63 characters")
    assert r.returncode == 1


def test_valid_a_label_prints_in_unicode(run, nsd):
    r = run("-s", nsd.v4, "--json", "xn--bcher-kva.dev")
    row = json.loads(r.stdout)
    assert (row["name"], row["ascii"], row["status"]) == \
        ("b\u00fccher.dev", "xn--bcher-kva.dev", "notfound")


def test_judged_on_the_label_under_the_public_suffix(run, nsd):
    # co.uk is the public suffix: "example" is judged, not "co".
    r = run("-s", nsd.v4, "--json", "example.co.uk", "x_y.example.co.uk",
            "--order=input")
    assert [(x["name"], x["status"]) for x in rows_of(r)] == [
        ("example.co.uk", "found"), ("x_y.example.co.uk", "notfound")]
    assert r.returncode == 0


@pytest.mark.parametrize("name", ["_dmarc.example.co.uk", "_dmarc.and.com"])
def test_underscore_records_below_a_registered_name(run, nsd, name):
    r = run("-s", nsd.v4, "--type", "TXT", name)
    assert r.lines == ["+ " + name]
    assert r.stderr == ""
    assert r.returncode == 0
    row = json.loads(run("-s", nsd.v4, "--type", "TXT", "--json",
                         name).stdout)
    assert (row["type"], row["status"]) == ("TXT", "found")


# ---- IDNA full stops: U+3002, U+FF0E, U+FF61 ----------------------------

IDNA_DOTS = [
    ("b\u00fccher\u3002dev", "  b\u00fccher.dev"),
    ("and\uff0edev", "+ and.dev"),
    ("as\uff61dev", "+ as.dev"),
    ("example\uff0eco\u3002uk", "+ example.co.uk"),
    ("none\u3002dev\u3002", "  none.dev"),
]


def test_idna_full_stops_are_dots(run, nsd):
    r = run("-s", nsd.v4, "--order=input", *[a for a, _ in IDNA_DOTS])
    assert r.lines == [line for _, line in IDNA_DOTS]
    assert r.returncode == 0
    row = json.loads(run("-s", nsd.v4, "--json",
                         "b\u00fccher\u3002dev").stdout)
    assert (row["name"], row["ascii"], row["status"]) == \
        ("b\u00fccher.dev", "xn--bcher-kva.dev", "notfound")


def test_idna_full_stops_make_a_name_not_a_label(run, nsd, faultd,
                                                 tmp_path):
    # A name with a full stop is probed as given, not under each -t TLD.
    r = run("-s", nsd.v4, "-t", "com", "-t", "dev", "--order=input",
            "and\u3002dev", "with")
    assert r.lines == ["+ and.dev", "+ with.com", "  with.dev"]
    names = tmp_path / "names.txt"
    names.write_text("".join(a + "\n" for a, _ in IDNA_DOTS),
                     encoding="utf-8")
    r = run("-s", nsd.v4, "-f", names, "--order=input")
    assert r.lines == [line for _, line in IDNA_DOTS]
    # What goes out is the name with ASCII dots.
    f = faultd([], default="nxdomain")
    run("-s", f.addr, "-f", names)
    assert sorted(q[2] for q in f.queries()) == sorted(
        ["xn--bcher-kva.dev", "and.dev", "as.dev", "example.co.uk",
         "none.dev"])


def test_book_names_are_host_names(run, nsd):
    # The 18 names of the book stay valid: none is touched by the rules.
    r = run("-s", nsd.v4)
    assert r.stderr == ""
    assert {line[2:-4] for line in r.lines if line[0] == "+"} == BOOK_FOUND
