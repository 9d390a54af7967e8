#!/usr/bin/env bash
# The command-line tool and the call-center demo against a real FreeSWITCH
# (`make freeswitch-check`; not part of `make test`, which needs no switch).
#
#   ESL_HOST=127.0.0.1 [ESL_PORT=8021] [ESL_PASSWORD=ClueCon] [DEMO_SECONDS=20] \
#     Tests/Integration/freeswitch_check.sh
#
# The switch needs mod_loopback and the README's two demo extensions in its
# `default` context (5000 runs `socket 127.0.0.1:9000 async full`, 2000-2009
# ring 2 s, answer and park), and this machine must be where 5000's socket
# points. Every call the script makes is hung up by the time it ends.
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
