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
from typing import cast

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
        self._transport: asyncio.Transport | None = None
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
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if hold:
            transport.pause_reading()
        else:
            transport.resume_reading()
        if self._keepalive is not None:
            self._keepalive.hold(hold)

    def _behind(self, behind: bool) -> None:
        self._server.backlog(self.link, behind)

    async def run(self) -> None:
        """Connect, serve, and reconnect with back-off until cancelled."""
        server = self._server
        loop = asyncio.get_running_loop()
        delay = server.remote_backoff[0]
        while True:
            try:
                transport, upstream = await asyncio.wait_for(
                    loop.create_connection(lambda: _Upstream(self), self.host, self.port),
                    server.remote_keepalive[1],
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
                await self._serve(transport, upstream)
            finally:
                server.driver_down(self.link)
                transport.close()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(upstream.closed), 1.0)
            log.warning("%s: connection lost, reconnecting in %.1f s", self.name, delay)
            await asyncio.sleep(delay)

    async def _serve(self, transport: asyncio.BaseTransport, upstream: _Upstream) -> None:
        server = self._server
        tcp = cast(asyncio.Transport, transport)
        self._transport = tcp
        self._writer = upstream.writer = BatchWriter(
            tcp, self.name, server.budget, tcp.abort, on_behind=self._behind
        )
        server.dispatch(server.router.link_up(self.link))
        interval, timeout = server.remote_keepalive
        keepalive = Keepalive(interval, timeout, self._writer.send, tcp.abort)
        self._keepalive = upstream.keepalive = keepalive
        watchdog = asyncio.create_task(keepalive.run())
        try:
            await upstream.closed
        finally:
            watchdog.cancel()
            self._keepalive = None
            if keepalive.expired:
                log.warning("%s: silent for %.0f s, giving the connection up", self.name, timeout)
            self._writer.close()
            self._writer = None
            self._transport = None


class _Upstream(asyncio.Protocol):
    """One connection to the upstream server: its bytes go straight to the router
    (no stream buffer, no task switch per read)."""

    def __init__(self, remote: RemoteLink) -> None:
        server = remote._server
        self._remote = remote
        self._parser = Connection(
            Role.CLIENT, checked=False, max_element_bytes=server.max_element_size
        )
        self._on_event = server.on_event
        self.writer: BatchWriter | None = None
        self.keepalive: Keepalive | None = None
        #: Done when the connection is lost (or given up after malformed input).
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport (to stop on malformed input)."""
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """Cut bytes into events and hand them to the router."""
        if self.closed.done():
            return
        if self.keepalive is not None:
            self.keepalive.touch()
        error = self._parser.deliver(data, self._remote.link, self._on_event)
        if error is not None:
            log.error("%s: malformed input (%s), reconnecting", self._remote.name, error)
            self._finish()
            if self._transport is not None:
                self._transport.abort()

    def eof_received(self) -> bool:
        """The upstream server closed its side: close ours too."""
        return False

    def pause_writing(self) -> None:
        """The transport's buffer is full: the writer keeps messages until it drains."""
        if self.writer is not None:
            self.writer.pause()

    def resume_writing(self) -> None:
        """The transport drained: the writer hands it what waited."""
        if self.writer is not None:
            self.writer.resume()

    def connection_lost(self, exc: Exception | None) -> None:
        """Wake the link's task, which reconnects."""
        self._finish()

    def _finish(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
