"""The server runtime over real TCP, with in-process apps and raw clients."""

from __future__ import annotations

import asyncio

import pytest
from serverkit import EchoDriver, RawClient, running

from indiflask.protocol.events import DefNumberVector, Event, Message, SetNumberVector
from indiflask.server import Server


def is_def(device: str) -> object:
    return lambda e: isinstance(e, DefNumberVector) and e.device == device


def test_clients_get_definitions_changes_and_updates() -> None:
    async def main() -> None:
        app = EchoDriver("AppEcho")
        async with running(Server(app, port=0)) as server:
            a = await RawClient.connect(server.port)
            b = await RawClient.connect(server.port)
            await a.send('<getProperties version="1.7"/>')
            await b.send('<getProperties version="1.7" device="AppEcho"/>')
            await a.read_until(is_def("AppEcho"))
            await b.read_until(is_def("AppEcho"))
            await a.send(
                '<newNumberVector device="AppEcho" name="VALUES">'
                '<oneNumber name="X">12:30</oneNumber></newNumberVector>'
            )

            def upd(e: Event) -> bool:
                return isinstance(e, SetNumberVector) and e.values.get("X") == 12.5

            await a.read_until(upd)
            await b.read_until(upd)
            await a.close()
            await b.close()
        assert app.stopped

    asyncio.run(main())


def test_malformed_client_is_cut_others_undisturbed(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        app = EchoDriver("AppEcho")
        async with running(Server(app, port=0)) as server:
            good = await RawClient.connect(server.port)
            bad = await RawClient.connect(server.port)
            await good.send('<getProperties version="1.7"/>')
            await good.read_until(is_def("AppEcho"))
            await bad.send("<getProperties version='1.7'/><foo a=b>")
            await bad.until_eof()
            app.update(7)
            await good.read_until(lambda e: isinstance(e, SetNumberVector))
            await good.close()
            await bad.close()

    asyncio.run(main())
    assert any("malformed input" in r.getMessage() for r in caplog.records)


def test_max_connections_refuses_cleanly() -> None:
    async def main() -> None:
        async with running(Server(EchoDriver(), port=0, max_connections=2)) as server:
            c1 = await RawClient.connect(server.port)
            c2 = await RawClient.connect(server.port)
            c3 = await RawClient.connect(server.port)
            msg = await c3.read_until(lambda e: isinstance(e, Message))
            assert "too many" in (msg.message or "")  # type: ignore[attr-defined]
            await c3.until_eof()
            await c1.send('<getProperties version="1.7"/>')
            await c1.read_until(is_def("AppEcho"))
            for c in (c1, c2, c3):
                await c.close()

    asyncio.run(main())
