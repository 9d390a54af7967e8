#!/usr/bin/env bash
# Side by side, in one run (the machines are noisy, so ratios are what
# count): the Swift library against a plain C client of the same stream,
# both reading from the same simulator.
#
#   [GENESIS_BIN=path/to/genesis] Benchmarks/compare.sh [EVENTS] [API_ONE] [API_MANY] [ROUNDS]
#
# Prints one line per measurement and a summary table in Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-3000000}
api_one=${2:-100000}
api_many=${3:-1000000}
rounds=${4:-3}

# GENESIS_BIN picks an already built CLI (for example one built with its own
# --scratch-path); unset, the release build of this checkout is used, with
# the Swift runtime linked statically as a server deploys it: calls into the
# runtime and its thread-local lookups then skip the dynamic linker's
# indirections, about a tenth of the CPU of an api command (BENCHMARKS.md).
if [ -n "${GENESIS_BIN:-}" ]; then
  genesis=$GENESIS_BIN
else
  swift build -c release --static-swift-stdlib --product genesis >/dev/null
  genesis=$(swift build -c release --static-swift-stdlib --show-bin-path)/genesis
fi
make -s -C Benchmarks/C plain_reader >/dev/null
plain=Benchmarks/.build/c/plain_reader

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$genesis" simulate --port "$port" >/dev/null &
simulator=$!
trap 'kill $simulator 2>/dev/null; wait $simulator 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

# The figure from a result line: "... = 1234567/s ..." or a JSON field.
rate() { sed -n 's/.*"per_second":\([0-9]*\).*/\1/p; s/.* \([0-9][0-9]*\) events\/s.*/\1/p; s/.* \([0-9][0-9]*\) round trips\/s.*/\1/p' | head -1; }
peak() { sed -n 's/.*"peak_rss_mb":\([0-9]*\).*/\1/p' | head -1; }
best() { sort -n | tail -1; }

declare -a c_events swift_events swift_rss c_api c_many swift_api swift_many swift_api_io swift_many_io
for round in $(seq "$rounds"); do
  line=$("$plain" events 127.0.0.1 "$port" ClueCon "$events" "api sim_blast $events" "event plain ALL")
  echo "round $round  C reader      $line"; c_events+=("$(rate <<<"$line")")
  line=$("$genesis" bench events --port "$port" --count "$events" --json)
  echo "round $round  Swift events  $line"; swift_events+=("$(rate <<<"$line")"); swift_rss+=("$(peak <<<"$line")")
  line=$("$plain" api 127.0.0.1 "$port" ClueCon "$api_one")
  echo "round $round  C api         $line"; c_api+=("$(rate <<<"$line")")
  line=$("$genesis" bench api --port "$port" --count "$api_one" --json)
  echo "round $round  Swift api     $line"; swift_api+=("$(rate <<<"$line")")
  # The C client pipelining 100: the most any client gets from this simulator.
  line=$("$plain" api 127.0.0.1 "$port" ClueCon "$api_many" 100)
  echo "round $round  C api x100    $line"; c_many+=("$(rate <<<"$line")")
  line=$("$genesis" bench api --port "$port" --count "$api_many" --in-flight 100 --json)
  echo "round $round  Swift api x100 $line"; swift_many+=("$(rate <<<"$line")")
  # The same with the api tasks on the client's I/O thread (ioExecutor).
  line=$("$genesis" bench api --port "$port" --count "$api_one" --on-io-thread --json)
  echo "round $round  Swift api io  $line"; swift_api_io+=("$(rate <<<"$line")")
  line=$("$genesis" bench api --port "$port" --count "$api_many" --in-flight 100 --on-io-thread --json)
  echo "round $round  Swift api x100 io $line"; swift_many_io+=("$(rate <<<"$line")")
done

ce=$(printf '%s\n' "${c_events[@]}" | best); se=$(printf '%s\n' "${swift_events[@]}" | best)
ca=$(printf '%s\n' "${c_api[@]}" | best); sa=$(printf '%s\n' "${swift_api[@]}" | best)
sm=$(printf '%s\n' "${swift_many[@]}" | best); cm=$(printf '%s\n' "${c_many[@]}" | best)
sai=$(printf '%s\n' "${swift_api_io[@]}" | best); smi=$(printf '%s\n' "${swift_many_io[@]}" | best); rss=$(printf '%s\n' "${swift_rss[@]}" | sort -n | tail -1)
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
echo
echo "| measurement (best of $rounds) | Swift (Genesis) | plain C | ratio |"
echo "|---|---|---|---|"
echo "| events/s, $events events, for-await reading Event-Name | $se | $ce | $(ratio "$se" "$ce") |"
echo "| peak RSS of the Swift run (MB) | $rss | | |"
echo "| api round trips/s, one at a time | $sa | $ca | $(ratio "$sa" "$ca") |"
echo "| api round trips/s, 100 in flight | $sm | $cm | $(ratio "$sm" "$cm") |"
echo "| api round trips/s, one at a time, tasks on ioExecutor | $sai | $ca | $(ratio "$sai" "$ca") |"
echo "| api round trips/s, 100 in flight, tasks on ioExecutor | $smi | $cm | $(ratio "$smi" "$cm") |"
