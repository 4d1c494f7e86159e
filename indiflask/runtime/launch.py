"""Serving one app from Python: what ``app.run()`` calls."""

from __future__ import annotations

import asyncio
import logging
import sys

from .stdio import StdioServable, serve_stdio

__all__ = ["run_app"]


def run_app(app: StdioServable, *, host: str, port: int, stdio: bool, max_connections: int) -> None:
    """Serve ``app`` on TCP, or as a stdio driver; returns when it stops."""
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.INFO)
    if stdio:
        status = asyncio.run(serve_stdio(app))
        if status:
            sys.exit(status)
        return
    from ..errors import StartupError
    from ..server import Server

    try:
        Server(app, host=host, port=port, max_connections=max_connections).run()
    except StartupError as exc:
        sys.stderr.write(f"indiflask: error: {exc}\n")
        sys.exit(1)
