/* The Prometheus text writer (format 0.0.4): renders the registry straight
 * from the value cells into one growable buffer. Label sets and le texts were
 * rendered when their series were created, so a scrape copies them and
 * formats only the numbers, without printf for integers. */
#include "gen_metrics_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gen_buf_free(gen_buf *buf) {
  free(buf->data);
  buf->data = NULL;
  buf->len = buf->cap = 0;
}

/* Makes room for `more` bytes. */
static int gen_buf_reserve(gen_buf *b, size_t more) {
  if (b->cap - b->len >= more) return 0;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap - b->len < more) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) return GEN_ENOMEM;
  b->data = d;
  b->cap = cap;
  return 0;
}

static inline void gen_put(gen_buf *b, const char *s, size_t n) {
  memcpy(b->data + b->len, s, n);
  b->len += n;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */
/* ------------------------------------------------------------------------ */

static const char gen_digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536"
    "37383940414243444546474849505152535455565758596061626364656667686970717273"
    "7475767778798081828384858687888990919293949596979899";

size_t gen_prom_format_u64(char *dst, uint64_t v) {
  char tmp[20];
  size_t i = sizeof tmp;
  while (v >= 100) {
    unsigned r = (unsigned)(v % 100);
    v /= 100;
    tmp[--i] = gen_digit_pairs[2 * r + 1];
    tmp[--i] = gen_digit_pairs[2 * r];
  }
  if (v >= 10) {
    tmp[--i] = gen_digit_pairs[2 * v + 1];
    tmp[--i] = gen_digit_pairs[2 * v];
  } else {
    tmp[--i] = (char)('0' + v);
  }
  size_t n = sizeof tmp - i;
  memcpy(dst, tmp + i, n);
  return n;
}

/* Doubles must read back as the same value. Three tiers, cheapest first:
 * integers below 2^53 print as integers; values that are an exact
 * nine-decimal fraction (every bucket bound, most gauges) print as fixed
 * point, which is exact because (double)k / 1e9 is the correctly rounded
 * quotient that strtod also produces from the printed text; everything else
 * goes through printf with 15 digits, or 17 when 15 do not round-trip. */
size_t gen_prom_format_double(char *dst, double v) {
  if (isnan(v)) {
    memcpy(dst, "NaN", 3);
    return 3;
  }
  if (isinf(v)) {
    memcpy(dst, v > 0 ? "+Inf" : "-Inf", 4);
    return 4;
  }
  size_t n = 0;
  double a = fabs(v);
  if (a < 9007199254740992.0 && a == floor(a)) {
    if (v < 0) dst[n++] = '-';
    return n + gen_prom_format_u64(dst + n, (uint64_t)a);
  }
  if (a < 9.0e6) {
    double scaled = nearbyint(a * 1e9);
    uint64_t k = (uint64_t)scaled;
    if ((double)k / 1e9 == a) {
      if (v < 0) dst[n++] = '-';
      n += gen_prom_format_u64(dst + n, k / 1000000000u);
      uint32_t frac = (uint32_t)(k % 1000000000u);
      char f[9];
      for (int i = 8; i >= 0; i--) {
        f[i] = (char)('0' + frac % 10);
        frac /= 10;
      }
      int len = 9;
      while (len > 0 && f[len - 1] == '0') len--;
      dst[n++] = '.';
      memcpy(dst + n, f, (size_t)len);
      return n + (size_t)len;
    }
  }
  int len = snprintf(dst, 32, "%.15g", v);
  if (strtod(dst, NULL) != v) len = snprintf(dst, 32, "%.17g", v);
  return (size_t)len;
}

/* ------------------------------------------------------------------------ */
/* Rendering                                                                 */
/* ------------------------------------------------------------------------ */

static double gen_cell_double(const _Atomic uint64_t *c) {
  uint64_t b = atomic_load_explicit(c, memory_order_relaxed);
  double v;
  memcpy(&v, &b, sizeof v);
  return v;
}

/* name{labels} or name{labels,le="x"}, with neither brace when empty.
 * The caller has reserved room. */
static void gen_put_sample_name(gen_buf *b, const gen_family *f, const char *suffix,
                                size_t suffix_len, const gen_series_rec *s,
                                const char *le, size_t le_len) {
  gen_put(b, f->name, f->name_len);
  gen_put(b, suffix, suffix_len);
  if (!s->labels_len && !le) return;
  b->data[b->len++] = '{';
  if (s->labels_len) gen_put(b, s->labels, s->labels_len);
  if (le) {
    if (s->labels_len) b->data[b->len++] = ',';
    gen_put(b, "le=\"", 4);
    gen_put(b, le, le_len);
    b->data[b->len++] = '"';
  }
  b->data[b->len++] = '}';
}

static int gen_render_family(gen_buf *b, const gen_family *f,
                             const gen_series_rec *series) {
  static const char *const type_names[] = {"counter", "gauge", "histogram"};
  const char *tn = type_names[f->type];
  size_t tn_len = strlen(tn);
  if (gen_buf_reserve(b, 2 * f->name_len + f->help_len + tn_len + 20) < 0)
    return GEN_ENOMEM;
  gen_put(b, "# HELP ", 7);
  gen_put(b, f->name, f->name_len);
  b->data[b->len++] = ' ';
  gen_put(b, f->help, f->help_len);
  gen_put(b, "\n# TYPE ", 8);
  gen_put(b, f->name, f->name_len);
  b->data[b->len++] = ' ';
  gen_put(b, tn, tn_len);
  b->data[b->len++] = '\n';

  const gen_layout *l = &gen_metric_layouts[f->layout];
  /* One sample line at most: name, a suffix, labels, le, a number. */
  size_t line_max = f->name_len + 128;
  for (uint32_t si = f->first_series; si; si = series[si].next) {
    const gen_series_rec *s = &series[si];
    const _Atomic uint64_t *c = &gen_metric_cells[s->cell];
    size_t line = line_max + s->labels_len;
    if (f->type != GEN_METRIC_HISTOGRAM) {
      if (gen_buf_reserve(b, line) < 0) return GEN_ENOMEM;
      gen_put_sample_name(b, f, "", 0, s, NULL, 0);
      b->data[b->len++] = ' ';
      if (f->type == GEN_METRIC_COUNTER) {
        uint64_t whole = gen_metric_cell_u64(s->cell);
        double frac = gen_metric_cell_double(s->cell + 1);
        /* Integer counters stay exact beyond 2^53. */
        b->len += frac == 0 ? gen_prom_format_u64(b->data + b->len, whole)
                            : gen_prom_format_double(b->data + b->len,
                                                     (double)whole + frac);
      } else {
        b->len += gen_prom_format_double(b->data + b->len, gen_cell_double(c));
      }
      b->data[b->len++] = '\n';
      continue;
    }
    if (gen_buf_reserve(b, (l->count + 3) * line) < 0) return GEN_ENOMEM;
    /* Cumulative counts, and _count from the same reads, so _count always
     * equals the +Inf bucket even while observations race the scrape. */
    uint64_t cumulative = 0;
    for (uint32_t i = 0; i <= l->count; i++) {
      cumulative += gen_metric_cell_u64(s->cell + 1 + i);
      gen_put_sample_name(b, f, "_bucket", 7, s, l->le[i], l->le_len[i]);
      b->data[b->len++] = ' ';
      b->len += gen_prom_format_u64(b->data + b->len, cumulative);
      b->data[b->len++] = '\n';
    }
    gen_put_sample_name(b, f, "_sum", 4, s, NULL, 0);
    b->data[b->len++] = ' ';
    b->len += gen_prom_format_double(b->data + b->len,
                                     gen_metric_cell_double(s->cell + 2 + l->count));
    b->data[b->len++] = '\n';
    gen_put_sample_name(b, f, "_count", 6, s, NULL, 0);
    b->data[b->len++] = ' ';
    b->len += gen_prom_format_u64(b->data + b->len, cumulative);
    b->data[b->len++] = '\n';
  }
  return 0;
}

int gen_metrics_render(gen_buf *out) {
  gen_registry *r = gen_metrics_registry();
  int rc = 0;
  pthread_mutex_lock(&r->lock);
  for (uint32_t i = 0; i < r->family_count && rc == 0; i++) {
    if (r->families[i].first_series)
      rc = gen_render_family(out, &r->families[i], r->series);
  }
  pthread_mutex_unlock(&r->lock);
  return rc;
}
