/* libFuzzer target: the observability server's request handling, through a
 * real socket. Each input is sent as the bytes of one client connection; the
 * server must answer with an HTTP/1.1 status line or nothing, and close,
 * without crashing, leaking or hanging. Slow per input (a TCP round trip),
 * but it runs the code exactly as a scraper or an attacker reaches it. */
#include <errno.h>
#include <stdio.h>
#include "CGenesis.h"

#include <arpa/inet.h>
#include <poll.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static gen_engine *engine;

/* Aborts (a finding) saying which step failed and why, since a harness
 * failure and a server failure look alike in libFuzzer's report. */
static void fail(const char *what) {
  fprintf(stderr, "fuzz_http: %s: %s\n", what, strerror(errno));
  abort();
}

static gen_http_server *server;
static uint16_t port;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (gen_engine_create(&engine) != 0) fail("engine");
  gen_http_config config;
  gen_http_config_init(&config);
  config.host = "127.0.0.1";
  config.port = 0;
  config.idle_timeout_ms = 500;
  if (gen_http_server_open(engine, &config, &server) != 0) fail("listen");
  port = gen_http_server_port(server);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  /* Each execution is a connection, thousands a second, and a closed one
   * keeps its port pair in TIME_WAIT for a minute on one side or the other:
   * one source address would run out of ports within a 15 s run. Rotating
   * over 127.1.0.0/16 (all loopback) gives each address few connections. */
  static unsigned executions;
  unsigned n = executions++;
  struct sockaddr_in source = {.sin_family = AF_INET};
  source.sin_addr.s_addr = htonl((127u << 24) | (1u << 16) | (((n / 250) % 250) << 8) | (n % 250 + 1));
  if (bind(fd, (struct sockaddr *)&source, sizeof source) != 0) fail("bind");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  /* libFuzzer's timer signal (-timeout) interrupts blocking calls: an
   * interrupted connect goes on in the background, so wait for it. */
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    if (errno != EINTR) fail("connect");
    struct pollfd writable = {.fd = fd, .events = POLLOUT};
    int ready;
    do ready = poll(&writable, 1, 3000); while (ready < 0 && errno == EINTR);
    int error = 0;
    socklen_t length = sizeof error;
    if (ready != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      if (error) errno = error;
      fail("connect (interrupted)");
    }
  }
  /* Longer than the server's idle timeout: a server that neither answers
   * nor closes shows up as a failed read below. */
  struct timeval timeout = {.tv_sec = 3};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
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
    if (n < 0 && errno == EINTR) continue; /* the timer signal; SO_RCVTIMEO calls are never restarted */
    if (n < 0 && errno == ECONNRESET) break; /* closed on a bad request: fine */
    if (n < 0) fail("no answer and no close within 3 s (a hang)");
    for (ssize_t i = 0; i < n && got < sizeof reply; i++) reply[got++] = chunk[i];
  }
  if (got > 0 && (got < 9 || memcmp(reply, "HTTP/1.1 ", 9) != 0)) {
    errno = 0;
    fail("an answer that is not an HTTP/1.1 status line");
  }
  close(fd);
  return 0;
}
