"""The INDI codec: lxml elements to events, and events to wire bytes.

The receiving half lives in :mod:`indiflask.protocol.codec_parse`, the sending
half in :mod:`indiflask.protocol.codec_write`; this module gathers both::

    from indiflask.protocol.codec import encode, parse_element
    from indiflask.protocol.framer import Framer

    data = encode(SetNumberVector(device="Echo", name="VALUES", values={"X": 3.25}))
    [element] = Framer().feed(data)
    assert parse_element(element).values == {"X": 3.25}

:func:`decode` is a convenience for tests and tools: bytes of complete elements
in, events out. Streams are read faster by
:class:`~indiflask.protocol.reader.EventReader`, which goes from bytes to events
without building lxml elements.
"""

from __future__ import annotations

from . import events as ev
from .codec_parse import element_xml, parse_element
from .codec_write import encode, escape_attr, escape_text
from .framer import DEFAULT_MAX_ELEMENT_BYTES
from .reader import EventReader

__all__ = ["decode", "element_xml", "encode", "escape_attr", "escape_text", "parse_element"]


def decode(data: bytes, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES) -> list[ev.Event]:
    """Parse a complete byte string of INDI elements into events.

    :param data: zero or more complete top-level elements.
    :param max_element_bytes: the framer's per-element byte cap.
    :returns: one event per element, in order.
    :raises RemoteProtocolError: when ``data`` is malformed or ends inside an element.

    .. versionadded:: 0.1
    """
    reader = EventReader(max_element_bytes=max_element_bytes)
    events = reader.feed(data)
    events += reader.close()
    return events
