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

/* The inner headers recorded in gen_frame.well_known, lowercased, by
 * gen_well_known_header index. */
static const char *const wk_names[GEN_WK_COUNT] = {
    "event-name",   "event-subclass", "call-direction",      "channel-state",
    "answer-state", "hangup-cause",   "event-date-timestamp"};
static const uint8_t wk_lens[GEN_WK_COUNT] = {10, 14, 14, 13, 12, 12, 20};

static inline uint64_t load8(const char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* A perfect hash of the first 8 bytes (lowered) of the well-known names:
 * (prefix * WK_HASH) >> 61 gives each its own slot. wk_slot_prefix holds the
 * prefix of the name in each slot (0 for the empty slot), wk_slot_index its
 * gen_well_known_header. */
#define WK_HASH 0xad45f23d3b1a11dfull
static uint64_t wk_slot_prefix[8];
static const int8_t wk_slot_index[8] = {
    GEN_WK_EVENT_NAME,   GEN_WK_ANSWER_STATE,   GEN_WK_EVENT_DATE_TIMESTAMP,
    GEN_WK_HANGUP_CAUSE, -1,                    GEN_WK_CALL_DIRECTION,
    GEN_WK_EVENT_SUBCLASS, GEN_WK_CHANNEL_STATE};

static void wk_init(void) {
  for (int h = 0; h < 8; h++)
    wk_slot_prefix[h] = wk_slot_index[h] < 0 ? 0 : load8(wk_names[wk_slot_index[h]]);
}

/* A line that starts at ls (before the block's end e): if its name is a
 * well-known one not seen yet, records its value the way gen_header_next
 * gives it. Most lines cost one load, a multiply and one compare that fails
 * (OR 0x20 lowers ASCII letters and keeps '-', so names match in any case). */
static inline __attribute__((always_inline)) void wk_line(const char *d, uint32_t ls,
                                                          uint32_t e, gen_frame *f,
                                                          unsigned *seen) {
  if (e - ls < 11) return; /* "event-name:" is the shortest */
  uint64_t p = load8(d + ls) | 0x2020202020202020ull;
  unsigned h = (unsigned)((p * WK_HASH) >> 61);
  if (__builtin_expect(p != wk_slot_prefix[h], 1)) return;
  int k = wk_slot_index[h];
  uint32_t n = wk_lens[k];
  if (*seen & (1u << k) || e - ls <= n || d[ls + n] != ':' ||
      !gen_ascii_caseeq(d + ls + 8, wk_names[k] + 8, n - 8))
    return;
  *seen |= 1u << k;
  uint32_t v = ls + n + 1;
  const char *nl = memchr(d + v, '\n', e - v);
  uint32_t ve = nl ? (uint32_t)(nl - d) : e;
  if (ve > v && d[ve - 1] == '\r') ve--;
  while (v < ve && (d[v] == ' ' || d[v] == '\t')) v++;
  f->well_known[k].off = v;
  f->well_known[k].len = ve - v;
}

#define WK_ALL ((1u << GEN_WK_COUNT) - 1)

#if defined(__SSE2__)
/* The LF and CR masks of the 64 bytes at p, and whether p[64], p[65] are LF
 * and p[64] is CR (bit 0 of each), for walk_plain_headers. */
static inline __attribute__((always_inline)) void line_masks(const char *p, uint64_t *lfs,
                                                             uint64_t *crs, uint64_t *after) {
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  uint64_t l = 0, c = 0;
  for (int q = 0; q < 4; q++) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * q));
    l |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, lf)) << (16 * q);
    c |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, cr)) << (16 * q);
  }
  *lfs = l;
  *crs = c;
  *after = (uint64_t)(p[64] == '\n') | (uint64_t)(p[65] == '\n') << 1 | (uint64_t)(p[64] == '\r') << 2;
}
#endif

/* find_blank_line for a plain event's inner block [b, e) (b > 0, data[b - 1]
 * is the LF that ends the outer block, and the block does not start with a
 * blank line) that also fills frame->well_known. SSE2, 64 positions a step:
 * the blank-line test of find_blank_line, and from the same LF mask the line
 * starts, each checked by wk_line. Once every name was seen,
 * find_blank_line goes on alone. The last step, with fewer than 66 bytes
 * left, runs on a zero-padded copy of them: done a byte at a time, that
 * tail was a quarter of the walk of a 1 KB event. */
static uint32_t walk_plain_headers(const char *d, uint32_t b, uint32_t e,
                                   gen_frame *f) {
  unsigned seen = 0;
  uint32_t i = b;
  if (wk_slot_prefix[0] == 0) wk_init(); /* idempotent: a race writes the same values */
#if defined(__SSE2__)
  uint64_t carry = 1; /* data[b - 1] is an LF: a line starts at b */
  char tail[80];
  while (i < e) {
    uint64_t lfs, crs, after, in_block = ~0ull;
    if (e - i >= 66) {
      line_masks(d + i, &lfs, &crs, &after);
    } else {
      /* Zeros after the block: neither LF nor CR, as if it ended there. */
      uint32_t n = e - i;
      memcpy(tail, d + i, n);
      memset(tail + n, 0, sizeof tail - n);
      line_masks(tail, &lfs, &crs, &after);
      if (n < 64) in_block = (1ull << n) - 1;
    }
    uint64_t next_lf = (lfs >> 1) | (after & 1) << 63;
    uint64_t next_cr = (crs >> 1) | (after >> 2 & 1) << 63;
    uint64_t next2_lf = (lfs >> 2) | (after & 1) << 62 | (after >> 1 & 1) << 63;
    uint64_t blank = lfs & (next_lf | (next_cr & next2_lf));
    uint64_t starts = ((lfs << 1) | carry) & in_block;
    carry = lfs >> 63;
    if (blank) {
      unsigned at = (unsigned)__builtin_ctzll(blank);
      starts &= at == 63 ? ~0ull : (2ull << at) - 1; /* lines up to the blank line's LF */
      for (; starts; starts &= starts - 1) wk_line(d, i + (uint32_t)__builtin_ctzll(starts), e, f, &seen);
      return i + at;
    }
    for (; starts; starts &= starts - 1) wk_line(d, i + (uint32_t)__builtin_ctzll(starts), e, f, &seen);
    if (e - i <= 64) return e;
    if (seen == WK_ALL) return find_blank_line(d, i + 63, e);
    i += 64;
  }
  return e;
#else
  for (; i < e; i++) {
    if (d[i - 1] == '\n') wk_line(d, i, e, f, &seen);
    if (d[i] == '\n' && i + 1 < e &&
        (d[i + 1] == '\n' || (d[i + 1] == '\r' && i + 2 < e && d[i + 2] == '\n')))
      return i;
  }
  return e;
#endif
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
    uint32_t t = walk_plain_headers(data, b, e, f);
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
  f->flags |= GEN_FRAME_F_WELL_KNOWN;
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

/* FreeSWITCH's envelope of every event, byte for byte:
 * "Content-Length: N\nContent-Type: text/event-plain\n\n". Recognized with
 * two comparisons and a digit loop, where the general loop took a third of
 * the walk of a 1 KB event (two memchr calls a line, case-insensitive name
 * matches). Returns the offset after the blank line and sets *clen, or 0
 * when the block is anything else (the general loop then reads it). */
static uint32_t event_envelope(const char *data, uint32_t start, uint32_t end,
                               uint64_t *clen) {
  static const char length_name[] = "Content-Length: ";
  static const char type_line[] = "Content-Type: text/event-plain\n\n";
  const uint32_t length_len = sizeof length_name - 1, type_len = sizeof type_line - 1;
  if (end - start < length_len + 2 + type_len || memcmp(data + start, length_name, length_len) != 0)
    return 0;
  uint32_t p = start + length_len, digits_end = p + 10;
  uint64_t n = 0;
  for (; p < end && p < digits_end; p++) {
    unsigned d = (unsigned char)data[p] - (unsigned)'0';
    if (d > 9) break;
    n = n * 10 + d;
  }
  if (p == start + length_len || n > UINT32_MAX || end - p < 1 + type_len || data[p] != '\n' ||
      memcmp(data + p + 1, type_line, type_len) != 0)
    return 0;
  *clen = n;
  return p + 1 + type_len;
}

static int64_t parse_server_frame(const char *data, uint32_t start,
                                  uint32_t end, const gen_parser_limits *limits,
                                  gen_frame *f) {
  uint32_t p = start, block_end;
  uint64_t clen = 0;
  block_end = event_envelope(data, start, end, &clen);
  if (block_end != 0) {
    if (clen > limits->max_body_bytes) return GEN_EBODYSIZE;
    f->flags |= GEN_FRAME_F_HAS_BODY;
    f->content_type.off = block_end - 18; /* "text/event-plain", before the two LFs */
    f->content_type.len = 16;
    p = block_end - 1; /* the blank line, as the general loop leaves it */
  }
  while (block_end == 0) {
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
