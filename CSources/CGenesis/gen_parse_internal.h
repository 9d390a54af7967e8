/* Helpers shared by the frame parser (gen_parse.c) and the header access
 * functions (gen_headers.c). Private to the engine: not part of CGenesis.h. */
#ifndef GEN_PARSE_INTERNAL_H
#define GEN_PARSE_INTERNAL_H

#include "CGenesis.h"

#include <stddef.h>
#include <stdint.h>

/* ASCII-only lowering: header names are ASCII, and locale-aware tolower
 * would make matching depend on the process's locale. */
static inline unsigned char gen_ascii_lower(unsigned char c) {
  return (unsigned char)((unsigned)(c - 'A') < 26u ? c + 32 : c);
}

/* 1 if a[0..n) equals b[0..n) ignoring ASCII case. */
static inline int gen_ascii_caseeq(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (gen_ascii_lower((unsigned char)a[i]) != gen_ascii_lower((unsigned char)b[i]))
      return 0;
  return 1;
}

/* One line of a command header block split the way mod_event_socket's
 * read_packet splits it (see gen_cmd_line_next in gen_headers.c). */
typedef struct gen_cmd_lines {
  const char *data;
  uint32_t pos;      /* next line starts here */
  uint32_t end;      /* end of the block */
  uint32_t next_cr;  /* offset of the next CR at or after pos, or end */
} gen_cmd_lines;

void gen_cmd_lines_init(gen_cmd_lines *it, const char *data, uint32_t off,
                        uint32_t end);
/* Produces the next line as [*line_off, *line_off + *line_len); 0 at the end. */
int gen_cmd_line_next(gen_cmd_lines *it, uint32_t *line_off, uint32_t *line_len);

/* Walks the members of a JSON object. *cursor starts at 0; returns 1 with the
 * member's key (escapes in place, quotes excluded) and value (see
 * gen_header.encoding for its form), 0 after the last member, or
 * GEN_EBADJSON. */
int gen_json_member_next(const char *data, gen_span object, uint32_t *cursor,
                         gen_span *key, gen_span *value, uint32_t *encoding);

#endif
