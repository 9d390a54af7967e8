"""The Python library this project follows (PyPI `genesis`, asyncio).

events: `event plain ALL`, then `api sim_blast N`; a "*" handler (the
library runs each handler as its own task) reads each event's Event-Name.
api: `api status` with `Inbound.send`, one at a time or from IN_FLIGHT
coroutines gathered on one connection (the library matches replies FIFO).
uvloop is installed, as the library's own CLI does.
"""
import asyncio

from genesis import Inbound, use_uvloop

from _common import now, report, run


async def events(host, port, password, count):
    client = Inbound(host, port, password)
    await client.start()
    received = named = 0
    done = asyncio.Event()

    async def on_event(event):
        nonlocal received, named
        if event.get("Event-Name"):
            named += 1
        received += 1
        if received >= count:
            done.set()

    client.on("*", on_event)
    await client.send("event plain ALL")
    start = now()
    await client.send(f"api sim_blast {count}")
    await done.wait()
    seconds = now() - start
    report("genesis (Python)", "events", received, seconds, named=named,
           how="asyncio, one task per handler call")
    await client.stop()


async def api(host, port, password, count, in_flight):
    client = Inbound(host, port, password)
    await client.start()
    per_worker = count // in_flight

    async def worker():
        for _ in range(per_worker):
            reply = await client.send("api status")
            assert reply.body, "empty api reply"

    start = now()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    seconds = now() - start
    report("genesis (Python)", "api", per_worker * in_flight, seconds, in_flight,
           how="sequential awaits" if in_flight == 1 else "asyncio.gather of coroutines on one connection")
    await client.stop()


if __name__ == "__main__":
    use_uvloop()
    run(lambda *args: asyncio.run(events(*args)), lambda *args: asyncio.run(api(*args)))
