"""Logging for the commands that serve: how much (``-v``), where (``--log-file``), in what form.

Shared by every serving command, so they behave alike:

* by default only warnings and errors are logged, plus the server's start and
  stop lines (logger ``indiflask.server.lifecycle``);
* ``-v`` adds what happens (clients connecting, drivers starting, each line a
  driver writes to its stderr), ``-vv`` adds debugging detail; ``--log-level``
  (``INDIFLASK_LOG_LEVEL``) names a level instead and wins over ``-v``;
* ``--log-file PATH`` appends the records to PATH instead of standard error;
* every line names where it comes from: the logger (``indiflask.server``;
  ``indiflask.driver.NAME`` for the stderr of executable driver NAME) and a
  ``client HOST:PORT:``, ``driver NAME:`` or app name prefix in the message;
* under ``--stdio`` lines carry no timestamp (indiserver adds its own).

Use :func:`log_options` on a click command and call :func:`setup_logging` with
its values::

    @click.command()
    @log_options
    def serve(verbose: int, log_level: str | None, log_file: str | None) -> None:
        setup_logging(verbose=verbose, level=log_level, log_file=log_file)
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["LEVELS", "LIFECYCLE", "log_options", "setup_logging", "verbosity_level"]

#: The names ``--log-level`` accepts.
LEVELS = ("debug", "info", "warning", "error")
#: The logger of the start and stop lines, shown even at the default verbosity.
LIFECYCLE = "indiflask.server.lifecycle"

_F = TypeVar("_F", bound=Callable[..., Any])


def verbosity_level(verbose: int) -> int:
    """The logging level for ``-v`` given ``verbose`` times (0: warnings)."""
    if verbose <= 0:
        return logging.WARNING
    return logging.INFO if verbose == 1 else logging.DEBUG


def setup_logging(
    *,
    verbose: int = 0,
    level: str | None = None,
    log_file: str | None = None,
    stdio: bool = False,
) -> None:
    """Configure the root logger for a serving command (replaces any earlier setup).

    :param verbose: how many ``-v`` were given.
    :param level: a level name (one of :data:`LEVELS`); wins over ``verbose``.
    :param log_file: append to this file instead of writing to standard error.
    :param stdio: no timestamps (the driver runs under indiserver, which adds them).
    """
    chosen = logging.getLevelName(level.upper()) if level else verbosity_level(verbose)
    if stdio:
        fmt = "%(name)s: %(levelname)s: %(message)s"
    else:
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(log_file, mode="a", encoding="utf-8")
        fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    else:
        handler = logging.StreamHandler(sys.stderr)
    logging.basicConfig(handlers=[handler], level=chosen, format=fmt, force=True)
    lifecycle = logging.getLogger(LIFECYCLE)
    lifecycle.setLevel(logging.INFO if level is None and chosen > logging.INFO else logging.NOTSET)


def log_options(func: _F) -> _F:
    """Click decorator: ``-v``/``--verbose`` (count), ``--log-level`` and ``--log-file``."""
    func = click.option(
        "--log-file",
        type=click.Path(dir_okay=False, writable=True),
        envvar="INDIFLASK_LOG_FILE",
        show_envvar=True,
        help="Append the log to this file instead of standard error.",
    )(func)
    func = click.option(
        "--log-level",
        default=None,
        envvar="INDIFLASK_LOG_LEVEL",
        show_envvar=True,
        type=click.Choice(LEVELS, case_sensitive=False),
        help="Log at this level (wins over -v).",
    )(func)
    func = click.option(
        "-v",
        "--verbose",
        count=True,
        help="Log more: -v what happens (clients, drivers), -vv debugging detail.",
    )(func)
    return func
