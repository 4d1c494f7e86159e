"""Client commands: ``indiflask get``, ``set``, ``watch`` and ``term``.

``get`` prints what libindi's ``indi_getprop`` prints, line for line; ``set``
is ``indi_setprop`` that waits for the driver's answer; ``watch`` streams
changes; ``term`` opens the terminal UI (needs ``textual``, the ``tui`` extra).
Every command takes ``--host`` (``-H``; ``HOST:PORT`` accepted) and ``--port``
(``-p``), also read from ``INDIFLASK_HOST`` / ``INDIFLASK_PORT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..client.client import Client
from ..client.tools import parse_assignment, parse_query, run_get, run_set
from ..client.updates import format_update, update_to_dict
from ..errors import InvalidValue

__all__ = ["get_command", "register", "set_command", "term_command", "watch_command"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _server_options(f: _F) -> _F:
    f = click.option(
        "--port",
        "-p",
        default=7624,
        show_default=True,
        type=click.IntRange(1, 65535),
        envvar="INDIFLASK_PORT",
        show_envvar=True,
        help="The INDI server's TCP port.",
    )(f)
    f = click.option(
        "--host",
        "-H",
        default="127.0.0.1",
        show_default=True,
        envvar="INDIFLASK_HOST",
        show_envvar=True,
        help="The INDI server's address (HOST:PORT also accepted).",
    )(f)
    return f


def _address(host: str, port: int) -> tuple[str, int]:
    if host.count(":") == 1:
        name, _, port_text = host.partition(":")
        if port_text.isdigit():
            return name or "127.0.0.1", int(port_text)
    return host, port


def _err(text: str) -> None:
    click.echo(text, err=True)


@click.command("get")
@click.argument("patterns", nargs=-1, metavar="[DEVICE.PROPERTY.MEMBER]...")
@_server_options
@click.option(
    "--timeout",
    "-t",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds to wait for more definitions (with wildcards) or for a match.",
)
@click.option(
    "-1",
    "just_value",
    is_flag=True,
    help="Print just the value when there is one query without wildcards.",
)
@click.option("--write-only", "-w", is_flag=True, help="Show write-only properties too.")
@click.option(
    "--blob-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Enable matching BLOBs and save them here as device.property.member.format.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON object of typed values instead of lines.",
)
def get_command(
    patterns: tuple[str, ...],
    host: str,
    port: int,
    timeout: float,
    just_value: bool,
    write_only: bool,
    blob_dir: Path | None,
    as_json: bool,
) -> None:
    """Print property values as ``device.property.member=value`` lines, as indi_getprop does.

    Each part may be ``*`` or a glob; the member may be ``_LABEL``, ``_GROUP``,
    ``_STATE``, ``_PERM``, ``_TO`` or ``_TS`` for that attribute. With no
    pattern, everything is printed. Exit status: 0 every pattern matched, 1 one
    matched nothing before the timeout, 2 no server or connection lost.
    """
    host, port = _address(host, port)
    try:
        queries = [parse_query(p) for p in patterns or ("*.*.*",)]
    except InvalidValue as exc:
        raise click.UsageError(str(exc)) from None
    values: dict[str, Any] | None = {} if as_json else None
    emit = (lambda _line: None) if as_json else click.echo
    status = asyncio.run(
        run_get(
            host,
            port,
            queries,
            emit,
            _err,
            timeout=timeout,
            show_wo=write_only,
            just_value=just_value,
            blob_dir=blob_dir,
            values=values,
        )
    )
    if values is not None and status != 2:
        click.echo(json.dumps(values, indent=2, ensure_ascii=False))
    raise SystemExit(status)


@click.command("set")
@click.argument("specs", nargs=-1, required=True, metavar="DEVICE.PROPERTY.MEMBER=VALUE...")
@_server_options
@click.option(
    "--timeout",
    "-t",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds to wait for each property's definition and for the answer.",
)
@click.option(
    "--wait",
    "wait",
    type=click.Choice(["answer", "done", "sent"]),
    default="answer",
    show_default=True,
    help="answer: the driver's next update; done: until it is no longer Busy; "
    "sent: do not wait (as indi_setprop).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the properties after the answer, as a JSON list."
)
def set_command(
    specs: tuple[str, ...], host: str, port: int, timeout: float, wait: str, as_json: bool
) -> None:
    """Change property values and wait for the driver's answer.

    Specs as indi_setprop: ``dev.prop.member=value``, ``dev.prop.m1;m2=v1;v2`` or
    ``dev.prop.m1=v1;m2=v2``. Switches take On/Off, numbers decimal or
    sexagesimal (checked against min/max before sending). Only the named
    members are sent. Exit status: 0 accepted, 1 refused (Alert), invalid or
    not answered in time (the reason is printed), 2 no server.
    """
    host, port = _address(host, port)
    try:
        parsed = [parse_assignment(s) for s in specs]
    except InvalidValue as exc:
        raise click.UsageError(str(exc)) from None
    results: list[dict[str, Any]] = []
    status = asyncio.run(
        run_set(host, port, parsed, _err, timeout=timeout, wait=wait, results=results)
    )
    if as_json and status == 0:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    raise SystemExit(status)


@click.command("watch")
@click.argument("pattern", required=False, default="*", metavar="[DEVICE[.PROPERTY]]")
@_server_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line.")
@click.option(
    "--defs/--no-defs",
    default=True,
    show_default=True,
    help="Also print definitions (the initial values).",
)
@click.option(
    "--blob-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Enable BLOBs of the watched devices and save them here.",
)
@click.option("--count", "-n", type=click.IntRange(1), help="Stop after this many lines.")
@click.option(
    "--timeout",
    "-t",
    type=click.FloatRange(0),
    help="Stop after this many seconds without a change.",
)
def watch_command(
    pattern: str,
    host: str,
    port: int,
    as_json: bool,
    defs: bool,
    blob_dir: Path | None,
    count: int | None,
    timeout: float | None,
) -> None:
    """Print every change of a device (or of all devices) as it arrives.

    Reconnects when the link is lost. Stop with Ctrl-C, --count or --timeout.
    """
    host, port = _address(host, port)
    device_pattern, _, name_pattern = pattern.partition(".")
    name_pattern = name_pattern or "*"
    exact = None if set("*?[") & set(device_pattern) else device_pattern

    def wanted(update: Any) -> bool:
        if update.device is None:
            return True
        if not fnmatch.fnmatchcase(update.device, device_pattern):
            return False
        return update.name is None or fnmatch.fnmatchcase(update.name, name_pattern)

    async def main() -> int:
        client = Client(host, port, device=exact, blob_dir=blob_dir)
        sub = client.updates()
        try:
            await client.connect()
        except (OSError, TimeoutError) as exc:
            _err(f"cannot connect to {host}:{port}: {exc}")
            return 2
        printed = 0
        enabled: set[str] = set()
        try:
            while count is None or printed < count:
                try:
                    update = await sub.get(timeout)
                except TimeoutError:
                    return 0
                if (
                    blob_dir is not None
                    and update.kind == "def"
                    and update.device
                    and wanted(update)
                    and update.device not in enabled
                ):
                    enabled.add(update.device)
                    await client.enable_blob(update.device, "Also")
                if update.kind == "progress":
                    if wanted(update):
                        _err(update.message or "receiving a BLOB")  # stdout stays parseable
                    continue
                if not wanted(update) or (update.kind == "def" and not defs):
                    continue
                if as_json:
                    click.echo(json.dumps(update_to_dict(update), ensure_ascii=False))
                else:
                    click.echo(format_update(update))
                printed += 1
            return 0
        finally:
            sub.close()
            await client.close()

    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(asyncio.run(main()))


@click.command("term")
@_server_options
@click.option(
    "--blob-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder for downloaded BLOBs.",
)
def term_command(host: str, port: int, blob_dir: Path) -> None:
    """Open the terminal UI: browse devices and properties, change values, see messages."""
    host, port = _address(host, port)
    try:
        from ..tui import run_tui
    except ImportError as exc:
        raise click.ClickException(
            f"the terminal UI needs textual ({exc}); install it with: pip install 'indiflask[tui]'"
        ) from None
    run_tui(host, port, blob_dir=blob_dir)


def register(group: click.Group) -> None:
    """Add the client commands to the ``indiflask`` group."""
    for command in (get_command, set_command, watch_command, term_command):
        group.add_command(command)
