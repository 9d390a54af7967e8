#!/usr/bin/env bash
# `genesis originate` as a script uses it, against `genesis simulate`:
# the UUID on standard output and exit 0 when answered, the hangup cause on
# standard error and exit 2 when the call fails, exit 1 for a bad argument,
# and no channel left once --hangup-after has hung up.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d)"
SIM_PID=""

cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "cli_originate: FAIL: $*" >&2
  exit 1
}

cd "$ROOT"
swift build --product genesis >/dev/null
GENESIS="$(swift build --show-bin-path 2>/dev/null)/genesis"

PORT=""
for _ in $(seq 1 100); do
  candidate=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then PORT="$candidate"; break; fi
done
[ -n "$PORT" ] || fail "no free port"

"$GENESIS" simulate --port "$PORT" >"$WORK/simulator.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 1 100); do
  "$GENESIS" api status --port "$PORT" >/dev/null 2>&1 && break
  sleep 0.1
done
export ESL_PORT="$PORT"

status=0
uuid="$("$GENESIS" originate loopback/1000 --variable "origination_caller_id_name=Doe, John" \
  --hangup-after 0.2 2>"$WORK/err")" || status=$?
[ "$status" = 0 ] || fail "answered call: exit $status ($(cat "$WORK/err"))"
[[ "$uuid" =~ ^[0-9a-f-]{36}$ ]] || fail "answered call printed '$uuid', not a UUID"

status=0
"$GENESIS" originate loopback/4000 >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 2 ] || fail "busy call: exit $status, expected 2"
grep -qx "USER_BUSY" "$WORK/err" || fail "busy call: stderr '$(cat "$WORK/err")', expected USER_BUSY"
[ ! -s "$WORK/out" ] || fail "busy call printed '$(cat "$WORK/out")' on stdout"

status=0
"$GENESIS" originate loopback/1000 --variable novalue >/dev/null 2>&1 || status=$?
[ "$status" != 0 ] && [ "$status" != 2 ] || fail "bad --variable: exit $status, expected a usage error"

count="$("$GENESIS" api "show channels count")"
[[ "$count" == *"0 total."* ]] || fail "channels left behind: $count"

echo "cli_originate: PASS"
