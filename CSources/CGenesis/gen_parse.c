/* The ESL frame parser: one call per frame, results as offsets into the
 * caller's buffer, nothing allocated or copied (after picohttpparser).
 *
 * Incomplete input is handled by parsing again from the frame's start once
 * more bytes arrived; header blocks are small next to the bodies, and the
 * body is never scanned until it is complete, so the rescan is cheap. */
#include "CGenesis.h"
#include "gen_parse_internal.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void gen_parser_limits_init(gen_parser_limits *limits) {
  limits->max_header_bytes = 16u << 20;
  limits->max_body_bytes = 16u << 20;
}

/* Offset of the first LF of the first blank line in data[from..to): an LF
 * followed by LF or by CR LF. `to` if there is none. Plain event header
 * blocks are ~2 KB of short lines, so this is the parser's hot loop: SSE2
 * tests 16 positions per step instead of stopping at every line end. */
static uint32_t find_blank_line(const char *data, uint32_t from, uint32_t to) {
  uint32_t i = from;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  /* Three overlapping loads per step (at i, i+1, i+2), all inside [i, to). */
  while (to - i >= 18) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(data + i));
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(data + i + 1));
    __m128i a_lf = _mm_cmpeq_epi8(a, lf);
    if (_mm_movemask_epi8(a_lf) != 0) {
      __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(data + i + 2));
      __m128i next_ok = _mm_or_si128(
          _mm_cmpeq_epi8(b, lf),
          _mm_and_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(c, lf)));
      int mask = _mm_movemask_epi8(_mm_and_si128(a_lf, next_ok));
      if (mask != 0) return i + (uint32_t)__builtin_ctz((unsigned)mask);
    }
    i += 16;
  }
#endif
  while (i < to) {
    const char *nl = memchr(data + i, '\n', to - i);
    if (nl == NULL) return to;
    uint32_t at = (uint32_t)(nl - data);
    if (at + 1 < to) {
      char c = data[at + 1];
      if (c == '\n' || (c == '\r' && at + 2 < to && data[at + 2] == '\n'))
        return at;
    }
    i = at + 1;
  }
  return to;
}

/* Offset of the first occurrence of needle[0..n) in data[from..to), or `to`. */
static uint32_t find_text(const char *data, uint32_t from, uint32_t to,
                          const char *needle, uint32_t n) {
  uint32_t i = from;
  while (to - i >= n) {
    const char *hit = memchr(data + i, needle[0], to - i - n + 1);
    if (hit == NULL) return to;
    uint32_t at = (uint32_t)(hit - data);
    if (memcmp(data + at, needle, n) == 0) return at;
    i = at + 1;
  }
  return to;
}

static gen_frame_kind kind_of(const char *data, gen_span ct) {
  const char *v = data + ct.off;
  switch (ct.len) {
  case 8:
    if (gen_ascii_caseeq(v, "log/data", 8)) return GEN_FRAME_LOG_DATA;
    break;
  case 12:
    if (gen_ascii_caseeq(v, "auth/request", 12)) return GEN_FRAME_AUTH_REQUEST;
    if (gen_ascii_caseeq(v, "api/response", 12)) return GEN_FRAME_API_RESPONSE;
    break;
  case 13:
    if (gen_ascii_caseeq(v, "command/reply", 13)) return GEN_FRAME_COMMAND_REPLY;
    break;
  case 14:
    if (gen_ascii_caseeq(v, "text/event-xml", 14)) return GEN_FRAME_EVENT_XML;
    break;
  case 15:
    if (gen_ascii_caseeq(v, "text/event-json", 15)) return GEN_FRAME_EVENT_JSON;
    break;
  case 16:
    if (gen_ascii_caseeq(v, "text/event-plain", 16)) return GEN_FRAME_EVENT_PLAIN;
    break;
  case 19:
    if (gen_ascii_caseeq(v, "text/rude-rejection", 19)) return GEN_FRAME_RUDE_REJECTION;
    break;
  case 22:
    if (gen_ascii_caseeq(v, "text/disconnect-notice", 22)) return GEN_FRAME_DISCONNECT_NOTICE;
    break;
  default:
    break;
  }
  return GEN_FRAME_OTHER;
}

/* Server side: a strict decimal, as FreeSWITCH writes it. */
static int parse_length(const char *data, gen_span v, uint64_t *out) {
  if (v.len == 0 || v.len > 10) return GEN_EBADLENGTH;
  uint64_t n = 0;
  for (uint32_t i = 0; i < v.len; i++) {
    unsigned d = (unsigned char)data[v.off + i] - (unsigned)'0';
    if (d > 9) return GEN_EBADLENGTH;
    n = n * 10 + d;
  }
  if (n > UINT32_MAX) return GEN_EBADLENGTH;
  *out = n;
  return 0;
}

/* Plain event body: inner header block, blank line, inner body. */
static int split_plain_event(const char *data, const gen_parser_limits *limits,
                             gen_frame *f) {
  uint32_t b = f->body.off, e = f->body.off + f->body.len;
  uint32_t hdr_end, body_start;
  if (b < e && data[b] == '\n') {
    hdr_end = b;
    body_start = b + 1;
  } else if (e - b >= 2 && data[b] == '\r' && data[b + 1] == '\n') {
    hdr_end = b;
    body_start = b + 2;
  } else {
    uint32_t t = find_blank_line(data, b, e);
    if (t == e) {
      /* No inner blank line: FreeSWITCH always writes one, so this body
       * was cut short by its sender; expose it all as headers. */
      hdr_end = e;
      body_start = e;
    } else {
      hdr_end = t + 1;
      body_start = data[t + 1] == '\n' ? t + 2 : t + 3;
    }
  }
  if (hdr_end - b > limits->max_header_bytes) return GEN_EHEADERSIZE;
  f->event_headers.off = b;
  f->event_headers.len = hdr_end - b;
  f->event_body.off = body_start;
  f->event_body.len = e - body_start;
  if (f->event_body.len > 0) {
    f->flags |= GEN_FRAME_F_EVENT_BODY;
  } else if (hdr_end > b) {
    /* An empty body still counts when the serializer announced it with a
     * trailing inner Content-Length (always the last inner header). */
    uint32_t ls = hdr_end - 1;
    while (ls > b && data[ls - 1] != '\n') ls--;
    if (hdr_end - ls > 15 && gen_ascii_caseeq(data + ls, "Content-Length:", 15))
      f->flags |= GEN_FRAME_F_EVENT_BODY;
  }
  return 0;
}

/* JSON event: the body is the object; the "_body" member, if any, is the
 * serializer's last one. A malformed object does not break the framing, so
 * it is not an error here: gen_header_next reports it. */
static void split_json_event(const char *data, gen_frame *f) {
  f->event_headers = f->body;
  uint32_t cursor = 0, enc = 0;
  gen_span key, value;
  while (gen_json_member_next(data, f->body, &cursor, &key, &value, &enc) == 1) {
    if (key.len == 5 && memcmp(data + key.off, "_body", 5) == 0 &&
        enc == GEN_VALUE_JSON) {
      f->event_body = value;
      f->flags |= GEN_FRAME_F_EVENT_BODY;
      return;
    }
  }
}

/* XML event: <event><headers>…</headers>[<Content-Length>…<body>…</body>]. */
static void split_xml_event(const char *data, gen_frame *f) {
  uint32_t b = f->body.off, e = f->body.off + f->body.len;
  uint32_t h = find_text(data, b, e, "<headers>", 9);
  if (h == e) return;
  h += 9;
  uint32_t he = find_text(data, h, e, "</headers>", 10);
  if (he == e) return;
  f->event_headers.off = h;
  f->event_headers.len = he - h;
  uint32_t bs = find_text(data, he, e, "<body>", 6);
  if (bs == e) return;
  bs += 6;
  /* Body text is escaped, so its first "</body>" is the closing tag. */
  uint32_t be = find_text(data, bs, e, "</body>", 7);
  if (be == e) return;
  f->event_body.off = bs;
  f->event_body.len = be - bs;
  f->flags |= GEN_FRAME_F_EVENT_BODY;
}

static int64_t parse_server_frame(const char *data, uint32_t start,
                                  uint32_t end, const gen_parser_limits *limits,
                                  gen_frame *f) {
  uint32_t p = start, block_end;
  uint64_t clen = 0;
  for (;;) {
    if (p >= end) goto incomplete;
    if (data[p] == '\n') {
      block_end = p + 1;
      break;
    }
    if (data[p] == '\r') {
      if (p + 1 >= end) goto incomplete;
      if (data[p + 1] == '\n') {
        f->flags |= GEN_FRAME_F_CRLF;
        block_end = p + 2;
        break;
      }
    }
    const char *nl = memchr(data + p, '\n', end - p);
    if (nl == NULL) goto incomplete;
    uint32_t eol = (uint32_t)(nl - data);
    if (eol + 1 - start > limits->max_header_bytes) return GEN_EHEADERSIZE;
    uint32_t le = eol;
    if (data[le - 1] == '\r') {
      le--;
      f->flags |= GEN_FRAME_F_CRLF;
    }
    const char *colon = memchr(data + p, ':', le - p);
    if (colon == NULL) return GEN_ENOCOLON;
    uint32_t name_len = (uint32_t)(colon - (data + p));
    if (name_len == 0) return GEN_EEMPTYNAME;
    uint32_t v = p + name_len + 1;
    while (v < le && (data[v] == ' ' || data[v] == '\t')) v++;
    gen_span value = {v, le - v};
    const char *name = data + p;
    switch (name_len) {
    case 14:
      if (gen_ascii_caseeq(name, "Content-Length", 14)) {
        if (f->flags & GEN_FRAME_F_HAS_BODY) return GEN_EDUPLENGTH;
        int rc = parse_length(data, value, &clen);
        if (rc < 0) return rc;
        if (clen > limits->max_body_bytes) return GEN_EBODYSIZE;
        f->flags |= GEN_FRAME_F_HAS_BODY;
      }
      break;
    case 12:
      /* First occurrence wins, as in FreeSWITCH's own lookup. */
      if (f->content_type.len == 0 && gen_ascii_caseeq(name, "Content-Type", 12))
        f->content_type = value;
      break;
    case 10:
      if (f->reply_text.len == 0 && gen_ascii_caseeq(name, "Reply-Text", 10))
        f->reply_text = value;
      break;
    case 8:
      if (f->job_uuid.len == 0 && gen_ascii_caseeq(name, "Job-UUID", 8))
        f->job_uuid = value;
      break;
    default:
      break;
    }
    p = eol + 1;
  }
  if (block_end - start > limits->max_header_bytes) return GEN_EHEADERSIZE;
  f->headers.off = start;
  f->headers.len = p - start;
  if ((uint64_t)block_end + clen > UINT32_MAX) return GEN_EBODYSIZE;
  uint32_t total = block_end - start + (uint32_t)clen;
  f->size = total;
  if (end - start < total) return 0;
  f->body.off = block_end;
  f->body.len = (uint32_t)clen;
  f->kind = (uint16_t)kind_of(data, f->content_type);
  int rc = 0;
  switch (f->kind) {
  case GEN_FRAME_EVENT_PLAIN:
    rc = split_plain_event(data, limits, f);
    break;
  case GEN_FRAME_EVENT_JSON:
    split_json_event(data, f);
    break;
  case GEN_FRAME_EVENT_XML:
    split_xml_event(data, f);
    break;
  default:
    break;
  }
  if (rc < 0) return rc;
  return total;

incomplete:
  if (end - start > limits->max_header_bytes) return GEN_EHEADERSIZE;
  f->size = 0;
  return 0;
}

/* mod_event_socket reads Content-Length with atoi: leading white space, a
 * sign, digits, anything after ignored. Saturates instead of overflowing. */
static int64_t atoi_like(const char *s, uint32_t len) {
  uint32_t i = 0;
  while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
  int neg = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  int64_t n = 0;
  for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
    n = n * 10 + (s[i] - '0');
    if (n > (int64_t)UINT32_MAX) n = (int64_t)UINT32_MAX + 1;
  }
  return neg ? -n : n;
}

static int64_t parse_command_frame(const char *data, uint32_t start,
                                   uint32_t end, const gen_parser_limits *limits,
                                   gen_frame *f) {
  uint32_t p = start;
  while (p < end && (data[p] == '\r' || data[p] == '\n')) p++;
  /* The end of the block: an LF, any CR bytes, another LF. */
  uint32_t q = p, first_lf, block_end;
  for (;;) {
    const char *nl = q < end ? memchr(data + q, '\n', end - q) : NULL;
    if (nl == NULL) goto incomplete;
    uint32_t r = (uint32_t)(nl - data) + 1;
    while (r < end && data[r] == '\r') r++;
    if (r >= end) goto incomplete;
    if (data[r] == '\n') {
      first_lf = (uint32_t)(nl - data);
      block_end = r + 1;
      break;
    }
    q = r;
  }
  if (block_end - start > limits->max_header_bytes) return GEN_EHEADERSIZE;
  if (memchr(data + p, '\r', block_end - p) != NULL) f->flags |= GEN_FRAME_F_CRLF;

  gen_cmd_lines it;
  gen_cmd_lines_init(&it, data, p, first_lf + 1);
  uint32_t off, len;
  gen_cmd_line_next(&it, &off, &len);
  f->command.off = off;
  f->command.len = len;
  f->headers.off = it.pos;
  f->headers.len = first_lf + 1 - it.pos;

  int64_t clen = 0;
  while (gen_cmd_line_next(&it, &off, &len)) {
    const char *colon = memchr(data + off, ':', len);
    if (colon == NULL) continue;
    uint32_t name_len = (uint32_t)(colon - (data + off));
    uint32_t v = off + name_len + 1, ve = off + len;
    while (v < ve && data[v] == ' ') v++;
    /* FreeSWITCH does not store empty values, so they cannot shadow a later
     * header of the same name. */
    if (v == ve) continue;
    gen_span value = {v, ve - v};
    const char *name = data + off;
    if (name_len == 14 && gen_ascii_caseeq(name, "Content-Length", 14)) {
      if (f->flags & GEN_FRAME_F_HAS_BODY) return GEN_EDUPLENGTH;
      f->flags |= GEN_FRAME_F_HAS_BODY;
      clen = atoi_like(data + v, value.len);
      if (clen < 0) clen = 0;
      if (clen > (int64_t)limits->max_body_bytes) return GEN_EBODYSIZE;
    } else if (name_len == 12 && f->content_type.len == 0 &&
               gen_ascii_caseeq(name, "Content-Type", 12)) {
      f->content_type = value;
    } else if (name_len == 8 && f->job_uuid.len == 0 &&
               gen_ascii_caseeq(name, "Job-UUID", 8)) {
      f->job_uuid = value;
    }
  }
  if ((uint64_t)block_end + (uint64_t)clen > UINT32_MAX) return GEN_EBODYSIZE;
  uint32_t total = block_end - start + (uint32_t)clen;
  f->size = total;
  if (end - start < total) return 0;
  f->kind = GEN_FRAME_COMMAND;
  f->body.off = block_end;
  f->body.len = (uint32_t)clen;
  return total;

incomplete:
  if (end - start > limits->max_header_bytes) return GEN_EHEADERSIZE;
  f->size = 0;
  return 0;
}

int64_t gen_parse_frame(const char *data, uint32_t start, uint32_t end,
                        gen_parse_mode mode, const gen_parser_limits *limits,
                        gen_frame *frame) {
  memset(frame, 0, sizeof *frame);
  frame->start = start;
  if (start >= end) return 0;
  if (mode == GEN_PARSE_COMMANDS)
    return parse_command_frame(data, start, end, limits, frame);
  return parse_server_frame(data, start, end, limits, frame);
}
