/* Writes blogdom's completion script for bash, zsh or fish from the option
 * table in src/cli.c. Run at build time, so no script can miss an option
 * or offer a word the parser refuses.
 *
 *   gencompletions bash|zsh|fish OUTPUT */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/cli.h"

#define MAX_OPTIONS 64

struct options {
  struct bd_cli_option o[MAX_OPTIONS];
  size_t n;
  bool unsafe; /* a name or word a shell would need quoted */
};

/* Names and words go into the scripts unquoted, as case labels and word
 * lists: letters, digits and '-' only. */
static bool plain(const char *s) {
  if (*s == '\0')
    return false;
  return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                   "0123456789-") == strlen(s);
}

static void on_option(const struct bd_cli_option *o, void *data) {
  struct options *all = data;
  if (!plain(o->name))
    all->unsafe = true;
  if (o->kind == BD_CLI_ARG_WORD)
    for (size_t i = 0; o->word(i) != NULL; i++)
      if (!plain(o->word(i)))
        all->unsafe = true;
  if (all->n < MAX_OPTIONS)
    all->o[all->n] = *o;
  all->n++;
}

static void words(FILE *out, const struct bd_cli_option *o) {
  for (size_t i = 0; o->word(i) != NULL; i++)
    fprintf(out, "%s%s", i > 0 ? " " : "", o->word(i));
}

/* "-f | --file", as a bash case label. */
static void bash_label(FILE *out, const struct bd_cli_option *o) {
  if (o->letter != 0)
    fprintf(out, "-%c | ", o->letter);
  fprintf(out, "--%s", o->name);
}

/* One case arm for the options whose argument is of this kind. */
static void bash_arm(FILE *out, const struct options *all, enum bd_cli_arg kind,
                     const char *body) {
  bool first = true;
  for (size_t i = 0; i < all->n; i++) {
    if (all->o[i].kind != kind)
      continue;
    fputs(first ? "  " : " | ", out);
    bash_label(out, &all->o[i]);
    first = false;
  }
  if (!first)
    fprintf(out, ")\n%s    return 0\n    ;;\n", body);
}

static void bash(FILE *out, const struct options *all) {
  fputs("# bash completion for blogdom(1). Generated at build time from the\n"
        "# option table in src/cli.c by completions/gencompletions.c.\n"
        "\n"
        "# _blogdom_words PREFIX CUR ANYCASE LIST WORD...: the words that "
        "start\n"
        "# with CUR (its part after the last comma when LIST is 1), each "
        "after\n"
        "# PREFIX and the listed part.\n"
        "_blogdom_words() {\n"
        "  local pre=$1 cur=$2 anycase=$3 list=$4 head='' w\n"
        "  shift 4\n"
        "  if [[ $list == 1 && $cur == *,* ]]; then\n"
        "    head=${cur%,*},\n"
        "    cur=${cur##*,}\n"
        "  fi\n"
        "  COMPREPLY=()\n"
        "  for w in \"$@\"; do\n"
        "    if [[ $anycase == 1 ]]; then\n"
        "      [[ ${w,,} == \"${cur,,}\"* ]] || continue\n"
        "    else\n"
        "      [[ $w == \"$cur\"* ]] || continue\n"
        "    fi\n"
        "    COMPREPLY+=(\"$pre$head$w\")\n"
        "  done\n"
        "}\n"
        "\n"
        "# _blogdom_files PREFIX CUR: the paths that start with CUR, after\n"
        "# PREFIX; bash-completion's _filedir when it is there.\n"
        "_blogdom_files() {\n"
        "  local pre=$1 cur=$2\n"
        "  if [[ -z $pre ]] && declare -F _filedir >/dev/null; then\n"
        "    _filedir\n"
        "    return 0\n"
        "  fi\n"
        "  compopt -o filenames 2>/dev/null\n"
        "  mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
        "  [[ -n $pre ]] && COMPREPLY=(\"${COMPREPLY[@]/#/$pre}\")\n"
        "  return 0\n"
        "}\n"
        "\n"
        "_blogdom() {\n"
        "  local cur=${COMP_WORDS[COMP_CWORD]} prev='' opt pre='' i\n"
        "  COMPREPLY=()\n"
        "  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
        "  # After \"--\" every word is a name.\n"
        "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "    [[ ${COMP_WORDS[i]} == -- ]] && return 0\n"
        "  done\n"
        "  # The option whose argument is being typed: \"-s ARG\", "
        "\"--server\n"
        "  # ARG\", \"--server=ARG\" as one word, or as the three words\n"
        "  # \"--server\" \"=\" \"ARG\" that bash makes of it when '=' is in\n"
        "  # COMP_WORDBREAKS (then readline completes the text after '=').\n"
        "  opt=$prev\n"
        "  if [[ $cur == --*=* ]]; then\n"
        "    opt=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}\n"
        "  elif [[ $cur == = && $prev == --* ]]; then\n"
        "    opt=$prev cur=''\n"
        "  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
        "    opt=${COMP_WORDS[COMP_CWORD - 2]}\n"
        "  fi\n"
        "  case $opt in\n",
        out);
  bash_arm(out, all, BD_CLI_ARG_FILE, "    _blogdom_files \"$pre\" \"$cur\"\n");
  for (size_t i = 0; i < all->n; i++) {
    const struct bd_cli_option *o = &all->o[i];
    if (o->kind != BD_CLI_ARG_WORD)
      continue;
    fputs("  ", out);
    bash_label(out, o);
    fprintf(out, ")\n    _blogdom_words \"$pre\" \"$cur\" %d %d ",
            o->any_case ? 1 : 0, o->list ? 1 : 0);
    words(out, o);
    fputs("\n    return 0\n    ;;\n", out);
  }
  bash_arm(out, all, BD_CLI_ARG_TEXT, "    # free text: nothing to offer\n");
  fputs("  esac\n"
        "  # An option given a value with '=' that takes none.\n"
        "  [[ -n $pre || $cur == = ]] && return 0\n"
        "  if [[ $cur == -* ]]; then\n"
        "    mapfile -t COMPREPLY < <(compgen -W '",
        out);
  for (size_t i = 0; i < all->n; i++)
    fprintf(out, "%s--%s", i > 0 ? " " : "", all->o[i].name);
  for (size_t i = 0; i < all->n; i++)
    if (all->o[i].letter != 0)
      fprintf(out, " -%c", all->o[i].letter);
  fputs("' -- \"$cur\")\n"
        "  fi\n"
        "  return 0\n"
        "}\n"
        "\n"
        "complete -F _blogdom blogdom\n",
        out);
}

/* Text inside a single-quoted shell word: ' becomes '\''. */
static void sh_quoted(FILE *out, const char *s, const char *escape) {
  for (; *s != '\0'; s++) {
    if (*s == '\'')
      fputs("'\\''", out);
    else if (strchr(escape, *s) != NULL)
      fprintf(out, "\\%c", *s);
    else
      fputc(*s, out);
  }
}

static void zsh(FILE *out, const struct options *all) {
  fputs("#compdef blogdom\n"
        "# zsh completion for blogdom(1). Generated at build time from the\n"
        "# option table in src/cli.c by completions/gencompletions.c.\n"
        "\n"
        "_arguments -s -S \\\n",
        out);
  for (size_t i = 0; i < all->n; i++) {
    const struct bd_cli_option *o = &all->o[i];
    const char *sep = o->kind == BD_CLI_ARG_NONE ? "" : "=";
    const char *glued = o->kind == BD_CLI_ARG_NONE ? "" : "+";

    /* A repeatable option ('*') is offered again; once one form of any
     * other is on the line, neither form is. */
    if (o->letter != 0 && o->repeatable)
      fprintf(out, "  '*'{-%c%s,--%s%s}'", o->letter, glued, o->name, sep);
    else if (o->letter != 0)
      fprintf(out, "  '(-%c --%s)'{-%c%s,--%s%s}'", o->letter, o->name,
              o->letter, glued, o->name, sep);
    else
      fprintf(out, "  '%s--%s%s", o->repeatable ? "*" : "", o->name, sep);
    fputc('[', out);
    sh_quoted(out, o->help, "[]\\");
    fputc(']', out);
    if (o->kind != BD_CLI_ARG_NONE) {
      fputc(':', out);
      sh_quoted(out, o->arg, ":\\");
      fputc(':', out);
      if (o->kind == BD_CLI_ARG_FILE) {
        fputs("_files", out);
      } else if (o->kind == BD_CLI_ARG_WORD && o->list) {
        fputs("_sequence compadd - ", out);
        words(out, o);
      } else if (o->kind == BD_CLI_ARG_WORD) {
        fputc('(', out);
        words(out, o);
        fputc(')', out);
      } else {
        fputc(' ', out); /* free text: the message alone */
      }
    }
    fputs("' \\\n", out);
  }
  fputs("  '*:domain name or label: '\n", out);
}

static void fish(FILE *out, const struct options *all) {
  fputs("# fish completion for blogdom(1). Generated at build time from the\n"
        "# option table in src/cli.c by completions/gencompletions.c.\n"
        "\n"
        "# The arguments are names to probe, not files.\n"
        "complete -c blogdom -f\n",
        out);
  for (size_t i = 0; i < all->n; i++) {
    const struct bd_cli_option *o = &all->o[i];
    fputs("complete -c blogdom", out);
    if (o->letter != 0)
      fprintf(out, " -s %c", o->letter);
    fprintf(out, " -l %s", o->name);
    if (o->kind == BD_CLI_ARG_FILE) {
      fputs(" -r -F", out);
    } else if (o->kind == BD_CLI_ARG_WORD && o->list) {
      /* fish's helper completes the word after the last comma */
      fputs(" -x -a '(__fish_complete_list , \"string join \\n ", out);
      words(out, o);
      fputs("\")'", out);
    } else if (o->kind == BD_CLI_ARG_WORD) {
      fputs(" -x -a '", out);
      words(out, o);
      fputc('\'', out);
    } else if (o->kind == BD_CLI_ARG_TEXT) {
      fputs(" -x", out);
    }
    fputs(" -d '", out);
    /* fish's single quotes take \' and \\ */
    for (const char *p = o->help; *p != '\0'; p++) {
      if (*p == '\'' || *p == '\\')
        fputc('\\', out);
      fputc(*p, out);
    }
    fputs("'\n", out);
  }
}

int main(int argc, char **argv) {
  static struct options all;
  void (*write)(FILE *, const struct options *) = NULL;
  FILE *out;

  if (argc == 3 && strcmp(argv[1], "bash") == 0)
    write = bash;
  else if (argc == 3 && strcmp(argv[1], "zsh") == 0)
    write = zsh;
  else if (argc == 3 && strcmp(argv[1], "fish") == 0)
    write = fish;
  if (write == NULL) {
    fputs("usage: gencompletions bash|zsh|fish OUTPUT\n", stderr);
    return 2;
  }
  bd_cli_each_option(on_option, &all);
  if (all.n > MAX_OPTIONS || all.unsafe) {
    fprintf(stderr, "gencompletions: %s\n",
            all.unsafe ? "an option name or word needs quoting"
                       : "more options than MAX_OPTIONS");
    return 1;
  }
  out = fopen(argv[2], "w");
  if (out == NULL) {
    perror(argv[2]);
    return 1;
  }
  write(out, &all);
  if (fclose(out) != 0) {
    perror(argv[2]);
    remove(argv[2]);
    return 1;
  }
  return 0;
}
