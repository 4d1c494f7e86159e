"""Run one app as an INDI driver on stdin/stdout (``indiflask run APP --stdio``).

This is how indiserver (or any INDI server) runs a driver: it writes INDI to
our stdin and reads INDI from our stdout. Rules kept here:

* **stdout hygiene**: at start the real stdout is duplicated to a private
  descriptor for the protocol, and descriptor 1 is pointed at stderr, so a
  stray ``print()`` in user code (or a C extension) lands in indiserver's log
  instead of corrupting the XML stream;
* logs go to stderr, one line per record, without timestamps (indiserver adds
  its own);
* the driver exits with status 0 within 2 s of stdin closing, or on SIGTERM /
  SIGINT, after running its ``on_stop`` hooks; malformed XML from the server is
  logged and exits with status 1 (indiserver then restarts the driver), and so
  does a failing ``on_start`` hook (its cause is logged, once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import stat
import sys
from typing import Protocol

from ..core.links import LocalDriver
from ..errors import LocalProtocolError, RemoteProtocolError, StartError
from ..protocol import events as ev
from ..protocol.connection import Connection, Role

__all__ = ["protect_stdout", "serve_stdio"]

log = logging.getLogger(__name__)

_READ_SIZE = 1 << 16


def protect_stdout() -> int:
    """Move the real stdout to a private descriptor and point fd 1 at stderr.

    :returns: the descriptor the INDI stream must be written to.
    """
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    return protocol_fd


class _Output:
    """Writes protocol bytes to a descriptor: an asyncio pipe if possible, else blocking."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.transport: asyncio.WriteTransport | None = None

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        if stat.S_ISSOCK(os.fstat(self.fd).st_mode):
            # indiserver's socketpair: asyncio's write-pipe transport takes the
            # socket becoming readable (our input arriving) for the peer closing.
            return
        try:
            pipe = os.fdopen(self.fd, "wb", buffering=0, closefd=False)
            self.transport, _ = await loop.connect_write_pipe(asyncio.Protocol, pipe)
        except (ValueError, OSError):
            self.transport = None

    def write(self, data: bytes) -> None:
        if self.transport is not None:
            if not self.transport.is_closing():
                self.transport.write(data)
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.fd, view)
            except BlockingIOError:  # non-blocking (shared with the reader): wait for room
                select.select([], [self.fd], [])
                continue
            view = view[written:]


async def _read_chunks(fd: int) -> asyncio.Queue[bytes]:
    """Start reading ``fd`` into a queue; ``b""`` marks end of input."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    class _Reader(asyncio.Protocol):
        def data_received(self, data: bytes) -> None:
            queue.put_nowait(data)

        def eof_received(self) -> bool:
            queue.put_nowait(b"")
            return False

        def connection_lost(self, exc: Exception | None) -> None:
            queue.put_nowait(b"")

    try:
        pipe = os.fdopen(fd, "rb", buffering=0, closefd=False)
        await loop.connect_read_pipe(_Reader, pipe)
    except (ValueError, OSError):

        def pump() -> None:
            while True:
                try:
                    data = os.read(fd, _READ_SIZE)
                except OSError:
                    data = b""
                loop.call_soon_threadsafe(queue.put_nowait, data)
                if not data:
                    return

        loop.run_in_executor(None, pump)
    return queue


class StdioServable(Protocol):
    """Anything that can make an in-process driver: an App, a compat IPyDriver."""

    def local_driver(self) -> LocalDriver:
        """The driver engine to run."""


async def serve_stdio(
    app: StdioServable,
    *,
    input_fd: int = 0,
    output_fd: int | None = None,
    stop: asyncio.Event | None = None,
) -> int:
    """Serve ``app`` on stdin/stdout until input ends, a signal arrives or ``stop`` is set.

    :returns: the exit status (0 on a clean end, 1 after malformed input).
    """
    out = _Output(protect_stdout() if output_fd is None else output_fd)
    await out.open()
    conn = Connection(Role.DEVICE)
    driver = app.local_driver()
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    def emit(event: ev.Event) -> None:
        try:
            data = conn.send_update(event)
        except LocalProtocolError as exc:
            log.error("%s: cannot send %s: %s", driver.name, type(event).__name__, exc)
            return
        if data:
            out.write(data)

    try:
        await driver.start(emit)
    except StartError as exc:
        log.error("%s", exc)
        log.debug("why the start failed", exc_info=exc.__cause__)
        return 1
    chunks = await _read_chunks(input_fd)
    status = 0
    stopper = asyncio.ensure_future(stop.wait())
    try:
        while True:
            getter = asyncio.ensure_future(chunks.get())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                log.info("%s: stop requested, stopping", driver.name)
                break
            data = getter.result()
            if not data:
                log.info("%s: stdin closed, stopping", driver.name)
                break
            try:
                conn.receive_data(data)
                for event in conn.events():
                    driver.feed(event)
            except RemoteProtocolError as exc:
                log.error("%s: unreadable input from the server: %s", driver.name, exc)
                status = 1
                break
    finally:
        stopper.cancel()
        await driver.stop()
        if out.transport is not None:
            out.transport.close()
    return status
