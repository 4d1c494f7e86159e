"""Drivers managed at run time: started and stopped by FIFO commands or by clients.

A :class:`DriverManager` keeps one :class:`ManagedDriver` per driver the server
was told about: the executables and remote servers of the command line, the
drivers an operator allowed clients to start (``--allow``), and everything a
FIFO ``start`` named. Each entry can be started, stopped and restarted; a
stopped driver is not restarted, and its devices are deleted for clients
(``delProperty``).

Environment, as libindi's indiserver sets it for FIFO-started drivers:
``-n`` sets ``INDIDEV``, ``-c`` ``INDICONFIG``, ``-s`` ``INDISKEL`` and
``-p`` ``INDIPREFIX`` (the program then runs as ``PREFIX/bin/DRIVER``). When
the server reads a FIFO, those variables are removed from the environment of
drivers started without them, as indiserver does.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .exdriver import ExDriver
from .fifo import FifoCommand
from .remote import RemoteLink
from .server import Server
from .specs import parse_remote

__all__ = ["DriverManager", "DriverStatus", "ManagedDriver"]

log = logging.getLogger("indiflask.server")

#: The environment variables indiserver sets for a FIFO-started driver.
DRIVER_ENV = ("INDIDEV", "INDICONFIG", "INDISKEL", "INDIPREFIX")


@dataclass(frozen=True, slots=True)
class DriverStatus:
    """What a managed driver is doing, as clients are shown it."""

    #: ``running``, ``starting``, ``restarting``, ``failed`` or ``stopped``
    #: (remote servers: ``connected``, ``connecting`` or ``stopped``).
    state: str
    #: The process id while running.
    pid: int | None = None
    #: Restarts after a crash so far.
    restarts: int = 0
    #: How the last process ended (``exit status 1``, ``killed by signal 9``), or ``""``.
    last_exit: str = ""
    #: The devices it serves now.
    devices: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """True unless stopped or given up."""
        return self.state not in ("stopped", "failed")


@dataclass(eq=False)
class ManagedDriver:
    """One driver the server knows: what to run, and the running instance if any."""

    #: The program as written (``indi_simulator_ccd``), or ``[DEVICE]@HOST[:PORT]``.
    driver: str
    #: Extra arguments (``--exdriver "CMD ARGS"`` on the command line only).
    args: tuple[str, ...] = ()
    #: True for a remote server.
    remote: bool = False
    #: ``INDIDEV``: the device name the driver should use.
    name: str | None = None
    #: ``INDICONFIG``, ``INDISKEL`` and ``INDIPREFIX``.
    config: str | None = None
    skeleton: str | None = None
    prefix: str | None = None
    #: Where it came from: ``command line``, ``allowed``, ``fifo`` or ``client``.
    origin: str = "command line"
    #: The running instance.
    handle: ExDriver | RemoteLink | None = None
    #: Restarts of earlier instances.
    earlier_restarts: int = 0
    #: True after a stop that was asked for (not restarted).
    stopped: bool = True

    @property
    def label(self) -> str:
        """How the driver is shown: ``indi_simulator_ccd`` or ``indi_simulator_ccd -n "CCD"``."""
        text = " ".join([self.driver, *self.args])
        return f'{text} -n "{self.name}"' if self.name else text

    def restarts_so_far(self) -> int:
        """Restarts after crashes (reconnections for a remote), over every instance."""
        handle = self.handle
        if handle is None or self.stopped:
            return self.earlier_restarts
        if isinstance(handle, RemoteLink):
            return self.earlier_restarts + max(0, handle.connections - 1)
        return self.earlier_restarts + handle.restarts


def describe_exit(code: int | None) -> str:
    """``exit status N`` or ``killed by signal N``; ``""`` before the first exit."""
    if code is None:
        return ""
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


class DriverManager:
    """The drivers of one server, started and stopped at run time.

    :param clear_env: remove ``INDIDEV``, ``INDICONFIG``, ``INDISKEL`` and
        ``INDIPREFIX`` from the environment of drivers started without them (as
        indiserver does when it reads a FIFO).

    Call :meth:`attach` with the server before it serves.
    """

    def __init__(self, *, clear_env: bool = False) -> None:
        self.clear_env = clear_env
        #: Every known driver, in the order they became known.
        self.entries: list[ManagedDriver] = []
        #: Called after an entry was added (the server device defines its properties).
        self.on_added: list[Callable[[ManagedDriver], None]] = []
        self._server: Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def server(self) -> Server:
        """The server the drivers run in."""
        if self._server is None:
            raise RuntimeError("DriverManager.attach(server) was not called")
        return self._server

    def attach(self, server: Server) -> None:
        """Use ``server`` for the drivers (entries already started are created in it)."""
        self._server = server

    # ------------------------------------------------------------------ entries

    def add(self, entry: ManagedDriver, *, start: bool) -> ManagedDriver:
        """Register ``entry`` (and start it, with ``start=True``)."""
        self.entries.append(entry)
        for callback in self.on_added:
            callback(entry)
        if start:
            self.start(entry)
        return entry

    def status(self, entry: ManagedDriver) -> DriverStatus:
        """What ``entry`` is doing now."""
        handle = entry.handle
        restarts = entry.restarts_so_far()
        if isinstance(handle, RemoteLink):
            if entry.stopped:
                return DriverStatus("stopped", restarts=restarts)
            state = "connected" if handle.connected else "connecting"
            return DriverStatus(state, restarts=restarts, devices=self._devices(handle))
        last = describe_exit(handle.last_exit) if handle is not None else ""
        if handle is None or entry.stopped:
            return DriverStatus("stopped", restarts=restarts, last_exit=last)
        if handle.process is not None:
            pid = handle.process.pid
            return DriverStatus("running", pid, restarts, last, self._devices(handle))
        if handle.gave_up:
            return DriverStatus("failed", restarts=restarts, last_exit=last)
        state = "restarting" if handle.last_exit is not None else "starting"
        return DriverStatus(state, restarts=restarts, last_exit=last)

    def _devices(self, handle: ExDriver | RemoteLink) -> tuple[str, ...]:
        return tuple(sorted(self.server.router.devices_of(handle.link)))

    def _matches(self, entry: ManagedDriver, driver: str, name: str | None) -> bool:
        """``stop DRIVER [-n NAME]``: the same program; with a name, that device."""
        if driver != entry.driver:
            return False
        if name is None:
            return True
        return name == entry.name or name in self.status(entry).devices

    def find(self, driver: str, name: str | None = None) -> ManagedDriver | None:
        """The first entry for ``driver`` (and device ``name``), running ones first."""
        found = [e for e in self.entries if self._matches(e, driver, name)]
        running = [e for e in found if not e.stopped]
        return (running or found)[0] if found else None

    def allowed(self, driver: str) -> bool:
        """True when clients may start ``driver`` (it is a known executable)."""
        return any(e.driver == driver and not e.remote for e in self.entries)

    # ------------------------------------------------------------------ actions

    def start(self, entry: ManagedDriver) -> None:
        """Start ``entry`` unless it runs already."""
        if not entry.stopped:
            log.info("%s: already running", entry.label)
            return
        server = self.server
        entry.stopped = False
        if entry.remote:
            device, host, port = parse_remote(entry.driver)
            entry.handle = server.add_remote(host, port, device=device)
        else:
            argv, env = self._command(entry)
            entry.handle = server.add_exdriver(argv[0], *argv[1:], env=env)
        log.info("%s: started (%s)", entry.label, entry.origin)

    async def stop(self, entry: ManagedDriver) -> None:
        """Stop ``entry`` for good (until started again)."""
        handle = entry.handle
        entry.stopped = True
        if handle is None:
            return
        entry.earlier_restarts += (
            max(0, handle.connections - 1) if isinstance(handle, RemoteLink) else handle.restarts
        )
        if isinstance(handle, RemoteLink):
            await self.server.remove_remote(handle)
        else:
            await self.server.remove_exdriver(handle)
        log.info("%s: stopped", entry.label)

    async def restart(self, entry: ManagedDriver) -> None:
        """Stop ``entry`` if it runs, then start it again."""
        if not entry.stopped:
            await self.stop(entry)
        self.start(entry)

    def launch(self, driver: str, name: str | None, *, origin: str = "client") -> ManagedDriver:
        """Start a known ``driver`` as device ``name`` (a new entry if needed).

        :raises PermissionError: when ``driver`` is not a known executable.
        """
        if not self.allowed(driver):
            raise PermissionError(f"{driver!r} is not one of this server's drivers")
        entry = self.find(driver, name) if name else self.find(driver)
        if entry is not None and (entry.name == name or name is None):
            self.start(entry)
            return entry
        template = next(e for e in self.entries if e.driver == driver and not e.remote)
        new = ManagedDriver(
            driver,
            template.args,
            name=name,
            config=template.config,
            skeleton=template.skeleton,
            prefix=template.prefix,
            origin=origin,
        )
        return self.add(new, start=True)

    def apply(self, command: FifoCommand) -> None:
        """Carry out a FIFO command (stops run in the background)."""
        if command.action == "start":
            self._fifo_start(command)
            return
        entry = self.find(command.driver, command.name)
        if entry is None or entry.stopped:
            what = command.driver + (f' -n "{command.name}"' if command.name else "")
            log.warning("FIFO: stop %s: no such driver is running", what)
            return
        task = asyncio.get_running_loop().create_task(self.stop(entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _fifo_start(self, command: FifoCommand) -> None:
        name = command.name
        for entry in self.entries:
            if (
                entry.driver == command.driver
                and entry.remote == command.remote
                and (entry.name == name)
            ):
                if not entry.stopped:
                    log.warning("FIFO: %s is running already", entry.label)
                    return
                entry.config, entry.skeleton = command.config, command.skeleton
                entry.prefix = command.prefix
                self.start(entry)
                return
        entry = ManagedDriver(
            command.driver,
            remote=command.remote,
            name=name,
            config=command.config,
            skeleton=command.skeleton,
            prefix=command.prefix,
            origin="fifo",
        )
        self.add(entry, start=True)

    def _command(self, entry: ManagedDriver) -> tuple[list[str], Mapping[str, str] | None]:
        values = dict(
            zip(DRIVER_ENV, (entry.name, entry.config, entry.skeleton, entry.prefix), strict=True)
        )
        if not self.clear_env and not any(values.values()):
            env: dict[str, str] | None = None
        else:
            env = dict(os.environ)
            for var, value in values.items():
                if value:
                    env[var] = value
                elif self.clear_env:
                    env.pop(var, None)
        program = entry.driver
        if entry.prefix:
            program = os.path.join(entry.prefix, "bin", entry.driver)
        return [program, *entry.args], env

    async def stop_all(self) -> None:
        """Stop every running entry (the server also stops them when it shuts down)."""
        for entry in self.entries:
            if not entry.stopped:
                await self.stop(entry)
