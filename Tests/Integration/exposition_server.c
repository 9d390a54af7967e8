/* Serves the observability endpoints with every standard family populated,
 * for Tests/Integration/prometheus_scrape.sh: promtool lints what it serves
 * and a real Prometheus scrapes it. Prints "PORT <n>" once listening, then
 * serves until SIGINT or SIGTERM.
 *
 * usage: exposition_server [port]   (default 0: a free port) */
#include "CGenesis.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* The value the script asks Prometheus for. */
#define SENT_API 1234

static gen_series series(int family, const char *const *values, size_t n) {
  int64_t s = gen_metric_series(family, values, n);
  if (s < 0) {
    fprintf(stderr, "series of family %d: %s\n", family, gen_strerror((int)s));
    exit(1);
  }
  return (gen_series)s;
}

#define V(...) ((const char *const[]){__VA_ARGS__})
#define N(...) (sizeof(V(__VA_ARGS__)) / sizeof(const char *))
#define S(family, ...) series(family, V(__VA_ARGS__), N(__VA_ARGS__))

static void populate(void) {
  gen_counter_add(S(GEN_M_COMMANDS_SENT, "api"), SENT_API);
  gen_counter_add(S(GEN_M_COMMANDS_SENT, "bgapi"), 7);
  gen_series rtt = S(GEN_M_COMMANDS_DURATION, "api");
  gen_histogram_observe(rtt, 0.00004);
  gen_histogram_observe(rtt, 0.0021);
  gen_histogram_observe(rtt, 3.5);
  gen_counter_add(S(GEN_M_COMMANDS_ERRORS, "api", "-ERR no such command"), 2);
  gen_counter_add(S(GEN_M_EVENTS_RECEIVED, "CHANNEL_ANSWER", "", "inbound", "CS_EXECUTE",
                    "answered", ""), 5);
  gen_counter_add(S(GEN_M_EVENTS_RECEIVED, "CUSTOM", "sofia::register", "", "", "", ""), 1);
  gen_gauge_set(S(GEN_M_CONNECTIONS_ACTIVE, "inbound"), 3);
  gen_gauge_set(S(GEN_M_CONNECTIONS_ACTIVE, "outbound"), 12);
  gen_counter_add(S(GEN_M_CONNECTIONS_ERRORS, "inbound", "connection refused"), 1);
  gen_counter_add(S(GEN_M_CHANNEL_OPERATIONS, "answer", "true", ""), 9);
  gen_counter_add(S(GEN_M_CHANNEL_OPERATIONS, "playback", "false", "file \"x\" not found\\"), 1);
  gen_histogram_observe(S(GEN_M_CHANNEL_OPERATION_DURATION, "answer"), 0.012);
  gen_counter_add(S(GEN_M_CHANNEL_HANGUP_CAUSES, "NORMAL_CLEARING", ""), 4);
  gen_counter_add(S(GEN_M_CHANNEL_BRIDGE_OPERATIONS, "true", ""), 2);
  gen_counter_add(S(GEN_M_CHANNEL_DTMF_RECEIVED, "5"), 3);
  gen_histogram_observe(series(GEN_M_CALL_DURATION, NULL, 0), 185.5);
  gen_counter_add(S(GEN_M_RING_GROUP_OPERATIONS, "parallel", "true"), 1);
  gen_histogram_observe(S(GEN_M_RING_GROUP_OPERATION_DURATION, "parallel", "true"), 4.2);
  gen_counter_add(S(GEN_M_RING_GROUP_RESULTS, "parallel", "answered", "true", ""), 1);
  gen_counter_add(S(GEN_M_TIMEOUTS, "wait", "channel.wait", "30"), 1);
  gen_counter_add(S(GEN_M_QUEUE_OPERATIONS, "sales", "acquire"), 6);
  gen_counter_add(S(GEN_M_QUEUE_OPERATIONS, "sales", "release"), 6);
  gen_histogram_observe(S(GEN_M_QUEUE_WAIT_DURATION, "sales"), 0.3);
  gen_gauge_set(S(GEN_M_COMMANDS_IN_FLIGHT, "inbound"), 1);
  gen_histogram_observe(series(GEN_M_EVENT_LAG, NULL, 0), 0.0008);
  gen_counter_add(S(GEN_M_BACKPRESSURE_PAUSES, "inbound"), 1);
  gen_counter_add(S(GEN_M_BYTES_READ, "inbound"), 123456);
  gen_counter_add(S(GEN_M_BYTES_WRITTEN, "inbound"), 4321);
  gen_counter_add(S(GEN_M_PARSE_ERRORS, gen_metric_parse_error_kind(GEN_EBADLENGTH)), 1);
  /* An application's own family, as the swift-metrics factory makes them. */
  int app = gen_metric_family("app.orders.placed", "Orders placed.", GEN_METRIC_COUNTER,
                              V("region"), 1, GEN_BUCKETS_NONE, NULL, 0);
  gen_counter_add_double(series(app, V("eu-west"), 1), 2.5);
}

int main(int argc, char **argv) {
  uint16_t port = argc > 1 ? (uint16_t)atoi(argv[1]) : 0;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  /* Blocked before the engine's thread starts, so only sigwait sees them. */
  pthread_sigmask(SIG_BLOCK, &stop, NULL);

  populate();
  gen_engine *engine;
  int rc = gen_engine_create(&engine);
  if (rc != 0) {
    fprintf(stderr, "engine: %s\n", gen_strerror(rc));
    return 1;
  }
  gen_http_config config;
  gen_http_config_init(&config);
  config.host = "127.0.0.1";
  config.port = port;
  gen_http_server *server;
  rc = gen_http_server_open(engine, &config, &server);
  if (rc != 0) {
    fprintf(stderr, "listen: %s\n", gen_strerror(rc));
    gen_engine_destroy(engine);
    return 1;
  }
  gen_http_server_set_ready(server, 1);
  printf("PORT %u\n", gen_http_server_port(server));
  fflush(stdout);

  int sig;
  sigwait(&stop, &sig);
  gen_http_server_close(server);
  gen_engine_destroy(engine);
  return 0;
}
