"""The client's side of the wire: bytes to events (with member texts), changes to events.

:class:`Wire` reads the byte stream from a server through an unchecked
:class:`~indiflask.protocol.connection.Connection` (the mirror checks what it
applies), and also hands out each ``def``/``set`` member's value *as written on
the wire*, which it takes from each element as the connection completes it. The mirror keeps
that text so ``indiflask get`` prints exactly what ``indi_getprop`` prints
(libindi writes numbers with ``%.20g``, a driver may send sexagesimal text).

:func:`build_change` turns Python values into a ``new*Vector`` for one
mirrored property, checking them first the way a careful GUI does: the
members must exist, the property must be writable, numbers must parse
(decimal or sexagesimal) and lie within ``[min, max]`` when ``min < max``, and
switch changes must respect the rule. Only the named members are sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidValue
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.codec import encode
from ..protocol.connection import Connection, Role
from ..protocol.nodes import ATTR, KIDS, TAG, TEXT, Node
from ..protocol.numbers import check_range, parse_number
from ..protocol.stream import DEFAULT_MAX_ELEMENT_BYTES
from ..protocol.values import Perm, Rule, to_bool

__all__ = ["BlobProgress", "Received", "Wire", "build_change"]

_WS = " \t\r\n\f\v"
_VALUE_TAGS = frozenset(
    {f"def{k}" for k in ("Text", "Number", "Switch", "Light")}
    | {f"one{k}" for k in ("Text", "Number", "Switch", "Light")}
)


@dataclass(frozen=True, slots=True)
class BlobProgress:
    """A ``setBLOBVector`` on its way: which one, and how many bytes of it have come."""

    #: The device and property sending it, and the member being received.
    device: str
    name: str
    member: str
    #: Bytes of the element received so far.
    received: int
    #: About how many bytes the member's data take on the wire (0: not known).
    expected: int

    @property
    def fraction(self) -> float | None:
        """The part received, 0..1, or ``None`` when the size is not known."""
        if self.expected <= 0:
            return None
        return min(1.0, self.received / self.expected)


@dataclass(frozen=True, slots=True)
class Received:
    """One element from the server: its event and member texts as written on the wire."""

    #: The parsed event.
    event: ev.Event
    #: For ``def``/``set`` of non-BLOB kinds: member name to its trimmed wire text.
    wire: Mapping[str, str] | None = None


class Wire:
    """Sans-IO framing for a client link: feed bytes, get :class:`Received` items.

    :param max_element_bytes: the cap on one element from the server (BLOBs included).
    """

    def __init__(self, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES) -> None:
        self._received: list[Received] = []
        self._conn = Connection(
            Role.CLIENT,
            checked=False,
            max_element_bytes=max_element_bytes,
            on_element=self._keep,
        )

    def receive(self, data: bytes) -> list[Received]:
        """Feed bytes (``b""`` at end of stream); return every complete element.

        :raises RemoteProtocolError: on malformed XML (the link is then unusable).
        """
        self._conn.receive_data(data)
        try:
            self._conn.events()  # each element went to _keep as it completed
        finally:
            received, self._received = self._received, []
        return received

    def _keep(self, node: Node, event: ev.Event) -> None:
        self._received.append(Received(event, _wire_texts(node)))

    def progress(self) -> BlobProgress | None:
        """How far a ``setBLOBVector`` being received has come, or ``None``."""
        partial = self._conn.partial()
        if partial is None or partial.tag != "setBLOBVector":
            return None
        top, member = partial.attrib, partial.member
        expected = 0
        if member is not None:
            raw = member.get("enclen") or ""
            if raw.isdigit():
                expected = int(raw)
            else:
                sizes = [member.get("len") or "", member.get("size") or ""]
                size = next((int(s) for s in sizes if s.isdigit()), 0)
                expected = 4 * ((size + 2) // 3)
        return BlobProgress(
            device=top.get("device", ""),
            name=top.get("name", ""),
            member=member.get("name", "") if member is not None else "",
            received=partial.received,
            expected=expected,
        )

    @staticmethod
    def send(event: ev.Event) -> bytes:
        """Encode an event for the server."""
        return encode(event)


def _wire_texts(node: Node) -> dict[str, str] | None:
    tag: str = node[TAG]
    if not tag.endswith("Vector") or tag.endswith("BLOBVector"):
        return None
    texts: dict[str, str] = {}
    for child in node[KIDS]:
        if child[TAG] in _VALUE_TAGS:
            name = child[ATTR].get("name")
            if name is not None:
                texts[name.strip(_WS)] = (child[TEXT] or "").strip(_WS)
    return texts


def build_change(
    prop: Any, values: Mapping[str, Any], *, timestamp: str | None = None
) -> ev.NewVector:
    """Check ``values`` against a mirrored property and build its ``new*Vector``.

    :param prop: a :class:`~indiflask.core.mirror.RemoteProperty`.
    :param values: member name to value: ``bool`` or ``"On"``/``"Off"`` for
        switches; ``float``/``int`` or decimal/sexagesimal text for numbers;
        ``str`` for texts; ``bytes``, ``(bytes, format)`` or a
        :class:`~indiflask.protocol.blobs.BlobValue` for BLOBs.
    :param timestamp: the change's timestamp (the driver echoes it in its answer).
    :returns: the event, carrying the named members only.
    :raises InvalidValue: naming the problem (unknown member, read-only
        property, bad or out-of-range number, switch rule broken, empty change).
    """
    where = f"{prop.device}.{prop.name}"
    if not values:
        raise InvalidValue(f"{where}: name at least one member to change")
    if prop.kind == "Light":
        raise InvalidValue(f"{where} is a light; lights are read-only")
    if prop.perm == Perm.RO:
        raise InvalidValue(f"{where} is read-only")
    unknown = [k for k in values if k not in prop.members]
    if unknown:
        known = ", ".join(prop.members)
        raise InvalidValue(f"{where} has no member {unknown[0]!r} (members: {known})")
    common: dict[str, Any] = {"device": prop.device, "name": prop.name, "timestamp": timestamp}
    if prop.kind == "Switch":
        return ev.NewSwitchVector(**common, values=_switches(prop, values, where))
    if prop.kind == "Number":
        numbers: dict[str, float] = {}
        for key, value in values.items():
            number = _number(value, f"{where}.{key}")
            member = prop.members[key]
            check_range(number, member.min, member.max, name=f"{where}.{key}")
            numbers[key] = number
        return ev.NewNumberVector(**common, values=numbers)
    if prop.kind == "Text":
        return ev.NewTextVector(**common, values={k: str(v) for k, v in values.items()})
    blobs: dict[str, BlobValue] = {}
    for key, value in values.items():
        if isinstance(value, BlobValue):
            blobs[key] = value
        elif isinstance(value, tuple) and len(value) == 2:
            blobs[key] = BlobValue.from_bytes(bytes(value[0]), str(value[1]))
        elif isinstance(value, bytes | bytearray | memoryview):
            blobs[key] = BlobValue.from_bytes(bytes(value), "")
        else:
            raise InvalidValue(f"{where}.{key}: a BLOB needs bytes, (bytes, format) or a path")
    return ev.NewBLOBVector(**common, values=blobs)


def _number(value: Any, what: str) -> float:
    if isinstance(value, str):
        try:
            return parse_number(value)
        except InvalidValue as exc:
            raise InvalidValue(f"{what}: {exc}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValue(f"{what}: {value!r} is not a number")
    return float(value)


def _switches(prop: Any, values: Mapping[str, Any], where: str) -> dict[str, bool]:
    try:
        wanted = {k: to_bool(v) for k, v in values.items()}
    except InvalidValue as exc:
        raise InvalidValue(f"{where}: {exc}") from None
    on = [k for k, v in wanted.items() if v]
    if prop.rule in (Rule.ONE_OF_MANY, Rule.AT_MOST_ONE) and len(on) > 1:
        raise InvalidValue(f"{where} is {prop.rule.value}: turn on one member, not {len(on)}")
    if prop.rule == Rule.ONE_OF_MANY and not on:
        raise InvalidValue(f"{where} is OneOfMany: name the member to turn On")
    return wanted
