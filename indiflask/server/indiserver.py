"""A server put together the way libindi's indiserver is driven: options, drivers, FIFO.

:func:`build_server` turns an :class:`IndiserverConfig` (what ``indiflask
server`` and the ``indiflask-indiserver`` command parse from indiserver's
options) into a ready-to-serve :class:`~indiflask.server.tap.TappedServer`
with its :class:`~indiflask.server.manager.DriverManager`, the server device
(:mod:`indiflask.server.control`), the FIFO reader and the local socket.

A driver argument is, as for indiserver, ``[DEVICE]@HOST[:PORT]`` for another
server or an executable otherwise; in addition ``file.py``, ``file.py:attr``
and ``module:attr`` are indiflask apps, served in-process.
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from ..errors import SetupError
from .control import ServerDevice
from .fifo import FifoReader
from .manager import DriverManager, ManagedDriver
from .specs import DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, parse_exdriver, parse_remote
from .tap import MessageLog, TappedServer
from .unixsock import bind_unix_socket, serve_unix

__all__ = [
    "IndiserverConfig",
    "IndiserverParts",
    "build_server",
    "check_drivers",
    "driver_kind",
]

log = logging.getLogger("indiflask.indiserver")

MiB = 2**20

_MODULE_ATTR = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def driver_kind(arg: str) -> Literal["remote", "app", "exec"]:
    """What a driver argument names: ``remote`` (has ``@``), ``app`` (``.py``,
    ``.py:attr`` or ``module:attr``) or ``exec`` (anything else)."""
    if "@" in arg:
        return "remote"
    if arg.endswith(".py") or ".py:" in arg or _MODULE_ATTR.fullmatch(arg):
        return "app"
    return "exec"


@dataclass
class IndiserverConfig:
    """indiserver's options, and ours. Sizes are in MiB, as on the command line."""

    #: Executables and ``[DEVICE]@HOST[:PORT]`` remote servers (apps are passed separately).
    drivers: list[str] = field(default_factory=list)
    #: ``-p``.
    port: int = DEFAULT_PORT
    #: ``--host``: indiserver binds every interface; we bind 127.0.0.1 unless told.
    host: str = "127.0.0.1"
    #: ``-m``: MiB queued for a client before it is disconnected.
    max_queue: int = 128
    #: ``-d``: MiB queued for a client past which stream BLOBs are dropped (0: never).
    max_stream_queue: int = 5
    #: ``-r``: restarts per driver (negative counts as 0).
    max_restarts: int = 10
    #: ``-f``: the control FIFO.
    fifo: str | None = None
    #: ``-l``: the directory of ``YYYY-MM-DD.islog`` files.
    log_dir: str | None = None
    #: ``-u``: the local socket's name (abstract on Linux).
    unix_socket: str | None = None
    #: ``-v`` count: 2 logs each message, 3 its XML too.
    verbose: int = 0
    #: ``--max-connections``.
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    #: ``--exdriver "CMD ARGS"``: executables with arguments.
    exdrivers: list[str] = field(default_factory=list)
    #: ``--allow DRIVER``: executables clients may start (listed, not started).
    allow: list[str] = field(default_factory=list)
    #: ``--server-device NAME`` (``None``: ``INDI Server <host>``).
    device_name: str | None = None
    #: ``--no-server-device`` sets this to False.
    server_device: bool = True
    #: ``--remote-timeout``: seconds of silence before a remote server is given up.
    remote_timeout: float = 15.0


@dataclass
class IndiserverParts:
    """What :func:`build_server` made."""

    #: The server, ready for ``run()`` or ``await serve()``.
    server: TappedServer
    #: Its run-time drivers.
    manager: DriverManager
    #: The server device, unless disabled.
    device: ServerDevice | None
    #: The FIFO reader, with ``-f``.
    fifo: FifoReader | None


def build_server(config: IndiserverConfig, apps: Sequence[object] = ()) -> IndiserverParts:
    """Assemble a server from ``config`` and in-process ``apps``.

    Binds the local socket (``-u``) and creates the FIFO (``-f``) now, so that
    problems are reported before serving.

    :raises SetupError: on a malformed driver or an unusable FIFO.
    :raises OSError: when the local socket cannot be bound.
    """
    manager = DriverManager(clear_env=config.fifo is not None)
    for spec in config.drivers:
        if driver_kind(spec) == "remote":
            parse_remote(spec)  # raises SetupError
            manager.add(ManagedDriver(spec, remote=True), start=False)
        else:
            manager.add(ManagedDriver(spec), start=False)
    for spec in config.exdrivers:
        argv = parse_exdriver(spec)
        manager.add(ManagedDriver(argv[0], tuple(argv[1:])), start=False)
    for spec in config.allow:
        argv = parse_exdriver(spec)
        if not manager.allowed(argv[0]):
            entry = ManagedDriver(argv[0], tuple(argv[1:]), origin="allowed")
            manager.add(entry, start=False)
    started = [e for e in manager.entries if e.origin != "allowed"]

    fifo = FifoReader(config.fifo, manager.apply) if config.fifo else None
    if fifo is not None:
        fifo.prepare()
    unix = bind_unix_socket(config.unix_socket) if config.unix_socket else None

    device: ServerDevice | None = None
    all_apps = list(apps)
    if config.server_device:
        info = {
            "LISTEN": lambda: f"{manager.server.host}:{manager.server.port}",
            "UNIX": lambda: config.unix_socket or "",
            "FIFO": lambda: config.fifo or "",
        }
        device = ServerDevice(manager, config.device_name, info)
        all_apps.insert(0, device.app)
    server = TappedServer(
        *all_apps,
        traffic=max(0, config.verbose - 1),
        message_log=MessageLog(config.log_dir) if config.log_dir else None,
        host=config.host,
        port=config.port,
        max_connections=config.max_connections,
        max_queue=max(1, config.max_queue) * MiB,
        max_stream_queue=max(0, config.max_stream_queue) * MiB,
        max_restarts=max(0, config.max_restarts),
    )
    timeout = max(0.2, config.remote_timeout)
    server.remote_keepalive = (timeout / 3, timeout)
    manager.attach(server)
    for entry in started:
        manager.start(entry)
    if fifo is not None:
        server.add_service(fifo.run)
    if unix is not None:
        name = config.unix_socket or ""
        sock: socket.socket = unix
        server.add_service(lambda: serve_unix(server, sock, name))
    return IndiserverParts(server, manager, device, fifo)


def check_drivers(config: IndiserverConfig, apps: Sequence[object]) -> None:
    """indiserver's rule: something to serve, or a FIFO to be told about it.

    :raises SetupError: with no driver, app, allowed driver or FIFO.
    """
    if not (config.drivers or config.exdrivers or config.allow or apps or config.fifo):
        raise SetupError("name at least one driver, or give -f FIFO to start them later")
