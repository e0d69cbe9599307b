"""The shell completions (completions/gencompletions.c), sourced in each
shell: every option that --help lists completes, the fixed words of
--type, --only and --order are offered (and blogdom takes each), options
whose argument is a FILE complete paths, and nothing offers files where a
name, an address or a number is expected. zsh, fish and the bash-completion
helpers are skipped where they are not installed; plain bash always runs.

BD_COMPLETIONS names the directory the build writes the scripts to; the
package test (test_package.py) runs the same checks on the installed
copies."""

import os

import pytest

from completion import SHELLS, Scripts, missing, options_of, value
from conftest import blogdom

WORDS = {
    "only": {"found", "notfound", "error", "for-sale"},
    "order": {"arrival", "input"},
}
# At least these record types; every one offered must parse.
TYPES = {"A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "CAA", "HTTPS"}


def help_options():
    """(letter, long name, argument) of each option --help lists."""
    r = blogdom("--help", network=False)
    assert r.returncode == 0, r.stderr
    rows = options_of(r.stdout)
    assert len(rows) >= 25, r.stdout
    return rows


def lines_to_ask(rows):
    """Every command line the checks below complete."""
    lines = ["blogdom -", "blogdom --", "blogdom --no-w", "blogdom na",
             "blogdom -s 127.0.0.1 ", "blogdom --only found,",
             "blogdom --order in", "blogdom --type ", "blogdom --type="]
    for opt in WORDS:
        lines += [f"blogdom --{opt} ", f"blogdom --{opt}="]
    for letter, name, arg in rows:
        if arg == "FILE":
            lines += [f"blogdom --{name} na", f"blogdom --{name}=na"]
            if letter:
                lines.append(f"blogdom -{letter} na")
        elif arg:
            lines.append(f"blogdom --{name} ")
    return list(dict.fromkeys(lines))


def ask(scripts, shell, workdir):
    """{line: matches} for every line of lines_to_ask(), completed by shell
    in a directory that holds names.txt and servers.conf."""
    reason = missing(shell)
    if reason:
        pytest.skip(reason)
    cwd = workdir / "cwd"
    home = workdir / "home"
    cwd.mkdir()
    home.mkdir()
    (cwd / "names.txt").write_text("and\n")
    (cwd / "servers.conf").write_text("127.0.0.1\n")
    return scripts.complete(shell, lines_to_ask(help_options()), cwd, home)


def check_every_option(offered):
    """Every long and short option of --help completes from "-", and a
    long one from a prefix of its own."""
    rows = help_options()
    dash = set(offered["blogdom -"])
    for letter, name, _ in rows:
        assert f"--{name}" in dash, f"--{name} does not complete"
        if letter:
            assert f"-{letter}" in dash, f"-{letter} does not complete"
    assert offered["blogdom --no-w"] == ["--no-wildcard-check"]
    assert set(offered["blogdom --"]) == {f"--{n}" for _, n, _ in rows}


def check_words(offered):
    """The fixed words: after a blank and after '=', and in a list."""
    def values(line):
        return {value(m) for m in offered[line]}

    for opt, words in WORDS.items():
        assert values(f"blogdom --{opt} ") == words, opt
        assert values(f"blogdom --{opt}=") == words, opt
    assert values("blogdom --only found,") >= {"notfound", "error"}
    assert values("blogdom --order in") == {"input"}
    types = values("blogdom --type ")
    assert types >= TYPES, TYPES - types
    assert values("blogdom --type=") == types
    for t in types:
        r = blogdom(f"--type={t}", "--help", network=False)
        assert r.returncode == 0, f"--type={t} is refused: {r.stderr}"


def check_files(offered):
    """Options whose argument is a FILE complete paths, in each form; the
    others, and the names to probe, offer no file."""
    rows = help_options()
    file_opts = [(letter, name) for letter, name, arg in rows
                 if arg == "FILE"]
    assert {n for _, n in file_opts} >= {"file", "resolvers"}
    for letter, name in file_opts:
        assert "names.txt" in offered[f"blogdom --{name} na"], name
        assert "names.txt" in {value(m) for m in
                               offered[f"blogdom --{name}=na"]}, name
        if letter:
            assert "names.txt" in offered[f"blogdom -{letter} na"], letter
    for _, name, arg in rows:
        if arg and arg != "FILE":
            assert not any("names.txt" in m for m in
                           offered[f"blogdom --{name} "]), name
    assert offered["blogdom na"] == []
    assert offered["blogdom -s 127.0.0.1 "] == []


@pytest.fixture(scope="module", params=SHELLS)
def offered(request, tmp_path_factory):
    d = os.environ.get("BD_COMPLETIONS")
    if not d:
        pytest.skip("BD_COMPLETIONS (the build's completions/) is not set")
    return ask(Scripts.in_dir(d), request.param,
               tmp_path_factory.mktemp(request.param))


def test_every_option_completes(offered):
    check_every_option(offered)


def test_fixed_words(offered):
    check_words(offered)


def test_file_arguments(offered):
    check_files(offered)
