"""greenswitch (gevent).

events: `event plain ALL`, then `api sim_blast N`; a "*" handler (run by
the library's event-processing greenlet) reads each event's Event-Name.
api: `api status` with `InboundESL.send`, one at a time or from IN_FLIGHT
greenlets on one connection (the library matches replies FIFO).
"""
from gevent import monkey

monkey.patch_all()

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import greenswitch  # noqa: E402

from _common import now, report, run  # noqa: E402


def events(host, port, password, count):
    fs = greenswitch.InboundESL(host=host, port=port, password=password)
    fs.connect()
    state = {"received": 0, "named": 0}
    done = gevent.event.Event()

    def on_event(event):
        if event.headers.get("Event-Name"):
            state["named"] += 1
        state["received"] += 1
        if state["received"] >= count:
            done.set()

    fs.register_handle("*", on_event)
    fs.send("event plain ALL")
    start = now()
    fs.send(f"api sim_blast {count}")
    done.wait()
    seconds = now() - start
    report("greenswitch", "events", state["received"], seconds, named=state["named"],
           how="gevent reader greenlet + processing greenlet")
    fs.stop()


def api(host, port, password, count, in_flight):
    fs = greenswitch.InboundESL(host=host, port=port, password=password)
    fs.connect()
    per_worker = count // in_flight

    def worker():
        for _ in range(per_worker):
            reply = fs.send("api status")
            assert reply.data, "empty api reply"

    start = now()
    gevent.joinall([gevent.spawn(worker) for _ in range(in_flight)], raise_error=True)
    seconds = now() - start
    report("greenswitch", "api", per_worker * in_flight, seconds, in_flight,
           how="sequential sends" if in_flight == 1 else "greenlets on one connection")
    fs.stop()


if __name__ == "__main__":
    run(events, api)
