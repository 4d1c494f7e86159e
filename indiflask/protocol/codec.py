"""The INDI codec: wire bytes to events, and events to wire bytes.

The receiving half lives in :mod:`indiflask.protocol.codec_parse` (one element,
as a :mod:`node <indiflask.protocol.nodes>`, to one event), the sending half in
:mod:`indiflask.protocol.codec_write`; this module gathers both::

    from indiflask.protocol.codec import decode, encode

    data = encode(SetNumberVector(device="Echo", name="VALUES", values={"X": 3.25}))
    [event] = decode(data)
    assert event.values == {"X": 3.25}

:func:`decode` is a convenience for tests and tools: bytes of complete elements
in, events out. Streams are read with a
:class:`~indiflask.protocol.connection.Connection`, which is what :func:`decode`
uses too.
"""

from __future__ import annotations

from . import events as ev
from .codec_parse import parse_node
from .codec_write import encode, escape_attr, escape_text
from .connection import Connection
from .rules import Role
from .stream import DEFAULT_MAX_ELEMENT_BYTES

__all__ = ["decode", "encode", "escape_attr", "escape_text", "parse_node"]


def decode(data: bytes, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES) -> list[ev.Event]:
    """Parse a complete byte string of INDI elements into events (none is checked).

    :param data: zero or more complete top-level elements.
    :param max_element_bytes: the per-element byte cap.
    :returns: one event per element, in order.
    :raises RemoteProtocolError: when ``data`` is malformed or ends inside an element.

    .. versionadded:: 0.1
    """
    conn = Connection(Role.CLIENT, checked=False, max_element_bytes=max_element_bytes)
    if data:
        conn.receive_data(data)
    conn.receive_data(b"")  # end of input
    events = conn.events()
    if conn.error is not None:
        raise conn.error
    return events
