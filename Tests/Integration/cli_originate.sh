#!/usr/bin/env bash
# `genesis originate` as a script uses it, against `genesis simulate`:
# the UUID on standard output and exit 0 when answered, the hangup cause on
# standard error and exit 2 when the call fails, exit 1 for a bad argument,
# and no channel left once --hangup-after has hung up.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/cli_common.sh"

PORT="$(free_port)" || fail "no free port"

start_simulator "$PORT"
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
