/* Debian's libuv1-dev; the engine's only I/O dependency. */
#include <uv.h>
