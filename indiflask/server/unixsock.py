"""The local unix-domain socket (indiserver's ``-u``): clients served exactly as on TCP.

On Linux, indiserver's ``-u NAME`` is an *abstract* socket name (no file is
created; ``/tmp/indiserver`` is only a name); elsewhere it is a path. The
socket is bound before the server starts, so a name in use is reported at
once; connections are then served by the same client links as TCP ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
import sys

from .client_link import ClientLink
from .hub import Hub

__all__ = ["UnixClientLink", "bind_unix_socket", "serve_unix"]

log = logging.getLogger("indiflask.server")

#: indiserver's default name.
DEFAULT_UNIX_SOCKET = "/tmp/indiserver"


def _address(name: str) -> str:
    return "\0" + name if sys.platform.startswith("linux") else name


def bind_unix_socket(name: str) -> socket.socket:
    """Bind and listen on the local socket ``name`` (abstract on Linux).

    :raises OSError: when the name is in use or cannot be bound.
    """
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        address = _address(name)
        if not address.startswith("\0"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(address)
        sock.bind(address)
        sock.listen(1024)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class UnixClientLink(ClientLink):
    """A client on the local socket (named after its process id where known)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Register like a TCP client, under a name that says where it came from."""
        super().connection_made(transport)
        pid = _peer_pid(transport.get_extra_info("socket"))
        self.name = f"client unix pid {pid}" if pid else "client unix"
        if self._writer is not None:
            self._writer.name = self.name


def _peer_pid(sock: object) -> int | None:
    getsockopt = getattr(sock, "getsockopt", None)
    peercred = getattr(socket, "SO_PEERCRED", None)
    if getsockopt is None or peercred is None:
        return None
    try:
        raw = getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i"))
    except OSError:
        return None
    pid = int(struct.unpack("3i", raw)[0])
    return pid or None


async def serve_unix(server: Hub, sock: socket.socket, name: str) -> None:
    """Serve clients on the bound ``sock`` until cancelled."""
    loop = asyncio.get_running_loop()
    listener = await loop.create_unix_server(lambda: UnixClientLink(server), sock=sock)
    log.info("listening on the local socket %s", name)
    try:
        await asyncio.Event().wait()
    finally:
        listener.close()
        if not _address(name).startswith("\0"):
            with contextlib.suppress(OSError):
                os.unlink(name)
