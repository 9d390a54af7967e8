/* libFuzzer target for the frame parser and the header decoders.
 *
 * Each input is parsed in both modes, whole and as growing prefixes (each
 * prefix in its own exact-size allocation, so reading past `end` trips
 * ASan), and every frame's headers are iterated and their values decoded.
 * The properties checked, beyond memory safety:
 *  - a prefix yields the same frames as the whole input, or "need more",
 *    or the very error the whole input ends with;
 *  - every span lies inside its frame;
 *  - URL encoding round-trips through decoding. */
#include "CGenesis.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 256

typedef struct parsed {
  gen_frame frames[MAX_FRAMES];
  int count;
  int64_t final; /* 0: input ended (possibly mid-frame); < 0: the error */
} parsed;

static void check(int ok) {
  if (!ok) abort();
}

static void check_span(const gen_frame *f, gen_span s) {
  if (s.len == 0) return;
  check(s.off >= f->start && (uint64_t)s.off + s.len <= (uint64_t)f->start + f->size);
}

static void decode_value(const char *data, const gen_header *h) {
  char buf[512];
  size_t n = h->value.len < sizeof buf ? h->value.len : sizeof buf;
  const char *v = data + h->value.off;
  switch (h->encoding) {
  case GEN_VALUE_URL:
    if (gen_url_needs_decode(v, n)) check(gen_url_decode(v, n, buf) <= n);
    break;
  case GEN_VALUE_JSON: {
    int64_t r = gen_json_unescape(v, n, buf);
    check(r == GEN_EBADJSON || (r >= 0 && (size_t)r <= n));
    break;
  }
  case GEN_VALUE_JSON_ARRAY: {
    uint32_t cursor = 0;
    gen_span el;
    while (gen_json_array_next(data, h->value, &cursor, &el) == 1) {
      check(el.off >= h->value.off && el.off + el.len <= h->value.off + h->value.len);
      size_t m = el.len < sizeof buf ? el.len : sizeof buf;
      (void)gen_json_unescape(data + el.off, m, buf);
    }
    break;
  }
  default:
    break;
  }
}

static void walk_block(const char *data, gen_span block, uint16_t format) {
  uint32_t cursor = 0;
  gen_header h;
  int guard = 0;
  while (gen_header_next(data, block, format, &cursor, &h) == 1) {
    check(h.name.off >= block.off && h.name.off + h.name.len <= block.off + block.len);
    check(h.value.off >= block.off && h.value.off + h.value.len <= block.off + block.len);
    decode_value(data, &h);
    check(++guard <= (int)block.len + 1);
  }
  (void)gen_header_find(data, block, format, "Event-Name", 10, &h);
}

static void walk_frame(const char *data, const gen_frame *f, gen_parse_mode mode) {
  check_span(f, f->headers);
  check_span(f, f->body);
  check_span(f, f->content_type);
  check_span(f, f->reply_text);
  check_span(f, f->job_uuid);
  check_span(f, f->command);
  check_span(f, f->event_headers);
  check_span(f, f->event_body);
  walk_block(data, f->headers, mode == GEN_PARSE_COMMANDS ? GEN_FRAME_COMMAND : GEN_FRAME_OTHER);
  if (f->kind == GEN_FRAME_EVENT_PLAIN || f->kind == GEN_FRAME_EVENT_JSON ||
      f->kind == GEN_FRAME_EVENT_XML)
    walk_block(data, f->event_headers, f->kind);
  char buf[512];
  size_t n = f->event_body.len < sizeof buf ? f->event_body.len : sizeof buf;
  if (f->kind == GEN_FRAME_EVENT_XML) check(gen_xml_unescape(data + f->event_body.off, n, buf) <= n);
  if (f->kind == GEN_FRAME_EVENT_JSON) (void)gen_json_unescape(data + f->event_body.off, n, buf);
}

static void parse_whole(const char *data, uint32_t len, gen_parse_mode mode,
                        const gen_parser_limits *limits, parsed *out) {
  uint32_t pos = 0;
  out->count = 0;
  out->final = 0;
  while (pos < len && out->count < MAX_FRAMES) {
    gen_frame *f = &out->frames[out->count];
    int64_t rc = gen_parse_frame(data, pos, len, mode, limits, f);
    if (rc < 0) {
      out->final = rc;
      return;
    }
    if (rc == 0) {
      check(f->size == 0 || f->size > len - pos);
      return;
    }
    check(rc <= len - pos && f->size == rc && f->start == pos);
    walk_frame(data, f, mode);
    out->count++;
    pos += (uint32_t)rc;
  }
}

/* Reparses the prefix data[0..end) from frame to frame, as a connection
 * does after each read. */
static void check_prefix(const uint8_t *input, uint32_t end, gen_parse_mode mode,
                         const gen_parser_limits *limits, const parsed *whole) {
  char *data = malloc(end ? end : 1);
  memcpy(data, input, end);
  uint32_t pos = 0;
  int k = 0;
  while (pos < end && k < whole->count) {
    gen_frame f;
    int64_t rc = gen_parse_frame(data, pos, end, mode, limits, &f);
    check(rc >= 0);
    if (rc == 0) {
      check(f.size == 0 || f.size == whole->frames[k].size);
      break;
    }
    check(memcmp(&f, &whole->frames[k], sizeof f) == 0);
    pos += (uint32_t)rc;
    k++;
  }
  if (k == whole->count && pos < end && k < MAX_FRAMES) {
    gen_frame f;
    int64_t rc = gen_parse_frame(data, pos, end, mode, limits, &f);
    check(rc == 0 || rc == whole->final);
  }
  free(data);
}

static parsed result;

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size) {
  if (size > (1u << 20)) return 0;
  const char *data = (const char *)input;
  uint32_t len = (uint32_t)size;

  gen_parser_limits limits;
  gen_parser_limits_init(&limits);
  /* Tight limits as well, so the limit checks see traffic. */
  gen_parser_limits tight = {64, 64};
  const gen_parser_limits *choices[2] = {&limits, &tight};

  for (int mode = 0; mode < 2; mode++) {
    for (int l = 0; l < 2; l++) {
      parse_whole(data, len, (gen_parse_mode)mode, choices[l], &result);
      uint32_t step = len / 24 + 1;
      for (uint32_t end = 0; end <= len; end += step)
        check_prefix(input, end, (gen_parse_mode)mode, choices[l], &result);
    }
  }

  /* The whole input as a header block of each format. */
  gen_span all = {0, len};
  walk_block(data, all, GEN_FRAME_EVENT_PLAIN);
  walk_block(data, all, GEN_FRAME_EVENT_JSON);
  walk_block(data, all, GEN_FRAME_EVENT_XML);
  walk_block(data, all, GEN_FRAME_COMMAND);

  /* Encoding then decoding gives the input back, except that an existing
   * uppercase %XX is kept as is by the encoder (as FreeSWITCH does). */
  size_t n = size < 4096 ? size : 4096;
  static char enc[3 * 4096], dec[3 * 4096], xml[4096];
  int64_t e = gen_url_encode(data, n, enc, sizeof enc);
  check(e >= (int64_t)n);
  size_t d = gen_url_decode(enc, (size_t)e, dec);
  if (memchr(data, '%', n) == NULL) check(d == n && memcmp(dec, data, n) == 0);
  check(gen_url_encode(data, n, enc, (size_t)e - (e > 0)) == (n ? GEN_EINVAL : 0));
  check(gen_xml_unescape(data, n, xml) <= n);
  int64_t j = gen_json_unescape(data, n, dec);
  check(j == GEN_EBADJSON || (j >= 0 && (size_t)j <= n));
  (void)gen_strerror((int)(int8_t)(size ? input[0] : 0) - 10000);
  return 0;
}
