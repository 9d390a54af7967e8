#include "gen_test.h"

#include <stdlib.h>
#include <string.h>

int gen_test_failed;

int gen_test_span_equals(const char *data, unsigned off, unsigned len,
                         const char *str) {
  size_t n = strlen(str);
  return n == len && memcmp(data + off, str, n) == 0;
}

char *gen_test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (buf && size > 0 && fread(buf, 1, (size_t)size, f) != (size_t)size) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if (buf) *len = (size_t)size;
  return buf;
}

int gen_test_run(const char *suite, const gen_test_case *cases, size_t count) {
  int passed = 0, failed = 0;
  for (size_t i = 0; i < count; i++) {
    gen_test_failed = 0;
    cases[i].fn();
    if (gen_test_failed) {
      failed++;
      fprintf(stderr, "FAIL %s.%s\n", suite, cases[i].name);
    } else {
      passed++;
    }
  }
  printf("%s: %d passed, %d failed\n", suite, passed, failed);
  return failed == 0 ? 0 : 1;
}
