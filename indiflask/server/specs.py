"""Parsing of the command-line forms of exdrivers and remote servers."""

from __future__ import annotations

import shlex

from ..errors import SetupError

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_PORT", "parse_exdriver", "parse_remote"]

#: The INDI port.
DEFAULT_PORT = 7624
#: Clients a server accepts by default: more than an observatory connects, few
#: enough to protect the process (each idle client costs a few KiB and one file
#: descriptor; see :mod:`indiflask.server.fdlimit`).
DEFAULT_MAX_CONNECTIONS = 1024


def parse_exdriver(spec: str) -> list[str]:
    """Split ``"CMD ARGS..."`` (shell-style quoting) into an argv list.

    :raises SetupError: when the spec is empty or badly quoted.
    """
    try:
        argv = shlex.split(spec)
    except ValueError as exc:
        raise SetupError(f"--exdriver {spec!r}: {exc}") from None
    if not argv:
        raise SetupError("--exdriver needs a program name")
    return argv


def parse_remote(spec: str) -> tuple[str | None, str, int]:
    """Parse ``[DEVICE]@HOST[:PORT]`` or ``HOST[:PORT]`` into ``(device, host, port)``.

    The device may contain spaces and ``@`` (the last ``@`` separates it);
    an IPv6 host is written in brackets: ``@[::1]:7624``.

    :raises SetupError: when the host or port is missing or invalid.
    """
    device: str | None = None
    rest = spec
    if "@" in spec:
        device, _, rest = spec.rpartition("@")
        device = device or None
    host, port_text = rest, ""
    if rest.startswith("["):
        close = rest.find("]")
        if close < 0:
            raise SetupError(f"--remote {spec!r}: unclosed '[' in the host")
        host, port_text = rest[1:close], rest[close + 1 :].removeprefix(":")
    elif rest.count(":") == 1:
        host, port_text = rest.split(":")
    if not host:
        raise SetupError(f"--remote {spec!r}: no host given (use [DEVICE]@HOST[:PORT])")
    port = DEFAULT_PORT
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SetupError(f"--remote {spec!r}: {port_text!r} is not a port number")
        port = int(port_text)
    return device, host, port
