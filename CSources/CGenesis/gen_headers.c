/* Lazy header access and value decoding. Headers are never collected into a
 * table: an iterator walks the block in place each time, which is cheaper
 * than building one for the few lookups a typical consumer makes. */
#include "CGenesis.h"
#include "gen_parse_internal.h"

#include <string.h>

#define GEN_CURSOR_DONE UINT32_MAX

/* ------------------------------------------------------------------------ */
/* Command header blocks, split as mod_event_socket splits them              */
/* ------------------------------------------------------------------------ */

/* read_packet ends a line at the next CR anywhere later in the block if
 * there is one, else at the next LF, then skips the run of CR/LF bytes.
 * Mixed line endings therefore glue lines together, exactly as on a real
 * server; keeping the quirk lets the simulator behave like FreeSWITCH. */
void gen_cmd_lines_init(gen_cmd_lines *it, const char *data, uint32_t off,
                        uint32_t end) {
  it->data = data;
  it->pos = off;
  it->end = end;
  const char *cr = off < end ? memchr(data + off, '\r', end - off) : NULL;
  it->next_cr = cr ? (uint32_t)(cr - data) : end;
}

int gen_cmd_line_next(gen_cmd_lines *it, uint32_t *line_off, uint32_t *line_len) {
  const char *d = it->data;
  uint32_t s = it->pos, e = it->end, le;
  if (s >= e) return 0;
  if (it->next_cr < s) {
    const char *cr = memchr(d + s, '\r', e - s);
    it->next_cr = cr ? (uint32_t)(cr - d) : e;
  }
  if (it->next_cr < e) {
    le = it->next_cr;
  } else {
    const char *lf = memchr(d + s, '\n', e - s);
    le = lf ? (uint32_t)(lf - d) : e;
  }
  uint32_t n = le;
  while (n < e && (d[n] == '\r' || d[n] == '\n')) n++;
  it->pos = n;
  *line_off = s;
  *line_len = le - s;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* JSON objects (FreeSWITCH's cJSON output: strings and arrays of strings)   */
/* ------------------------------------------------------------------------ */

static uint32_t json_skip_ws(const char *d, uint32_t i, uint32_t e) {
  while (i < e && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r')) i++;
  return i;
}

/* `s` is just after an opening quote: the offset of the closing quote, or
 * `e`. Jumps from quote to quote; a quote closes the string when an even
 * number of backslashes precede it. */
static uint32_t json_string_end(const char *d, uint32_t s, uint32_t e) {
  uint32_t i = s;
  while (i < e) {
    const char *q = memchr(d + i, '"', e - i);
    if (q == NULL) return e;
    uint32_t at = (uint32_t)(q - d), bs = 0;
    while (at - bs > s && d[at - bs - 1] == '\\') bs++;
    if ((bs & 1) == 0) return at;
    i = at + 1;
  }
  return e;
}

/* `i` is at '['; the offset just past the matching ']' (strings only), or 0. */
static uint32_t json_array_end(const char *d, uint32_t i, uint32_t e) {
  i = json_skip_ws(d, i + 1, e);
  if (i < e && d[i] == ']') return i + 1;
  for (;;) {
    if (i >= e || d[i] != '"') return 0;
    i = json_string_end(d, i + 1, e);
    if (i >= e) return 0;
    i = json_skip_ws(d, i + 1, e);
    if (i >= e) return 0;
    if (d[i] == ']') return i + 1;
    if (d[i] != ',') return 0;
    i = json_skip_ws(d, i + 1, e);
  }
}

/* Moves a cursor over the items of a JSON container opened by `open` and
 * closed by `close`: *at gets the next item's first byte. Cursor 0 is
 * "before the opening bracket"; GEN_CURSOR_DONE is "after the closing one";
 * any other value is the offset just past the previous item. Returns 1, 0
 * at the end, or GEN_EBADJSON. */
static int json_container_step(const char *d, gen_span span, char open, char close,
                               uint32_t *cursor, uint32_t *at) {
  uint32_t b = span.off, e = span.off + span.len, i;
  if (*cursor == GEN_CURSOR_DONE) return 0;
  if (*cursor == 0) {
    i = json_skip_ws(d, b, e);
    if (i >= e || d[i] != open) return GEN_EBADJSON;
    i = json_skip_ws(d, i + 1, e);
    if (i < e && d[i] == close) {
      *cursor = GEN_CURSOR_DONE;
      return 0;
    }
  } else {
    if (*cursor > span.len) return GEN_EBADJSON;
    i = json_skip_ws(d, b + *cursor, e);
    if (i >= e) return GEN_EBADJSON;
    if (d[i] == close) {
      *cursor = GEN_CURSOR_DONE;
      return 0;
    }
    if (d[i] != ',') return GEN_EBADJSON;
    i = json_skip_ws(d, i + 1, e);
  }
  *at = i;
  return 1;
}

int gen_json_member_next(const char *data, gen_span object, uint32_t *cursor,
                         gen_span *key, gen_span *value, uint32_t *encoding) {
  const char *d = data;
  uint32_t b = object.off, e = object.off + object.len, i = 0;
  int rc = json_container_step(d, object, '{', '}', cursor, &i);
  if (rc <= 0) return rc;
  if (i >= e || d[i] != '"') return GEN_EBADJSON;
  uint32_t ks = i + 1, ke = json_string_end(d, ks, e);
  if (ke >= e) return GEN_EBADJSON;
  i = json_skip_ws(d, ke + 1, e);
  if (i >= e || d[i] != ':') return GEN_EBADJSON;
  i = json_skip_ws(d, i + 1, e);
  if (i >= e) return GEN_EBADJSON;
  uint32_t vs, ve;
  if (d[i] == '"') {
    vs = i + 1;
    ve = json_string_end(d, vs, e);
    if (ve >= e) return GEN_EBADJSON;
    i = ve + 1;
    *encoding = GEN_VALUE_JSON;
  } else if (d[i] == '[') {
    vs = i;
    ve = json_array_end(d, i, e);
    if (ve == 0) return GEN_EBADJSON;
    i = ve;
    *encoding = GEN_VALUE_JSON_ARRAY;
  } else {
    /* Numbers, true, false, null: FreeSWITCH writes none of them, but a
     * literal is harmless to pass on raw. Nested objects are not headers. */
    vs = i;
    while (i < e && d[i] != ',' && d[i] != '}' && d[i] != ' ' && d[i] != '\t' &&
           d[i] != '\n' && d[i] != '\r') {
      if (d[i] == '{' || d[i] == '[' || d[i] == '"' || d[i] == ']') return GEN_EBADJSON;
      i++;
    }
    ve = i;
    if (ve == vs) return GEN_EBADJSON;
    *encoding = GEN_VALUE_RAW;
  }
  key->off = ks;
  key->len = ke - ks;
  value->off = vs;
  value->len = ve - vs;
  *cursor = i - b;
  return 1;
}

static int span_is(const char *d, gen_span s, const char *text, uint32_t n) {
  return s.len == n && memcmp(d + s.off, text, n) == 0;
}

static int json_header_next(const char *d, gen_span block, uint32_t *cursor,
                            gen_header *out) {
  for (;;) {
    gen_span key, value;
    uint32_t enc;
    int rc = gen_json_member_next(d, block, cursor, &key, &value, &enc);
    if (rc <= 0) return rc;
    if (span_is(d, key, "_body", 5)) continue;
    if (span_is(d, key, "Content-Length", 14)) {
      /* The serializer's own Content-Length sits right before "_body"; an
       * earlier one is a real header (sendevent keeps the client's). */
      uint32_t peek = *cursor, penc;
      gen_span pkey, pvalue;
      if (gen_json_member_next(d, block, &peek, &pkey, &pvalue, &penc) == 1 &&
          span_is(d, pkey, "_body", 5)) {
        *cursor = peek;
        continue;
      }
    }
    out->name = key;
    out->value = value;
    out->encoding = enc;
    return 1;
  }
}

/* ------------------------------------------------------------------------ */
/* Header iteration                                                          */
/* ------------------------------------------------------------------------ */

/* "Name: value" lines: outer blocks and plain event blocks. */
static int line_header_next(const char *d, gen_span block, uint32_t encoding,
                            uint32_t *cursor, gen_header *out) {
  if (*cursor >= block.len) return 0;
  uint32_t i = block.off + *cursor, e = block.off + block.len;
  if (d[i] == '\n' || (d[i] == '\r' && i + 1 < e && d[i + 1] == '\n')) {
    *cursor = block.len;
    return 0;
  }
  const char *nl = memchr(d + i, '\n', e - i);
  uint32_t le = nl ? (uint32_t)(nl - d) : e;
  uint32_t next = nl ? le + 1 : e;
  if (le > i && d[le - 1] == '\r') le--;
  const char *colon = memchr(d + i, ':', le - i);
  if (colon == NULL) return GEN_ENOCOLON;
  uint32_t c = (uint32_t)(colon - d);
  if (c == i) return GEN_EEMPTYNAME;
  uint32_t v = c + 1;
  /* libesl skips spaces and tabs after the colon. */
  while (v < le && (d[v] == ' ' || d[v] == '\t')) v++;
  out->name.off = i;
  out->name.len = c - i;
  out->value.off = v;
  out->value.len = le - v;
  out->encoding = encoding;
  *cursor = next - block.off;
  return 1;
}

/* Command blocks, with mod_event_socket's rules: lines without ':' and
 * empty values are dropped, only spaces follow the colon. */
static int command_header_next(const char *d, gen_span block, uint32_t *cursor,
                               gen_header *out) {
  if (*cursor >= block.len) return 0;
  gen_cmd_lines it;
  gen_cmd_lines_init(&it, d, block.off + *cursor, block.off + block.len);
  uint32_t off, len;
  while (gen_cmd_line_next(&it, &off, &len)) {
    const char *colon = memchr(d + off, ':', len);
    if (colon == NULL) continue;
    uint32_t c = (uint32_t)(colon - d), v = c + 1, ve = off + len;
    while (v < ve && d[v] == ' ') v++;
    if (v == ve) continue;
    out->name.off = off;
    out->name.len = c - off;
    out->value.off = v;
    out->value.len = ve - v;
    out->encoding = GEN_VALUE_RAW;
    *cursor = it.pos - block.off;
    return 1;
  }
  *cursor = block.len;
  return 0;
}

/* <Name>url-encoded text</Name> elements inside <headers>. */
static int xml_header_next(const char *d, gen_span block, uint32_t *cursor,
                           gen_header *out) {
  uint32_t e = block.off + block.len;
  if (*cursor >= block.len) return 0;
  uint32_t i = json_skip_ws(d, block.off + *cursor, e);
  if (i >= e) {
    *cursor = block.len;
    return 0;
  }
  if (d[i] != '<') return GEN_EBADXML;
  const char *gt = memchr(d + i, '>', e - i);
  if (gt == NULL) return GEN_EBADXML;
  uint32_t g = (uint32_t)(gt - d), ns = i + 1, ne = g;
  if (ne > ns && d[ne - 1] == '/') {
    /* <Name/>: an empty value. */
    ne--;
    if (ne == ns || d[ns] == '/') return GEN_EBADXML;
    out->name.off = ns;
    out->name.len = ne - ns;
    out->value.off = g + 1;
    out->value.len = 0;
    out->encoding = GEN_VALUE_URL;
    *cursor = g + 1 - block.off;
    return 1;
  }
  if (ne == ns || d[ns] == '/') return GEN_EBADXML;
  uint32_t vs = g + 1;
  const char *lt = memchr(d + vs, '<', e - vs);
  if (lt == NULL) return GEN_EBADXML;
  uint32_t ve = (uint32_t)(lt - d), nlen = ne - ns;
  /* The closing tag must name the same element. */
  if (e - ve < nlen + 3 || d[ve + 1] != '/' || memcmp(d + ve + 2, d + ns, nlen) != 0 ||
      d[ve + 2 + nlen] != '>')
    return GEN_EBADXML;
  out->name.off = ns;
  out->name.len = nlen;
  out->value.off = vs;
  out->value.len = ve - vs;
  out->encoding = GEN_VALUE_URL;
  *cursor = ve + 3 + nlen - block.off;
  return 1;
}

int gen_header_next(const char *data, gen_span block, uint16_t format,
                    uint32_t *cursor, gen_header *out) {
  switch (format) {
  case GEN_FRAME_EVENT_JSON:
    return json_header_next(data, block, cursor, out);
  case GEN_FRAME_EVENT_XML:
    return xml_header_next(data, block, cursor, out);
  case GEN_FRAME_EVENT_PLAIN:
    return line_header_next(data, block, GEN_VALUE_URL, cursor, out);
  case GEN_FRAME_COMMAND:
    return command_header_next(data, block, cursor, out);
  default:
    return line_header_next(data, block, GEN_VALUE_RAW, cursor, out);
  }
}

int gen_header_find(const char *data, gen_span block, uint16_t format,
                    const char *name, size_t name_len, gen_header *out) {
  uint32_t cursor = 0;
  gen_header h;
  int rc;
  while ((rc = gen_header_next(data, block, format, &cursor, &h)) == 1) {
    if (h.name.len == name_len && gen_ascii_caseeq(data + h.name.off, name, name_len)) {
      *out = h;
      return 1;
    }
  }
  return rc;
}

/* ------------------------------------------------------------------------ */
/* URL encoding                                                              */
/* ------------------------------------------------------------------------ */

static int hex_value(unsigned char c) {
  if ((unsigned)(c - '0') < 10u) return c - '0';
  c = gen_ascii_lower(c);
  if ((unsigned)(c - 'a') < 6u) return c - 'a' + 10;
  return -1;
}

/* The decoders' common step: copies the run of bytes from src[*r] up to the
 * next `escape` byte (or the end) to dst[*w] (in place when dst is src).
 * Returns 1 when an escape byte is next, 0 at the end of the input. */
static int copy_run(const char *src, size_t len, char escape, char *dst, size_t *r, size_t *w) {
  const char *next = memchr(src + *r, escape, len - *r);
  size_t run = next ? (size_t)(next - (src + *r)) : len - *r;
  if (dst + *w != src + *r) memmove(dst + *w, src + *r, run);
  *w += run;
  *r += run;
  return *r < len;
}

int gen_url_needs_decode(const char *src, size_t len) {
  const char *p = src, *e = src + len;
  while ((p = memchr(p, '%', (size_t)(e - p))) != NULL) {
    if (e - p >= 3 && hex_value((unsigned char)p[1]) >= 0 &&
        hex_value((unsigned char)p[2]) >= 0)
      return 1;
    p++;
  }
  return 0;
}

size_t gen_url_decode(const char *src, size_t len, char *dst) {
  size_t r = 0, w = 0;
  while (copy_run(src, len, '%', dst, &r, &w)) {
    int hi = r + 2 < len ? hex_value((unsigned char)src[r + 1]) : -1;
    int lo = hi >= 0 ? hex_value((unsigned char)src[r + 2]) : -1;
    if (lo >= 0) {
      dst[w++] = (char)(hi << 4 | lo);
      r += 3;
    } else {
      dst[w++] = '%';
      r++;
    }
  }
  return w;
}

/* SWITCH_URL_UNSAFE plus everything outside printable ASCII. */
static int url_unsafe(unsigned char c) {
  if (c < 0x20 || c > 0x7E) return 1;
  switch (c) {
  case ' ': case '"': case '#': case '%': case '&': case '+': case ':':
  case ';': case '<': case '=': case '>': case '?': case '@': case '[':
  case '\\': case ']': case '^': case '`': case '{': case '|': case '}':
    return 1;
  default:
    return 0;
  }
}

static int upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int64_t gen_url_encode(const char *src, size_t len, char *dst, size_t dst_cap) {
  static const char hex[] = "0123456789ABCDEF";
  size_t w = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)src[i];
    /* switch_url_encode leaves an existing uppercase %XX alone, so values
     * that were encoded once are not encoded twice. */
    int keep = c == '%' ? (i + 2 < len && upper_hex(src[i + 1]) && upper_hex(src[i + 2]))
                        : !url_unsafe(c);
    if (keep) {
      if (w + 1 > dst_cap) return GEN_EINVAL;
      dst[w++] = (char)c;
    } else {
      if (w + 3 > dst_cap) return GEN_EINVAL;
      dst[w++] = '%';
      dst[w++] = hex[c >> 4];
      dst[w++] = hex[c & 15];
    }
  }
  return (int64_t)w;
}

/* ------------------------------------------------------------------------ */
/* JSON strings                                                              */
/* ------------------------------------------------------------------------ */

static size_t put_utf8(char *dst, uint32_t cp) {
  if (cp < 0x80) {
    dst[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    dst[0] = (char)(0xC0 | cp >> 6);
    dst[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    dst[0] = (char)(0xE0 | cp >> 12);
    dst[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    dst[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  dst[0] = (char)(0xF0 | cp >> 18);
  dst[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  dst[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  dst[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static int read_u4(const char *s, size_t avail, uint32_t *out) {
  if (avail < 4) return -1;
  uint32_t v = 0;
  for (int k = 0; k < 4; k++) {
    int h = hex_value((unsigned char)s[k]);
    if (h < 0) return -1;
    v = v << 4 | (uint32_t)h;
  }
  *out = v;
  return 0;
}

int64_t gen_json_unescape(const char *src, size_t len, char *dst) {
  size_t r = 0, w = 0;
  while (copy_run(src, len, '\\', dst, &r, &w)) {
    if (r + 1 >= len) return GEN_EBADJSON;
    char c = src[r + 1];
    r += 2;
    switch (c) {
    case '"': dst[w++] = '"'; break;
    case '\\': dst[w++] = '\\'; break;
    case '/': dst[w++] = '/'; break;
    case 'b': dst[w++] = '\b'; break;
    case 'f': dst[w++] = '\f'; break;
    case 'n': dst[w++] = '\n'; break;
    case 'r': dst[w++] = '\r'; break;
    case 't': dst[w++] = '\t'; break;
    case 'u': {
      uint32_t cp, lo;
      if (read_u4(src + r, len - r, &cp) < 0) return GEN_EBADJSON;
      r += 4;
      if (cp >= 0xDC00 && cp <= 0xDFFF) return GEN_EBADJSON;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (len - r < 6 || src[r] != '\\' || src[r + 1] != 'u' ||
            read_u4(src + r + 2, len - r - 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
          return GEN_EBADJSON;
        r += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      }
      w += put_utf8(dst + w, cp);
      break;
    }
    default:
      return GEN_EBADJSON;
    }
  }
  return (int64_t)w;
}

int gen_json_array_next(const char *data, gen_span array, uint32_t *cursor,
                        gen_span *element) {
  const char *d = data;
  uint32_t b = array.off, e = array.off + array.len, i = 0;
  int rc = json_container_step(d, array, '[', ']', cursor, &i);
  if (rc <= 0) return rc;
  if (i >= e || d[i] != '"') return GEN_EBADJSON;
  uint32_t s = i + 1, q = json_string_end(d, s, e);
  if (q >= e) return GEN_EBADJSON;
  element->off = s;
  element->len = q - s;
  *cursor = q + 1 - b;
  return 1;
}

/* ------------------------------------------------------------------------ */
/* XML text                                                                  */
/* ------------------------------------------------------------------------ */

/* Decodes the entity starting at src[0] == '&'. Returns the bytes consumed
 * (0 if it is not a known entity) and writes the UTF-8 bytes to out. */
static size_t xml_entity(const char *src, size_t avail, char *out, size_t *out_len) {
  /* The longest entity we accept is "&#x10FFFF;" or "&#1114111;". */
  size_t max = avail < 11 ? avail : 11;
  const char *semi = memchr(src, ';', max);
  if (semi == NULL) return 0;
  size_t n = (size_t)(semi - src) + 1; /* with '&' and ';' */
  const char *name = src + 1;
  size_t nl = n - 2;
  static const struct { const char *name; size_t len; char c; } named[] = {
      {"amp", 3, '&'}, {"lt", 2, '<'}, {"gt", 2, '>'}, {"quot", 4, '"'}, {"apos", 4, '\''}};
  for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
    if (nl == named[k].len && memcmp(name, named[k].name, nl) == 0) {
      out[0] = named[k].c;
      *out_len = 1;
      return n;
    }
  }
  if (nl < 2 || name[0] != '#') return 0;
  uint32_t cp = 0;
  if (name[1] == 'x' || name[1] == 'X') {
    if (nl < 3) return 0;
    for (size_t k = 2; k < nl; k++) {
      int h = hex_value((unsigned char)name[k]);
      if (h < 0) return 0;
      cp = cp << 4 | (uint32_t)h;
    }
  } else {
    for (size_t k = 1; k < nl; k++) {
      if (name[k] < '0' || name[k] > '9') return 0;
      cp = cp * 10 + (uint32_t)(name[k] - '0');
    }
  }
  /* Text that names no character is copied rather than guessed at. */
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *out_len = put_utf8(out, cp);
  return n;
}

size_t gen_xml_unescape(const char *src, size_t len, char *dst) {
  size_t r = 0, w = 0;
  while (copy_run(src, len, '&', dst, &r, &w)) {
    char buf[4];
    size_t out_len = 0;
    size_t used = xml_entity(src + r, len - r, buf, &out_len);
    if (used == 0) {
      dst[w++] = '&';
      r++;
    } else {
      /* out_len <= used, so writing never overtakes reading in place. */
      memcpy(dst + w, buf, out_len);
      w += out_len;
      r += used;
    }
  }
  return w;
}
