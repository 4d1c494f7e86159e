"""Helpers for server tests: a fake in-process driver, a raw client, a running server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.events import (
    DefNumber,
    DefNumberVector,
    Event,
    GetProperties,
    NewNumberVector,
    SetNumberVector,
)
from indiflask.protocol.values import State
from indiflask.server import Server


class EchoDriver:
    """A tiny LocalDriver: device ``device`` with a rw number vector VALUES (X)."""

    def __init__(self, device: str = "AppEcho", snoop: str | None = None) -> None:
        self.name = device
        self.device = device
        self.snoop = snoop
        self.x = 0.0
        self.fed: list[Event] = []
        self.stopped = False
        self._emit: Callable[[Event], None] | None = None

    def definition(self) -> DefNumberVector:
        return DefNumberVector(
            device=self.device,
            name="VALUES",
            state=State.IDLE,
            members=(DefNumber(name="X", format="%g", value=self.x),),
        )

    async def start(self, emit: Callable[[Event], None]) -> None:
        self._emit = emit
        if self.snoop is not None:
            emit(GetProperties(device=self.snoop))

    def emit(self, event: Event) -> None:
        assert self._emit is not None
        self._emit(event)

    def update(self, x: float) -> None:
        self.x = x
        self.emit(
            SetNumberVector(device=self.device, name="VALUES", state=State.OK, values={"X": x})
        )

    def feed(self, event: Event) -> None:
        self.fed.append(event)
        if isinstance(event, GetProperties) and event.device in (None, self.device):
            self.emit(self.definition())
        elif isinstance(event, NewNumberVector) and event.device == self.device:
            self.update(event.values.get("X", self.x))

    async def stop(self) -> None:
        self.stopped = True


class RawClient:
    """A raw INDI client over TCP: write XML text, read events."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self._conn = Connection(Role.CLIENT, checked=False, max_element_bytes=2**30)
        self.events: list[Event] = []
        #: Tasks working for this client (awaited when reading).
        self.background: list[asyncio.Task[None]] = []
        #: Set to a list to keep every event ever received in it.
        self.seen: list[Event] | None = None

    @classmethod
    async def connect(cls, port: int, host: str = "127.0.0.1") -> RawClient:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def send(self, xml: str | bytes) -> None:
        self.writer.write(xml.encode() if isinstance(xml, str) else xml)
        await self.writer.drain()

    async def read_until(self, pred: Callable[[Event], bool], timeout: float = 30.0) -> Event:
        """Read events until one matches ``pred``; later ones stay in :attr:`events`."""
        async with asyncio.timeout(timeout):
            while True:
                for i, event in enumerate(self.events):
                    if pred(event):
                        del self.events[: i + 1]
                        return event
                self.events.clear()
                for task in [t for t in self.background if t.done()]:
                    self.background.remove(task)
                    task.result()  # a failed helper fails the wait
                data = await self.reader.read(1 << 16)
                if not data:
                    raise EOFError("server closed the connection")
                self._received(self._parse(data))

    async def collect(self, seconds: float) -> list[Event]:
        """Read for ``seconds`` and return (and clear) everything received."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                while True:
                    data = await self.reader.read(1 << 16)
                    if not data:
                        break
                    self._received(self._parse(data))
        out, self.events = self.events, []
        return out

    def _parse(self, data: bytes) -> list[Event]:
        self._conn.receive_data(data)
        return self._conn.events()

    def _received(self, events: list[Event]) -> None:
        self.events.extend(events)
        if self.seen is not None:
            self.seen.extend(events)

    async def until_eof(self, timeout: float = 10.0) -> list[Event]:
        """Read until the server closes the connection; return everything received.

        :raises TimeoutError: when the connection is still open after ``timeout``.
        """
        async with asyncio.timeout(timeout):
            while True:
                try:
                    data = await self.reader.read(1 << 16)
                except ConnectionError:
                    data = b""
                if not data:
                    break
                self._received(self._parse(data))
        out, self.events = self.events, []
        return out

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until ``condition()`` holds (checked every 10 ms); TimeoutError after ``timeout``."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running(server: Server) -> AsyncIterator[Server]:
    """Run ``server`` in the current loop for the body of the ``async with``."""
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.wait_started(0) and not task.done():
                await asyncio.sleep(0.01)
        if task.done():
            task.result()
        yield server
    finally:
        server.shutdown()
        await asyncio.wait_for(task, 15)
