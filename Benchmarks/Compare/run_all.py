"""Runs every client against one simulator and prints the Markdown table.

    run_all.py GENESIS_BIN PYTHON PORT PASSWORD ROUNDS SCALE STATUS_FILE

GENESIS_BIN is the release `genesis` CLI (measured with `genesis bench`),
PYTHON the virtual environment's interpreter that runs the drivers.
STATUS_FILE holds one `name<TAB>ok` or `name<TAB>reason` line per Python
library, written by compare_libraries.sh while installing. Each round runs
every client once per measurement, interleaved, and the best round counts;
ratios are taken within this one run. Peak RSS is the client process's
maximum resident set (wait4 rusage), the largest over its runs.
"""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 120

# Work per run, chosen so each run takes about 1-5 s on a 2 vCPU machine.
# (events, api one at a time, api 100 in flight)
COUNTS = {
    "swift": (1_000_000, 20_000, 200_000),
    "swift_io": (0, 20_000, 200_000),
    "genesis_py": (10_000, 15_000, 30_000),
    "greenswitch": (50_000, 30_000, 50_000),
    "libesl": (60_000, 40_000, 40_000),
}
NAMES = {
    "swift": "Genesis (Swift, this library)",
    "swift_io": "Genesis (Swift), api tasks on `ioExecutor`",
    "genesis_py": "genesis (Python, PyPI)",
    "greenswitch": "greenswitch",
    "libesl": "python-ESL (FreeSWITCH libesl)",
}
DRIVERS = {
    "genesis_py": "drive_genesis_py.py",
    "greenswitch": "drive_greenswitch.py",
    "libesl": "drive_libesl.py",
}
IN_FLIGHT = 100


def run(cmd):
    """Runs cmd; returns (parsed JSON line or None, peak RSS in MB, error)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")  # no __pycache__ in the tree
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=HERE, env=env, start_new_session=True)
    out = {}

    def drain(stream, key):
        out[key] = stream.read().decode(errors="replace")

    readers = [threading.Thread(target=drain, args=(proc.stdout, "stdout")),
               threading.Thread(target=drain, args=(proc.stderr, "stderr"))]
    for reader in readers:
        reader.start()
    timed_out = []

    def kill():
        timed_out.append(True)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(TIMEOUT_S, kill)
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    rss_mb = usage.ru_maxrss / 1024  # Linux: KiB
    if timed_out:
        return None, rss_mb, f"timed out after {TIMEOUT_S} s"
    for line in reversed(out["stdout"].splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line), rss_mb, None
            except ValueError:
                break
    tail = (out["stderr"].strip().splitlines() or ["no output"])[-1]
    return None, rss_mb, f"exit {proc.returncode}: {tail[:160]}"


def commands(key, genesis, python, port, password, scale):
    events, api_one, api_many = (max(IN_FLIGHT, int(n * scale)) for n in COUNTS[key])
    if key == "swift":
        base = [genesis, "bench"]
        server = ["--port", str(port), "--password", password]
        return {
            "events": base + ["events", "--count", str(events), "--json"] + server,
            "api1": base + ["api", "--count", str(api_one), "--json"] + server,
            "api100": base + ["api", "--count", str(api_many), "--in-flight", str(IN_FLIGHT),
                              "--json"] + server,
        }
    if key == "swift_io":
        # The same api runs with the lanes on the client's I/O thread
        # (InboundClient.ioExecutor): no thread switch per reply.
        swift = commands("swift", genesis, python, port, password, scale)
        return {measure: swift[measure] + ["--on-io-thread"] for measure in ("api1", "api100")}
    driver = [python, DRIVERS[key]]
    target = ["127.0.0.1", str(port), password]
    return {
        "events": driver + ["events"] + target + [str(events)],
        "api1": driver + ["api"] + target + [str(api_one)],
        "api100": driver + ["api"] + target + [str(api_many), str(IN_FLIGHT)],
    }


def load_status(path):
    status = {"swift": "ok", "swift_io": "ok"}
    for line in Path(path).read_text().splitlines():
        name, _, value = line.partition("\t")
        status[name] = value
    return status


def fmt(value):
    return f"{value:,.0f}" if value else "–"


def main():
    genesis, python, port, password, rounds, scale, status_file = sys.argv[1:8]
    genesis, python = os.path.abspath(genesis), os.path.abspath(python)  # drivers run in HERE
    port, rounds, scale = int(port), int(rounds), float(scale)
    status = load_status(status_file)
    keys = ["swift", "swift_io", "genesis_py", "greenswitch", "libesl"]
    best = {k: {} for k in keys}
    rss = {k: 0.0 for k in keys}
    errors = {k: {} for k in keys}
    how = {k: {} for k in keys}
    counts = {k: {} for k in keys}
    for round_ in range(1, rounds + 1):
        for measure in ("events", "api1", "api100"):
            for key in keys:
                if status.get(key) != "ok":
                    continue
                cmd = commands(key, genesis, python, port, password, scale).get(measure)
                if cmd is None:
                    continue
                result, peak, error = run(cmd)
                rss[key] = max(rss[key], peak)
                if result is None:
                    errors[key][measure] = error
                    print(f"round {round_} {key:12} {measure:7} FAILED: {error}", flush=True)
                    continue
                rate = float(result["per_second"])
                counts[key][measure] = result["operations"]
                if result.get("how"):
                    how[key][measure] = result["how"]
                best[key][measure] = max(best[key].get(measure, 0.0), rate)
                print(f"round {round_} {key:12} {measure:7} {rate:>12,.0f}/s  "
                      f"{result['operations']:>9,} ops  rss {peak:6.1f} MB", flush=True)

    swift = best["swift"]

    def cell(key, measure):
        if status.get(key) != "ok":
            return "not installed"
        if measure in best[key]:
            return fmt(best[key][measure])
        if measure not in errors[key]:
            return "–"
        return "failed: " + errors[key][measure]

    def ratio(key, measure):
        if key.startswith("swift") or measure not in best[key] or measure not in swift:
            return "–" if key.startswith("swift") else "n/a"
        return f"{swift[measure] / best[key][measure]:,.1f}×"

    print()
    print(f"| library | events/s | api/s, one at a time | api/s, {IN_FLIGHT} in flight "
          f"| peak RSS (MB) | Swift ÷ this: events | api one | api {IN_FLIGHT} |")
    print("|---|---|---|---|---|---|---|---|")
    for key in keys:
        if status.get(key) != "ok":
            reason = status.get(key, "not installed")
            print(f"| {NAMES[key]} | not installed: {reason} | | | | | | |")
            continue
        print(f"| {NAMES[key]} | {cell(key, 'events')} | {cell(key, 'api1')} | "
              f"{cell(key, 'api100')} | {rss[key]:.0f} | {ratio(key, 'events')} | "
              f"{ratio(key, 'api1')} | {ratio(key, 'api100')} |")
    print()
    print(f"Best of {rounds} round(s), scale {scale:g}. Work per run: " + "; ".join(
        f"{NAMES[k]} {counts[k].get('events', 0):,} events, {counts[k].get('api1', 0):,} "
        f"+ {counts[k].get('api100', 0):,} api" for k in keys if counts[k]) + ".")
    print("Ratios are Genesis (Swift) with its api tasks on the Swift runtime's threads; "
          "the `ioExecutor` row's own ratios are in the targets below.")
    print(f"{IN_FLIGHT} in flight: Genesis (Swift) `genesis bench api --in-flight {IN_FLIGHT}`; " + "; ".join(
        f"{NAMES[k]}: {how[k]['api100']}" for k in keys if how[k].get("api100")) + ".")

    def target(label, key, measure, factor, mine="swift"):
        if measure not in best[key] or measure not in best[mine]:
            return f"- {label}: not measured"
        got = best[mine][measure] / best[key][measure]
        verdict = "met" if got >= factor else "**not met**"
        return f"- {label} ≥ {factor}×: {got:,.1f}× — {verdict}"

    print()
    print("Targets:")
    print(target("events/s vs genesis (Python)", "genesis_py", "events", 100))
    print(target("events/s vs libesl", "libesl", "events", 20))
    print(target(f"api/s, {IN_FLIGHT} in flight, vs genesis (Python)", "genesis_py", "api100", 40))
    print(target("api/s, one at a time, vs genesis (Python)", "genesis_py", "api1", 5))
    print(target(f"api/s, {IN_FLIGHT} in flight, on ioExecutor, vs genesis (Python)", "genesis_py", "api100", 40,
                 "swift_io"))
    print(target("api/s, one at a time, on ioExecutor, vs genesis (Python)", "genesis_py", "api1", 5, "swift_io"))


if __name__ == "__main__":
    main()
