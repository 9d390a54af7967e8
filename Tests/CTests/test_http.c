/* The observability HTTP server over real sockets: the three endpoints, the
 * health and readiness flips, keep-alive, and the ways a bad client is shown
 * the door (400 and close, idle timeout). */
#include "gen_test.h"

#include "CGenesis.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct fixture {
  gen_engine *engine;
  gen_http_server *server;
  uint16_t port;
} fixture;

static int fixture_open(fixture *f, uint32_t idle_ms, uint32_t heartbeat_window_ms) {
  memset(f, 0, sizeof *f);
  if (gen_engine_create(&f->engine) != 0) return -1;
  gen_http_config config;
  gen_http_config_init(&config);
  config.host = "127.0.0.1";
  config.port = 0;
  config.idle_timeout_ms = idle_ms;
  config.heartbeat_window_ms = heartbeat_window_ms;
  int rc = gen_http_server_open(f->engine, &config, &f->server);
  if (rc != 0) {
    fprintf(stderr, "  open: %s\n", gen_strerror(rc));
    gen_engine_destroy(f->engine);
    return -1;
  }
  f->port = gen_http_server_port(f->server);
  return f->port ? 0 : -1;
}

static void fixture_close(fixture *f) {
  gen_http_server_close(f->server);
  gen_engine_destroy(f->engine);
}

static int client_connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {.tv_sec = 5};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int send_all(int fd, const char *data, size_t len) {
  while (len) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n <= 0) return -1;
    data += n;
    len -= (size_t)n;
  }
  return 0;
}

typedef struct response {
  int status;
  char head[1024];
  char *body;
  size_t body_len;
} response;

/* Reads one response (headers, then Content-Length bytes; HEAD responses
 * have no body). Returns 0, or -1 on EOF/timeout before it was complete. */
static int read_response(int fd, response *r, int head_only) {
  static char buf[1 << 20];
  size_t len = 0;
  char *end = NULL;
  memset(r, 0, sizeof *r);
  while (!end) {
    ssize_t n = recv(fd, buf + len, 1, 0); /* byte by byte: never eat the next response */
    if (n <= 0) return -1;
    len += (size_t)n;
    buf[len] = '\0';
    end = strstr(buf, "\r\n\r\n");
    if (len >= sizeof r->head - 1 && !end) return -1;
  }
  memcpy(r->head, buf, len);
  r->head[len] = '\0';
  r->status = atoi(buf + 9);
  const char *cl = strstr(r->head, "Content-Length: ");
  size_t want = cl ? strtoul(cl + 16, NULL, 10) : 0;
  if (head_only) want = 0;
  r->body = malloc(want + 1);
  while (r->body_len < want) {
    ssize_t n = recv(fd, r->body + r->body_len, want - r->body_len, 0);
    if (n <= 0) return -1;
    r->body_len += (size_t)n;
  }
  r->body[r->body_len] = '\0';
  return 0;
}

/* One request on a fresh connection. */
static int exchange(uint16_t port, const char *request, response *r) {
  int fd = client_connect(port);
  if (fd < 0) return -1;
  int rc = send_all(fd, request, strlen(request));
  if (rc == 0) rc = read_response(fd, r, strncmp(request, "HEAD", 4) == 0);
  close(fd);
  return rc;
}

/* One request on a fresh connection; checks the status and, when `body` is
 * given, the exact body. */
static void expect(uint16_t port, const char *request, int status, const char *body) {
  response r;
  if (exchange(port, request, &r) != 0) {
    fprintf(stderr, "  no complete response to %.40s\n", request);
    gen_test_failed = 1;
    return;
  }
  if (r.status != status || (body && strcmp(r.body, body) != 0)) {
    fprintf(stderr, "  %.40s: got %d %s, want %d %s\n", request, r.status, r.body, status,
            body ? body : "");
    gen_test_failed = 1;
  }
  free(r.body);
}

/* 1 if the server closes the connection (EOF or reset) within `ms`. */
static int closed_within(int fd, int ms) {
  struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c[256];
  for (;;) {
    ssize_t n = recv(fd, c, sizeof c, 0);
    if (n == 0) return 1;
    if (n < 0) return errno == ECONNRESET;
  }
}

GEN_TEST(metrics_endpoint_serves_the_registry) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  gen_series s = (gen_series)gen_metric_series(GEN_M_COMMANDS_SENT, (const char *[]){"api"}, 1);
  gen_counter_add(s, 42);
  response r;
  GEN_CHECK(exchange(f.port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0);
  GEN_CHECK_EQ_INT(r.status, 200);
  GEN_CHECK(strstr(r.head, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != NULL);
  GEN_CHECK(r.body && strstr(r.body, "# TYPE target_info gauge\n") != NULL);
  GEN_CHECK(r.body && strstr(r.body, "genesis_commands_sent_total{command=\"api\"} 42\n") != NULL);
  free(r.body);
  /* A query string does not change the path. */
  GEN_CHECK(exchange(f.port, "GET /metrics?name[]=x HTTP/1.1\r\nHost: x\r\n\r\n", &r) == 0);
  GEN_CHECK_EQ_INT(r.status, 200);
  free(r.body);
  fixture_close(&f);
}

GEN_TEST(health_and_ready_flip_as_documented) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  const char *ready = "GET /ready HTTP/1.1\r\n\r\n", *health = "GET /health HTTP/1.1\r\n\r\n";
  expect(f.port, ready, 503, "{\"status\":\"not ready\"}");
  expect(f.port, health, 200, "{\"status\":\"ok\"}");
  response r;
  GEN_CHECK(exchange(f.port, ready, &r) == 0);
  GEN_CHECK(strstr(r.head, "Content-Type: application/json\r\n") != NULL);
  free(r.body);

  gen_http_server_set_ready(f.server, 1);
  gen_http_server_set_healthy(f.server, 0);
  expect(f.port, ready, 200, "{\"status\":\"ready\"}");
  expect(f.port, health, 503, "{\"status\":\"unhealthy\"}");
  fixture_close(&f);
}

GEN_TEST(consumer_health_follows_heartbeats) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 300) == 0);
  const char *ready = "GET /ready HTTP/1.1\r\n\r\n", *health = "GET /health HTTP/1.1\r\n\r\n";
  expect(f.port, health, 503, NULL); /* no HEARTBEAT yet */
  expect(f.port, ready, 503, NULL);
  gen_http_server_heartbeat(f.server);
  expect(f.port, health, 200, NULL);
  expect(f.port, ready, 200, NULL); /* ready after the first HEARTBEAT */
  usleep(450 * 1000);
  expect(f.port, health, 503, NULL); /* the heartbeat is stale */
  expect(f.port, ready, 200, NULL);  /* readiness does not go back */
  fixture_close(&f);
}

GEN_TEST(other_paths_and_methods_are_refused) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  expect(f.port, "GET /nope HTTP/1.1\r\n\r\n", 404, NULL);
  response r;
  GEN_CHECK(exchange(f.port, "POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", &r) == 0);
  GEN_CHECK_EQ_INT(r.status, 405);
  GEN_CHECK(strstr(r.head, "Allow: GET, HEAD\r\n") != NULL);
  free(r.body);
  GEN_CHECK(exchange(f.port, "HEAD /health HTTP/1.1\r\n\r\n", &r) == 0);
  GEN_CHECK_EQ_INT(r.status, 200);
  GEN_CHECK(strstr(r.head, "Content-Length: 15\r\n") != NULL);
  free(r.body);
  fixture_close(&f);
}

GEN_TEST(keep_alive_and_pipelining_share_a_connection) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  int fd = client_connect(f.port);
  GEN_CHECK(fd >= 0);
  response r;
  for (int i = 0; i < 3; i++) {
    const char *req = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    GEN_CHECK(send_all(fd, req, strlen(req)) == 0);
    GEN_CHECK(read_response(fd, &r, 0) == 0);
    GEN_CHECK_EQ_INT(r.status, 200);
    GEN_CHECK(strstr(r.head, "Connection: keep-alive\r\n") != NULL);
    free(r.body);
  }
  const char *two = "GET /ready HTTP/1.1\r\n\r\nGET /nope HTTP/1.1\r\nConnection: close\r\n\r\n";
  GEN_CHECK(send_all(fd, two, strlen(two)) == 0);
  GEN_CHECK(read_response(fd, &r, 0) == 0);
  GEN_CHECK_EQ_INT(r.status, 503);
  free(r.body);
  GEN_CHECK(read_response(fd, &r, 0) == 0);
  GEN_CHECK_EQ_INT(r.status, 404);
  GEN_CHECK(strstr(r.head, "Connection: close\r\n") != NULL);
  free(r.body);
  GEN_CHECK(closed_within(fd, 2000));
  close(fd);
  fixture_close(&f);
}

GEN_TEST(malformed_requests_get_400_and_a_close) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  int fd = client_connect(f.port);
  const char *garbage = "\x01\x02 NOT HTTP AT ALL\r\n\r\n";
  GEN_CHECK(send_all(fd, garbage, strlen(garbage)) == 0);
  response r;
  GEN_CHECK(read_response(fd, &r, 0) == 0);
  GEN_CHECK_EQ_INT(r.status, 400);
  GEN_CHECK(strstr(r.head, "Connection: close\r\n") != NULL);
  free(r.body);
  GEN_CHECK(closed_within(fd, 2000));
  close(fd);

  /* A protocol switch this server does not speak. */
  expect(f.port, "GET /metrics HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
         400, NULL);
  /* A header line broken in the middle. */
  expect(f.port, "GET /metrics HTTP/1.1\r\nHo\x7fst: x\r\n\r\n", 400, "bad request\n");
  fixture_close(&f);
}

GEN_TEST(oversized_requests_get_400_and_a_close) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  int fd = client_connect(f.port);
  size_t big = 64 * 1024;
  char *req = malloc(big + 64);
  int n = snprintf(req, 64, "GET /metrics HTTP/1.1\r\nX-Big: ");
  memset(req + n, 'a', big);
  memcpy(req + n + big, "\r\n\r\n", 5);
  /* The server may answer before we finish sending: ignore a send error. */
  (void)send_all(fd, req, strlen(req));
  free(req);
  response r;
  GEN_CHECK(read_response(fd, &r, 0) == 0);
  GEN_CHECK_EQ_INT(r.status, 400);
  GEN_CHECK(r.body && strcmp(r.body, "request too large\n") == 0);
  free(r.body);
  GEN_CHECK(closed_within(fd, 3000));
  close(fd);
  fixture_close(&f);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

GEN_TEST(silent_and_stalled_clients_are_dropped) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 200, 0) == 0);
  int fd = client_connect(f.port);
  double t0 = now_ms();
  GEN_CHECK(closed_within(fd, 3000)); /* sent nothing */
  double waited = now_ms() - t0;
  GEN_CHECK(waited >= 150 && waited < 2500);
  close(fd);

  fd = client_connect(f.port);
  const char *partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n"; /* never finished */
  GEN_CHECK(send_all(fd, partial, strlen(partial)) == 0);
  GEN_CHECK(closed_within(fd, 3000));
  close(fd);

  /* A keep-alive connection idle after its response goes the same way. */
  fd = client_connect(f.port);
  const char *req = "GET /health HTTP/1.1\r\n\r\n";
  GEN_CHECK(send_all(fd, req, strlen(req)) == 0);
  response r;
  GEN_CHECK(read_response(fd, &r, 0) == 0);
  free(r.body);
  GEN_CHECK(closed_within(fd, 3000));
  close(fd);
  fixture_close(&f);
}

GEN_TEST(engine_destroy_closes_a_forgotten_server_and_ports_conflict) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  int fd = client_connect(f.port); /* an open client too */
  GEN_CHECK(fd >= 0);
  /* The same port again is refused. */
  gen_http_config config;
  gen_http_config_init(&config);
  config.host = "127.0.0.1";
  config.port = f.port;
  gen_http_server *second = NULL;
  GEN_CHECK(gen_http_server_open(f.engine, &config, &second) < 0);
  GEN_CHECK(second == NULL);
  gen_engine_destroy(f.engine); /* frees the server it still tracks */
  GEN_CHECK(closed_within(fd, 2000));
  close(fd);
}

static void close_on_loop(void *server) { gen_http_server_close(server); }

GEN_TEST(close_from_the_loop_thread_finishes_asynchronously) {
  fixture f;
  GEN_CHECK(fixture_open(&f, 5000, 0) == 0);
  int fd = client_connect(f.port);
  GEN_CHECK(fd >= 0);
  GEN_CHECK_EQ_INT(gen_engine_post(f.engine, close_on_loop, f.server), 0);
  GEN_CHECK(closed_within(fd, 2000));
  close(fd);
  gen_engine_destroy(f.engine); /* ASan: nothing leaked */
}

int main(void) {
  static const gen_test_case cases[] = {
      GEN_CASE(metrics_endpoint_serves_the_registry),
      GEN_CASE(health_and_ready_flip_as_documented),
      GEN_CASE(consumer_health_follows_heartbeats),
      GEN_CASE(other_paths_and_methods_are_refused),
      GEN_CASE(keep_alive_and_pipelining_share_a_connection),
      GEN_CASE(malformed_requests_get_400_and_a_close),
      GEN_CASE(oversized_requests_get_400_and_a_close),
      GEN_CASE(silent_and_stalled_clients_are_dropped),
      GEN_CASE(engine_destroy_closes_a_forgotten_server_and_ports_conflict),
      GEN_CASE(close_from_the_loop_thread_finishes_asynchronously),
  };
  return gen_test_run("http", cases, sizeof cases / sizeof cases[0]);
}
