/* The metric registry: families, series resolved once to a cell offset, and
 * lock-free recording into one static array of atomic cells. */
#include "gen_metrics_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

_Atomic uint64_t gen_metric_cells[GEN_CELL_COUNT + GEN_CELL_PAD];
gen_layout gen_metric_layouts[GEN_LAYOUT_SLOTS];

/* Off only when the user asked (OTEL_SDK_DISABLED); read relaxed on every
 * record, which costs a load from a line that is never written. */
/* Read with __atomic builtins (the header's inline paths read it too). */
int gen_metrics_recording_ = 1;
uint64_t *const gen_metric_cells_base_ = (uint64_t *)gen_metric_cells;
gen_metric_layout_bounds_ gen_metric_layout_bounds_table_[GEN_METRIC_LAYOUT_SLOTS_];
_Static_assert(GEN_METRIC_CELL_MASK_ == GEN_CELL_MASK, "the header's mask");
_Static_assert(GEN_METRIC_LAYOUT_SLOTS_ == GEN_LAYOUT_SLOTS, "the header's layout slots");

static gen_registry gen_reg = {.lock = PTHREAD_MUTEX_INITIALIZER};
static pthread_once_t gen_reg_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------------ */
/* Bucket layouts                                                            */
/* ------------------------------------------------------------------------ */

/* Command round trips: a LAN reply takes tens of microseconds, a loaded
 * FreeSWITCH answers in milliseconds, an originate waits for seconds. */
static const double gen_latency_bounds[] = {
    0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
    0.005,    0.01,    0.025,  0.05,    0.1,    0.25,  0.5,
    1,        2.5,     5,      10,      30,     60};

/* Calls and ring groups: a ring that is answered at once up to calls that
 * last hours. */
static const double gen_duration_bounds[] = {
    0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400};

#define GEN_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

size_t gen_metric_layout_bounds(gen_bucket_layout layout, double *bounds,
                                size_t cap) {
  const double *src = NULL;
  size_t n = 0;
  if (layout == GEN_BUCKETS_LATENCY) {
    src = gen_latency_bounds;
    n = GEN_COUNT_OF(gen_latency_bounds);
  } else if (layout == GEN_BUCKETS_DURATION) {
    src = gen_duration_bounds;
    n = GEN_COUNT_OF(gen_duration_bounds);
  }
  for (size_t i = 0; i < n && i < cap; i++) bounds[i] = src[i];
  return n;
}

/* A value's half-octave: the double's exponent and first mantissa bit. */
static int64_t gen_bucket_cell_of(double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  return (int64_t)(bits >> GEN_METRIC_BUCKET_CELL_SHIFT_);
}

/* Fills a layout's bounds and, when the layout allows it, the O(1) bucket
 * table that gen_metric_layout_bucket_ reads (its comment says when). */
static void gen_layout_index(gen_metric_layout_bounds_ *t, const double *bounds, size_t n) {
  for (size_t i = 0; i < n; i++) t->bounds[i] = bounds[i];
  t->bounds[n] = INFINITY;
  t->cell_count = 0;
  if (n == 0) return;
  for (size_t i = 0; i < n; i++) {
    if (!(bounds[i] > 0) || !isfinite(bounds[i])) return;
    if (i > 0 && gen_bucket_cell_of(bounds[i]) == gen_bucket_cell_of(bounds[i - 1])) return;
  }
  int64_t low = gen_bucket_cell_of(bounds[0]);
  int64_t cells = gen_bucket_cell_of(bounds[n - 1]) - low + 2; /* + one past the last bound */
  if (cells > GEN_METRIC_BUCKET_CELLS_) return;
  size_t first = 0;
  for (int64_t c = 0; c < cells; c++) {
    uint64_t start_bits = (uint64_t)(low + c) << GEN_METRIC_BUCKET_CELL_SHIFT_;
    double start;
    memcpy(&start, &start_bits, sizeof start);
    while (first < n && bounds[first] < start) first++;
    t->cell_first[c] = (uint8_t)first;
  }
  t->cell_low = low;
  t->cell_count = (uint32_t)cells;
}

/* Finds or adds a layout with exactly these bounds; under the lock. Returns
 * its slot, or 0 when every slot is taken (slot 0 is the empty layout). */
static uint32_t gen_layout_intern(gen_registry *r, const double *bounds,
                                  size_t n) {
  for (uint32_t i = 1; i < r->layout_count; i++) {
    gen_layout *l = &gen_metric_layouts[i];
    if (l->count == n && memcmp(l->bounds, bounds, n * sizeof(double)) == 0)
      return i;
  }
  if (r->layout_count >= GEN_LAYOUT_SLOTS) return 0;
  uint32_t id = r->layout_count++;
  gen_layout *l = &gen_metric_layouts[id];
  for (size_t i = 0; i < n; i++) {
    l->bounds[i] = bounds[i];
    l->le_len[i] = (uint8_t)gen_prom_format_double(l->le[i], bounds[i]);
  }
  memcpy(l->le[n], "+Inf", 4);
  l->le_len[n] = 4;
  gen_layout_index(&gen_metric_layout_bounds_table_[id], bounds, n);
  __atomic_store_n(&gen_metric_layout_bounds_table_[id].count, (uint32_t)n, __ATOMIC_RELEASE);
  l->count = (uint32_t)n; /* last: a reader of count sees the bounds */
  return id;
}

/* ------------------------------------------------------------------------ */
/* Small string helpers                                                      */
/* ------------------------------------------------------------------------ */

/* Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':'. Anything
 * else (an OpenTelemetry dot, a dash) becomes '_', and a leading digit gets a
 * '_' in front, as OpenTelemetry's Prometheus exporter does. */
static char *gen_sanitize_name(const char *s, int allow_colon, const char *suffix) {
  size_t n = strlen(s), sn = suffix ? strlen(suffix) : 0;
  if (n == 0) return NULL;
  int lead = s[0] >= '0' && s[0] <= '9';
  char *d = malloc(n + sn + 2);
  if (!d) return NULL;
  size_t j = 0;
  if (lead) d[j++] = '_';
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || (allow_colon && c == ':');
    d[j++] = ok ? c : '_';
  }
  if (sn && !(j >= sn && memcmp(d + j - sn, suffix, sn) == 0)) {
    memcpy(d + j, suffix, sn);
    j += sn;
  }
  d[j] = '\0';
  return d;
}

/* Escapes for HELP (backslash, newline) or, with quote set, for a label
 * value (also the double quote). Returns a malloc'd string and its length. */
static char *gen_escape(const char *s, size_t n, int quote, size_t *out_len) {
  char *d = malloc(2 * n + 1);
  if (!d) return NULL;
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '\\') { d[j++] = '\\'; d[j++] = '\\'; }
    else if (c == '\n') { d[j++] = '\\'; d[j++] = 'n'; }
    else if (c == '"' && quote) { d[j++] = '\\'; d[j++] = '"'; }
    else d[j++] = c;
  }
  d[j] = '\0';
  *out_len = j;
  return d;
}

/* ------------------------------------------------------------------------ */
/* Families                                                                  */
/* ------------------------------------------------------------------------ */

static void gen_family_free(gen_family *f) {
  free(f->name);
  free(f->help);
  for (uint32_t i = 0; i < f->label_count; i++) free(f->label_names[i]);
  free(f->label_names);
}

static int gen_family_locked(gen_registry *r, const char *name, const char *help,
                             gen_metric_type type, const char *const *label_names,
                             size_t label_count, gen_bucket_layout layout,
                             const double *bucket_bounds, size_t bucket_count) {
  if (!name || label_count > GEN_METRIC_MAX_LABELS || (label_count && !label_names) ||
      (unsigned)type > GEN_METRIC_HISTOGRAM)
    return GEN_EINVAL;
  uint32_t layout_id = 0;
  if (type == GEN_METRIC_HISTOGRAM) {
    double fixed[GEN_METRIC_MAX_BUCKETS];
    if (layout != GEN_BUCKETS_NONE) {
      bucket_count = gen_metric_layout_bounds(layout, fixed, GEN_METRIC_MAX_BUCKETS);
      bucket_bounds = fixed;
      if (bucket_count == 0) return GEN_EINVAL;
    }
    if (bucket_count > GEN_METRIC_MAX_BUCKETS || (bucket_count && !bucket_bounds))
      return GEN_EINVAL;
    for (size_t i = 0; i < bucket_count; i++) {
      if (!isfinite(bucket_bounds[i])) return GEN_EINVAL;
      if (i && !(bucket_bounds[i] > bucket_bounds[i - 1])) return GEN_EINVAL;
    }
    layout_id = gen_layout_intern(r, bucket_bounds, bucket_count);
    if (layout_id == 0) return GEN_ENOMEM;
  }

  gen_family f = {0};
  f.type = type;
  f.layout = layout_id;
  f.name = gen_sanitize_name(name, 1, type == GEN_METRIC_COUNTER ? "_total" : NULL);
  if (!f.name) return name[0] ? GEN_ENOMEM : GEN_EINVAL;
  f.name_len = strlen(f.name);
  const char *h = help ? help : "";
  f.help = gen_escape(h, strlen(h), 0, &f.help_len);
  f.label_names = calloc(label_count ? label_count : 1, sizeof(char *));
  if (!f.help || !f.label_names) {
    gen_family_free(&f);
    return GEN_ENOMEM;
  }
  for (size_t i = 0; i < label_count; i++) {
    if (!label_names[i] || !label_names[i][0]) {
      gen_family_free(&f);
      return GEN_EINVAL;
    }
    f.label_names[i] = gen_sanitize_name(label_names[i], 0, NULL);
    if (!f.label_names[i]) {
      gen_family_free(&f);
      return GEN_ENOMEM;
    }
    f.label_count = (uint32_t)i + 1;
    /* "le" belongs to the buckets, and "__" names are Prometheus' own. */
    int bad = strncmp(f.label_names[i], "__", 2) == 0 ||
              (type == GEN_METRIC_HISTOGRAM && strcmp(f.label_names[i], "le") == 0);
    for (size_t j = 0; j < i && !bad; j++)
      bad = strcmp(f.label_names[i], f.label_names[j]) == 0;
    if (bad) {
      gen_family_free(&f);
      return GEN_EINVAL;
    }
  }

  /* Registering again finds the first registration, if it agrees. */
  for (uint32_t i = 0; i < r->family_count; i++) {
    gen_family *e = &r->families[i];
    if (strcmp(e->name, f.name) != 0) continue;
    int same = e->type == f.type && e->layout == f.layout &&
               e->label_count == f.label_count;
    for (uint32_t j = 0; same && j < f.label_count; j++)
      same = strcmp(e->label_names[j], f.label_names[j]) == 0;
    gen_family_free(&f);
    return same ? (int)i : GEN_EINVAL;
  }

  if (r->family_count == r->family_cap) {
    uint32_t cap = r->family_cap ? 2 * r->family_cap : 64;
    gen_family *nf = realloc(r->families, cap * sizeof(*nf));
    if (!nf) {
      gen_family_free(&f);
      return GEN_ENOMEM;
    }
    r->families = nf;
    r->family_cap = cap;
  }
  r->families[r->family_count] = f;
  return (int)r->family_count++;
}

int gen_metric_family(const char *name, const char *help, gen_metric_type type,
                      const char *const *label_names, size_t label_count,
                      gen_bucket_layout layout, const double *bucket_bounds,
                      size_t bucket_count) {
  gen_registry *r = gen_metrics_registry();
  pthread_mutex_lock(&r->lock);
  int id = gen_family_locked(r, name, help, type, label_names, label_count,
                             layout, bucket_bounds, bucket_count);
  pthread_mutex_unlock(&r->lock);
  return id;
}

/* ------------------------------------------------------------------------ */
/* Series                                                                    */
/* ------------------------------------------------------------------------ */

static uint64_t gen_hash(uint32_t family, const char *key, size_t len) {
  uint64_t h = 1469598103934665603ull ^ family; /* FNV-1a */
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)key[i];
    h *= 1099511628211ull;
  }
  return h;
}

static int gen_table_grow(gen_registry *r) {
  uint32_t cap = r->table_cap ? 2 * r->table_cap : 1024;
  uint32_t *t = calloc(cap, sizeof(uint32_t));
  if (!t) return GEN_ENOMEM;
  for (uint32_t s = 1; s < r->series_count; s++) {
    uint32_t i = (uint32_t)r->series[s].hash & (cap - 1);
    while (t[i]) i = (i + 1) & (cap - 1);
    t[i] = s;
  }
  free(r->table);
  r->table = t;
  r->table_cap = cap;
  return 0;
}

static uint32_t gen_series_cells(const gen_family *f) {
  switch (f->type) {
  case GEN_METRIC_COUNTER: return 2;
  case GEN_METRIC_GAUGE: return 1;
  default: return gen_metric_layouts[f->layout].count + 3;
  }
}

static int64_t gen_series_locked(gen_registry *r, int family,
                                 const char *const *values, size_t count) {
  if (family < 0 || (uint32_t)family >= r->family_count) return GEN_EINVAL;
  gen_family *f = &r->families[family];
  if (count != f->label_count || (count && !values)) return GEN_EINVAL;

  size_t key_len = 0;
  for (size_t i = 0; i < count; i++) key_len += strlen(values[i] ? values[i] : "") + 1;
  char *key = malloc(key_len + 1);
  if (!key) return GEN_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < count; i++) {
    const char *v = values[i] ? values[i] : "";
    size_t n = strlen(v);
    memcpy(key + k, v, n + 1);
    k += n + 1;
  }
  uint64_t hash = gen_hash((uint32_t)family, key, key_len);

  if (r->table_cap) {
    for (uint32_t i = (uint32_t)hash & (r->table_cap - 1); r->table[i];
         i = (i + 1) & (r->table_cap - 1)) {
      gen_series_rec *s = &r->series[r->table[i]];
      if (s->hash == hash && s->family == (uint32_t)family &&
          s->key_len == key_len && memcmp(s->key, key, key_len) == 0) {
        free(key);
        return s->cell;
      }
    }
  }

  uint32_t cells = gen_series_cells(f);
  if (r->next_cell + cells > GEN_CELL_COUNT) {
    free(key);
    return GEN_ENOMEM;
  }
  /* Keep the table at most half full, and the record array growable. */
  if ((r->series_count + 1) * 2 > r->table_cap && gen_table_grow(r) < 0) {
    free(key);
    return GEN_ENOMEM;
  }
  if (r->series_count >= r->series_cap) {
    uint32_t cap = r->series_cap ? 2 * r->series_cap : 1024;
    gen_series_rec *ns = realloc(r->series, cap * sizeof(*ns));
    if (!ns) {
      free(key);
      return GEN_ENOMEM;
    }
    r->series = ns;
    r->series_cap = cap;
  }

  /* The label set is rendered once here, so a scrape only copies it. */
  size_t labels_len = 0;
  char *labels = NULL;
  if (count) {
    size_t cap = 0;
    for (size_t i = 0; i < count; i++)
      cap += strlen(f->label_names[i]) + 4 + 2 * strlen(values[i] ? values[i] : "");
    labels = malloc(cap + 1);
    if (!labels) {
      free(key);
      return GEN_ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
      const char *v = values[i] ? values[i] : "";
      size_t ev_len;
      char *ev = gen_escape(v, strlen(v), 1, &ev_len);
      if (!ev) {
        free(labels);
        free(key);
        return GEN_ENOMEM;
      }
      if (i) labels[labels_len++] = ',';
      size_t nl = strlen(f->label_names[i]);
      memcpy(labels + labels_len, f->label_names[i], nl);
      labels_len += nl;
      labels[labels_len++] = '=';
      labels[labels_len++] = '"';
      memcpy(labels + labels_len, ev, ev_len);
      labels_len += ev_len;
      labels[labels_len++] = '"';
      free(ev);
    }
    labels[labels_len] = '\0';
  }

  uint32_t idx = r->series_count++;
  gen_series_rec *s = &r->series[idx];
  s->family = (uint32_t)family;
  s->cell = r->next_cell;
  s->next = 0;
  s->labels = labels;
  s->labels_len = (uint32_t)labels_len;
  s->key = key;
  s->key_len = (uint32_t)key_len;
  s->hash = hash;
  r->next_cell += cells;
  if (f->type == GEN_METRIC_HISTOGRAM)
    atomic_store_explicit(&gen_metric_cells[s->cell], f->layout, memory_order_relaxed);

  uint32_t i = (uint32_t)hash & (r->table_cap - 1);
  while (r->table[i]) i = (i + 1) & (r->table_cap - 1);
  r->table[i] = idx;
  if (f->last_series) r->series[f->last_series].next = idx;
  else f->first_series = idx;
  f->last_series = idx;
  return s->cell;
}

int64_t gen_metric_series(int family, const char *const *label_values,
                          size_t label_count) {
  gen_registry *r = gen_metrics_registry();
  pthread_mutex_lock(&r->lock);
  int64_t h = gen_series_locked(r, family, label_values, label_count);
  pthread_mutex_unlock(&r->lock);
  return h;
}

/* ------------------------------------------------------------------------ */
/* Recording: the hot path                                                   */
/* ------------------------------------------------------------------------ */

/* Counters and histograms are sharded per thread: each recording thread
 * owns a private copy of the cell array, so its increments are a plain load
 * and store on a line no other thread writes (about a nanosecond, and no
 * cache-line ping-pong when several threads count the same series). Readers
 * (a scrape) sum the shared array and every shard. A thread's shard is folded
 * into the shared array when the thread exits and then reused by the next
 * thread. Threads beyond GEN_SHARD_COUNT, and gauges (whose set must be
 * global), use relaxed atomic operations on the shared array. */
_Atomic(_Atomic uint64_t *) gen_metric_shards[GEN_SHARD_COUNT];
_Atomic uint32_t gen_metric_shard_count;
static uint8_t gen_shard_busy[GEN_SHARD_COUNT]; /* under the registry lock */
static pthread_key_t gen_shard_key;              /* its destructor folds */

/* initial-exec: one %fs-relative load even when the engine is built into a
 * shared library. */
#define GEN_TLS _Thread_local __attribute__((tls_model("initial-exec")))
/* Public (see gen_counter_add_inline): the thread's shard, or NULL. */
GEN_TLS uint64_t *gen_metrics_tls_cells_;
#define gen_my_shard ((_Atomic uint64_t *)gen_metrics_tls_cells_)
static GEN_TLS int gen_my_shard_refused; /* no shard for this thread: atomics */

/* Handles are masked so that even a garbage handle stays inside the array
 * (plus its pad): a wrong handle corrupts a number, never memory. */
#define GEN_CELL(series) (&gen_metric_cells[(series) & GEN_CELL_MASK])
#define GEN_ON() __atomic_load_n(&gen_metrics_recording_, __ATOMIC_RELAXED)

static inline uint64_t gen_bits(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  return b;
}

static inline double gen_double(uint64_t b) {
  double v;
  memcpy(&v, &b, sizeof v);
  return v;
}

/* A double add as a compare-and-swap loop: one round when uncontended. */
static inline void gen_add_double(_Atomic uint64_t *cell, double delta) {
  uint64_t old = atomic_load_explicit(cell, memory_order_relaxed);
  while (!atomic_compare_exchange_weak_explicit(
      cell, &old, gen_bits(gen_double(old) + delta), memory_order_relaxed,
      memory_order_relaxed)) {
  }
}

/* Owner-only updates of a shard cell: the owner is its only writer, so a
 * load and a store suffice; both are atomic so a concurrent scrape reads a
 * whole value. */
static inline void gen_shard_add(_Atomic uint64_t *cell, uint64_t n) {
  atomic_store_explicit(cell, atomic_load_explicit(cell, memory_order_relaxed) + n,
                        memory_order_relaxed);
}

static inline void gen_shard_add_double(_Atomic uint64_t *cell, double delta) {
  atomic_store_explicit(
      cell, gen_bits(gen_double(atomic_load_explicit(cell, memory_order_relaxed)) + delta),
      memory_order_relaxed);
}

static _Atomic uint64_t *gen_shard_attach(void);

/* The calling thread's cells when it has no shard yet (attaching one), or
 * NULL when it cannot have one (use atomics). Kept out of line so the fast
 * paths below stay leaf code without register spills. */
static __attribute__((noinline)) _Atomic uint64_t *gen_local_cells_slow(void) {
  return gen_my_shard ? gen_my_shard : gen_my_shard_refused ? NULL : gen_shard_attach();
}

static __attribute__((noinline)) void gen_counter_add_slow(gen_series series, uint64_t n) {
  _Atomic uint64_t *local = gen_local_cells_slow();
  if (local) gen_shard_add(&local[series & GEN_CELL_MASK], n);
  else atomic_fetch_add_explicit(GEN_CELL(series), n, memory_order_relaxed);
}

void gen_counter_add(gen_series series, uint64_t n) {
  if (!GEN_ON()) return;
  _Atomic uint64_t *local = gen_my_shard;
  if (__builtin_expect(local != NULL, 1)) gen_shard_add(&local[series & GEN_CELL_MASK], n);
  else gen_counter_add_slow(series, n);
}

void gen_counter_add_double(gen_series series, double v) {
  if (!GEN_ON() || !(v >= 0)) return; /* counters never go down; NaN dropped */
  _Atomic uint64_t *local = gen_my_shard;
  if (!local) local = gen_local_cells_slow();
  if (local) gen_shard_add_double(&local[(series & GEN_CELL_MASK) + 1], v);
  else gen_add_double(GEN_CELL(series) + 1, v);
}

void gen_gauge_set(gen_series series, double v) {
  if (!GEN_ON()) return;
  atomic_store_explicit(GEN_CELL(series), gen_bits(v), memory_order_relaxed);
}

void gen_gauge_add(gen_series series, double delta) {
  if (!GEN_ON()) return;
  gen_add_double(GEN_CELL(series), delta);
}

void gen_histogram_observe(gen_series series, double v) {
  if (!GEN_ON()) return;
  uint32_t base = series & GEN_CELL_MASK;
  /* The layout id lives in the shared array only (written once). */
  const gen_metric_layout_bounds_ *l =
      &gen_metric_layout_bounds_table_[atomic_load_explicit(&gen_metric_cells[base], memory_order_relaxed) &
                                       (GEN_LAYOUT_SLOTS - 1)];
  uint32_t idx = gen_metric_layout_bucket_(l, v);
  _Atomic uint64_t *local = gen_my_shard;
  if (!local) local = gen_local_cells_slow();
  if (local) {
    gen_shard_add(&local[base + 1 + idx], 1);
    gen_shard_add_double(&local[base + 2 + l->count], v);
  } else {
    atomic_fetch_add_explicit(&gen_metric_cells[base + 1 + idx], 1, memory_order_relaxed);
    gen_add_double(&gen_metric_cells[base + 2 + l->count], v);
  }
}

/* ------------------------------------------------------------------------ */
/* Shards                                                                    */
/* ------------------------------------------------------------------------ */

static _Atomic uint64_t *gen_shard_attach(void) {
  gen_registry *r = gen_metrics_registry();
  _Atomic uint64_t *cells = NULL;
  pthread_mutex_lock(&r->lock);
  uint32_t count = atomic_load_explicit(&gen_metric_shard_count, memory_order_relaxed);
  uint32_t slot = 0;
  while (slot < count && gen_shard_busy[slot]) slot++;
  if (slot < count) {
    cells = atomic_load_explicit(&gen_metric_shards[slot], memory_order_relaxed);
  } else if (slot < GEN_SHARD_COUNT) {
    /* Fresh anonymous pages (not calloc, which may memset heap memory):
     * only the pages of series this thread records are ever committed.
     * Shards are reused, never unmapped. */
    void *m = mmap(NULL, (GEN_CELL_COUNT + GEN_CELL_PAD) * sizeof(uint64_t),
                   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    cells = m == MAP_FAILED ? NULL : m;
    if (cells) {
      atomic_store_explicit(&gen_metric_shards[slot], cells, memory_order_relaxed);
      atomic_store_explicit(&gen_metric_shard_count, slot + 1, memory_order_release);
    }
  }
  if (cells && pthread_setspecific(gen_shard_key, (void *)(uintptr_t)(slot + 1)) == 0) {
    gen_shard_busy[slot] = 1;
    gen_metrics_tls_cells_ = (uint64_t *)cells;
  } else {
    cells = NULL;
    gen_my_shard_refused = 1;
  }
  pthread_mutex_unlock(&r->lock);
  return cells;
}

/* Thread exit: moves the shard's counts into the shared array, under the
 * lock so that no scrape sees them twice or not at all, and frees the slot. */
static void gen_shard_detach(void *value) {
  uint32_t slot = (uint32_t)(uintptr_t)value - 1;
  gen_registry *r = &gen_reg;
  pthread_mutex_lock(&r->lock);
  _Atomic uint64_t *sh = atomic_load_explicit(&gen_metric_shards[slot], memory_order_relaxed);
  for (uint32_t i = 1; i < r->series_count; i++) {
    const gen_series_rec *s = &r->series[i];
    const gen_family *f = &r->families[s->family];
    uint32_t c = s->cell;
    if (f->type == GEN_METRIC_COUNTER) {
      atomic_fetch_add_explicit(&gen_metric_cells[c], atomic_load(&sh[c]), memory_order_relaxed);
      gen_add_double(&gen_metric_cells[c + 1], gen_double(atomic_load(&sh[c + 1])));
      atomic_store(&sh[c], 0);
      atomic_store(&sh[c + 1], 0);
    } else if (f->type == GEN_METRIC_HISTOGRAM) {
      uint32_t n = gen_metric_layouts[f->layout].count;
      for (uint32_t b = 1; b <= n + 1; b++) {
        atomic_fetch_add_explicit(&gen_metric_cells[c + b], atomic_load(&sh[c + b]),
                                  memory_order_relaxed);
        atomic_store(&sh[c + b], 0);
      }
      gen_add_double(&gen_metric_cells[c + n + 2], gen_double(atomic_load(&sh[c + n + 2])));
      atomic_store(&sh[c + n + 2], 0);
    }
  }
  /* The sink's cells are never read; just clear them for the next owner. */
  for (uint32_t c = 0; c < GEN_SINK_CELLS; c++) atomic_store(&sh[c], 0);
  gen_shard_busy[slot] = 0;
  pthread_mutex_unlock(&r->lock);
  /* Destructors of other thread-locals may still record: use atomics. */
  gen_metrics_tls_cells_ = NULL;
  gen_my_shard_refused = 1;
}

uint64_t gen_metric_cell_u64(uint32_t cell) {
  uint64_t total = atomic_load_explicit(&gen_metric_cells[cell], memory_order_relaxed);
  uint32_t n = atomic_load_explicit(&gen_metric_shard_count, memory_order_acquire);
  for (uint32_t i = 0; i < n; i++) {
    _Atomic uint64_t *sh = atomic_load_explicit(&gen_metric_shards[i], memory_order_relaxed);
    total += atomic_load_explicit(&sh[cell], memory_order_relaxed);
  }
  return total;
}

double gen_metric_cell_double(uint32_t cell) {
  double total = gen_double(atomic_load_explicit(&gen_metric_cells[cell], memory_order_relaxed));
  uint32_t n = atomic_load_explicit(&gen_metric_shard_count, memory_order_acquire);
  for (uint32_t i = 0; i < n; i++) {
    _Atomic uint64_t *sh = atomic_load_explicit(&gen_metric_shards[i], memory_order_relaxed);
    total += gen_double(atomic_load_explicit(&sh[cell], memory_order_relaxed));
  }
  return total;
}

/* ------------------------------------------------------------------------ */
/* Reading back                                                              */
/* ------------------------------------------------------------------------ */

static const gen_layout *gen_layout_of(uint32_t base) {
  return &gen_metric_layouts[atomic_load_explicit(&gen_metric_cells[base], memory_order_relaxed) &
                             (GEN_LAYOUT_SLOTS - 1)];
}

/* Read-backs take the lock a thread's exit folds its shard under, so a
 * value never shows twice (or goes back) while a shard is being folded. */
double gen_counter_value(gen_series series) {
  uint32_t c = series & GEN_CELL_MASK;
  gen_registry *r = gen_metrics_registry();
  pthread_mutex_lock(&r->lock);
  double v = (double)gen_metric_cell_u64(c) + gen_metric_cell_double(c + 1);
  pthread_mutex_unlock(&r->lock);
  return v;
}

double gen_gauge_value(gen_series series) {
  return gen_double(atomic_load_explicit(GEN_CELL(series), memory_order_relaxed));
}

uint64_t gen_histogram_count(gen_series series) {
  uint32_t c = series & GEN_CELL_MASK;
  const gen_layout *l = gen_layout_of(c);
  gen_registry *r = gen_metrics_registry();
  pthread_mutex_lock(&r->lock);
  uint64_t total = 0;
  for (uint32_t i = 0; i <= l->count; i++) total += gen_metric_cell_u64(c + 1 + i);
  pthread_mutex_unlock(&r->lock);
  return total;
}

double gen_histogram_sum(gen_series series) {
  uint32_t c = series & GEN_CELL_MASK;
  gen_registry *r = gen_metrics_registry();
  pthread_mutex_lock(&r->lock);
  double v = gen_metric_cell_double(c + 2 + gen_layout_of(c)->count);
  pthread_mutex_unlock(&r->lock);
  return v;
}

void gen_metrics_set_enabled(int enabled) {
  gen_metrics_registry();
  __atomic_store_n(&gen_metrics_recording_, enabled != 0, __ATOMIC_RELAXED);
}

int gen_metrics_enabled(void) {
  gen_metrics_registry();
  return GEN_ON();
}

/* ------------------------------------------------------------------------ */
/* The standard families and the resource                                    */
/* ------------------------------------------------------------------------ */

typedef struct gen_std_desc {
  const char *name;
  const char *help;
  gen_metric_type type;
  gen_bucket_layout layout;
  const char *labels[6];
} gen_std_desc;

/* In gen_std_metric order, after target_info. Names, types and label names
 * are the users' contract (docs/METRICS.md). */
static const gen_std_desc gen_std[GEN_M_STD_COUNT - 1] = {
    {"genesis_commands_sent_total", "Number of ESL commands sent.",
     GEN_METRIC_COUNTER, 0, {"command"}},
    {"genesis_commands_duration_seconds", "Command execution duration (RTT).",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_LATENCY, {"command"}},
    {"genesis_commands_errors_total", "Number of failed ESL commands.",
     GEN_METRIC_COUNTER, 0, {"command", "error"}},
    {"genesis_events_received_total", "Number of ESL events received.",
     GEN_METRIC_COUNTER, 0,
     {"event_name", "event_subclass", "direction", "channel_state", "answer_state",
      "hangup_cause"}},
    {"genesis_connections_active", "Number of active connections.",
     GEN_METRIC_GAUGE, 0, {"type"}},
    {"genesis_connections_errors_total", "Number of connection errors.",
     GEN_METRIC_COUNTER, 0, {"type", "error"}},
    {"genesis_channel_operations_total", "Number of channel operations.",
     GEN_METRIC_COUNTER, 0, {"operation", "success", "error"}},
    {"genesis_channel_operation_duration_seconds", "Duration of channel operations.",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_LATENCY, {"operation"}},
    {"genesis_channel_hangup_causes_total", "Hangup causes.",
     GEN_METRIC_COUNTER, 0, {"hangup_cause", "error"}},
    {"genesis_channel_bridge_operations_total", "Bridge operations.",
     GEN_METRIC_COUNTER, 0, {"success", "error"}},
    {"genesis_channel_dtmf_received_total", "DTMF digits received.",
     GEN_METRIC_COUNTER, 0, {"dtmf_digit"}},
    {"genesis_call_duration_seconds", "Total call duration from creation to hangup.",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_DURATION, {NULL}},
    {"genesis_ring_group_operations_total", "Number of ring group operations.",
     GEN_METRIC_COUNTER, 0, {"mode", "has_balancer"}},
    {"genesis_ring_group_operation_duration_seconds", "Duration of ring group operations.",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_DURATION, {"mode", "has_balancer"}},
    {"genesis_ring_group_results_total", "Ring group operation results.",
     GEN_METRIC_COUNTER, 0, {"mode", "result", "has_balancer", "error"}},
    {"genesis_timeouts_total", "Number of timeouts.",
     GEN_METRIC_COUNTER, 0, {"timeout_type", "timeout_operation", "timeout_duration"}},
    {"genesis_queue_operations_total", "Queue slot operations (acquire, release).",
     GEN_METRIC_COUNTER, 0, {"queue_id", "op"}},
    {"genesis_queue_wait_duration_seconds", "Time spent waiting for a queue slot.",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_LATENCY, {"queue_id"}},
    {"genesis_commands_in_flight", "Commands sent and not yet answered.",
     GEN_METRIC_GAUGE, 0, {"type"}},
    {"genesis_event_lag_seconds",
     "Delay between an event's Event-Date-Timestamp and its receipt.",
     GEN_METRIC_HISTOGRAM, GEN_BUCKETS_LATENCY, {NULL}},
    {"genesis_reader_backpressure_pauses_total",
     "Times a connection stopped reading because the application was behind.",
     GEN_METRIC_COUNTER, 0, {"type"}},
    {"genesis_bytes_read_total", "Bytes read from ESL sockets.",
     GEN_METRIC_COUNTER, 0, {"type"}},
    {"genesis_bytes_written_total", "Bytes written to ESL sockets.",
     GEN_METRIC_COUNTER, 0, {"type"}},
    {"genesis_parse_errors_total", "Malformed ESL frames, by kind.",
     GEN_METRIC_COUNTER, 0, {"kind"}},
    {"genesis_connections_reconnects_total",
     "Reconnection attempts of inbound clients, by result.",
     GEN_METRIC_COUNTER, 0, {"type", "result"}},
};

const char *gen_metric_parse_error_kind(int code) {
  switch (code) {
  case GEN_EBADLENGTH: return "bad_content_length";
  case GEN_EDUPLENGTH: return "duplicate_content_length";
  case GEN_ENOCOLON: return "missing_colon";
  case GEN_EHEADERSIZE: return "header_too_large";
  case GEN_EBODYSIZE: return "body_too_large";
  case GEN_EEMPTYNAME: return "empty_header_name";
  case GEN_EBADJSON: return "bad_json";
  case GEN_EBADXML: return "bad_xml";
  default: return "other";
  }
}

static int gen_hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* OTEL_RESOURCE_ATTRIBUTES values are W3C-Baggage-style %-encoded. Trims the
 * spaces the spec allows around keys and values, decodes into dst (room for
 * n + 1 bytes), and returns dst. */
static char *gen_resource_text(const char *s, size_t n, char *dst) {
  while (n && *s == ' ') s++, n--;
  while (n && s[n - 1] == ' ') n--;
  size_t j = 0;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n && (hi = gen_hex(s[i + 1])) >= 0 &&
        (lo = gen_hex(s[i + 2])) >= 0) {
      dst[j++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      dst[j++] = s[i];
    }
  }
  dst[j] = '\0';
  return dst;
}

/* target_info, as OpenTelemetry's Prometheus exporter writes it: a gauge of
 * 1 whose labels are the resource attributes. OTEL_SERVICE_NAME wins over a
 * service.name inside OTEL_RESOURCE_ATTRIBUTES. Attributes past the label
 * limit, without '=', or repeating a key are dropped. */
static void gen_register_target_info(gen_registry *r) {
  const char *names[GEN_METRIC_MAX_LABELS];
  const char *values[GEN_METRIC_MAX_LABELS];
  char *owned[2 * GEN_METRIC_MAX_LABELS];
  size_t n = 1, owned_n = 0;
  const char *env_name = getenv("OTEL_SERVICE_NAME");
  names[0] = "service_name";
  values[0] = env_name && env_name[0] ? env_name : NULL;

  const char *attrs = getenv("OTEL_RESOURCE_ATTRIBUTES");
  for (const char *p = attrs; p && *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    if (eq && eq > p && owned_n + 2 <= GEN_COUNT_OF(owned)) {
      char *k = malloc((size_t)(eq - p) + 1);
      char *v = malloc(len - (size_t)(eq - p));
      if (k && v) {
        gen_resource_text(p, (size_t)(eq - p), k);
        gen_resource_text(eq + 1, len - (size_t)(eq - p) - 1, v);
        owned[owned_n++] = k;
        owned[owned_n++] = v;
        char *key = gen_sanitize_name(k, 0, NULL);
        if (key) {
          if (strcmp(key, "service_name") == 0) {
            if (!values[0]) values[0] = v;
          } else {
            int dup = 0;
            for (size_t i = 0; i < n; i++) dup |= strcmp(names[i], key) == 0;
            if (!dup && n < GEN_METRIC_MAX_LABELS && k[0]) {
              names[n] = k; /* sanitised again by the registry */
              values[n++] = v;
            }
          }
          free(key);
        }
      } else {
        free(k);
        free(v);
      }
    }
    p = end ? end + 1 : p + len;
  }
  if (!values[0]) values[0] = "genesis";

  int fam = gen_family_locked(r, "target_info", "Target metadata", GEN_METRIC_GAUGE,
                              names, n, GEN_BUCKETS_NONE, NULL, 0);
  if (fam < 0) {
    /* Attributes Prometheus cannot take (a "__" key): keep the service
     * name, so the standard families keep their ids. */
    n = 1;
    fam = gen_family_locked(r, "target_info", "Target metadata", GEN_METRIC_GAUGE,
                            names, n, GEN_BUCKETS_NONE, NULL, 0);
  }
  if (fam == GEN_M_TARGET_INFO) {
    int64_t s = gen_series_locked(r, fam, values, n);
    if (s > 0) atomic_store(&gen_metric_cells[s], gen_bits(1.0));
  }
  for (size_t i = 0; i < owned_n; i++) free(owned[i]);
}

static void gen_registry_init(void) {
  gen_registry *r = &gen_reg;
  r->series_count = 1;  /* record 0 means "no series" */
  r->next_cell = GEN_SINK_CELLS;
  r->layout_count = 1;  /* slot 0: the empty layout of the sink */
  memcpy(gen_metric_layouts[0].le[0], "+Inf", 4);
  gen_metric_layouts[0].le_len[0] = 4;

  /* Without the key, threads simply record through atomics. */
  if (pthread_key_create(&gen_shard_key, gen_shard_detach) != 0)
    gen_my_shard_refused = 1;

  const char *off = getenv("OTEL_SDK_DISABLED");
  if (off && strcasecmp(off, "true") == 0)
    __atomic_store_n(&gen_metrics_recording_, 0, __ATOMIC_RELAXED);

  pthread_mutex_lock(&r->lock);
  gen_register_target_info(r);
  for (size_t i = 0; i < GEN_COUNT_OF(gen_std); i++) {
    const gen_std_desc *d = &gen_std[i];
    size_t nl = 0;
    while (nl < GEN_COUNT_OF(d->labels) && d->labels[nl]) nl++;
    gen_family_locked(r, d->name, d->help, d->type, d->labels, nl, d->layout,
                      NULL, 0);
  }
  pthread_mutex_unlock(&r->lock);
}

gen_registry *gen_metrics_registry(void) {
  pthread_once(&gen_reg_once, gen_registry_init);
  return &gen_reg;
}
