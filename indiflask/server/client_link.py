"""One TCP client of the server, as an :class:`asyncio.Protocol`.

A protocol object (rather than streams) keeps the per-message cost low: bytes
arrive in :meth:`ClientLink.data_received`, are cut into events by an unchecked
:class:`~indiflask.protocol.connection.Connection`, and go to the router
synchronously; outgoing bytes go through a
:class:`~indiflask.server.writer.BatchWriter`.

An idle client costs little: the reader (with its libxml2 parser, the largest
part) is made when the first byte other than whitespace arrives, and the
writer when the first message is sent to the client. The server calls
:meth:`ClientLink.trim` now and then; a client that sent nothing since the last
call, whose input stopped between two elements, and whose output has all gone
to the kernel, gives both back (they are made again when needed).
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from ..protocol.codec_parse import TOP_LEVEL_TAGS
from ..protocol.connection import Connection, Role
from ..protocol.events import Event, Message
from .hub import Hub
from .wire import encode
from .writer import BatchWriter

__all__ = ["ClientLink"]

log = logging.getLogger("indiflask.server")

#: The transport's own buffer limits: past HIGH the writer holds messages itself
#: (cheap to queue), and hands them over again once the buffer is below LOW.
_TRANSPORT_HIGH = 512 * 2**10
_TRANSPORT_LOW = 128 * 2**10
#: After malformed input, the client has this long to read our last message.
_GOODBYE_SECONDS = 1.0
#: Bytes of a client's last input kept to judge whether it rests between elements
#: (a longer last tag only means that the reader is kept).
_TAIL = 1024


class ClientLink(asyncio.Protocol):
    """The server's side of one client connection."""

    takes_events = False

    def __init__(self, server: Hub) -> None:
        self._server = server
        self.link = 0
        self.name = "client"
        self._transport: asyncio.Transport | None = None
        self._reader: Connection | None = None  # made on the first non-blank input
        self._writer: BatchWriter | None = None  # made on the first message out
        self._tail = b""  # the end of the last input (judged by trim(), not per message)
        self._at_rest = True  # the input before _tail ended between two elements
        self._fed = False  # input arrived since the last trim()
        self._taken_before = 0  # bytes taken through writers since freed
        self._dropped_before = 0  # stream BLOBs dropped by writers since freed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Register with the router, or refuse when the server is full."""
        transport = cast(asyncio.Transport, transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        self.name = f"client {peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "client"
        server = self._server
        if server.client_count >= server.max_connections:
            log.warning(
                "%s: refused, %d connections is the limit", self.name, server.max_connections
            )
            transport.write(b'<message message="indiflask: too many connections, closing"/>\n')
            transport.close()
            return
        transport.set_write_buffer_limits(high=_TRANSPORT_HIGH, low=_TRANSPORT_LOW)
        self.link = server.attach_client(self)
        log.info("%s: connected", self.name)

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        """Queue one serialised message for this client (the first makes the writer)."""
        writer = self._writer
        if writer is None:
            transport = self._transport
            if not self.link or transport is None:
                return
            writer = self._writer = BatchWriter(
                transport, self.name, self._server.budget, self._overflow, on_behind=self._behind
            )
            self.send = writer.send  # type: ignore[method-assign]  # one call less per message
        writer.send(data, stream=stream)

    @property
    def taken(self) -> int:
        """Bytes the client has taken so far."""
        writer = self._writer
        return self._taken_before + (writer.taken if writer is not None else 0)

    def trim(self) -> None:
        """Free the reader and the writer of a client idle since the last call."""
        if self._fed:
            self._fed = False
            return
        if self._tail:
            self._at_rest = _ends_between_elements(self._tail, self._at_rest)
            self._tail = b""
        if self._reader is not None and self._at_rest and self._reader.error is None:
            self._reader = None
        writer = self._writer
        if writer is not None and writer.idle:
            self._taken_before += writer.taken
            self._dropped_before += writer.dropped
            self._writer = None
            self.__dict__.pop("send", None)  # back to the method that makes a writer

    def _behind(self, behind: bool) -> None:
        if self.link:
            self._server.backlog(self.link, behind)

    def data_received(self, data: bytes) -> None:
        """Cut bytes into events and hand them to the router."""
        if not self.link:
            return
        reader = self._reader
        if reader is None:
            if data.isspace():
                return  # whitespace before the first element: nothing to read yet
            reader = self._reader = Connection(
                Role.DEVICE, checked=False, max_element_bytes=self._server.max_element_size
            )
        self._fed = True
        if not data.isspace():
            # Only the end matters to trim(); a short chunk is kept as it is (no copy).
            self._tail = data[-_TAIL:]
        error = reader.deliver(data, self.link, self._server.on_event)
        if error is not None and self.link:
            log.warning("%s: malformed input (%s), disconnecting", self.name, error)
            self.refuse(f"malformed input ({error}); closing the connection")

    def refuse(self, text: str) -> None:
        """Say why in an INDI ``message``, then disconnect (at most 1 s later).

        What was queued for the client is dropped; nothing it sends is read any more.
        """
        link, self.link = self.link, 0
        transport = self._transport
        if self._writer is not None:
            self._writer.close()
        if link:
            self._server.detach_client(link)
        if transport is None or transport.is_closing():
            return
        transport.pause_reading()
        transport.write(encode(Message(message=f"indiflask: {text}")))
        transport.close()
        asyncio.get_running_loop().call_later(_GOODBYE_SECONDS, transport.abort)

    def pause_writing(self) -> None:
        """The transport's buffer is full: the writer keeps messages until it drains."""
        if self._writer is not None:
            self._writer.pause()

    def resume_writing(self) -> None:
        """The transport drained: the writer hands it what waited."""
        if self._writer is not None:
            self._writer.resume()

    def eof_received(self) -> bool:
        """The client closed its side: close ours too."""
        return False

    def _overflow(self) -> None:
        self.abort()

    def abort(self) -> None:
        """Drop the connection now, discarding whatever is queued for it."""
        if self._writer is not None:
            self._writer.close()
        if self._transport is not None:
            self._transport.abort()

    def close(self) -> None:
        """Close after sending what the transport holds."""
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """Tell the router; its devices' traffic stops here."""
        dropped = self._dropped_before
        if self._writer is not None:
            self._writer.close()
            dropped += self._writer.dropped
        if dropped:
            log.info("%s: %d stream BLOBs were dropped", self.name, dropped)
        if self.link:
            log.info("%s: disconnected", self.name)
            self._server.detach_client(self.link)
            self.link = 0
        self._transport = None


def _ends_between_elements(data: bytes, before: bool) -> bool:
    """Whether the input stops between two elements after ``data`` (``before``: it
    did before ``data``). Errs towards False: then the reader is just kept.

    Outside markup, text cannot hold a ``<``, nor can attribute values, so the
    last ``<`` starts the last tag: the input rests when that tag closes a
    top-level INDI element (INDI never nests those: an end tag, or an
    empty-element tag whose final ``>`` is outside quotes) and only whitespace
    follows. A client that hides such a tag in a CDATA section only fools this
    check for itself: its next input is then malformed.
    """
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":
        end -= 1
    if not end:
        return before  # only whitespace
    if data[end - 1] != 62:  # ">"
        return False
    start = data.rfind(b"<", 0, end)
    if start < 0:
        return False
    tag = data[start:end]
    if tag.startswith(b"</"):
        return tag[2:-1].strip().decode("latin-1") in TOP_LEVEL_TAGS and b"<![" not in data
    if not tag.endswith(b"/>"):
        return False
    name = tag[1:-2].split(None, 1)
    if not name or name[0].decode("latin-1") not in TOP_LEVEL_TAGS or b"<![" in data:
        return False
    pos = 0
    while True:  # skip quoted attribute values; the "/>" must come after the last
        dq, sq = tag.find(b'"', pos), tag.find(b"'", pos)
        if dq < 0 and sq < 0:
            return True
        first = dq if sq < 0 or 0 <= dq < sq else sq
        close = tag.find(tag[first : first + 1], first + 1)
        if close < 0 or close >= len(tag) - 2:
            return False
        pos = close + 1
