/* The JSON members a name's facts (facts.h) put on its line, cut out of a
 * whole line made by the format (format.h): the tests of the steps that
 * keep facts compare them as a reader sees them. */
#ifndef BLOGDOM_TESTS_FACTSJSON_H
#define BLOGDOM_TESTS_FACTSJSON_H

#include <string.h>

#include "blogdom/facts.h"
#include "blogdom/format.h"

/* The members between the line's "type" and "tries", in line (at least
 * BD_LINE_CAP bytes): "" when f shows nothing. */
static inline const char *facts_json(const struct bd_facts *f, char *line) {
  static const char type[] = "\"type\":\"TXT\"";
  struct bd_verdict v;
  struct bd_result r;
  char *start;
  char *end;
  size_t n;

  memset(&v, 0, sizeof(v));
  v.status = BD_FOUND;
  v.reason = BD_REASON_ANSWER;
  memset(&r, 0, sizeof(r));
  r.name = "x.dev";
  r.name_len = 5;
  r.verdict = &v;
  r.qtype = 16;
  r.facts = f;
  n = bd_format_json(line, BD_LINE_CAP, &r);
  line[n] = '\0';
  start = strstr(line, type);
  end = start != NULL ? strstr(start, ",\"tries\":") : NULL;
  if (end == NULL)
    return "(no line)";
  *end = '\0';
  return start + sizeof(type) - 1;
}

#endif
