"""python-ESL: the SWIG binding of FreeSWITCH's own C libesl.

events: `events plain ALL`, then `api sim_blast N`; `recvEventTimed` in a
loop reads each event's Event-Name (libesl queues the events that arrive
while it waits for the api reply).
api: `ESLconnection.api("status")`, one at a time, or from IN_FLIGHT
threads with one connection each. libesl cannot pipeline: it holds the
connection's mutex for a whole send-and-receive, and an ESLconnection is not
safe to share between threads (its last reply is freed under the other
threads' feet: threads sharing one connection crash with SIGSEGV here).
"""
import threading

import ESL

from _common import now, report, run

IDLE_LIMIT_MS = 10_000


def connect(host, port, password):
    con = ESL.ESLconnection(host, str(port), password)
    if not con.connected():
        raise SystemExit("libesl: could not connect")
    return con


def events(host, port, password, count):
    con = connect(host, port, password)
    con.events("plain", "ALL")
    received = named = 0
    start = now()
    con.api("sim_blast", str(count))
    while received < count:
        event = con.recvEventTimed(IDLE_LIMIT_MS)
        if event is None:
            raise SystemExit(f"libesl: stream stalled after {received} of {count} events")
        if event.getHeader("Event-Name"):
            named += 1
        received += 1
    seconds = now() - start
    report("python-ESL (libesl)", "events", received, seconds, named=named,
           how="blocking recvEventTimed loop")
    con.disconnect()


def api(host, port, password, count, in_flight):
    connections = [connect(host, port, password) for _ in range(in_flight)]
    per_worker = count // in_flight
    failures = []

    def worker(con):
        for _ in range(per_worker):
            reply = con.api("status")
            if reply is None or not reply.getBody():
                failures.append(1)
                return

    start = now()
    threads = [threading.Thread(target=worker, args=(con,)) for con in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = now() - start
    if failures:
        raise SystemExit("libesl: an api call returned no reply")
    report("python-ESL (libesl)", "api", per_worker * in_flight, seconds, in_flight,
           how="sequential calls" if in_flight == 1 else "threads, one connection each (cannot pipeline or share one)")
    for con in connections:
        con.disconnect()


if __name__ == "__main__":
    run(events, api)
