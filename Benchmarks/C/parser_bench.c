/* Parser throughput on a stream of realistic text/event-plain frames
 * (~2 KB, ~80 URL-encoded headers, as a busy FreeSWITCH sends them), for
 * gen_parse_frame + an Event-Name lookup, against a straightforward C
 * reader of the same stream (memmem/memchr/strncasecmp, the way most ESL
 * clients are written). Both must find the same events and names. */
#include "CGenesis.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const event_names[] = {
    "CHANNEL_CREATE", "CHANNEL_STATE", "CHANNEL_CALLSTATE", "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_PARK"};

/* The channel-data block of ESL.md 4.3, values already URL-encoded. */
static const char *const channel_headers[][2] = {
    {"Core-UUID", "6f0d2c2e-0b1a-4c55-9d0e-1a2b3c4d5e6f"},
    {"FreeSWITCH-Hostname", "sim01"},
    {"FreeSWITCH-Switchname", "sim01"},
    {"FreeSWITCH-IPv4", "192.0.2.10"},
    {"FreeSWITCH-IPv6", "%3A%3A1"},
    {"Event-Date-Local", "2024-05-01%2012%3A00%3A00"},
    {"Event-Date-GMT", "Wed,%2001%20May%202024%2010%3A00%3A00%20GMT"},
    {"Event-Date-Timestamp", "1714557600123456"},
    {"Event-Calling-File", "switch_channel.c"},
    {"Event-Calling-Function", "switch_channel_perform_set_running_state"},
    {"Event-Calling-Line-Number", "2164"},
    {"Event-Sequence", "4711"},
    {"Channel-State", "CS_EXECUTE"},
    {"Channel-Call-State", "ACTIVE"},
    {"Channel-State-Number", "4"},
    {"Channel-Name", "sofia/internal/1000%40192.0.2.10"},
    {"Unique-ID", "0a1b2c3d-0000-4000-8000-000000000001"},
    {"Call-Direction", "inbound"},
    {"Presence-Call-Direction", "inbound"},
    {"Channel-HIT-Dialplan", "true"},
    {"Channel-Presence-ID", "1000%40192.0.2.10"},
    {"Channel-Call-UUID", "0a1b2c3d-0000-4000-8000-000000000001"},
    {"Answer-State", "answered"},
    {"Channel-Read-Codec-Name", "PCMU"},
    {"Channel-Read-Codec-Rate", "8000"},
    {"Channel-Read-Codec-Bit-Rate", "64000"},
    {"Channel-Write-Codec-Name", "PCMU"},
    {"Channel-Write-Codec-Rate", "8000"},
    {"Channel-Write-Codec-Bit-Rate", "64000"},
    {"Caller-Direction", "inbound"},
    {"Caller-Logical-Direction", "inbound"},
    {"Caller-Username", "1000"},
    {"Caller-Dialplan", "XML"},
    {"Caller-Caller-ID-Name", "Extension%201000"},
    {"Caller-Caller-ID-Number", "1000"},
    {"Caller-Orig-Caller-ID-Name", "Extension%201000"},
    {"Caller-Orig-Caller-ID-Number", "1000"},
    {"Caller-Network-Addr", "192.0.2.55"},
    {"Caller-ANI", "1000"},
    {"Caller-Destination-Number", "2000"},
    {"Caller-Unique-ID", "0a1b2c3d-0000-4000-8000-000000000001"},
    {"Caller-Source", "mod_sofia"},
    {"Caller-Context", "default"},
    {"Caller-Channel-Name", "sofia/internal/1000%40192.0.2.10"},
    {"Caller-Profile-Index", "1"},
    {"Caller-Profile-Created-Time", "1714557599000000"},
    {"Caller-Channel-Created-Time", "1714557599000000"},
    {"Caller-Channel-Answered-Time", "1714557600000000"},
    {"Caller-Channel-Progress-Time", "0"},
    {"Caller-Channel-Progress-Media-Time", "0"},
    {"Caller-Channel-Hangup-Time", "0"},
    {"Caller-Channel-Transfer-Time", "0"},
    {"Caller-Channel-Resurrect-Time", "0"},
    {"Caller-Channel-Bridged-Time", "0"},
    {"Caller-Channel-Last-Hold", "0"},
    {"Caller-Channel-Hold-Accum", "0"},
    {"Caller-Screen-Bit", "true"},
    {"Caller-Privacy-Hide-Name", "false"},
    {"Caller-Privacy-Hide-Number", "false"},
    {"variable_direction", "inbound"},
    {"variable_uuid", "0a1b2c3d-0000-4000-8000-000000000001"},
    {"variable_session_id", "17"},
    {"variable_sip_from_user", "1000"},
    {"variable_sip_from_uri", "1000%40192.0.2.10"},
    {"variable_sip_from_host", "192.0.2.10"},
    {"variable_channel_name", "sofia/internal/1000%40192.0.2.10"},
    {"variable_sip_local_network_addr", "192.0.2.10"},
    {"variable_sip_network_ip", "192.0.2.55"},
    {"variable_sip_network_port", "5060"},
    {"variable_sip_received_ip", "192.0.2.55"},
    {"variable_sip_received_port", "5060"},
    {"variable_sip_via_protocol", "udp"},
    {"variable_sip_from_display", "Extension%201000"},
    {"variable_sip_full_from", "%22Extension%201000%22%20%3Csip%3A1000%40192.0.2.10%3E%3Btag%3DaB3xY"},
    {"variable_sip_full_to", "%3Csip%3A2000%40192.0.2.10%3E"},
    {"variable_sip_call_id", "b5f0c2d9-4e1a-4f7b-9c3e-2d8a7f6e5d4c"},
    {"variable_sip_user_agent", "Genesis%20Bench%2F1.0"},
    {"variable_endpoint_disposition", "ANSWER"},
    {"variable_current_application", "park"},
};
#define CHANNEL_HEADER_COUNT (sizeof channel_headers / sizeof channel_headers[0])

typedef struct stream {
  char *data;
  size_t len;
  size_t events;
  size_t name_bytes; /* sum of Event-Name value lengths, to cross-check */
} stream;

static void build_stream(stream *s, size_t events) {
  /* Every event is under 4 KiB with its envelope (checked below). */
  size_t cap = events * 4096;
  s->data = malloc(cap);
  s->len = 0;
  s->events = events;
  s->name_bytes = 0;
  char *body = malloc(8192);
  for (size_t i = 0; i < events; i++) {
    const char *name = event_names[i % (sizeof event_names / sizeof event_names[0])];
    s->name_bytes += strlen(name);
    int n = snprintf(body, 8192, "Event-Name: %s\n", name);
    for (size_t h = 0; h < CHANNEL_HEADER_COUNT; h++)
      n += snprintf(body + n, 8192 - (size_t)n, "%s: %s\n", channel_headers[h][0],
                    channel_headers[h][1]);
    n += snprintf(body + n, 8192 - (size_t)n, "\n");
    if (n > 4000) {
      fprintf(stderr, "event too large for the buffer: %d bytes\n", n);
      exit(1);
    }
    s->len += (size_t)snprintf(s->data + s->len, cap - s->len,
                               "Content-Length: %d\nContent-Type: text/event-plain\n\n", n);
    memcpy(s->data + s->len, body, (size_t)n);
    s->len += (size_t)n;
  }
  free(body);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t run_genesis(const stream *s, size_t *events) {
  gen_parser_limits limits;
  gen_parser_limits_init(&limits);
  uint32_t pos = 0, len = (uint32_t)s->len;
  size_t name_bytes = 0, count = 0;
  gen_frame f;
  gen_header h;
  while (pos < len) {
    int64_t rc = gen_parse_frame(s->data, pos, len, GEN_PARSE_SERVER_FRAMES, &limits, &f);
    if (rc <= 0) break;
    if (f.kind == GEN_FRAME_EVENT_PLAIN &&
        gen_header_find(s->data, f.event_headers, f.kind, "Event-Name", 10, &h) == 1)
      name_bytes += h.value.len;
    count++;
    pos += (uint32_t)rc;
  }
  *events = count;
  return name_bytes;
}

/* The usual hand-written reader: find the blank line, walk the lines for
 * Content-Length, then walk the body's lines for Event-Name. */
static size_t run_naive(const stream *s, size_t *events) {
  const char *p = s->data, *end = s->data + s->len;
  size_t name_bytes = 0, count = 0;
  while (p < end) {
    const char *blank = memmem(p, (size_t)(end - p), "\n\n", 2);
    if (blank == NULL) break;
    long clen = 0;
    int is_plain = 0;
    for (const char *line = p; line < blank + 1;) {
      const char *nl = memchr(line, '\n', (size_t)(blank + 1 - line));
      if (strncasecmp(line, "Content-Length:", 15) == 0) clen = strtol(line + 15, NULL, 10);
      if (strncasecmp(line, "Content-Type: text/event-plain", 30) == 0) is_plain = 1;
      line = nl + 1;
    }
    const char *body = blank + 2, *body_end = body + clen;
    if (body_end > end) break;
    if (is_plain) {
      const char *inner = memmem(body, (size_t)clen, "\n\n", 2);
      const char *stop = inner ? inner + 1 : body_end;
      for (const char *line = body; line < stop;) {
        const char *nl = memchr(line, '\n', (size_t)(stop - line));
        if (nl == NULL) break;
        if (strncasecmp(line, "Event-Name:", 11) == 0) {
          const char *v = line + 11;
          while (*v == ' ') v++;
          name_bytes += (size_t)(nl - v);
          break;
        }
        line = nl + 1;
      }
    }
    count++;
    p = body_end;
  }
  *events = count;
  return name_bytes;
}

typedef size_t (*runner)(const stream *, size_t *);

static void measure(const char *label, runner fn, const stream *s, int rounds) {
  double best = 1e9;
  size_t events = 0, names = 0;
  for (int r = 0; r < rounds; r++) {
    double t0 = now();
    names = fn(s, &events);
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  if (events != s->events || names != s->name_bytes) {
    fprintf(stderr, "%s: wrong result (%zu events, %zu name bytes)\n", label, events, names);
    exit(1);
  }
  printf("%-28s %7.2f GB/s %12.0f events/s\n", label, (double)s->len / best / 1e9,
         (double)events / best);
}

int main(int argc, char **argv) {
  size_t events = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100000;
  stream s;
  build_stream(&s, events);
  printf("%zu text/event-plain frames, %.0f bytes each, %zu headers each, %.1f MB\n",
         s.events, (double)s.len / (double)s.events, CHANNEL_HEADER_COUNT + 1,
         (double)s.len / 1e6);
  measure("gen_parse_frame+find", run_genesis, &s, 7);
  measure("naive memmem/strncasecmp", run_naive, &s, 7);
  free(s.data);
  return 0;
}
