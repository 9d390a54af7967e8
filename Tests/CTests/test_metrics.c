/* The metric registry and its Prometheus rendering: exact totals under
 * concurrency, bucket placement, the text format, the switches read from the
 * environment. */
#include "gen_test.h"

#include "CGenesis.h"
#include "gen_metrics_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Renders the registry into a NUL-terminated malloc'd string. */
static char *render(void) {
  gen_buf b = {0};
  GEN_CHECK_EQ_INT(gen_metrics_render(&b), 0);
  char *s = malloc(b.len + 1);
  memcpy(s, b.data, b.len);
  s[b.len] = '\0';
  gen_buf_free(&b);
  return s;
}

static int contains(const char *text, const char *needle) {
  if (!strstr(text, needle)) {
    fprintf(stderr, "  missing from the exposition: %s\n", needle);
    return 0;
  }
  return 1;
}

/* Runs before anything touches the registry: the environment is read once,
 * so the child process is the one that sees OTEL_SDK_DISABLED. */
GEN_TEST(sdk_disabled_env_turns_recording_off) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("OTEL_SDK_DISABLED", "true", 1);
    int ok = gen_metrics_enabled() == 0;
    int64_t s = gen_metric_series(GEN_M_COMMANDS_SENT, (const char *[]){"api"}, 1);
    gen_counter_add((gen_series)s, 5);
    ok = ok && gen_counter_value((gen_series)s) == 0;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  GEN_CHECK(pid > 0);
  GEN_CHECK(waitpid(pid, &status, 0) == pid);
  GEN_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

GEN_TEST(target_info_carries_the_resource) {
  GEN_CHECK(gen_metrics_enabled());
  char *text = render();
  /* The first family, as OpenTelemetry's exporter writes it. */
  GEN_CHECK(strncmp(text, "# HELP target_info Target metadata\n# TYPE target_info gauge\n", 59) == 0);
  GEN_CHECK(contains(text,
      "target_info{service_name=\"svc-test\",deployment_environment=\"staging\","
      "team=\"a b,c\"} 1\n"));
  free(text);
}

typedef struct hammer {
  gen_series counter, fcounter, gauge, hist;
  int iterations;
  pthread_barrier_t start;
  _Atomic int running;
} hammer;

static void *hammer_run(void *arg) {
  hammer *h = arg;
  /* All alive at once: more threads than per-thread shards, so some record
   * through the shared atomics, and shards fold in as threads exit. */
  pthread_barrier_wait(&h->start);
  for (int i = 0; i < h->iterations; i++) {
    gen_counter_add(h->counter, 1);
    gen_counter_add_double(h->fcounter, 0.5);
    gen_gauge_add(h->gauge, 1);
    gen_histogram_observe(h->hist, (i % 2) ? 0.0009765625 : 2.0); /* exact sums */
  }
  atomic_fetch_sub(&h->running, 1);
  return NULL;
}

GEN_TEST(concurrent_recording_gives_exact_totals) {
  hammer h = {0};
  h.iterations = 20000;
  h.counter = (gen_series)gen_metric_series(GEN_M_COMMANDS_SENT, (const char *[]){"hammer"}, 1);
  h.fcounter = (gen_series)gen_metric_series(GEN_M_BYTES_READ, (const char *[]){"hammer"}, 1);
  h.gauge = (gen_series)gen_metric_series(GEN_M_COMMANDS_IN_FLIGHT, (const char *[]){"hammer"}, 1);
  h.hist = (gen_series)gen_metric_series(GEN_M_COMMANDS_DURATION, (const char *[]){"hammer"}, 1);
  GEN_CHECK(h.counter > 0 && h.fcounter > 0 && h.gauge > 0 && h.hist > 0);
  enum { THREADS = 40 };
  pthread_t t[THREADS];
  pthread_barrier_init(&h.start, NULL, THREADS);
  atomic_store(&h.running, THREADS);
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, hammer_run, &h);
  /* A scrape racing the recorders (and the folds) never sees a counter go
   * back, which Prometheus would read as a reset. */
  double last = 0;
  while (atomic_load(&h.running) > 0) {
    double now = gen_counter_value(h.counter);
    GEN_CHECK(now >= last);
    last = now;
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&h.start);
  double n = (double)THREADS * h.iterations;
  GEN_CHECK(gen_counter_value(h.counter) == n);
  GEN_CHECK(gen_counter_value(h.fcounter) == n / 2);
  GEN_CHECK(gen_gauge_value(h.gauge) == n);
  GEN_CHECK_EQ_INT(gen_histogram_count(h.hist), (long long)n);
  GEN_CHECK(gen_histogram_sum(h.hist) == n / 2 * 2.0 + n / 2 * 0.0009765625);
  char *text = render();
  GEN_CHECK(contains(text, "genesis_commands_sent_total{command=\"hammer\"} 800000\n"));
  GEN_CHECK(contains(text, "genesis_bytes_read_total{type=\"hammer\"} 400000\n"));
  GEN_CHECK(contains(text, "genesis_commands_duration_seconds_bucket{command=\"hammer\",le=\"0.001\"} 400000\n"));
  GEN_CHECK(contains(text, "genesis_commands_duration_seconds_bucket{command=\"hammer\",le=\"1\"} 400000\n"));
  GEN_CHECK(contains(text, "genesis_commands_duration_seconds_bucket{command=\"hammer\",le=\"2.5\"} 800000\n"));
  GEN_CHECK(contains(text, "genesis_commands_duration_seconds_bucket{command=\"hammer\",le=\"+Inf\"} 800000\n"));
  GEN_CHECK(contains(text, "genesis_commands_duration_seconds_count{command=\"hammer\"} 800000\n"));
  free(text);
}

GEN_TEST(histogram_buckets_are_inclusive_cumulative_and_end_in_inf) {
  const double bounds[] = {0.125, 1, 5};
  int fam = gen_metric_family("test.placement.seconds", "Placement.", GEN_METRIC_HISTOGRAM,
                              (const char *[]){"k"}, 1, GEN_BUCKETS_NONE, bounds, 3);
  GEN_CHECK(fam >= GEN_M_STD_COUNT);
  gen_series s = (gen_series)gen_metric_series(fam, (const char *[]){"v"}, 1);
  gen_histogram_observe(s, 0.125); /* on a bound: that bucket (le is <=) */
  gen_histogram_observe(s, 0.5);
  gen_histogram_observe(s, 1);
  gen_histogram_observe(s, 7);     /* above every bound: +Inf only */
  char *text = render();
  GEN_CHECK(contains(text,
      "# HELP test_placement_seconds Placement.\n"
      "# TYPE test_placement_seconds histogram\n"
      "test_placement_seconds_bucket{k=\"v\",le=\"0.125\"} 1\n"
      "test_placement_seconds_bucket{k=\"v\",le=\"1\"} 3\n"
      "test_placement_seconds_bucket{k=\"v\",le=\"5\"} 3\n"
      "test_placement_seconds_bucket{k=\"v\",le=\"+Inf\"} 4\n"
      "test_placement_seconds_sum{k=\"v\"} 8.625\n"
      "test_placement_seconds_count{k=\"v\"} 4\n"));
  free(text);

  /* Every bucket count of a wider layout against a linear count. */
  double many[37];
  for (int i = 0; i < 37; i++) many[i] = 1 + i;
  int wide = gen_metric_family("test_wide", "Wide.", GEN_METRIC_HISTOGRAM, NULL, 0,
                               GEN_BUCKETS_NONE, many, 37);
  gen_series ws = (gen_series)gen_metric_series(wide, NULL, 0);
  int observed = 0;
  for (double v = 0; v <= 40; v += 0.25, observed++) gen_histogram_observe(ws, v);
  char *all = render();
  for (int i = 0; i < 37; i++) {
    int expect = 0;
    for (double v = 0; v <= 40; v += 0.25) expect += v <= many[i];
    char line[96];
    snprintf(line, sizeof line, "test_wide_bucket{le=\"%d\"} %d\n", i + 1, expect);
    GEN_CHECK(contains(all, line));
  }
  char inf[96];
  snprintf(inf, sizeof inf, "test_wide_bucket{le=\"+Inf\"} %d\n", observed);
  GEN_CHECK(contains(all, inf));
  free(all);

  /* The fixed layouts: increasing, from tens of microseconds to hours. */
  double b[GEN_METRIC_MAX_BUCKETS];
  size_t n = gen_metric_layout_bounds(GEN_BUCKETS_LATENCY, b, GEN_METRIC_MAX_BUCKETS);
  GEN_CHECK(n > 10 && b[0] <= 0.00005 && b[n - 1] >= 10);
  for (size_t i = 1; i < n; i++) GEN_CHECK(b[i] > b[i - 1]);
  n = gen_metric_layout_bounds(GEN_BUCKETS_DURATION, b, GEN_METRIC_MAX_BUCKETS);
  GEN_CHECK(n > 10 && b[0] <= 1 && b[n - 1] >= 3600);

  /* A histogram without labels, and bounds that are not increasing. */
  gen_series call = (gen_series)gen_metric_series(GEN_M_CALL_DURATION, NULL, 0);
  gen_histogram_observe(call, 90);
  text = render();
  GEN_CHECK(contains(text, "genesis_call_duration_seconds_bucket{le=\"60\"} 0\n"
                           "genesis_call_duration_seconds_bucket{le=\"120\"} 1\n"));
  GEN_CHECK(contains(text, "genesis_call_duration_seconds_sum 90\n"
                           "genesis_call_duration_seconds_count 1\n"));
  free(text);
  const double bad[] = {1, 1};
  GEN_CHECK_EQ_INT(gen_metric_family("test_bad", "", GEN_METRIC_HISTOGRAM, NULL, 0,
                                     GEN_BUCKETS_NONE, bad, 2), GEN_EINVAL);
  GEN_CHECK_EQ_INT(gen_metric_family("test_le", "", GEN_METRIC_HISTOGRAM,
                                     (const char *[]){"le"}, 1, GEN_BUCKETS_LATENCY, NULL, 0),
                   GEN_EINVAL);
}

/* The header's inline fast paths record exactly what the functions do,
 * including a thread's first recording (no shard yet) and recording off. */
GEN_TEST(inline_fast_paths_match_the_functions) {
  const double bounds[] = {0.125, 1, 5};
  int hf = gen_metric_family("test.inline.seconds", "Inline.", GEN_METRIC_HISTOGRAM, NULL, 0,
                             GEN_BUCKETS_NONE, bounds, 3);
  gen_series h = (gen_series)gen_metric_series(hf, NULL, 0);
  int cf = gen_metric_family("test.inline", "Inline.", GEN_METRIC_COUNTER, NULL, 0,
                             GEN_BUCKETS_NONE, NULL, 0);
  gen_series c = (gen_series)gen_metric_series(cf, NULL, 0);
  gen_counter_add_inline(c, 2);
  gen_counter_add_inline(c, 3);
  GEN_CHECK(gen_counter_value(c) == 5);
  gen_histogram_observe_inline(h, 0.125);
  gen_histogram_observe_inline(h, 0.5);
  gen_histogram_observe_inline(h, 1);
  gen_histogram_observe_inline(h, 7);
  GEN_CHECK_EQ_INT(gen_histogram_count(h), 4);
  GEN_CHECK(gen_histogram_sum(h) == 8.625);
  char *text = render();
  GEN_CHECK(contains(text,
      "test_inline_seconds_bucket{le=\"0.125\"} 1\n"
      "test_inline_seconds_bucket{le=\"1\"} 3\n"
      "test_inline_seconds_bucket{le=\"5\"} 3\n"
      "test_inline_seconds_bucket{le=\"+Inf\"} 4\n"));
  free(text);
  gen_metrics_set_enabled(0);
  gen_counter_add_inline(c, 1);
  gen_histogram_observe_inline(h, 1);
  gen_metrics_set_enabled(1);
  GEN_CHECK(gen_counter_value(c) == 5);
  GEN_CHECK_EQ_INT(gen_histogram_count(h), 4);
}

/* The O(1) bucket table gives the same bucket as the search over the bounds
 * for every kind of value, on the layouts it serves (latency, duration, a
 * custom one) and on those it declines (two bounds in one half-octave,
 * bounds <= 0), which keep the search. */
static const gen_metric_layout_bounds_ *layout_of_family(int family) {
  gen_series s = (gen_series)gen_metric_series(family, NULL, 0);
  uint64_t slot = atomic_load(&gen_metric_cells[s & GEN_CELL_MASK]);
  return &gen_metric_layout_bounds_table_[slot & (GEN_METRIC_LAYOUT_SLOTS_ - 1)];
}

static void check_bucket(const gen_metric_layout_bounds_ *l, double v) {
  uint32_t table = gen_metric_layout_bucket_(l, v);
  uint32_t search = gen_metric_bucket_index_(l->bounds, l->count, v);
  if (table != search) {
    fprintf(stderr, "  value %.17g: table %u, search %u\n", v, table, search);
    gen_test_failed = 1;
  }
}

GEN_TEST(bucket_table_matches_the_search) {
  const double custom[] = {0.125, 1, 5};
  const double linear[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const double signed_bounds[] = {-1, 0, 1};
  struct { const char *name; gen_bucket_layout layout; const double *bounds; size_t n; int tabled; } cases[] = {
      {"test.table.latency", GEN_BUCKETS_LATENCY, NULL, 0, 1},
      {"test.table.duration", GEN_BUCKETS_DURATION, NULL, 0, 1},
      {"test.table.custom", GEN_BUCKETS_NONE, custom, 3, 1},
      {"test.table.linear", GEN_BUCKETS_NONE, linear, 10, 0},
      {"test.table.signed", GEN_BUCKETS_NONE, signed_bounds, 3, 0},
  };
  unsigned seed = 7;
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int family = gen_metric_family(cases[c].name, "Table.", GEN_METRIC_HISTOGRAM, NULL, 0,
                                   cases[c].layout, cases[c].bounds, cases[c].n);
    GEN_CHECK(family >= 0);
    const gen_metric_layout_bounds_ *l = layout_of_family(family);
    GEN_CHECK(l->count > 0);
    GEN_CHECK_EQ_INT(l->cell_count != 0, cases[c].tabled);
    const double specials[] = {0.0, -0.0, -1.0, -1e300, 5e-324, 2.2250738585072014e-308, 1e-300,
                               1e300, 1.7976931348623157e308, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; i++) check_bucket(l, specials[i]);
    for (uint32_t i = 0; i < l->count; i++) {
      double b = l->bounds[i];
      check_bucket(l, b);
      check_bucket(l, nextafter(b, INFINITY));
      check_bucket(l, nextafter(b, -INFINITY));
      check_bucket(l, b * 1.5);
      check_bucket(l, b * 0.75);
    }
    for (int i = 0; i < 200000; i++) {
      double exponent = -12.0 + 24.0 * (double)rand_r(&seed) / RAND_MAX; /* 1e-12 .. 1e12 */
      check_bucket(l, pow(10.0, exponent));
    }
  }
}

GEN_TEST(rendering_escapes_names_help_and_label_values) {
  int fam = gen_metric_family("test.escape", "Line one\nback\\slash \"quoted\"", GEN_METRIC_COUNTER,
                              (const char *[]){"a.b", "c"}, 2, GEN_BUCKETS_NONE, NULL, 0);
  GEN_CHECK(fam >= 0);
  gen_series s = (gen_series)gen_metric_series(fam, (const char *[]){"x\\y", "q\"\nz"}, 2);
  gen_counter_add(s, 3);
  char *text = render();
  GEN_CHECK(contains(text,
      "# HELP test_escape_total Line one\\nback\\\\slash \"quoted\"\n"
      "# TYPE test_escape_total counter\n"
      "test_escape_total{a_b=\"x\\\\y\",c=\"q\\\"\\nz\"} 3\n"));
  free(text);
}

GEN_TEST(families_and_series_resolve_once) {
  int a = gen_metric_family("test_same", "h", GEN_METRIC_COUNTER, (const char *[]){"x"}, 1,
                            GEN_BUCKETS_NONE, NULL, 0);
  int b = gen_metric_family("test_same_total", "h", GEN_METRIC_COUNTER, (const char *[]){"x"}, 1,
                            GEN_BUCKETS_NONE, NULL, 0);
  GEN_CHECK(a >= 0);
  GEN_CHECK_EQ_INT(a, b);
  /* The same name with another type or other labels is a conflict. */
  GEN_CHECK_EQ_INT(gen_metric_family("test_same_total", "h", GEN_METRIC_COUNTER,
                                     (const char *[]){"y"}, 1, GEN_BUCKETS_NONE, NULL, 0),
                   GEN_EINVAL);
  GEN_CHECK_EQ_INT(gen_metric_family("", "h", GEN_METRIC_GAUGE, NULL, 0, GEN_BUCKETS_NONE, NULL, 0),
                   GEN_EINVAL);
  int64_t s1 = gen_metric_series(a, (const char *[]){"v"}, 1);
  int64_t s2 = gen_metric_series(a, (const char *[]){"v"}, 1);
  int64_t s3 = gen_metric_series(a, (const char *[]){"w"}, 1);
  GEN_CHECK(s1 > 0);
  GEN_CHECK_EQ_INT(s1, s2);
  GEN_CHECK(s3 > 0 && s3 != s1);
  GEN_CHECK_EQ_INT(gen_metric_series(a, NULL, 0), GEN_EINVAL);
  GEN_CHECK_EQ_INT(gen_metric_series(9999, NULL, 0), GEN_EINVAL);
  /* Many series: the lookup table grows and still finds every one. */
  int64_t handles[5000];
  char v[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(v, sizeof v, "s%d", i);
    handles[i] = gen_metric_series(a, (const char *[]){v}, 1);
  }
  for (int i = 0; i < 5000; i++) {
    snprintf(v, sizeof v, "s%d", i);
    GEN_CHECK_EQ_INT(gen_metric_series(a, (const char *[]){v}, 1), handles[i]);
  }
  /* The sink takes anything and shows nowhere. */
  gen_counter_add(GEN_SERIES_NONE, 1);
  gen_histogram_observe(GEN_SERIES_NONE, 1);
  gen_gauge_set(GEN_SERIES_NONE, 1);
}

GEN_TEST(disabled_switch_stops_recording) {
  gen_series s = (gen_series)gen_metric_series(GEN_M_PARSE_ERRORS,
      (const char *[]){gen_metric_parse_error_kind(GEN_ENOCOLON)}, 1);
  gen_counter_add(s, 2);
  gen_metrics_set_enabled(0);
  GEN_CHECK(!gen_metrics_enabled());
  gen_counter_add(s, 40);
  gen_histogram_observe(s, 1);
  gen_metrics_set_enabled(1);
  gen_counter_add(s, 1);
  GEN_CHECK(gen_counter_value(s) == 3);
  char *text = render();
  GEN_CHECK(contains(text, "genesis_parse_errors_total{kind=\"missing_colon\"} 3\n"));
  free(text);
}

GEN_TEST(counters_gauges_and_doubles_render_exactly) {
  gen_series g = (gen_series)gen_metric_series(GEN_M_CONNECTIONS_ACTIVE, (const char *[]){"inbound"}, 1);
  gen_gauge_set(g, 2);
  gen_gauge_add(g, -0.5);
  gen_series c = (gen_series)gen_metric_series(GEN_M_BYTES_WRITTEN, (const char *[]){"inbound"}, 1);
  gen_counter_add(c, 10);
  gen_counter_add_double(c, 0.25);
  gen_counter_add_double(c, -1); /* ignored: counters never go down */
  char *text = render();
  GEN_CHECK(contains(text, "genesis_connections_active{type=\"inbound\"} 1.5\n"));
  GEN_CHECK(contains(text, "genesis_bytes_written_total{type=\"inbound\"} 10.25\n"));
  free(text);

  /* Every double the writer prints reads back as itself. */
  gen_series gg = (gen_series)gen_metric_series(GEN_M_CONNECTIONS_ACTIVE, (const char *[]){"probe"}, 1);
  const double probes[] = {0.1, 1.0 / 3, 2.5e-5, 1e20, -7.125, 123456.789, 1e-300, 9007199254740993.0};
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    gen_gauge_set(gg, probes[i]);
    text = render();
    const char *line = strstr(text, "genesis_connections_active{type=\"probe\"} ");
    GEN_CHECK(line != NULL);
    if (line) {
      double back = strtod(line + strlen("genesis_connections_active{type=\"probe\"} "), NULL);
      GEN_CHECK(back == probes[i]);
    }
    free(text);
  }
  gen_gauge_set(gg, 0.1);
  text = render();
  GEN_CHECK(contains(text, "genesis_connections_active{type=\"probe\"} 0.1\n"));
  free(text);
  gen_gauge_set(gg, NAN);
  text = render();
  GEN_CHECK(contains(text, "genesis_connections_active{type=\"probe\"} NaN\n"));
  free(text);
}

/* The number writer's three tiers (integer, nine-decimal fixed point,
 * printf) all read back exactly, over values of every magnitude. */
GEN_TEST(double_formatting_round_trips) {
  char buf[40];
  uint64_t x = 88172645463325252ull; /* xorshift64: reproducible */
  for (int i = 0; i < 200000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double v;
    switch (i % 4) {
    case 0: memcpy(&v, &x, sizeof v); break;                    /* any bit pattern */
    case 1: v = (double)(x % 100000000) / 1000; break;          /* decimal-looking */
    case 2: v = (double)(x % 1000000) * 1e-9; break;            /* tiny durations */
    default: v = (double)(x >> 11) * 0x1p-53 * 7200; break;     /* any duration */
    }
    if (isnan(v)) continue;
    size_t n = gen_prom_format_double(buf, v);
    GEN_CHECK(n > 0 && n < 32);
    buf[n] = '\0';
    if (strtod(buf, NULL) != v) {
      fprintf(stderr, "  %.17g printed as %s\n", v, buf);
      gen_test_failed = 1;
      break;
    }
  }
  size_t n = gen_prom_format_double(buf, 0.000025);
  GEN_CHECK(n == 8 && memcmp(buf, "0.000025", 8) == 0);
  n = gen_prom_format_u64(buf, UINT64_MAX);
  GEN_CHECK(n == 20 && memcmp(buf, "18446744073709551615", 20) == 0);
  n = gen_prom_format_u64(buf, 0);
  GEN_CHECK(n == 1 && buf[0] == '0');
}

int main(void) {
  setenv("OTEL_SERVICE_NAME", "svc-test", 1);
  setenv("OTEL_RESOURCE_ATTRIBUTES",
         "service.name=ignored, deployment.environment = staging,team=a%20b%2Cc,broken", 1);
  unsetenv("OTEL_SDK_DISABLED");
  static const gen_test_case cases[] = {
      GEN_CASE(sdk_disabled_env_turns_recording_off),
      GEN_CASE(target_info_carries_the_resource),
      GEN_CASE(concurrent_recording_gives_exact_totals),
      GEN_CASE(histogram_buckets_are_inclusive_cumulative_and_end_in_inf),
      GEN_CASE(inline_fast_paths_match_the_functions),
      GEN_CASE(bucket_table_matches_the_search),
      GEN_CASE(rendering_escapes_names_help_and_label_values),
      GEN_CASE(families_and_series_resolve_once),
      GEN_CASE(disabled_switch_stops_recording),
      GEN_CASE(counters_gauges_and_doubles_render_exactly),
      GEN_CASE(double_formatting_round_trips),
  };
  return gen_test_run("metrics", cases, sizeof cases / sizeof cases[0]);
}
