#!/usr/bin/env bash
# `genesis demo` as `make demo` runs it, shortened: the call center on the
# embedded simulator for a few seconds. Checks the exit status, the
# summary (calls answered, no event lost, no channel left), and that
# /metrics, /health and /ready answer while the calls run; then the same
# scenario against an external switch (`genesis simulate` with a directory
# whose 5000 runs the outbound socket), as against a real FreeSWITCH.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/cli_common.sh"
SHOW_ON_FAILURE=("$WORK/out" "$WORK/err")

# The embedded simulator is chosen only when no switch is given.
unset ESL_HOST ESL_PORT ESL_PASSWORD
"$GENESIS" demo --duration 8 --cps 2 --agents 4 >"$WORK/out" 2>"$WORK/err" &
BACKGROUND_PID=$!

# The URL is printed before the first caller is placed.
URL=""
for _ in $(seq 1 300); do
  URL="$(sed -n 's|^metrics: \(http://[^ ]*\)/metrics.*|\1|p' "$WORK/out")"
  [ -n "$URL" ] && break
  kill -0 "$BACKGROUND_PID" 2>/dev/null || fail "the demo ended before printing the metrics URL"
  sleep 0.1
done
[ -n "$URL" ] || fail "no metrics URL printed"

# Once calls are answered, the exposition carries the call center's work.
for _ in $(seq 1 200); do
  grep -q "answered [1-9]" "$WORK/out" && break
  kill -0 "$BACKGROUND_PID" 2>/dev/null || fail "the demo ended before a call was answered"
  sleep 0.1
done
curl -fsS "$URL/metrics" >"$WORK/metrics" || fail "GET /metrics during the run"
for family in genesis_ring_group_operations_total genesis_queue_operations_total genesis_channel_operations_total; do
  grep -q "^$family" "$WORK/metrics" || fail "/metrics during the run has no $family"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health")" = 200 ] || fail "/health is not 200 during the run"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/ready")" = 200 ] || fail "/ready is not 200 while calls arrive"

status=0
wait "$BACKGROUND_PID" || status=$?
BACKGROUND_PID=""
[ "$status" = 0 ] || fail "exit status $status"

value() {
  sed -n "s/^$1: \([0-9]*\).*/\1/p" "$WORK/out"
}

# The summary of a run that succeeded: every caller reached the call center,
# some were answered, nothing failed, was lost or was left up.
check_summary() {
  for line in "calls placed" "calls offered" "answered" "abandoned" "failed" "lost events"; do
    [ -n "$(value "$line")" ] || fail "summary has no '$line:' line"
  done
  grep -q "^answer latency: p50 [0-9.]* s, p99 [0-9.]* s" "$WORK/out" || fail "no answer latency percentiles"
  grep -q "^queue wait: p50 [0-9.]* s, p99 [0-9.]* s" "$WORK/out" || fail "no queue wait percentiles"
  [ "$(value "answered")" -gt 0 ] || fail "no call answered"
  [ "$(value "lost events")" = 0 ] || fail "events were lost"
  [ "$(value "failed")" = 0 ] || fail "calls failed"
  [ "$(value "calls offered")" = "$(value "calls placed")" ] || fail "not every caller reached the call center"
  grep -q "^channels: .* 0 still up" "$WORK/out" || fail "channels left on the simulator"
  grep -q "^result: ok$" "$WORK/out" || fail "the summary does not say ok"
}
check_summary

# Against an external switch: --host, and the outbound server on the port
# the switch's dialplan names.
SIM_PORT="$(free_port)" || fail "no free port"
OUTBOUND_PORT="$(free_port)" || fail "no free port"
[ "$OUTBOUND_PORT" != "$SIM_PORT" ] || fail "the same free port twice"
printf '5000: socket 127.0.0.1:%s async full\n2000-2003: ring_ready; sleep 2000; answer; park\n' \
  "$OUTBOUND_PORT" >"$WORK/directory"
start_simulator "$SIM_PORT" --directory "$WORK/directory"
status=0
"$GENESIS" demo --host 127.0.0.1 --port "$SIM_PORT" --outbound-port "$OUTBOUND_PORT" \
  --duration 4 --agents 4 >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 0 ] || fail "against an external switch: exit status $status"
grep -q "^switch: 127.0.0.1:$SIM_PORT, outbound server on 127.0.0.1:$OUTBOUND_PORT" "$WORK/out" \
  || fail "the external switch was not used"
check_summary

# A bad option is refused before anything starts.
status=0
"$GENESIS" demo --cps 0 >/dev/null 2>&1 || status=$?
[ "$status" != 0 ] || fail "--cps 0 was accepted"

echo "cli_demo: PASS"
