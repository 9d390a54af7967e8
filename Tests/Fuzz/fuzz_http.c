/* libFuzzer target: the observability server's request handling, through a
 * real socket. Each input is sent as the bytes of one client connection; the
 * server must answer with an HTTP/1.1 status line or nothing, and close,
 * without crashing, leaking or hanging. Slow per input (a TCP round trip),
 * but it runs the code exactly as a scraper or an attacker reaches it. */
#include <errno.h>
#include "CGenesis.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static gen_engine *engine;
static gen_http_server *server;
static uint16_t port;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (gen_engine_create(&engine) != 0) abort();
  gen_http_config config;
  gen_http_config_init(&config);
  config.host = "127.0.0.1";
  config.port = 0;
  config.idle_timeout_ms = 500;
  if (gen_http_server_open(engine, &config, &server) != 0) abort();
  port = gen_http_server_port(server);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) abort();
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) abort();
  /* Longer than the server's idle timeout: a server that neither answers
   * nor closes shows up as a failed read below. */
  struct timeval timeout = {.tv_sec = 3};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break; /* the server may close early on a bad request */
    sent += (size_t)n;
  }
  shutdown(fd, SHUT_WR);
  char reply[16];
  size_t got = 0;
  for (;;) {
    char chunk[4096];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n == 0) break;
    if (n < 0 && errno == ECONNRESET) break; /* closed on a bad request: fine */
    if (n < 0) abort(); /* no answer and no close within 3 s: a hang */
    for (ssize_t i = 0; i < n && got < sizeof reply; i++) reply[got++] = chunk[i];
  }
  if (got > 0 && (got < 9 || memcmp(reply, "HTTP/1.1 ", 9) != 0)) abort();
  /* Close with a reset: thousands of executions a second would otherwise
   * leave as many client ports in TIME_WAIT and run out of them within a
   * 15 s run, failing connect() for a reason that is not the server's. */
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close(fd);
  return 0;
}
