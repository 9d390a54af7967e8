/* Connections and listeners over loopback TCP: framing across reads and
 * slabs, backpressure, write watermarks, repeated writes, closing. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "CGenesis.h"
#include "gen_test.h"

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Polls until *value >= want or about five seconds pass. */
static int wait_for(_Atomic long *value, long want) {
  for (int i = 0; i < 5000 && atomic_load(value) < want; i++) sleep_ms(1);
  return atomic_load(value) >= want;
}

typedef struct side side;
typedef int (*frames_hook)(side *s, gen_conn *conn, gen_slab *slab,
                           const gen_frame *frames, size_t count);

/* One end of a connection, as its callbacks see it. */
struct side {
  struct fixture *fx;
  _Atomic(gen_conn *) conn;
  _Atomic long frames, connects, closes, writable, batches;
  _Atomic long connect_status, close_reason;
  _Atomic long hold;  /* on_frames asks for a pause while set */
  _Atomic long bad;   /* frames that failed a hook's check */
  frames_hook hook;
  long next_seq;
};

typedef struct fixture {
  gen_engine *engine;
  gen_listener *listener;
  side server, client;
  gen_conn_config server_config, client_config;
  int pause_on_accept;
  _Atomic long listener_closed;
  void *listener_ctx_seen;
} fixture;

static void on_connect(void *ctx, gen_conn *conn, int status) {
  side *s = ctx;
  atomic_store(&s->connect_status, status);
  atomic_fetch_add(&s->connects, 1);
}

static int on_frames(void *ctx, gen_conn *conn, gen_slab *slab, const gen_frame *frames,
                     size_t count) {
  side *s = ctx;
  atomic_fetch_add(&s->batches, 1);
  int pause = s->hook ? s->hook(s, conn, slab, frames, count) : 0;
  atomic_fetch_add(&s->frames, (long)count);
  return pause || atomic_load(&s->hold);
}

static void on_writable(void *ctx, gen_conn *conn) {
  atomic_fetch_add(&((side *)ctx)->writable, 1);
}

static void on_close(void *ctx, gen_conn *conn, int reason) {
  side *s = ctx;
  atomic_store(&s->close_reason, reason);
  atomic_fetch_add(&s->closes, 1);
}

static gen_conn_callbacks callbacks_for(side *s) {
  gen_conn_callbacks cb = {s, on_connect, on_frames, on_writable, on_close};
  return cb;
}

static int on_accept(void *ctx, gen_listener *listener, gen_conn *conn) {
  fixture *fx = ctx;
  gen_conn_callbacks cb = callbacks_for(&fx->server);
  gen_conn_set_callbacks(conn, &cb);
  gen_conn_retain(conn);
  if (fx->pause_on_accept) gen_conn_pause_reading(conn);
  atomic_store(&fx->server.conn, conn);
  return 0;
}

static void on_listener_closed(void *ctx) {
  fixture *fx = ctx;
  fx->listener_ctx_seen = ctx;
  atomic_fetch_add(&fx->listener_closed, 1);
}

static void fixture_init(fixture *fx) {
  memset(fx, 0, sizeof *fx);
  fx->server.fx = fx->client.fx = fx;
  gen_conn_config_init(&fx->server_config);
  fx->server_config.parse_mode = GEN_PARSE_COMMANDS;
  gen_conn_config_init(&fx->client_config);
}

/* Starts the engine, the listener and a connected client. */
static int fixture_start(fixture *fx) {
  int err = 0;
  if (gen_engine_create(&fx->engine) != 0) return 0;
  fx->listener = gen_listener_open(fx->engine, "127.0.0.1", 0, 16, &fx->server_config,
                                   on_accept, fx, &err);
  GEN_CHECK(fx->listener != NULL);
  if (!fx->listener) return 0;
  GEN_CHECK(gen_listener_port(fx->listener) != 0);
  gen_conn_callbacks cb = callbacks_for(&fx->client);
  gen_conn *c = gen_conn_connect(fx->engine, "127.0.0.1", gen_listener_port(fx->listener),
                                 &fx->client_config, &cb, &err);
  GEN_CHECK(c != NULL);
  if (!c) return 0;
  atomic_store(&fx->client.conn, c);
  GEN_CHECK(wait_for(&fx->client.connects, 1));
  GEN_CHECK_EQ_INT(atomic_load(&fx->client.connect_status), 0);
  for (int i = 0; i < 5000 && !atomic_load(&fx->server.conn); i++) sleep_ms(1);
  GEN_CHECK(atomic_load(&fx->server.conn) != NULL);
  return atomic_load(&fx->server.conn) != NULL;
}

static void fixture_stop(fixture *fx) {
  if (fx->listener) {
    gen_listener_close(fx->listener, on_listener_closed);
    GEN_CHECK(wait_for(&fx->listener_closed, 1));
    GEN_CHECK(fx->listener_ctx_seen == fx);
  }
  gen_engine_destroy(fx->engine);
  GEN_CHECK(atomic_load(&fx->client.closes) <= 1);
  GEN_CHECK(atomic_load(&fx->server.closes) <= 1);
  if (atomic_load(&fx->client.conn)) gen_conn_release(atomic_load(&fx->client.conn));
  if (atomic_load(&fx->server.conn)) gen_conn_release(atomic_load(&fx->server.conn));
}

/* ---- round trips --------------------------------------------------------- */

static const char api_reply[] = "Content-Type: api/response\nContent-Length: 2\n\nOK";

static int reply_to_commands(side *s, gen_conn *conn, gen_slab *slab,
                             const gen_frame *frames, size_t count) {
  const char *data = gen_slab_data(slab);
  for (size_t i = 0; i < count; i++) {
    if (frames[i].kind != GEN_FRAME_COMMAND ||
        !gen_test_span_equals(data, frames[i].command.off, frames[i].command.len, "api status"))
      atomic_fetch_add(&s->bad, 1);
    gen_conn_write(conn, api_reply, sizeof api_reply - 1);
  }
  return 0;
}

static int check_api_replies(side *s, gen_conn *conn, gen_slab *slab,
                             const gen_frame *frames, size_t count) {
  const char *data = gen_slab_data(slab);
  for (size_t i = 0; i < count; i++) {
    if (frames[i].kind != GEN_FRAME_API_RESPONSE ||
        !gen_test_span_equals(data, frames[i].body.off, frames[i].body.len, "OK"))
      atomic_fetch_add(&s->bad, 1);
  }
  return 0;
}

/* A client whose `api status` lines the listener answers with "OK". */
static int start_api_fixture(fixture *fx) {
  fixture_init(fx);
  fx->server.hook = reply_to_commands;
  fx->client.hook = check_api_replies;
  return fixture_start(fx);
}

GEN_TEST(framesRoundTripBetweenClientAndListener) {
  fixture fx;
  if (start_api_fixture(&fx)) {
    gen_conn *c = atomic_load(&fx.client.conn);
    for (int i = 0; i < 5000; i++) GEN_CHECK_EQ_INT(gen_conn_write(c, "api status\n\n", 12), 0);
    GEN_CHECK(wait_for(&fx.client.frames, 5000));
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.frames), 5000);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), 5000);
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.bad) + atomic_load(&fx.client.bad), 0);
    /* Thousands of small writes were coalesced, not one read each. */
    GEN_CHECK(atomic_load(&fx.server.batches) < 5000);
    char peer[64], local[64], server_peer[64];
    GEN_CHECK(gen_conn_peer_name(c, peer, sizeof peer) > 0);
    GEN_CHECK(gen_conn_local_name(c, local, sizeof local) > 0);
    GEN_CHECK(gen_conn_peer_name(atomic_load(&fx.server.conn), server_peer, sizeof server_peer) > 0);
    GEN_CHECK(strncmp(peer, "127.0.0.1:", 10) == 0);
    GEN_CHECK(strcmp(local, server_peer) == 0);
    GEN_CHECK_EQ_INT(gen_conn_peer_name(c, peer, 4), GEN_EINVAL);
  }
  fixture_stop(&fx);
  GEN_CHECK_EQ_INT(atomic_load(&fx.client.close_reason), GEN_ESTOPPED);
  GEN_CHECK_EQ_INT(atomic_load(&fx.client.closes), 1);
}

/* Batched writes never leave from the caller's thread: they reach the peer
 * only through the loop's flush, which they must schedule themselves, in
 * order with the writes that were sent at once. */
GEN_TEST(batchedWritesAreFlushedByTheLoopInOrder) {
  fixture fx;
  if (start_api_fixture(&fx)) {
    gen_conn *c = atomic_load(&fx.client.conn);
    for (int i = 0; i < 5000; i++) {
      const char *half = "api st";
      GEN_CHECK_EQ_INT(gen_conn_write(c, half, 6), 0);
      GEN_CHECK_EQ_INT(gen_conn_write_batched(c, "atus\n\n", 6), 0);
    }
    GEN_CHECK(wait_for(&fx.client.frames, 5000));
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.frames), 5000);
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.bad) + atomic_load(&fx.client.bad), 0);
    /* A lone batched write still goes out, with nothing after it. */
    GEN_CHECK_EQ_INT(gen_conn_write_batched(c, "api status\n\n", 12), 0);
    GEN_CHECK(wait_for(&fx.client.frames, 5001));
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.bad), 0);
  }
  fixture_stop(&fx);
}

/* ---- framing across reads and slabs -------------------------------------- */

enum { FRAMES = 3000 };

typedef struct kept {
  gen_slab *slab;
  gen_frame frame;
} kept;

static kept kept_frames[FRAMES];

static size_t body_len_for(long seq) { return (size_t)(seq * 37 % 700); }

static size_t make_frame(char *out, long seq) {
  size_t body = body_len_for(seq);
  int n = sprintf(out, "Content-Type: log/data\nContent-Length: %zu\nSeq: %ld\n\n", body, seq);
  for (size_t i = 0; i < body; i++) out[n + i] = (char)('a' + (seq + (long)i) % 26);
  return (size_t)n + body;
}

static int body_ok(const char *data, gen_span body, long seq) {
  if (body.len != body_len_for(seq)) return 0;
  for (uint32_t i = 0; i < body.len; i++)
    if (data[body.off + i] != (char)('a' + (seq + (long)i) % 26)) return 0;
  return 1;
}

/* Keeps every frame with a slab reference, to check them after the stream. */
static int keep_frames(side *s, gen_conn *conn, gen_slab *slab, const gen_frame *frames,
                       size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (s->next_seq >= FRAMES || !body_ok(gen_slab_data(slab), frames[i].body, s->next_seq)) {
      atomic_fetch_add(&s->bad, 1);
      continue;
    }
    gen_slab_retain(slab);
    kept_frames[s->next_seq].slab = slab;
    kept_frames[s->next_seq].frame = frames[i];
    s->next_seq++;
  }
  return 0;
}

GEN_TEST(partialFramesAcrossReadsAndSlabs) {
  uint64_t live_before = gen_slab_live_bytes();
  fixture fx;
  fixture_init(&fx);
  /* Tiny slabs: nearly every frame straddles a read and a slab boundary, and
   * most are bigger than a whole slab. */
  fx.client_config.slab_size = 64;
  fx.client_config.max_batch = 7;
  fx.client.hook = keep_frames;
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    char buf[1024];
    for (long seq = 0; seq < FRAMES; seq++) {
      size_t len = make_frame(buf, seq);
      /* Split each frame in two writes so frame ends land anywhere. */
      size_t cut = (size_t)(seq % 50);
      if (cut > len) cut = len;
      GEN_CHECK_EQ_INT(gen_conn_write(server, buf, cut), 0);
      GEN_CHECK_EQ_INT(gen_conn_write(server, buf + cut, len - cut), 0);
    }
    GEN_CHECK(wait_for(&fx.client.frames, FRAMES));
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.bad), 0);
    GEN_CHECK(atomic_load(&fx.client.batches) > 1);
  }
  fixture_stop(&fx);
  long kept_ok = 0;
  for (long seq = 0; seq < FRAMES; seq++) {
    if (!kept_frames[seq].slab) continue;
    kept_ok += body_ok(gen_slab_data(kept_frames[seq].slab), kept_frames[seq].frame.body, seq);
    gen_slab_release(kept_frames[seq].slab);
    kept_frames[seq].slab = NULL;
  }
  GEN_CHECK_EQ_INT(kept_ok, FRAMES);
  GEN_CHECK_EQ_INT(gen_slab_live_bytes(), live_before);
}

static _Atomic long big_ok;

static int check_big_body(side *s, gen_conn *conn, gen_slab *slab, const gen_frame *frames,
                          size_t count) {
  for (size_t i = 0; i < count; i++) {
    gen_span b = frames[i].body;
    int ok = b.len == 3000000 && gen_slab_capacity(slab) >= b.len;
    for (uint32_t j = 0; ok && j < b.len; j += 4099) ok = gen_slab_data(slab)[b.off + j] == (char)('0' + j % 10);
    atomic_fetch_add(&big_ok, ok);
  }
  return 0;
}

GEN_TEST(bodyLargerThanASlab) {
  fixture fx;
  fixture_init(&fx);
  fx.client_config.slab_size = 64 * 1024;
  fx.client.hook = check_big_body;
  atomic_store(&big_ok, 0);
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    size_t body = 3000000;
    char *frame = malloc(body + 128);
    int n = sprintf(frame, "Content-Type: api/response\nContent-Length: %zu\n\n", body);
    for (size_t j = 0; j < body; j++) frame[n + j] = (char)('0' + j % 10);
    for (int k = 0; k < 3; k++) GEN_CHECK_EQ_INT(gen_conn_write(server, frame, (size_t)n + body), 0);
    free(frame);
    GEN_CHECK(wait_for(&fx.client.frames, 3));
    GEN_CHECK_EQ_INT(atomic_load(&big_ok), 3);
  }
  fixture_stop(&fx);
}

/* ---- backpressure -------------------------------------------------------- */

static int check_seq(side *s, gen_conn *conn, gen_slab *slab, const gen_frame *frames,
                     size_t count) {
  gen_header h;
  for (size_t i = 0; i < count; i++) {
    char buf[32];
    if (gen_header_find(gen_slab_data(slab), frames[i].headers, 0, "Seq", 3, &h) != 1 ||
        h.value.len >= sizeof buf) {
      atomic_fetch_add(&s->bad, 1);
      continue;
    }
    memcpy(buf, gen_slab_data(slab) + h.value.off, h.value.len);
    buf[h.value.len] = 0;
    if (atol(buf) != s->next_seq) atomic_fetch_add(&s->bad, 1);
    s->next_seq++;
  }
  return 0;
}

GEN_TEST(pausedReadingPushesBackAndLosesNothing) {
  fixture fx;
  fixture_init(&fx);
  fx.client.hook = check_seq;
  fx.client_config.slab_size = 16 * 1024;
  fx.server_config.write_high_watermark = 1ull << 40;
  atomic_store(&fx.client.hold, 1);
  enum { TOTAL = 200000 };
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    gen_conn *client = atomic_load(&fx.client.conn);
    char buf[128];
    for (long seq = 0; seq < TOTAL; seq++) {
      int n = sprintf(buf, "Content-Type: log/data\nSeq: %ld\nContent-Length: 3\n\nabc", seq);
      GEN_CHECK_EQ_INT(gen_conn_write(server, buf, (size_t)n), 0);
    }
    sleep_ms(200);
    long seen = atomic_load(&fx.client.frames);
    sleep_ms(100);
    /* Paused: the client stopped reading, the kernel buffers filled, and
     * the rest waits in the server's queue instead of the client's memory. */
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), seen);
    GEN_CHECK(seen < TOTAL);
    GEN_CHECK(gen_conn_write_queue_bytes(server) > 0);
    atomic_store(&fx.client.hold, 0);
    gen_conn_resume_reading(client);
    GEN_CHECK(wait_for(&fx.client.frames, TOTAL));
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), TOTAL);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.bad), 0);
    /* Explicit pause and resume from this thread. */
    gen_conn_pause_reading(client);
    sleep_ms(20);
    GEN_CHECK_EQ_INT(gen_conn_write(server, buf, strlen(buf)), 0);
    sleep_ms(50);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), TOTAL);
    gen_conn_resume_reading(client);
    GEN_CHECK(wait_for(&fx.client.frames, TOTAL + 1));
  }
  fixture_stop(&fx);
}

GEN_TEST(writeWatermarksRefuseAndThenSignalWritable) {
  fixture fx;
  fixture_init(&fx);
  fx.pause_on_accept = 1;
  fx.client_config.write_high_watermark = 1 << 20;
  fx.client_config.write_low_watermark = 256 << 10;
  if (fixture_start(&fx)) {
    gen_conn *client = atomic_load(&fx.client.conn);
    static char chunk[64 * 1024];
    memset(chunk, 'x', sizeof chunk);
    int rc = 0;
    long written = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) {
      rc = gen_conn_write(client, chunk, sizeof chunk);
      if (rc == 0) written++;
      else break;
      if (i % 16 == 0) sleep_ms(1);
    }
    GEN_CHECK_EQ_INT(rc, GEN_EWRITEFULL);
    GEN_CHECK(gen_conn_write_queue_bytes(client) <= (1 << 20));
    GEN_CHECK(gen_conn_write_queue_bytes(client) + sizeof chunk > (1 << 20));
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.writable), 0);
    gen_conn_resume_reading(atomic_load(&fx.server.conn));
    GEN_CHECK(wait_for(&fx.client.writable, 1));
    GEN_CHECK(gen_conn_write_queue_bytes(client) < (256 << 10));
    GEN_CHECK_EQ_INT(gen_conn_write(client, chunk, sizeof chunk), 0);
    GEN_CHECK(written > 16);
  }
  fixture_stop(&fx);
}

/* ---- repeated writes ----------------------------------------------------- */

static _Atomic long repeat_done, repeat_written;

static void on_repeat_done(void *arg, uint64_t written) {
  atomic_store(&repeat_written, (long)written);
  atomic_fetch_add(&repeat_done, 1);
}

GEN_TEST(writeRepeatedWritesExactlyCountCopies) {
  fixture fx;
  fixture_init(&fx);
  atomic_store(&repeat_done, 0);
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    static const char ev[] =
        "Content-Length: 57\nContent-Type: text/event-plain\n\n"
        "Event-Name: HEARTBEAT\nCore-UUID: 1234\nEvent-Sequence: 1\n\n";
    GEN_CHECK_EQ_INT(gen_conn_write(server, api_reply, sizeof api_reply - 1), 0);
    GEN_CHECK_EQ_INT(gen_conn_write_repeated(server, ev, sizeof ev - 1, 300000, on_repeat_done, NULL), 0);
    GEN_CHECK_EQ_INT(gen_conn_write(server, api_reply, sizeof api_reply - 1), 0);
    GEN_CHECK(wait_for(&fx.client.frames, 300002));
    GEN_CHECK(wait_for(&repeat_done, 1));
    GEN_CHECK_EQ_INT(atomic_load(&repeat_written), 300000);
    sleep_ms(20);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), 300002);
    GEN_CHECK_EQ_INT(gen_conn_write_repeated(server, ev, sizeof ev - 1, 0, on_repeat_done, NULL), 0);
    GEN_CHECK(wait_for(&repeat_done, 2));
    GEN_CHECK_EQ_INT(atomic_load(&repeat_written), 0);
  }
  fixture_stop(&fx);
}

GEN_TEST(writeRepeatedReportsProgressWhenClosed) {
  fixture fx;
  fixture_init(&fx);
  atomic_store(&repeat_done, 0);
  atomic_store(&fx.client.hold, 1);
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    static const char ev[] = "Content-Length: 3\n\nabc";
    GEN_CHECK_EQ_INT(gen_conn_write_repeated(server, ev, sizeof ev - 1, 100000000ull, on_repeat_done, NULL), 0);
    sleep_ms(100);
    gen_conn_close(server, 1);
    GEN_CHECK(wait_for(&repeat_done, 1));
    GEN_CHECK(atomic_load(&repeat_written) < 100000000);
    GEN_CHECK(wait_for(&fx.server.closes, 1));
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.close_reason), 0);
  }
  fixture_stop(&fx);
}

/* ---- closing ------------------------------------------------------------- */

GEN_TEST(peerCloseMidFrameGivesEof) {
  fixture fx;
  fixture_init(&fx);
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    const char half[] = "Content-Type: api/response\nContent-Length: 100\n\nonly part";
    GEN_CHECK_EQ_INT(gen_conn_write(server, half, sizeof half - 1), 0);
    gen_conn_close(server, 0);
    GEN_CHECK_EQ_INT(gen_conn_write(server, half, sizeof half - 1), GEN_ECLOSED);
    GEN_CHECK(wait_for(&fx.client.closes, 1));
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.close_reason), GEN_EEOF);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), 0);
    GEN_CHECK(wait_for(&fx.server.closes, 1));
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.close_reason), 0);
    GEN_CHECK_EQ_INT(gen_conn_write(atomic_load(&fx.client.conn), "x", 1), GEN_ECLOSED);
  }
  fixture_stop(&fx);
  GEN_CHECK_EQ_INT(atomic_load(&fx.client.closes), 1);
}

GEN_TEST(malformedStreamClosesWithTheParseError) {
  fixture fx;
  fixture_init(&fx);
  if (fixture_start(&fx)) {
    gen_conn *server = atomic_load(&fx.server.conn);
    const char bad[] = "Content-Type: api/response\nContent-Length: banana\n\n";
    GEN_CHECK_EQ_INT(gen_conn_write(server, api_reply, sizeof api_reply - 1), 0);
    GEN_CHECK_EQ_INT(gen_conn_write(server, bad, sizeof bad - 1), 0);
    GEN_CHECK(wait_for(&fx.client.closes, 1));
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.close_reason), GEN_EBADLENGTH);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.frames), 1);
  }
  fixture_stop(&fx);
}

typedef struct closer {
  gen_conn *conn;
  int abort;
} closer;

static void *close_from_thread(void *p) {
  closer *c = p;
  for (int i = 0; i < 100; i++) gen_conn_close(c->conn, c->abort);
  return NULL;
}

GEN_TEST(closeFromOtherThreadsRunsOnCloseOnce) {
  fixture fx;
  fixture_init(&fx);
  if (fixture_start(&fx)) {
    gen_conn *client = atomic_load(&fx.client.conn);
    pthread_t threads[4];
    closer closers[4];
    for (int i = 0; i < 4; i++) {
      closers[i].conn = client;
      closers[i].abort = i % 2;
      pthread_create(&threads[i], NULL, close_from_thread, &closers[i]);
    }
    for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    GEN_CHECK(wait_for(&fx.client.closes, 1));
    GEN_CHECK(wait_for(&fx.server.closes, 1));
    sleep_ms(20);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.closes), 1);
    GEN_CHECK_EQ_INT(atomic_load(&fx.client.close_reason), 0);
    GEN_CHECK_EQ_INT(atomic_load(&fx.server.close_reason), GEN_EEOF);
  }
  fixture_stop(&fx);
  GEN_CHECK_EQ_INT(atomic_load(&fx.client.closes), 1);
}

GEN_TEST(connectFailureReportsThenCloses) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  int err = 0;
  /* Bind a port, then close the listener so nothing listens there. */
  gen_listener *l = gen_listener_open(engine, "127.0.0.1", 0, 1, NULL, NULL, NULL, &err);
  GEN_CHECK(l != NULL);
  uint16_t port = gen_listener_port(l);
  gen_listener_close(l, NULL);
  sleep_ms(20);
  side s;
  memset(&s, 0, sizeof s);
  gen_conn_callbacks cb = callbacks_for(&s);
  gen_conn *c = gen_conn_connect(engine, "127.0.0.1", port, NULL, &cb, &err);
  GEN_CHECK(c != NULL);
  GEN_CHECK(wait_for(&s.closes, 1));
  GEN_CHECK_EQ_INT(atomic_load(&s.connects), 1);
  GEN_CHECK(atomic_load(&s.connect_status) < 0);
  GEN_CHECK(atomic_load(&s.close_reason) < 0);
  GEN_CHECK_EQ_INT(gen_conn_write(c, "x", 1), GEN_ECLOSED);
  gen_conn_release(c);
  /* A busy port is reported synchronously. */
  gen_listener *a = gen_listener_open(engine, "127.0.0.1", 0, 1, NULL, NULL, NULL, &err);
  gen_listener *b = gen_listener_open(engine, "127.0.0.1", gen_listener_port(a), 1, NULL, NULL, NULL, &err);
  GEN_CHECK(b == NULL);
  GEN_CHECK_EQ_INT(err, UV_EADDRINUSE);
  gen_listener_close(a, NULL);
  GEN_CHECK(gen_conn_connect(engine, "no such host.invalid", 1, NULL, &cb, &err) == NULL);
  GEN_CHECK(err < 0);
  gen_engine_destroy(engine);
}

int main(void) {
  static const gen_test_case cases[] = {
      GEN_CASE(framesRoundTripBetweenClientAndListener),
      GEN_CASE(batchedWritesAreFlushedByTheLoopInOrder),
      GEN_CASE(partialFramesAcrossReadsAndSlabs),
      GEN_CASE(bodyLargerThanASlab),
      GEN_CASE(pausedReadingPushesBackAndLosesNothing),
      GEN_CASE(writeWatermarksRefuseAndThenSignalWritable),
      GEN_CASE(writeRepeatedWritesExactlyCountCopies),
      GEN_CASE(writeRepeatedReportsProgressWhenClosed),
      GEN_CASE(peerCloseMidFrameGivesEof),
      GEN_CASE(malformedStreamClosesWithTheParseError),
      GEN_CASE(closeFromOtherThreadsRunsOnCloseOnce),
      GEN_CASE(connectFailureReportsThenCloses),
  };
  return gen_test_run("conn", cases, sizeof cases / sizeof cases[0]);
}
