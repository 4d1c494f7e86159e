"""A small INDI test client speaking raw XML over TCP, and a helper to serve drivers."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from indiflask.compat import IPyServer
from indiflask.protocol import events as ev
from indiflask.protocol.connection import Connection, Role

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "compat"


def load_example(name: str) -> ModuleType:
    """Import ``examples/compat/<name>.py`` as a module (not as ``__main__``)."""
    spec = importlib.util.spec_from_file_location(f"compat_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class RawClient:
    """Writes INDI XML text; reads replies into indiflask events (kept in :attr:`received`)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.received: list[ev.Event] = []
        self.raw = bytearray()
        self._conn = Connection(Role.CLIENT, checked=False, max_element_bytes=64 * 2**20)
        self._seen = 0

    @classmethod
    async def connect(cls, port: int) -> RawClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, xml: str) -> None:
        self.writer.write(xml.encode())
        await self.writer.drain()

    async def expect(self, match: Callable[[ev.Event], bool], timeout: float = 30.0) -> Any:
        """Return the first not-yet-returned received event ``match`` accepts."""

        async def wait() -> ev.Event:
            while True:
                while self._seen < len(self.received):
                    event = self.received[self._seen]
                    self._seen += 1
                    if match(event):
                        return event
                data = await self.reader.read(65536)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.raw.extend(data)
                self.received.extend(self._parse(data))

        return await asyncio.wait_for(wait(), timeout)

    async def quiet(self, seconds: float) -> list[ev.Event]:
        """Collect whatever arrives in ``seconds``; return the new events."""
        start = len(self.received)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._drain_forever(), seconds)
        self._seen = len(self.received)
        return self.received[start:]

    async def _drain_forever(self) -> None:
        while True:
            data = await self.reader.read(65536)
            if not data:
                return
            self.raw.extend(data)
            self.received.extend(self._parse(data))

    def _parse(self, data: bytes) -> list[ev.Event]:
        self._conn.receive_data(data)
        return self._conn.events()

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def is_(
    cls: type[ev.Event], device: str | None = None, name: str | None = None, **attrs: Any
) -> Callable[[ev.Event], bool]:
    """A matcher for :meth:`RawClient.expect`."""

    def match(event: ev.Event) -> bool:
        if not isinstance(event, cls):
            return False
        if device is not None and getattr(event, "device", None) != device:
            return False
        if name is not None and getattr(event, "name", None) != name:
            return False
        return all(getattr(event, k, None) == v for k, v in attrs.items())

    return match


@contextlib.asynccontextmanager
async def serving(*drivers: Any) -> AsyncIterator[IPyServer]:
    """Serve ``drivers`` with an IPyServer on 127.0.0.1 and a free port."""
    server = IPyServer(*drivers, host="127.0.0.1", port=0, maxconnections=5)
    task = asyncio.create_task(server.asyncrun())
    try:
        await asyncio.wait_for(server.server.started(), 30)
        yield server
    finally:
        server.shutdown()
        await asyncio.wait_for(task, 10)
