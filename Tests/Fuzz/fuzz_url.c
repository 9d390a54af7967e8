/* libFuzzer target: the value codecs that run on every header a user reads.
 * Decoding never grows its input and never reads past it; encoding then
 * decoding gives the bytes back; the JSON and XML unescapers either succeed
 * within the input's length or report an error. */
#include "CGenesis.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *src = (const char *)data;
  char *decoded = malloc(size + 1);
  char *encoded = malloc(size * 3 + 1);
  char *round = malloc(size * 3 + 1);
  if (!decoded || !encoded || !round) abort();

  size_t n = gen_url_decode(src, size, decoded);
  if (n > size) abort();
  if (!gen_url_needs_decode(src, size) && (n != size || memcmp(decoded, src, size) != 0)) abort();

  int64_t e = gen_url_encode(src, size, encoded, size * 3 + 1);
  if (e < 0) abort();
  size_t back = gen_url_decode(encoded, (size_t)e, round);
  /* An encoded '%XX' the encoder kept as is decodes to its byte: compare
   * only inputs without '%'. */
  if (memchr(src, '%', size) == NULL && (back != size || memcmp(round, src, size) != 0)) abort();

  int64_t j = gen_json_unescape(src, size, decoded);
  if (j > (int64_t)size) abort();
  size_t x = gen_xml_unescape(src, size, decoded);
  if (x > size) abort();

  free(decoded);
  free(encoded);
  free(round);
  return 0;
}
