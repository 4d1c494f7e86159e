"""The server's words for the wire: encoding events, and telling stream BLOBs apart.

Bytes become events through :class:`~indiflask.protocol.connection.Connection`
in its unchecked mode (``checked=False``): the router applies INDI's rules to
every link, so the links only parse.
"""

from __future__ import annotations

from ..protocol.codec_write import encode
from ..protocol.events import Event, SetBLOBVector

__all__ = ["encode", "is_stream_blob"]


def is_stream_blob(event: Event) -> bool:
    """True for a ``setBLOBVector`` carrying a stream-type format (``format`` has ``stream``)."""
    if not isinstance(event, SetBLOBVector):
        return False
    return any("stream" in value.format for value in event.values.values())
