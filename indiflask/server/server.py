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
import errno
import functools
import logging
import signal
import threading
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any

from ..core.blobpolicy import QueueBudget
from ..core.links import LinkKind
from ..core.pacing import Pacer
from ..core.router import Deliveries, Router
from ..errors import LocalProtocolError, StartError, StartupError
from ..protocol.events import DefVector, Event, Invalid, SetBLOBVector
from .applink import AppLink, as_local_driver, check_devices
from .client_link import ClientLink
from .exdriver import ExDriver
from .fdlimit import ensure_fd_limit
from .holding import Holding
from .hub import ClientSink, DriverSink, Sink
from .remote import RemoteLink
from .specs import DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, parse_exdriver, parse_remote
from .wire import encode, is_stream_blob

__all__ = ["Server"]

#: Pending handshakes the kernel keeps for us: a storm of clients connecting at
#: once (a whole observatory's GUIs after a restart) is not made to retry.
_LISTEN_BACKLOG = 1024
#: Encoded definitions kept for new clients (each holds its event alive).
_MAX_ENCODED_DEFINITIONS = 8192

log = logging.getLogger("indiflask.server")
#: Start and stop lines, shown at the command line's default verbosity.
lifecycle = logging.getLogger("indiflask.server.lifecycle")

MiB = 2**20


def _bind_error(host: str, port: int, exc: OSError) -> StartupError:
    if exc.errno == errno.EADDRINUSE:
        why = (
            f"cannot listen on {host}:{port}: the port is in use "
            "(another INDI server is running there?); stop it, or choose another port "
            "with --port"
        )
    else:
        why = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    return StartupError(why)


class Server(Holding):
    """An INDI server for apps, executable drivers and other INDI servers.

    :param apps: :class:`indiflask.App` instances (or any
        :class:`~indiflask.core.links.LocalDriver`) served in-process.
    :param host: the address to listen on.
    :param port: the TCP port (``0`` picks a free one; see :attr:`port`).
    :param max_connections: clients beyond this many are refused (1024; the
        open-files limit is raised to fit them at start, see
        :mod:`indiflask.server.fdlimit`).
    :param max_queue: bytes queued for one client before it is disconnected.
    :param max_stream_queue: bytes queued past which stream BLOBs are dropped
        for that client (``0``: never drop).
    :param max_element_size: the largest element accepted from any peer.
    :param max_restarts: restarts allowed per executable driver.
    :raises indiflask.errors.SetupError: when two apps declare the same device.

    Drivers are paced by their readers (see :mod:`indiflask.core.pacing`): a
    driver waits while every client that receives its output is at least
    ``budget.low_water`` bytes behind, instead of pushing a burst into their
    queues; an app's events wait here meanwhile (up to twice ``max_queue``).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        *apps: object,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
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
        self.remote_backoff = (0.25, 5.0)
        #: A silent remote server is pinged after the first value, in seconds, and
        #: its connection is given up (and retried) after the second; this also
        #: bounds each connection attempt.
        self.remote_keepalive = (5.0, 15.0)
        #: Every this many seconds, clients idle since the last time free their
        #: reader and writer (``ClientLink.trim``); ``0``: never.
        self.idle_trim = 10.0
        #: A reader that holds a driver back and takes no byte for this many
        #: seconds stops holding it back (it is then treated like any slow client).
        self.stall_timeout = 10.0
        #: True once the server is shutting down.
        self.stopping = False
        #: Queue limits for every byte link.
        self.budget = QueueBudget(max_queue=max_queue, max_stream_queue=max_stream_queue)
        #: Who waits for whom (drivers paced by their readers).
        self.pacer = Pacer(held_limit=2 * max_queue, last_sent=self.router.last_recipients)
        check_devices(apps)
        self._apps = [AppLink(self, as_local_driver(app)) for app in apps]
        self._exdrivers: list[ExDriver] = []
        self._remotes: list[RemoteLink] = []
        self._sinks: dict[int, Sink] = {a.link: a for a in self._apps}
        self._drivers: dict[int, DriverSink] = {a.link: a for a in self._apps}
        for app in self._apps:
            self.pacer.add_driver(app.link)
        self._release_scheduled = False
        self._release_after_dispatch = False
        self._releasing = False
        self._over_limit: set[int] = set()
        self._stall_checks: set[int] = set()
        self._clients: dict[int, ClientSink] = {}
        self._pending: deque[tuple[Event, list[int]]] = deque()
        self._dispatching = False
        self._definition_bytes: dict[int, tuple[DefVector, bytes]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._tcp: asyncio.Server | None = None
        self._link_tasks: dict[int, asyncio.Task[None]] = {}
        self._services: list[Callable[[], Coroutine[Any, Any, None]]] = []
        self._service_tasks: list[asyncio.Task[None]] = []

    @classmethod
    def from_cli(
        cls,
        apps: Sequence[object] = (),
        exdrivers: Iterable[str] = (),
        remotes: Iterable[str] = (),
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
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

    def add_exdriver(self, cmd: str, *args: str, env: Mapping[str, str] | None = None) -> ExDriver:
        """Serve an executable INDI driver (started with :meth:`serve`, or at once if serving).

        :param cmd: the program (looked up in ``PATH``, or a path).
        :param args: its arguments.
        :param env: its whole environment (default: the server's).
        :returns: the driver, for :meth:`remove_exdriver`.
        """
        driver = ExDriver(self, [cmd, *args], env=env)
        self._exdrivers.append(driver)
        self._sinks[driver.link] = driver
        self._drivers[driver.link] = driver
        self.pacer.add_driver(driver.link)
        if self._loop is not None:
            self._launch(driver.link, driver.run())
        return driver

    def add_remote(
        self, host: str, port: int = DEFAULT_PORT, *, device: str | None = None
    ) -> RemoteLink:
        """Include the devices of another INDI server (all, or just ``device``).

        Works before :meth:`serve` and while serving.

        :param host: the upstream server's host.
        :param port: its port.
        :param device: only this upstream device, or ``None`` for all of them.
        :returns: the link, for :meth:`remove_remote`.
        """
        remote = RemoteLink(self, host, port, device)
        self._remotes.append(remote)
        self._sinks[remote.link] = remote
        self._drivers[remote.link] = remote
        self.pacer.add_driver(remote.link)
        if self._loop is not None:
            self._launch(remote.link, remote.run())
        return remote

    # ------------------------------------------------------------------ run-time changes

    async def remove_exdriver(self, driver: ExDriver) -> None:
        """Stop an executable driver for good: it is not restarted, clients get
        ``delProperty`` for its devices, and its link is forgotten."""
        await driver.stop()
        await self._finish(driver.link)
        if driver in self._exdrivers:
            self._exdrivers.remove(driver)

    async def remove_remote(self, remote: RemoteLink) -> None:
        """Disconnect from an upstream server for good (clients get ``delProperty``)."""
        task = self._link_tasks.get(remote.link)
        if task is not None:
            task.cancel()
        await self._finish(remote.link)
        if remote in self._remotes:
            self._remotes.remove(remote)

    def add_service(self, factory: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``await factory()`` while the server serves; it is cancelled on shutdown.

        For companions such as a control FIFO reader or another listener. Call
        before :meth:`serve`.
        """
        self._services.append(factory)

    def _launch(self, link: int, coro: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coro)
        self._tasks.append(task)
        self._link_tasks[link] = task

    async def _finish(self, link: int) -> None:
        task = self._link_tasks.pop(link, None)
        if task is not None:
            done, _ = await asyncio.wait([task], timeout=10)
            if not done:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            if task in self._tasks:
                self._tasks.remove(task)
        self._sinks.pop(link, None)
        self._drivers.pop(link, None)
        self._over_limit.discard(link)
        self.pacer.forget(link)
        self.dispatch(self.router.remove_link(link))
        if self.pacer.held_links():
            self._schedule_release()

    # ------------------------------------------------------------------ routing

    @property
    def client_count(self) -> int:
        """Clients currently connected."""
        return len(self._clients)

    def on_event(self, link: int, event: Event) -> None:
        """Route one event that arrived on ``link`` (or hold it while its driver is paced)."""
        if (self._dispatching or not self.pacer.idle) and self._hold(link, event):
            return
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
        if self._release_after_dispatch and not self._releasing:
            self._release_after_dispatch = False
            self._release_held()

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

    # ------------------------------------------------------------------ clients

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
        self.pacer.forget(link)
        self.dispatch(self.router.remove_link(link))
        if self.pacer.held_links():
            self._schedule_release()

    def _trim_idle(self) -> None:
        """Let idle clients free what they do not need, then come back later."""
        if self._loop is None or self.stopping:
            return
        for client in list(self._clients.values()):
            client.trim()
        self._loop.call_later(self.idle_trim, self._trim_idle)

    # ------------------------------------------------------------------ lifecycle

    def wait_started(self, timeout: float | None = None) -> bool:
        """Block (in another thread) until the server listens; False on timeout."""
        return self._started.wait(timeout)

    async def started(self) -> None:
        """Wait (in the server's loop or another) until the server listens."""
        while not self._started.is_set():
            await asyncio.sleep(0.01)

    async def serve(self) -> None:
        """Start everything, serve until :meth:`shutdown`, then stop everything.

        The port is bound first (a port in use fails before any hardware is
        touched), then every app starts, then the executable drivers and
        remote links; clients are accepted only once every app has started.

        :raises indiflask.errors.StartupError: when the port cannot be bound
            or an app fails to start (its ``on_start`` hook raised; the hook's
            exception is the ``__cause__``). The apps started before it are
            stopped again.
        """
        loop = asyncio.get_running_loop()
        ensure_fd_limit(self.max_connections)
        self._loop = loop
        self._stop = asyncio.Event()
        self.stopping = False
        try:
            self._tcp = await loop.create_server(
                lambda: ClientLink(self),
                self.host,
                self.port,
                reuse_address=True,
                backlog=_LISTEN_BACKLOG,
                start_serving=False,
            )
        except OSError as exc:
            self._loop = None
            raise _bind_error(self.host, self.port, exc) from None
        sock = self._tcp.sockets[0]
        self.port = sock.getsockname()[1]
        started: list[AppLink] = []
        try:
            for app in self._apps:
                try:
                    await app.driver.start(functools.partial(self.on_event, app.link))
                except StartError:
                    raise  # it names the app and the hook already
                except Exception as exc:
                    raise StartupError(
                        f"app {app.driver.name!r} did not start: {type(exc).__name__}: {exc}"
                    ) from exc
                started.append(app)
                self.dispatch(self.router.link_up(app.link))
            for driver in self._exdrivers:
                self._launch(driver.link, driver.run())
            for remote in self._remotes:
                self._launch(remote.link, remote.run())
            for service in self._services:
                self._service_tasks.append(loop.create_task(service()))
            await self._tcp.start_serving()
            if self.idle_trim > 0:
                loop.call_later(self.idle_trim, self._trim_idle)
            lifecycle.info("listening on %s:%d", self.host, self.port)
            self._started.set()
            await self._stop.wait()
        finally:
            await self._close(started)

    async def _close(self, started: list[AppLink]) -> None:
        """Stop in order: services and clients, then drivers and remotes, then the apps' stop hooks.

        From here on nothing is delivered to an app, so no handler of an app
        runs during or after its stop hooks.
        """
        self.stopping = True
        for service in self._service_tasks:
            service.cancel()
        await asyncio.gather(*self._service_tasks, return_exceptions=True)
        self._service_tasks.clear()
        if self._tcp is not None:
            self._tcp.close()
        for client in list(self._clients.values()):
            client.close()
        for app in self._apps:
            self._sinks.pop(app.link, None)
        await asyncio.gather(*(d.stop() for d in self._exdrivers), return_exceptions=True)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._link_tasks.clear()
        for app in reversed(started):
            try:
                await app.driver.stop()
            except Exception:
                log.exception("%s: stop failed", app.name)
        for app in self._apps:
            self._sinks[app.link] = app
        if self._tcp is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._tcp.wait_closed(), 1.0)
        if self._started.is_set():
            lifecycle.info("stopped")
        self._started.clear()
        self._loop = None

    def shutdown(self) -> None:
        """Ask a serving server to stop (safe from any thread or a signal handler)."""
        self.stopping = True
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
        """Serve until SIGINT or SIGTERM, then stop apps and drivers cleanly.

        :raises indiflask.errors.StartupError: as :meth:`serve`.
        """
        if not logging.getLogger().handlers:
            logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
        asyncio.run(self._run_with_signals())

    async def _run_with_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.shutdown)
        await self.serve()
