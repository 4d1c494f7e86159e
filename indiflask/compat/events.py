"""indipydriver-style event classes, built from indiflask's typed protocol events.

``rxevent`` receives :class:`getProperties` (only when ``auto_send_def`` is off),
:class:`newSwitchVector`, :class:`newNumberVector`, :class:`newTextVector` and
:class:`newBLOBVector`; ``snoopevent`` receives :class:`Message`,
:class:`delProperty` and the ``def*``/``set*`` classes. Values are given the
way indipydriver gives them: switches ``"On"``/``"Off"``, lights as state
words, numbers as text (full precision, so ``float(event["X"])`` is exact),
texts as ``str`` and BLOBs as ``bytes``.

Each event keeps the indiflask event it came from in :attr:`Event.source`;
:attr:`Event.root` builds the equivalent ``xml.etree`` element on first use.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import UserDict
from datetime import UTC, datetime
from typing import Any

from ..errors import InvalidValue
from ..protocol import events as ev
from ..protocol.codec_write import encode
from ..protocol.numbers import number_to_wire
from ..protocol.values import parse_timestamp
from .members import getfloat

__all__ = [
    "Event",
    "Message",
    "SnoopEvent",
    "defBLOBVector",
    "defLightVector",
    "defNumberVector",
    "defSwitchVector",
    "defTextVector",
    "delProperty",
    "enableBLOB",
    "getProperties",
    "newBLOBVector",
    "newNumberVector",
    "newSwitchVector",
    "newTextVector",
    "setBLOBVector",
    "setLightVector",
    "setNumberVector",
    "setSwitchVector",
    "setTextVector",
    "snoop_event",
]

# indipydriver names its event classes after the INDI tags, in camelCase.


def _when(stamp: str | None) -> datetime:
    if stamp:
        try:
            return parse_timestamp(stamp)
        except InvalidValue:
            pass
    return datetime.now(UTC)


def _text(value: object) -> str:
    """A typed member value in indipydriver's text form."""
    if isinstance(value, bool):
        return "On" if value else "Off"
    if isinstance(value, float):
        return number_to_wire(value)
    return str(value)


class _Rooted:
    source: ev.Event | None
    _root: ET.Element | None

    @property
    def root(self) -> ET.Element | None:
        """The received message as an ``xml.etree`` element (built on first use)."""
        if self._root is None and self.source is not None:
            self._root = ET.fromstring(encode(self.source))
        return self._root


class Event(_Rooted):
    """Base class of the events given to ``rxevent``.

    :param devicename: the device addressed.
    :param vectorname: the vector addressed.
    :param vector: the driver's vector object.
    :param source: the indiflask protocol event it was made from.
    """

    def __init__(
        self, devicename: str, vectorname: str | None, vector: Any, source: ev.Event | None = None
    ) -> None:
        #: The device name.
        self.devicename = devicename
        #: The vector name.
        self.vectorname = vectorname
        #: The vector object of this driver the event refers to.
        self.vector = vector
        #: The indiflask protocol event.
        self.source = source
        self._root = None


class getProperties(Event):
    """A client asked for a vector's definition (given to ``rxevent`` when
    ``driver.auto_send_def`` is False; otherwise answered automatically)."""

    def __init__(
        self, devicename: str, vectorname: str | None, vector: Any, source: ev.Event | None = None
    ) -> None:
        super().__init__(devicename, vectorname, vector, source)
        #: When the request arrived.
        self.timestamp = datetime.now(UTC)


class enableBLOB(Event):
    """A client's BLOB delivery choice.

    The server honours ``enableBLOB`` itself, so drivers never receive this
    event; the class exists so ``isinstance`` checks keep working.
    """


class _NewVector(Event, UserDict[str, Any]):
    """A client's new values: a read-only mapping of member name to value."""

    def __init__(self, vector: Any, source: ev.NewVector) -> None:
        Event.__init__(self, source.device, source.name, vector, source)
        UserDict.__init__(self)
        #: The client's timestamp (now, when the client sent none).
        self.timestamp = _when(source.timestamp)
        for name, value in source.values.items():
            self.data[name] = self._convert(value)

    def _convert(self, value: object) -> Any:
        return _text(value)

    def __setitem__(self, key: str, value: Any) -> None:
        raise KeyError(key)


class newSwitchVector(_NewVector):
    """New switch values: member name to ``"On"`` or ``"Off"``."""


class newTextVector(_NewVector):
    """New text values: member name to ``str``."""


class newNumberVector(_NewVector):
    """New number values: member name to number text (``float()`` of it is exact)."""

    def getfloatvalue(self, membername: str) -> float:
        """The value received for ``membername`` as a float."""
        if membername not in self.data:
            raise KeyError(f"Unrecognised member: {membername}")
        return getfloat(self.data[membername])

    def getformattedvalue(self, membername: str) -> str:
        """The value received for ``membername``, formatted with the member's format."""
        return str(self.vector.data[membername].format_number(self.getfloatvalue(membername)))


class newBLOBVector(_NewVector):
    """An upload: member name to ``bytes``; :attr:`sizeformat` maps it to ``(size, format)``."""

    def __init__(self, vector: Any, source: ev.NewBLOBVector) -> None:
        #: Member name to ``(size, format)`` as the client gave them.
        self.sizeformat: dict[str, tuple[int, str]] = {
            name: (blob.size, blob.format) for name, blob in source.values.items()
        }
        super().__init__(vector, source)

    def _convert(self, value: object) -> Any:
        return value.data  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- snooping


class SnoopEvent(_Rooted):
    """Base class of the events given to ``snoopevent``: another device's traffic."""

    def __init__(self, source: ev.Event) -> None:
        #: The device the traffic is about (``None`` for a global message).
        self.devicename: str | None = getattr(source, "device", None)
        #: The vector name, when there is one.
        self.vectorname: str | None = getattr(source, "name", None)
        #: The indiflask protocol event.
        self.source: ev.Event | None = source
        self._root = None
        #: The sender's timestamp.
        self.timestamp = _when(getattr(source, "timestamp", None))
        #: The message text ("" when none).
        self.message: str = getattr(source, "message", None) or ""


class Message(SnoopEvent):
    """A ``message`` from another driver (``devicename`` is None for a global one)."""


class delProperty(SnoopEvent):
    """Another device deleted a vector, or the whole device (``vectorname`` None)."""


class _Values(SnoopEvent, UserDict[str, Any]):
    def __init__(self, source: ev.Event) -> None:
        SnoopEvent.__init__(self, source)
        UserDict.__init__(self)
        state = getattr(source, "state", None)
        #: The vector state word (``None`` in a set that leaves it unchanged).
        self.state: str | None = str(state) if state is not None else None
        timeout = getattr(source, "timeout", None)
        #: The timeout, as text.
        self.timeout = number_to_wire(timeout) if timeout is not None else "0"

    def __setitem__(self, key: str, value: Any) -> None:
        raise KeyError(key)

    def getfloatvalue(self, membername: str) -> float:
        """A number member's value as a float."""
        if membername not in self.data:
            raise KeyError(f"Unrecognised member: {membername}")
        return getfloat(self.data[membername])


class _DefVector(_Values):
    def __init__(self, source: ev.DefVector) -> None:
        super().__init__(source)
        #: The vector's label.
        self.label = source.label or source.name
        #: The vector's group.
        self.group = source.group or ""
        #: Member name to label (numbers: to ``(label, format, min, max, step)``).
        self.memberlabels: dict[str, Any] = {}
        perm = getattr(source, "perm", None)
        if perm is not None:
            #: ``"ro"``, ``"wo"`` or ``"rw"``.
            self.perm = str(perm)
        rule = getattr(source, "rule", None)
        if rule is not None:
            #: The switch rule.
            self.rule = str(rule)
        for member in source.members:
            label = member.label or member.name
            if isinstance(member, ev.DefNumber):
                self.memberlabels[member.name] = (
                    label,
                    member.format,
                    _text(member.min),
                    _text(member.max),
                    _text(member.step),
                )
            else:
                self.memberlabels[member.name] = label
            if not isinstance(member, ev.DefBLOB):
                self.data[member.name] = _text(getattr(member, "value", ""))


class defSwitchVector(_DefVector):
    """Another device defined a switch vector."""


class defTextVector(_DefVector):
    """Another device defined a text vector."""


class defNumberVector(_DefVector):
    """Another device defined a number vector (values as text)."""


class defLightVector(_DefVector):
    """Another device defined a light vector."""


class defBLOBVector(_DefVector):
    """Another device defined a BLOB vector (no values; see :attr:`memberlabels`)."""


class _SetVector(_Values):
    def __init__(self, source: ev.SetVector) -> None:
        super().__init__(source)
        for name, value in source.values.items():
            self.data[name] = _text(value)


class setSwitchVector(_SetVector):
    """Another device sent switch values."""


class setTextVector(_SetVector):
    """Another device sent text values."""


class setNumberVector(_SetVector):
    """Another device sent number values (as text)."""


class setLightVector(_SetVector):
    """Another device sent light values."""


class setBLOBVector(_Values):
    """Another device sent BLOBs: member name to ``bytes``; :attr:`sizeformat` as uploads."""

    def __init__(self, source: ev.SetBLOBVector) -> None:
        super().__init__(source)
        #: Member name to ``(size, format)``.
        self.sizeformat: dict[str, tuple[int, str]] = {}
        for name, blob in source.values.items():
            self.data[name] = blob.data
            self.sizeformat[name] = (blob.size, blob.format)


_SNOOP_CLASSES: dict[type[ev.Event], type[SnoopEvent]] = {
    ev.Message: Message,
    ev.DelProperty: delProperty,
    ev.DefSwitchVector: defSwitchVector,
    ev.DefTextVector: defTextVector,
    ev.DefNumberVector: defNumberVector,
    ev.DefLightVector: defLightVector,
    ev.DefBLOBVector: defBLOBVector,
    ev.SetSwitchVector: setSwitchVector,
    ev.SetTextVector: setTextVector,
    ev.SetNumberVector: setNumberVector,
    ev.SetLightVector: setLightVector,
    ev.SetBLOBVector: setBLOBVector,
}

#: The new-vector event class per indiflask event class.
NEW_CLASSES: dict[type[ev.NewVector], type[_NewVector]] = {
    ev.NewSwitchVector: newSwitchVector,
    ev.NewTextVector: newTextVector,
    ev.NewNumberVector: newNumberVector,
    ev.NewBLOBVector: newBLOBVector,
}


def snoop_event(source: ev.Event) -> SnoopEvent | None:
    """The indipydriver-style snoop event for ``source``, or ``None`` if it is not snoop traffic."""
    cls = _SNOOP_CLASSES.get(type(source))
    return cls(source) if cls is not None else None
