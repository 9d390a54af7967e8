/* The Redis client against a real redis-server that this test starts on a
 * free loopback port (and stops): replies of every type, binary-safe
 * arguments, the AUTH/SELECT handshake, pub/sub on a separate connection,
 * and the ways a connection ends (closed by us with commands pending, killed
 * by the server, refused). */
#include "gen_test.h"

#include "CGenesis.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t server_pid;
static uint16_t server_port;

static uint16_t free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
      getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

static int can_connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
  close(fd);
  return ok;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int server_start(void) {
  server_port = free_port();
  if (!server_port) return -1;
  char port[16];
  snprintf(port, sizeof port, "%u", server_port);
  server_pid = fork();
  if (server_pid < 0) return -1;
  if (server_pid == 0) {
    freopen("/dev/null", "w", stdout);
    execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
           "--save", "", "--appendonly", "no", "--daemonize", "no", (char *)NULL);
    _exit(127);
  }
  for (int i = 0; i < 500; i++) {
    if (can_connect(server_port)) return 0;
    sleep_ms(10);
  }
  return -1;
}

static void server_stop(void) {
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    server_pid = 0;
  }
}

/* ---- a client whose callbacks record what happened ---------------------- */

#define MAX_EVENTS 64

typedef struct recorder {
  pthread_mutex_t lock;
  int ready;            /* 1 + status once on_ready ran */
  int closed;           /* 1 once on_close ran */
  int close_reason;
  int order[MAX_EVENTS]; /* 'r' reply, 'c' close: the callback order */
  int order_len;
  /* pushes */
  int pushes;
  int push_kind[MAX_EVENTS];
  char push_channel[MAX_EVENTS][32];
  char push_payload[MAX_EVENTS][32];
  size_t push_payload_len[MAX_EVENTS];
} recorder;

static void rec_note(recorder *rec, int what) {
  if (rec->order_len < MAX_EVENTS) rec->order[rec->order_len++] = what;
}

static void rec_ready(void *ctx, int status) {
  recorder *rec = ctx;
  pthread_mutex_lock(&rec->lock);
  rec->ready = 1 + (status != 0 ? 1 : 0);
  rec->close_reason = status;
  pthread_mutex_unlock(&rec->lock);
}

static void rec_close(void *ctx, int reason) {
  recorder *rec = ctx;
  pthread_mutex_lock(&rec->lock);
  rec->closed = 1;
  rec->close_reason = reason;
  rec_note(rec, 'c');
  pthread_mutex_unlock(&rec->lock);
}

static void rec_push(void *ctx, int kind, const char *channel, size_t clen,
                     const char *payload, size_t plen) {
  recorder *rec = ctx;
  pthread_mutex_lock(&rec->lock);
  int i = rec->pushes;
  if (i < MAX_EVENTS) {
    rec->push_kind[i] = kind;
    snprintf(rec->push_channel[i], 32, "%.*s", (int)clen, channel);
    memcpy(rec->push_payload[i], payload, plen < 32 ? plen : 32);
    rec->push_payload_len[i] = plen;
    rec->pushes++;
  }
  pthread_mutex_unlock(&rec->lock);
}

/* One awaited reply, copied out of the callback. */
typedef struct result {
  recorder *rec;
  int done;
  int status;
  int type;
  int64_t integer;
  char str[128];
  size_t len;
  size_t count;
  int element_types[8];
  char elements[8][32];
} result;

static void on_result(void *arg, int status, const gen_redis_reply *reply) {
  result *res = arg;
  if (res->rec) pthread_mutex_lock(&res->rec->lock);
  res->status = status;
  if (reply) {
    res->type = gen_redis_reply_type(reply);
    res->integer = gen_redis_reply_integer(reply);
    size_t len = 0;
    const char *s = gen_redis_reply_string(reply, &len);
    res->len = len;
    memcpy(res->str, s, len < sizeof res->str ? len : sizeof res->str);
    res->count = gen_redis_reply_count(reply);
    for (size_t i = 0; i < res->count && i < 8; i++) {
      const gen_redis_reply *e = gen_redis_reply_element(reply, i);
      res->element_types[i] = gen_redis_reply_type(e);
      size_t elen = 0;
      const char *es = gen_redis_reply_string(e, &elen);
      snprintf(res->elements[i], 32, "%.*s", (int)elen, es);
    }
    GEN_CHECK(gen_redis_reply_element(reply, res->count) == NULL);
  }
  if (res->rec) rec_note(res->rec, 'r');
  __atomic_store_n(&res->done, 1, __ATOMIC_RELEASE);
  if (res->rec) pthread_mutex_unlock(&res->rec->lock);
}

static int wait_flag(int *flag) {
  for (int i = 0; i < 500; i++) {
    if (__atomic_load_n(flag, __ATOMIC_ACQUIRE)) return 1;
    sleep_ms(10);
  }
  return 0;
}

static int wait_int(recorder *rec, int *field, int at_least) {
  for (int i = 0; i < 500; i++) {
    pthread_mutex_lock(&rec->lock);
    int v = *field;
    pthread_mutex_unlock(&rec->lock);
    if (v >= at_least) return 1;
    sleep_ms(10);
  }
  return 0;
}

static gen_redis *open_client(gen_engine *engine, recorder *rec, uint16_t port,
                              const char *password, uint32_t db) {
  memset(rec, 0, sizeof *rec);
  pthread_mutex_init(&rec->lock, NULL);
  gen_redis_config config;
  gen_redis_config_init(&config);
  config.host = "127.0.0.1";
  config.port = port;
  config.password = password;
  config.db = db;
  config.ctx = rec;
  config.on_ready = rec_ready;
  config.on_close = rec_close;
  config.on_push = rec_push;
  gen_redis *r = NULL;
  int rc = gen_redis_open(engine, &config, &r);
  GEN_CHECK_EQ_INT(rc, 0);
  return r;
}

/* Sends a command given as NUL-terminated words and waits for its reply. */
static void run(gen_redis *r, result *res, int argc, const char **argv) {
  size_t lens[16];
  for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
  memset(res, 0, sizeof *res);
  GEN_CHECK_EQ_INT(gen_redis_command(r, (size_t)argc, argv, lens, on_result, res), 0);
  GEN_CHECK(wait_flag(&res->done));
}

#define RUN(r, res, ...)                                                       \
  do {                                                                         \
    const char *argv_[] = {__VA_ARGS__};                                       \
    run((r), (res), (int)(sizeof argv_ / sizeof *argv_), argv_);               \
  } while (0)

GEN_TEST(replies_of_every_type) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder rec;
  gen_redis *r = open_client(engine, &rec, server_port, NULL, 0);
  GEN_CHECK(wait_int(&rec, &rec.ready, 1));
  GEN_CHECK_EQ_INT(rec.ready, 1);
  result res;

  /* A value with NUL and CRLF bytes goes through unchanged. */
  const char *argv[] = {"SET", "bin", "a\0b\r\nc"};
  size_t lens[] = {3, 3, 6};
  memset(&res, 0, sizeof res);
  GEN_CHECK_EQ_INT(gen_redis_command(r, 3, argv, lens, on_result, &res), 0);
  GEN_CHECK(wait_flag(&res.done));
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_STATUS);
  GEN_CHECK(res.len == 2 && memcmp(res.str, "OK", 2) == 0);
  RUN(r, &res, "GET", "bin");
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_STRING);
  GEN_CHECK_EQ_INT(res.len, 6);
  GEN_CHECK(memcmp(res.str, "a\0b\r\nc", 6) == 0);

  RUN(r, &res, "INCRBY", "counter", "41");
  RUN(r, &res, "INCR", "counter");
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_INTEGER);
  GEN_CHECK_EQ_INT(res.integer, 42);

  RUN(r, &res, "GET", "missing");
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_NIL);

  RUN(r, &res, "RPUSH", "list", "x", "y", "z");
  RUN(r, &res, "LRANGE", "list", "0", "-1");
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_ARRAY);
  GEN_CHECK_EQ_INT(res.count, 3);
  GEN_CHECK_EQ_INT(res.element_types[2], GEN_REDIS_REPLY_STRING);
  GEN_CHECK(strcmp(res.elements[0], "x") == 0 && strcmp(res.elements[2], "z") == 0);

  RUN(r, &res, "INCR", "list");
  GEN_CHECK_EQ_INT(res.status, 0);
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_ERROR);
  GEN_CHECK(strncmp(res.str, "WRONGTYPE", 9) == 0);

  RUN(r, &res, "EVAL", "return {1, 'two', redis.call('TYPE', KEYS[1])}", "1", "list");
  GEN_CHECK_EQ_INT(res.count, 3);
  GEN_CHECK_EQ_INT(res.element_types[0], GEN_REDIS_REPLY_INTEGER);
  GEN_CHECK(strcmp(res.elements[1], "two") == 0);
  GEN_CHECK_EQ_INT(res.element_types[2], GEN_REDIS_REPLY_STATUS);

  RUN(r, &res, "DEL", "bin", "counter", "list");
  gen_redis_close(r);
  GEN_CHECK(wait_int(&rec, &rec.closed, 1));
  GEN_CHECK_EQ_INT(rec.close_reason, 0);
  gen_redis_release(r);
  gen_engine_destroy(engine);
}

typedef struct burst {
  gen_redis *redis;
  int done[200];
} burst;

static void burst_reply(void *arg, int status, const gen_redis_reply *reply) {
  int *slot = arg;
  *slot = (status == 0 && gen_redis_reply_type(reply) == GEN_REDIS_REPLY_INTEGER)
              ? (int)gen_redis_reply_integer(reply) : -1;
}

static void *burst_thread(void *arg) {
  burst *b = arg;
  for (int i = 0; i < 200; i++) {
    const char *argv[] = {"INCR", "burst"};
    size_t lens[] = {4, 5};
    GEN_CHECK_EQ_INT(gen_redis_command(b->redis, 2, argv, lens, burst_reply, &b->done[i]), 0);
  }
  return NULL;
}

GEN_TEST(commands_from_many_threads) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder rec;
  gen_redis *r = open_client(engine, &rec, server_port, NULL, 0);
  burst bursts[4];
  pthread_t threads[4];
  memset(bursts, 0, sizeof bursts);
  for (int t = 0; t < 4; t++) {
    bursts[t].redis = r;
    pthread_create(&threads[t], NULL, burst_thread, &bursts[t]);
  }
  for (int t = 0; t < 4; t++) pthread_join(threads[t], NULL);
  result res;
  RUN(r, &res, "GET", "burst"); /* replies come in order: all 800 are in */
  GEN_CHECK(res.len == 3 && memcmp(res.str, "800", 3) == 0);
  /* Each thread's own replies increase (its commands keep their order). */
  for (int t = 0; t < 4; t++)
    for (int i = 1; i < 200; i++) GEN_CHECK(bursts[t].done[i] > bursts[t].done[i - 1]);
  RUN(r, &res, "DEL", "burst");
  gen_redis_close(r);
  gen_redis_release(r);
  gen_engine_destroy(engine);
}

GEN_TEST(select_and_auth_handshake) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder rec3, rec0, bad;
  gen_redis *db3 = open_client(engine, &rec3, server_port, NULL, 3);
  result res;
  RUN(db3, &res, "SET", "where", "three"); /* issued before on_ready: after SELECT */
  GEN_CHECK_EQ_INT(rec3.ready, 1);
  gen_redis *db0 = open_client(engine, &rec0, server_port, NULL, 0);
  RUN(db0, &res, "EXISTS", "where");
  GEN_CHECK_EQ_INT(res.integer, 0);
  RUN(db0, &res, "SELECT", "3");
  RUN(db0, &res, "GET", "where");
  GEN_CHECK(res.len == 5 && memcmp(res.str, "three", 5) == 0);
  RUN(db0, &res, "DEL", "where");

  /* The server has no password: AUTH is refused, the connection ends and a
   * command queued behind the handshake fails with the same reason. */
  gen_redis *wrong = open_client(engine, &bad, server_port, "secret", 0);
  RUN(wrong, &res, "PING");
  GEN_CHECK(wait_int(&bad, &bad.closed, 1));
  GEN_CHECK_EQ_INT(res.status, GEN_EREDIS_AUTH);
  GEN_CHECK_EQ_INT(bad.ready, 2);
  GEN_CHECK_EQ_INT(bad.close_reason, GEN_EREDIS_AUTH);
  GEN_CHECK(strcmp(gen_redis_strerror(GEN_EREDIS_AUTH), "redis refused AUTH or SELECT") == 0);

  gen_redis_close(db3);
  gen_redis_close(db0);
  gen_redis_release(db3);
  gen_redis_release(db0);
  gen_redis_release(wrong);
  gen_engine_destroy(engine);
}

GEN_TEST(publish_reaches_subscriber) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder subrec, pubrec;
  gen_redis *sub = open_client(engine, &subrec, server_port, NULL, 0);
  gen_redis *pub = open_client(engine, &pubrec, server_port, NULL, 0);
  GEN_CHECK_EQ_INT(gen_redis_subscribe(sub, "news", 4), 0);
  GEN_CHECK_EQ_INT(gen_redis_subscribe(sub, "other", 5), 0);
  GEN_CHECK(wait_int(&subrec, &subrec.pushes, 2));
  GEN_CHECK_EQ_INT(subrec.push_kind[0], GEN_REDIS_PUSH_SUBSCRIBED);
  GEN_CHECK(strcmp(subrec.push_channel[0], "news") == 0);
  result res;
  const char *argv[] = {"PUBLISH", "news", "x\0y"};
  size_t lens[] = {7, 4, 3};
  memset(&res, 0, sizeof res);
  GEN_CHECK_EQ_INT(gen_redis_command(pub, 3, argv, lens, on_result, &res), 0);
  GEN_CHECK(wait_flag(&res.done));
  GEN_CHECK_EQ_INT(res.integer, 1);
  GEN_CHECK(wait_int(&subrec, &subrec.pushes, 3));
  GEN_CHECK_EQ_INT(subrec.push_kind[2], GEN_REDIS_PUSH_MESSAGE);
  GEN_CHECK(strcmp(subrec.push_channel[2], "news") == 0);
  GEN_CHECK_EQ_INT(subrec.push_payload_len[2], 3);
  GEN_CHECK(memcmp(subrec.push_payload[2], "x\0y", 3) == 0);

  GEN_CHECK_EQ_INT(gen_redis_unsubscribe(sub, "news", 4), 0);
  GEN_CHECK(wait_int(&subrec, &subrec.pushes, 4));
  GEN_CHECK_EQ_INT(subrec.push_kind[3], GEN_REDIS_PUSH_UNSUBSCRIBED);
  RUN(pub, &res, "PUBLISH", "news", "lost");
  GEN_CHECK_EQ_INT(res.integer, 0); /* nobody listens any more */
  RUN(pub, &res, "PUBLISH", "other", "kept");
  GEN_CHECK(wait_int(&subrec, &subrec.pushes, 5));
  GEN_CHECK(memcmp(subrec.push_payload[4], "kept", 4) == 0);

  gen_redis_close(sub);
  gen_redis_close(pub);
  GEN_CHECK(wait_int(&subrec, &subrec.closed, 1));
  gen_redis_release(sub);
  gen_redis_release(pub);
  gen_engine_destroy(engine);
}

GEN_TEST(close_fails_pending_commands_first) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder rec;
  gen_redis *r = open_client(engine, &rec, server_port, NULL, 0);
  GEN_CHECK(wait_int(&rec, &rec.ready, 1));
  result blocked;
  memset(&blocked, 0, sizeof blocked);
  blocked.rec = &rec;
  const char *argv[] = {"BLPOP", "never", "0"};
  size_t lens[] = {5, 5, 1};
  GEN_CHECK_EQ_INT(gen_redis_command(r, 3, argv, lens, on_result, &blocked), 0);
  sleep_ms(50);
  gen_redis_close(r);
  GEN_CHECK(wait_int(&rec, &rec.closed, 1));
  GEN_CHECK_EQ_INT(blocked.status, GEN_ECLOSED);
  GEN_CHECK_EQ_INT(rec.close_reason, 0);
  GEN_CHECK_EQ_INT(rec.order_len, 2);
  GEN_CHECK_EQ_INT(rec.order[0], 'r');
  GEN_CHECK_EQ_INT(rec.order[1], 'c');
  /* After the close a command still gets its callback, with GEN_ECLOSED. */
  result late;
  RUN(r, &late, "PING");
  GEN_CHECK_EQ_INT(late.status, GEN_ECLOSED);
  gen_redis_close(r); /* idempotent */
  gen_redis_release(r);
  gen_engine_destroy(engine);
}

GEN_TEST(server_kill_is_an_io_error) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder victim_rec, killer_rec;
  gen_redis *victim = open_client(engine, &victim_rec, server_port, NULL, 0);
  gen_redis *killer = open_client(engine, &killer_rec, server_port, NULL, 0);
  result res;
  RUN(victim, &res, "CLIENT", "ID");
  char id[32];
  snprintf(id, sizeof id, "%lld", (long long)res.integer);
  result blocked;
  memset(&blocked, 0, sizeof blocked);
  const char *argv[] = {"BLPOP", "never", "0"};
  size_t lens[] = {5, 5, 1};
  GEN_CHECK_EQ_INT(gen_redis_command(victim, 3, argv, lens, on_result, &blocked), 0);
  sleep_ms(50);
  RUN(killer, &res, "CLIENT", "KILL", "ID", id);
  GEN_CHECK_EQ_INT(res.integer, 1);
  GEN_CHECK(wait_int(&victim_rec, &victim_rec.closed, 1));
  GEN_CHECK_EQ_INT(blocked.status, GEN_EREDIS_IO);
  GEN_CHECK_EQ_INT(victim_rec.close_reason, GEN_EREDIS_IO);
  gen_redis_release(victim);
  /* The other connection is untouched; the engine closes it on destroy. */
  RUN(killer, &res, "PING");
  GEN_CHECK_EQ_INT(res.type, GEN_REDIS_REPLY_STATUS);
  gen_engine_destroy(engine);
  GEN_CHECK_EQ_INT(killer_rec.closed, 1);
  gen_redis_release(killer);
}

GEN_TEST(refused_connection_reports_connect_error) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  recorder rec;
  gen_redis *r = open_client(engine, &rec, free_port(), NULL, 0);
  result res;
  RUN(r, &res, "PING");
  GEN_CHECK(wait_int(&rec, &rec.closed, 1));
  GEN_CHECK_EQ_INT(res.status, GEN_EREDIS_CONNECT);
  GEN_CHECK_EQ_INT(rec.ready, 2);
  GEN_CHECK_EQ_INT(rec.close_reason, GEN_EREDIS_CONNECT);
  gen_redis_release(r);
  gen_engine_destroy(engine);
}

int main(void) {
  if (server_start() != 0) {
    fprintf(stderr, "could not start redis-server\n");
    server_stop();
    return 1;
  }
  static const gen_test_case cases[] = {
      GEN_CASE(replies_of_every_type),
      GEN_CASE(commands_from_many_threads),
      GEN_CASE(select_and_auth_handshake),
      GEN_CASE(publish_reaches_subscriber),
      GEN_CASE(close_fails_pending_commands_first),
      GEN_CASE(server_kill_is_an_io_error),
      GEN_CASE(refused_connection_reports_connect_error),
  };
  int status = gen_test_run("redis", cases, sizeof cases / sizeof *cases);
  server_stop();
  return status;
}
