/* A minimal test harness for the engine's C tests: each test file defines
 * its tests with GEN_TEST and lists them in main via gen_test_run. The
 * closing line, "N passed, N failed", is the one CI reads. */
#ifndef GEN_TEST_H
#define GEN_TEST_H

#include <stdio.h>
#include <stddef.h>

typedef void (*gen_test_fn)(void);

typedef struct gen_test_case {
  const char *name;
  gen_test_fn fn;
} gen_test_case;

/* Set by the GEN_CHECK macros when a check fails in the running test. */
extern int gen_test_failed;

#define GEN_TEST(name) static void name(void)
#define GEN_CASE(name) { #name, name }

#define GEN_CHECK(cond)                                                        \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__, __LINE__,      \
              #cond);                                                          \
      gen_test_failed = 1;                                                     \
    }                                                                          \
  } while (0)

#define GEN_CHECK_EQ_INT(a, b)                                                 \
  do {                                                                         \
    long long gen_a_ = (long long)(a), gen_b_ = (long long)(b);                \
    if (gen_a_ != gen_b_) {                                                    \
      fprintf(stderr, "  %s:%d: %s == %s failed: %lld != %lld\n", __FILE__,    \
              __LINE__, #a, #b, gen_a_, gen_b_);                               \
      gen_test_failed = 1;                                                     \
    }                                                                          \
  } while (0)

/* Compares a span of `data` with a NUL-terminated string. */
#define GEN_CHECK_SPAN(data, span, str)                                        \
  GEN_CHECK(gen_test_span_equals((data), (span).off, (span).len, (str)))

int gen_test_span_equals(const char *data, unsigned off, unsigned len,
                         const char *str);

/* Reads a whole file into a malloc'd buffer; *len gets its size. NULL if it
 * cannot be read. */
char *gen_test_read_file(const char *path, size_t *len);

/* Runs the cases, prints one line per failure and the closing count line,
 * and returns the process exit status. */
int gen_test_run(const char *suite, const gen_test_case *cases, size_t count);

#endif
