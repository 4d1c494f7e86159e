"""Third-party executable drivers, run as child processes on stdin/stdout pipes.

The child's stdin and stdout are pipes (so libindi drivers send BLOBs inline as
base64, never as shared-memory attachments); each stderr line goes to the log
as ``driver NAME: line``, through the logger ``indiflask.driver.NAME``. When the
child dies its devices are deleted for the clients (``delProperty``) and it is
restarted, at most ``max_restarts`` times over the server's life (indiserver's
``-r``), after a short pause; the new process is asked for its definitions
again, so clients get fresh ones.

The child runs in its own session, so a Ctrl-C in the terminal reaches the
server only, which then stops its drivers in order (EOF on stdin, SIGTERM,
SIGKILL). While the server paces the driver (its readers are behind), its
stdout is not read: a driver writing more blocks in ``write``, and a libindi
driver waiting for the ``pingReply`` to its ``pingRequest`` after a BLOB waits
until that BLOB has mostly gone out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Mapping

from ..core.links import LinkKind
from ..protocol.connection import Connection, Role
from ..protocol.events import Event
from .hub import Hub
from .writer import BatchWriter

__all__ = ["ExDriver"]

log = logging.getLogger("indiflask.server")
#: Drivers' own stderr lines (a child logger, so a quiet server can still show them).


class ExDriver:
    """Runs one executable driver for a :class:`~indiflask.server.Server`.

    :param server: the owning server.
    :param argv: the program and its arguments.
    :param env: the child's whole environment (``None``: the server's).
    """

    takes_events = False

    def __init__(self, server: Hub, argv: list[str], env: Mapping[str, str] | None = None) -> None:
        self._server = server
        self.argv = argv
        #: The child's environment (``None``: inherited from the server).
        self.env = dict(env) if env is not None else None
        program = os.path.basename(argv[0])
        if program.startswith(("python", "sh", "bash")) and len(argv) > 1:
            program = os.path.basename(argv[1])  # an interpreter: name the script
        self.name = f"driver {program}"
        self.link = server.router.add_link(LinkKind.EXEC, self.name)
        #: Restarts so far (never reset, as in indiserver).
        self.restarts = 0
        self.process: asyncio.subprocess.Process | None = None
        #: Exit status of the last process (negative: killed by that signal).
        self.last_exit: int | None = None
        #: True once the restart budget is spent and the driver is no longer run.
        self.gave_up = False
        self._writer: BatchWriter | None = None
        self._stopping = False
        self._may_read: asyncio.Event | None = None
        self._log = logging.getLogger("indiflask.driver." + program.replace(".", "_"))

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        """Queue one serialised message for the driver."""
        if self._writer is not None:
            self._writer.send(data, stream=stream)

    @property
    def taken(self) -> int:
        """Bytes the driver has read from its stdin so far."""
        return self._writer.taken if self._writer is not None else 0

    def hold_input(self, hold: bool) -> None:
        """Stop reading the driver's stdout while it is paced (``True``), or read on."""
        may_read = self._may_read
        if may_read is None:
            return
        if hold:
            may_read.clear()
        else:
            may_read.set()

    def _behind(self, behind: bool) -> None:
        self._server.backlog(self.link, behind)

    async def run(self) -> None:
        """Start the driver and keep it running within the restart budget."""
        server = self._server
        while not self._stopping:
            try:
                proc = await asyncio.create_subprocess_exec(
                    *self.argv,
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.PIPE,
                    env=self.env,
                    start_new_session=True,
                )
            except OSError as exc:
                log.error("%s: cannot start %s: %s", self.name, self.argv[0], exc)
                proc = None
            if proc is not None and self._stopping:  # stopped while it was being started
                proc.kill()
                await proc.wait()
                break
            if proc is not None:
                self.process = proc
                log.info("%s: started, pid %d", self.name, proc.pid)
                await self._serve(proc)
                try:
                    code = await asyncio.wait_for(proc.wait(), 2.0)
                except TimeoutError:  # closed its stdout but lives on
                    proc.kill()
                    code = await proc.wait()
                self.process = None
                self.last_exit = code
                server.driver_down(self.link)
                if self._stopping or server.stopping:
                    break
                log.warning("%s: exited with status %s", self.name, _status(code))
            if self._stopping or server.stopping:
                break
            if self.restarts >= server.max_restarts:
                log.error("%s: terminated after %d restarts", self.name, self.restarts)
                self.gave_up = True
                break
            self.restarts += 1
            log.info("%s: restart %d of %d", self.name, self.restarts, server.max_restarts)
            await asyncio.sleep(server.restart_delay)

    async def _serve(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        server = self._server
        transport = proc.stdin.transport
        self._writer = BatchWriter(
            transport,
            self.name,
            server.budget,
            proc.kill,
            on_behind=self._behind,
            drain=proc.stdin.drain,
        )
        may_read = self._may_read = asyncio.Event()
        may_read.set()
        stderr_task = asyncio.create_task(self._log_stderr(proc.stderr))
        server.dispatch(server.router.link_up(self.link))
        parser = Connection(Role.CLIENT, checked=False, max_element_bytes=server.max_element_size)
        try:
            while True:
                await may_read.wait()
                data = await proc.stdout.read(1 << 16)
                if not data:
                    break
                error = parser.deliver(data, self.link, server.on_event)
                if error is not None:
                    log.error("%s: malformed output (%s), killing it", self.name, error)
                    proc.kill()
                    break
        finally:
            self._writer.close()
            self._writer = None
            with contextlib.suppress(OSError, RuntimeError):
                proc.stdin.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stderr_task, 2.0)

    async def _log_stderr(self, stream: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # a line longer than the stream limit
                continue
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                self._log.info("%s: %s", self.name, text[:1024])

    async def stop(self, timeout: float = 1.5) -> None:
        """Stop the driver: close its stdin, then terminate, then kill."""
        self._stopping = True
        proc = self.process
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError, RuntimeError):
                proc.stdin.close()
        for action in (None, proc.terminate, proc.kill):
            if action is not None:
                with contextlib.suppress(ProcessLookupError):
                    action()
            try:
                await asyncio.wait_for(proc.wait(), timeout)
                return
            except TimeoutError:
                continue


def _status(code: int | None) -> str:
    """``1``, or ``-9 (killed by SIGKILL)`` for a signal."""
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"{code} (killed by {signal.Signals(-code).name})"
    return str(code)
