"""One INDI link, sans-IO: bytes in, events out; events in, bytes out.

::

    conn = Connection(Role.DEVICE)
    conn.receive_data(chunk)          # cheap: only buffers; b"" means EOF
    for event in conn.events():       # parses what is complete
        ...
    transport.write(conn.send(SetNumberVector(...)))

This is the one way from INDI bytes to events in indiflask: drivers, clients,
the test client, the server's links and configuration files all read through
a :class:`Connection`. The stream rules (any chunking, the per-element byte
cap, no DTD or entity expansion, sticky errors) are those of
:mod:`~indiflask.protocol.stream`; elements are parsed as they close by a
:class:`~indiflask.protocol.reader.StreamReader`.

Checks, kept cheap because ``send`` is on a server's hot path:

* direction (:data:`~indiflask.protocol.rules.SENDABLE`): a DEVICE may not send
  ``new*``; nobody sends :class:`~indiflask.protocol.events.Invalid`;
* ``set*`` must follow a ``def*`` of the same kind for that property on this
  link (sent by us, or received from the peer); ``delProperty`` forgets
  definitions;
* ``new*`` must target a property the peer defined, of the same kind, not
  ``ro``;
* definitions and changes must carry at least one member (the DTD says so).

Member names and values are not checked against definitions here; that is the
core's job. ``send(event, validate=False)``, or
:func:`~indiflask.protocol.codec.encode`, skips every check (a server forwarding
traffic it already vetted should use them: a forwarded ``set*`` may legally race
ahead of a re-sent ``def*``).

On the receiving side, a DEVICE connection turns ``def*``/``set*``/
``delProperty``/``message`` into :class:`~indiflask.protocol.events.Invalid`
unless they concern a device it snoops (named in a ``getProperties`` it sent;
one without ``device``, or with ``device="*"``, snoops everything). A CLIENT
connection turns ``new*`` into ``Invalid``. A ``set*`` for an undefined
property is passed on: INDI tells clients to ignore those, and the core knows
its own tables.

``Connection(role, checked=False)`` skips all of that: events are handed out as
parsed, nothing received is recorded, and ``send`` checks nothing unless asked
to (``validate=True``). It
is the server's mode: the router applies INDI's rules to every link itself, so
checking them per link too would only cost time on the busiest path there is.
:meth:`Connection.deliver` is its one-call form (bytes in, events handed to a
callback, the error returned rather than raised).

Failures: malformed input raises :class:`~indiflask.errors.RemoteProtocolError`
from :meth:`Connection.events` and sets :attr:`Connection.peer_phase` to
``ERROR`` (events completed before the bad bytes are returned first; the error
is raised on the next call). A refused :meth:`Connection.send` raises
:class:`~indiflask.errors.LocalProtocolError` and changes nothing: no bytes
were produced, so the stream is intact (unlike h11, the phase stays ``OPEN``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TypeVar

from ..errors import LocalProtocolError, RemoteProtocolError
from . import events as ev
from .codec_parse import parse_node
from .codec_write import encode
from .nodes import Node, node_xml
from .reader import Partial, StreamReader
from .rules import SENDABLE, Phase, Role
from .stream import DEFAULT_MAX_ELEMENT_BYTES
from .values import Perm

__all__ = ["Connection", "Phase", "Role"]

_DEVICE_OUTPUT = (ev.DefVector, ev.SetVector, ev.DelProperty, ev.Message)
_K = TypeVar("_K")


class Connection:
    """The protocol state of one INDI link, seen from one side.

    :param role: which side we speak for.
    :param checked: ``False`` skips the direction and definition checks both
        ways and records nothing received (see the module documentation); what
        the server's links use.
    :param max_element_bytes: the largest element accepted from the peer
        (see :mod:`~indiflask.protocol.stream`).
    :param on_element: called with each element received, as a
        :mod:`node <indiflask.protocol.nodes>`, and the event it became, as soon
        as it is complete (before :meth:`events` returns the event), for readers
        that need the element as written (the client keeps member texts). It
        runs inside the parser: it must not raise.

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        role: Role,
        *,
        checked: bool = True,
        max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES,
        on_element: Callable[[Node, ev.Event], object] | None = None,
    ) -> None:
        self._role = Role(role)
        self._checked = checked
        convert: Callable[[Node], ev.Event] = self._received if checked else parse_node
        if on_element is not None:
            convert = _watched(convert, on_element)
        self._reader = StreamReader(convert, max_element_bytes=max_element_bytes)
        self._sendable = SENDABLE[self._role]
        self._chunks: list[bytes] = []
        self._eof = False
        self._peer_phase = Phase.OPEN
        self._our_phase = Phase.OPEN
        self._defined: dict[tuple[str, str], ev.DefVector] = {}
        self._snooped: set[str] = set()
        self._snoop_all = False

    # ------------------------------------------------------------------ state

    @property
    def role(self) -> Role:
        """The side this connection speaks for."""
        return self._role

    @property
    def checked(self) -> bool:
        """Whether this connection checks what it sends and receives."""
        return self._checked

    @property
    def peer_phase(self) -> Phase:
        """The phase of the peer's stream: OPEN, CLOSED after EOF, ERROR after bad input."""
        return self._peer_phase

    @property
    def our_phase(self) -> Phase:
        """The phase of our stream: CLOSED after :meth:`close`, ERROR after :meth:`send_failed`."""
        return self._our_phase

    @property
    def error(self) -> RemoteProtocolError | None:
        """Why the peer's stream broke (it is unusable from then on), or ``None``."""
        return self._reader.error

    @property
    def defined(self) -> Mapping[tuple[str, str], ev.DefVector]:
        """The definitions seen on this link, both ways: ``(device, name) -> def event``.

        An unchecked connection records only the definitions it sends.
        """
        return MappingProxyType(self._defined)

    @property
    def max_element_bytes(self) -> int:
        """The largest element accepted from the peer, in bytes."""
        return self._reader.max_element_bytes

    def partial(self) -> Partial | None:
        """The element being received (tag, attributes, bytes so far), or ``None``.

        Lets a receiver show progress on a large element (a BLOB) before it is
        complete; it covers the bytes parsed so far (by :meth:`events` or
        :meth:`deliver`).
        """
        return self._reader.partial()

    # ------------------------------------------------------------------ receiving

    def receive_data(self, data: bytes) -> None:
        """Buffer bytes from the peer; ``b""`` means the peer closed its stream.

        :raises LocalProtocolError: if called again after EOF.
        """
        if self._eof:
            raise LocalProtocolError("receive_data() called after EOF (b'') was received")
        if data:
            self._chunks.append(bytes(data))
        else:
            self._eof = True

    def events(self) -> list[ev.Event]:
        """Parse the buffered bytes and return every event they complete.

        After EOF, :attr:`peer_phase` becomes CLOSED once everything is read.

        :raises RemoteProtocolError: for malformed or oversized input, then on
            every later call; :attr:`peer_phase` is ERROR from then on. Events
            completed before the bad bytes are returned first, and the error is
            raised on the next call.
        """
        reader = self._reader
        chunks, self._chunks = self._chunks, []
        if reader.error is not None:
            raise reader.error
        out: list[ev.Event] = []
        try:
            for chunk in chunks:
                out += reader.feed(chunk)
                if reader.error is not None:
                    break
            else:
                if self._eof and self._peer_phase is Phase.OPEN:
                    out += reader.close()
                    self._peer_phase = Phase.CLOSED
        except RemoteProtocolError:
            self._peer_phase = Phase.ERROR
            if not out:
                raise
        if reader.error is not None:
            self._peer_phase = Phase.ERROR
        return out

    def deliver(
        self, data: bytes, key: _K, on_event: Callable[[_K, ev.Event], object]
    ) -> RemoteProtocolError | None:
        """Read ``data`` and hand each event it completes to ``on_event(key, event)``.

        The one-call form of :meth:`receive_data` and :meth:`events`, for a
        reader that gets bytes from a callback (``key`` is passed through, so
        one ``on_event`` can serve many links). Use one form or the other on a
        connection, not both.

        :param data: the next bytes from the peer; ``b""`` means EOF.
        :returns: the input error, if the stream broke (events completed before
            the malformed bytes are delivered first; every later call returns
            it again), else ``None``.
        """
        reader = self._reader
        try:
            if data:
                events = reader.feed(data)
            else:
                events = reader.close()
                self._eof = True
                self._peer_phase = Phase.CLOSED
        except RemoteProtocolError as exc:
            self._peer_phase = Phase.ERROR
            return exc
        for event in events:
            on_event(key, event)
        error = reader.error
        if error is not None:
            self._peer_phase = Phase.ERROR
        return error

    def _received(self, element: Node) -> ev.Event:
        event = parse_node(element)
        if isinstance(event, _DEVICE_OUTPUT):
            device: str | None = event.device
            if (
                self._role is Role.DEVICE
                and not self._snoop_all
                and device not in self._snooped
                # A global message is commentary; allow it from anyone.
                and not (device is None and isinstance(event, ev.Message))
            ):
                return self._invalid(
                    event, element, "only snooped devices may send this to a device"
                )
            self._track(event)
        elif isinstance(event, ev.NewVector) and self._role is Role.CLIENT:
            return self._invalid(event, element, "a device cannot send changes (new*) to a client")
        return event

    def _invalid(self, event: ev.Event, element: Node, why: str) -> ev.Invalid:
        return ev.Invalid(
            element_tag=event.tag,
            reason=f"{event.tag} from {getattr(event, 'device', None)!r}: {why}",
            device=getattr(event, "device", None),
            name=getattr(event, "name", None),
            element_xml=node_xml(element),
        )

    def _track(self, event: ev.Event) -> None:
        if isinstance(event, ev.DefVector):
            self._defined[(event.device, event.name)] = event
        elif isinstance(event, ev.DelProperty):
            if event.name is not None:
                self._defined.pop((event.device, event.name), None)
            else:
                for key in [key for key in self._defined if key[0] == event.device]:
                    del self._defined[key]

    # ------------------------------------------------------------------ sending

    def send(self, event: ev.Event, *, validate: bool | None = None) -> bytes:
        """Serialize ``event`` for the peer, after checking that we may send it.

        :param event: the event to send.
        :param validate: ``False`` skips the direction and definition checks
            (the bytes are the same; only the bookkeeping of definitions and
            snoops still happens); by default, a checked connection checks.
        :returns: the bytes to write.
        :raises LocalProtocolError: if our role may not send ``event``, a
            ``set*`` has no prior ``def*``, a ``new*`` targets an undefined or
            read-only property, the event is empty, or it cannot be encoded;
            also after :meth:`close` or :meth:`send_failed`.
        """
        if self._our_phase is not Phase.OPEN:
            raise LocalProtocolError(f"cannot send {event.tag}: our side is {self._our_phase}")
        if self._checked if validate is None else validate:
            self._check(event)
        data = encode(event)
        if isinstance(event, (ev.DefVector, ev.DelProperty)):
            self._track(event)
        elif isinstance(event, ev.GetProperties) and self._role is Role.DEVICE:
            if event.device is None or event.device == "*":
                self._snoop_all = True
            else:
                self._snooped.add(event.device)
        return data

    def send_update(self, event: ev.Event) -> bytes:
        """Like :meth:`send`, but an update of a property never defined on this link is skipped.

        A driver may update a property before its peer has asked for it (a
        hardware job's first tick at start, say); there is nothing to send then,
        and ``b""`` is returned instead of raising.
        """
        if isinstance(event, ev.SetVector) and (event.device, event.name) not in self._defined:
            return b""
        return self.send(event)

    def _check(self, event: ev.Event) -> None:
        cls = type(event)
        if cls not in self._sendable and not any(k in self._sendable for k in cls.__mro__):
            raise LocalProtocolError(f"a {self._role} connection cannot send {cls.__name__}")
        if isinstance(event, ev.SetVector):
            known = self._defined.get((event.device, event.name))
            if known is None or known.kind != event.kind:
                what = "was never defined" if known is None else f"is a {known.kind} vector"
                raise LocalProtocolError(
                    f"cannot send {event.tag} {event.device}.{event.name}: the property {what}"
                    " on this link (send its def first)"
                )
            if not event.values:
                raise LocalProtocolError(f"{event.tag} {event.device}.{event.name} has no values")
        elif isinstance(event, ev.NewVector):
            known = self._defined.get((event.device, event.name))
            if known is None or known.kind != event.kind:
                what = "was never defined" if known is None else f"is a {known.kind} vector"
                raise LocalProtocolError(
                    f"cannot send {event.tag} {event.device}.{event.name}: the property {what}"
                )
            if getattr(known, "perm", Perm.RO) == Perm.RO:
                raise LocalProtocolError(
                    f"cannot send {event.tag} {event.device}.{event.name}: it is read-only"
                )
            if not event.values:
                raise LocalProtocolError(f"{event.tag} {event.device}.{event.name} has no values")
        elif isinstance(event, ev.DefVector) and not event.members:
            raise LocalProtocolError(f"{event.tag} {event.device}.{event.name} has no members")

    def close(self) -> None:
        """Mark our stream as finished (after the transport's final write); sends become errors."""
        if self._our_phase is Phase.OPEN:
            self._our_phase = Phase.CLOSED

    def send_failed(self) -> None:
        """Tell the connection that writing our bytes failed; :attr:`our_phase` becomes ERROR."""
        self._our_phase = Phase.ERROR

    def __repr__(self) -> str:
        return (
            f"<Connection {self._role} peer={self._peer_phase} ours={self._our_phase}"
            f" defined={len(self._defined)}>"
        )


def _watched(
    convert: Callable[[Node], ev.Event], on_element: Callable[[Node, ev.Event], object]
) -> Callable[[Node], ev.Event]:
    """``convert``, telling ``on_element`` about each node and its event."""

    def watched(node: Node) -> ev.Event:
        event = convert(node)
        on_element(node, event)
        return event

    return watched
