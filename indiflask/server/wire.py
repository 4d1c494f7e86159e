"""Glue between the server runtime and the sans-IO protocol layer (bytes <-> events)."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import RemoteProtocolError
from ..protocol.codec_write import encode
from ..protocol.events import Event, SetBLOBVector
from ..protocol.reader import EventReader

__all__ = ["Reader", "encode", "is_stream_blob"]


def is_stream_blob(event: Event) -> bool:
    """True for a ``setBLOBVector`` carrying a stream-type format (``format`` has ``stream``)."""
    if not isinstance(event, SetBLOBVector):
        return False
    return any("stream" in value.format for value in event.values.values())


class Reader:
    """Incremental bytes -> events for one link.

    :param max_element: the largest element accepted, in bytes.
    """

    __slots__ = ("_reader",)

    def __init__(self, *, max_element: int) -> None:
        self._reader = EventReader(max_element_bytes=max_element)

    def feed(self, data: bytes) -> list[Event]:
        """Take bytes from the peer and return the events they completed.

        When complete elements precede malformed data in one chunk, they are
        returned and :attr:`error` is set; the next call raises it.

        :raises indiflask.errors.RemoteProtocolError: on malformed or oversized input.
        """
        return self._reader.feed(data)

    def deliver(
        self, data: bytes, link: int, on_event: Callable[[int, Event], None]
    ) -> RemoteProtocolError | None:
        """Feed ``data`` and hand every completed event to ``on_event(link, event)``.

        :returns: the input error, if the stream broke (events completed before
            the malformed bytes are delivered first); ``None`` while it is fine.
        """
        try:
            events = self._reader.feed(data)
        except RemoteProtocolError as exc:
            return exc
        for event in events:
            on_event(link, event)
        return self._reader.error

    @property
    def error(self) -> RemoteProtocolError | None:
        """The input error met so far, if any (the stream is unusable after it)."""
        return self._reader.error
