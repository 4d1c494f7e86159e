"""The INDI server runtime: apps, executable drivers, remote servers and TCP clients.

All routing decisions are made by the sans-IO :class:`~indiflask.core.router.Router`;
this module owns the event loop side: the listening socket, the child
processes, the upstream connections, and the dispatch of the router's
deliveries. Each delivered event is serialised **once** and the same bytes are
queued for every byte link that gets it; in-process apps receive the event
object itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import threading
from collections import deque
from collections.abc import Iterable, Sequence

from ..core.blobpolicy import QueueBudget
from ..core.links import LinkKind, LocalDriver
from ..core.router import Deliveries, Router
from ..errors import LocalProtocolError, SetupError
from ..protocol.events import DefVector, Event, Invalid, SetBLOBVector
from .client_link import ClientLink
from .exdriver import ExDriver
from .hub import ClientSink, Sink
from .remote import RemoteLink
from .specs import DEFAULT_PORT, parse_exdriver, parse_remote
from .wire import encode, is_stream_blob

__all__ = ["Server"]

#: Pending handshakes the kernel keeps for us: a storm of clients connecting at
#: once (a whole observatory's GUIs after a restart) is not made to retry.
_LISTEN_BACKLOG = 1024
#: Encoded definitions kept for new clients (each holds its event alive).
_MAX_ENCODED_DEFINITIONS = 8192

log = logging.getLogger("indiflask.server")

MiB = 2**20


class _AppLink:
    """Adapter from the router to an in-process :class:`LocalDriver`."""

    takes_events = True

    def __init__(self, server: Server, driver: LocalDriver) -> None:
        self.driver = driver
        self.name = f"app {driver.name}"
        self.link = server.router.add_link(LinkKind.APP, self.name)
        self._server = server

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        try:
            self.driver.feed(event)
        except Exception:
            log.exception("%s: failed to handle %s", self.name, type(event).__name__)


def _as_local_driver(app: object) -> LocalDriver:
    if isinstance(app, LocalDriver):
        return app
    factory = getattr(app, "local_driver", None)
    if factory is None:
        raise SetupError(f"{app!r} is neither an indiflask.App nor a LocalDriver")
    driver: LocalDriver = factory()
    return driver


class Server:
    """An INDI server for apps, executable drivers and other INDI servers.

    :param apps: :class:`indiflask.App` instances (or any
        :class:`~indiflask.core.links.LocalDriver`) served in-process.
    :param host: the address to listen on.
    :param port: the TCP port (``0`` picks a free one; see :attr:`port`).
    :param max_connections: clients beyond this many are refused.
    :param max_queue: bytes queued for one client before it is disconnected.
    :param max_stream_queue: bytes queued past which stream BLOBs are dropped
        for that client (``0``: never drop).
    :param max_element_size: the largest element accepted from any peer.
    :param max_restarts: restarts allowed per executable driver.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        *apps: object,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_connections: int = 100,
        max_queue: int = 128 * MiB,
        max_stream_queue: int = 5 * MiB,
        max_element_size: int = 64 * MiB,
        max_restarts: int = 10,
    ) -> None:
        #: The routing core.
        self.router = Router()
        #: The listen address.
        self.host = host
        #: The listen port; the bound port once serving.
        self.port = port
        self.max_connections = max_connections
        self.max_element_size = max_element_size
        self.max_restarts = max(0, max_restarts)
        #: Pause before restarting a dead executable driver, in seconds.
        self.restart_delay = 0.2
        #: First and largest pause between reconnection attempts to a remote server.
        self.remote_backoff = (0.25, 10.0)
        #: Queue limits for every byte link.
        self.budget = QueueBudget(max_queue=max_queue, max_stream_queue=max_stream_queue)
        self._apps = [_AppLink(self, _as_local_driver(app)) for app in apps]
        self._exdrivers: list[ExDriver] = []
        self._remotes: list[RemoteLink] = []
        self._sinks: dict[int, Sink] = {a.link: a for a in self._apps}
        self._clients: dict[int, ClientSink] = {}
        self._pending: deque[tuple[Event, list[int]]] = deque()
        self._dispatching = False
        self._definition_bytes: dict[int, tuple[DefVector, bytes]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._tcp: asyncio.Server | None = None

    @classmethod
    def from_cli(
        cls,
        apps: Sequence[object] = (),
        exdrivers: Iterable[str] = (),
        remotes: Iterable[str] = (),
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_connections: int = 100,
        max_queue: int = 128 * MiB,
        max_stream_queue: int = 5 * MiB,
        max_restarts: int = 10,
    ) -> Server:
        """Build a server from command-line forms.

        :param exdrivers: ``"CMD ARGS..."`` strings (shell-style quoting).
        :param remotes: ``[DEVICE]@HOST[:PORT]`` or ``HOST[:PORT]`` strings.
        :raises indiflask.errors.SetupError: on a malformed spec.
        """
        server = cls(
            *apps,
            host=host,
            port=port,
            max_connections=max_connections,
            max_queue=max_queue,
            max_stream_queue=max_stream_queue,
            max_restarts=max_restarts,
        )
        for spec in exdrivers:
            server.add_exdriver(*parse_exdriver(spec))
        for spec in remotes:
            device, rhost, rport = parse_remote(spec)
            server.add_remote(rhost, rport, device=device)
        return server

    # ------------------------------------------------------------------ setup

    def add_exdriver(self, cmd: str, *args: str) -> None:
        """Serve an executable INDI driver (started with :meth:`serve`).

        :param cmd: the program (looked up in ``PATH``, or a path).
        :param args: its arguments.
        """
        driver = ExDriver(self, [cmd, *args])
        self._exdrivers.append(driver)
        self._sinks[driver.link] = driver
        if self._loop is not None:
            self._tasks.append(self._loop.create_task(driver.run()))

    def add_remote(self, host: str, port: int = DEFAULT_PORT, *, device: str | None = None) -> None:
        """Include the devices of another INDI server (all, or just ``device``).

        :param host: the upstream server's host.
        :param port: its port.
        :param device: only this upstream device, or ``None`` for all of them.
        """
        remote = RemoteLink(self, host, port, device)
        self._remotes.append(remote)
        self._sinks[remote.link] = remote
        if self._loop is not None:
            self._tasks.append(self._loop.create_task(remote.run()))

    # ------------------------------------------------------------------ routing

    @property
    def client_count(self) -> int:
        """Clients currently connected."""
        return len(self._clients)

    def on_event(self, link: int, event: Event) -> None:
        """Route one event that arrived on ``link``."""
        deliveries = self.router.receive(link, event)
        if deliveries:
            self.dispatch(deliveries)

    def dispatch(self, deliveries: Deliveries) -> None:
        """Send the router's deliveries, serialising each event once.

        Events are delivered in routing order. A delivery that makes an app
        emit more events (its handler runs inside ``feed``) queues them behind
        what was routed before them; when nothing was, they go out at once, so
        a handler that sends thousands of updates streams them to the clients
        while it runs instead of holding them all until it returns.
        """
        pending = self._pending
        pending.extend(deliveries)
        if self._dispatching:
            return
        self._dispatching = True
        try:
            while pending:
                self._deliver(*pending.popleft())
        finally:
            self._dispatching = False

    def _deliver(self, event: Event, links: list[int]) -> None:
        sinks = self._sinks
        data = b""
        stream = False
        last = links[-1] if links else None
        for link in links:
            sink = sinks.get(link)
            if sink is None:
                continue
            if sink.takes_events:
                if link == last and not self._pending:
                    # nothing routed earlier waits: what the app emits now may go at once
                    self._dispatching = False
                    try:
                        sink.send(data, event, stream=False)
                    finally:
                        self._dispatching = True
                else:
                    sink.send(data, event, stream=False)
                continue
            if not data:
                try:
                    if isinstance(event, DefVector):
                        data = self._encode_definition(event)
                    else:
                        data = encode(event)
                except LocalProtocolError as exc:
                    if not isinstance(event, Invalid):
                        log.error("cannot send %s: %s", type(event).__name__, exc)
                        return
                    data = event.element_xml + b"\n"  # a bad change: to its owner as sent
                stream = type(event) is SetBLOBVector and is_stream_blob(event)
            sink.send(data, event, stream=stream)

    def _encode_definition(self, event: DefVector) -> bytes:
        """Encode a definition once for every client that asks (the router's cache
        hands out the same object until the property changes)."""
        known = self._definition_bytes.get(id(event))
        if known is not None and known[0] is event:
            return known[1]
        data = encode(event)
        if len(self._definition_bytes) >= _MAX_ENCODED_DEFINITIONS:
            self._definition_bytes.clear()
        self._definition_bytes[id(event)] = (event, data)
        return data

    def attach_client(self, client: ClientSink) -> int:
        """Register a connected client; returns its link id."""
        link = self.router.add_link(LinkKind.CLIENT, client.name)
        self._clients[link] = client
        self._sinks[link] = client
        return link

    def detach_client(self, link: int) -> None:
        """Forget a disconnected client."""
        self._clients.pop(link, None)
        self._sinks.pop(link, None)
        self.dispatch(self.router.remove_link(link))

    # ------------------------------------------------------------------ lifecycle

    def wait_started(self, timeout: float | None = None) -> bool:
        """Block (in another thread) until the server listens; False on timeout."""
        return self._started.wait(timeout)

    async def started(self) -> None:
        """Wait (in the server's loop or another) until the server listens."""
        while not self._started.is_set():
            await asyncio.sleep(0.01)

    async def serve(self) -> None:
        """Start everything, serve until :meth:`shutdown`, then stop everything."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._stop = asyncio.Event()
        self._tcp = await loop.create_server(
            lambda: ClientLink(self),
            self.host,
            self.port,
            reuse_address=True,
            backlog=_LISTEN_BACKLOG,
        )
        sock = self._tcp.sockets[0]
        self.port = sock.getsockname()[1]
        log.info("listening on %s:%d", self.host, self.port)
        try:
            for app in self._apps:
                await app.driver.start(functools.partial(self.on_event, app.link))
                self.dispatch(self.router.link_up(app.link))
            for driver in self._exdrivers:
                self._tasks.append(loop.create_task(driver.run()))
            for remote in self._remotes:
                self._tasks.append(loop.create_task(remote.run()))
            self._started.set()
            await self._stop.wait()
        finally:
            await self._close()

    async def _close(self) -> None:
        if self._tcp is not None:
            self._tcp.close()
        for client in list(self._clients.values()):
            client.close()
        for app in self._apps:
            try:
                await app.driver.stop()
            except Exception:
                log.exception("%s: stop failed", app.name)
        await asyncio.gather(*(d.stop() for d in self._exdrivers), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._tcp is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._tcp.wait_closed(), 1.0)
        self._started.clear()
        self._loop = None
        log.info("stopped")

    def shutdown(self) -> None:
        """Ask a serving server to stop (safe from any thread or a signal handler)."""
        loop, stop = self._loop, self._stop
        if loop is None or stop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            stop.set()
        else:
            loop.call_soon_threadsafe(stop.set)

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM, then stop apps and drivers cleanly."""
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        asyncio.run(self._run_with_signals())

    async def _run_with_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.shutdown)
        await self.serve()
