"""Member declarations: Switch, Number, Text, Light and Blob.

A member is one named value of a property. These classes are what users write
in ``members=[...]``; each one also knows how to coerce a Python value to its
canonical type (``bool`` for switches, ``float`` for numbers, :class:`State`
for lights, ``str`` for texts, ``bytes`` for BLOBs) and to build its
``def*`` event member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ..errors import InvalidValue, SetupError
from ..protocol import events as ev
from ..protocol.numbers import check_format, parse_number
from ..protocol.values import State, to_bool

__all__ = ["Blob", "Light", "Member", "Number", "Switch", "Text", "check_name"]

_NAME_RE = re.compile(r"^[^<>&\"'\x00-\x1f]+$")


def check_name(what: str, name: object) -> str:
    """Return ``name`` if it is a usable INDI name, else raise :class:`SetupError`.

    INDI names travel in XML attributes; they must be non-empty text without
    markup characters or control characters.
    """
    if not isinstance(name, str) or not name.strip():
        raise SetupError(f"{what} name must be a non-empty string, not {name!r}")
    if not _NAME_RE.match(name):
        raise SetupError(f"{what} name {name!r} contains characters INDI names cannot hold")
    return name


@dataclass(slots=True)
class Member:
    """Base class of member declarations: a name, a label and an initial value."""

    #: The kind word this member belongs to (``"Switch"``, ``"Number"``, ...).
    kind: ClassVar[str] = ""
    name: str
    label: str | None = None
    value: object = None

    def __post_init__(self) -> None:
        check_name("member", self.name)
        if self.value is None:
            self.value = self.default()
        try:
            self.value = self.coerce(self.value)
        except InvalidValue as exc:
            raise SetupError(f"member {self.name!r}: {exc}") from None

    def default(self) -> object:
        """The initial value used when none is given."""
        raise NotImplementedError

    def coerce(self, value: object) -> object:
        """Convert a Python value to this member's canonical type.

        :raises InvalidValue: when the value cannot be converted.
        """
        raise NotImplementedError

    def definition(self, value: object) -> ev.DefMember:
        """The ``def*`` member event carrying ``value``."""
        raise NotImplementedError


@dataclass(slots=True)
class Switch(Member):
    """A switch member; its value is ``bool`` (``"On"``/``"Off"`` accepted)."""

    kind: ClassVar[str] = "Switch"

    def default(self) -> object:
        """Switches start Off."""
        return False

    def coerce(self, value: object) -> bool:
        """Coerce to ``bool``."""
        return to_bool(value)

    def definition(self, value: object) -> ev.DefSwitch:
        """The ``defSwitch`` event member."""
        return ev.DefSwitch(name=self.name, label=self.label or self.name, value=bool(value))


@dataclass(slots=True)
class Number(Member):
    """A number member with a display ``format`` and limits.

    ``min == max`` means no limits (INDI's rule); ``step`` 0 means no increment.
    The value travels at full precision; ``format`` (printf or INDI ``%m``) is
    only how clients display it.
    """

    kind: ClassVar[str] = "Number"
    format: str = "%g"
    min: float = 0.0
    max: float = 0.0
    step: float = 0.0

    def __post_init__(self) -> None:
        try:
            check_format(self.format)
        except InvalidValue as exc:
            raise SetupError(f"member {self.name!r}: {exc}") from None
        for attr in ("min", "max", "step"):
            raw = getattr(self, attr)
            try:
                setattr(self, attr, _to_float(raw))
            except InvalidValue:
                raise SetupError(f"member {self.name!r}: {attr}={raw!r} is not a number") from None
        if self.min > self.max:
            raise SetupError(
                f"member {self.name!r}: min {self.min:g} is greater than max {self.max:g}"
            )
        Member.__post_init__(self)

    def default(self) -> object:
        """Numbers start at ``min`` (0 when unlimited)."""
        return self.min

    def coerce(self, value: object) -> float:
        """Coerce to ``float`` (strings may be sexagesimal)."""
        kind = type(value)
        if kind is float:
            return value  # type: ignore[return-value]
        if kind is int:
            return float(value)  # type: ignore[arg-type]
        return _to_float(value)

    def definition(self, value: object) -> ev.DefNumber:
        """The ``defNumber`` event member."""
        return ev.DefNumber(
            name=self.name,
            label=self.label or self.name,
            format=self.format,
            min=self.min,
            max=self.max,
            step=self.step,
            value=float(value),  # type: ignore[arg-type]
        )

    def limited(self) -> bool:
        """True when ``[min, max]`` bounds the value (``min < max``)."""
        return self.min < self.max


@dataclass(slots=True)
class Text(Member):
    """A text member; its value is ``str``."""

    kind: ClassVar[str] = "Text"

    def default(self) -> object:
        """Texts start empty."""
        return ""

    def coerce(self, value: object) -> str:
        """Coerce to ``str`` (bytes are decoded as UTF-8)."""
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        return str(value)

    def definition(self, value: object) -> ev.DefText:
        """The ``defText`` event member."""
        return ev.DefText(name=self.name, label=self.label or self.name, value=str(value))


@dataclass(slots=True)
class Light(Member):
    """A light member; its value is a :class:`State` (plain strings accepted)."""

    kind: ClassVar[str] = "Light"

    def default(self) -> object:
        """Lights start Idle."""
        return State.IDLE

    def coerce(self, value: object) -> State:
        """Coerce to :class:`State`."""
        return State.coerce(value)

    def definition(self, value: object) -> ev.DefLight:
        """The ``defLight`` event member."""
        return ev.DefLight(name=self.name, label=self.label or self.name, value=State.coerce(value))


@dataclass(slots=True)
class Blob(Member):
    """A BLOB member; its value is ``bytes`` (a path is read when sent).

    ``format`` is the default format suffix (e.g. ``".fits"``) used when a value
    is sent without one.
    """

    kind: ClassVar[str] = "BLOB"
    format: str = ""

    def default(self) -> object:
        """BLOBs start empty."""
        return b""

    def coerce(self, value: object) -> object:
        """Keep bytes-like values and paths as they are (paths are read when sent)."""
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        if isinstance(value, str) or hasattr(value, "__fspath__"):
            return value
        raise InvalidValue(f"BLOB value must be bytes or a path, not {type(value).__name__}")

    def definition(self, value: object) -> ev.DefBLOB:
        """The ``defBLOB`` event member."""
        return ev.DefBLOB(name=self.name, label=self.label or self.name)


def _to_float(value: object) -> float:
    if isinstance(value, bool):
        raise InvalidValue(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_number(value)
    raise InvalidValue(f"{value!r} is not a number")


#: Member class per kind word.
MEMBER_CLASSES: dict[str, type[Member]] = {
    cls.kind: cls for cls in (Switch, Number, Text, Light, Blob)
}
