"""Run one IPyDriver on stdin/stdout: what ``await driver.asyncrun()`` does.

The stream rules are indiflask's ``--stdio`` ones: the real stdout is kept
for INDI XML only (stray prints go to stderr), and the driver stops when its
input ends, on SIGTERM/SIGINT, or when ``driver.shutdown()`` is called.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import TYPE_CHECKING

from ..errors import IndiflaskError
from ..protocol import events as ev
from ..runtime.stdio import protect_stdout
from ..server.wire import Reader, encode

if TYPE_CHECKING:
    from .driver import IPyDriver

__all__ = ["run_stdio"]

log = logging.getLogger(__name__)

_MAX_ELEMENT = 64 * 2**20


async def _stdin_chunks() -> asyncio.Queue[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    def pump() -> None:
        while True:
            try:
                data = os.read(0, 1 << 16)
            except OSError:
                data = b""
            loop.call_soon_threadsafe(queue.put_nowait, data)
            if not data:
                return

    loop.run_in_executor(None, pump)
    return queue


async def run_stdio(driver: IPyDriver, *, output_fd: int | None = None) -> None:
    """Serve ``driver`` on stdin/stdout until input ends, a signal, or ``shutdown()``.

    :param output_fd: where to write INDI (default: the real stdout, protected).
    """
    fd = protect_stdout() if output_fd is None else output_fd
    local = driver.local_driver()
    reader = Reader(max_element=_MAX_ELEMENT)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, driver.shutdown)

    def emit(event: ev.Event) -> None:
        try:
            data = encode(event)
        except IndiflaskError as exc:
            log.error("cannot send %s: %s", type(event).__name__, exc)
            return
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    await local.start(emit)
    chunks = await _stdin_chunks()
    stopper = asyncio.ensure_future(driver.shutdownrequested.wait())
    try:
        while True:
            getter = asyncio.ensure_future(chunks.get())
            done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            data = getter.result()
            if not data:
                log.info("%s: stdin closed, stopping", local.name)
                break
            try:
                events = reader.feed(data)
            except IndiflaskError as exc:
                log.error("%s: unreadable input: %s", local.name, exc)
                break
            for event in events:
                local.feed(event)
    finally:
        stopper.cancel()
        await local.stop()
