/* Header lookup in the three event formats and the value decoders. */
#include "CGenesis.h"
#include "gen_test.h"

#include <string.h>
#include <uv.h>

static gen_span whole(const char *text) {
  gen_span s = {0, (uint32_t)strlen(text)};
  return s;
}

static int find(const char *text, uint16_t format, const char *name, gen_header *h) {
  return gen_header_find(text, whole(text), format, name, strlen(name), h);
}

GEN_TEST(lookup_ignores_case_and_first_duplicate_wins) {
  const char *block =
      "Event-Name: CHANNEL_HANGUP_COMPLETE\n"
      "Hangup-Cause: NORMAL_CLEARING\n"
      "Channel-Read-Codec-Name: PCMU\n"
      "channel-read-codec-name: PCMA\n"
      "Hangup-Cause: USER_BUSY\n";
  gen_header h;
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_EVENT_PLAIN, "hangup-cause", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "NORMAL_CLEARING");
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_URL);
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_EVENT_PLAIN, "CHANNEL-READ-CODEC-NAME", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "PCMU");
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_EVENT_PLAIN, "Hangup", &h), 0);
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_EVENT_PLAIN, "Unique-ID", &h), 0);

  /* Iteration yields every duplicate, in order. */
  uint32_t cursor = 0;
  int causes = 0, total = 0;
  while (gen_header_next(block, whole(block), GEN_FRAME_EVENT_PLAIN, &cursor, &h) == 1) {
    total++;
    if (h.name.len == 12 && memcmp(block + h.name.off, "Hangup-Cause", 12) == 0) {
      GEN_CHECK_SPAN(block, h.value, causes == 0 ? "NORMAL_CLEARING" : "USER_BUSY");
      causes++;
    }
  }
  GEN_CHECK_EQ_INT(total, 5);
  GEN_CHECK_EQ_INT(causes, 2);
  GEN_CHECK_EQ_INT(gen_header_next(block, whole(block), GEN_FRAME_EVENT_PLAIN, &cursor, &h), 0);
}

GEN_TEST(outer_headers_come_back_raw) {
  const char *block = "Content-Type: command/reply\r\nReply-Text: %2BOK%0A\n";
  gen_header h;
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_OTHER, "content-type", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "command/reply");
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_RAW);
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_OTHER, "Reply-Text", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "%2BOK%0A");
  const char *bad = "A: b\nnot a header\n";
  GEN_CHECK_EQ_INT(find(bad, GEN_FRAME_OTHER, "Z", &h), GEN_ENOCOLON);
  GEN_CHECK_EQ_INT(find(":x\n", GEN_FRAME_EVENT_PLAIN, "Z", &h), GEN_EEMPTYNAME);
  /* The last line may lack its LF; an empty block has no headers. */
  GEN_CHECK_EQ_INT(find("A: 1\nB: 2", GEN_FRAME_OTHER, "b", &h), 1);
  GEN_CHECK_EQ_INT(find("", GEN_FRAME_OTHER, "b", &h), 0);
}

GEN_TEST(json_events_iterate_members_and_skip_the_body) {
  const char *obj =
      "{\"Event-Name\":\"CUSTOM\",\"Content-Length\":\"18\","
      "\"variable_DP_MATCH\":[\"2000\",\"20\\\"00\"],"
      "\"Hangup-Cause\":\"A\",\"hangup-cause\":\"B\","
      "\"Quote\":\"a\\\\\",\"Content-Length\":\"5\",\"_body\":\"ab\\ncd\"}";
  const char *names[] = {"Event-Name", "Content-Length", "variable_DP_MATCH",
                         "Hangup-Cause", "hangup-cause", "Quote"};
  uint32_t cursor = 0;
  gen_header h;
  int n = 0;
  while (gen_header_next(obj, whole(obj), GEN_FRAME_EVENT_JSON, &cursor, &h) == 1) {
    GEN_CHECK(n < 6);
    if (n < 6) GEN_CHECK_SPAN(obj, h.name, names[n]);
    n++;
  }
  GEN_CHECK_EQ_INT(n, 6);
  GEN_CHECK_EQ_INT(find(obj, GEN_FRAME_EVENT_JSON, "content-length", &h), 1);
  GEN_CHECK_SPAN(obj, h.value, "18");
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_JSON);
  GEN_CHECK_EQ_INT(find(obj, GEN_FRAME_EVENT_JSON, "HANGUP-CAUSE", &h), 1);
  GEN_CHECK_SPAN(obj, h.value, "A");
  GEN_CHECK_EQ_INT(find(obj, GEN_FRAME_EVENT_JSON, "Quote", &h), 1);
  GEN_CHECK_SPAN(obj, h.value, "a\\\\");
  GEN_CHECK_EQ_INT(find(obj, GEN_FRAME_EVENT_JSON, "_body", &h), 0);

  GEN_CHECK_EQ_INT(find(obj, GEN_FRAME_EVENT_JSON, "variable_DP_MATCH", &h), 1);
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_JSON_ARRAY);
  GEN_CHECK_SPAN(obj, h.value, "[\"2000\",\"20\\\"00\"]");
  uint32_t ac = 0;
  gen_span el;
  GEN_CHECK_EQ_INT(gen_json_array_next(obj, h.value, &ac, &el), 1);
  GEN_CHECK_SPAN(obj, el, "2000");
  GEN_CHECK_EQ_INT(gen_json_array_next(obj, h.value, &ac, &el), 1);
  GEN_CHECK_SPAN(obj, el, "20\\\"00");
  GEN_CHECK_EQ_INT(gen_json_array_next(obj, h.value, &ac, &el), 0);
  GEN_CHECK_EQ_INT(gen_json_array_next(obj, h.value, &ac, &el), 0);
  const char *empty = "[ ]";
  ac = 0;
  GEN_CHECK_EQ_INT(gen_json_array_next(empty, whole(empty), &ac, &el), 0);
  const char *notarr = "[1]";
  ac = 0;
  GEN_CHECK_EQ_INT(gen_json_array_next(notarr, whole(notarr), &ac, &el), GEN_EBADJSON);

  /* Not an object, truncated, or nested: malformed. */
  cursor = 0;
  GEN_CHECK_EQ_INT(gen_header_next("[]", whole("[]"), GEN_FRAME_EVENT_JSON, &cursor, &h), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(find("{\"a\":\"b\"", GEN_FRAME_EVENT_JSON, "z", &h), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(find("{\"a\":\"b", GEN_FRAME_EVENT_JSON, "z", &h), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(find("{\"a\":{}}", GEN_FRAME_EVENT_JSON, "z", &h), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(find(" { } ", GEN_FRAME_EVENT_JSON, "z", &h), 0);
}

GEN_TEST(xml_events_iterate_header_elements) {
  const char *headers =
      "\n    <Event-Name>BACKGROUND_JOB</Event-Name>\n"
      "    <FreeSWITCH-IPv6>%3A%3A1</FreeSWITCH-IPv6>\n"
      "    <Empty/>\n"
      "    <Hangup-Cause>A</Hangup-Cause>\n"
      "    <Hangup-Cause>B</Hangup-Cause>\n  ";
  gen_header h;
  GEN_CHECK_EQ_INT(find(headers, GEN_FRAME_EVENT_XML, "freeswitch-ipv6", &h), 1);
  GEN_CHECK_SPAN(headers, h.value, "%3A%3A1");
  GEN_CHECK_EQ_INT(h.encoding, GEN_VALUE_URL);
  GEN_CHECK_EQ_INT(find(headers, GEN_FRAME_EVENT_XML, "Empty", &h), 1);
  GEN_CHECK_EQ_INT(h.value.len, 0);
  uint32_t cursor = 0;
  int n = 0;
  while (gen_header_next(headers, whole(headers), GEN_FRAME_EVENT_XML, &cursor, &h) == 1) n++;
  GEN_CHECK_EQ_INT(n, 5);
  GEN_CHECK_EQ_INT(find("<a>x</b>", GEN_FRAME_EVENT_XML, "z", &h), GEN_EBADXML);
  GEN_CHECK_EQ_INT(find("<a>x", GEN_FRAME_EVENT_XML, "z", &h), GEN_EBADXML);
  GEN_CHECK_EQ_INT(find("text", GEN_FRAME_EVENT_XML, "z", &h), GEN_EBADXML);

  /* A whole frame: headers and body located, body still escaped. */
  const char *body =
      "<event>\n  <headers>\n    <Event-Name>CUSTOM</Event-Name>\n  </headers>\n"
      "  <Content-Length>9</Content-Length>\n  <body>a &lt; b\n  </body>\n</event>\n";
  char frame[512];
  int len = snprintf(frame, sizeof frame, "Content-Length: %zu\nContent-Type: text/event-xml\n\n%s",
                     strlen(body), body);
  gen_parser_limits limits;
  gen_parser_limits_init(&limits);
  gen_frame f;
  GEN_CHECK_EQ_INT(gen_parse_frame(frame, 0, (uint32_t)len, GEN_PARSE_SERVER_FRAMES, &limits, &f), len);
  GEN_CHECK_SPAN(frame, f.event_body, "a &lt; b\n  ");
  GEN_CHECK(f.flags & GEN_FRAME_F_EVENT_BODY);
  GEN_CHECK_EQ_INT(gen_header_find(frame, f.event_headers, f.kind, "event-name", 10, &h), 1);
  GEN_CHECK_SPAN(frame, h.value, "CUSTOM");
}

GEN_TEST(command_headers_follow_mod_event_socket) {
  const char *block = "A: 1\nno colon\nB:    2\nC:\nD:\t3\n";
  gen_header h;
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_COMMAND, "b", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "2");
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_COMMAND, "c", &h), 0);
  /* Only spaces are skipped after the colon. */
  GEN_CHECK_EQ_INT(find(block, GEN_FRAME_COMMAND, "d", &h), 1);
  GEN_CHECK_SPAN(block, h.value, "\t3");
}

static int url_decodes_to(const char *in, const char *expect, size_t expect_len) {
  char out[256];
  size_t n = gen_url_decode(in, strlen(in), out);
  return n == expect_len && memcmp(out, expect, n) == 0;
}

GEN_TEST(url_decoding_is_strict_and_keeps_plus) {
  GEN_CHECK(url_decodes_to("%2BOK%0A", "+OK\n", 4));
  GEN_CHECK(url_decodes_to("+1555", "+1555", 5));
  GEN_CHECK(url_decodes_to("sofia%3a%3Aregister", "sofia::register", 15));
  GEN_CHECK(url_decodes_to("100%", "100%", 4));
  GEN_CHECK(url_decodes_to("%4G%", "%4G%", 4));
  GEN_CHECK(url_decodes_to("%C3%A9%00x", "\xC3\xA9\0x", 4));
  GEN_CHECK(url_decodes_to("%2", "%2", 2));
  GEN_CHECK(url_decodes_to("", "", 0));
  char inplace[] = "Wed,%2001%20May";
  size_t n = gen_url_decode(inplace, strlen(inplace), inplace);
  GEN_CHECK(n == 11 && memcmp(inplace, "Wed, 01 May", 11) == 0);
  GEN_CHECK_EQ_INT(gen_url_needs_decode("plain+text", 10), 0);
  GEN_CHECK_EQ_INT(gen_url_needs_decode("100%", 4), 0);
  GEN_CHECK_EQ_INT(gen_url_needs_decode("%zz%", 4), 0);
  GEN_CHECK_EQ_INT(gen_url_needs_decode("a%20b", 5), 1);
  GEN_CHECK_EQ_INT(gen_url_needs_decode("a%20b", 3), 0);
}

static int url_encodes_to(const char *in, const char *expect) {
  char out[512];
  int64_t n = gen_url_encode(in, strlen(in), out, sizeof out);
  return n == (int64_t)strlen(expect) && memcmp(out, expect, (size_t)n) == 0;
}

GEN_TEST(url_encoding_matches_switch_url_encode) {
  /* The live examples of ESL.md 1.4. */
  GEN_CHECK(url_encodes_to("q\"b\\s\tt <\xC3\xA9> \xE2\x82\xAC +1",
                           "q%22b%5Cs%09t%20%3C%C3%A9%3E%20%E2%82%AC%20%2B1"));
  GEN_CHECK(url_encodes_to("50%AB 50%ab 100% %4G", "50%AB%2050%25ab%20100%25%20%254G"));
  GEN_CHECK(url_encodes_to("tone_stream://%(500,500,440)", "tone_stream%3A//%25(500,500,440)"));
  GEN_CHECK(url_encodes_to("2024-05-01 12:00:00", "2024-05-01%2012%3A00%3A00"));
  GEN_CHECK(url_encodes_to("1001@example.com#;=|", "1001%40example.com%23%3B%3D%7C"));
  GEN_CHECK(url_encodes_to("!$'()*,-./_~aZ9", "!$'()*,-./_~aZ9"));
  GEN_CHECK(url_encodes_to("&?[]^`{}\r\n\x7F", "%26%3F%5B%5D%5E%60%7B%7D%0D%0A%7F"));
  /* dst_cap is honoured to the byte. */
  char exact[5];
  GEN_CHECK_EQ_INT(gen_url_encode("a b", 3, exact, 4), GEN_EINVAL);
  GEN_CHECK_EQ_INT(gen_url_encode("a b", 3, exact, sizeof exact), 5);
  GEN_CHECK(memcmp(exact, "a%20b", 5) == 0);
  /* Round trip of everything FreeSWITCH encodes. */
  char all[256], enc[768], dec[768];
  for (int i = 0; i < 256; i++) all[i] = (char)i;
  int64_t n = gen_url_encode(all, sizeof all, enc, sizeof enc);
  GEN_CHECK(n > 0);
  if (n > 0) {
    size_t m = gen_url_decode(enc, (size_t)n, dec);
    GEN_CHECK(m == 256 && memcmp(dec, all, 256) == 0);
  }
}

static int json_unescapes_to(const char *in, const char *expect, size_t expect_len) {
  char out[256];
  int64_t n = gen_json_unescape(in, strlen(in), out);
  return n == (int64_t)expect_len && memcmp(out, expect, expect_len) == 0;
}

GEN_TEST(json_strings_unescape) {
  GEN_CHECK(json_unescapes_to("ab\\ncd", "ab\ncd", 5));
  GEN_CHECK(json_unescapes_to("q\\\"b\\\\s\\tt \\/ \\b\\f\\r", "q\"b\\s\tt / \b\f\r", 13));
  GEN_CHECK(json_unescapes_to("\\u00e9\\u20AC\\u0001", "\xC3\xA9\xE2\x82\xAC\x01", 6));
  GEN_CHECK(json_unescapes_to("\\ud83d\\ude00!", "\xF0\x9F\x98\x80!", 5));
  GEN_CHECK(json_unescapes_to("raw \xC3\xA9", "raw \xC3\xA9", 6));
  char out[32];
  GEN_CHECK_EQ_INT(gen_json_unescape("\\x", 2, out), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(gen_json_unescape("a\\", 2, out), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(gen_json_unescape("\\u12", 4, out), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(gen_json_unescape("\\ud83d", 6, out), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(gen_json_unescape("\\ude00", 6, out), GEN_EBADJSON);
  GEN_CHECK_EQ_INT(gen_json_unescape("\\ud83d\\u0041", 12, out), GEN_EBADJSON);
  char inplace[] = "a\\tb\\u0041";
  GEN_CHECK_EQ_INT(gen_json_unescape(inplace, strlen(inplace), inplace), 4);
  GEN_CHECK(memcmp(inplace, "a\tbA", 4) == 0);
}

static int xml_unescapes_to(const char *in, const char *expect, size_t expect_len) {
  char out[256];
  size_t n = gen_xml_unescape(in, strlen(in), out);
  return n == expect_len && memcmp(out, expect, expect_len) == 0;
}

GEN_TEST(xml_text_unescapes) {
  GEN_CHECK(xml_unescapes_to("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d", 14));
  GEN_CHECK(xml_unescapes_to("&quot;&apos;", "\"'", 2));
  GEN_CHECK(xml_unescapes_to("line&#xD;&#10;", "line\r\n", 6));
  GEN_CHECK(xml_unescapes_to("&#xE9;&#233;&#x20AC;&#x1F600;", "\xC3\xA9\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 11));
  /* Unknown or broken entities stay as they are. */
  GEN_CHECK(xml_unescapes_to("&foo; & &#; &#x; &#0; &#xD800; &#x110000; &amp", "&foo; & &#; &#x; &#0; &#xD800; &#x110000; &amp", 46));
  char inplace[] = "x&amp;y";
  GEN_CHECK_EQ_INT(gen_xml_unescape(inplace, strlen(inplace), inplace), 3);
  GEN_CHECK(memcmp(inplace, "x&y", 3) == 0);
}

GEN_TEST(error_codes_have_names) {
  GEN_CHECK(strcmp(gen_strerror(GEN_EDUPLENGTH), "duplicate Content-Length") == 0);
  GEN_CHECK(strcmp(gen_strerror(GEN_OK), "success") == 0);
  int codes[] = {GEN_EBADLENGTH, GEN_ENOCOLON, GEN_EHEADERSIZE, GEN_EBODYSIZE, GEN_EEMPTYNAME,
                 GEN_EBADJSON, GEN_EBADXML, GEN_ECLOSED, GEN_EWRITEFULL, GEN_ENOMEM,
                 GEN_EINVAL, GEN_EEOF, GEN_ESTOPPED};
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
    GEN_CHECK(strcmp(gen_strerror(codes[i]), "unknown error") != 0);
  GEN_CHECK(strcmp(gen_strerror(UV_ECONNREFUSED), uv_strerror(UV_ECONNREFUSED)) == 0);
  GEN_CHECK(strcmp(gen_strerror(-10999), "unknown error") == 0);
  GEN_CHECK(strcmp(gen_strerror(5), "unknown error") == 0);
}

int main(void) {
  static const gen_test_case cases[] = {
      GEN_CASE(lookup_ignores_case_and_first_duplicate_wins),
      GEN_CASE(outer_headers_come_back_raw),
      GEN_CASE(json_events_iterate_members_and_skip_the_body),
      GEN_CASE(xml_events_iterate_header_elements),
      GEN_CASE(command_headers_follow_mod_event_socket),
      GEN_CASE(url_decoding_is_strict_and_keeps_plus),
      GEN_CASE(url_encoding_matches_switch_url_encode),
      GEN_CASE(json_strings_unescape),
      GEN_CASE(xml_text_unescapes),
      GEN_CASE(error_codes_have_names),
  };
  return gen_test_run("headers", cases, sizeof cases / sizeof cases[0]);
}
