"""indipydriver-style :class:`IPyServer`, a thin wrapper around :class:`indiflask.Server`.

::

    server = IPyServer(driver, host="localhost", port=7624, maxconnections=5)
    server.add_exdriver("indi_simulator_telescope")
    asyncio.run(server.asyncrun())
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from ..protocol import events as ev
from ..server import Server
from .driver import IPyDriver
from .vectors import timestamp_string

__all__ = ["IPyServer"]

log = logging.getLogger(__name__)


class _ServerVoice:
    """A device-less in-process link, so the server can send global messages."""

    name = "IPyServer"

    def __init__(self) -> None:
        self.emit: Callable[[ev.Event], None] | None = None

    async def start(self, emit: Callable[[ev.Event], None]) -> None:
        self.emit = emit

    def feed(self, event: ev.Event) -> None:
        if isinstance(event, ev.PingRequest) and self.emit is not None:
            self.emit(ev.PingReply(uid=event.uid))

    async def stop(self) -> None:
        self.emit = None


class IPyServer:
    """Serve IPyDrivers, executable INDI drivers and remote INDI servers on one port.

    :param drivers: the :class:`~indiflask.compat.IPyDriver` instances to serve.
    :param host: the address to listen on.
    :param port: the TCP port (``0`` picks a free one; see :attr:`port` once serving).
    :param maxconnections: the number of simultaneous clients accepted.
    :raises ValueError: when two drivers control a device of the same name, or
        ``maxconnections`` is less than 1.
    """

    def __init__(
        self,
        *drivers: IPyDriver,
        host: str = "localhost",
        port: int = 7624,
        maxconnections: int = 5,
    ) -> None:
        if maxconnections < 1:
            raise ValueError("maxconnections should be at least 1")
        #: The drivers served.
        self.drivers = list(drivers)
        #: Device name to device, over every driver.
        self.devices: dict[str, object] = {}
        for driver in self.drivers:
            if not isinstance(driver, IPyDriver):
                raise TypeError("The drivers set in IPyServer must all be IPyDrivers")
            for devicename, device in driver.items():
                if devicename in self.devices:
                    raise ValueError(
                        f"Device name {devicename} is duplicated in the attached drivers."
                    )
                self.devices[devicename] = device
        self.host = host
        self.maxconnections = maxconnections
        self._voice = _ServerVoice()
        #: The indiflask server doing the work.
        self.server = Server(
            *(d.local_driver() for d in self.drivers),
            self._voice,
            host=host,
            port=port,
            max_connections=maxconnections,
        )
        #: Set when :meth:`asyncrun` has finished.
        self.stopped = asyncio.Event()
        self._stop = False

    @property
    def port(self) -> int:
        """The listening port (the bound one once serving, if 0 was given)."""
        return self.server.port

    @property
    def stop(self) -> bool:
        """True once :meth:`shutdown` has been called."""
        return self._stop

    def add_exdriver(self, program: str, *args: str, debug_enable: bool = False) -> None:
        """Run an executable INDI driver and serve it too (``debug_enable`` is accepted and
        ignored: traffic is logged by indiflask's loggers)."""
        self.server.add_exdriver(program, *args)

    def add_remote(
        self, host: str, port: int, blob_enable: bool = False, debug_enable: bool = False
    ) -> None:
        """Connect to another INDI server and serve its devices too.

        ``blob_enable`` is accepted for compatibility: BLOBs cross the link as the
        clients' own ``enableBLOB`` requests ask, following the INDI spec.
        """
        self.server.add_remote(host, port)

    async def send_message(self, message: str, timestamp: datetime | None = None) -> None:
        """Send a global INDI ``message`` to every client."""
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("send_message: the timestamp must be a UTC datetime")
            return
        if self._voice.emit is not None:
            self._voice.emit(ev.Message(timestamp=stamp, message=message or None))

    async def asyncrun(self) -> None:
        """Serve until :meth:`shutdown`; then stop every driver."""
        self._stop = False
        self.stopped.clear()
        try:
            await self.server.serve()
        finally:
            self._stop = True
            self.stopped.set()

    def shutdown(self, shutdownmessage: str = "") -> None:
        """Stop serving (``shutdownmessage``, if given, is logged as an error)."""
        if shutdownmessage:
            log.error(shutdownmessage)
        self._stop = True
        for driver in self.drivers:
            driver.shutdown()
        self.server.shutdown()
