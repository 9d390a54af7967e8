/* The engine's loop thread: posting from many threads, timers, shutdown. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "CGenesis.h"
#include "gen_test.h"

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Polls `flag` until it reaches `want` or about two seconds pass. */
static int wait_for(_Atomic long *flag, long want) {
  for (int i = 0; i < 2000 && atomic_load(flag) < want; i++) sleep_ms(1);
  return atomic_load(flag) >= want;
}

typedef struct post_state {
  gen_engine *engine;
  _Atomic long count;
  _Atomic long off_loop;
  long last_seen[8];
  _Atomic long out_of_order;
} post_state;

typedef struct post_arg {
  post_state *state;
  int thread;
  long seq;
} post_arg;

static void count_post(void *p) {
  post_arg *arg = p;
  post_state *s = arg->state;
  if (!gen_engine_on_loop_thread(s->engine)) atomic_fetch_add(&s->off_loop, 1);
  /* Per producer FIFO: the loop must see each thread's posts in order. */
  if (arg->seq != s->last_seen[arg->thread] + 1) atomic_fetch_add(&s->out_of_order, 1);
  s->last_seen[arg->thread] = arg->seq;
  atomic_fetch_add(&s->count, 1);
  free(arg);
}

enum { POSTERS = 8, POSTS_PER_THREAD = 20000 };

typedef struct poster {
  post_state *state;
  int thread;
} poster;

static void *post_many(void *p) {
  poster *me = p;
  for (long i = 1; i <= POSTS_PER_THREAD; i++) {
    post_arg *arg = malloc(sizeof *arg);
    arg->state = me->state;
    arg->thread = me->thread;
    arg->seq = i;
    while (gen_engine_post(me->state->engine, count_post, arg) != 0) sched_yield();
  }
  return NULL;
}

GEN_TEST(postsFromManyThreadsRunOnTheLoopInOrder) {
  post_state state = {0};
  for (int i = 0; i < POSTERS; i++) state.last_seen[i] = 0;
  GEN_CHECK_EQ_INT(gen_engine_create(&state.engine), 0);
  GEN_CHECK(!gen_engine_on_loop_thread(state.engine));
  pthread_t threads[POSTERS];
  poster posters[POSTERS];
  for (int i = 0; i < POSTERS; i++) {
    posters[i].state = &state;
    posters[i].thread = i;
    pthread_create(&threads[i], NULL, post_many, &posters[i]);
  }
  for (int i = 0; i < POSTERS; i++) pthread_join(threads[i], NULL);
  GEN_CHECK(wait_for(&state.count, (long)POSTERS * POSTS_PER_THREAD));
  GEN_CHECK_EQ_INT(atomic_load(&state.count), (long)POSTERS * POSTS_PER_THREAD);
  GEN_CHECK_EQ_INT(atomic_load(&state.off_loop), 0);
  GEN_CHECK_EQ_INT(atomic_load(&state.out_of_order), 0);
  gen_engine_destroy(state.engine);
}

static void bump(void *p) { atomic_fetch_add((_Atomic long *)p, 1); }

GEN_TEST(timersFireAndCancelledTimersDoNot) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  _Atomic long fired = 0, cancelled = 0;
  int64_t a = gen_engine_set_timer(engine, 10, bump, &fired);
  int64_t b = gen_engine_set_timer(engine, 50, bump, &cancelled);
  int64_t c = gen_engine_set_timer(engine, 0, bump, &fired);
  GEN_CHECK(a > 0 && b > 0 && c > 0 && a != b && b != c);
  GEN_CHECK_EQ_INT(gen_engine_cancel_timer(engine, b), 1);
  GEN_CHECK_EQ_INT(gen_engine_cancel_timer(engine, b), 0);
  GEN_CHECK(wait_for(&fired, 2));
  sleep_ms(100);
  GEN_CHECK_EQ_INT(atomic_load(&fired), 2);
  GEN_CHECK_EQ_INT(atomic_load(&cancelled), 0);
  /* Fired and unknown ids are not cancellable. */
  GEN_CHECK_EQ_INT(gen_engine_cancel_timer(engine, a), 0);
  GEN_CHECK_EQ_INT(gen_engine_cancel_timer(engine, 999999), 0);
  gen_engine_destroy(engine);
}

typedef struct loop_cancel {
  gen_engine *engine;
  int64_t victim;
  _Atomic long result;
  _Atomic long done;
} loop_cancel;

static void cancel_on_loop(void *p) {
  loop_cancel *lc = p;
  atomic_store(&lc->result, gen_engine_cancel_timer(lc->engine, lc->victim));
  atomic_store(&lc->done, 1);
}

GEN_TEST(cancelOnTheLoopThreadIsExact) {
  loop_cancel lc = {0};
  _Atomic long fired = 0;
  GEN_CHECK_EQ_INT(gen_engine_create(&lc.engine), 0);
  lc.victim = gen_engine_set_timer(lc.engine, 20, bump, &fired);
  /* A 10 ms timer cancels the 20 ms one from inside the loop. */
  gen_engine_set_timer(lc.engine, 10, cancel_on_loop, &lc);
  GEN_CHECK(wait_for(&lc.done, 1));
  sleep_ms(60);
  GEN_CHECK_EQ_INT(atomic_load(&lc.result), 1);
  GEN_CHECK_EQ_INT(atomic_load(&fired), 0);
  gen_engine_destroy(lc.engine);
}

GEN_TEST(manyTimersFromManyThreads) {
  gen_engine *engine;
  GEN_CHECK_EQ_INT(gen_engine_create(&engine), 0);
  _Atomic long fired = 0;
  long cancelled = 0;
  for (int i = 0; i < 2000; i++) {
    int64_t id = gen_engine_set_timer(engine, (uint64_t)(i % 5), bump, &fired);
    GEN_CHECK(id > 0);
    if (i % 2 == 0) cancelled += gen_engine_cancel_timer(engine, id);
  }
  GEN_CHECK(wait_for(&fired, 2000 - cancelled));
  sleep_ms(30);
  GEN_CHECK_EQ_INT(atomic_load(&fired), 2000 - cancelled);
  gen_engine_destroy(engine);
}

static void *spam_posts(void *p) {
  post_state *s = p;
  long accepted = 0;
  for (int i = 0; i < 100000; i++) accepted += gen_engine_post(s->engine, bump, &s->count) == 0;
  atomic_fetch_add(&s->off_loop, accepted);
  return NULL;
}

GEN_TEST(destroyWhileBusyRunsEveryAcceptedPost) {
  post_state state = {0};
  GEN_CHECK_EQ_INT(gen_engine_create(&state.engine), 0);
  _Atomic long never = 0;
  /* Pending timers are dropped, not run, at destroy. */
  gen_engine_set_timer(state.engine, 60000, bump, &never);
  pthread_t threads[2];
  for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, spam_posts, &state);
  for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
  /* The loop is still draining the backlog when destroy begins. */
  gen_engine_destroy(state.engine);
  /* off_loop here counts accepted posts: each ran exactly once. */
  GEN_CHECK_EQ_INT(atomic_load(&state.off_loop), 200000);
  GEN_CHECK_EQ_INT(atomic_load(&state.count), atomic_load(&state.off_loop));
  GEN_CHECK_EQ_INT(atomic_load(&never), 0);
}

typedef struct {
  gen_engine *engine;
  _Atomic int destroyed;
} self_destroy_state;

static void destroy_from_the_loop(void *p) {
  self_destroy_state *s = p;
  gen_engine_destroy(s->engine);
  atomic_store(&s->destroyed, 1);
}

GEN_TEST(destroyFromTheLoopThreadReturnsAndFreesLater) {
  /* The last reference of an engine can be dropped inside one of its own
   * callbacks: destroy then must neither join its own thread nor free the
   * loop under its feet (ASan reports either). */
  self_destroy_state state = {0};
  GEN_CHECK_EQ_INT(gen_engine_create(&state.engine), 0);
  GEN_CHECK(gen_engine_set_timer(state.engine, 1, destroy_from_the_loop, &state) >= 0);
  for (int i = 0; i < 2000 && !atomic_load(&state.destroyed); i++) usleep(1000);
  GEN_CHECK_EQ_INT(atomic_load(&state.destroyed), 1);
  usleep(50000); /* the detached thread finishes and frees; LeakSanitizer checks at exit */
}

int main(void) {
  static const gen_test_case cases[] = {
      GEN_CASE(postsFromManyThreadsRunOnTheLoopInOrder),
      GEN_CASE(timersFireAndCancelledTimersDoNot),
      GEN_CASE(cancelOnTheLoopThreadIsExact),
      GEN_CASE(manyTimersFromManyThreads),
      GEN_CASE(destroyWhileBusyRunsEveryAcceptedPost),
      GEN_CASE(destroyFromTheLoopThreadReturnsAndFreesLater),
  };
  return gen_test_run("engine", cases, sizeof cases / sizeof cases[0]);
}
