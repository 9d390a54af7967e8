#!/usr/bin/env bash
# The exposition as Prometheus itself sees it:
#  1. builds and starts Tests/Integration/exposition_server.c (every standard
#     family populated) on a free loopback port;
#  2. lints its /metrics with `promtool check metrics`;
#  3. starts a real Prometheus (Debian package `prometheus`) on another free
#     loopback port, scraping it every second;
#  4. asks Prometheus' HTTP API for the counter the server incremented and
#     for target_info, and checks the values.
# Exits nonzero on any failure; removes its processes and files either way.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CC="${CC:-clang}"
WORK="$(mktemp -d)"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "prometheus_scrape: FAIL: $*" >&2
  exit 1
}

for tool in promtool prometheus curl; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (make deps)"
done

# A loopback port nobody listens on: bash's /dev/tcp connect fails there.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

echo "== building the exposition server"
"$CC" -std=c11 -O1 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
  -I"$ROOT/CSources/CGenesis/include" -I"$ROOT/CSources/CGenesis" \
  "$ROOT/Tests/Integration/exposition_server.c" "$ROOT"/CSources/CGenesis/*.c \
  -luv -lhiredis -lhttp_parser -lpthread -lm -o "$WORK/exposition_server"

echo "== starting it"
OTEL_SERVICE_NAME=genesis-it OTEL_RESOURCE_ATTRIBUTES="deployment.environment=ci" \
  "$WORK/exposition_server" 0 >"$WORK/server.out" 2>"$WORK/server.err" &
PIDS+=($!)
for _ in $(seq 1 100); do
  grep -q '^PORT ' "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
APP_PORT="$(awk '/^PORT /{print $2}' "$WORK/server.out")"
[ -n "$APP_PORT" ] || fail "the exposition server did not start: $(cat "$WORK/server.err")"
echo "   listening on 127.0.0.1:$APP_PORT"

echo "== promtool check metrics"
curl -fsS "http://127.0.0.1:$APP_PORT/metrics" >"$WORK/metrics.txt" || fail "GET /metrics"
if ! promtool check metrics <"$WORK/metrics.txt"; then
  fail "promtool rejected the exposition"
fi
echo "   $(grep -c '^# TYPE' "$WORK/metrics.txt") families, $(grep -vc '^#' "$WORK/metrics.txt") samples accepted"

echo "== starting prometheus"
PROM_PORT="$(free_port)" || fail "no free port for prometheus"
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: genesis
    scrape_interval: 1s
    scrape_timeout: 1s
    static_configs:
      - targets: ['127.0.0.1:$APP_PORT']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
  >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
echo "   listening on 127.0.0.1:$PROM_PORT"

# Polls an instant query until its answer contains `expect`.
query_until() {
  local query="$1" expect="$2" answer=""
  for _ in $(seq 1 60); do
    answer="$(curl -fsS -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
      --data-urlencode "query=$query" 2>/dev/null || true)"
    if [[ "$answer" == *"$expect"* ]]; then
      echo "   $query -> ok"
      return 0
    fi
    sleep 0.5
  done
  echo "   last answer: $answer" >&2
  tail -20 "$WORK/prometheus.log" >&2 || true
  fail "prometheus never answered $query with $expect"
}

echo "== querying prometheus"
query_until 'up{job="genesis"}' '"1"]'
query_until 'genesis_commands_sent_total{command="api"}' '"1234"]'
query_until 'target_info' '"service_name":"genesis-it"'
query_until 'target_info' '"deployment_environment":"ci"'
query_until 'genesis_commands_duration_seconds_count{command="api"}' '"3"]'
query_until 'app_orders_placed_total{region="eu-west"}' '"2.5"]'

echo "prometheus_scrape: PASS"
