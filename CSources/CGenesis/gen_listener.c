/* Listening sockets. Opening blocks the caller on a semaphore until the loop
 * has bound, so bind errors (EADDRINUSE) come back synchronously. */
#include <stdlib.h>
#include <string.h>

#include "gen_internal.h"

struct gen_listener {
  gen_task open_task;
  gen_task close_task;
  gen_engine_link link;
  gen_engine *engine;
  uv_tcp_t tcp;
  struct sockaddr_storage addr;
  int backlog;
  gen_conn_config config;
  gen_accept_cb on_accept;
  void *ctx;
  void (*on_closed)(void *ctx);
  _Atomic int close_requested;
  uv_sem_t opened;
  int open_err;
  uint16_t port;
  int open;    /* loop thread: the handle is listening and not closing */
};

static void listener_on_connection(uv_stream_t *server, int status) {
  gen_listener *l = server->data;
  /* A failed accept (EMFILE, ...) concerns that one peer; keep listening. */
  if (status < 0) return;
  gen_conn *conn = gen_conn_accepted(l->engine, server, &l->config);
  if (!conn) return;
  int refused = l->on_accept ? l->on_accept(l->ctx, l, conn) : 0;
  gen_conn_accepted_start(conn, refused);
}

static void listener_on_open_failed(uv_handle_t *handle) {
  gen_listener *l = handle->data;
  uv_sem_post(&l->opened);
}

static void listener_on_closed(uv_handle_t *handle) {
  gen_listener *l = handle->data;
  gen_engine_untrack(l->engine, &l->link);
  if (l->on_closed) l->on_closed(l->ctx);
  uv_sem_destroy(&l->opened);
  free(l);
}

static void listener_close_handle(gen_listener *l) {
  if (!l->open) return;
  l->open = 0;
  uv_close((uv_handle_t *)&l->tcp, listener_on_closed);
}

static void listener_shutdown(gen_engine_link *link) {
  listener_close_handle(gen_container_of(link, gen_listener, link));
}

static void listener_open_run(gen_task *task) {
  gen_listener *l = gen_container_of(task, gen_listener, open_task);
  if (gen_engine_stopping(l->engine)) {
    l->open_err = GEN_ESTOPPED;
    uv_sem_post(&l->opened);
    return;
  }
  int rc = uv_tcp_init(gen_engine_uv_loop(l->engine), &l->tcp);
  if (rc != 0) {
    l->open_err = rc;
    uv_sem_post(&l->opened);
    return;
  }
  l->tcp.data = l;
  rc = uv_tcp_bind(&l->tcp, (const struct sockaddr *)&l->addr, 0);
  if (rc == 0) rc = uv_listen((uv_stream_t *)&l->tcp, l->backlog, listener_on_connection);
  if (rc == 0) {
    struct sockaddr_storage bound;
    int len = sizeof bound;
    rc = uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&bound, &len);
    if (rc == 0) {
      l->port = bound.ss_family == AF_INET6
                    ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                    : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
  }
  if (rc != 0) {
    /* The caller frees the listener, so it waits until the handle is closed. */
    l->open_err = rc;
    uv_close((uv_handle_t *)&l->tcp, listener_on_open_failed);
    return;
  }
  l->open = 1;
  gen_engine_track(l->engine, &l->link);
  uv_sem_post(&l->opened);
}

gen_listener *gen_listener_open(gen_engine *engine, const char *host, uint16_t port,
                                int backlog, const gen_conn_config *config,
                                gen_accept_cb on_accept, void *ctx, int *err) {
  int dummy;
  if (!err) err = &dummy;
  if (!engine || !host || gen_engine_on_loop_thread(engine)) {
    *err = GEN_EINVAL;
    return NULL;
  }
  if (gen_engine_stopping(engine)) {
    *err = GEN_ESTOPPED;
    return NULL;
  }
  gen_listener *l = calloc(1, sizeof *l);
  if (!l) {
    *err = GEN_ENOMEM;
    return NULL;
  }
  int rc = gen_resolve(host, port, &l->addr);
  if (rc == 0 && uv_sem_init(&l->opened, 0) != 0) rc = GEN_ENOMEM;
  if (rc != 0) {
    free(l);
    *err = rc;
    return NULL;
  }
  l->engine = engine;
  l->backlog = backlog > 0 ? backlog : 511;
  if (config) l->config = *config;
  else gen_conn_config_init(&l->config);
  gen_conn_config_normalize(&l->config);
  l->on_accept = on_accept;
  l->ctx = ctx;
  l->link.shutdown = listener_shutdown;
  l->open_task.run = listener_open_run;
  rc = gen_engine_schedule(engine, &l->open_task);
  if (rc == 0) {
    uv_sem_wait(&l->opened);
    rc = l->open_err;
  }
  if (rc != 0) {
    uv_sem_destroy(&l->opened);
    free(l);
    *err = rc;
    return NULL;
  }
  *err = 0;
  return l;
}

uint16_t gen_listener_port(const gen_listener *l) { return l ? l->port : 0; }

static void listener_close_run(gen_task *task) {
  listener_close_handle(gen_container_of(task, gen_listener, close_task));
}

void gen_listener_close(gen_listener *l, void (*on_closed)(void *ctx)) {
  if (!l || atomic_exchange(&l->close_requested, 1)) return;
  /* Published to the loop by the queue's release/acquire pair. */
  l->on_closed = on_closed;
  l->close_task.run = listener_close_run;
  if (gen_engine_on_loop_thread(l->engine)) listener_close_run(&l->close_task);
  else gen_engine_schedule(l->engine, &l->close_task);
}
