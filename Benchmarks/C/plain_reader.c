/* The baseline the engine is measured against: a plain C ESL client with
 * blocking sockets and no event loop, the least work a client can do.
 *
 *   plain_reader events HOST PORT PASSWORD COUNT COMMAND [SETUP...]
 *     sends each SETUP command (e.g. "event plain ALL") and waits for its
 *     reply, then sends COMMAND (e.g. "api sim_blast 3000000") and counts
 *     Event-Name lines in event bodies until COUNT arrive; prints events/s.
 *   plain_reader api HOST PORT PASSWORD COUNT [IN_FLIGHT]
 *     COUNT "api status" round trips, one at a time, or pipelined with
 *     IN_FLIGHT commands unanswered (each reply read sends one more; the
 *     commands a read makes room for leave in one write); prints round
 *     trips/s. Pipelined, it is the ceiling any client can reach against
 *     the server it runs against.
 *
 * Commands are sent with the blank line ESL expects appended. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (4u << 20)

typedef struct reader {
  int fd;
  char *buf;
  size_t start, end; /* unconsumed bytes are buf[start..end) */
} reader;

typedef struct frame {
  const char *headers;
  size_t headers_len;
  const char *body;
  size_t body_len;
} frame;

static void die(const char *what) {
  fprintf(stderr, "plain_reader: %s: %s\n", what, errno ? strerror(errno) : "protocol error");
  exit(1);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host, port, &hints, &res) != 0) die("getaddrinfo");
  int fd = socket(res->ai_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) != 0) die("connect");
  freeaddrinfo(res);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void send_command(int fd, const char *command) {
  char line[4096];
  int n = snprintf(line, sizeof line, "%s\n\n", command);
  if (n < 0 || (size_t)n >= sizeof line) die("command too long");
  for (int off = 0; off < n;) {
    ssize_t w = write(fd, line + off, (size_t)(n - off));
    if (w <= 0) die("write");
    off += (int)w;
  }
}

static void fill(reader *r) {
  if (r->start > 0 && (r->end == BUF_SIZE || r->start == r->end)) {
    memmove(r->buf, r->buf + r->start, r->end - r->start);
    r->end -= r->start;
    r->start = 0;
  }
  if (r->end == BUF_SIZE) die("frame larger than the buffer");
  ssize_t n = read(r->fd, r->buf + r->end, BUF_SIZE - r->end);
  if (n == 0) {
    errno = 0;
    die("server closed the connection");
  }
  if (n < 0) die("read");
  r->end += (size_t)n;
}

/* Blocks until one whole frame is buffered; the frame stays valid until the
 * next call. */
static void next_frame(reader *r, frame *f) {
  for (;;) {
    const char *base = r->buf + r->start;
    size_t avail = r->end - r->start;
    const char *blank = memmem(base, avail, "\n\n", 2);
    if (blank) {
      size_t headers_len = (size_t)(blank - base) + 1;
      size_t body_len = 0;
      const char *cl = memmem(base, headers_len, "Content-Length: ", 16);
      if (cl) body_len = strtoul(cl + 16, NULL, 10);
      size_t total = headers_len + 1 + body_len;
      if (avail >= total) {
        f->headers = base;
        f->headers_len = headers_len;
        f->body = base + headers_len + 1;
        f->body_len = body_len;
        r->start += total;
        return;
      }
    }
    fill(r);
  }
}

static void write_all(int fd, const char *bytes, size_t n) {
  for (size_t off = 0; off < n;) {
    ssize_t w = write(fd, bytes + off, n - off);
    if (w <= 0) die("write");
    off += (size_t)w;
  }
}

static int has_header(const frame *f, const char *line) {
  return memmem(f->headers, f->headers_len, line, strlen(line)) != NULL;
}

static long count_event_names(const frame *f) {
  long count = 0;
  const char *p = f->body, *end = f->body + f->body_len;
  while (p < end) {
    if ((size_t)(end - p) >= 12 && memcmp(p, "Event-Name: ", 12) == 0) count++;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) break;
    p = nl + 1;
  }
  return count;
}

/* Reads until the reply to the last command, skipping events. */
static void await_reply(reader *r, frame *f) {
  do next_frame(r, f);
  while (!has_header(f, "Content-Type: command/reply") && !has_header(f, "Content-Type: api/response"));
}

/* Keeps `in_flight` commands unanswered until `count` replies came back. */
static void pipelined_api(reader *r, long count, long in_flight) {
  static const char command[] = "api status\n\n";
  const size_t length = sizeof command - 1;
  char *burst = malloc(length * (size_t)in_flight);
  if (!burst) die("malloc");
  for (long i = 0; i < in_flight; i++) memcpy(burst + (size_t)i * length, command, length);
  long sent = in_flight < count ? in_flight : count, answered = 0;
  write_all(r->fd, burst, length * (size_t)sent);
  frame f;
  while (answered < count) {
    long room = 0;
    /* Every whole reply already read, then one read for more. */
    do {
      next_frame(r, &f);
      if (has_header(&f, "Content-Type: api/response")) answered++, room++;
    } while (answered < count && memmem(r->buf + r->start, r->end - r->start, "\n\n", 2) &&
             r->end - r->start > 64);
    if (room > count - sent) room = count - sent;
    if (room > 0) {
      write_all(r->fd, burst, length * (size_t)room);
      sent += room;
    }
  }
  free(burst);
}

static void authenticate(reader *r, const char *password) {
  frame f;
  do next_frame(r, &f);
  while (!has_header(&f, "Content-Type: auth/request"));
  char command[512];
  snprintf(command, sizeof command, "auth %s", password);
  send_command(r->fd, command);
  await_reply(r, &f);
  if (!has_header(&f, "Reply-Text: +OK")) {
    errno = 0;
    die("authentication failed");
  }
}

int main(int argc, char **argv) {
  if (argc < 6 || (strcmp(argv[1], "events") != 0 && strcmp(argv[1], "api") != 0) ||
      (strcmp(argv[1], "events") == 0 && argc < 7)) {
    fprintf(stderr,
            "usage: %s events HOST PORT PASSWORD COUNT COMMAND [SETUP...]\n"
            "       %s api HOST PORT PASSWORD COUNT [IN_FLIGHT]\n", argv[0], argv[0]);
    return 2;
  }
  long count = atol(argv[5]);
  reader r = {dial(argv[2], argv[3]), malloc(BUF_SIZE), 0, 0};
  if (!r.buf) die("malloc");
  authenticate(&r, argv[4]);
  frame f;
  if (strcmp(argv[1], "api") == 0) {
    long in_flight = argc > 6 ? atol(argv[6]) : 1;
    if (in_flight < 1) in_flight = 1;
    double t0 = now();
    if (in_flight == 1) {
      for (long i = 0; i < count; i++) {
        send_command(r.fd, "api status");
        await_reply(&r, &f);
      }
    } else {
      pipelined_api(&r, count, in_flight);
    }
    double elapsed = now() - t0;
    printf("api: %ld round trips in %.3f s = %.0f round trips/s, in flight %ld\n", count, elapsed,
           (double)count / elapsed, in_flight);
  } else {
    for (int i = 7; i < argc; i++) {
      send_command(r.fd, argv[i]);
      await_reply(&r, &f);
    }
    double t0 = now();
    send_command(r.fd, argv[6]);
    long events = 0;
    while (events < count) {
      next_frame(&r, &f);
      if (has_header(&f, "Content-Type: text/event-plain")) events += count_event_names(&f);
    }
    double elapsed = now() - t0;
    printf("events: %ld in %.3f s = %.0f events/s\n", events, elapsed, (double)events / elapsed);
  }
  close(r.fd);
  free(r.buf);
  return 0;
}
