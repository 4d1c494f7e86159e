"""Links to upstream INDI servers (chaining), with reconnection and back-off.

``Server.add_remote("host", 7624)`` takes every device of that server (we ask
with ``getProperties device="*"``, as indiserver does); ``device="X"`` takes
only device X. Unlike indiserver, which exits when an upstream server cannot
be reached or goes away, the link retries with exponential back-off; while it
is away its devices are deleted for our clients (``delProperty``), and when it
is back they are defined again and the BLOB choices of our clients are
re-sent upstream. While the server paces the link (our clients are behind),
the upstream socket is not read, so the upstream server paces its drivers by us.

A connection that goes silent (a cut cable sends no reset) is pinged and, after
the server's ``remote_keepalive`` timeout, given up and retried like a closed
one; each connection attempt is bounded by the same timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ..core.links import LinkKind
from ..protocol.connection import Connection, Role
from ..protocol.events import Event
from .hub import Hub
from .keepalive import Keepalive
from .writer import BatchWriter

__all__ = ["RemoteLink"]

log = logging.getLogger("indiflask.server")


class RemoteLink:
    """Keeps one connection to an upstream INDI server.

    :param server: the owning server.
    :param host: the upstream host.
    :param port: the upstream port.
    :param device: the single upstream device to carry, or ``None`` for all.
    """

    takes_events = False

    def __init__(self, server: Hub, host: str, port: int, device: str | None) -> None:
        self._server = server
        self.host, self.port, self.device = host, port, device
        self.name = f"remote {device or ''}@{host}:{port}"
        self.link = server.router.add_link(LinkKind.REMOTE, self.name, device=device)
        self._writer: BatchWriter | None = None
        self._stream: asyncio.StreamWriter | None = None
        self._may_read: asyncio.Event | None = None
        self._keepalive: Keepalive | None = None
        #: Successful connections so far.
        self.connections = 0

    @property
    def connected(self) -> bool:
        """True while the connection to the upstream server is established."""
        return self._writer is not None

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        """Queue one serialised message for the upstream server."""
        if self._writer is not None:
            self._writer.send(data, stream=stream)

    @property
    def taken(self) -> int:
        """Bytes the upstream server has taken so far."""
        return self._writer.taken if self._writer is not None else 0

    def hold_input(self, hold: bool) -> None:
        """Stop reading the upstream socket while the link is paced (``True``), or read on."""
        may_read = self._may_read
        if may_read is None:
            return
        if hold:
            may_read.clear()
        else:
            may_read.set()
        if self._keepalive is not None:
            self._keepalive.hold(hold)

    def _behind(self, behind: bool) -> None:
        self._server.backlog(self.link, behind)

    async def run(self) -> None:
        """Connect, serve, and reconnect with back-off until cancelled."""
        server = self._server
        delay = server.remote_backoff[0]
        while True:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), server.remote_keepalive[1]
                )
            except (OSError, TimeoutError) as exc:
                why = str(exc) or "timed out"
                log.warning("%s: cannot connect (%s), retrying in %.1f s", self.name, why, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, server.remote_backoff[1])
                continue
            delay = server.remote_backoff[0]
            self.connections += 1
            log.info("%s: connected", self.name)
            try:
                await self._serve(reader, writer)
            finally:
                server.driver_down(self.link)
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            log.warning("%s: connection lost, reconnecting in %.1f s", self.name, delay)
            await asyncio.sleep(delay)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server = self._server
        self._stream = writer
        self._writer = BatchWriter(
            writer.transport,
            self.name,
            server.budget,
            writer.transport.abort,
            on_behind=self._behind,
            drain=writer.drain,
        )
        may_read = self._may_read = asyncio.Event()
        may_read.set()
        server.dispatch(server.router.link_up(self.link))
        parser = Connection(Role.CLIENT, checked=False, max_element_bytes=server.max_element_size)
        interval, timeout = server.remote_keepalive
        keepalive = Keepalive(interval, timeout, self._writer.send, writer.transport.abort)
        self._keepalive = keepalive
        watchdog = asyncio.create_task(keepalive.run())
        try:
            while True:
                await may_read.wait()
                try:
                    data = await reader.read(1 << 16)
                except OSError:
                    break
                if not data:
                    break
                keepalive.touch()
                error = parser.deliver(data, self.link, server.on_event)
                if error is not None:
                    log.error("%s: malformed input (%s), reconnecting", self.name, error)
                    break
        finally:
            watchdog.cancel()
            self._keepalive = None
            if keepalive.expired:
                log.warning("%s: silent for %.0f s, giving the connection up", self.name, timeout)
            self._writer.close()
            self._writer = None
            self._stream = None
