#!/usr/bin/env -S zsh -f
# complete.zsh DIR LINE...: for each LINE, prints the matches zsh's
# completion system offers at its end, one a line, then a line "<end>";
# the functions in DIR come first on $fpath. An interactive zsh on a
# pseudo-terminal (zpty) runs compinit and gets each LINE and a Tab; a
# compadd wrapper prints each match it is handed. The markers are written
# split ("<hi""t>") so that the terminal's echo of the commands never
# looks like output.
zmodload zsh/zpty || exit 2
dir=$1
shift

# Reads the terminal until a line holds the marker, printing the matches.
read_until() {
  local out
  integer n=0
  while true; do
    if ! zpty -r -t z out; then
      (( ++n < 1000 )) || { print -u2 "complete.zsh: no answer"; exit 2 }
      sleep 0.01
      continue
    fi
    out=${out//[$'\r\n']}
    [[ $out == *"<$1>"* ]] && return
    [[ $1 == done && $out == *'<hit>'* ]] && print -r -- "${out#*<hit>}"
  done
}

zpty z zsh -f -i
zpty -w z "PS1='' PS2='' RPS1=''"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-prompt ''; zstyle ':completion:*' menu no"
zpty -w z 'compadd() {
  local -a __hits
  if [[ ${argv[(I)-[OAD]]} -eq 0 ]]; then
    builtin compadd -O __hits "$@"
    (( $#__hits )) && print -rl -- "<hi""t>"${^__hits}
  fi
  builtin compadd "$@"
}'
zpty -w z '_bd_done() { print -r -- "<do""ne>" }'
for line in "$@"; do
  # ^U empties the line the last Tab left; comppostfuncs is used up by
  # each completion.
  zpty -w z $'\x15''comppostfuncs=(_bd_done); print -r -- "<rea""dy>"'
  read_until ready
  zpty -w -n z "$line"$'\t'
  read_until done
  print -r -- "<end>"
done
zpty -d z
