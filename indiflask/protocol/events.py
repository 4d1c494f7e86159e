"""Typed, immutable events: one class per INDI message, in both directions.

Events are frozen, slotted, keyword-only dataclasses. Shared bases
(:class:`DefVector`, :class:`SetVector`, :class:`NewVector`) allow ``isinstance``
checks and ``match`` class patterns. Member values are typed:

=========  ==============================================
kind       Python type of a value
=========  ==============================================
text       ``str``
number     ``float``
switch     ``bool`` (``On``/``Off`` on the wire)
light      :class:`~indiflask.protocol.values.State`
BLOB       :class:`~indiflask.protocol.blobs.BlobValue` (base64 kept as bytes, decoded lazily)
=========  ==============================================

Timestamps are kept as the wire text (``YYYY-MM-DDTHH:MM:SS``) or ``None``; use
:func:`indiflask.protocol.values.parse_timestamp` to get a datetime.

Content the codec cannot accept (a number that does not parse, a switch that is
neither On nor Off, a missing required attribute) becomes an :class:`Invalid`
event rather than an exception; unrecognised tags become :class:`Unknown`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, cast

from .blobs import BlobValue
from .values import BlobMode, Perm, Rule, State

__all__ = [
    "DefBLOB",
    "DefBLOBVector",
    "DefLight",
    "DefLightVector",
    "DefMember",
    "DefNumber",
    "DefNumberVector",
    "DefSwitch",
    "DefSwitchVector",
    "DefText",
    "DefTextVector",
    "DefVector",
    "DelProperty",
    "EnableBLOB",
    "Event",
    "GetProperties",
    "Invalid",
    "Message",
    "NewBLOBVector",
    "NewNumberVector",
    "NewSwitchVector",
    "NewTextVector",
    "NewVector",
    "NumberLimits",
    "PingReply",
    "PingRequest",
    "SetBLOBVector",
    "SetLightVector",
    "SetNumberVector",
    "SetSwitchVector",
    "SetTextVector",
    "SetVector",
    "Unknown",
    "positional_builder",
]

#: The property kinds, as used in tag names: ``def{kind}Vector``.
KINDS = ("Text", "Number", "Switch", "Light", "BLOB")


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base class of every INDI event."""

    #: The XML tag of this message (class constant).
    tag: ClassVar[str] = ""


# --------------------------------------------------------------------------- getProperties


@dataclass(frozen=True, slots=True, kw_only=True)
class GetProperties(Event):
    """Ask for definitions (client) or register a snoop (device).

    ``device=None`` means all devices; ``name=None`` all properties of ``device``.
    ``version`` is ``None`` when the peer omitted it (we always send ``1.7``).
    """

    tag: ClassVar[str] = "getProperties"
    device: str | None = None
    name: str | None = None
    version: str | None = "1.7"


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True, slots=True, kw_only=True)
class DefMember:
    """A member of a definition: its name and label (``label`` defaults to ``name``)."""

    name: str
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DefText(DefMember):
    """``defText``: a text member with its initial value."""

    value: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DefNumber(DefMember):
    """``defNumber``: a number member with display format, limits and value."""

    format: str = "%g"
    min: float = 0.0
    max: float = 0.0
    step: float = 0.0
    value: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DefSwitch(DefMember):
    """``defSwitch``: a switch member (``True`` is On)."""

    value: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DefLight(DefMember):
    """``defLight``: a light member; its value is a state."""

    value: State = State.IDLE


@dataclass(frozen=True, slots=True, kw_only=True)
class DefBLOB(DefMember):
    """``defBLOB``: a BLOB member (definitions carry no data)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DefVector(Event):
    """Base of the five ``def*Vector`` events: a property's full definition."""

    #: The kind word used in tags: ``"Text"``, ``"Number"``, ``"Switch"``, ``"Light"``, ``"BLOB"``.
    kind: ClassVar[str] = ""
    device: str
    name: str
    label: str | None = None
    group: str | None = None
    state: State = State.IDLE
    timeout: float = 0.0
    timestamp: str | None = None
    message: str | None = None
    members: tuple[DefMember, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DefTextVector(DefVector):
    """``defTextVector``."""

    tag: ClassVar[str] = "defTextVector"
    kind: ClassVar[str] = "Text"
    perm: Perm = Perm.RW
    members: tuple[DefText, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DefNumberVector(DefVector):
    """``defNumberVector``."""

    tag: ClassVar[str] = "defNumberVector"
    kind: ClassVar[str] = "Number"
    perm: Perm = Perm.RW
    members: tuple[DefNumber, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DefSwitchVector(DefVector):
    """``defSwitchVector``."""

    tag: ClassVar[str] = "defSwitchVector"
    kind: ClassVar[str] = "Switch"
    perm: Perm = Perm.RW
    rule: Rule = Rule.ONE_OF_MANY
    members: tuple[DefSwitch, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DefLightVector(DefVector):
    """``defLightVector`` (lights have no perm and no timeout on the wire)."""

    tag: ClassVar[str] = "defLightVector"
    kind: ClassVar[str] = "Light"
    members: tuple[DefLight, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DefBLOBVector(DefVector):
    """``defBLOBVector``."""

    tag: ClassVar[str] = "defBLOBVector"
    kind: ClassVar[str] = "BLOB"
    perm: Perm = Perm.RO
    members: tuple[DefBLOB, ...] = ()


# --------------------------------------------------------------------------- updates


#: libindi's "update limits" extension: ``oneNumber`` in a ``setNumberVector`` may
#: carry ``min``/``max``/``step``. Per member: (min, max, step), each ``None`` if absent.
NumberLimits = tuple[float | None, float | None, float | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVector(Event):
    """Base of the five ``set*Vector`` events: new values and/or state of a defined property.

    ``state=None`` means the state is unchanged. ``values`` may hold a subset of members.
    """

    kind: ClassVar[str] = ""
    device: str
    name: str
    state: State | None = None
    timeout: float | None = None
    timestamp: str | None = None
    message: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTextVector(SetVector):
    """``setTextVector``: values are ``str``."""

    tag: ClassVar[str] = "setTextVector"
    kind: ClassVar[str] = "Text"
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetNumberVector(SetVector):
    """``setNumberVector``: values are ``float``; ``limits`` holds libindi's min/max/step extras."""

    tag: ClassVar[str] = "setNumberVector"
    kind: ClassVar[str] = "Number"
    values: Mapping[str, float] = field(default_factory=dict)
    limits: Mapping[str, NumberLimits] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetSwitchVector(SetVector):
    """``setSwitchVector``: values are ``bool``."""

    tag: ClassVar[str] = "setSwitchVector"
    kind: ClassVar[str] = "Switch"
    values: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLightVector(SetVector):
    """``setLightVector``: values are :class:`State` (no timeout on the wire)."""

    tag: ClassVar[str] = "setLightVector"
    kind: ClassVar[str] = "Light"
    values: Mapping[str, State] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetBLOBVector(SetVector):
    """``setBLOBVector``: values are :class:`BlobValue` (base64 kept, decoded on demand)."""

    tag: ClassVar[str] = "setBLOBVector"
    kind: ClassVar[str] = "BLOB"
    values: Mapping[str, BlobValue] = field(default_factory=dict)


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True, kw_only=True)
class NewVector(Event):
    """Base of the four ``new*Vector`` events: a client asks for new values."""

    kind: ClassVar[str] = ""
    device: str
    name: str
    timestamp: str | None = None
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTextVector(NewVector):
    """``newTextVector``."""

    tag: ClassVar[str] = "newTextVector"
    kind: ClassVar[str] = "Text"
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewNumberVector(NewVector):
    """``newNumberVector``: values already parsed (decimal or sexagesimal) to ``float``."""

    tag: ClassVar[str] = "newNumberVector"
    kind: ClassVar[str] = "Number"
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewSwitchVector(NewVector):
    """``newSwitchVector``."""

    tag: ClassVar[str] = "newSwitchVector"
    kind: ClassVar[str] = "Switch"
    values: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewBLOBVector(NewVector):
    """``newBLOBVector``: an upload."""

    tag: ClassVar[str] = "newBLOBVector"
    kind: ClassVar[str] = "BLOB"
    values: Mapping[str, BlobValue] = field(default_factory=dict)


# --------------------------------------------------------------------------- others


@dataclass(frozen=True, slots=True, kw_only=True)
class DelProperty(Event):
    """``delProperty``: one property (``name``) or a whole device (``name=None``) is gone."""

    tag: ClassVar[str] = "delProperty"
    device: str
    name: str | None = None
    timestamp: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(Event):
    """``message``: free-standing commentary; ``device=None`` is a global message."""

    tag: ClassVar[str] = "message"
    device: str | None = None
    timestamp: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnableBLOB(Event):
    """``enableBLOB``: a client's BLOB delivery choice for a device or one property."""

    tag: ClassVar[str] = "enableBLOB"
    device: str
    name: str | None = None
    mode: BlobMode = BlobMode.NEVER


@dataclass(frozen=True, slots=True, kw_only=True)
class PingRequest(Event):
    """``pingRequest`` (libindi extension): answer with a :class:`PingReply` of the same uid."""

    tag: ClassVar[str] = "pingRequest"
    uid: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PingReply(Event):
    """``pingReply`` (libindi extension)."""

    tag: ClassVar[str] = "pingReply"
    uid: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown(Event):
    """An element with a tag INDI does not define; kept as raw XML, never a crash."""

    tag: ClassVar[str] = "unknown"
    element_tag: str = ""
    element_xml: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class Invalid(Event):
    """Well-formed XML whose content is not valid INDI (non-fatal).

    ``device`` and ``name`` are filled when the element named them, so the layer
    above can answer on that property (e.g. with state Alert and ``reason``).
    """

    tag: ClassVar[str] = "invalid"
    element_tag: str = ""
    reason: str = ""
    device: str | None = None
    name: str | None = None
    element_xml: bytes = b""
    #: The element's ``timestamp`` attribute (a refused change's, to echo in the answer).
    timestamp: str | None = None


#: Map of kind word to the (def, set, new) event classes; ``new`` is None for lights.
VECTOR_CLASSES: dict[str, tuple[type[DefVector], type[SetVector], type[NewVector] | None]] = {
    "Text": (DefTextVector, SetTextVector, NewTextVector),
    "Number": (DefNumberVector, SetNumberVector, NewNumberVector),
    "Switch": (DefSwitchVector, SetSwitchVector, NewSwitchVector),
    "Light": (DefLightVector, SetLightVector, None),
    "BLOB": (DefBLOBVector, SetBLOBVector, NewBLOBVector),
}


def positional_builder(cls: type[Event], names: tuple[str, ...]) -> Callable[..., Event]:
    """Return a fast positional constructor for the frozen, slotted event ``cls``.

    Used on hot paths (the codec's parser, ``Property.send``).

    A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, which costs about as much as parsing the element.
    When ``cls`` is a plain slotted dataclass whose fields are exactly ``names``
    (no ``__post_init__``), the builder fills the slots directly; otherwise it
    falls back to the normal constructor.
    """
    fields = {f.name for f in dataclasses.fields(cls)}
    slot_setters = []
    for attr in names:
        descriptor = next((k.__dict__[attr] for k in cls.__mro__ if attr in k.__dict__), None)
        slot_setters.append(getattr(descriptor, "__set__", None))
    plain = (
        fields == set(names)
        and not hasattr(cls, "__post_init__")
        and all(type(getattr(cls, attr, None)).__name__ == "member_descriptor" for attr in names)
    )
    if not plain:

        def construct(*args: object) -> Event:
            return cls(**dict(zip(names, args, strict=True)))

        return construct

    # Unrolled like a dataclass __init__, but with the slot setters bound locally.
    scope: dict[str, object] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{attr}": setter for attr, setter in zip(names, slot_setters, strict=True)})
    body = "".join(f"    set_{attr}(obj, {attr})\n" for attr in names)
    exec(f"def build({', '.join(names)}):\n    obj = new(cls)\n{body}    return obj\n", scope)
    return cast(Callable[..., Event], scope["build"])
