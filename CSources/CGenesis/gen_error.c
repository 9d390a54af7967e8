/* Names for error codes. The engine's own codes live far below libuv's, so
 * one int carries either kind and anything not ours is libuv's to name. */
#include "CGenesis.h"

#include <uv.h>

const char *gen_strerror(int code) {
  switch (code) {
  case GEN_OK: return "success";
  case GEN_EBADLENGTH: return "invalid Content-Length";
  case GEN_EDUPLENGTH: return "duplicate Content-Length";
  case GEN_ENOCOLON: return "header line without ':'";
  case GEN_EHEADERSIZE: return "header block too large";
  case GEN_EBODYSIZE: return "body too large";
  case GEN_EEMPTYNAME: return "header line with an empty name";
  case GEN_EBADJSON: return "malformed JSON event";
  case GEN_EBADXML: return "malformed XML event";
  case GEN_ECLOSED: return "connection closed";
  case GEN_EWRITEFULL: return "write queue full";
  case GEN_ENOMEM: return "out of memory";
  case GEN_EINVAL: return "invalid argument";
  case GEN_EEOF: return "connection closed by peer";
  case GEN_ESTOPPED: return "engine stopped";
  default: break;
  }
  /* libuv names only its own (negated errno) codes; keep unknown positive
   * or engine-range values from reaching it as misleading text. */
  if (code < 0 && code > -4096) return uv_strerror(code);
  return "unknown error";
}
