"""``indiflask web``, and the ``--web`` options of ``indiflask run``.

::

    indiflask web --indi 127.0.0.1:7624 --port 7680      # a panel for any INDI server
    indiflask run examples/led.py --web 7680             # a panel beside the app's port

The panel binds ``127.0.0.1`` unless ``--web-host`` says otherwise; any
address that is not a loopback address needs a token (``--token`` or
``INDIFLASK_WEB_TOKEN``; there is no default). It needs the ``web`` extra:
``pip install 'indiflask[web]'``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .logs import log_options, setup_logging

__all__ = ["register", "run_with_panel", "web_command", "web_options"]

_F = TypeVar("_F", bound=Callable[..., Any])

_EXTRA = "the web panel needs the web extra: pip install 'indiflask[web]'"


def _web_module() -> Any:
    try:
        from .. import web
    except ImportError as exc:
        raise click.ClickException(f"{_EXTRA} ({exc})") from None
    return web


def _shared_options(f: _F) -> _F:
    f = click.option(
        "--max-upload",
        default=64,
        show_default=True,
        type=click.IntRange(1),
        envvar="INDIFLASK_WEB_MAX_UPLOAD",
        show_envvar=True,
        help="MiB accepted for one BLOB upload.",
    )(f)
    f = click.option(
        "--token",
        default=None,
        envvar="INDIFLASK_WEB_TOKEN",
        show_envvar=True,
        help="Access token for the panel and API (needed to bind a non-loopback address; "
        "prefer the environment variable: command lines are visible to other users).",
    )(f)
    f = click.option(
        "--web-host",
        default="127.0.0.1",
        show_default=True,
        envvar="INDIFLASK_WEB_HOST",
        show_envvar=True,
        help="Address the web panel listens on.",
    )(f)
    return f


def _panel_options(web_host: str, token: str | None, max_upload: int) -> dict[str, Any]:
    from ..web.security import check_bind

    try:
        check_bind(web_host, token)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--web-host' / '--token'") from None
    return {"host": web_host, "token": token, "max_upload": max_upload * 2**20}


def web_options(f: _F) -> _F:
    """Add ``--web PORT``, ``--web-host``, ``--token`` and ``--max-upload`` to a serving command.

    The command receives them as ``web_port``, ``web_host``, ``token`` and
    ``max_upload``, and passes them on to :func:`run_with_panel`.
    """

    @functools.wraps(f)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("web_port") is not None:  # refuse bad web options before loading apps
            if kwargs.get("stdio"):
                raise click.UsageError(
                    "--web serves a panel beside an INDI server, not with --stdio"
                )
            _panel_options(kwargs["web_host"], kwargs["token"], kwargs["max_upload"])
        return f(*args, **kwargs)

    wrapped = _shared_options(checked)
    return click.option(
        "--web",
        "web_port",
        default=None,
        type=click.IntRange(0, 65535),
        metavar="PORT",
        envvar="INDIFLASK_WEB",
        show_envvar=True,
        help="Also serve the web panel and JSON API on this port.",
    )(wrapped)  # type: ignore[return-value]


def run_with_panel(
    server: Any, *, web_port: int, web_host: str, token: str | None, max_upload: int
) -> None:
    """Serve ``server`` (an :class:`~indiflask.server.Server`) and its web panel until stopped."""
    options = _panel_options(web_host, token, max_upload)
    web = _web_module()
    try:
        web.run_beside(server, {**options, "port": web_port})
    except OSError as exc:
        raise click.ClickException(f"cannot serve the web panel: {exc}") from None


@click.command("web")
@click.option(
    "--indi",
    default="127.0.0.1:7624",
    show_default=True,
    metavar="HOST[:PORT]",
    envvar="INDIFLASK_INDI",
    show_envvar=True,
    help="The INDI server to show (indiflask run, libindi's indiserver, ...).",
)
@click.option(
    "--port",
    "-p",
    default=7680,
    show_default=True,
    type=click.IntRange(0, 65535),
    envvar="INDIFLASK_WEB_PORT",
    show_envvar=True,
    help="The web panel's TCP port.",
)
@_shared_options
@log_options
def web_command(
    indi: str,
    port: int,
    web_host: str,
    token: str | None,
    max_upload: int,
    verbose: int,
    log_level: str | None,
    log_file: str | None,
) -> None:
    """Serve a web control panel and JSON API for an INDI server.

    \b
      indiflask web                                   # INDI on 127.0.0.1:7624, panel on :7680
      indiflask web --indi pi.local:7624 --port 8080
      INDIFLASK_WEB_TOKEN=... indiflask web --web-host 0.0.0.0

    Binds 127.0.0.1 unless --web-host says otherwise; a non-loopback address
    needs a token. Open the address it prints in a browser.
    """
    setup_logging(verbose=verbose, level=log_level, log_file=log_file)
    options = _panel_options(web_host, token, max_upload)
    host, _, port_text = indi.rpartition(":") if ":" in indi else (indi, "", "7624")
    if not port_text.isdigit():
        raise click.BadParameter(f"{indi!r} is not HOST or HOST:PORT", param_hint="'--indi'")
    web = _web_module()
    panel = web.WebPanel(host.strip("[]") or "127.0.0.1", int(port_text), port=port, **options)
    try:
        web.run_panel(panel)
    except OSError as exc:
        raise click.ClickException(f"cannot serve the web panel: {exc}") from None


def register(group: click.Group) -> None:
    """Add ``indiflask web`` to the ``indiflask`` group."""
    group.add_command(web_command)
