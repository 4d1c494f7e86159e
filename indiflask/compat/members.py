"""indipydriver-style members: :class:`SwitchMember`, :class:`NumberMember` and friends.

Values are kept the way indipydriver drivers expect them: switches ``"On"`` /
``"Off"``, lights ``"Idle"``/``"Ok"``/``"Busy"``/``"Alert"``, numbers as the text
that will travel on the wire, texts as ``str`` and BLOBs as bytes, a path or a
file-like object. Each member turns itself into indiflask's typed protocol
events when its vector is sent; parsing and display formatting are indiflask's
(:mod:`indiflask.protocol.numbers`).
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

from ..errors import InvalidValue
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.numbers import format_number, parse_number
from ..protocol.values import State

__all__ = [
    "BLOBMember",
    "LightMember",
    "NumberMember",
    "PropertyMember",
    "SwitchMember",
    "TextMember",
    "getfloat",
]

_STATES = ("Idle", "Ok", "Busy", "Alert")


def getfloat(value: object) -> float:
    """Return ``value`` (an INDI number: decimal or sexagesimal text, or a number) as a float.

    :raises TypeError: when the value is not an INDI number (indipydriver's choice of error).
    """
    if isinstance(value, bool):
        raise TypeError("Unable to parse number value")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise TypeError("Unable to parse number value")
    try:
        return parse_number(value) if value.strip() else 0.0
    except InvalidValue:
        raise TypeError("Unable to parse number value") from None


def _check(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"Value {value!r} is not one of {', '.join(allowed)}")
    return str(value)


class PropertyMember:
    """Base class of the five member classes: a name, a label and a ``changed`` flag.

    :param name: the member name (ASCII).
    :param label: shown by clients (defaults to the name).
    """

    def __init__(self, name: str, label: str | None = None) -> None:
        if not name.isascii():
            raise ValueError("Member name should be all ascii characters.")
        #: The member name.
        self.name = name
        #: The label clients show.
        self.label = label or name
        #: True when the value changed since it was last sent.
        self.changed = True
        self._membervalue: Any = None

    @property
    def membervalue(self) -> Any:
        """The member's current value, in indipydriver's representation."""
        return self._membervalue

    @membervalue.setter
    def membervalue(self, value: Any) -> None:
        value = self._accept(value)
        if value != self._membervalue:
            self.changed = True
            self._membervalue = value

    def checkvalue(self, value: object, allowed: list[str]) -> object:
        """Return ``value`` if it is one of ``allowed``, else raise :class:`ValueError`."""
        return _check(value, tuple(allowed))

    def _accept(self, value: Any) -> Any:
        return value

    def _definition(self) -> ev.DefMember:  # pragma: no cover - overridden
        raise NotImplementedError

    def _wire_value(self) -> object:
        return self._membervalue


class SwitchMember(PropertyMember):
    """A switch: ``membervalue`` is ``"On"`` or ``"Off"``."""

    def __init__(self, name: str, label: str | None = None, membervalue: str = "Off") -> None:
        super().__init__(name, label)
        self._membervalue = _check(membervalue, ("On", "Off"))

    def _accept(self, value: Any) -> Any:
        if not value:
            raise ValueError(f"The SwitchMember {self.name} value cannot be empty")
        return _check(value, ("On", "Off"))

    def _definition(self) -> ev.DefSwitch:
        return ev.DefSwitch(name=self.name, label=self.label, value=self._membervalue == "On")

    def _wire_value(self) -> bool:
        return bool(self._membervalue == "On")


class LightMember(PropertyMember):
    """A light: ``membervalue`` is ``"Idle"``, ``"Ok"``, ``"Busy"`` or ``"Alert"``."""

    def __init__(self, name: str, label: str | None = None, membervalue: str = "Idle") -> None:
        super().__init__(name, label)
        self._membervalue = _check(membervalue, _STATES)

    def _accept(self, value: Any) -> Any:
        if not value:
            raise ValueError(f"The LightMember {self.name} value cannot be empty")
        return _check(value, _STATES)

    def _definition(self) -> ev.DefLight:
        return ev.DefLight(name=self.name, label=self.label, value=State(self._membervalue))

    def _wire_value(self) -> State:
        return State(self._membervalue)


class TextMember(PropertyMember):
    """A text: ``membervalue`` is a string."""

    def __init__(self, name: str, label: str | None = None, membervalue: str = "") -> None:
        super().__init__(name, label)
        self._membervalue = membervalue

    def _definition(self) -> ev.DefText:
        return ev.DefText(name=self.name, label=self.label, value=str(self._membervalue))

    def _wire_value(self) -> str:
        return str(self._membervalue)


class NumberMember(PropertyMember):
    """A number, kept as text (decimal or sexagesimal); numbers given are stored as ``str()``.

    :param format: the display format (printf or INDI ``%m``), sent as given.
    :param min: the minimum; ``min == max`` means no limits.
    :param max: the maximum.
    :param step: the increment (``0``: none).
    """

    def __init__(
        self,
        name: str,
        label: str | None = None,
        format: str = "",
        min: object = "0",
        max: object = "0",
        step: object = "0",
        membervalue: object = "0",
    ) -> None:
        super().__init__(name, label)
        #: The display format.
        self.format = format
        #: The minimum, as text.
        self.min = str(min)
        #: The maximum, as text.
        self.max = str(max)
        #: The step, as text.
        self.step = str(step)
        self._membervalue = str(membervalue)

    def _accept(self, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)

    def getfloatvalue(self) -> float:
        """The value as a float (:raises TypeError: if it is not a number)."""
        return getfloat(self._membervalue)

    def getformattedvalue(self) -> str:
        """The value formatted with :attr:`format`, as a client would show it."""
        return self.format_number(getfloat(self._membervalue))

    def format_number(self, value: float) -> str:
        """Format ``value`` with this member's display format (``%m`` included)."""
        return format_number(value, self.format)

    def _definition(self) -> ev.DefNumber:
        return ev.DefNumber(
            name=self.name,
            label=self.label,
            format=self.format,
            min=getfloat(self.min),
            max=getfloat(self.max),
            step=getfloat(self.step),
            value=getfloat(self._membervalue),
        )

    def _wire_value(self) -> float:
        return getfloat(self._membervalue)


class BLOBMember(PropertyMember):
    """A BLOB: ``membervalue`` is bytes, a path (``str`` or :class:`pathlib.Path`) or a file.

    :param blobsize: the size to report (0: the length of the data).
    :param blobformat: the format, e.g. ``".jpeg"`` (empty: taken from a path's suffixes).
    """

    def __init__(
        self,
        name: str,
        label: str | None = None,
        blobsize: int = 0,
        blobformat: str = "",
        membervalue: object = None,
    ) -> None:
        super().__init__(name, label)
        if not isinstance(blobsize, int):
            raise ValueError(f"The BLOBMember {self.name} blobsize must be an integer object")
        #: The size to report; 0 means the length of the data.
        self.blobsize = blobsize
        #: The format sent with the data.
        self.blobformat = blobformat
        self._membervalue = membervalue

    @property
    def membervalue(self) -> Any:
        """The BLOB value: bytes, a path or a file-like object."""
        return self._membervalue

    @membervalue.setter
    def membervalue(self, value: Any) -> None:
        if not value:
            raise ValueError(f"The BLOBMember {self.name} value cannot be empty")
        self._membervalue = value
        self.changed = True

    @staticmethod
    def getbytes(value: object) -> bytes:
        """Return the bytes of a BLOB value (bytes, a path, or a file-like object, then closed).

        :raises ValueError: when the value cannot be read or is empty.
        """
        try:
            if isinstance(value, bytes | bytearray | memoryview):
                data = bytes(value)
            elif isinstance(value, str | os.PathLike):
                data = pathlib.Path(value).read_bytes()
            elif callable(getattr(value, "read", None)):
                value.seek(0)  # type: ignore[attr-defined]
                data = value.read()  # type: ignore[attr-defined]
                value.close()  # type: ignore[attr-defined]
            else:
                raise TypeError(type(value).__name__)
        except Exception as exc:
            raise ValueError(f"Unable to read the given BLOB value: {exc}") from None
        if not isinstance(data, bytes) or not data:
            raise ValueError("The BLOB value is empty or not bytes")
        return data

    def _format_for(self, value: object) -> str:
        if self.blobformat:
            return self.blobformat
        if isinstance(value, str | os.PathLike):
            return "".join(pathlib.Path(value).suffixes)
        return ""

    def _blob(self, data: bytes, source: object) -> BlobValue:
        value = BlobValue.from_bytes(data, self._format_for(source))
        if self.blobsize:
            return BlobValue(format=value.format, size=self.blobsize, b64=value.b64)
        return value

    def _definition(self) -> ev.DefBLOB:
        return ev.DefBLOB(name=self.name, label=self.label)
