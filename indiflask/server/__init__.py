"""The indiflask INDI server: many apps, executable drivers, remote servers and clients.

See :class:`Server`; the routing rules live in :mod:`indiflask.core.router`.
"""

from __future__ import annotations

from .server import Server
from .specs import parse_exdriver, parse_remote

__all__ = ["Server", "parse_exdriver", "parse_remote"]
