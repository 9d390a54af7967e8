/* A thin asynchronous Redis client: hiredis' async API driven by its libuv
 * adapter on the engine's loop. Callers on any thread post their work; only
 * the loop thread touches the redisAsyncContext. The protocol is hiredis';
 * this unit adds the handshake (AUTH, SELECT), thread hand-off, typed error
 * codes and a guaranteed callback order (every command's callback, then
 * on_close). */
#include "gen_internal.h"

#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct gen_redis {
  gen_engine *engine;
  gen_engine_link link;    /* so gen_engine_destroy closes a forgotten client */
  _Atomic int refs;        /* the caller's, the loop's (until on_close), posted tasks' */
  gen_redis_config config; /* host and password point into `strings` */
  char *strings;
  /* Loop thread only. */
  redisAsyncContext *ac;
  int setup_pending;       /* AUTH / SELECT replies still to come */
  int connected;
  int ready_reported;
  int finished;            /* the context is gone; on_close is scheduled */
  int reason;              /* what ended it (0 after gen_redis_close) */
};

/* One command on its way: the copied arguments and the caller's callback. */
typedef struct gen_redis_request {
  gen_redis *redis;
  gen_redis_reply_cb cb;
  void *arg;
  size_t argc;
  const char **argv;
  size_t *argv_len;
  int kind;                /* 0 command, 1 subscribe, 2 unsubscribe */
} gen_redis_request;

const char *gen_redis_strerror(int code) {
  switch (code) {
  case GEN_EREDIS_CONNECT: return "could not connect to redis";
  case GEN_EREDIS_IO: return "the redis connection failed";
  case GEN_EREDIS_PROTOCOL: return "redis sent a malformed reply";
  case GEN_EREDIS_AUTH: return "redis refused AUTH or SELECT";
  default: return gen_strerror(code);
  }
}

void gen_redis_config_init(gen_redis_config *config) {
  memset(config, 0, sizeof *config);
  config->host = "127.0.0.1";
  config->port = 6379;
}

void gen_redis_retain(gen_redis *r) { atomic_fetch_add(&r->refs, 1); }

void gen_redis_release(gen_redis *r) {
  if (!r) return;
  if (atomic_fetch_sub(&r->refs, 1) == 1) {
    free(r->strings);
    free(r);
  }
}

static int error_code(const redisAsyncContext *ac) {
  switch (ac->err) {
  case REDIS_ERR_PROTOCOL: return GEN_EREDIS_PROTOCOL;
  case REDIS_ERR_OOM: return GEN_ENOMEM;
  default: return GEN_EREDIS_IO;
  }
}

static void report_ready(gen_redis *r, int status) {
  if (r->ready_reported) return;
  r->ready_reported = 1;
  if (r->config.on_ready) r->config.on_ready(r->config.ctx, status);
}

static void deliver_close(void *arg) {
  gen_redis *r = arg;
  report_ready(r, r->reason != 0 ? r->reason : GEN_ECLOSED);
  if (r->config.on_close) r->config.on_close(r->config.ctx, r->reason);
  gen_redis_release(r); /* the loop's reference */
}

/* The context is gone (or going: hiredis still runs the pending callbacks
 * after this, on the same stack). on_close is deferred to the end of this
 * loop phase so that it comes after all of them. */
static void finish(gen_redis *r, int reason) {
  if (r->finished) return;
  r->finished = 1;
  r->ac = NULL;
  if (r->reason == 0) r->reason = reason;
  gen_engine_untrack(r->engine, &r->link);
  if (gen_engine_post(r->engine, deliver_close, r) != 0) deliver_close(r);
}

static void on_connect(const redisAsyncContext *ac, int status) {
  gen_redis *r = ac->data;
  if (status != REDIS_OK) {
    /* hiredis frees the context after this without a disconnect callback. */
    finish(r, GEN_EREDIS_CONNECT);
    return;
  }
  r->connected = 1;
  if (r->setup_pending == 0) report_ready(r, 0);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
  gen_redis *r = ac->data;
  finish(r, status == REDIS_OK ? 0 : error_code(ac));
}

static void on_setup_reply(redisAsyncContext *ac, void *reply_ptr, void *privdata) {
  gen_redis *r = privdata;
  redisReply *reply = reply_ptr;
  if (!reply || r->finished) return; /* the connection ended: on_close says why */
  if (reply->type == REDIS_REPLY_ERROR) {
    r->reason = GEN_EREDIS_AUTH;
    report_ready(r, GEN_EREDIS_AUTH);
    redisAsyncFree(ac); /* deferred by hiredis while in a callback */
    return;
  }
  if (--r->setup_pending == 0 && r->connected) report_ready(r, 0);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
  gen_redis_request *req = privdata;
  gen_redis *r = req->redis;
  if (reply)
    req->cb(req->arg, 0, (const gen_redis_reply *)reply);
  else
    req->cb(req->arg, r->reason != 0 ? r->reason : (ac->err ? error_code(ac) : GEN_ECLOSED), NULL);
  gen_redis_release(r);
  free(req);
}

/* Subscriber pushes: ["subscribe", ch, n], ["unsubscribe", ch, n],
 * ["message", ch, payload]. privdata is the client itself, which the loop
 * holds until on_close, so nothing is freed here. */
static void on_push(redisAsyncContext *ac, void *reply_ptr, void *privdata) {
  gen_redis *r = privdata;
  redisReply *reply = reply_ptr;
  if (!reply || !r->config.on_push) return;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  redisReply *type = reply->element[0], *channel = reply->element[1],
             *payload = reply->element[2];
  if (type->type != REDIS_REPLY_STRING || channel->type != REDIS_REPLY_STRING) return;
  if (strcasecmp(type->str, "message") == 0 && payload->type == REDIS_REPLY_STRING)
    r->config.on_push(r->config.ctx, GEN_REDIS_PUSH_MESSAGE, channel->str,
                      channel->len, payload->str, payload->len);
  else if (strcasecmp(type->str, "subscribe") == 0)
    r->config.on_push(r->config.ctx, GEN_REDIS_PUSH_SUBSCRIBED, channel->str,
                      channel->len, "", 0);
  else if (strcasecmp(type->str, "unsubscribe") == 0)
    r->config.on_push(r->config.ctx, GEN_REDIS_PUSH_UNSUBSCRIBED, channel->str,
                      channel->len, "", 0);
}

static void close_now(gen_redis *r) {
  if (r->finished) return;
  r->reason = 0;
  redisAsyncContext *ac = r->ac;
  if (!ac) {
    finish(r, 0);
    return;
  }
  /* Runs every pending callback with a NULL reply (they see GEN_ECLOSED),
   * and on_disconnect only if the connection had been made. */
  redisAsyncFree(ac);
  finish(r, 0);
}

static void link_shutdown(gen_engine_link *link) {
  close_now(gen_container_of(link, gen_redis, link));
}

/* hiredis 0.14's libuv adapter drops a poll callback that carries an error
 * status (libuv reports POLLERR that way, e.g. a refused connect), so
 * hiredis would never learn that the socket failed and the connection would
 * hang. These replace its four event hooks with the same logic plus the
 * later upstream fix: on an error status, let hiredis try the pending
 * direction, which reads the socket error and tears the context down. */
static void gen_redis_poll(uv_poll_t *handle, int status, int events) {
  redisLibuvEvents *p = handle->data;
  int ev = status != 0 ? p->events : events;
  if (p->context != NULL && (ev & UV_READABLE)) redisAsyncHandleRead(p->context);
  if (p->context != NULL && (ev & UV_WRITABLE)) redisAsyncHandleWrite(p->context);
}

static void gen_redis_poll_update(redisLibuvEvents *p) {
  if (p->events)
    uv_poll_start(&p->handle, p->events, gen_redis_poll);
  else
    uv_poll_stop(&p->handle);
}

static void gen_redis_add_read(void *privdata) {
  redisLibuvEvents *p = privdata;
  p->events |= UV_READABLE;
  gen_redis_poll_update(p);
}

static void gen_redis_del_read(void *privdata) {
  redisLibuvEvents *p = privdata;
  p->events &= ~UV_READABLE;
  gen_redis_poll_update(p);
}

static void gen_redis_add_write(void *privdata) {
  redisLibuvEvents *p = privdata;
  p->events |= UV_WRITABLE;
  gen_redis_poll_update(p);
}

static void gen_redis_del_write(void *privdata) {
  redisLibuvEvents *p = privdata;
  p->events &= ~UV_WRITABLE;
  gen_redis_poll_update(p);
}

static void open_run(void *arg) {
  gen_redis *r = arg;
  gen_engine_track(r->engine, &r->link);
  redisAsyncContext *ac = redisAsyncConnect(r->config.host, r->config.port);
  if (!ac || ac->err) {
    if (ac) redisAsyncFree(ac);
    r->ac = NULL;
    finish(r, GEN_EREDIS_CONNECT);
    return;
  }
  ac->data = r;
  if (redisLibuvAttach(ac, gen_engine_uv_loop(r->engine)) != REDIS_OK) {
    redisAsyncFree(ac);
    finish(r, GEN_ENOMEM);
    return;
  }
  ac->ev.addRead = gen_redis_add_read;
  ac->ev.delRead = gen_redis_del_read;
  ac->ev.addWrite = gen_redis_add_write;
  ac->ev.delWrite = gen_redis_del_write;
  r->ac = ac;
  redisAsyncSetConnectCallback(ac, on_connect);
  redisAsyncSetDisconnectCallback(ac, on_disconnect);
  /* The handshake goes first in hiredis' output buffer, ahead of any
   * command the caller queues before on_ready. */
  if (r->config.password) {
    const char *argv[] = {"AUTH", r->config.password};
    size_t len[] = {4, strlen(r->config.password)};
    if (redisAsyncCommandArgv(ac, on_setup_reply, r, 2, argv, len) == REDIS_OK)
      r->setup_pending++;
  }
  if (r->config.db != 0) {
    char db[16];
    int n = snprintf(db, sizeof db, "%u", r->config.db);
    const char *argv[] = {"SELECT", db};
    size_t len[] = {6, (size_t)n};
    if (redisAsyncCommandArgv(ac, on_setup_reply, r, 2, argv, len) == REDIS_OK)
      r->setup_pending++;
  }
}

int gen_redis_open(gen_engine *engine, const gen_redis_config *config,
                   gen_redis **out) {
  if (!engine || !config || !out) return GEN_EINVAL;
  *out = NULL;
  gen_redis *r = calloc(1, sizeof *r);
  if (!r) return GEN_ENOMEM;
  r->engine = engine;
  r->link.shutdown = link_shutdown;
  r->config = *config;
  const char *host = config->host ? config->host : "127.0.0.1";
  size_t host_len = strlen(host) + 1;
  size_t pass_len = config->password ? strlen(config->password) + 1 : 0;
  r->strings = malloc(host_len + pass_len);
  if (!r->strings) {
    free(r);
    return GEN_ENOMEM;
  }
  memcpy(r->strings, host, host_len);
  r->config.host = r->strings;
  if (config->password) {
    memcpy(r->strings + host_len, config->password, pass_len);
    r->config.password = r->strings + host_len;
  }
  if (r->config.port == 0) r->config.port = 6379;
  atomic_init(&r->refs, 2); /* the caller's and the loop's */
  int rc = gen_engine_post(engine, open_run, r);
  if (rc != 0) {
    free(r->strings);
    free(r);
    return rc;
  }
  *out = r;
  return 0;
}

static void request_run(void *arg) {
  gen_redis_request *req = arg;
  gen_redis *r = req->redis;
  int rc = REDIS_ERR;
  if (!r->finished && r->ac) {
    if (req->kind == 0)
      rc = redisAsyncCommandArgv(r->ac, on_reply, req, (int)req->argc, req->argv,
                                 req->argv_len);
    else
      /* (UN)SUBSCRIBE replies arrive as pushes (on_push, per channel). */
      rc = redisAsyncCommandArgv(r->ac, on_push, r, (int)req->argc, req->argv,
                                 req->argv_len);
  }
  if (req->kind == 0 && rc == REDIS_OK) return; /* on_reply owns req now */
  if (req->kind == 0)
    req->cb(req->arg, r->finished ? (r->reason ? r->reason : GEN_ECLOSED) : GEN_EINVAL, NULL);
  gen_redis_release(r);
  free(req);
}

static int post_request(gen_redis *r, int kind, size_t argc,
                        const char *const *argv, const size_t *argv_len,
                        gen_redis_reply_cb cb, void *arg) {
  if (!r || argc == 0 || argc > INT32_MAX || !argv || !argv_len) return GEN_EINVAL;
  if (kind == 0 && !cb) return GEN_EINVAL;
  size_t bytes = 0;
  for (size_t i = 0; i < argc; i++) bytes += argv_len[i];
  /* One block: the request, the pointer and length arrays, the bytes. */
  size_t head = sizeof(gen_redis_request) + argc * (sizeof(char *) + sizeof(size_t));
  gen_redis_request *req = malloc(head + bytes);
  if (!req) return GEN_ENOMEM;
  req->redis = r;
  req->cb = cb;
  req->arg = arg;
  req->argc = argc;
  req->kind = kind;
  req->argv = (const char **)(req + 1);
  req->argv_len = (size_t *)(req->argv + argc);
  char *data = (char *)req + head;
  for (size_t i = 0; i < argc; i++) {
    if (argv_len[i]) memcpy(data, argv[i], argv_len[i]);
    req->argv[i] = data;
    req->argv_len[i] = argv_len[i];
    data += argv_len[i];
  }
  gen_redis_retain(r);
  int rc = gen_engine_post(r->engine, request_run, req);
  if (rc != 0) {
    gen_redis_release(r);
    free(req);
  }
  return rc;
}

int gen_redis_command(gen_redis *r, size_t argc, const char *const *argv,
                      const size_t *argv_len, gen_redis_reply_cb cb, void *arg) {
  return post_request(r, 0, argc, argv, argv_len, cb, arg);
}

int gen_redis_subscribe(gen_redis *r, const char *channel, size_t len) {
  const char *argv[] = {"SUBSCRIBE", channel};
  size_t lens[] = {9, len};
  return post_request(r, 1, 2, argv, lens, NULL, NULL);
}

int gen_redis_unsubscribe(gen_redis *r, const char *channel, size_t len) {
  const char *argv[] = {"UNSUBSCRIBE", channel};
  size_t lens[] = {11, len};
  return post_request(r, 2, 2, argv, lens, NULL, NULL);
}

static void close_run(void *arg) {
  gen_redis *r = arg;
  close_now(r);
  gen_redis_release(r);
}

void gen_redis_close(gen_redis *r) {
  if (!r) return;
  gen_redis_retain(r);
  if (gen_engine_post(r->engine, close_run, r) != 0)
    gen_redis_release(r); /* the engine is stopping: it closes us itself */
}

int gen_redis_reply_type(const gen_redis_reply *reply) {
  return ((const redisReply *)reply)->type;
}

int64_t gen_redis_reply_integer(const gen_redis_reply *reply) {
  return ((const redisReply *)reply)->integer;
}

const char *gen_redis_reply_string(const gen_redis_reply *reply, size_t *len) {
  const redisReply *r = (const redisReply *)reply;
  if (len) *len = r->str ? r->len : 0;
  return r->str ? r->str : "";
}

size_t gen_redis_reply_count(const gen_redis_reply *reply) {
  const redisReply *r = (const redisReply *)reply;
  return r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
}

const gen_redis_reply *gen_redis_reply_element(const gen_redis_reply *reply,
                                               size_t index) {
  const redisReply *r = (const redisReply *)reply;
  if (r->type != REDIS_REPLY_ARRAY || index >= r->elements) return NULL;
  return (const gen_redis_reply *)r->element[index];
}
