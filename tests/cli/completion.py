"""Asks bash, zsh and fish what blogdom's completion scripts offer for a
command line, as each shell would at a Tab: bash through the function the
script registers with `complete -F` (with and without the bash-completion
package's helpers), zsh through complete.zsh (compinit on a pseudo-terminal)
and fish through `complete -C`. Nothing here runs blogdom."""

import os
import re
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
# Shells, by the name a test is parametrized with.
SHELLS = ["bash", "bash-completion", "zsh", "fish"]


def missing(shell):
    """Why shell cannot be tested here, or None."""
    if shell == "bash-completion":
        return None if BASH_COMPLETION.exists() else \
            "the bash-completion package is not installed"
    return None if shutil.which(shell) else f"{shell} is not installed"


def bash_words(line):
    """COMP_WORDS for line, split as bash splits it with the default
    COMP_WORDBREAKS, for the characters blogdom's options use: blanks
    separate words, and '=' is a word of its own."""
    words = []
    for token in line.split(" "):
        if token == "" and words:
            continue
        parts = re.split(r"(=)", token)
        words += [p for p in parts if p != ""] or [""]
    if line.endswith(" "):
        words.append("")
    return words


class Scripts:
    """The three scripts: bash's file, the directory holding zsh's
    _blogdom, fish's file."""

    def __init__(self, bash, zsh_dir, fish):
        self.bash = Path(bash)
        self.zsh_dir = Path(zsh_dir)
        self.fish = Path(fish)

    @classmethod
    def in_dir(cls, d):
        """As the build writes them, side by side in d."""
        d = Path(d)
        return cls(d / "blogdom", d, d / "blogdom.fish")

    def complete(self, shell, lines, cwd, home):
        """{line: what shell offers at the end of line} in directory cwd,
        with home as $HOME."""
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home),
                   XDG_DATA_HOME=str(home), XDG_CACHE_HOME=str(home))
        if shell == "zsh":
            # one session for every line: compinit costs 0.3 s a start
            out = run(["zsh", "-f", str(HERE / "complete.zsh"),
                       str(self.zsh_dir)] + list(lines), cwd, env)
            answers = [[]]
            for m in out.splitlines():
                if m == "<end>":
                    answers.append([])
                elif m:
                    answers[-1].append(m)
            assert len(answers) == len(lines) + 1, out
            return dict(zip(lines, answers))
        return {line: self.complete_one(shell, line, cwd, env)
                for line in lines}

    def complete_one(self, shell, line, cwd, env):
        if shell in ("bash", "bash-completion"):
            words = bash_words(line)
            script = (
                ('source "$BC"\n' if shell == "bash-completion" else "") +
                'source "$1"; shift\n'
                'fn=$(complete -p blogdom | sed -n "s/.*-F \\([^ ]*\\).*/'
                '\\1/p")\n'
                'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))\n'
                'COMP_LINE=$LINE; COMP_POINT=${#LINE}\n'
                '"$fn" blogdom "${COMP_WORDS[COMP_CWORD]}" '
                '"${COMP_WORDS[COMP_CWORD - 1]}"\n'
                'printf "%s\\n" "${COMPREPLY[@]}"\n')
            env = dict(env, BC=str(BASH_COMPLETION), LINE=line)
            argv = ["bash", "--norc", "--noprofile", "-c", script, "bash",
                    str(self.bash)] + words
        elif shell == "fish":
            argv = ["fish", "--no-config", "-c",
                    "source $argv[1]; complete -C $argv[2]",
                    str(self.fish), line]
        else:
            raise ValueError(shell)
        # fish gives "match<TAB>description"
        return [m.split("\t")[0] for m in run(argv, cwd, env).splitlines()
                if m.strip()]


def run(argv, cwd, env):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0, \
        f"{argv[0]} failed ({proc.returncode}): " + proc.stderr.decode()
    assert proc.stderr == b"", \
        f"{argv[0]} complained: " + proc.stderr.decode()
    return proc.stdout.decode()


def value(match):
    """The word a match offers: what follows the option's '=' and the
    listed part ("--only=found,error" gives "error"), as the shells differ
    in how much of the word they repeat."""
    return re.split(r"[=,]", match)[-1]


def options_of(help_text):
    """(letter or None, long name, argument name or None) for each option
    that --help lists."""
    rows = []
    for line in help_text.splitlines():
        m = re.match(r"^  (?:-(\w), |    )--([a-z][a-z0-9-]*)(?:=(\S+))? ",
                     line)
        if m:
            rows.append(m.groups())
    return rows
