/* What blogdom says about its options: --help, written from the option
 * table (cli.c) so that it cannot drift from what getopt_long takes;
 * --version, with the libraries loaded now; and the words for an option
 * getopt_long refused. The text for people is kept apart from the
 * parsing, which turns argv into a config (cli.c). */
#include "blogdom/cli.h"
#include "cli_int.h"

#include <ares.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <getopt.h>
#include <idn2.h>
#include <jansson.h>
#include <libpsl.h>
#include <stdbool.h>
#include <string.h>
#include <uv.h>

#include "blogdom/text.h"

void bd_cli_help(FILE *out) {
  fputs("Usage: blogdom [OPTION]... [NAME]...\n"
        "Probe domain names with DNS and print one line per name, as the\n"
        "answers arrive: '+ NAME' exists, '  NAME' does not exist (NXDOMAIN),\n"
        "'? NAME' no definitive answer. A NAME without a dot is a label,\n"
        "probed under each TLD. With no NAME and no --file: the names on\n"
        "standard input when it is a pipe, a socket or a file (as -f -),\n"
        "else (a terminal, /dev/null) Python's keywords.\n\nOptions:\n",
        out);
  for (size_t i = 0; i < cli_noptions; i++) {
    char left[48];
    const struct option_spec *o = &cli_options[i];
    if (o->id < 256)
      snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id, o->name,
               o->arg ? "=" : "", o->arg ? o->arg : "");
    else
      snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? "=" : "",
               o->arg ? o->arg : "");
    fprintf(out, "  %-28s %s\n", left, o->help);
  }
  fputs("\nExit status: 0 every name answered definitively, 1 some '?',\n"
        "2 usage or set-up error, an input file that failed while read, or\n"
        "a write error on standard output, 130/143 interrupted\n"
        "(SIGINT/SIGTERM), 141 standard output closed by its reader (as by\n"
        "head).\n"
        "See blogdom(1) for the line formats and examples.\n",
        out);
}

/* The version of the libcurl that --confirm would load, or NULL when it
 * cannot be loaded. curlapi.c's loader is not used: it resolves the whole
 * API and treats a missing libcurl as an error, while here its absence is
 * only a fact to leave out. The library stays loaded, as curlapi.c keeps
 * it: the string lives in it. */
static const char *libcurl_version(void) {
  void *lib = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
  curl_version_info_data *(*info)(CURLversion);
  const curl_version_info_data *data;

  if (lib == NULL)
    return NULL;
  /* dlsym(3)'s documented way to a function pointer. */
  *(void **)&info = dlsym(lib, "curl_version_info");
  if (info == NULL)
    return NULL;
  data = info(CURLVERSION_NOW);
  return data != NULL ? data->version : NULL;
}

/* The versions are those of the libraries loaded now, not of the headers
 * blogdom was built with: what a bug report needs. */
void bd_cli_version(FILE *out) {
  const char *curl = libcurl_version();
#if JANSSON_VERSION_HEX >= 0x020d00
  const char *jansson = jansson_version_str();
#else
  const char *jansson = JANSSON_VERSION;
#endif

  const char *psl = psl_get_version();

  fprintf(out, "blogdom %s\n", BD_VERSION);
  /* libpsl adds the IDNA library it was built with ("0.21.2
   * (+libidn2/2.3.3)"): one word per library keeps the list parseable. */
  fprintf(out, "libuv/%s c-ares/%s libidn2/%s libpsl/%.*s jansson/%s",
          uv_version_string(), ares_version(NULL), idn2_check_version(NULL),
          (int)strcspn(psl, " "), psl, jansson);
  if (curl != NULL)
    fprintf(out, " libcurl/%s", curl);
  fputc('\n', out);
}

static const struct option_spec *find_option(int id) {
  for (size_t i = 0; i < cli_noptions; i++)
    if (cli_options[i].id == id)
      return &cli_options[i];
  return NULL;
}

/* How many long options start with the name typed (up to any '='):
 * getopt_long accepts a prefix when it names one option only. */
static size_t prefix_matches(const char *typed) {
  size_t len = strcspn(typed, "=");
  size_t n = 0;
  for (size_t i = 0; i < cli_noptions; i++)
    if (strncmp(cli_options[i].name, typed, len) == 0)
      n++;
  return n;
}

/* getopt_long's optopt is the option's id, which for a long option with a
 * short form is its letter: "--json=yes" would be "unknown option -j". The
 * option is named as it was typed, its long name always shown. */
void cli_report_bad_option(int c, const char *typed) {
  const struct option_spec *o = optopt != 0 ? find_option(optopt) : NULL;
  bool typed_long = strncmp(typed, "--", 2) == 0;

  if (o != NULL && c == '?') {
    /* A known option is refused only when given a value it does not
     * take, which only the "--name=value" form can do. */
    bd_errorf("option --%s takes no value", o->name);
  } else if (o != NULL && typed_long) {
    bd_errorf("option --%s needs a value (--%s=%s)", o->name, o->name, o->arg);
  } else if (o != NULL) {
    bd_errorf("option -%c (--%s) needs a value", o->id, o->name);
  } else if (optopt != 0 && optopt < 256) {
    bd_errorf("unknown option -%c", optopt);
  } else {
    char shown[BD_ESCAPED_SIZE(64)];
    bd_text_escape(shown, sizeof(shown), typed, strnlen(typed, 64));
    bd_errorf("%s option '%s'",
              typed_long && prefix_matches(typed + 2) > 1 ? "ambiguous"
                                                          : "unknown",
              shown);
  }
  bd_errorf("try 'blogdom --help'");
}
