"""--zone FILE: the names under a zone file's origin are judged by the
file, with no query; names outside every zone are asked as before. Every
run keeps its index cache in the test's own directory."""

import gzip
import json
import os

import pytest

from conftest import blogdom
from rdapd import RdapServer

SERIAL = 2026120301


def czds(names, serial=SERIAL, glue=()):
    """A zone file as the zone services publish one: absolute owner names,
    one record a line, several NS a delegation, in lower or upper case."""
    lines = [f"dev.\t86400\tin\tsoa\tns1.dev. hostmaster.dev. {serial} "
             "1800 900 604800 86400",
             "dev.\t172800\tin\tns\tns1.dev."]
    for i, name in enumerate(names):
        for k in range(1 + i % 3):
            owner = name.upper() if k == 1 else name
            lines.append(f"{owner}.dev.\t86400\tin\tns\tns{k}.host.example.")
    for name, addr in glue:
        lines.append(f"{name}.dev.\t86400\tin\ta\t{addr}")
    return "\n".join(lines) + "\n"


def write(path, text, gz=False):
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


def cached(tmp_path):
    return dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))


def zrun(tmp_path, *args, **kw):
    kw.setdefault("env", cached(tmp_path))
    return blogdom(*args, **kw)


def rows_of(r):
    return {row["name"]: row for row in map(json.loads, r.lines)}


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_czds_layout_judges_with_no_query(faultd, tmp_path, gz):
    f = faultd(["*.com a=192.0.2.1"], default="nxdomain")
    zone = write(tmp_path / ("dev.zone.gz" if gz else "dev.zone"),
                 czds(["alpha", "beta", "gamma"],
                      glue=[("ns1.beta", "192.0.2.7")]), gz)
    names = ["alpha.dev", "Beta.dev", "free.dev", "www.beta.dev",
             "ns1.beta.dev", "x.alpha.dev", "example.com"]
    r = zrun(tmp_path, "-s", f.addr, "--zone", zone, "--order=input",
             "--stats", *names)
    assert r.lines == ["+ alpha.dev", "+ beta.dev", "  free.dev",
                       "+ www.beta.dev", "+ ns1.beta.dev", "+ x.alpha.dev",
                       "+ example.com"], r.stderr
    assert r.returncode == 0
    assert "6 judged by zone files" in r.stderr
    # the one name outside the zone, and nothing else, was asked
    assert {q[2] for q in f.queries()} == {"example.com"}

    rows = rows_of(zrun(tmp_path, "-s", f.addr, "--zone", zone, "--json",
                        "alpha.dev", "free.dev", "example.com"))
    assert (rows["alpha.dev"]["status"], rows["alpha.dev"]["reason"],
            rows["alpha.dev"]["evidence"], rows["alpha.dev"]["tries"]) == \
        ("found", "in-zone", f"zone:dev@{SERIAL}", 0)
    assert (rows["free.dev"]["status"], rows["free.dev"]["reason"],
            rows["free.dev"]["evidence"]) == \
        ("notfound", "not-in-zone", f"zone:dev@{SERIAL}")
    assert rows["example.com"]["evidence"] == "dns:noerror"


ORIGIN_ZONE = """; relative names, directives, parentheses and comments
$ORIGIN zz.
$TTL 300
@        IN SOA  ns1 hostmaster ( 7   ; serial
                 3600 900 604800 300 )
@        IN NS   ns1
ns1      IN A    192.0.2.1
host     IN A    192.0.2.2        ; owns records, delegates nothing
deep.ent IN TXT  "an empty non-terminal above me ; ( )"
deleg    IN NS   ns1.deleg
         IN NS   ns2.deleg
ns1.deleg IN A   192.0.2.3
*.wild   IN A    192.0.2.4
"""


def test_origin_relative_names_and_what_dns_would_say(nsd, tmp_path):
    zone = write(tmp_path / "zz.zone", ORIGIN_ZONE)
    names = ["host.zz", "www.host.zz", "ent.zz", "deep.ent.zz",
             "other.ent.zz", "deleg.zz", "a.b.deleg.zz", "wild.zz",
             "any.wild.zz", "free.zz", "zz.zz", "and.dev"]
    r = zrun(tmp_path, "-s", nsd.v4, "--zone", zone, "--order=input",
             "--json", *names, checks=True)
    rows = rows_of(r)
    got = [(n, rows[n]["status"], rows[n]["reason"]) for n in names]
    assert got == [
        ("host.zz", "found", "in-zone"),
        ("www.host.zz", "notfound", "not-in-zone"),  # NXDOMAIN below it
        ("ent.zz", "found", "in-zone"),  # an empty non-terminal
        ("deep.ent.zz", "found", "in-zone"),
        ("other.ent.zz", "notfound", "not-in-zone"),
        ("deleg.zz", "found", "in-zone"),
        ("a.b.deleg.zz", "found", "in-zone"),  # the child's
        ("wild.zz", "found", "in-zone"),
        # exists only by the wildcard: no more a verdict than DNS gives
        ("any.wild.zz", "error", "wildcard"),
        ("free.zz", "notfound", "not-in-zone"),
        ("zz.zz", "notfound", "not-in-zone"),
        ("and.dev", "found", "answer")]
    assert rows["host.zz"]["evidence"] == "zone:zz@7"
    assert r.returncode == 1  # the wildcard's "?"
    r = zrun(tmp_path, "-s", nsd.v4, "--zone", zone, "--no-wildcard-check",
             "any.wild.zz", checks=True)
    assert r.lines == ["+ any.wild.zz"]


def test_index_is_built_once_and_again_when_the_file_changes(faultd,
                                                              tmp_path):
    f = faultd(default="nxdomain")
    zone = write(tmp_path / "dev.zone", czds(["alpha"]))
    r = zrun(tmp_path, "-v", "-s", f.addr, "--zone", zone, "alpha.dev")
    assert "indexed in" in r.stderr
    assert r.lines == ["+ alpha.dev"]
    index = list((tmp_path / "cache" / "blogdom").glob("zone-*.idx"))
    assert len(index) == 1
    r = zrun(tmp_path, "-v", "-s", f.addr, "--zone", zone, "alpha.dev")
    assert "indexed in" not in r.stderr and "index " in r.stderr
    assert r.lines == ["+ alpha.dev"]
    # the same path, other contents: its index is replaced, not added to
    write(zone, czds(["beta"], serial=SERIAL + 1))
    r = zrun(tmp_path, "-v", "-s", f.addr, "--zone", zone, "--json",
             "alpha.dev", "beta.dev", "--order=input")
    assert "indexed in" in r.stderr
    assert [(x["name"], x["status"], x["evidence"])
            for x in map(json.loads, r.lines)] == [
        ("alpha.dev", "notfound", f"zone:dev@{SERIAL + 1}"),
        ("beta.dev", "found", f"zone:dev@{SERIAL + 1}")]
    assert list((tmp_path / "cache" / "blogdom").glob("zone-*.idx")) == index
    # a damaged index is built again, never trusted
    data = bytearray(index[0].read_bytes())
    data[-1] ^= 0xff
    index[0].write_bytes(bytes(data))
    r = zrun(tmp_path, "-v", "-s", f.addr, "--zone", zone, "beta.dev")
    assert "indexed in" in r.stderr and r.lines == ["+ beta.dev"]
    # no cache directory to write: still judged, with a warning
    env = dict(os.environ, XDG_CACHE_HOME="/proc/blogdom-none")
    r = blogdom("-s", f.addr, "--zone", zone, "beta.dev", env=env)
    assert r.lines == ["+ beta.dev"] and r.returncode == 0
    assert "built again on every run" in r.stderr
    assert f.queries() == []


BROKEN = {
    "no-soa.zone": ("; nothing\n", "no SOA record"),
    "not-first.zone": ("$ORIGIN dev.\nfoo A 192.0.2.1\n"
                       "@ SOA a b 1 2 3 4 5\n", ":2: the first record"),
    "bad-line.zone": ("$ORIGIN dev.\n@ SOA a b 1 2 3 4 5\n"
                      "ok A 192.0.2.1\nbad A 300.1.1.1\n", ":4: "),
    "unclosed.zone": ("$ORIGIN dev.\n@ SOA a b ( 1 2 3 4 5\n", "unclosed"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_file_that_is_no_zone_is_exit_2(tmp_path, name):
    text, said = BROKEN[name]
    zone = write(tmp_path / name, text)
    r = zrun(tmp_path, "-s", "127.0.0.1:9", "--zone", zone, "foo.dev",
             network=False)
    assert r.returncode == 2
    assert r.stdout == ""
    assert f"{zone}" in r.stderr and said in r.stderr, r.stderr


def test_truncated_gzip_missing_file_and_two_files_of_one_zone(tmp_path):
    full = write(tmp_path / "full.zone.gz",
                 czds([f"n{i}" for i in range(20000)]), gz=True)
    data = full.read_bytes()
    cut = tmp_path / "cut.zone.gz"
    cut.write_bytes(data[:len(data) // 2])
    r = zrun(tmp_path, "-s", "127.0.0.1:9", "--zone", cut, "n1.dev",
             network=False)
    assert r.returncode == 2 and r.stdout == ""
    assert "truncated" in r.stderr
    assert not list((tmp_path / "cache").rglob("*.idx")), \
        "no index of a partial file"
    r = zrun(tmp_path, "-s", "127.0.0.1:9", "--zone", tmp_path / "none",
             "n1.dev", network=False)
    assert r.returncode == 2 and "No such file" in r.stderr
    other = write(tmp_path / "other.zone", czds(["x"]))
    r = zrun(tmp_path, "-s", "127.0.0.1:9", "--zone", full, "--zone", other,
             "n1.dev", network=False)
    assert r.returncode == 2 and r.stdout == ""
    assert "both the zone dev" in r.stderr


def test_confirm_asks_the_registry_about_the_zones_candidates(faultd,
                                                              tmp_path):
    f = faultd(default="nxdomain")
    zone = write(tmp_path / "dev.zone", czds(["taken"]))
    srv = RdapServer({"hold.dev": 200, "*": 404})
    try:
        r = zrun(tmp_path, "-s", f.addr, "--zone", zone, "--rdap-url",
                 srv.url, "--json", "taken.dev", "hold.dev", "free.dev")
        rows = rows_of(r)
        assert (rows["hold.dev"]["status"], rows["hold.dev"]["reason"],
                rows["hold.dev"]["evidence"]) == \
            ("found", "registered-no-dns", "rdap:200")
        assert (rows["free.dev"]["status"], rows["free.dev"]["evidence"],
                rows["free.dev"]["confirmed"]) == \
            ("notfound", "rdap:404", True)
        assert rows["taken.dev"]["evidence"] == f"zone:dev@{SERIAL}"
        assert srv.count("taken.dev") == 0
        assert srv.count("hold.dev") == 1
    finally:
        srv.close()
    assert f.queries() == []


def test_input_order_shards_and_stdin(faultd, tmp_path):
    f = faultd(["*.com delay=300,a=192.0.2.1"], default="nxdomain")
    zone = write(tmp_path / "dev.zone", czds([f"n{i}" for i in range(0, 400,
                                                                    2)]))
    names = []
    for i in range(400):
        names.append(f"n{i}.dev")
        if i % 100 == 0:
            names.append(f"slow{i}.com")
    stdin = ("\n".join(names) + "\n").encode()
    r = zrun(tmp_path, "-s", f.addr, "--zone", zone, "--order=input",
             stdin=stdin)
    expect = [("+ " if n.endswith(".com") or int(n[1:-4]) % 2 == 0
               else "  ") + n for n in names]
    assert r.lines == expect
    # in arrival order the zone's lines do not wait for the slow ones
    r = zrun(tmp_path, "-s", f.addr, "--zone", zone, stdin=stdin)
    assert sorted(r.lines) == sorted(expect)
    assert all(line.endswith(".com") for line in r.lines[-4:])
    shards = [zrun(tmp_path, "-s", f.addr, "--zone", zone, "--shard",
                   f"{k}/3", stdin=stdin).lines for k in range(3)]
    assert sorted(sum(shards, [])) == sorted(expect)
