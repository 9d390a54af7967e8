/* The metric registry's costs: a counter increment (one thread; two threads
 * on one series and on two series), a histogram observation, and rendering
 * 10,000 series into Prometheus text. Beside them, the two floors a counter
 * increment sits between on this CPU: a relaxed load-add-store of one
 * memory cell (the least any counter that a scraper can read must do; in a
 * loop each increment waits for the previous store to be forwarded) and a
 * `lock`-prefixed atomic add (what a counter shared between threads pays).
 *
 * usage: metrics_bench [increments]   (default 100,000,000) */
#include "CGenesis.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static gen_series must(int64_t s) {
  if (s <= 0) {
    fprintf(stderr, "series: %s\n", gen_strerror((int)s));
    exit(1);
  }
  return (gen_series)s;
}

typedef struct job {
  gen_series series;
  long n;
} job;

static void *increment(void *arg) {
  job *j = arg;
  for (long i = 0; i < j->n; i++) gen_counter_add(j->series, 1);
  return NULL;
}

/* One cell, incremented as a per-thread shard is. */
__attribute__((noinline)) static void floor_load_add_store(uint64_t *cell, long n) {
  for (long i = 0; i < n; i++)
    __atomic_store_n(cell, __atomic_load_n(cell, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

/* One cell, incremented as a shared atomic counter is. */
__attribute__((noinline)) static void floor_atomic_add(uint64_t *cell, long n) {
  for (long i = 0; i < n; i++) __atomic_fetch_add(cell, 1, __ATOMIC_RELAXED);
}

/* Two threads at once; returns ns per increment as each thread sees it. */
static double two_threads(gen_series a, gen_series b, long n) {
  job ja = {a, n}, jb = {b, n};
  pthread_t t;
  double t0 = now_ns();
  pthread_create(&t, NULL, increment, &ja);
  increment(&jb);
  pthread_join(t, NULL);
  return (now_ns() - t0) / n;
}

static void render_bench(const char *what, int family_kind) {
  enum { SERIES = 10000, ROUNDS = 20 };
  int fam;
  if (family_kind == GEN_METRIC_HISTOGRAM)
    fam = gen_metric_family("bench_render_seconds", "Render benchmark.", GEN_METRIC_HISTOGRAM,
                            (const char *[]){"command"}, 1, GEN_BUCKETS_LATENCY, NULL, 0);
  else
    fam = gen_metric_family("bench_render", "Render benchmark.", GEN_METRIC_COUNTER,
                            (const char *[]){"command"}, 1, GEN_BUCKETS_NONE, NULL, 0);
  char v[32];
  for (int i = 0; i < SERIES; i++) {
    snprintf(v, sizeof v, "cmd%d", i);
    gen_series s = must(gen_metric_series(fam, (const char *[]){v}, 1));
    if (family_kind == GEN_METRIC_HISTOGRAM) {
      gen_histogram_observe(s, i * 0.00037);
      gen_histogram_observe(s, 0.5 + i);
    } else {
      gen_counter_add(s, (uint64_t)i * 7919);
    }
  }
  gen_buf b = {0};
  gen_metrics_render(&b); /* warm: the buffer reaches its size */
  double best = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    b.len = 0;
    double t0 = now_ns();
    gen_metrics_render(&b);
    double dt = now_ns() - t0;
    if (dt < best) best = dt;
  }
  printf("render 10,000 %-10s series  %8.3f ms  (%zu bytes, %.0f MB/s)\n", what, best / 1e6,
         b.len, b.len / (best / 1e9) / 1e6);
  gen_buf_free(&b);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000000L;
  gen_series a = must(gen_metric_series(GEN_M_COMMANDS_SENT, (const char *[]){"api"}, 1));
  gen_series b = must(gen_metric_series(GEN_M_COMMANDS_SENT, (const char *[]){"bgapi"}, 1));

  job j = {a, n};
  increment(&j); /* warm */
  double t0 = now_ns();
  increment(&j);
  printf("counter increment, 1 thread          %6.2f ns\n", (now_ns() - t0) / n);
  static uint64_t floor_cell;
  floor_load_add_store(&floor_cell, n / 4);
  t0 = now_ns();
  floor_load_add_store(&floor_cell, n);
  printf("floor: load-add-store of one cell     %6.2f ns\n", (now_ns() - t0) / n);
  t0 = now_ns();
  floor_atomic_add(&floor_cell, n);
  printf("floor: lock-prefixed atomic add       %6.2f ns\n", (now_ns() - t0) / n);
  printf("counter increment, 2 threads, 1 series %4.2f ns\n", two_threads(a, a, n / 4));
  printf("counter increment, 2 threads, 2 series %4.2f ns\n", two_threads(a, b, n / 4));

  gen_series h = must(gen_metric_series(GEN_M_COMMANDS_DURATION, (const char *[]){"api"}, 1));
  static double values[1024];
  for (int i = 0; i < 1024; i++) values[i] = (i * 7 % 1024) * 0.0001; /* spread over buckets */
  long hn = n / 4;
  t0 = now_ns();
  for (long i = 0; i < hn; i++) gen_histogram_observe(h, values[i & 1023]);
  printf("histogram observe, 1 thread          %6.2f ns\n", (now_ns() - t0) / hn);

  /* Each render in its own process: the registry only grows, and each
   * figure should be 10,000 series of one kind (plus the few above). */
  fflush(stdout);
  int kinds[2] = {GEN_METRIC_COUNTER, GEN_METRIC_HISTOGRAM};
  for (int k = 0; k < 2; k++) {
    pid_t pid = fork();
    if (pid == 0) {
      render_bench(k ? "histogram" : "counter", kinds[k]);
      fflush(stdout);
      _exit(0);
    }
    waitpid(pid, NULL, 0);
  }
  return 0;
}
