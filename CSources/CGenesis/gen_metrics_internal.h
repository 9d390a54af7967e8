/* The metric registry's private layout, shared by gen_metrics.c (which owns
 * it) and gen_prometheus.c (which renders it). Nothing here is public. */
#ifndef GEN_METRICS_INTERNAL_H
#define GEN_METRICS_INTERNAL_H

#include "CGenesis.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Every value of every series lives in one static array of 64-bit cells. A
 * static array (zero pages in .bss, committed only when touched) never moves,
 * so recording needs no lock and its address is a link-time constant. 2^21
 * cells (16 MiB of address space) hold about 90,000 histogram series or a
 * million counters. The tail pad lets a masked garbage handle index its
 * largest possible histogram without leaving the array. */
#define GEN_CELL_COUNT (1u << 21)
#define GEN_CELL_MASK (GEN_CELL_COUNT - 1)
#define GEN_CELL_PAD (GEN_METRIC_MAX_BUCKETS + 4)
/* Cells [0, GEN_SINK_CELLS) are the sink behind GEN_SERIES_NONE. */
#define GEN_SINK_CELLS 64

extern _Atomic uint64_t gen_metric_cells[GEN_CELL_COUNT + GEN_CELL_PAD];

/* Per-thread copies of the counter and histogram cells (see gen_metrics.c);
 * entries below gen_metric_shard_count are allocated and stay so. */
#define GEN_SHARD_COUNT 32
extern _Atomic(_Atomic uint64_t *) gen_metric_shards[GEN_SHARD_COUNT];
extern _Atomic uint32_t gen_metric_shard_count;

/* A counter or histogram cell's total over the shared array and the shards:
 * as an integer, or as a double (cells holding double bits). */
uint64_t gen_metric_cell_u64(uint32_t cell);
double gen_metric_cell_double(uint32_t cell);

/* A histogram's cells: [layout id][bucket 0 .. n-1][+Inf][sum as double
 * bits]. Counters: [integer part][double part as bits]. Gauges: [double
 * bits]. The layout id is stored in the series' own first cell so an
 * observation finds its bounds in the cache line it is about to write. */
#define GEN_LAYOUT_SLOTS 64 /* a power of two: the id is masked on read */

typedef struct gen_layout {
  uint32_t count;                              /* finite bounds */
  double bounds[GEN_METRIC_MAX_BUCKETS];
  /* The rendered le="..." texts, +Inf last, so rendering copies bytes. */
  char le[GEN_METRIC_MAX_BUCKETS + 1][32];
  uint8_t le_len[GEN_METRIC_MAX_BUCKETS + 1];
} gen_layout;

/* Read without the lock by observations: an entry is written once, under the
 * lock, before any series that uses it exists. Unused entries have count 0. */
extern gen_layout gen_metric_layouts[GEN_LAYOUT_SLOTS];

typedef struct gen_family {
  char *name;            /* exposed name (sanitised, counters end in _total) */
  size_t name_len;
  char *help;            /* escaped for a HELP line */
  size_t help_len;
  gen_metric_type type;
  uint32_t layout;       /* histograms: index into gen_metric_layouts */
  uint32_t label_count;
  char **label_names;    /* sanitised */
  uint32_t first_series; /* 0: none yet */
  uint32_t last_series;
} gen_family;

typedef struct gen_series_rec {
  uint32_t family;
  uint32_t cell;         /* the handle */
  uint32_t next;         /* next series of the family, 0 at the end */
  uint32_t labels_len;
  char *labels;          /* a="x",b="y" escaped, without braces; NULL if none */
  char *key;             /* label values joined by NUL, for lookup */
  uint32_t key_len;
  uint64_t hash;
} gen_series_rec;

typedef struct gen_registry {
  pthread_mutex_t lock;  /* registration, resolution and rendering */
  gen_family *families;
  uint32_t family_count, family_cap;
  gen_series_rec *series; /* index 0 unused so 0 can mean "none" */
  uint32_t series_count, series_cap;
  uint32_t *table;       /* open addressing: series indexes, 0 = empty */
  uint32_t table_cap;    /* a power of two */
  uint32_t next_cell;
  uint32_t layout_count;
} gen_registry;

/* Initialises the registry on first use and returns it. */
gen_registry *gen_metrics_registry(void);

/* Formats a double the way Prometheus parses it back to the same value
 * ("NaN", "+Inf", "-Inf", shortest decimal otherwise). dst holds at least 32
 * bytes. Returns the length. */
size_t gen_prom_format_double(char *dst, double v);

/* Formats an unsigned integer in decimal; dst holds at least 20 bytes. */
size_t gen_prom_format_u64(char *dst, uint64_t v);

#endif
