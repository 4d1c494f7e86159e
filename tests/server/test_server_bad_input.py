"""Bad input over TCP: every bad change is answered, every malformed stream ends alike.

A change whose values cannot be read (``abc`` for a number, ``Maybe`` for a
switch) reaches the device's owner like any change: an app answers with Alert
and the reason; an executable driver gets the element as the client sent it;
a chained server passes it upstream, where its owner answers. Malformed XML
ends the connection the documented way: a log line, an INDI ``message`` saying
why, and a disconnect, without waiting for more input. Another client keeps
working throughout.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from serverkit import RawClient, running, until

from indiflask import App, Number
from indiflask.protocol.events import (
    DefNumberVector,
    Event,
    Message,
    SetNumberVector,
    SetVector,
)
from indiflask.protocol.values import State
from indiflask.server import Server

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")
NUMBER = (
    '<newNumberVector device="{device}" name="{name}">'
    '<oneNumber name="{member}">{value}</oneNumber></newNumberVector>'
)
SWITCH = (
    '<newSwitchVector device="{device}" name="MODE">'
    '<oneSwitch name="A">{value}</oneSwitch></newSwitchVector>'
)

#: (id, template, member, value, words of the app's Alert message)
BAD_CHANGES = [
    ("abc", NUMBER, "SECONDS", "abc", "'abc' is not a number"),
    ("empty", NUMBER, "SECONDS", "", "'' is not a number"),
    ("nan", NUMBER, "SECONDS", "nan", "not finite"),
    ("1e400", NUMBER, "SECONDS", "1e400", "too large"),
    ("5000 digits", NUMBER, "SECONDS", "9" * 5000, "(5000 characters) is too large"),
    ("switch Maybe", SWITCH, "A", "Maybe", "neither On nor Off"),
    ("unknown member", NUMBER, "NOPE", "1", "no member NOPE"),
    ("out of range", NUMBER, "SECONDS", "5000", "outside the allowed range"),
]


def basic_app() -> App:
    app = App("Basic", device="Basic")

    @app.number("EXPOSURE", members=[Number("SECONDS", min=0, max=3600)])
    def exposure(change):  # type: ignore[no-untyped-def]
        pass

    @app.switch("MODE", rule="OneOfMany", members={"A": True, "B": False})
    def mode(change):  # type: ignore[no-untyped-def]
        pass

    return app


def alert_of(name: str, words: str) -> Callable[[Event], bool]:
    def test(e: Event) -> bool:
        return (
            isinstance(e, SetVector)
            and e.name == name
            and e.state is State.ALERT
            and words in (e.message or "")
        )

    return test


async def connected(port: int, device: str) -> RawClient:
    client = await RawClient.connect(port)
    await client.send('<getProperties version="1.7"/>')
    await client.read_until(lambda e: isinstance(e, DefNumberVector) and e.device == device)
    return client


async def still_works(client: RawClient, device: str, name: str, member: str) -> None:
    """A valid change still makes its round trip on another connection."""
    await client.send(NUMBER.format(device=device, name=name, member=member, value="7"))

    def updated(e: Event) -> bool:
        return (
            isinstance(e, SetNumberVector)
            and e.name == name
            and e.values.get(member) == 7.0
            and e.state is not State.ALERT
        )

    await client.read_until(updated)


@asynccontextmanager
async def app_server() -> AsyncIterator[int]:
    async with running(Server(basic_app(), port=0)) as server:
        yield server.port


@asynccontextmanager
async def chained_servers() -> AsyncIterator[int]:
    """The app upstream; clients connect to a server that includes it with --remote."""
    async with running(Server(basic_app(), port=0)) as upstream:
        downstream = Server(port=0)
        downstream.add_remote("127.0.0.1", upstream.port)
        async with running(downstream):
            yield downstream.port


@pytest.mark.parametrize("chained", [False, True], ids=["app", "remote"])
def test_bad_changes_get_an_alert_with_the_reason(chained: bool) -> None:
    async def main() -> None:
        async with chained_servers() if chained else app_server() as port:
            writer = await connected(port, "Basic")
            other = await connected(port, "Basic")
            for _, template, member, value, words in BAD_CHANGES:
                xml = template.format(device="Basic", name="EXPOSURE", member=member, value=value)
                await writer.send(xml)
                name = "MODE" if template is SWITCH else "EXPOSURE"
                await writer.read_until(alert_of(name, words))
                await other.read_until(alert_of(name, words))
            await still_works(other, "Basic", "EXPOSURE", "SECONDS")
            await still_works(writer, "Basic", "EXPOSURE", "SECONDS")
            await writer.close()
            await other.close()

    asyncio.run(main())


def test_bad_changes_reach_an_exdriver_as_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ECHO_TICK", "ECHO_BLOB", "ECHO_SNOOP", "ECHO_RAW"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ECHO_DEVICE", "Basic")

    async def main() -> None:
        server = Server(port=0)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            writer = await connected(server.port, "Basic")
            other = await connected(server.port, "Basic")
            for _, template, member, value, _words in BAD_CHANGES:
                xml = template.format(device="Basic", name="VALUES", member=member, value=value)
                await writer.send(xml)
                tag = "newSwitchVector" if template is SWITCH else "newNumberVector"
                name = "MODE" if template is SWITCH else "VALUES"
                said = f"received {tag} {name}: {member}={value!r}"

                def echoed(e: Event, said: str = said) -> bool:
                    return isinstance(e, Message) and e.message == said

                await writer.read_until(echoed)
                await other.read_until(echoed)
            await still_works(other, "Basic", "VALUES", "X")
            await writer.close()
            await other.close()

    asyncio.run(main())


def test_changes_nobody_can_take_are_answered() -> None:
    async def main() -> None:
        async with app_server() as port:
            client = await connected(port, "Basic")
            for xml, words in [
                (NUMBER.format(device="Ghost", name="P", member="X", value="1"), "no device"),
                (NUMBER.format(device="Ghost", name="P", member="X", value="x"), "no device"),
                (
                    '<newNumberVector name="P"><oneNumber name="X">1</oneNumber></newNumberVector>',
                    "invalid newNumberVector",
                ),
                ('<enableBLOB device="Basic">Maybe</enableBLOB>', "invalid enableBLOB"),
            ]:
                await client.send(xml)

                def answered(e: Event, words: str = words) -> bool:
                    return isinstance(e, Message) and words in (e.message or "")

                await client.read_until(answered)
            await still_works(client, "Basic", "EXPOSURE", "SECONDS")
            await client.close()

    asyncio.run(main())


TEXT = b'<newTextVector device="Basic" name="T"><oneText name="A">%s</oneText></newTextVector>'

#: (id, bytes sent, then a valid getProperties: the server must not wait for more)
MALFORMED = [
    ("bare ampersand", TEXT % b"R&D"),
    ("spaced ampersand", TEXT % b"R & D"),
    ("undefined entity", TEXT % b"&nbsp;"),
    ("character zero", TEXT % b"&#0;"),
    ("unclosed tag", b'<getProperties version="1.7">'),
    ("doctype", b'<!DOCTYPE x [<!ENTITY e "y">]>'),
    ("mismatched tags", b'<newTextVector device="Basic" name="T"><oneText name="A">x</oneNumber>'),
    ("binary garbage", bytes(range(256)) * 4),
    ("huge element", b'<message message="' + b"x" * 200_000 + b'"/>'),
]


@pytest.mark.parametrize("data", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_input_is_answered_and_disconnected(
    data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "indiflask.server")

    async def main() -> None:
        server = Server(basic_app(), port=0, max_element_size=64 * 1024)
        async with running(server):
            other = await connected(server.port, "Basic")
            bad = await RawClient.connect(server.port)
            await bad.send(data + b'<getProperties version="1.7"/>')
            got = await bad.until_eof()
            said = [e.message or "" for e in got if isinstance(e, Message)]
            assert any(m.startswith("indiflask: malformed input") for m in said), got
            await still_works(other, "Basic", "EXPOSURE", "SECONDS")
            assert server.client_count == 1
            await other.close()
            await bad.close()

    asyncio.run(main())
    [line] = [r.getMessage() for r in caplog.records if "malformed input" in r.getMessage()]
    assert "disconnecting" in line


def test_malformed_output_of_an_exdriver_restarts_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for key in ("ECHO_BLOB", "ECHO_SNOOP", "ECHO_DEVICE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ECHO_TICK", "0.05")  # updates keep coming, none with a ';'
    monkeypatch.setenv(
        "ECHO_RAW",
        '<setTextVector device="StdioEcho" name="T">'
        '<oneText name="A">R&D</oneText></setTextVector>',
    )
    caplog.set_level(logging.INFO, "indiflask.server")

    async def main() -> None:
        server = Server(port=0, max_restarts=1)
        server.add_exdriver(sys.executable, DRIVER)
        (driver,) = server._exdrivers
        async with running(server):
            client = await connected(server.port, "StdioEcho")
            await until(lambda: driver.restarts == 1, timeout=60)
            await client.close()

    asyncio.run(main())
    said = [r.getMessage() for r in caplog.records]
    assert any("malformed output" in m and "'&' starts no entity" in m for m in said), said


def test_malformed_input_from_a_remote_server_reconnects(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "indiflask.server")
    connections = 0

    async def upstream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.write(TEXT % b"R&D" + b'<message message="no semicolon here"/>')
        await writer.drain()
        await reader.read()  # until we are dropped
        writer.close()

    async def main() -> None:
        fake = await asyncio.start_server(upstream, "127.0.0.1", 0)
        port = fake.sockets[0].getsockname()[1]
        server = Server(port=0)
        server.remote_backoff = (0.05, 0.05)
        server.add_remote("127.0.0.1", port)
        async with fake, running(server):
            await until(lambda: connections >= 2, timeout=60)

    asyncio.run(main())
    said = [r.getMessage() for r in caplog.records]
    assert any("malformed input" in m and "reconnecting" in m for m in said), said
