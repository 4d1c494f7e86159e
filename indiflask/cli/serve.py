"""``indiflask run`` and ``indiflask describe``."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import click

from ..driver.app import App
from ..errors import SetupError, StartupError
from ..server.specs import DEFAULT_MAX_CONNECTIONS
from .discovery import find_app
from .logs import log_options, setup_logging
from .web import run_with_panel, web_options

__all__ = ["describe_command", "run_command"]


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
    default=DEFAULT_MAX_CONNECTIONS,
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
@log_options
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
    verbose: int,
    log_level: str | None,
    log_file: str | None,
    **web: Any,
) -> None:
    """Serve APPS (module:attr, file.py[:attr] or a module) as an INDI server or driver.

    \b
      indiflask run examples/led.py                  # INDI server on 127.0.0.1:7624
      indiflask run examples.led:app --port 7625
      indiflask run examples/led.py --stdio          # a driver for indiserver
      indiflask run a.py b.py --exdriver indi_simulator_telescope --remote host:7624

    Logs warnings and errors, and when it starts and stops; -v adds clients
    and drivers coming and going and what drivers print, -vv debugging detail.
    """
    setup_logging(verbose=verbose, level=log_level, log_file=log_file, stdio=stdio)
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

    try:
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
    except SetupError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if web["web_port"] is not None:  # --web PORT: the web panel beside the server
            run_with_panel(server, **web)
        else:
            server.run()
    except StartupError as exc:
        _startup_failed(exc)


def _startup_failed(exc: StartupError) -> None:
    """Say why the server did not start, once, and exit with status 1.

    A failing ``on_start`` hook's own traceback follows the line (it points at
    the user's code); other causes (a port in use) need no traceback.
    """
    click.echo(f"indiflask: error: {exc}", err=True)
    cause = exc.__cause__
    if cause is not None:
        import traceback

        lines = traceback.format_exception(type(cause), cause, cause.__traceback__)
        click.echo("".join(lines).rstrip(), err=True)
    sys.exit(1)


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
