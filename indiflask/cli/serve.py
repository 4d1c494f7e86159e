"""``indiflask run``, ``indiflask shim`` and ``indiflask describe``."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import click

from ..driver.app import App
from .discovery import find_app
from .web import run_with_panel, web_options

__all__ = ["describe_command", "run_command", "setup_logging"]

_LEVELS = ["debug", "info", "warning", "error"]


def setup_logging(level: str, *, stdio: bool) -> None:
    """Log to stderr; without timestamps under ``--stdio`` (indiserver adds its own)."""
    fmt = (
        "%(name)s: %(levelname)s: %(message)s"
        if stdio
        else ("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(stream=sys.stderr, level=level.upper(), format=fmt, force=True)


def _load_apps(specs: tuple[str, ...]) -> list[App]:
    if not specs:
        env = os.environ.get("INDIFLASK_APP", "")
        specs = tuple(env.split())
    if not specs:
        raise click.UsageError("name the app to serve, e.g. 'indiflask run examples/led.py'")
    os.environ["INDIFLASK_RUN_FROM_CLI"] = "1"
    return [find_app(spec) for spec in specs]


@click.command("run")
@click.argument("apps", nargs=-1)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    envvar="INDIFLASK_HOST",
    show_envvar=True,
    help="Address to listen on.",
)
@click.option(
    "--port",
    default=7624,
    show_default=True,
    type=click.IntRange(0, 65535),
    envvar="INDIFLASK_PORT",
    show_envvar=True,
    help="TCP port to listen on.",
)
@click.option(
    "--stdio",
    is_flag=True,
    envvar="INDIFLASK_STDIO",
    show_envvar=True,
    help="Speak INDI on stdin/stdout: run as a driver under indiserver.",
)
@click.option(
    "--max-connections",
    default=100,
    show_default=True,
    type=click.IntRange(1),
    envvar="INDIFLASK_MAX_CONNECTIONS",
    show_envvar=True,
    help="Refuse clients beyond this many.",
)
@click.option(
    "--exdriver",
    "exdrivers",
    multiple=True,
    metavar="CMD",
    help="An INDI driver executable to run and serve (repeatable; quote arguments).",
)
@click.option(
    "--remote",
    "remotes",
    multiple=True,
    metavar="[DEVICE@]HOST[:PORT]",
    help="Another INDI server to join (repeatable).",
)
@click.option(
    "--max-queue",
    default=128,
    show_default=True,
    type=click.IntRange(1),
    envvar="INDIFLASK_MAX_QUEUE",
    show_envvar=True,
    help="MiB queued for a client before it is disconnected.",
)
@click.option(
    "--max-stream-queue",
    default=5,
    show_default=True,
    type=click.IntRange(0),
    envvar="INDIFLASK_MAX_STREAM_QUEUE",
    show_envvar=True,
    help="MiB queued for a client before stream BLOBs to it are dropped.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    envvar="INDIFLASK_LOG_LEVEL",
    show_envvar=True,
    type=click.Choice(_LEVELS, case_sensitive=False),
)
@web_options
def run_command(
    apps: tuple[str, ...],
    host: str,
    port: int,
    stdio: bool,
    max_connections: int,
    exdrivers: tuple[str, ...],
    remotes: tuple[str, ...],
    max_queue: int,
    max_stream_queue: int,
    log_level: str,
    **web: Any,
) -> None:
    """Serve APPS (module:attr, file.py[:attr] or a module) as an INDI server or driver.

    \b
      indiflask run examples/led.py                  # INDI server on 127.0.0.1:7624
      indiflask run examples.led:app --port 7625
      indiflask run examples/led.py --stdio          # a driver for indiserver
      indiflask run a.py b.py --exdriver indi_simulator_telescope --remote host:7624
    """
    setup_logging(log_level, stdio=stdio)
    if stdio:
        if len(apps) > 1 or exdrivers or remotes:
            raise click.UsageError("--stdio serves exactly one app, without --exdriver or --remote")
        from ..runtime.stdio import protect_stdout, serve_stdio

        protocol_fd = protect_stdout()  # first: a print() at import time must reach stderr
        app = _load_apps(apps)[0]
        status = asyncio.run(serve_stdio(app, output_fd=protocol_fd))
        sys.exit(status)
    loaded = _load_apps(apps) if apps or not (exdrivers or remotes) else []
    from ..server import Server

    server = Server.from_cli(
        loaded,
        exdrivers=list(exdrivers),
        remotes=list(remotes),
        host=host,
        port=port,
        max_connections=max_connections,
        max_queue=max_queue * 2**20,
        max_stream_queue=max_stream_queue * 2**20,
    )
    if web["web_port"] is not None:  # --web PORT: the web panel beside the server
        run_with_panel(server, **web)
        return
    server.run()


@click.command("describe")
@click.argument("app")
def describe_command(app: str) -> None:
    """Print APP's definitions as INDI XML (runs no hooks, touches no hardware)."""
    from ..protocol.connection import Connection, Role

    os.environ["INDIFLASK_RUN_FROM_CLI"] = "1"
    found = find_app(app)
    found.finish_setup()
    conn = Connection(Role.DEVICE)
    for device in found.values():
        for prop in device.properties.values():
            click.echo(conn.send(prop.definition()).decode("utf-8").rstrip())
