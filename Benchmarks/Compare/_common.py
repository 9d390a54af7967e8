"""Shared by the per-library drivers: arguments and the one result line.

Every driver is run as

    python3 <driver>.py events|api HOST PORT PASSWORD COUNT [IN_FLIGHT]

and prints one JSON object: library, mode, operations, seconds, per_second,
in_flight, how (how concurrency was obtained), named (events whose
Event-Name was read). Peak RSS is measured from outside by run_all.py.
"""
import json
import sys
import time


def parse_args():
    if len(sys.argv) < 6 or sys.argv[1] not in ("events", "api"):
        sys.exit(f"usage: {sys.argv[0]} events|api HOST PORT PASSWORD COUNT [IN_FLIGHT]")
    mode, host, port, password, count = sys.argv[1:6]
    in_flight = int(sys.argv[6]) if len(sys.argv) > 6 else 1
    return mode, host, int(port), password, int(count), in_flight


def run(events, api):
    """Parses the arguments and runs the driver's events or api function."""
    mode, host, port, password, count, in_flight = parse_args()
    if mode == "events":
        events(host, port, password, count)
    else:
        api(host, port, password, count, in_flight)


def report(library, mode, operations, seconds, in_flight=1, how="", **extra):
    line = {
        "library": library,
        "mode": mode,
        "operations": operations,
        "seconds": round(seconds, 4),
        "per_second": int(operations / seconds) if seconds > 0 else 0,
        "in_flight": in_flight,
        "how": how,
    }
    line.update(extra)
    print(json.dumps(line), flush=True)


now = time.perf_counter
