#!/usr/bin/env bash
# The command-line tool, the examples and the call-center demo against a real FreeSWITCH
# (`make freeswitch-check`; not part of `make test`, which needs no switch).
#
#   ESL_HOST=127.0.0.1 [ESL_PORT=8021] [ESL_PASSWORD=ClueCon] [DEMO_SECONDS=20] \
#     Tests/Integration/freeswitch_check.sh
#
# The switch needs mod_loopback and the README's two demo extensions in its
# `default` context (5000 runs `socket 127.0.0.1:9000 async full`, 2000-2009
# ring 2 s, answer and park), and this machine must be where 5000's socket
# points (the examples' outbound servers and the demo listen on 9000).
# Every call the script makes is hung up by the time it ends.
set -euo pipefail

if [ -z "${ESL_HOST:-}" ]; then
  echo "freeswitch_check: set ESL_HOST (and ESL_PORT, ESL_PASSWORD) to a FreeSWITCH's event socket" >&2
  exit 2
fi
export ESL_HOST ESL_PORT="${ESL_PORT:-8021}" ESL_PASSWORD="${ESL_PASSWORD:-ClueCon}"
DEMO_SECONDS="${DEMO_SECONDS:-20}"

source "$(dirname "${BASH_SOURCE[0]}")/cli_common.sh"
SHOW_ON_FAILURE=("$WORK/out" "$WORK/err")

# A reply body of FreeSWITCH's own, and its -ERR as exit status 1.
"$GENESIS" api status >"$WORK/out" 2>"$WORK/err" || fail "api status failed"
grep -q "^FreeSWITCH (Version .*) is ready" "$WORK/out" || fail "api status is not FreeSWITCH's status text"
echo "switch: $(sed -n 's/^FreeSWITCH (Version \(.*\)) is ready/\1/p' "$WORK/out")"
status=0
"$GENESIS" api genesis_no_such_command >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 1 ] || fail "an unknown api command gave exit status $status, not 1"
grep -q -- "-ERR genesis_no_such_command Command not found" "$WORK/out" "$WORK/err" \
  || fail "no -ERR for an unknown api command"

# The events of one call (filtered on the UUID the call is given), while it
# is placed, answered and hung up.
UUID="$(cat /proc/sys/kernel/random/uuid)"
"$GENESIS" events --filter "Unique-ID=$UUID" >"$WORK/events" 2>"$WORK/err" &
BACKGROUND_PID=$!
sleep 1
"$GENESIS" originate loopback/2000/default --uuid "$UUID" --hangup-after 1 >"$WORK/out" 2>"$WORK/err" \
  || fail "originate loopback/2000/default failed"
[ "$(cat "$WORK/out")" = "$UUID" ] || fail "originate did not print the call's UUID"
for _ in $(seq 1 50); do
  grep -q '"Event-Name":"CHANNEL_HANGUP_COMPLETE"' "$WORK/events" && break
  sleep 0.2
done
kill "$BACKGROUND_PID" 2>/dev/null || true
wait "$BACKGROUND_PID" 2>/dev/null || true
BACKGROUND_PID=""
for name in CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE; do
  grep "\"Event-Name\":\"$name\"" "$WORK/events" | grep -q "\"Unique-ID\":\"$UUID\"" \
    || fail "no $name event for the originated call"
done
grep -v "\"Unique-ID\":\"$UUID\"" "$WORK/events" | grep -q . && fail "an event of another channel passed the filter"

# A call that fails: exit status 2 and FreeSWITCH's hangup cause.
status=0
"$GENESIS" originate error/user_busy >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 2 ] || fail "originate error/user_busy gave exit status $status, not 2"
grep -q "USER_BUSY" "$WORK/err" || fail "no USER_BUSY for originate error/user_busy"

# The examples (Examples/), each against the switch. Their output is read
# as it is printed (stdbuf), and each server is stopped before the next
# takes the demo's outbound port.
for product in ClickToCall CallForwarding IVR; do
  swift build --product "$product" >/dev/null 2>&1 || fail "building $product"
done
EXAMPLES="$(swift build --show-bin-path 2>/dev/null)"
wait_for() { # wait_for FILE TEXT SECONDS
  for _ in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  fail "no '$2' within $3 s"
}
stop_background() {
  kill "$BACKGROUND_PID" 2>/dev/null || true
  wait "$BACKGROUND_PID" 2>/dev/null || true
  BACKGROUND_PID=""
}

# ClickToCall: agent, tone, customer, bridge; ends when the customer hangs up.
SHOW_ON_FAILURE=("$WORK/example")
stdbuf -oL "$EXAMPLES/ClickToCall" --host "$ESL_HOST" --port "$ESL_PORT" --password "$ESL_PASSWORD" \
  --agent loopback/2000/default --customer loopback/2001/default >"$WORK/example" 2>&1 &
BACKGROUND_PID=$!
wait_for "$WORK/example" "^bridged" 20
CUSTOMER="$(sed -n 's/^customer answered: //p' "$WORK/example")"
"$GENESIS" api "uuid_kill $CUSTOMER" >/dev/null
wait_for "$WORK/example" "^call over: NORMAL_CLEARING" 10
stop_background

# CallForwarding (the demo's 5000 reaches it on 9000): a target that
# answers, then the caller hangs up; a busy target, handed back to the
# example as the failure it handles (a tone, then hangup).
stdbuf -oL "$EXAMPLES/CallForwarding" --host "$ESL_HOST" --listen 9000 --target loopback/2002/default \
  >"$WORK/example" 2>&1 &
BACKGROUND_PID=$!
wait_for "$WORK/example" "^forwarding server" 10
"$GENESIS" originate loopback/5000/default --hangup-after 1 >/dev/null || fail "originate to the forwarding server"
wait_for "$WORK/example" "^caller hung up: NORMAL_CLEARING" 10
stop_background
stdbuf -oL "$EXAMPLES/CallForwarding" --host "$ESL_HOST" --listen 9000 --target error/user_busy \
  >"$WORK/example" 2>&1 &
BACKGROUND_PID=$!
wait_for "$WORK/example" "^forwarding server" 10
"$GENESIS" originate loopback/5000/default --timeout 10 >/dev/null 2>&1 || true
wait_for "$WORK/example" "^target failed: USER_BUSY" 10
stop_background

# IVR: answer, play_and_get_digits; the caller presses 0 (the operator
# handler) then 3.
stdbuf -oL "$EXAMPLES/IVR" --host "$ESL_HOST" --listen 9000 >"$WORK/example" 2>&1 &
BACKGROUND_PID=$!
wait_for "$WORK/example" "^IVR listening" 10
UUID="$(cat /proc/sys/kernel/random/uuid)"
"$GENESIS" originate loopback/5000/default --uuid "$UUID" --timeout 10 >/dev/null 2>&1 &
CALLER_PID=$!
wait_for "$WORK/example" "^call from" 10
sleep 0.5
"$GENESIS" api "uuid_send_dtmf $UUID 0" >/dev/null
sleep 0.3
"$GENESIS" api "uuid_send_dtmf $UUID 3" >/dev/null
wait_for "$WORK/example" "^caller asked for the operator" 10
wait_for "$WORK/example" "^handled choice 3" 10
wait "$CALLER_PID" 2>/dev/null || true
stop_background
SHOW_ON_FAILURE=("$WORK/out" "$WORK/err")
echo "examples: ClickToCall, CallForwarding (answered, busy), IVR: ok"

# The call center: callers through the outbound socket, queue, balancing
# ring group, bridge, talk, hang up; nothing lost, failed or left up.
status=0
"$GENESIS" demo --duration "$DEMO_SECONDS" >"$WORK/out" 2>"$WORK/err" || status=$?
[ "$status" = 0 ] || fail "demo: exit status $status"
value() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$WORK/out"; }
[ "$(value "answered")" -gt 0 ] || fail "demo: no call answered"
[ "$(value "lost events")" = 0 ] || fail "demo: events were lost"
[ "$(value "failed")" = 0 ] || fail "demo: calls failed"
[ "$(value "calls offered")" = "$(value "calls placed")" ] || fail "demo: not every caller reached the call center"
grep -q "^channels: .* 0 still up" "$WORK/out" || fail "demo: channels left up"
sed -n '/^summary/,$p' "$WORK/out"

echo "freeswitch_check: PASS"
