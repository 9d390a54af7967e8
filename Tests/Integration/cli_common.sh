# Sourced by the CLI scripts (cli_*.sh): the repository root as working
# directory, a scratch directory, one background process stopped at exit,
# failure reports, and the genesis binary of a debug build.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d)"
SCRIPT="$(basename "$0" .sh)"
# The background process to stop at exit, if any.
BACKGROUND_PID=""
# Files shown when a check fails (the output of the command under test).
SHOW_ON_FAILURE=()

cleanup() {
  if [ -n "$BACKGROUND_PID" ]; then
    kill "$BACKGROUND_PID" 2>/dev/null || true
    wait "$BACKGROUND_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "$SCRIPT: FAIL: $*" >&2
  for file in "${SHOW_ON_FAILURE[@]}"; do
    if [ -f "$file" ]; then sed "s/^/  $(basename "$file") | /" "$file" >&2; fi
  done
  exit 1
}

# A TCP port nothing listens on now, on 127.0.0.1.
free_port() {
  local candidate
  for _ in $(seq 1 100); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return 0; fi
  done
  return 1
}

# `genesis simulate --port PORT [options]` in the background, once it answers.
start_simulator() {
  local port="$1"
  shift
  "$GENESIS" simulate --port "$port" "$@" >"$WORK/simulator.log" 2>&1 &
  BACKGROUND_PID=$!
  for _ in $(seq 1 100); do
    "$GENESIS" api status --port "$port" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "the simulator on port $port does not answer"
}

cd "$ROOT"
swift build --product genesis >/dev/null
GENESIS="$(swift build --show-bin-path 2>/dev/null)/genesis"
