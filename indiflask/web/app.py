"""The web panel: an aiohttp application in front of one INDI :class:`~indiflask.client.Client`.

::

    from indiflask.web import WebPanel

    async with WebPanel("127.0.0.1", 7624, port=7680) as panel:   # any INDI server
        await asyncio.Event().wait()                               # open panel.url meanwhile

The panel is an ordinary INDI client of the server (over TCP), so it works
the same for ``indiflask run`` and for libindi's ``indiserver``. It runs in
the caller's event loop: :func:`run_beside` serves an indiflask
:class:`~indiflask.server.Server` and its panel in one loop (``indiflask run
--web``), :func:`run_panel` serves a panel alone (``indiflask web``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..client import Client
from .hub import Hub
from .middleware import access_guard, secure_headers
from .pages import install_pages
from .routes import ApiRoutes
from .security import TokenCheck, check_bind

if TYPE_CHECKING:
    from ..server import Server

__all__ = ["DEFAULT_MAX_UPLOAD", "DEFAULT_WEB_PORT", "WebPanel", "run_beside", "run_panel"]

log = logging.getLogger(__name__)

#: The panel's default TCP port.
DEFAULT_WEB_PORT = 7680
#: The largest BLOB upload accepted by default, in bytes.
DEFAULT_MAX_UPLOAD = 64 * 2**20


class WebPanel:
    """The web panel and JSON API for one INDI server.

    :param indi_host: the INDI server's address.
    :param indi_port: its port.
    :param host: the address the panel listens on (loopback unless a token is given).
    :param port: the panel's TCP port (``0``: any free port; :attr:`port` tells which).
    :param token: the access token (required for a non-loopback ``host``).
    :param max_upload: the largest BLOB upload accepted, in bytes.
    :param client: use this client instead of making one (it is not closed by :meth:`stop`).
    :raises ValueError: for a non-loopback ``host`` without a token, or a short token.
    """

    def __init__(
        self,
        indi_host: str = "127.0.0.1",
        indi_port: int = 7624,
        *,
        host: str = "127.0.0.1",
        port: int = DEFAULT_WEB_PORT,
        token: str | None = None,
        max_upload: int = DEFAULT_MAX_UPLOAD,
        client: Client | None = None,
    ) -> None:
        check_bind(host, token)
        #: The INDI client the panel shows and changes.
        self.client = (
            client if client is not None else Client(indi_host, indi_port, max_backoff=2.0)
        )
        #: Listen address and port (the bound port once started).
        self.host, self.port = host, port
        #: The largest BLOB upload accepted, in bytes.
        self.max_upload = max_upload
        #: The token rule.
        self.tokens = TokenCheck(token)
        #: The WebSocket fan-out, number history and BLOB counters.
        self.hub = Hub(self.client)
        self._own_client = client is None
        self._runner: web.AppRunner | None = None
        self._connector: asyncio.Task[None] | None = None
        #: The aiohttp application (for tests: ``aiohttp.test_utils.TestServer(panel.app)``).
        self.app = web.Application(
            middlewares=[secure_headers, access_guard(self.tokens)],
            client_max_size=max_upload + 1,
        )
        install_pages(self.app, self.tokens)
        ApiRoutes(self).install(self.app)
        self.app.on_shutdown.append(self._close_sockets)

    @property
    def url(self) -> str:
        """The panel's address, e.g. ``http://127.0.0.1:7680/``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def __aenter__(self) -> WebPanel:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Connect to the INDI server (retrying in the background) and start listening.

        :raises OSError: when the panel's own address cannot be bound.
        """
        self.hub.start()
        await self.connect_to_indi()
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        # a start line, shown at the default verbosity like the server's "listening on"
        logging.getLogger("indiflask.server.lifecycle").info(
            "web panel on %s (INDI %s:%s)", self.url, self.client.host, self.client.port
        )

    async def connect_to_indi(self) -> None:
        """Connect the client now, or keep trying in the background until it connects."""
        if not self._own_client or self.client.connected:
            return
        try:
            await self.client.connect()
        except (OSError, TimeoutError) as exc:
            log.warning(
                "INDI server %s:%s not reachable (%s); retrying",
                self.client.host,
                self.client.port,
                exc,
            )
            self._connector = asyncio.get_running_loop().create_task(self._keep_connecting())

    async def _keep_connecting(self) -> None:
        delay = 0.25
        while True:
            await asyncio.sleep(delay)
            try:
                await self.client.connect()
            except (OSError, TimeoutError):
                delay = min(delay * 2, self.client.max_backoff)
            else:
                return

    async def _close_sockets(self, app: web.Application) -> None:
        for peer in list(self.hub.peers):
            with contextlib.suppress(Exception):
                await peer.socket.close(code=1001, message=b"panel stopping")

    async def stop(self) -> None:
        """Stop listening, close every page's WebSocket and the client (if the panel made it)."""
        if self._connector is not None:
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connector
            self._connector = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.hub.stop()
        if self._own_client:
            await self.client.close()


def _loopback_for(host: str) -> str:
    """Where a panel beside a server connects: the server's address, loopback for a wildcard."""
    return "127.0.0.1" if host in ("", "0.0.0.0", "::") else host


def run_beside(server: Server, panel_options: dict[str, Any]) -> None:
    """Serve ``server`` and a :class:`WebPanel` for it in one event loop, until SIGINT/SIGTERM.

    :param server: an indiflask server, not yet serving.
    :param panel_options: keyword arguments of :class:`WebPanel` (``host``, ``port``,
        ``token``, ``max_upload``); it connects to the server's own port.
    :raises OSError: when the panel's address cannot be bound (the server is stopped).
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, server.shutdown)
        serving = loop.create_task(server.serve())
        started = loop.create_task(server.started())
        await asyncio.wait({serving, started}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            started.cancel()
            serving.result()  # it failed to start: raise why
            return
        panel = WebPanel(_loopback_for(server.host), server.port, **panel_options)
        try:
            await panel.start()
        except BaseException:
            server.shutdown()
            await asyncio.gather(serving, return_exceptions=True)
            await panel.stop()
            raise
        try:
            await serving
        finally:
            await panel.stop()

    asyncio.run(main())


def run_panel(panel: WebPanel) -> None:
    """Serve a panel until SIGINT or SIGTERM (``indiflask web``)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        async with panel:
            await stop.wait()

    asyncio.run(main())
