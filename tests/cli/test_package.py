"""The Debian package that scripts/package builds (BLOGDOM_DEB names it;
without it the suite is skipped).

dpkg installs it into an empty root whose database holds only the host's
entries for the packages it Depends on: dpkg itself checks the Depends line
against the very libraries the installed binary then runs with, in a
fraction of a second, where a debootstrap chroot would cost minutes and the
Debian mirror. The installed blogdom prints its version and probes names
against a loopback NSD; the installed completions are checked as
test_completions.py checks the build's; lintian must report no error."""

import gzip
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import conftest
from completion import SHELLS, Scripts
from conftest import BOOK_FOUND, blogdom
from test_completions import ask, check_every_option, check_files, \
    check_words

DEB = os.environ.get("BLOGDOM_DEB")
SOURCE = Path(__file__).resolve().parents[2]
DEPENDS = {"libuv1", "libc-ares2", "libidn2-0", "libpsl5", "libjansson4"}

pytestmark = pytest.mark.skipif(not DEB, reason="BLOGDOM_DEB is not set")


def field(name):
    out = subprocess.run(["dpkg-deb", "-f", DEB, name], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


def relations(name):
    """The package names of a relation field (Depends, Recommends)."""
    names = set()
    for alternatives in field(name).split(","):
        for rel in alternatives.split("|"):
            if rel.strip():
                names.add(re.split(r"[\s(:]", rel.strip())[0])
    return names


def host_status(packages):
    """The host's dpkg status paragraphs of these installed packages, and
    the paths of their file lists."""
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()
    info = Path("/var/lib/dpkg/info")
    text = Path("/var/lib/dpkg/status").read_text()
    paragraphs = []
    lists = []
    for para in text.split("\n\n"):
        fields = dict(re.findall(r"^([\w-]+): (.*)$", para, re.M))
        if fields.get("Package") not in packages or \
                fields.get("Architecture") not in (arch, "all") or \
                not fields.get("Status", "").endswith(" installed"):
            continue
        paragraphs.append(para.strip() + "\n")
        name = fields["Package"]
        lists += [p for p in (info / f"{name}:{arch}.list",
                              info / f"{name}.list") if p.exists()]
    return paragraphs, lists


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """The package, installed by dpkg into a root of its own."""
    root = tmp_path_factory.mktemp("root")
    admin = root / "var/lib/dpkg"
    for d in ("info", "updates", "triggers"):
        (admin / d).mkdir(parents=True)
    paragraphs, lists = host_status(relations("Depends"))
    (admin / "status").write_text("\n".join(paragraphs))
    (admin / "available").write_text("")
    for path in lists:
        shutil.copy(path, admin / "info" / path.name)
    proc = subprocess.run(["dpkg", f"--root={root}",
                           f"--log={root}/dpkg.log", "-i", DEB],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in proc.stderr, proc.stderr
    return root


@pytest.fixture
def installed(root, monkeypatch):
    """conftest's runner, running the installed blogdom."""
    monkeypatch.setattr(conftest, "BLOGDOM", str(root / "usr/bin/blogdom"))
    return blogdom


def test_fields():
    assert field("Package") == "blogdom"
    assert field("Architecture") == subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True,
        text=True).stdout.strip()
    assert relations("Depends") >= DEPENDS, field("Depends")
    assert "libcurl4" not in relations("Depends")
    assert relations("Recommends") == {"libcurl4"}


def test_files(root):
    usr = root / "usr"
    files = {str(p.relative_to(root)) for p in root.rglob("*")
             if p.is_file() and "var/lib/dpkg" not in str(p)
             and p.name != "dpkg.log"}
    assert files == {
        "usr/bin/blogdom",
        "usr/share/man/man1/blogdom.1.gz",
        "usr/share/bash-completion/completions/blogdom",
        "usr/share/zsh/vendor-completions/_blogdom",
        "usr/share/fish/vendor_completions.d/blogdom.fish",
        "usr/share/doc/blogdom/copyright",
        "usr/share/doc/blogdom/changelog.gz",
    }
    # no empty directory left behind (the zsh site-functions the plain
    # install uses)
    assert not [d for d in usr.rglob("*") if d.is_dir() and
                not any(d.iterdir())]


def test_binary_is_stripped(root):
    sections = subprocess.run(["readelf", "-S", "-W",
                               str(root / "usr/bin/blogdom")],
                              check=True, capture_output=True,
                              text=True).stdout
    assert ".symtab" not in sections
    assert ".debug_info" not in sections
    assert " .comment " not in sections


def gunzip_n(path):
    """The text of a file compressed as Debian wants: gzip with neither
    the original name nor a time stamp (gzip -n)."""
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b", path
    assert raw[3] & 0x08 == 0, f"{path} holds a file name"
    assert raw[4:8] == b"\0\0\0\0", f"{path} holds a time stamp"
    return gzip.decompress(raw).decode()


def test_man_page_and_changelog(root):
    doc = root / "usr/share/doc/blogdom"
    man = gunzip_n(root / "usr/share/man/man1/blogdom.1.gz")
    assert man == (SOURCE / "docs/blogdom.1").read_text()
    changelog = gunzip_n(doc / "changelog.gz")
    assert changelog.startswith(f"blogdom ({field('Version')}) ")


def test_copyright_is_machine_readable_mit(root):
    text = (root / "usr/share/doc/blogdom/copyright").read_text()
    assert text.startswith("Format: https://www.debian.org/doc/"
                           "packaging-manuals/copyright-format/1.0/\n")
    assert "\nFiles: *\n" in text
    assert "\nLicense: Expat\n" in text
    license_text = (SOURCE / "LICENSE").read_text()
    holder = re.search(r"Copyright \(c\) (.+)", license_text).group(1)
    assert f"\nCopyright: {holder}\n" in text
    # the permission text, word for word
    body = license_text.split(holder, 1)[1].split()
    stand_alone = text.split("\nLicense: Expat\n")[-1]
    assert [w for w in stand_alone.split() if w != "."] == body


def test_installed_version(installed):
    r = installed("--version", network=False)
    assert r.returncode == 0, r.stderr
    first, libs = r.lines
    assert first == f"blogdom {field('Version')}"
    names = [w.split("/")[0] for w in libs.split()]
    assert names[:5] == ["libuv", "c-ares", "libidn2", "libpsl", "jansson"]
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "libcurl4"],
                            capture_output=True, text=True).stdout
    if status.endswith(" installed"):  # the Recommends
        assert "libcurl" in names


def test_installed_probe(installed, nsd):
    r = installed("-s", nsd.v4, "and", "none", "--order=input")
    assert r.returncode == 0, r.stderr
    assert r.lines == ["+ and.dev", "  none.dev"]
    r = installed("-s", nsd.v4)
    assert {line[2:-4] for line in r.lines if line.startswith("+ ")} == \
        BOOK_FOUND


@pytest.fixture(scope="module", params=SHELLS)
def offered(request, root, tmp_path_factory):
    share = root / "usr/share"
    scripts = Scripts(share / "bash-completion/completions/blogdom",
                      share / "zsh/vendor-completions",
                      share / "fish/vendor_completions.d/blogdom.fish")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conftest, "BLOGDOM", str(root / "usr/bin/blogdom"))
        yield ask(scripts, request.param,
                  tmp_path_factory.mktemp(request.param))


def test_installed_completions(offered, installed):
    check_every_option(offered)
    check_words(offered)
    check_files(offered)


def test_lintian():
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed")
    proc = subprocess.run(["lintian", "--fail-on", "error", DEB],
                          capture_output=True, text=True)
    tags = proc.stdout + proc.stderr
    assert proc.returncode == 0, tags
    assert not re.search(r"^E: ", tags, re.M), tags
    print(tags)


def test_dpkg_checks_the_depends_line(tmp_path):
    """The install above means something: into a root that lacks the
    dependencies, dpkg refuses the package."""
    admin = tmp_path / "var/lib/dpkg"
    for d in ("info", "updates", "triggers"):
        (admin / d).mkdir(parents=True)
    (admin / "status").write_text("")
    (admin / "available").write_text("")
    proc = subprocess.run(["dpkg", f"--root={tmp_path}",
                           f"--log={tmp_path}/dpkg.log", "-i", DEB],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "dependency problems" in proc.stderr, proc.stderr
