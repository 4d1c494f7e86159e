"""Idle clients cost little: reader and writer are made when needed and freed when idle."""

from __future__ import annotations

import asyncio

import pytest
from serverkit import EchoDriver, RawClient, running

from indiflask.protocol.events import DefNumberVector, Event, SetNumberVector
from indiflask.server import Server
from indiflask.server.client_link import ClientLink, _ends_between_elements


def _links(server: Server) -> list[ClientLink]:
    return [c for c in server._clients.values() if isinstance(c, ClientLink)]


def test_a_silent_client_has_no_reader_or_writer() -> None:
    async def main() -> None:
        async with running(Server(EchoDriver("AppEcho"), port=0)) as server:
            client = await RawClient.connect(server.port)
            await client.send("\n  \n")
            for _ in range(50):
                if server.client_count == 1:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.1)
            (link,) = _links(server)
            assert link._reader is None and link._writer is None
            await client.close()

    asyncio.run(main())


def test_an_idle_client_is_trimmed_and_served_again() -> None:
    async def main() -> None:
        app = EchoDriver("AppEcho")
        server = Server(app, port=0)
        server.idle_trim = 0.1
        async with running(server):
            client = await RawClient.connect(server.port)
            await client.send('<getProperties version="1.7"/>')
            await client.read_until(lambda e: isinstance(e, DefNumberVector))
            (link,) = _links(server)
            for _ in range(100):
                if link._reader is None and link._writer is None:
                    break
                await asyncio.sleep(0.05)
            assert link._reader is None and link._writer is None
            assert link.taken > 0  # the writer's count survives it
            await client.send(
                '<newNumberVector device="AppEcho" name="VALUES">'
                '<oneNumber name="X">3</oneNumber></newNumberVector>'
            )

            def upd(e: Event) -> bool:
                return isinstance(e, SetNumberVector) and e.values.get("X") == 3

            await client.read_until(upd)
            await client.close()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("data", "rests"),
    [
        (b'<getProperties version="1.7"/>\n', True),
        (b'<getProperties version="1.7" />', True),
        (b"</newTextVector>\r\n", True),
        (b"<getProperties/>\n<getProp", False),
        (b'<getProperties x=">', False),
        (b"<getProperties x='\"' y=\"/>", False),
        (b'<getProperties x="/>"/>', True),
        (b"<newTextVector><oneText>x</oneText>", False),
        (b'<newSwitchVector device="a"><oneSwitch name="x"/>', False),
        (b"<!-- <getProperties/> -->", False),
        (b"<![CDATA[ </newTextVector>", False),
        (b"text/>", False),
    ],
)
def test_where_the_input_rests(data: bytes, rests: bool) -> None:
    assert _ends_between_elements(data, True) is rests
    assert _ends_between_elements(b" \n", rests) is rests
