"""One INDI link, sans-IO: bytes in, events out; events in, bytes out.

::

    conn = Connection(Role.DEVICE)
    conn.receive_data(chunk)          # cheap: only buffers; b"" means EOF
    for event in conn.events():       # parses what is complete
        ...
    transport.write(conn.send(SetNumberVector(...)))

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

Failures: malformed input raises :class:`~indiflask.errors.RemoteProtocolError`
from :meth:`Connection.events` and sets :attr:`Connection.peer_phase` to
``ERROR`` (events completed before the bad bytes are returned first; the error
is raised on the next call). A refused :meth:`Connection.send` raises
:class:`~indiflask.errors.LocalProtocolError` and changes nothing: no bytes
were produced, so the stream is intact (unlike h11, the phase stays ``OPEN``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..errors import LocalProtocolError, RemoteProtocolError
from . import events as ev
from .codec_parse import parse_node
from .codec_write import encode
from .framer import DEFAULT_MAX_ELEMENT_BYTES
from .nodes import Node, node_xml
from .reader import NodeReader
from .rules import SENDABLE, Phase, Role
from .values import Perm

__all__ = ["Connection", "Phase", "Role"]

_DEVICE_OUTPUT = (ev.DefVector, ev.SetVector, ev.DelProperty, ev.Message)


class Connection:
    """The protocol state of one INDI link, seen from one side.

    :param role: which side we speak for.
    :param max_element_bytes: the largest element accepted from the peer
        (see :class:`~indiflask.protocol.framer.Framer`; the stream is read by
        a :class:`~indiflask.protocol.reader.NodeReader`).

    .. versionadded:: 0.1
    """

    def __init__(self, role: Role, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES) -> None:
        self._role = Role(role)
        self._framer = NodeReader(max_element_bytes=max_element_bytes)
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
    def peer_phase(self) -> Phase:
        """The phase of the peer's stream: OPEN, CLOSED after EOF, ERROR after bad input."""
        return self._peer_phase

    @property
    def our_phase(self) -> Phase:
        """The phase of our stream: CLOSED after :meth:`close`, ERROR after :meth:`send_failed`."""
        return self._our_phase

    @property
    def defined(self) -> Mapping[tuple[str, str], ev.DefVector]:
        """The definitions seen on this link, both ways: ``(device, name) -> def event``."""
        return MappingProxyType(self._defined)

    @property
    def max_element_bytes(self) -> int:
        """The largest element accepted from the peer, in bytes."""
        return self._framer.max_element_bytes

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
            every later call; :attr:`peer_phase` is ERROR from then on.
        """
        elements: list[Node] = []
        framer = self._framer
        if framer.error is not None:
            self._chunks.clear()
            raise framer.error
        chunks, self._chunks = self._chunks, []
        try:
            for chunk in chunks:
                elements.extend(framer.feed(chunk))
                if framer.error is not None:
                    break
            if self._eof and framer.error is None and self._peer_phase is Phase.OPEN:
                elements.extend(framer.close())
                self._peer_phase = Phase.CLOSED
        except RemoteProtocolError:
            self._peer_phase = Phase.ERROR
            self._chunks.clear()
            raise
        if framer.error is not None:
            self._peer_phase = Phase.ERROR
            self._chunks.clear()
        return [self._received(element) for element in elements]

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

    def send(self, event: ev.Event, *, validate: bool = True) -> bytes:
        """Serialize ``event`` for the peer, after checking that we may send it.

        :param event: the event to send.
        :param validate: ``False`` skips the direction and definition checks
            (the bytes are the same; only the bookkeeping of definitions and
            snoops still happens).
        :returns: the bytes to write.
        :raises LocalProtocolError: if our role may not send ``event``, a
            ``set*`` has no prior ``def*``, a ``new*`` targets an undefined or
            read-only property, the event is empty, or it cannot be encoded;
            also after :meth:`close` or :meth:`send_failed`.
        """
        if self._our_phase is not Phase.OPEN:
            raise LocalProtocolError(f"cannot send {event.tag}: our side is {self._our_phase}")
        if validate:
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
