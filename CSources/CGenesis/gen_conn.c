/* TCP connections: reads into reference-counted slabs parsed in place, and a
 * write queue that any thread appends to and the loop flushes in batches.
 *
 * Threading: fields under "loop" are touched only on the loop thread. Other
 * threads set bits in op_bits and queue the connection's embedded op_task
 * once (op_queued), so a burst of calls costs one wake-up and no allocation.
 * Writers append to the tail segment under wlock; one flush task per batch.
 * A writer on another thread that finds the socket idle sends directly
 * (conn_write_through), so a lone request costs no loop wake-up; a writer
 * that knows more writes follow (gen_conn_write_batched) leaves its bytes to
 * the loop's next batch instead. */
#include <arpa/inet.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "gen_internal.h"

enum {
  GEN_OP_START = 1,
  GEN_OP_FLUSH = 2,
  GEN_OP_READ = 4,
  GEN_OP_CLOSE = 8,
  GEN_OP_ABORT = 16,
};

enum { GEN_H_NONE, GEN_H_OPEN, GEN_H_CLOSING, GEN_H_CLOSED };

#define GEN_SEG_MIN 16384u
/* A drained segment this small is kept for the next batch instead of freed. */
#define GEN_SEG_KEEP (1u << 20)
#define GEN_WRITE_IOV 64
#define GEN_REPEAT_IOV 256
/* Bytes of repeated copies handed to one uv_write: enough to fill a socket
 * buffer, small enough that the iovec array stays fixed. */
#define GEN_REPEAT_BYTES (256u * 1024u)

typedef struct gen_wseg {
  struct gen_wseg *next;
  char *data;
  size_t len, cap;
  /* Repeat segments: `data` is one copy, written `count` times. */
  int repeat;
  uint64_t count, written;
  void (*on_done)(void *arg, uint64_t written);
  void *arg;
} gen_wseg;

struct gen_conn {
  gen_task op_task;
  gen_engine_link link;
  gen_engine *engine;
  _Atomic int refs;
  _Atomic int op_queued;
  _Atomic unsigned op_bits;
  /* (resume generation << 1) | paused. The generation lets a pause decided
   * inside on_frames lose against a resume that raced with it. */
  _Atomic uint32_t read_ctl;
  /* on_close has run: calls that would post to the loop become no-ops, so a
   * connection still referenced after gen_engine_destroy stays safe to poke. */
  _Atomic int finished;
  gen_conn_config config;
  gen_conn_callbacks cb;
  struct sockaddr_storage remote;

  /* loop */
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_write_t write_req;
  uv_shutdown_t shutdown_req;
  int hstate, connected, reading, writing, shutting, close_after_flush;
  int close_reason;
  gen_slab *slab;
  uint32_t used;       /* bytes of the slab filled by reads */
  uint32_t parse_pos;  /* first byte not yet parsed into a frame */
  uint32_t need;       /* size of the partial frame at parse_pos, when known */
  uint32_t min_read;
  gen_wseg *inflight;  /* taken from the queue, being written in order */
  size_t inflight_segs;
  uint64_t inflight_bytes;
  uint64_t inflight_copies;

  /* any thread, under wlock */
  pthread_mutex_t wlock;
  gen_wseg *wq_head, *wq_tail, *spare;
  int wclosed;
  int flush_scheduled; /* a flush is queued or the loop is still writing */
  /* The loop owns queued bytes (taken, not yet all written). While it does
   * not, a writer on another thread may write straight to `fd`. */
  int loop_busy;
  int fd;              /* -1 until connected; never used after wclosed */
  _Atomic uint64_t queued;
  _Atomic int want_writable;

  /* written once on connect/accept, then read from any thread */
  _Atomic int names_ready;
  char peer[64], local[64];
  int peer_len, local_len;

  /* Metric series, resolved once per connection (gen_conn_metrics_init).
   * GEN_SERIES_NONE (a sink) for connections that are not ESL clients of
   * FreeSWITCH, such as the simulator's, so they never count. */
  gen_series m_bytes_read, m_bytes_written, m_pauses;
  const char *m_type;
};

static void conn_flush(gen_conn *c);
static void conn_apply_read(gen_conn *c);
static void conn_close_now(gen_conn *c, int reason);

/* Resolves the connection's series: `type` is "inbound" (we connected to
 * FreeSWITCH) or "outbound" (FreeSWITCH connected to us). Only connections
 * that parse FreeSWITCH's frames are measured. */
static void conn_metrics_init(gen_conn *c, const char *type) {
  if (c->config.parse_mode != GEN_PARSE_SERVER_FRAMES) return;
  const char *labels[1] = {type};
  int64_t s;
  c->m_type = type;
  if ((s = gen_metric_series(GEN_M_BYTES_READ, labels, 1)) > 0) c->m_bytes_read = (gen_series)s;
  if ((s = gen_metric_series(GEN_M_BYTES_WRITTEN, labels, 1)) > 0) c->m_bytes_written = (gen_series)s;
  if ((s = gen_metric_series(GEN_M_BACKPRESSURE_PAUSES, labels, 1)) > 0) c->m_pauses = (gen_series)s;
}

/* A malformed stream is rare and closes the connection, so resolving the
 * series here (a locked lookup) costs nothing on the hot path. */
static void conn_count_parse_error(gen_conn *c, int err) {
  if (!c->m_type) return;
  const char *labels[1] = {gen_metric_parse_error_kind(err)};
  int64_t s = gen_metric_series(GEN_M_PARSE_ERRORS, labels, 1);
  if (s > 0) gen_counter_add((gen_series)s, 1);
}

/* ---- configuration ------------------------------------------------------- */

void gen_conn_config_init(gen_conn_config *config) {
  memset(config, 0, sizeof *config);
  config->parse_mode = GEN_PARSE_SERVER_FRAMES;
  gen_parser_limits_init(&config->limits);
  config->slab_size = 256u * 1024u;
  config->write_high_watermark = 64ull << 20;
  config->write_low_watermark = 16ull << 20;
  config->max_batch = 1024;
}

void gen_conn_config_normalize(gen_conn_config *config) {
  gen_conn_config defaults;
  gen_conn_config_init(&defaults);
  if (config->limits.max_header_bytes == 0)
    config->limits.max_header_bytes = defaults.limits.max_header_bytes;
  if (config->limits.max_body_bytes == 0)
    config->limits.max_body_bytes = defaults.limits.max_body_bytes;
  if (config->slab_size == 0) config->slab_size = defaults.slab_size;
  if (config->write_high_watermark == 0)
    config->write_high_watermark = defaults.write_high_watermark;
  if (config->write_low_watermark >= config->write_high_watermark)
    config->write_low_watermark = config->write_high_watermark / 4;
  if (config->max_batch == 0) config->max_batch = defaults.max_batch;
}

int gen_resolve(const char *host, uint16_t port, struct sockaddr_storage *out) {
  memset(out, 0, sizeof *out);
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)out) == 0) return 0;
  if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)out) == 0) return 0;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) return UV_EAI_NONAME;
  memcpy(out, res->ai_addr, res->ai_addrlen);
  if (res->ai_family == AF_INET) ((struct sockaddr_in *)out)->sin_port = htons(port);
  else ((struct sockaddr_in6 *)out)->sin6_port = htons(port);
  freeaddrinfo(res);
  return 0;
}

/* ---- lifetime ------------------------------------------------------------ */

static void seg_free(gen_wseg *seg) {
  free(seg->data);
  free(seg);
}

static void conn_free(gen_conn *c) {
  gen_wseg *seg = c->wq_head;
  while (seg) {
    gen_wseg *next = seg->next;
    seg_free(seg);
    seg = next;
  }
  if (c->spare) seg_free(c->spare);
  pthread_mutex_destroy(&c->wlock);
  free(c);
}

void gen_conn_retain(gen_conn *c) { atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); }

void gen_conn_release(gen_conn *c) {
  if (!c) return;
  if (atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1) conn_free(c);
}

static void conn_op_run(gen_task *task);
static void conn_shutdown(gen_engine_link *link);

static gen_conn *conn_new(gen_engine *engine, const gen_conn_config *config, int refs) {
  gen_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  if (config) c->config = *config;
  else gen_conn_config_init(&c->config);
  gen_conn_config_normalize(&c->config);
  c->engine = engine;
  atomic_init(&c->refs, refs);
  c->op_task.run = conn_op_run;
  c->link.shutdown = conn_shutdown;
  c->hstate = GEN_H_NONE;
  uint32_t min_read = c->config.slab_size / 8;
  c->min_read = min_read > 4096 ? 4096 : (min_read ? min_read : 1);
  pthread_mutex_init(&c->wlock, NULL);
  c->fd = -1;
  return c;
}

/* Returns 0, or GEN_ESTOPPED when the engine no longer runs tasks. */
static int conn_schedule(gen_conn *c, unsigned bits) {
  if (atomic_load(&c->finished)) return GEN_ECLOSED;
  atomic_fetch_or(&c->op_bits, bits);
  if (atomic_exchange(&c->op_queued, 1)) return 0;
  gen_conn_retain(c);
  int rc = gen_engine_schedule(c->engine, &c->op_task);
  if (rc != 0) gen_conn_release(c);
  return rc;
}

/* Fails every queued write; repeat callers learn how far they got. */
static void conn_drop_writes(gen_conn *c) {
  pthread_mutex_lock(&c->wlock);
  c->wclosed = 1;
  gen_wseg *pending = c->wq_head;
  c->wq_head = c->wq_tail = NULL;
  pthread_mutex_unlock(&c->wlock);
  gen_wseg *lists[2] = {c->inflight, pending};
  c->inflight = NULL;
  for (int i = 0; i < 2; i++) {
    gen_wseg *seg = lists[i];
    while (seg) {
      gen_wseg *next = seg->next;
      if (seg->repeat && seg->on_done) seg->on_done(seg->arg, seg->written);
      seg_free(seg);
      seg = next;
    }
  }
  atomic_store(&c->queued, 0);
}

static void conn_finish(gen_conn *c) {
  c->hstate = GEN_H_CLOSED;
  atomic_store(&c->finished, 1);
  conn_drop_writes(c);
  gen_engine_untrack(c->engine, &c->link);
  gen_slab_release(c->slab);
  c->slab = NULL;
  if (c->cb.on_close) c->cb.on_close(c->cb.ctx, c, c->close_reason);
  gen_conn_release(c);
}

static void conn_on_closed(uv_handle_t *handle) {
  conn_finish(handle->data);
}

static void conn_close_now(gen_conn *c, int reason) {
  if (c->hstate != GEN_H_OPEN) return;
  c->hstate = GEN_H_CLOSING;
  c->close_reason = reason;
  pthread_mutex_lock(&c->wlock);
  c->wclosed = 1;
  pthread_mutex_unlock(&c->wlock);
  if (c->reading) uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = 0;
  uv_close((uv_handle_t *)&c->tcp, conn_on_closed);
}

static void conn_shutdown(gen_engine_link *link) {
  conn_close_now(gen_container_of(link, gen_conn, link), GEN_ESTOPPED);
}

/* Lets other threads write directly once the socket is connected. */
static void conn_publish_fd(gen_conn *c) {
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&c->tcp, &fd) != 0) return;
  pthread_mutex_lock(&c->wlock);
  c->fd = fd;
  pthread_mutex_unlock(&c->wlock);
}

static void conn_record_names(gen_conn *c) {
  struct sockaddr_storage addr;
  char ip[INET6_ADDRSTRLEN];
  struct {
    int (*get)(const uv_tcp_t *, struct sockaddr *, int *);
    char *out;
    int *len;
  } sides[2] = {{uv_tcp_getpeername, c->peer, &c->peer_len},
                {uv_tcp_getsockname, c->local, &c->local_len}};
  for (int i = 0; i < 2; i++) {
    int alen = sizeof addr;
    *sides[i].len = 0;
    if (sides[i].get(&c->tcp, (struct sockaddr *)&addr, &alen) != 0) continue;
    int n;
    if (addr.ss_family == AF_INET6) {
      struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&addr;
      uv_ip6_name(a6, ip, sizeof ip);
      n = snprintf(sides[i].out, 64, "[%s]:%u", ip, ntohs(a6->sin6_port));
    } else {
      struct sockaddr_in *a4 = (struct sockaddr_in *)&addr;
      uv_ip4_name(a4, ip, sizeof ip);
      n = snprintf(sides[i].out, 64, "%s:%u", ip, ntohs(a4->sin_port));
    }
    *sides[i].len = n > 0 && n < 64 ? n : 0;
  }
  atomic_store_explicit(&c->names_ready, 1, memory_order_release);
}

static int conn_name(const gen_conn *c, int peer, char *buf, size_t cap) {
  if (!c || !buf) return GEN_EINVAL;
  if (!atomic_load_explicit(&((gen_conn *)c)->names_ready, memory_order_acquire))
    return GEN_ECLOSED;
  int len = peer ? c->peer_len : c->local_len;
  if (len == 0) return GEN_ECLOSED;
  if ((size_t)len >= cap) return GEN_EINVAL;
  memcpy(buf, peer ? c->peer : c->local, (size_t)len + 1);
  return len;
}

int gen_conn_peer_name(const gen_conn *c, char *buf, size_t cap) { return conn_name(c, 1, buf, cap); }
int gen_conn_local_name(const gen_conn *c, char *buf, size_t cap) { return conn_name(c, 0, buf, cap); }

void gen_conn_set_callbacks(gen_conn *c, const gen_conn_callbacks *callbacks) {
  if (callbacks) c->cb = *callbacks;
  else memset(&c->cb, 0, sizeof c->cb);
}

/* ---- reading ------------------------------------------------------------- */

/* Makes room after the partial frame at parse_pos: rewinds the slab when
 * nobody else holds it, otherwise starts a new one and carries over only the
 * partial tail (frames handed out keep pointing into the old slab). */
static void conn_next_slab(gen_conn *c) {
  uint32_t tail = c->used - c->parse_pos;
  uint64_t want = (uint64_t)tail + c->min_read;
  if (c->need > want) want = c->need;
  if (c->slab && gen_slab_is_unique(c->slab) && want <= gen_slab_capacity(c->slab)) {
    char *data = (char *)gen_slab_data(c->slab);
    memmove(data, data + c->parse_pos, tail);
    c->used = tail;
    c->parse_pos = 0;
    return;
  }
  uint64_t cap = c->config.slab_size;
  /* A header block of unknown length grows geometrically, not a read at a time. */
  if (!c->need && (uint64_t)tail * 2 > cap) cap = (uint64_t)tail * 2;
  if (want > cap) cap = want;
  if (cap > UINT32_MAX) cap = UINT32_MAX;
  gen_slab *slab = gen_slab_create((uint32_t)cap);
  if (!slab) return;
  if (c->slab) {
    memcpy((char *)gen_slab_data(slab), gen_slab_data(c->slab) + c->parse_pos, tail);
    gen_slab_release(c->slab);
  }
  c->slab = slab;
  c->used = tail;
  c->parse_pos = 0;
}

static void conn_on_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  gen_conn *c = handle->data;
  uint32_t cap = c->slab ? gen_slab_capacity(c->slab) : 0;
  if (!c->slab || cap - c->used < c->min_read ||
      (uint64_t)c->parse_pos + c->need > cap) {
    conn_next_slab(c);
    cap = c->slab ? gen_slab_capacity(c->slab) : 0;
  }
  if (!c->slab || cap == c->used) {
    *buf = uv_buf_init(NULL, 0); /* read_cb then sees UV_ENOBUFS */
    return;
  }
  *buf = uv_buf_init((char *)gen_slab_data(c->slab) + c->used, cap - c->used);
}

static void conn_deliver(gen_conn *c, const gen_frame *batch, size_t count) {
  if (!c->cb.on_frames) return;
  uint32_t ctl = atomic_load(&c->read_ctl);
  if (c->cb.on_frames(c->cb.ctx, c, c->slab, batch, count)) {
    gen_counter_add(c->m_pauses, 1);
    /* Fails when a resume (or an explicit pause) came in meanwhile; either
     * way apply_read follows the newest state. */
    atomic_compare_exchange_strong(&c->read_ctl, &ctl, ctl | 1u);
    conn_apply_read(c);
  }
}

static void conn_parse(gen_conn *c) {
  gen_frame *batch = gen_engine_frames(c->engine, c->config.max_batch);
  if (!batch) {
    conn_close_now(c, GEN_ENOMEM);
    return;
  }
  const char *data = gen_slab_data(c->slab);
  uint32_t pos = c->parse_pos;
  size_t n = 0;
  int err = 0;
  c->need = 0;
  while (pos < c->used) {
    int64_t r = gen_parse_frame(data, pos, c->used, c->config.parse_mode,
                                &c->config.limits, &batch[n]);
    if (r < 0) {
      err = (int)r;
      break;
    }
    if (r == 0) {
      c->need = batch[n].size;
      break;
    }
    pos += (uint32_t)r;
    if (++n == c->config.max_batch) {
      c->parse_pos = pos;
      conn_deliver(c, batch, n);
      n = 0;
      if (c->hstate != GEN_H_OPEN) return;
    }
  }
  c->parse_pos = pos;
  if (n) conn_deliver(c, batch, n);
  if (err) {
    conn_count_parse_error(c, err);
    conn_close_now(c, err);
  }
}

static void conn_on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  gen_conn *c = stream->data;
  if (nread > 0) {
    c->used += (uint32_t)nread;
    gen_counter_add(c->m_bytes_read, (uint64_t)nread);
    conn_parse(c);
    if (c->config.release_idle_slab && c->slab && c->parse_pos == c->used) {
      gen_slab_release(c->slab);
      c->slab = NULL;
      c->used = c->parse_pos = 0;
    }
  } else if (nread == UV_EOF) {
    conn_close_now(c, GEN_EEOF);
  } else if (nread == UV_ENOBUFS) {
    conn_close_now(c, GEN_ENOMEM);
  } else if (nread < 0) {
    conn_close_now(c, (int)nread);
  }
}

static void conn_apply_read(gen_conn *c) {
  if (c->hstate != GEN_H_OPEN || !c->connected || c->close_after_flush) return;
  int paused = atomic_load(&c->read_ctl) & 1u;
  if (paused && c->reading) {
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
  } else if (!paused && !c->reading) {
    int rc = uv_read_start((uv_stream_t *)&c->tcp, conn_on_alloc, conn_on_read);
    if (rc < 0) conn_close_now(c, rc);
    else c->reading = 1;
  }
}

void gen_conn_pause_reading(gen_conn *c) {
  atomic_fetch_or(&c->read_ctl, 1u);
  if (gen_engine_on_loop_thread(c->engine)) conn_apply_read(c);
  else conn_schedule(c, GEN_OP_READ);
}

void gen_conn_resume_reading(gen_conn *c) {
  uint32_t ctl = atomic_load(&c->read_ctl);
  while (!atomic_compare_exchange_weak(&c->read_ctl, &ctl, ((ctl >> 1) + 1) << 1)) {
  }
  if (gen_engine_on_loop_thread(c->engine)) conn_apply_read(c);
  else conn_schedule(c, GEN_OP_READ);
}

/* ---- writing ------------------------------------------------------------- */

static void conn_on_shutdown(uv_shutdown_t *req, int status) {
  gen_conn *c = gen_container_of(req, gen_conn, shutdown_req);
  conn_close_now(c, 0);
}

static void conn_on_written(uv_write_t *req, int status);

static void conn_complete_repeats(gen_conn *c) {
  while (c->inflight && c->inflight->repeat &&
         (c->inflight->written == c->inflight->count || c->inflight->len == 0)) {
    gen_wseg *seg = c->inflight;
    c->inflight = seg->next;
    if (seg->len == 0) seg->written = seg->count;
    if (seg->on_done) seg->on_done(seg->arg, seg->written);
    seg_free(seg);
    if (c->hstate != GEN_H_OPEN) return;
  }
}

/* Retires the plain segments of a finished write (inflight_segs of them,
 * inflight_bytes in all): one small segment is kept as the next batch's
 * spare, and a writer waiting below the low watermark hears on_writable. */
static void conn_complete_segments(gen_conn *c) {
  gen_wseg *keep = NULL;
  for (size_t i = 0; i < c->inflight_segs; i++) {
    gen_wseg *seg = c->inflight;
    c->inflight = seg->next;
    if (!keep && seg->cap <= GEN_SEG_KEEP) keep = seg;
    else seg_free(seg);
  }
  c->inflight_segs = 0;
  atomic_fetch_sub(&c->queued, c->inflight_bytes);
  gen_counter_add(c->m_bytes_written, c->inflight_bytes);
  if (keep) {
    keep->len = 0;
    keep->next = NULL;
    pthread_mutex_lock(&c->wlock);
    gen_wseg *old = c->spare;
    c->spare = keep;
    pthread_mutex_unlock(&c->wlock);
    if (old) seg_free(old);
  }
  if (atomic_load(&c->want_writable) &&
      atomic_load(&c->queued) < c->config.write_low_watermark &&
      atomic_exchange(&c->want_writable, 0) && c->cb.on_writable) {
    c->cb.on_writable(c->cb.ctx, c);
  }
}

static void conn_flush(gen_conn *c) {
  for (;;) {
    if (c->hstate != GEN_H_OPEN || !c->connected || c->writing || c->shutting) return;
    for (;;) {
      if (!c->inflight) {
        pthread_mutex_lock(&c->wlock);
        c->inflight = c->wq_head;
        c->wq_head = c->wq_tail = NULL;
        c->flush_scheduled = 0;
        c->loop_busy = c->inflight != NULL;
        pthread_mutex_unlock(&c->wlock);
      }
      conn_complete_repeats(c);
      if (c->hstate != GEN_H_OPEN) return;
      if (c->inflight) break;
      pthread_mutex_lock(&c->wlock);
      int more = c->wq_head != NULL;
      pthread_mutex_unlock(&c->wlock);
      if (!more) break;
    }
    if (!c->inflight) {
      if (c->close_after_flush) {
        c->shutting = 1;
        int rc = uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, conn_on_shutdown);
        if (rc < 0) conn_close_now(c, 0);
      }
      return;
    }
    gen_wseg *seg = c->inflight;
    /* On the stack: uv_write copies the descriptors into its request, so
     * keeping them in the connection would only cost every idle connection
     * 4 KiB. */
    uv_buf_t iov[GEN_REPEAT_IOV > GEN_WRITE_IOV ? GEN_REPEAT_IOV : GEN_WRITE_IOV];
    uv_buf_t *first = iov;
    unsigned n = 0;
    if (!seg->repeat) {
      uint64_t bytes = 0;
      for (; seg && !seg->repeat && n < GEN_WRITE_IOV; seg = seg->next) {
        iov[n++] = uv_buf_init(seg->data, (unsigned)seg->len);
        bytes += seg->len;
      }
      c->inflight_segs = n;
      c->inflight_bytes = bytes;
      c->inflight_copies = 0;
      /* Nothing is queued inside libuv (one uv_write at a time, and none is
       * running), so the kernel can take the batch right here. A uv_write
       * that completes at once still defers its callback to the next loop
       * iteration and re-arms the socket's epoll registration (one
       * epoll_ctl per write); a write done here costs only the writev. */
      if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0) {
        int sent = uv_try_write((uv_stream_t *)&c->tcp, iov, n);
        if (sent >= 0 && (uint64_t)sent == bytes) {
          conn_complete_segments(c);
          continue;
        }
        if (sent < 0 && sent != UV_EAGAIN) {
          conn_close_now(c, sent);
          return;
        }
        /* What the kernel did not take goes through uv_write, which waits
         * for the socket to drain; the completion retires the whole batch. */
        size_t skip = sent > 0 ? (size_t)sent : 0;
        while (skip >= first->len) {
          skip -= first->len;
          first++;
          n--;
        }
        first->base += skip;
        first->len -= skip;
      }
    } else {
      uint64_t copies = GEN_REPEAT_BYTES / seg->len;
      if (copies == 0) copies = 1;
      if (copies > GEN_REPEAT_IOV) copies = GEN_REPEAT_IOV;
      if (copies > seg->count - seg->written) copies = seg->count - seg->written;
      for (; n < copies; n++) iov[n] = uv_buf_init(seg->data, (unsigned)seg->len);
      c->inflight_copies = copies;
    }
    c->writing = 1;
    int rc = uv_write(&c->write_req, (uv_stream_t *)&c->tcp, first, n, conn_on_written);
    if (rc < 0) {
      c->writing = 0;
      conn_close_now(c, rc);
    }
    return;
  }
}

static void conn_on_written(uv_write_t *req, int status) {
  gen_conn *c = gen_container_of(req, gen_conn, write_req);
  c->writing = 0;
  if (status < 0) {
    conn_close_now(c, status);
    return;
  }
  if (c->inflight_copies == 0) {
    conn_complete_segments(c);
  } else {
    c->inflight->written += c->inflight_copies;
    gen_counter_add(c->m_bytes_written, c->inflight_copies * c->inflight->len);
    conn_complete_repeats(c);
  }
  conn_flush(c);
}

/* Appends a segment to the shared queue; the caller holds wlock. Returns 1
 * when the caller must schedule a flush. */
static int conn_enqueue_locked(gen_conn *c, gen_wseg *seg) {
  seg->next = NULL;
  if (c->wq_tail) c->wq_tail->next = seg;
  else c->wq_head = seg;
  c->wq_tail = seg;
  int first = !c->flush_scheduled;
  c->flush_scheduled = 1;
  return first;
}

/* The write-through path: a command sent from another thread while the
 * socket is idle goes out from the caller's thread at once, instead of
 * paying a wake-up of the loop and a context switch per request (this is what
 * keeps request/reply latency close to a blocking client's). Runs under
 * wlock, which also keeps the fd open (close_now sets wclosed under it
 * first). Returns how many bytes the kernel took. */
static size_t conn_write_through(gen_conn *c, const void *const *pieces,
                                 const size_t *lengths, size_t count) {
  struct iovec iov[16];
  if (c->fd < 0 || c->loop_busy || c->wq_head || count > 16 ||
      gen_engine_on_loop_thread(c->engine))
    return 0;
  for (size_t i = 0; i < count; i++) {
    iov[i].iov_base = (void *)pieces[i];
    iov[i].iov_len = lengths[i];
  }
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = count;
  /* MSG_NOSIGNAL: a peer that went away is reported by the loop's read,
   * not by SIGPIPE. Errors are left to the loop's own write to report. */
  ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n > 0) gen_counter_add(c->m_bytes_written, (uint64_t)n);
  return n > 0 ? (size_t)n : 0;
}

static int conn_writev(gen_conn *c, const void *const *pieces, const size_t *lengths,
                       size_t count, int allow_through) {
  if (!c || (count && (!pieces || !lengths))) return GEN_EINVAL;
  size_t total = 0;
  for (size_t i = 0; i < count; i++) total += lengths[i];
  if (total == 0) return 0;
  pthread_mutex_lock(&c->wlock);
  if (c->wclosed) {
    pthread_mutex_unlock(&c->wlock);
    return GEN_ECLOSED;
  }
  uint64_t queued = atomic_load_explicit(&c->queued, memory_order_relaxed);
  if (queued > 0 && queued + total > c->config.write_high_watermark) {
    atomic_store(&c->want_writable, 1);
    pthread_mutex_unlock(&c->wlock);
    return GEN_EWRITEFULL;
  }
  size_t skip = allow_through ? conn_write_through(c, pieces, lengths, count) : 0;
  if (skip == total) {
    pthread_mutex_unlock(&c->wlock);
    return 0;
  }
  size_t rest = total - skip;
  gen_wseg *seg = c->wq_tail;
  int schedule = 0;
  if (seg && !seg->repeat) {
    if (seg->cap - seg->len < rest) {
      size_t cap = seg->cap * 2;
      if (cap < seg->len + rest) cap = seg->len + rest;
      char *data = realloc(seg->data, cap);
      if (!data) {
        pthread_mutex_unlock(&c->wlock);
        return GEN_ENOMEM;
      }
      seg->data = data;
      seg->cap = cap;
    }
  } else {
    seg = c->spare;
    if (seg && seg->cap >= rest) {
      c->spare = NULL;
    } else {
      size_t cap = rest > GEN_SEG_MIN ? rest : GEN_SEG_MIN;
      seg = calloc(1, sizeof *seg);
      char *data = seg ? malloc(cap) : NULL;
      if (!data) {
        free(seg);
        /* Bytes already sent cannot be taken back: the stream is broken. */
        if (skip) c->wclosed = 1;
        pthread_mutex_unlock(&c->wlock);
        if (skip) conn_schedule(c, GEN_OP_ABORT);
        return GEN_ENOMEM;
      }
      seg->data = data;
      seg->cap = cap;
    }
    schedule = conn_enqueue_locked(c, seg);
  }
  for (size_t i = 0; i < count; i++) {
    size_t len = lengths[i];
    const char *piece = pieces[i];
    if (skip >= len) {
      skip -= len;
      continue;
    }
    memcpy(seg->data + seg->len, piece + skip, len - skip);
    seg->len += len - skip;
    skip = 0;
  }
  atomic_fetch_add_explicit(&c->queued, rest, memory_order_relaxed);
  pthread_mutex_unlock(&c->wlock);
  if (schedule) conn_schedule(c, GEN_OP_FLUSH);
  return 0;
}

int gen_conn_writev(gen_conn *c, const void *const *pieces, const size_t *lengths,
                    size_t count) {
  return conn_writev(c, pieces, lengths, count, 1);
}

int gen_conn_writev_batched(gen_conn *c, const void *const *pieces, const size_t *lengths,
                            size_t count) {
  return conn_writev(c, pieces, lengths, count, 0);
}

int gen_conn_flush_queued(gen_conn *c, uint64_t at_least) {
  if (!c || !gen_engine_on_loop_thread(c->engine)) return 0;
  if (atomic_load_explicit(&c->queued, memory_order_relaxed) < at_least) return 0;
  conn_flush(c);
  return 1;
}

int gen_conn_write(gen_conn *c, const void *data, size_t len) {
  const void *pieces[1] = {data};
  return conn_writev(c, pieces, &len, 1, 1);
}

int gen_conn_write_batched(gen_conn *c, const void *data, size_t len) {
  const void *pieces[1] = {data};
  return conn_writev(c, pieces, &len, 1, 0);
}

int gen_conn_write_repeated(gen_conn *c, const void *data, size_t len, uint64_t count,
                            void (*on_done)(void *arg, uint64_t written), void *arg) {
  if (!c || (len && !data) || len > UINT32_MAX) return GEN_EINVAL;
  gen_wseg *seg = calloc(1, sizeof *seg);
  char *copy = seg ? malloc(len ? len : 1) : NULL;
  if (!copy) {
    free(seg);
    return GEN_ENOMEM;
  }
  if (len) memcpy(copy, data, len);
  seg->data = copy;
  seg->len = seg->cap = len;
  seg->repeat = 1;
  seg->count = count;
  seg->on_done = on_done;
  seg->arg = arg;
  pthread_mutex_lock(&c->wlock);
  if (c->wclosed) {
    pthread_mutex_unlock(&c->wlock);
    seg_free(seg);
    return GEN_ECLOSED;
  }
  int schedule = conn_enqueue_locked(c, seg);
  pthread_mutex_unlock(&c->wlock);
  if (schedule) conn_schedule(c, GEN_OP_FLUSH);
  return 0;
}

uint64_t gen_conn_write_queue_bytes(const gen_conn *c) {
  return atomic_load_explicit(&((gen_conn *)c)->queued, memory_order_relaxed);
}

/* ---- connecting, closing, ops -------------------------------------------- */

static void conn_on_connected(uv_connect_t *req, int status) {
  gen_conn *c = gen_container_of(req, gen_conn, connect_req);
  if (status == 0 && c->hstate != GEN_H_OPEN) status = UV_ECANCELED;
  if (status < 0) {
    if (c->cb.on_connect) c->cb.on_connect(c->cb.ctx, c, status);
    conn_close_now(c, status);
    return;
  }
  c->connected = 1;
  uv_tcp_nodelay(&c->tcp, 1);
  conn_record_names(c);
  conn_publish_fd(c);
  if (c->cb.on_connect) c->cb.on_connect(c->cb.ctx, c, 0);
  conn_apply_read(c);
  conn_flush(c);
}

static void conn_start(gen_conn *c) {
  int rc = GEN_ESTOPPED;
  if (!gen_engine_stopping(c->engine)) rc = uv_tcp_init(gen_engine_uv_loop(c->engine), &c->tcp);
  if (rc != 0) {
    /* No handle to close: fail right here, in the same order as a failed connect. */
    c->close_reason = rc;
    if (c->cb.on_connect) c->cb.on_connect(c->cb.ctx, c, rc);
    conn_finish(c);
    return;
  }
  c->tcp.data = c;
  c->hstate = GEN_H_OPEN;
  gen_engine_track(c->engine, &c->link);
  rc = uv_tcp_connect(&c->connect_req, &c->tcp, (const struct sockaddr *)&c->remote,
                      conn_on_connected);
  if (rc != 0) {
    if (c->cb.on_connect) c->cb.on_connect(c->cb.ctx, c, rc);
    conn_close_now(c, rc);
  }
}

static void conn_begin_graceful(gen_conn *c) {
  c->close_after_flush = 1;
  if (c->reading) uv_read_stop((uv_stream_t *)&c->tcp);
  c->reading = 0;
  conn_flush(c);
}

static void conn_run_ops(gen_conn *c, unsigned bits) {
  if (bits & GEN_OP_START) conn_start(c);
  if (c->hstate != GEN_H_OPEN) return;
  if (bits & GEN_OP_ABORT) conn_close_now(c, 0);
  else if (bits & GEN_OP_CLOSE) conn_begin_graceful(c);
  if (bits & GEN_OP_READ) conn_apply_read(c);
  if (bits & GEN_OP_FLUSH) conn_flush(c);
}

static void conn_op_run(gen_task *task) {
  gen_conn *c = gen_container_of(task, gen_conn, op_task);
  atomic_store(&c->op_queued, 0);
  conn_run_ops(c, atomic_exchange(&c->op_bits, 0));
  gen_conn_release(c);
}

void gen_conn_close(gen_conn *c, int abort) {
  if (!c) return;
  pthread_mutex_lock(&c->wlock);
  c->wclosed = 1;
  pthread_mutex_unlock(&c->wlock);
  unsigned bit = abort ? GEN_OP_ABORT : GEN_OP_CLOSE;
  /* On the loop thread the close takes effect before the caller's next line,
   * so no frame is delivered after it (unless a start is still queued). */
  if (gen_engine_on_loop_thread(c->engine) && c->hstate != GEN_H_NONE) conn_run_ops(c, bit);
  else conn_schedule(c, bit);
}

gen_conn *gen_conn_connect(gen_engine *engine, const char *host, uint16_t port,
                           const gen_conn_config *config,
                           const gen_conn_callbacks *callbacks, int *err) {
  int dummy;
  if (!err) err = &dummy;
  if (!engine || !host || !callbacks) {
    *err = GEN_EINVAL;
    return NULL;
  }
  if (gen_engine_stopping(engine)) {
    *err = GEN_ESTOPPED;
    return NULL;
  }
  struct sockaddr_storage remote;
  int rc = gen_resolve(host, port, &remote);
  if (rc != 0) {
    *err = rc;
    return NULL;
  }
  /* One reference for the caller, one for the engine until on_close. */
  gen_conn *c = conn_new(engine, config, 2);
  if (!c) {
    *err = GEN_ENOMEM;
    return NULL;
  }
  c->cb = *callbacks;
  c->remote = remote;
  conn_metrics_init(c, "inbound");
  if (conn_schedule(c, GEN_OP_START) != 0) {
    conn_free(c);
    *err = GEN_ESTOPPED;
    return NULL;
  }
  *err = 0;
  return c;
}

/* ---- accepted connections (gen_listener.c) ------------------------------- */

gen_conn *gen_conn_accepted(gen_engine *engine, uv_stream_t *server,
                            const gen_conn_config *config) {
  gen_conn *c = conn_new(engine, config, 1);
  if (!c) return NULL;
  if (uv_tcp_init(gen_engine_uv_loop(engine), &c->tcp) != 0) {
    conn_free(c);
    return NULL;
  }
  c->tcp.data = c;
  c->hstate = GEN_H_OPEN;
  conn_metrics_init(c, "outbound");
  gen_engine_track(engine, &c->link);
  if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
    conn_close_now(c, 0);
    return NULL;
  }
  c->connected = 1;
  uv_tcp_nodelay(&c->tcp, 1);
  conn_record_names(c);
  conn_publish_fd(c);
  return c;
}

void gen_conn_accepted_start(gen_conn *c, int refused) {
  if (refused) {
    conn_close_now(c, 0);
    return;
  }
  conn_apply_read(c);
  conn_flush(c);
}
