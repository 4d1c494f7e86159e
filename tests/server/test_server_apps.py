"""Real Apps hosted by the Server, spoken to over TCP by the client library."""

from __future__ import annotations

import asyncio
import threading

import pytest

from indiflask import App, Number, Reject, Server, State
from indiflask.client import Client


def make_apps() -> tuple[App, App]:
    mount = App("Mount", device="Mount")
    coords = mount.number(
        "COORD", perm="ro", members=[Number("RA", format="%10.6m", min=0, max=24), "DEC"]
    )

    @mount.number("TARGET", members=[Number("RA", min=0, max=24)])
    def target(change):  # type: ignore[no-untyped-def]
        if change["RA"] == 13:
            raise Reject("below the horizon")
        coords["RA"] = change["RA"]
        coords.send()

    dome = App("Dome", device="Dome")
    follow = dome.number("FOLLOW", perm="ro", members=["RA"])

    @dome.snoop("Mount", "COORD")
    def mount_moved(event):  # type: ignore[no-untyped-def]
        if event.kind == "set":
            follow["RA"] = event["RA"]
            follow.send()

    return mount, dome


async def _with_server(apps: tuple[App, ...], body) -> None:  # type: ignore[no-untyped-def]
    server = Server(*apps, host="127.0.0.1", port=0)
    task = asyncio.create_task(server.serve())
    await server.started()
    try:
        await body(server.port)
    finally:
        server.shutdown()
        await asyncio.wait_for(task, 10)


def test_two_apps_one_port_snooping_and_fan_out() -> None:
    mount, dome = make_apps()

    async def body(port: int) -> None:
        async with Client("127.0.0.1", port) as a, Client("127.0.0.1", port) as b:
            await a.wait_for("Dome", "FOLLOW", timeout=30)
            await b.wait_for("Mount", "COORD", timeout=30)
            prop = await a.set("Mount", "TARGET", RA=5.5)
            assert prop.state == State.OK
            await b.wait_until(lambda: b["Mount"]["COORD"]["RA"] == 5.5, timeout=30)
            assert b["Mount"]["COORD"].formatted("RA") == "   5:30:00"
            await b.wait_until(lambda: b["Dome"]["FOLLOW"]["RA"] == 5.5, timeout=30)
            refused = await a.set("Mount", "TARGET", RA=13)
            assert refused.state == State.ALERT and refused.message == "below the horizon"

    asyncio.run(_with_server((mount, dome), body))


def test_send_from_a_thread_reaches_tcp_clients_in_order() -> None:
    app = App("Threads", device="t")
    counter = app.number("COUNT", perm="ro", members=["N"])

    async def body(port: int) -> None:
        async with Client("127.0.0.1", port) as c:
            await c.wait_for("t", "COUNT", timeout=30)
            seen: list[float] = []
            with c.updates("t", "COUNT") as updates:

                def worker() -> None:
                    for i in range(1, 201):
                        counter["N"] = i
                        counter.send()

                thread = threading.Thread(target=worker)
                thread.start()
                while len(seen) < 200:
                    update = await updates.get(timeout=30)
                    if update.kind == "set":
                        seen.append(update.values["N"])
                thread.join()
            assert seen == [float(i) for i in range(1, 201)]

    asyncio.run(_with_server((app,), body))


def test_garbage_from_one_client_leaves_the_other_undisturbed() -> None:
    app = App("G", device="g")
    level = app.number("LEVEL", perm="ro", members=["V"])

    async def body(port: int) -> None:
        async with Client("127.0.0.1", port) as good:
            await good.wait_for("g", "LEVEL", timeout=30)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b'<getProperties version="1.7"/><newNumberVector device="g" name=')
            writer.write(b"<<<<not xml at all>>>>")
            await writer.drain()
            assert await asyncio.wait_for(reader.read(1 << 20), 5) is not None
            writer.close()
            level["V"] = 7
            level.send()
            await good.wait_until(lambda: good["g"]["LEVEL"]["V"] == 7.0, timeout=30)

    asyncio.run(_with_server((app,), body))


def test_wait_settled_means_every_definition_has_arrived() -> None:
    app = App("Many", device="many")
    names = [f"P{i:03d}" for i in range(200)]
    for name in names:
        app.number(name, perm="ro", members=["V"])

    async def body(port: int) -> None:
        async with Client("127.0.0.1", port) as c:
            await c.wait_settled("many", timeout=30)
            assert set(names) <= set(c["many"])
        async with Client("127.0.0.1", port, device="other") as c:
            # connected for another device: it asks for this one first
            await c.wait_settled("many", timeout=30)
            assert set(names) <= set(c["many"])
            with pytest.raises(TimeoutError, match="no device 'ghost'"):
                await c.wait_settled("ghost", timeout=0.5)

    asyncio.run(_with_server((app,), body))
