/* Python 3's keyword.kwlist, lower-cased ("False" probes as "false"). */
#include "blogdom/keywords.h"

static const char *const kwlist[BD_KEYWORD_COUNT] = {
    "false",  "none",   "true",    "and",      "as",       "assert", "async",
    "await",  "break",  "class",   "continue", "def",      "del",    "elif",
    "else",   "except", "finally", "for",      "from",     "global", "if",
    "import", "in",     "is",      "lambda",   "nonlocal", "not",    "or",
    "pass",   "raise",  "return",  "try",      "while",    "with",   "yield"};

const char *bd_keyword(size_t i) {
  return i < BD_KEYWORD_COUNT ? kwlist[i] : 0;
}
