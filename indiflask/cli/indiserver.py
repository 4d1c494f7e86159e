"""``indiflask server``: libindi's indiserver command line, on indiflask's server.

::

    indiflask server -p 7624 -m 100 -f /tmp/indififo -v \
        indi_simulator_telescope app.py dev@host:7624

The same command is installed as ``indiflask-indiserver``; a link to it named
``indiserver``, first on ``PATH``, makes tools that start indiserver (INDI Web
Manager, scripts, systemd units) start this server instead. See
``docs/indiserver-migration.rst``.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import time

import click

from ..errors import SetupError
from ..server.indiserver import (
    IndiserverConfig,
    build_server,
    check_drivers,
    driver_kind,
)
from ..server.specs import DEFAULT_MAX_CONNECTIONS
from .discovery import find_app

__all__ = ["main", "server_command", "setup_indiserver_logging"]

log = logging.getLogger("indiflask.indiserver")


class _IndiserverFormatter(logging.Formatter):
    """``2026-01-02T03:04:05: text`` in UTC, as indiserver logs; problems say so."""

    converter = staticmethod(time.gmtime)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.levelno >= logging.WARNING:
            head, _, tail = text.partition(": ")
            return f"{head}: {record.levelname.lower()}: {tail}"
        return text


def setup_indiserver_logging(verbose: int) -> None:
    """Log to stderr like indiserver: quiet by default, more with each ``-v``.

    Always shown: startup lines, problems, and drivers' own stderr lines.
    ``-v`` adds key events (clients, drivers starting and exiting, FIFO
    commands), ``-vv`` a line per message and debugging detail, ``-vvv`` each
    message's XML.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_IndiserverFormatter("%(asctime)s: %(message)s", "%Y-%m-%dT%H:%M:%S"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    root.setLevel(level)
    logging.getLogger("indiflask").setLevel(level)
    for always in ("indiflask.indiserver", "indiflask.driver"):
        logging.getLogger(always).setLevel(logging.INFO)
    traffic = logging.INFO if verbose >= 2 else logging.WARNING
    logging.getLogger("indiflask.server.traffic").setLevel(traffic)


@click.command(
    "server",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("drivers", nargs=-1, metavar="[DRIVER]...")
@click.option(
    "-p", "--port", default=7624, show_default=True, type=click.IntRange(0, 65535),
    help="TCP port (indiserver's -p).",
)  # fmt: skip
@click.option(
    "-H", "--host", default="127.0.0.1", show_default=True,
    help="Address to listen on (indiserver always listens on every interface: 0.0.0.0).",
)  # fmt: skip
@click.option(
    "-m", "max_queue", default=128, show_default=True, type=click.IntRange(1), metavar="MB",
    help="Disconnect a client once this many MB are queued for it.",
)  # fmt: skip
@click.option(
    "-d", "max_stream_queue", default=5, show_default=True, type=click.IntRange(0), metavar="MB",
    help="Drop stream BLOBs for a client this many MB behind (0: never).",
)  # fmt: skip
@click.option(
    "-r", "max_restarts", default=10, show_default=True, type=int, metavar="N",
    help="Restarts per driver after it exits or fails.",
)  # fmt: skip
@click.option(
    "-f", "fifo", metavar="FIFO",
    help="Read 'start DRIVER [-n \"name\"]' / 'stop DRIVER' lines from this FIFO.",
)  # fmt: skip
@click.option(
    "-l", "log_dir", metavar="DIR", help="Append drivers' messages to DIR/YYYY-MM-DD.islog."
)
@click.option(
    "-u", "unix_socket", metavar="NAME",
    help="Also serve clients on this local socket (abstract on Linux, like indiserver).",
)  # fmt: skip
@click.option(
    "-v", "verbose", count=True,
    help="-v key events, -vv also each message, -vvv also its XML.",
)  # fmt: skip
@click.option(
    "--max-connections", default=DEFAULT_MAX_CONNECTIONS, show_default=True, type=click.IntRange(1),
    help="Refuse clients beyond this many.",
)  # fmt: skip
@click.option(
    "--exdriver", "exdrivers", multiple=True, metavar="CMD",
    help="An executable with arguments, quoted (repeatable).",
)  # fmt: skip
@click.option(
    "--allow", multiple=True, metavar="DRIVER",
    help="A driver clients may start through the server device (repeatable).",
)  # fmt: skip
@click.option(
    "--server-device", "device_name", metavar="NAME",
    help="Name of the server's own device (default: 'INDI Server <hostname>').",
)  # fmt: skip
@click.option("--no-server-device", is_flag=True, help="Do not show the server as a device.")
@click.option(
    "--remote-timeout", default=15.0, show_default=True, type=click.FloatRange(0.2),
    metavar="SECONDS", help="Give up a silent remote server after this long, then reconnect.",
)  # fmt: skip
def server_command(
    drivers: tuple[str, ...],
    port: int,
    host: str,
    max_queue: int,
    max_stream_queue: int,
    max_restarts: int,
    fifo: str | None,
    log_dir: str | None,
    unix_socket: str | None,
    verbose: int,
    max_connections: int,
    exdrivers: tuple[str, ...],
    allow: tuple[str, ...],
    device_name: str | None,
    no_server_device: bool,
    remote_timeout: float,
) -> None:
    """An INDI server with libindi indiserver's options and FIFO.

    A DRIVER is an executable, an indiflask app (file.py, file.py:attr or
    module:attr) or [DEVICE]@HOST[:PORT] for another server's devices.

    \b
      indiflask server -v indi_simulator_telescope indi_simulator_ccd
      indiflask server -p 7624 -m 100 -f /tmp/indififo -v app.py dev@host:7624
      echo 'start indi_simulator_ccd -n "CCD Simulator"' > /tmp/indififo
    """
    setup_indiserver_logging(verbose)
    log.info("startup: %s", shlex.join([os.path.basename(sys.argv[0]), *sys.argv[1:]]))
    config = IndiserverConfig(
        drivers=[d for d in drivers if driver_kind(d) != "app"],
        port=port,
        host=host,
        max_queue=max_queue,
        max_stream_queue=max_stream_queue,
        max_restarts=max_restarts,
        fifo=fifo,
        log_dir=log_dir,
        unix_socket=unix_socket,
        verbose=verbose,
        max_connections=max_connections,
        exdrivers=list(exdrivers),
        allow=list(allow),
        device_name=device_name,
        server_device=not no_server_device,
        remote_timeout=remote_timeout,
    )
    os.environ["INDIFLASK_RUN_FROM_CLI"] = "1"
    apps = [find_app(d) for d in drivers if driver_kind(d) == "app"]
    try:
        check_drivers(config, apps)
        parts = build_server(config, apps)
    except SetupError as exc:
        raise click.UsageError(str(exc)) from None
    except OSError as exc:
        log.error("local socket %s: %s", unix_socket, exc)
        sys.exit(1)
    server = parts.server

    async def announce() -> None:
        where = f"{server.host}:{server.port}"
        if host in ("127.0.0.1", "localhost", "::1"):
            log.info(
                "serving %s: this machine only (indiserver listens on every "
                "interface; use --host 0.0.0.0 for that)",
                where,
            )
        else:
            log.info("listening on %s", where)
        if parts.device is not None:
            log.info("server device: %r", parts.device.name)

    server.add_service(announce)
    try:
        server.run()
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", host, port, exc)
        sys.exit(1)
    log.info("good bye")


def main() -> None:
    """The ``indiflask-indiserver`` entry point (link it as ``indiserver`` to stand in)."""
    server_command(prog_name=os.path.basename(sys.argv[0]) or "indiserver")
