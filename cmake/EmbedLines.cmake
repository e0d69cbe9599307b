# Turns a text file into a C source that holds its lines, one string
# literal each: data shipped inside the program (data/whois-servers.txt)
# stays a plain file to read and refresh, and no literal grows past the
# 4095 bytes C11 compilers must accept.
#   cmake -DINPUT=file -DOUTPUT=file.c -DSYMBOL=name -P EmbedLines.cmake
# defines  const char *const name[]  (NULL after the last line) and
#          const size_t name_count.
file(STRINGS "${INPUT}" lines ENCODING UTF-8)
set(body "")
set(count 0)
foreach(line IN LISTS lines)
  string(REPLACE "\\" "\\\\" line "${line}")
  string(REPLACE "\"" "\\\"" line "${line}")
  string(APPEND body "    \"${line}\",\n")
  math(EXPR count "${count} + 1")
endforeach()
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}"
  "/* Generated from ${name} by cmake/EmbedLines.cmake: do not edit. */\n"
  "#include <stddef.h>\n\n"
  "extern const char *const ${SYMBOL}[];\n"
  "extern const size_t ${SYMBOL}_count;\n\n"
  "const char *const ${SYMBOL}[] = {\n${body}    NULL};\n"
  "const size_t ${SYMBOL}_count = ${count};\n")
