/* The frame parser: real FreeSWITCH bytes, whole and fed byte by byte,
 * malformed input, line-end variants and partial frames. */
#include "CGenesis.h"
#include "gen_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GEN_CAPTURES_DIR
#error "GEN_CAPTURES_DIR must name Tests/Fixtures/captures"
#endif

/* Frame counts per capture, from an independent reader of the same bytes
 * (blank line + Content-Length for rx, mod_event_socket's rules for tx);
 * the tx counts match the commands listed in each .transcript.txt. */
static const struct capture_counts {
  const char *name;
  int rx_frames, tx_commands, plain, json, xml;
} captures[] = {
    {"01_auth_ok", 4, 2, 0, 0, 0},
    {"01b_auth_bad_password", 3, 1, 0, 0, 0},
    {"02_api_status", 7, 5, 0, 0, 0},
    {"03_bgapi_originate_background_job", 8, 5, 1, 0, 0},
    {"04_plain_originate_2000_ring_answer_uuid_kill", 68, 6, 60, 0, 0},
    {"05_json_originate_2000_ring_answer_uuid_kill", 66, 6, 0, 58, 0},
    {"06_api_originate_events_answer_hangup_complete", 11, 5, 4, 0, 0},
    {"07_api_originate_failures", 7, 5, 0, 0, 0},
    {"08_outbound_socket_connect_answer_hangup", 18, 6, 10, 0, 0},
    {"08b_inbound_side_of_outbound_socket_test", 6, 4, 0, 0, 0},
    {"09_bridge", 125, 8, 115, 0, 0},
    {"10_sendmsg_playback", 67, 8, 57, 0, 0},
    {"11_dtmf", 89, 12, 75, 0, 0},
    {"12_outbound_socket_deep_dive", 45, 16, 27, 0, 0},
    {"12b_inbound_side_of_outbound_deep_dive", 16, 8, 6, 0, 0},
    {"12c_outbound_sync_mode", 15, 8, 6, 0, 0},
    {"12d_inbound_side_of_sync_mode_test", 9, 4, 3, 0, 0},
    {"13_filters_subscriptions_inbound", 139, 67, 17, 2, 5},
    {"13b_inbound_myevents_uuid", 25, 18, 5, 0, 0},
    {"13c_inbound_myevents_unknown_uuid", 31, 3, 26, 0, 0},
    {"14_error_cases", 92, 47, 43, 0, 0},
    {"14b_preauth_commands", 8, 6, 0, 0, 0},
    {"14c_auth_timeout", 2, 0, 0, 0, 0},
    {"14d_preauth_no_timeout_after_first_command", 19, 17, 0, 0, 0},
    {"15_api_reply_strings", 45, 43, 0, 0, 0},
};
#define CAPTURE_COUNT (sizeof captures / sizeof captures[0])

static char *read_capture(const char *name, const char *suffix, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s%s", GEN_CAPTURES_DIR, name, suffix);
  char *data = gen_test_read_file(path, len);
  if (data == NULL) fprintf(stderr, "  cannot read %s\n", path);
  return data;
}

static gen_parser_limits default_limits(void) {
  gen_parser_limits limits;
  gen_parser_limits_init(&limits);
  return limits;
}

/* Parses a whole buffer; returns the frame count, or -1 on an error or
 * leftover bytes. */
static int parse_all(const char *data, size_t len, gen_parse_mode mode,
                     gen_frame *frames, int cap) {
  gen_parser_limits limits = default_limits();
  uint32_t pos = 0;
  int n = 0;
  while (pos < len) {
    if (n == cap) return -1;
    int64_t rc = gen_parse_frame(data, pos, (uint32_t)len, mode, &limits, &frames[n]);
    if (rc <= 0) {
      fprintf(stderr, "  parse at %u: %lld\n", pos, (long long)rc);
      return -1;
    }
    GEN_CHECK_EQ_INT(frames[n].start, pos);
    GEN_CHECK_EQ_INT(frames[n].size, rc);
    pos += (uint32_t)rc;
    n++;
  }
  return n;
}

/* Feeds the buffer one more byte at a time, reparsing from the current
 * frame's start as a connection does, and checks each frame comes out
 * identical to the whole-buffer parse, and that the announced size of a
 * frame whose header block is complete is its real size. */
static void check_split(const char *data, size_t len, gen_parse_mode mode,
                        const gen_frame *whole, int count) {
  gen_parser_limits limits = default_limits();
  uint32_t pos = 0;
  int k = 0, mismatches = 0;
  for (uint32_t end = 1; end <= len; end++) {
    while (pos < end) {
      gen_frame f;
      int64_t rc = gen_parse_frame(data, pos, end, mode, &limits, &f);
      if (rc < 0 || k >= count) {
        mismatches++;
        break;
      }
      if (rc == 0) {
        if (f.size != 0 && f.size != whole[k].size) mismatches++;
        break;
      }
      if (memcmp(&f, &whole[k], sizeof f) != 0) mismatches++;
      pos += (uint32_t)rc;
      k++;
    }
    if (mismatches) break;
  }
  GEN_CHECK_EQ_INT(mismatches, 0);
  GEN_CHECK_EQ_INT(k, count);
}

#define MAX_FRAMES 512

GEN_TEST(captures_parse_whole_and_split_identically) {
  gen_frame *frames = calloc(MAX_FRAMES, sizeof *frames);
  for (size_t c = 0; c < CAPTURE_COUNT; c++) {
    size_t len = 0;
    char *data = read_capture(captures[c].name, ".rx.raw", &len);
    GEN_CHECK(data != NULL);
    if (data == NULL) continue;
    int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, MAX_FRAMES);
    if (n != captures[c].rx_frames) fprintf(stderr, "  %s\n", captures[c].name);
    GEN_CHECK_EQ_INT(n, captures[c].rx_frames);
    int plain = 0, json = 0, xml = 0, other = 0;
    for (int i = 0; i < n; i++) {
      plain += frames[i].kind == GEN_FRAME_EVENT_PLAIN;
      json += frames[i].kind == GEN_FRAME_EVENT_JSON;
      xml += frames[i].kind == GEN_FRAME_EVENT_XML;
      other += frames[i].kind == GEN_FRAME_OTHER;
      /* FreeSWITCH writes LF only. */
      GEN_CHECK((frames[i].flags & GEN_FRAME_F_CRLF) == 0);
    }
    GEN_CHECK_EQ_INT(plain, captures[c].plain);
    GEN_CHECK_EQ_INT(json, captures[c].json);
    GEN_CHECK_EQ_INT(xml, captures[c].xml);
    GEN_CHECK_EQ_INT(other, 0);
    if (n > 0) check_split(data, len, GEN_PARSE_SERVER_FRAMES, frames, n);
    free(data);
  }
  free(frames);
}

GEN_TEST(client_commands_parse_whole_and_split_identically) {
  gen_frame *frames = calloc(MAX_FRAMES, sizeof *frames);
  for (size_t c = 0; c < CAPTURE_COUNT; c++) {
    size_t len = 0;
    char *data = read_capture(captures[c].name, ".tx.raw", &len);
    GEN_CHECK(data != NULL);
    if (data == NULL) continue;
    int n = parse_all(data, len, GEN_PARSE_COMMANDS, frames, MAX_FRAMES);
    if (n != captures[c].tx_commands) fprintf(stderr, "  %s\n", captures[c].name);
    GEN_CHECK_EQ_INT(n, captures[c].tx_commands);
    for (int i = 0; i < n; i++) {
      GEN_CHECK_EQ_INT(frames[i].kind, GEN_FRAME_COMMAND);
      GEN_CHECK(frames[i].command.len > 0);
    }
    if (n > 0) check_split(data, len, GEN_PARSE_COMMANDS, frames, n);
    free(data);
  }
  free(frames);
}

/* Every event in every capture iterates cleanly in its own format, and every
 * one with core headers names itself. */
GEN_TEST(capture_events_iterate_and_name_themselves) {
  gen_frame *frames = calloc(MAX_FRAMES, sizeof *frames);
  int events = 0, named = 0;
  for (size_t c = 0; c < CAPTURE_COUNT; c++) {
    size_t len = 0;
    char *data = read_capture(captures[c].name, ".rx.raw", &len);
    if (data == NULL) continue;
    int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, MAX_FRAMES);
    for (int i = 0; i < n; i++) {
      const gen_frame *f = &frames[i];
      uint32_t cursor = 0;
      gen_header h;
      int rc, count = 0;
      while ((rc = gen_header_next(data, f->headers, GEN_FRAME_OTHER, &cursor, &h)) == 1) count++;
      GEN_CHECK_EQ_INT(rc, 0);
      GEN_CHECK(count > 0);
      if (f->kind != GEN_FRAME_EVENT_PLAIN && f->kind != GEN_FRAME_EVENT_JSON &&
          f->kind != GEN_FRAME_EVENT_XML)
        continue;
      events++;
      cursor = 0;
      count = 0;
      while ((rc = gen_header_next(data, f->event_headers, f->kind, &cursor, &h)) == 1) {
        count++;
        GEN_CHECK(h.name.len > 0);
      }
      GEN_CHECK_EQ_INT(rc, 0);
      GEN_CHECK(count > 0);
      if (gen_header_find(data, f->event_headers, f->kind, "event-name", 10, &h) == 1 &&
          h.value.len > 0)
        named++;
    }
    free(data);
  }
  /* Diverted sendevent events arrive bare, without Event-Name (ESL.md 8.2). */
  GEN_CHECK(events > 450);
  GEN_CHECK(named >= events - 2);
  free(frames);
}

/* gen_frame.well_known agrees with gen_header_find on every plain event of
 * every capture: same first occurrence, same raw value, absent when absent. */
static void check_well_known(const char *data, const gen_frame *f) {
  static const char *const names[GEN_WK_COUNT] = {
      "Event-Name",   "Event-Subclass", "Call-Direction",      "Channel-State",
      "Answer-State", "Hangup-Cause",   "Event-Date-Timestamp"};
  GEN_CHECK(f->flags & GEN_FRAME_F_WELL_KNOWN);
  GEN_CHECK_EQ_INT(f->well_known[GEN_WK_COUNT].off, 0);
  for (int k = 0; k < GEN_WK_COUNT; k++) {
    gen_header h;
    int rc = gen_header_find(data, f->event_headers, GEN_FRAME_EVENT_PLAIN, names[k],
                             strlen(names[k]), &h);
    if (rc == 1) {
      GEN_CHECK_EQ_INT(f->well_known[k].off, h.value.off);
      GEN_CHECK_EQ_INT(f->well_known[k].len, h.value.len);
    } else {
      GEN_CHECK_EQ_INT(f->well_known[k].off, 0);
      GEN_CHECK_EQ_INT(f->well_known[k].len, 0);
    }
  }
}

GEN_TEST(plain_events_record_well_known_headers) {
  gen_frame *frames = calloc(MAX_FRAMES, sizeof *frames);
  int plain = 0;
  for (size_t c = 0; c < CAPTURE_COUNT; c++) {
    size_t len = 0;
    char *data = read_capture(captures[c].name, ".rx.raw", &len);
    if (data == NULL) continue;
    int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, MAX_FRAMES);
    for (int i = 0; i < n; i++) {
      if (frames[i].kind != GEN_FRAME_EVENT_PLAIN) {
        GEN_CHECK_EQ_INT(frames[i].flags & GEN_FRAME_F_WELL_KNOWN, 0);
        continue;
      }
      plain++;
      check_well_known(data, &frames[i]);
    }
    free(data);
  }
  GEN_CHECK(plain > 100);
  free(frames);
  /* Case, CRLF, tabs, duplicates (first wins), an empty value, prefixes
   * that are not the name, a block without a blank line, all at every
   * alignment of the 16-byte scan. */
  static const char *const bodies[] = {
      "event-name: A\r\nEVENT-NAME: B\r\nChannel-State-Number: 4\r\nChannel-State:\t\tCS_EXECUTE\r\nEvent-Date-Timestamp: 1700000000000000\r\nAnswer-State:\r\nCall-Direction: inbound\r\nHangup-Cause: NORMAL_CLEARING\r\nEvent-Subclass: x%3A%3Ay\r\n\r\nbody",
      "Event-Namex: no\nEvent-Name:HEARTBEAT\nEvent-Date-Local: 2024\nChannel-Stat: no\n\n",
      "Event-Name: CUSTOM\nEvent-Subclass: a::b",
      "Event-Name: A\nEvent-Subclass: b\nCall-Direction: c\nChannel-State: d\nAnswer-State: e\nHangup-Cause: f\nEvent-Date-Timestamp: 1\nEvent-Name: late\n\nrest",
      "Short: x\n\n",
  };
  for (size_t b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
    /* A first inner line of every length from 4 to 134 bytes moves the rest
     * across the scan's 64-byte steps. */
    for (size_t pad = 0; pad < 131; pad++) {
      char body[1024], buf[2048];
      int blen = snprintf(body, sizeof body, "X: %.*s\n%s", (int)pad,
                          "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"
                          "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
                          bodies[b]);
      int hn = snprintf(buf, sizeof buf, "Content-Length: %d\nContent-Type: text/event-plain\n\n", blen);
      memcpy(buf + hn, body, (size_t)blen);
      gen_parser_limits limits;
      gen_parser_limits_init(&limits);
      gen_frame f;
      int64_t rc = gen_parse_frame(buf, 0, (uint32_t)(hn + blen), GEN_PARSE_SERVER_FRAMES, &limits, &f);
      GEN_CHECK_EQ_INT(rc, hn + (int64_t)blen);
      GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_EVENT_PLAIN);
      check_well_known(buf, &f);
      /* The inner block ends at the first blank line, as before. */
      uint32_t t = (uint32_t)hn;
      while (t < (uint32_t)(hn + blen) && !(buf[t] == '\n' && t + 1 < (uint32_t)(hn + blen) &&
                                             (buf[t + 1] == '\n' || (buf[t + 1] == '\r' && buf[t + 2] == '\n'))))
        t++;
      uint32_t hdr_end = t < (uint32_t)(hn + blen) ? t + 1 : (uint32_t)(hn + blen);
      GEN_CHECK_EQ_INT(f.event_headers.off + f.event_headers.len, hdr_end);
    }
  }
}

GEN_TEST(auth_reply_and_bgapi_frames_carry_their_fields) {
  size_t len = 0;
  char *data = read_capture("03_bgapi_originate_background_job", ".rx.raw", &len);
  GEN_CHECK(data != NULL);
  if (data == NULL) return;
  gen_frame frames[16];
  int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, 16);
  GEN_CHECK_EQ_INT(n, 8);
  GEN_CHECK_EQ_INT(frames[0].kind, GEN_FRAME_AUTH_REQUEST);
  GEN_CHECK_SPAN(data, frames[0].content_type, "auth/request");
  GEN_CHECK_EQ_INT(frames[0].flags & GEN_FRAME_F_HAS_BODY, 0);
  GEN_CHECK_EQ_INT(frames[1].kind, GEN_FRAME_COMMAND_REPLY);
  GEN_CHECK_SPAN(data, frames[1].reply_text, "+OK accepted");
  int bgapi = -1, job = -1;
  for (int i = 0; i < n; i++) {
    if (frames[i].job_uuid.len > 0) bgapi = i;
    if (frames[i].kind == GEN_FRAME_EVENT_PLAIN) job = i;
  }
  GEN_CHECK(bgapi >= 0 && job > bgapi);
  if (bgapi < 0 || job < 0) {
    free(data);
    return;
  }
  const gen_frame *r = &frames[bgapi];
  GEN_CHECK_EQ_INT(r->kind, GEN_FRAME_COMMAND_REPLY);
  GEN_CHECK_EQ_INT(r->job_uuid.len, 36);
  GEN_CHECK(memcmp(data + r->reply_text.off, "+OK Job-UUID: ", 14) == 0);
  const gen_frame *e = &frames[job];
  GEN_CHECK(e->flags & GEN_FRAME_F_EVENT_BODY);
  GEN_CHECK(e->flags & GEN_FRAME_F_HAS_BODY);
  GEN_CHECK(memcmp(data + e->event_body.off, "+OK ", 4) == 0);
  GEN_CHECK_EQ_INT(e->event_body.off + e->event_body.len, e->body.off + e->body.len);
  GEN_CHECK_EQ_INT(e->event_headers.off, e->body.off);
  gen_header h;
  GEN_CHECK_EQ_INT(gen_header_find(data, e->event_headers, e->kind, "Event-Name", 10, &h), 1);
  GEN_CHECK_SPAN(data, h.value, "BACKGROUND_JOB");
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_URL);
  GEN_CHECK_EQ_INT(gen_header_find(data, e->event_headers, e->kind, "Job-UUID", 8, &h), 1);
  GEN_CHECK(h.value.len == 36 && memcmp(data + h.value.off, data + r->job_uuid.off, 36) == 0);
  /* The inner Content-Length is the last inner header. */
  GEN_CHECK_EQ_INT(gen_header_find(data, e->event_headers, e->kind, "Content-Length", 14, &h), 1);
  GEN_CHECK_EQ_INT(atoi(data + h.value.off), e->event_body.len);
  free(data);
}

GEN_TEST(json_and_xml_events_expose_headers_and_body) {
  size_t len = 0;
  char *data = read_capture("13_filters_subscriptions_inbound", ".rx.raw", &len);
  GEN_CHECK(data != NULL);
  if (data == NULL) return;
  gen_frame *frames = calloc(MAX_FRAMES, sizeof *frames);
  int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, MAX_FRAMES);
  int json_bodies = 0, xml_bodies = 0, logs = 0;
  for (int i = 0; i < n; i++) {
    const gen_frame *f = &frames[i];
    logs += f->kind == GEN_FRAME_LOG_DATA;
    if (f->kind == GEN_FRAME_EVENT_JSON) {
      GEN_CHECK_EQ_INT(data[f->event_headers.off], '{');
      if (f->flags & GEN_FRAME_F_EVENT_BODY) {
        json_bodies++;
        /* _body is the last member: its closing quote and the brace end the frame. */
        GEN_CHECK_EQ_INT(f->event_body.off + f->event_body.len + 2, f->body.off + f->body.len);
        gen_header h;
        uint32_t cursor = 0;
        int lengths = 0;
        while (gen_header_next(data, f->event_headers, f->kind, &cursor, &h) == 1) {
          GEN_CHECK(!(h.name.len == 5 && memcmp(data + h.name.off, "_body", 5) == 0));
          lengths += h.name.len == 14 && memcmp(data + h.name.off, "Content-Length", 14) == 0;
        }
        /* Only the client's own Content-Length (sendevent) is a header. */
        GEN_CHECK(lengths <= 1);
      }
    }
    if (f->kind == GEN_FRAME_EVENT_XML) {
      GEN_CHECK(f->event_headers.len > 0);
      GEN_CHECK(memcmp(data + f->event_headers.off - 9, "<headers>", 9) == 0);
      if (f->flags & GEN_FRAME_F_EVENT_BODY) {
        xml_bodies++;
        GEN_CHECK(memcmp(data + f->event_body.off + f->event_body.len, "</body>", 7) == 0);
      }
      gen_header h;
      GEN_CHECK_EQ_INT(gen_header_find(data, f->event_headers, f->kind, "Event-Name", 10, &h), 1);
      GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_URL);
    }
  }
  GEN_CHECK(json_bodies >= 1);
  GEN_CHECK(xml_bodies >= 1);
  GEN_CHECK(logs >= 1);
  free(frames);
  free(data);
}

GEN_TEST(outbound_connect_reply_is_one_large_header_block) {
  size_t len = 0;
  char *data = read_capture("08_outbound_socket_connect_answer_hangup", ".rx.raw", &len);
  GEN_CHECK(data != NULL);
  if (data == NULL) return;
  gen_frame frames[32];
  int n = parse_all(data, len, GEN_PARSE_SERVER_FRAMES, frames, 32);
  GEN_CHECK(n > 0);
  GEN_CHECK_EQ_INT(frames[0].kind, GEN_FRAME_COMMAND_REPLY);
  GEN_CHECK_SPAN(data, frames[0].reply_text, "%2BOK%0A");
  GEN_CHECK(frames[0].headers.len > 3000);
  GEN_CHECK_EQ_INT(frames[0].body.len, 0);
  free(data);
}

/* ---- hand-made frames ---------------------------------------------------- */

static int64_t parse_text(const char *text, gen_parse_mode mode, gen_frame *f) {
  gen_parser_limits limits = default_limits();
  return gen_parse_frame(text, 0, (uint32_t)strlen(text), mode, &limits, f);
}

GEN_TEST(malformed_frames_give_precise_errors) {
  gen_frame f;
  GEN_CHECK_EQ_INT(parse_text("Content-Length: abc\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: -1\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: \n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 12x\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 4294967296\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 99999999999\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 1\ncontent-length: 1\n\nab", GEN_PARSE_SERVER_FRAMES, &f), GEN_EDUPLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Type: api/response\nno colon here\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_ENOCOLON);
  GEN_CHECK_EQ_INT(parse_text(": value\n\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EEMPTYNAME);
  /* Errors in complete lines show before the block is complete. */
  GEN_CHECK_EQ_INT(parse_text("garbage\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_ENOCOLON);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 1\nContent-Length: 1\n", GEN_PARSE_SERVER_FRAMES, &f), GEN_EDUPLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 1\n\nab\n", GEN_PARSE_SERVER_FRAMES, &f), 20);
  /* Two frames from the same command block in commands mode. */
  GEN_CHECK_EQ_INT(parse_text("sendevent X\nContent-Length: 1\ncontent-length: 2\n\nab", GEN_PARSE_COMMANDS, &f), GEN_EDUPLENGTH);
}

GEN_TEST(limits_bound_header_block_and_body) {
  gen_parser_limits limits = {32, 8};
  gen_frame f;
  const char *ok = "Content-Type: api/response\n\n";          /* 28 bytes */
  const char *big = "Content-Type: api/response-longer\n\n";   /* 35 bytes */
  GEN_CHECK_EQ_INT(gen_parse_frame(ok, 0, (uint32_t)strlen(ok), GEN_PARSE_SERVER_FRAMES, &limits, &f), 28);
  GEN_CHECK_EQ_INT(gen_parse_frame(big, 0, (uint32_t)strlen(big), GEN_PARSE_SERVER_FRAMES, &limits, &f), GEN_EHEADERSIZE);
  /* An endless header block is refused before its end arrives. */
  const char *endless = "X-Header: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  GEN_CHECK_EQ_INT(gen_parse_frame(endless, 0, (uint32_t)strlen(endless), GEN_PARSE_SERVER_FRAMES, &limits, &f), GEN_EHEADERSIZE);
  GEN_CHECK_EQ_INT(gen_parse_frame(endless, 0, 20, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
  GEN_CHECK_EQ_INT(gen_parse_frame(endless, 0, (uint32_t)strlen(endless), GEN_PARSE_COMMANDS, &limits, &f), GEN_EHEADERSIZE);
  const char *body9 = "Content-Length: 9\n\n123456789";
  const char *body8 = "Content-Length: 8\n\n12345678";
  GEN_CHECK_EQ_INT(gen_parse_frame(body9, 0, (uint32_t)strlen(body9), GEN_PARSE_SERVER_FRAMES, &limits, &f), GEN_EBODYSIZE);
  GEN_CHECK_EQ_INT(gen_parse_frame(body8, 0, (uint32_t)strlen(body8), GEN_PARSE_SERVER_FRAMES, &limits, &f), 27);
  const char *cmd9 = "sendevent X\nContent-Length: 9\n\n123456789";
  GEN_CHECK_EQ_INT(gen_parse_frame(cmd9, 0, (uint32_t)strlen(cmd9), GEN_PARSE_COMMANDS, &limits, &f), GEN_EBODYSIZE);
  /* The inner block of a plain event is bounded too. */
  gen_parser_limits inner = {64, 1024};
  char ev[512];
  int body_len = snprintf(ev + 100, 400, "Event-Name: HEARTBEAT\nA: %060d\n\n", 0);
  int head = snprintf(ev, 100, "Content-Length: %d\nContent-Type: text/event-plain\n\n", body_len);
  memmove(ev + head, ev + 100, (size_t)body_len + 1);
  GEN_CHECK_EQ_INT(gen_parse_frame(ev, 0, (uint32_t)strlen(ev), GEN_PARSE_SERVER_FRAMES, &inner, &f), GEN_EHEADERSIZE);
}

GEN_TEST(crlf_line_ends_are_tolerated) {
  gen_frame f;
  const char *crlf = "Content-Type: api/response\r\nContent-Length: 2\r\n\r\nok";
  GEN_CHECK_EQ_INT(parse_text(crlf, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(crlf));
  GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_API_RESPONSE);
  GEN_CHECK_SPAN(crlf, f.content_type, "api/response");
  GEN_CHECK_SPAN(crlf, f.body, "ok");
  GEN_CHECK(f.flags & GEN_FRAME_F_CRLF);
  /* libesl also ends a block at LF CR LF. */
  const char *mixed = "Content-Type: command/reply\nReply-Text: +OK\n\r\n";
  GEN_CHECK_EQ_INT(parse_text(mixed, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(mixed));
  GEN_CHECK_SPAN(mixed, f.reply_text, "+OK");
  GEN_CHECK_SPAN(mixed, f.headers, "Content-Type: command/reply\nReply-Text: +OK\n");
  uint32_t cursor = 0;
  gen_header h;
  GEN_CHECK_EQ_INT(gen_header_next(crlf, f.headers, GEN_FRAME_OTHER, &cursor, &h), 1);
  const char *ev =
      "Content-Length: 45\r\nContent-Type: text/event-plain\r\n\r\n"
      "Event-Name: CUSTOM\r\nContent-Length: 4\r\n\r\nbody";
  GEN_CHECK_EQ_INT(parse_text(ev, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(ev));
  GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_EVENT_PLAIN);
  GEN_CHECK_SPAN(ev, f.event_body, "body");
  GEN_CHECK(f.flags & GEN_FRAME_F_EVENT_BODY);
  GEN_CHECK_EQ_INT(gen_header_find(ev, f.event_headers, f.kind, "event-name", 10, &h), 1);
  GEN_CHECK_SPAN(ev, h.value, "CUSTOM");
  /* Values: spaces and tabs after the colon are not part of them. */
  const char *tabs = "Content-Type:\t  command/reply\nReply-Text:\n\n";
  GEN_CHECK_EQ_INT(parse_text(tabs, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(tabs));
  GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_COMMAND_REPLY);
  GEN_CHECK_EQ_INT(f.reply_text.len, 0);
}

GEN_TEST(partial_frames_announce_their_size) {
  gen_parser_limits limits = default_limits();
  const char *text = "Content-Type: api/response\nContent-Length: 10\n\n0123456789";
  uint32_t len = (uint32_t)strlen(text), block = len - 10;
  gen_frame f;
  for (uint32_t end = 0; end < len; end++) {
    GEN_CHECK_EQ_INT(gen_parse_frame(text, 0, end, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
    GEN_CHECK_EQ_INT(f.size, end >= block ? len : 0);
  }
  GEN_CHECK_EQ_INT(gen_parse_frame(text, 0, len, GEN_PARSE_SERVER_FRAMES, &limits, &f), len);
  /* Offsets are absolute, whatever the frame's start. */
  char buf[128];
  memcpy(buf, "junk", 4);
  memcpy(buf + 4, text, len);
  GEN_CHECK_EQ_INT(gen_parse_frame(buf, 4, 4 + len, GEN_PARSE_SERVER_FRAMES, &limits, &f), len);
  GEN_CHECK_EQ_INT(f.start, 4);
  GEN_CHECK_EQ_INT(f.body.off, 4 + block);
  GEN_CHECK_SPAN(buf, f.body, "0123456789");
  /* A header-only frame needs its blank line. */
  GEN_CHECK_EQ_INT(gen_parse_frame("Content-Type: auth/request\n", 0, 27, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
  GEN_CHECK_EQ_INT(gen_parse_frame("Content-Type: auth/request\n\r", 0, 28, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
  GEN_CHECK_EQ_INT(gen_parse_frame("x", 0, 0, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
}

GEN_TEST(every_frame_kind_is_classified) {
  static const struct { const char *ct; int kind; } kinds[] = {
      {"auth/request", GEN_FRAME_AUTH_REQUEST},
      {"command/reply", GEN_FRAME_COMMAND_REPLY},
      {"api/response", GEN_FRAME_API_RESPONSE},
      {"text/event-plain", GEN_FRAME_EVENT_PLAIN},
      {"text/event-json", GEN_FRAME_EVENT_JSON},
      {"text/event-xml", GEN_FRAME_EVENT_XML},
      {"log/data", GEN_FRAME_LOG_DATA},
      {"text/disconnect-notice", GEN_FRAME_DISCONNECT_NOTICE},
      {"text/rude-rejection", GEN_FRAME_RUDE_REJECTION},
      {"Text/Event-Plain", GEN_FRAME_EVENT_PLAIN},
      {"text/plain", GEN_FRAME_OTHER},
  };
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    char buf[128];
    snprintf(buf, sizeof buf, "Content-Type: %s\n\n", kinds[i].ct);
    gen_frame f;
    GEN_CHECK_EQ_INT(parse_text(buf, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(buf));
    GEN_CHECK_EQ_INT(f.kind, kinds[i].kind);
  }
  const char *rude = "Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n";
  gen_frame f;
  GEN_CHECK_EQ_INT(parse_text(rude, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(rude));
  GEN_CHECK_SPAN(rude, f.body, "Access Denied, go away.\n");
  /* A body-less plain event ends with its blank line. */
  const char *bare = "Content-Length: 22\nContent-Type: text/event-plain\n\nEvent-Name: HEARTBEAT\n\n";
  GEN_CHECK_EQ_INT(parse_text(bare, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(bare) - 1);
  const char *bare2 = "Content-Length: 23\nContent-Type: text/event-plain\n\nEvent-Name: HEARTBEAT\n\n";
  GEN_CHECK_EQ_INT(parse_text(bare2, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(bare2));
  GEN_CHECK_SPAN(bare2, f.event_headers, "Event-Name: HEARTBEAT\n");
  GEN_CHECK_EQ_INT(f.event_body.len, 0);
  GEN_CHECK_EQ_INT(f.flags & GEN_FRAME_F_EVENT_BODY, 0);
  /* An announced empty inner body still counts as a body. */
  const char *empty = "Content-Length: 38\nContent-Type: text/event-plain\n\nEvent-Name: CUSTOM\nContent-Length: 0\n\n";
  GEN_CHECK_EQ_INT(parse_text(empty, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(empty));
  GEN_CHECK(f.flags & GEN_FRAME_F_EVENT_BODY);
  GEN_CHECK_EQ_INT(f.event_body.len, 0);
}

GEN_TEST(commands_are_read_like_mod_event_socket) {
  gen_frame f;
  const char *stray = "\r\n\n\napi version\n\n";
  GEN_CHECK_EQ_INT(parse_text(stray, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(stray));
  GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_COMMAND);
  GEN_CHECK_EQ_INT(f.start, 0);
  GEN_CHECK_SPAN(stray, f.command, "api version");
  GEN_CHECK_EQ_INT(f.headers.len, 0);

  const char *crlf = "bgapi echo crlf\r\nJob-UUID: J\r\n\r\n";
  GEN_CHECK_EQ_INT(parse_text(crlf, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(crlf));
  GEN_CHECK_SPAN(crlf, f.command, "bgapi echo crlf");
  GEN_CHECK_SPAN(crlf, f.job_uuid, "J");
  GEN_CHECK(f.flags & GEN_FRAME_F_CRLF);

  /* Mixed endings glue lines, as on a real server. */
  const char *mixed = "bgapi echo mixed\nJob-UUID: J\r\n\r\n";
  GEN_CHECK_EQ_INT(parse_text(mixed, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(mixed));
  GEN_CHECK_SPAN(mixed, f.command, "bgapi echo mixed\nJob-UUID: J");
  GEN_CHECK_EQ_INT(f.job_uuid.len, 0);
  const char *cr = "api echo a\rb\n\n";
  GEN_CHECK_EQ_INT(parse_text(cr, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(cr));
  GEN_CHECK_SPAN(cr, f.command, "api echo a");

  const char *body = "sendevent CUSTOM\nEvent-Subclass: a::b\ncontent-length: 5\nX: y\n\nhello";
  GEN_CHECK_EQ_INT(parse_text(body, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(body));
  GEN_CHECK_SPAN(body, f.body, "hello");
  GEN_CHECK(f.flags & GEN_FRAME_F_HAS_BODY);
  GEN_CHECK_SPAN(body, f.headers, "Event-Subclass: a::b\ncontent-length: 5\nX: y\n");

  /* FreeSWITCH 1.10.12: a Content-Length that is not positive means no body. */
  const char *neg = "sendevent CUSTOM\nContent-Length: -1\n\nnext\n\n";
  GEN_CHECK_EQ_INT(parse_text(neg, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(neg) - 6);
  GEN_CHECK_EQ_INT(f.body.len, 0);
  const char *junk = "sendmsg\nContent-Length: x\nno colon\n\n";
  GEN_CHECK_EQ_INT(parse_text(junk, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(junk));
  GEN_CHECK_EQ_INT(f.body.len, 0);

  /* Header lines without ':' and empty values are skipped. */
  const char *hdrs = "sendmsg U\ncall-command: execute\nnonsense\nEmpty:\nexecute-app-name:  playback\n\n";
  GEN_CHECK_EQ_INT(parse_text(hdrs, GEN_PARSE_COMMANDS, &f), (int64_t)strlen(hdrs));
  uint32_t cursor = 0;
  gen_header h;
  GEN_CHECK_EQ_INT(gen_header_next(hdrs, f.headers, GEN_FRAME_COMMAND, &cursor, &h), 1);
  GEN_CHECK_SPAN(hdrs, h.name, "call-command");
  GEN_CHECK_SPAN(hdrs, h.value, "execute");
  GEN_CHECK_EQ_INT(gen_header_next(hdrs, f.headers, GEN_FRAME_COMMAND, &cursor, &h), 1);
  GEN_CHECK_SPAN(hdrs, h.name, "execute-app-name");
  GEN_CHECK_SPAN(hdrs, h.value, "playback");
  GEN_CHECK_EQ_INT(gen_header_next(hdrs, f.headers, GEN_FRAME_COMMAND, &cursor, &h), 0);

  /* Only CR/LF so far: nothing to report yet. */
  GEN_CHECK_EQ_INT(parse_text("\n\r\n", GEN_PARSE_COMMANDS, &f), 0);
  GEN_CHECK_EQ_INT(parse_text("exit\n", GEN_PARSE_COMMANDS, &f), 0);
  GEN_CHECK_EQ_INT(parse_text("exit\n\r", GEN_PARSE_COMMANDS, &f), 0);
  GEN_CHECK_EQ_INT(parse_text("exit\n\r\r\n", GEN_PARSE_COMMANDS, &f), 8);
  const char *part = "sendevent X\nContent-Length: 5\n\nhe";
  GEN_CHECK_EQ_INT(parse_text(part, GEN_PARSE_COMMANDS, &f), 0);
  GEN_CHECK_EQ_INT(f.size, strlen(part) + 3);
}

/* The inner blank line is found wherever it falls relative to the 16-byte
 * steps of the vector scan, with either line end, and near the body's end. */
GEN_TEST(inner_blank_line_found_at_every_offset) {
  gen_parser_limits limits = default_limits();
  for (int crlf = 0; crlf < 2; crlf++) {
    for (int fill = 0; fill < 70; fill++) {
      for (int tail = 0; tail < 3; tail++) {
        char body[256], frame[512];
        int n = snprintf(body, sizeof body, "Event-Name: X\nA: %.*s\nContent-Length: %d\n%s%.*s",
                         fill, "0123456789012345678901234567890123456789012345678901234567890123456789",
                         tail, crlf ? "\r\n" : "\n", tail, "bb");
        int len = snprintf(frame, sizeof frame, "Content-Length: %d\nContent-Type: text/event-plain\n\n%s", n, body);
        gen_frame f;
        GEN_CHECK_EQ_INT(gen_parse_frame(frame, 0, (uint32_t)len, GEN_PARSE_SERVER_FRAMES, &limits, &f), len);
        GEN_CHECK_EQ_INT(f.event_body.len, tail);
        GEN_CHECK_EQ_INT(f.event_headers.len, n - tail - (crlf ? 2 : 1));
        GEN_CHECK(f.flags & GEN_FRAME_F_EVENT_BODY);
      }
    }
  }
}

/* FreeSWITCH's event envelope, read by its own short path, gives what the
 * general header loop gives, and anything that only looks like it goes to
 * that loop: errors, limits and partial frames included. */
GEN_TEST(event_envelope_reads_like_the_general_loop) {
  gen_frame f;
  const char *ok = "Content-Length: 14\nContent-Type: text/event-plain\n\nEvent-Name: X\n";
  GEN_CHECK_EQ_INT(parse_text(ok, GEN_PARSE_SERVER_FRAMES, &f), (int64_t)strlen(ok));
  GEN_CHECK_EQ_INT(f.kind, GEN_FRAME_EVENT_PLAIN);
  GEN_CHECK_EQ_INT(f.flags & (GEN_FRAME_F_HAS_BODY | GEN_FRAME_F_CRLF), GEN_FRAME_F_HAS_BODY);
  GEN_CHECK_EQ_INT(f.headers.off, 0);
  GEN_CHECK_EQ_INT(f.headers.len, strlen("Content-Length: 14\nContent-Type: text/event-plain\n"));
  GEN_CHECK(f.content_type.len == 16 && memcmp(ok + f.content_type.off, "text/event-plain", 16) == 0);
  GEN_CHECK_EQ_INT(f.body.off, strlen(ok) - 14);
  GEN_CHECK_EQ_INT(f.body.len, 14);
  /* The same block with other spellings or spacing: the general loop. */
  const char *other = "Content-Length:   14\ncontent-type: text/event-plain\n\nEvent-Name: X\n";
  gen_frame g;
  GEN_CHECK_EQ_INT(parse_text(other, GEN_PARSE_SERVER_FRAMES, &g), (int64_t)strlen(other));
  GEN_CHECK_EQ_INT(g.kind, GEN_FRAME_EVENT_PLAIN);
  GEN_CHECK_EQ_INT(g.flags, f.flags);
  GEN_CHECK_EQ_INT(g.body.len, f.body.len);
  GEN_CHECK_EQ_INT(g.well_known[GEN_WK_EVENT_NAME].len, 1);
  GEN_CHECK_EQ_INT(f.well_known[GEN_WK_EVENT_NAME].len, 1);
  /* Lengths the short path does not take. */
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 99999999999\nContent-Type: text/event-plain\n\n",
                              GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  GEN_CHECK_EQ_INT(parse_text("Content-Length: 4294967296\nContent-Type: text/event-plain\n\n",
                              GEN_PARSE_SERVER_FRAMES, &f), GEN_EBADLENGTH);
  gen_parser_limits limits = default_limits();
  limits.max_body_bytes = 10;
  GEN_CHECK_EQ_INT(gen_parse_frame(ok, 0, (uint32_t)strlen(ok), GEN_PARSE_SERVER_FRAMES, &limits, &f),
                   GEN_EBODYSIZE);
  /* Cut anywhere in the envelope or the body: need more, never an error. */
  size_t whole = strlen(ok);
  for (size_t cut = 1; cut < whole; cut++) {
    limits = default_limits();
    GEN_CHECK_EQ_INT(gen_parse_frame(ok, 0, (uint32_t)cut, GEN_PARSE_SERVER_FRAMES, &limits, &f), 0);
  }
}

int main(void) {
  static const gen_test_case cases[] = {
      GEN_CASE(captures_parse_whole_and_split_identically),
      GEN_CASE(client_commands_parse_whole_and_split_identically),
      GEN_CASE(capture_events_iterate_and_name_themselves),
      GEN_CASE(plain_events_record_well_known_headers),
      GEN_CASE(auth_reply_and_bgapi_frames_carry_their_fields),
      GEN_CASE(json_and_xml_events_expose_headers_and_body),
      GEN_CASE(outbound_connect_reply_is_one_large_header_block),
      GEN_CASE(malformed_frames_give_precise_errors),
      GEN_CASE(limits_bound_header_block_and_body),
      GEN_CASE(crlf_line_ends_are_tolerated),
      GEN_CASE(partial_frames_announce_their_size),
      GEN_CASE(every_frame_kind_is_classified),
      GEN_CASE(commands_are_read_like_mod_event_socket),
      GEN_CASE(inner_blank_line_found_at_every_offset),
      GEN_CASE(event_envelope_reads_like_the_general_loop),
  };
  return gen_test_run("parse", cases, sizeof cases / sizeof cases[0]);
}
