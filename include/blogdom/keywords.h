/* The built-in name list: Python 3's keywords, as in Fluent Python. */
#ifndef BLOGDOM_KEYWORDS_H
#define BLOGDOM_KEYWORDS_H

#include <stddef.h>

/* Number of entries in keyword.kwlist. */
#define BD_KEYWORD_COUNT 35

/* The i-th keyword (0 <= i < BD_KEYWORD_COUNT), lower-cased, in
 * keyword.kwlist order. */
const char *bd_keyword(size_t i);

#endif
