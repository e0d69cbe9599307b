/* "_for-sale" TXT records (RFC 10023): a name's owner saying it is for
 * sale, with a text, a URI, a price or a code. A pure parser of one
 * record's data, for --for-sale. */
#ifndef BLOGDOM_FORSALETXT_H
#define BLOGDOM_FORSALETXT_H

#include <stddef.h>

/* The version tag every record of this version starts with. */
#define BD_FORSALE_VERSION "v=FORSALE1;"
/* A record's text, version tag included, at most: one TXT
 * <character-string> (RFC 1035 3.3), which is how RFC 10023 bounds it. */
#define BD_FORSALE_TEXT_MAX 255
/* Records shown for a name, at most; valid records past them are not
 * shown (nor counted as malformed). */
#define BD_FORSALE_RECORDS_MAX 8

enum bd_forsale_tag {
  BD_FORSALE_FTXT, /* free text */
  BD_FORSALE_FURI, /* a URI to go to: http, https, mailto or tel */
  BD_FORSALE_FVAL, /* a price: currency code and amount, "USD1000" */
  BD_FORSALE_FCOD  /* a code the registry or registrar knows */
};

enum bd_forsale_result {
  BD_FORSALE_OK,        /* a record of this version, read */
  BD_FORSALE_OTHER,     /* not a for-sale record of this version */
  BD_FORSALE_MALFORMED, /* starts with the version tag but breaks a rule */
};

struct bd_forsale_record {
  enum bd_forsale_tag tag;
  const char *value; /* into the caller's text buffer; not NUL-ended */
  size_t len;
};

/* Reads a TXT record's data, rdata[0..len): its strings concatenated
 * (RFC 1035 3.3.14) into text (at least BD_FORSALE_TEXT_MAX + 1 bytes),
 * then RFC 10023's grammar as read here:
 *
 *   record  = "v=FORSALE1;" content        ; case-sensitive, whole text
 *   content = "ftxt=" 1*utf8-printable
 *           / "furi=" uri                  ; http, https, mailto, tel
 *           / "fval=" 3UPALPHA amount      ; ISO 4217 code, "USD1000"
 *           / "fcod=" 1*utf8-printable
 *   amount  = 1*DIGIT ["." 1*DIGIT]
 *
 * utf8-printable is valid UTF-8 without C0 or C1 controls or DEL. A uri
 * is RFC 3986 characters only (no space, '%' followed by two hex
 * digits), its scheme one of the four in any case, http and https with
 * "//" and a host. Text that does not start with the version tag is
 * OTHER (another TXT record at the node, or another version); text that
 * does, and has no content tag, an unknown one, an empty or malformed
 * value, or is longer than BD_FORSALE_TEXT_MAX, is MALFORMED, as is data
 * whose strings run past its end. A value runs to the end of the text:
 * one record, one content tag, so "ftxt=" text may hold ';' and "fval="
 * followed by anything but a price is malformed. On OK, *rec points into
 * text. */
enum bd_forsale_result bd_forsale_parse(const unsigned char *rdata, size_t len,
                                        char *text,
                                        struct bd_forsale_record *rec);

/* "ftxt", "furi", "fval", "fcod". */
const char *bd_forsale_tag_name(enum bd_forsale_tag tag);

#endif
