"""scripts/whois-servers: the rules that turn the whois client's lists into
blogdom's WHOIS table, on a small list of each kind of line."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "whois-servers"

TLD_SERV_LIST = """\
# a comment
.br.com\twhois.centralnic.net
.com\tVERISIGN whois.verisign-grs.com
.bz\tRECURSIVE whois.identitydigital.services
.uk\twhois.nic.uk\t# a trailing comment
.es\tWEB https://www.dominios.es/en
.bs\tNONE\t\t# http://www.register.bs/
.mil\tNONE
.e164.arpa\twhois.ripe.net
.in-addr.arpa\tARPA
.ip6.arpa\tIP6
.arpa\twhois.iana.org
-norid\twhois.norid.no
.shop\twhois.example-registry.net
"""

NEW_GTLDS_LIST = """\
# If a TLD is listed in this file then queries will go to whois.nic.$TLD.

shop
zulu
"""


def run(tmp_path, serv=TLD_SERV_LIST, gtlds=NEW_GTLDS_LIST,
        args=("9.9.9", "2030-01-02")):
    (tmp_path / "tld_serv_list").write_text(serv)
    (tmp_path / "new_gtlds_list").write_text(gtlds)
    return subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), *args],
                          capture_output=True, text=True)


def entries(stdout):
    return [line for line in stdout.splitlines() if not line.startswith("#")]


def test_each_kind_of_line(tmp_path):
    r = run(tmp_path)
    assert r.returncode == 0, r.stderr
    assert entries(r.stdout) == [
        "br.com whois.centralnic.net",
        "bz whois.identitydigital.services",
        "com whois.verisign-grs.com",
        # tld_serv_list is read first: its server wins over whois.nic.shop
        "shop whois.example-registry.net",
        "uk whois.nic.uk",
        "zulu whois.nic.zulu",
    ]


def test_the_header_dates_the_table(tmp_path):
    r = run(tmp_path)
    head = [line for line in r.stdout.splitlines() if line.startswith("#")]
    assert "# date: 2030-01-02" in head
    assert any("whois 9.9.9" in line for line in head if "source:" in line)


def test_a_line_it_does_not_understand_stops_it(tmp_path):
    r = run(tmp_path, serv=TLD_SERV_LIST + ".xx\tSOMETHING NEW here\n")
    assert r.returncode != 0
    assert "tld_serv_list:" in r.stderr and "SOMETHING NEW" in r.stderr
    assert r.stdout == ""


def test_a_bad_date_is_refused(tmp_path):
    r = run(tmp_path, args=("9.9.9", "2 January"))
    assert r.returncode != 0
    assert r.stdout == ""
