/* The engine: one libuv loop on its own thread. Other threads reach it only
 * through gen_engine_schedule (an MPSC queue plus one coalesced
 * uv_async_send), so no libuv handle is ever touched off the loop thread. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>

#include "gen_internal.h"

#define GEN_TIMER_BUCKETS 256

enum { GEN_TIMER_PENDING, GEN_TIMER_CANCELLED, GEN_TIMER_FIRED };

typedef struct gen_timer {
  gen_task start_task;
  gen_task cancel_task;
  uv_timer_t handle;
  gen_engine *engine;
  struct gen_timer *map_next;
  int64_t id;
  uint64_t ms;
  void (*fn)(void *arg);
  void *arg;
  /* One for the loop's ownership (dropped when the handle is closed or the
   * start is skipped) and one per cancel task in flight: the two tasks can
   * run in either order. */
  _Atomic int refs;
  int state;          /* GEN_TIMER_*, under engine->timer_lock */
  int started;        /* loop thread only */
  int closing;        /* loop thread only */
} gen_timer;

typedef struct gen_post {
  gen_task task;
  void (*fn)(void *arg);
  void *arg;
} gen_post;

struct gen_engine {
  /* Destroyed from its own loop thread (the last reference dropped inside a
   * callback): the thread cannot join itself, so it frees the engine when
   * its loop has ended. */
  _Atomic int free_on_exit;
  uv_loop_t loop;
  uv_async_t async;
  uv_prepare_t prepare;
  uv_check_t check;
  pthread_t thread;
  gen_mpsc queue;
  /* Set by the producer that finds the queue unarmed; only that one pays for
   * the uv_async_send syscall. The loop disarms before draining. */
  _Atomic int armed;
  _Atomic int stopping;  /* gen_engine_destroy has begun */
  _Atomic int closed;    /* the queue accepts nothing more */
  _Atomic int posters;   /* threads inside gen_engine_schedule, so the async handle outlives them */
  gen_task *deferred_head, *deferred_tail;
  gen_engine_link links;
  gen_task stop_task;
  pthread_mutex_t timer_lock;
  gen_timer *timers[GEN_TIMER_BUCKETS];
  _Atomic int64_t next_timer_id;
  /* gen_engine_frames; loop thread only, freed when the loop has ended. */
  gen_frame *frames;
  uint32_t frames_capacity;
};

/* Lets gen_engine_on_loop_thread answer without a syscall or a race with
 * pthread_create publishing the thread id. */
static _Thread_local gen_engine *gen_loop_engine;

/* ---- task queue ---------------------------------------------------------- */

static void engine_run_deferred(gen_engine *e) {
  while (e->deferred_head) {
    gen_task *task = e->deferred_head;
    e->deferred_head = task->deferred_next;
    if (!e->deferred_head) e->deferred_tail = NULL;
    task->run(task);
  }
}

static void engine_drain(gen_engine *e) {
  /* Disarm first: a producer that pushes after this point arms again and
   * wakes us, including one caught between its two push steps. */
  atomic_store(&e->armed, 0);
  gen_mpsc_node *node;
  while ((node = gen_mpsc_pop(&e->queue)) != NULL) {
    gen_task *task = gen_container_of(node, gen_task, node);
    task->run(task);
  }
}

static void engine_on_async(uv_async_t *async) {
  gen_engine *e = async->data;
  engine_drain(e);
  engine_run_deferred(e);
}

static void engine_on_prepare(uv_prepare_t *prepare) {
  engine_run_deferred(prepare->data);
}

static void engine_on_check(uv_check_t *check) {
  engine_run_deferred(check->data);
}

int gen_engine_schedule(gen_engine *e, gen_task *task) {
  if (gen_loop_engine == e) {
    if (atomic_load_explicit(&e->closed, memory_order_relaxed)) return GEN_ESTOPPED;
    task->deferred_next = NULL;
    if (e->deferred_tail) e->deferred_tail->deferred_next = task;
    else e->deferred_head = task;
    e->deferred_tail = task;
    return 0;
  }
  atomic_fetch_add(&e->posters, 1);
  if (atomic_load(&e->closed)) {
    atomic_fetch_sub(&e->posters, 1);
    return GEN_ESTOPPED;
  }
  gen_mpsc_push(&e->queue, &task->node);
  if (!atomic_exchange(&e->armed, 1)) uv_async_send(&e->async);
  atomic_fetch_sub(&e->posters, 1);
  return 0;
}

uv_loop_t *gen_engine_uv_loop(gen_engine *e) { return &e->loop; }

int gen_engine_stopping(const gen_engine *e) {
  return atomic_load(&((gen_engine *)e)->stopping);
}

int gen_engine_on_loop_thread(const gen_engine *e) { return gen_loop_engine == e; }

void gen_engine_track(gen_engine *e, gen_engine_link *link) {
  link->next = e->links.next;
  link->prev = &e->links;
  e->links.next->prev = link;
  e->links.next = link;
}

void gen_engine_untrack(gen_engine *e, gen_engine_link *link) {
  (void)e;
  if (!link->next) return;
  link->prev->next = link->next;
  link->next->prev = link->prev;
  link->next = link->prev = NULL;
}

/* ---- posts --------------------------------------------------------------- */

static void post_run(gen_task *task) {
  gen_post *post = gen_container_of(task, gen_post, task);
  void (*fn)(void *) = post->fn;
  void *arg = post->arg;
  free(post);
  fn(arg);
}

int gen_engine_post(gen_engine *e, void (*fn)(void *arg), void *arg) {
  if (!e || !fn) return GEN_EINVAL;
  if (atomic_load(&e->stopping)) return GEN_ESTOPPED;
  gen_post *post = malloc(sizeof *post);
  if (!post) return GEN_ENOMEM;
  post->task.run = post_run;
  post->fn = fn;
  post->arg = arg;
  int rc = gen_engine_schedule(e, &post->task);
  if (rc != 0) free(post);
  return rc;
}

/* ---- timers -------------------------------------------------------------- */

static gen_timer **timer_slot(gen_engine *e, int64_t id) {
  gen_timer **slot = &e->timers[(uint64_t)id % GEN_TIMER_BUCKETS];
  while (*slot && (*slot)->id != id) slot = &(*slot)->map_next;
  return slot;
}

static void timer_unlink(gen_engine *e, gen_timer *t) {
  gen_timer **slot = timer_slot(e, t->id);
  if (*slot) *slot = t->map_next;
}

static void timer_unref(gen_timer *t) {
  if (atomic_fetch_sub(&t->refs, 1) == 1) free(t);
}

static void timer_on_closed(uv_handle_t *handle) {
  timer_unref(handle->data);
}

static void timer_close(gen_timer *t) {
  if (!t->started || t->closing) return;
  t->closing = 1;
  uv_timer_stop(&t->handle);
  uv_close((uv_handle_t *)&t->handle, timer_on_closed);
}

static void timer_on_fire(uv_timer_t *handle) {
  gen_timer *t = handle->data;
  gen_engine *e = t->engine;
  pthread_mutex_lock(&e->timer_lock);
  int run = t->state == GEN_TIMER_PENDING;
  if (run) {
    t->state = GEN_TIMER_FIRED;
    timer_unlink(e, t);
  }
  pthread_mutex_unlock(&e->timer_lock);
  void (*fn)(void *) = t->fn;
  void *arg = t->arg;
  timer_close(t);
  if (run) fn(arg);
}

static void timer_start_run(gen_task *task) {
  gen_timer *t = gen_container_of(task, gen_timer, start_task);
  gen_engine *e = t->engine;
  pthread_mutex_lock(&e->timer_lock);
  /* A timer that reaches the loop after the shutdown sweep must not keep the
   * loop alive. */
  if (t->state == GEN_TIMER_PENDING && atomic_load(&e->stopping)) {
    t->state = GEN_TIMER_CANCELLED;
    timer_unlink(e, t);
  }
  int cancelled = t->state != GEN_TIMER_PENDING;
  pthread_mutex_unlock(&e->timer_lock);
  if (cancelled) {
    timer_unref(t);
    return;
  }
  uv_timer_init(&e->loop, &t->handle);
  t->handle.data = t;
  t->started = 1;
  uv_timer_start(&t->handle, timer_on_fire, t->ms, 0);
}

static void timer_cancel_run(gen_task *task) {
  gen_timer *t = gen_container_of(task, gen_timer, cancel_task);
  timer_close(t);
  timer_unref(t);
}

int64_t gen_engine_set_timer(gen_engine *e, uint64_t ms, void (*fn)(void *arg),
                             void *arg) {
  if (!e || !fn) return GEN_EINVAL;
  if (atomic_load(&e->stopping)) return GEN_ESTOPPED;
  gen_timer *t = calloc(1, sizeof *t);
  if (!t) return GEN_ENOMEM;
  t->engine = e;
  t->ms = ms;
  t->fn = fn;
  t->arg = arg;
  t->id = atomic_fetch_add(&e->next_timer_id, 1) + 1;
  t->state = GEN_TIMER_PENDING;
  atomic_init(&t->refs, 1);
  t->start_task.run = timer_start_run;
  t->cancel_task.run = timer_cancel_run;
  int64_t id = t->id;
  pthread_mutex_lock(&e->timer_lock);
  *timer_slot(e, id) = t;
  pthread_mutex_unlock(&e->timer_lock);
  if (gen_engine_schedule(e, &t->start_task) != 0) {
    pthread_mutex_lock(&e->timer_lock);
    int mine = t->state == GEN_TIMER_PENDING;
    if (mine) timer_unlink(e, t);
    pthread_mutex_unlock(&e->timer_lock);
    /* A concurrent cancel already owns the unlink; its task cannot run
     * either, so the last reference is ours to drop in both cases. */
    timer_unref(t);
    return GEN_ESTOPPED;
  }
  return id;
}

int gen_engine_cancel_timer(gen_engine *e, int64_t id) {
  if (!e || id <= 0) return 0;
  pthread_mutex_lock(&e->timer_lock);
  gen_timer *t = *timer_slot(e, id);
  if (!t || t->state != GEN_TIMER_PENDING) {
    pthread_mutex_unlock(&e->timer_lock);
    return 0;
  }
  t->state = GEN_TIMER_CANCELLED;
  timer_unlink(e, t);
  atomic_fetch_add(&t->refs, 1);
  pthread_mutex_unlock(&e->timer_lock);
  if (gen_loop_engine == e) timer_cancel_run(&t->cancel_task);
  else if (gen_engine_schedule(e, &t->cancel_task) != 0) timer_unref(t);
  return 1;
}

/* ---- shared read frames --------------------------------------------------- */

gen_frame *gen_engine_frames(gen_engine *e, uint32_t count) {
  if (count > e->frames_capacity) {
    gen_frame *grown = realloc(e->frames, sizeof(gen_frame) * count);
    if (!grown) return NULL;
    e->frames = grown;
    e->frames_capacity = count;
  }
  return e->frames;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void engine_stop_run(gen_task *task) {
  gen_engine *e = gen_container_of(task, gen_engine, stop_task);
  gen_engine_link *link = e->links.next;
  while (link != &e->links) {
    /* shutdown only starts an asynchronous close; the link stays valid. */
    gen_engine_link *next = link->next;
    link->shutdown(link);
    link = next;
  }
  pthread_mutex_lock(&e->timer_lock);
  for (size_t i = 0; i < GEN_TIMER_BUCKETS; i++) {
    gen_timer *t = e->timers[i];
    e->timers[i] = NULL;
    while (t) {
      gen_timer *next = t->map_next;
      t->state = GEN_TIMER_CANCELLED;
      timer_close(t);
      t = next;
    }
  }
  pthread_mutex_unlock(&e->timer_lock);
  /* The loop now ends once the last connection and listener have closed. */
  uv_unref((uv_handle_t *)&e->async);
}

static void *engine_main(void *arg) {
  gen_engine *e = arg;
  gen_loop_engine = e;
  uv_run(&e->loop, UV_RUN_DEFAULT);
  atomic_store(&e->closed, 1);
  while (atomic_load(&e->posters) != 0) sched_yield();
  /* Tasks posted before the queue shut still run (they were accepted). */
  do {
    engine_drain(e);
    engine_run_deferred(e);
  } while (e->deferred_head);
  uv_close((uv_handle_t *)&e->async, NULL);
  uv_close((uv_handle_t *)&e->prepare, NULL);
  uv_close((uv_handle_t *)&e->check, NULL);
  uv_run(&e->loop, UV_RUN_DEFAULT);
  uv_loop_close(&e->loop);
  free(e->frames);
  e->frames = NULL;
  gen_loop_engine = NULL;
  if (atomic_load(&e->free_on_exit)) {
    pthread_mutex_destroy(&e->timer_lock);
    free(e);
  }
  return NULL;
}

int gen_engine_create(gen_engine **out) {
  if (!out) return GEN_EINVAL;
  *out = NULL;
  /* libuv writes with plain write(2): a peer that vanished would otherwise
   * kill the process with SIGPIPE instead of failing that one write. Only a
   * default disposition is changed; an application's own handler stays. */
  struct sigaction pipe_action;
  if (sigaction(SIGPIPE, NULL, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL)
    signal(SIGPIPE, SIG_IGN);
  gen_engine *e = calloc(1, sizeof *e);
  if (!e) return GEN_ENOMEM;
  int rc = uv_loop_init(&e->loop);
  if (rc != 0) {
    free(e);
    return rc;
  }
  gen_mpsc_init(&e->queue);
  e->links.next = e->links.prev = &e->links;
  e->stop_task.run = engine_stop_run;
  pthread_mutex_init(&e->timer_lock, NULL);
  uv_async_init(&e->loop, &e->async, engine_on_async);
  e->async.data = e;
  /* prepare/check run the loop-thread deferrals before and after every poll,
   * without keeping the loop alive themselves. */
  uv_prepare_init(&e->loop, &e->prepare);
  e->prepare.data = e;
  uv_prepare_start(&e->prepare, engine_on_prepare);
  uv_unref((uv_handle_t *)&e->prepare);
  uv_check_init(&e->loop, &e->check);
  e->check.data = e;
  uv_check_start(&e->check, engine_on_check);
  uv_unref((uv_handle_t *)&e->check);
  rc = pthread_create(&e->thread, NULL, engine_main, e);
  if (rc != 0) {
    uv_close((uv_handle_t *)&e->async, NULL);
    uv_close((uv_handle_t *)&e->prepare, NULL);
    uv_close((uv_handle_t *)&e->check, NULL);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_loop_close(&e->loop);
    pthread_mutex_destroy(&e->timer_lock);
    free(e);
    return GEN_ENOMEM;
  }
  *out = e;
  return 0;
}

void gen_engine_destroy(gen_engine *e) {
  if (!e) return;
  atomic_store(&e->stopping, 1);
  if (pthread_equal(pthread_self(), e->thread)) {
    atomic_store(&e->free_on_exit, 1);
    gen_engine_schedule(e, &e->stop_task);
    pthread_detach(e->thread);
    return;
  }
  gen_engine_schedule(e, &e->stop_task);
  pthread_join(e->thread, NULL);
  pthread_mutex_destroy(&e->timer_lock);
  free(e);
}
