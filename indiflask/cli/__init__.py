"""The ``indiflask`` command line (click).

``indiflask run``, ``shim``, ``describe`` and ``check`` serve and inspect apps;
``server`` is libindi's indiserver command line on indiflask's server; ``get``,
``set``, ``watch`` and ``term`` are clients. Their options have environment
variables shown in ``--help`` (``INDIFLASK_HOST``, ``INDIFLASK_PORT``, ...);
``server`` takes indiserver's options only from its command line.
"""

from __future__ import annotations

import click

from .. import __version__
from .check import check_command
from .indiserver import server_command
from .serve import describe_command, run_command
from .shim import shim_command
from .web import register as _register_web

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="indiflask")
def main() -> None:
    """indiflask: write, serve and talk to INDI instrument drivers."""


main.add_command(run_command)
main.add_command(shim_command)
main.add_command(describe_command)
main.add_command(server_command)
main.add_command(check_command)

try:  # the client commands live in their own module (added by the client side)
    from .clients import register as _register_clients
except ImportError:  # pragma: no cover - absent only in partial checkouts
    pass
else:
    _register_clients(main)
_register_web(main)
