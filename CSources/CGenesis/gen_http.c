/* The observability HTTP server: a read-only HTTP/1.1 responder for
 * /metrics, /health and /ready on the engine's loop. Requests are parsed by
 * http-parser (never by hand); every libuv handle here is touched only on the
 * loop thread, and the health/readiness state is atomics so Swift can flip it
 * from anywhere. */
#include "gen_internal.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A client whose responses pile up unread (a pipelining flood of /metrics)
 * is cut off rather than buffered without bound. */
#define GEN_HTTP_MAX_QUEUED_BYTES (64u * 1024 * 1024)
/* After a final response (400, Connection: close) the socket's write side is
 * shut down and input is drained for at most this long before the close, so
 * that unread request bytes do not turn the close into an RST that could
 * destroy the response in flight. */
#define GEN_HTTP_LINGER_MS 1000

typedef struct gen_http_client gen_http_client;

struct gen_http_server {
  gen_engine *engine;
  gen_engine_link link;       /* so gen_engine_destroy closes a forgotten server */
  gen_task open_task;
  gen_task close_task;
  uv_tcp_t tcp;
  struct sockaddr_storage addr;
  gen_http_config config;
  uv_sem_t done;              /* open and close wait on it */
  int status;                 /* open's result */
  int closing;                /* loop thread */
  int listener_open;          /* loop thread: the uv_tcp_t still needs closing */
  int free_when_closed;       /* closed by the engine, nobody waits */
  gen_http_client *clients;   /* loop thread */
  _Atomic uint32_t port;
  _Atomic int ready;
  _Atomic int healthy;
  _Atomic uint64_t last_heartbeat_ns; /* uv_hrtime; 0 = never */
};

struct gen_http_client {
  gen_http_server *server;
  gen_http_client *prev, *next;
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_shutdown_t shutdown;
  http_parser parser;
  int handles_open;           /* closes to wait for before freeing */
  int closing;
  int lingering;              /* final response queued: input is discarded */
  uint32_t writes_pending;
  size_t request_bytes;       /* of the request being parsed */
  int oversized;
  size_t url_len;
  char read_buf[4096];
  char url[];                 /* config.max_request_bytes + 1 */
};

typedef struct gen_http_write {
  uv_write_t req;
  gen_http_client *client;
  char *body;                 /* owned; freed with the request */
  char head[256];
} gen_http_write;

void gen_http_config_init(gen_http_config *config) {
  memset(config, 0, sizeof *config);
  config->host = "0.0.0.0";
  config->port = 8000;
  config->idle_timeout_ms = 10000;
  config->max_request_bytes = 8192;
}

/* ------------------------------------------------------------------------ */
/* Closing                                                                   */
/* ------------------------------------------------------------------------ */

static void gen_http_server_maybe_done(gen_http_server *s) {
  if (!s->closing || s->listener_open || s->clients) return;
  if (s->free_when_closed) {
    uv_sem_destroy(&s->done);
    free(s);
  } else {
    uv_sem_post(&s->done); /* the waiting closer frees s: touch nothing after */
  }
}

static void gen_http_client_closed(uv_handle_t *handle) {
  gen_http_client *c = handle->data;
  if (--c->handles_open > 0) return;
  gen_http_server *s = c->server;
  if (c->prev) c->prev->next = c->next;
  else s->clients = c->next;
  if (c->next) c->next->prev = c->prev;
  free(c);
  gen_http_server_maybe_done(s);
}

static void gen_http_client_close(gen_http_client *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, gen_http_client_closed);
  uv_close((uv_handle_t *)&c->timer, gen_http_client_closed);
}

static void gen_http_timer_fired(uv_timer_t *timer) {
  gen_http_client_close(timer->data);
}

/* The next request must be complete within the idle timeout. */
static void gen_http_arm_idle(gen_http_client *c) {
  uv_timer_start(&c->timer, gen_http_timer_fired, c->server->config.idle_timeout_ms, 0);
}

static void gen_http_shutdown_done(uv_shutdown_t *req, int status) {
  gen_http_client *c = req->data;
  if (status < 0) gen_http_client_close(c);
}

/* Ends the connection after the responses already queued. */
static void gen_http_client_finish(gen_http_client *c) {
  if (c->lingering || c->closing) return;
  c->lingering = 1;
  c->shutdown.data = c;
  if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, gen_http_shutdown_done) < 0) {
    gen_http_client_close(c);
    return;
  }
  uv_timer_start(&c->timer, gen_http_timer_fired, GEN_HTTP_LINGER_MS, 0);
}

/* ------------------------------------------------------------------------ */
/* Responses                                                                 */
/* ------------------------------------------------------------------------ */

static void gen_http_written(uv_write_t *req, int status) {
  gen_http_write *w = req->data;
  gen_http_client *c = w->client;
  free(w->body);
  free(w);
  c->writes_pending--;
  if (status < 0) {
    gen_http_client_close(c);
    return;
  }
  if (c->writes_pending == 0 && !c->lingering && !c->closing) gen_http_arm_idle(c);
}

static const char *gen_http_reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 404: return "Not Found";
  case 405: return "Method Not Allowed";
  case 500: return "Internal Server Error";
  default: return "Service Unavailable";
  }
}

/* Queues one response. Takes ownership of `body` (malloc'd, may be NULL).
 * HEAD gets the headers of the GET response and no body. */
static void gen_http_respond(gen_http_client *c, int status, const char *content_type,
                             char *body, size_t body_len, int head_only, int keep_alive) {
  if (c->closing ||
      uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > GEN_HTTP_MAX_QUEUED_BYTES) {
    free(body);
    gen_http_client_close(c);
    return;
  }
  gen_http_write *w = malloc(sizeof *w);
  if (!w) {
    free(body);
    gen_http_client_close(c);
    return;
  }
  w->client = c;
  w->body = body;
  w->req.data = w;
  int n = snprintf(w->head, sizeof w->head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                   "Cache-Control: no-store\r\n%sConnection: %s\r\n\r\n",
                   status, gen_http_reason(status), content_type, body_len,
                   status == 405 ? "Allow: GET, HEAD\r\n" : "",
                   keep_alive ? "keep-alive" : "close");
  uv_buf_t bufs[2] = {uv_buf_init(w->head, (unsigned)n),
                      uv_buf_init(body, (unsigned)body_len)};
  unsigned nbufs = (head_only || !body_len) ? 1 : 2;
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, nbufs, gen_http_written) < 0) {
    free(body);
    free(w);
    gen_http_client_close(c);
    return;
  }
  c->writes_pending++;
  uv_timer_stop(&c->timer); /* a slow reader is not idle; re-armed when written */
  if (!keep_alive) gen_http_client_finish(c);
}

static char *gen_http_dup(const char *s, size_t *len) {
  *len = strlen(s);
  char *d = malloc(*len);
  if (d) memcpy(d, s, *len);
  return d;
}

static void gen_http_respond_text(gen_http_client *c, int status, const char *type,
                                  const char *text, int head_only, int keep_alive) {
  size_t len;
  char *body = gen_http_dup(text, &len);
  if (!body) {
    gen_http_client_close(c);
    return;
  }
  gen_http_respond(c, status, type, body, len, head_only, keep_alive);
}

static int gen_http_is_healthy(gen_http_server *s) {
  if (!atomic_load(&s->healthy)) return 0;
  if (s->config.heartbeat_window_ms == 0) return 1;
  uint64_t last = atomic_load(&s->last_heartbeat_ns);
  return last != 0 &&
         uv_hrtime() - last <= (uint64_t)s->config.heartbeat_window_ms * 1000000u;
}

static int gen_http_is_ready(gen_http_server *s) {
  return atomic_load(&s->ready) ||
         (s->config.heartbeat_window_ms && atomic_load(&s->last_heartbeat_ns) != 0);
}

static int gen_http_path_is(const char *path, size_t len, const char *want) {
  return strlen(want) == len && memcmp(path, want, len) == 0;
}

static void gen_http_dispatch(gen_http_client *c) {
  http_parser *p = &c->parser;
  int keep_alive = http_should_keep_alive(p);
  int head = p->method == HTTP_HEAD;
  struct http_parser_url u;
  http_parser_url_init(&u);
  if (http_parser_parse_url(c->url, c->url_len, 0, &u) != 0 ||
      !(u.field_set & (1 << UF_PATH))) {
    gen_http_respond_text(c, 400, "text/plain", "bad request\n", 0, 0);
    return;
  }
  const char *path = c->url + u.field_data[UF_PATH].off;
  size_t path_len = u.field_data[UF_PATH].len;
  if (p->method != HTTP_GET && !head) {
    gen_http_respond_text(c, 405, "text/plain", "method not allowed\n", 0, keep_alive);
    return;
  }
  const char *json = "application/json";
  gen_http_server *s = c->server;
  if (gen_http_path_is(path, path_len, "/metrics")) {
    gen_buf b = {0};
    if (gen_metrics_render(&b) < 0) {
      gen_buf_free(&b);
      gen_http_respond_text(c, 500, "text/plain", "out of memory\n", head, keep_alive);
      return;
    }
    gen_http_respond(c, 200, GEN_METRICS_CONTENT_TYPE, b.data, b.len, head, keep_alive);
  } else if (gen_http_path_is(path, path_len, "/health")) {
    int ok = gen_http_is_healthy(s);
    gen_http_respond_text(c, ok ? 200 : 503, json,
                          ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unhealthy\"}", head,
                          keep_alive);
  } else if (gen_http_path_is(path, path_len, "/ready")) {
    int ok = gen_http_is_ready(s);
    gen_http_respond_text(c, ok ? 200 : 503, json,
                          ok ? "{\"status\":\"ready\"}" : "{\"status\":\"not ready\"}", head,
                          keep_alive);
  } else {
    gen_http_respond_text(c, 404, "text/plain", "not found\n", head, keep_alive);
  }
}

/* ------------------------------------------------------------------------ */
/* Request parsing (http-parser callbacks)                                   */
/* ------------------------------------------------------------------------ */

/* Counts a request's bytes; nonzero (which fails the parse) past the limit. */
static int gen_http_count(gen_http_client *c, size_t len) {
  c->request_bytes += len;
  if (c->request_bytes > c->server->config.max_request_bytes) c->oversized = 1;
  return c->oversized;
}

static int gen_http_on_begin(http_parser *p) {
  gen_http_client *c = p->data;
  c->request_bytes = 0;
  c->url_len = 0;
  return 0;
}

static int gen_http_on_url(http_parser *p, const char *at, size_t len) {
  gen_http_client *c = p->data;
  if (gen_http_count(c, len)) return 1;
  memcpy(c->url + c->url_len, at, len); /* fits: url_len <= request_bytes <= max */
  c->url_len += len;
  return 0;
}

static int gen_http_on_data(http_parser *p, const char *at, size_t len) {
  return gen_http_count(p->data, len);
}

static int gen_http_on_complete(http_parser *p) {
  gen_http_client *c = p->data;
  /* An Upgrade (or CONNECT) asks for a protocol this server does not speak. */
  if (p->upgrade) gen_http_respond_text(c, 400, "text/plain", "bad request\n", 0, 0);
  else gen_http_dispatch(c);
  /* Bytes after a final response are not requests any more. */
  if (c->lingering || c->closing) http_parser_pause(p, 1);
  return 0;
}

static const http_parser_settings gen_http_settings = {
    .on_message_begin = gen_http_on_begin,
    .on_url = gen_http_on_url,
    .on_header_field = gen_http_on_data,
    .on_header_value = gen_http_on_data,
    .on_body = gen_http_on_data,
    .on_message_complete = gen_http_on_complete,
};

static void gen_http_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  gen_http_client *c = handle->data;
  *buf = uv_buf_init(c->read_buf, sizeof c->read_buf);
}

static void gen_http_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  gen_http_client *c = stream->data;
  if (nread < 0) {
    gen_http_client_close(c);
    return;
  }
  if (nread == 0 || c->lingering || c->closing) return;
  size_t parsed = http_parser_execute(&c->parser, &gen_http_settings, buf->base, (size_t)nread);
  if (c->lingering || c->closing) return;
  /* A parse error, an oversized request, or an Upgrade we do not speak. */
  if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || parsed != (size_t)nread ||
      c->parser.upgrade) {
    gen_http_respond_text(c, 400, "text/plain",
                          c->oversized ? "request too large\n" : "bad request\n", 0, 0);
  }
}

/* ------------------------------------------------------------------------ */
/* Accepting                                                                 */
/* ------------------------------------------------------------------------ */

static void gen_http_accept(uv_stream_t *listener, int status) {
  gen_http_server *s = listener->data;
  if (status < 0 || s->closing) return;
  gen_http_client *c = calloc(1, sizeof *c + s->config.max_request_bytes + 1);
  /* Out of memory: the connection stays in the backlog (libuv stops polling
   * the listener until one is accepted); the next accept retries. */
  if (!c) return;
  uv_loop_t *loop = gen_engine_uv_loop(s->engine);
  c->server = s;
  uv_tcp_init(loop, &c->tcp);
  uv_timer_init(loop, &c->timer);
  c->tcp.data = c->timer.data = c;
  c->handles_open = 2;
  c->next = s->clients;
  if (s->clients) s->clients->prev = c;
  s->clients = c;
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) < 0 ||
      uv_read_start((uv_stream_t *)&c->tcp, gen_http_alloc, gen_http_read) < 0) {
    gen_http_client_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  gen_http_arm_idle(c);
}

/* ------------------------------------------------------------------------ */
/* Opening and closing the server                                            */
/* ------------------------------------------------------------------------ */

static void gen_http_listener_closed(uv_handle_t *handle) {
  gen_http_server *s = handle->data;
  s->listener_open = 0;
  if (s->status < 0) {
    uv_sem_post(&s->done); /* a failed open: the opener frees s */
    return;
  }
  gen_http_server_maybe_done(s);
}

static void gen_http_shutdown_all(gen_http_server *s) {
  if (s->closing) return;
  s->closing = 1;
  gen_engine_untrack(s->engine, &s->link);
  uv_close((uv_handle_t *)&s->tcp, gen_http_listener_closed);
  for (gen_http_client *c = s->clients; c; c = c->next) gen_http_client_close(c);
}

static void gen_http_link_shutdown(gen_engine_link *link) {
  gen_http_server *s = gen_container_of(link, gen_http_server, link);
  s->free_when_closed = 1;
  gen_http_shutdown_all(s);
}

static void gen_http_close_task(gen_task *task) {
  gen_http_server *s = gen_container_of(task, gen_http_server, close_task);
  gen_http_shutdown_all(s);
}

static void gen_http_open_task(gen_task *task) {
  gen_http_server *s = gen_container_of(task, gen_http_server, open_task);
  if (gen_engine_stopping(s->engine)) {
    s->status = GEN_ESTOPPED;
    uv_sem_post(&s->done);
    return;
  }
  int rc = uv_tcp_init(gen_engine_uv_loop(s->engine), &s->tcp);
  if (rc < 0) {
    s->status = rc;
    uv_sem_post(&s->done);
    return;
  }
  s->tcp.data = s;
  s->listener_open = 1;
  rc = uv_tcp_bind(&s->tcp, (const struct sockaddr *)&s->addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&s->tcp, 128, gen_http_accept);
  struct sockaddr_storage bound;
  int len = sizeof bound;
  if (rc == 0) rc = uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&bound, &len);
  if (rc < 0) {
    s->status = rc;
    uv_close((uv_handle_t *)&s->tcp, gen_http_listener_closed);
    return;
  }
  uint16_t port = bound.ss_family == AF_INET6
                      ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                      : ntohs(((struct sockaddr_in *)&bound)->sin_port);
  atomic_store(&s->port, port);
  s->link.shutdown = gen_http_link_shutdown;
  gen_engine_track(s->engine, &s->link);
  s->status = 0;
  uv_sem_post(&s->done);
}

int gen_http_server_open(gen_engine *engine, const gen_http_config *config,
                         gen_http_server **out) {
  if (!engine || !out || gen_engine_on_loop_thread(engine)) return GEN_EINVAL;
  gen_http_server *s = calloc(1, sizeof *s);
  if (!s) return GEN_ENOMEM;
  if (config) s->config = *config;
  else gen_http_config_init(&s->config);
  if (!s->config.host) s->config.host = "0.0.0.0";
  if (!s->config.idle_timeout_ms) s->config.idle_timeout_ms = 10000;
  if (!s->config.max_request_bytes) s->config.max_request_bytes = 8192;
  s->config.host = NULL; /* the caller's string is not ours to keep */
  s->engine = engine;
  atomic_store(&s->healthy, 1);
  /* Resolve here: a name lookup may block, and the loop must not. */
  int rc = gen_resolve(config && config->host ? config->host : "0.0.0.0",
                       s->config.port, &s->addr);
  if (rc == 0) rc = uv_sem_init(&s->done, 0);
  if (rc < 0) {
    free(s);
    return rc;
  }
  s->open_task.run = gen_http_open_task;
  rc = gen_engine_schedule(engine, &s->open_task);
  if (rc == 0) {
    uv_sem_wait(&s->done);
    rc = s->status;
  }
  if (rc < 0) {
    uv_sem_destroy(&s->done);
    free(s);
    return rc;
  }
  *out = s;
  return 0;
}

uint16_t gen_http_server_port(const gen_http_server *server) {
  return (uint16_t)atomic_load(&((gen_http_server *)server)->port);
}

void gen_http_server_set_ready(gen_http_server *server, int ready) {
  atomic_store(&server->ready, ready != 0);
}

void gen_http_server_set_healthy(gen_http_server *server, int healthy) {
  atomic_store(&server->healthy, healthy != 0);
}

void gen_http_server_heartbeat(gen_http_server *server) {
  uint64_t now = uv_hrtime();
  atomic_store(&server->last_heartbeat_ns, now ? now : 1);
}

void gen_http_server_close(gen_http_server *server) {
  if (!server) return;
  /* The loop thread cannot wait for its own loop: close asynchronously. */
  if (gen_engine_on_loop_thread(server->engine)) {
    gen_http_link_shutdown(&server->link);
    return;
  }
  server->close_task.run = gen_http_close_task;
  /* Refused only while the engine is being destroyed: its shutdown of the
   * tracked server frees it then. */
  if (gen_engine_schedule(server->engine, &server->close_task) < 0) return;
  uv_sem_wait(&server->done);
  uv_sem_destroy(&server->done);
  free(server);
}
