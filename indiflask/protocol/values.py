"""INDI value vocabularies: states, permissions, switch rules, BLOB modes, timestamps.

Enum members are UPPER and their values are the INDI spelling, so
``State.OK == "Ok"``. Every enum also accepts its member name in any case, so
``State("OK")``, ``State("ok")`` and ``State("Ok")`` are all ``State.OK``.

Switch members are ``bool`` in Python and ``On``/``Off`` on the wire;
:func:`parse_switch` and :func:`format_switch` convert.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Self

from ..errors import InvalidValue

__all__ = [
    "BlobMode",
    "Perm",
    "Rule",
    "State",
    "format_switch",
    "format_timestamp",
    "parse_switch",
    "parse_timestamp",
    "to_bool",
]


class _IndiEnum(enum.StrEnum):
    """A StrEnum whose lookup also accepts member names, case-insensitively."""

    @classmethod
    def _missing_(cls, value: object) -> _IndiEnum | None:
        if isinstance(value, str):
            folded = value.strip().replace(" ", "").replace("_", "").lower()
            for member in cls:
                if folded in (member.name.replace("_", "").lower(), member.value.lower()):
                    return member
        return None

    @classmethod
    def coerce(cls, value: object) -> Self:
        """Return the member for ``value``; raise :class:`InvalidValue` if there is none."""
        try:
            return cls(value)  # type: ignore[arg-type]
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise InvalidValue(f"{value!r} is not a valid {cls.__name__} (use {allowed})") from None


class State(_IndiEnum):
    """A property's state (and a light's value)."""

    IDLE = "Idle"
    OK = "Ok"
    BUSY = "Busy"
    ALERT = "Alert"


class Perm(_IndiEnum):
    """A property's permission, as seen from the client."""

    RO = "ro"
    WO = "wo"
    RW = "rw"


class Rule(_IndiEnum):
    """A switch vector's rule."""

    ONE_OF_MANY = "OneOfMany"
    AT_MOST_ONE = "AtMostOne"
    ANY_OF_MANY = "AnyOfMany"


class BlobMode(_IndiEnum):
    """A client's BLOB delivery choice (``enableBLOB``)."""

    NEVER = "Never"
    ALSO = "Also"
    ONLY = "Only"


_TRUE_WORDS = frozenset({"on", "true", "1", "yes"})
_FALSE_WORDS = frozenset({"off", "false", "0", "no"})


def parse_switch(text: str) -> bool:
    """Parse a switch value from the wire (``On``/``Off``, case-insensitive, trimmed).

    :raises InvalidValue: for anything else.
    """
    word = text.strip()
    if word == "On":
        return True
    if word == "Off":
        return False
    low = word.lower()
    if low == "on":
        return True
    if low == "off":
        return False
    raise InvalidValue(f"switch value {text!r} is neither On nor Off")


def format_switch(value: bool) -> str:
    """Return ``"On"`` or ``"Off"``."""
    return "On" if value else "Off"


def to_bool(value: object) -> bool:
    """Coerce a user-supplied switch value (``bool``, ``"On"``/``"Off"``, 0/1) to ``bool``.

    :raises InvalidValue: for values that are not clearly on or off.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE_WORDS:
            return True
        if low in _FALSE_WORDS:
            return False
    raise InvalidValue(f"{value!r} is not a switch value (use True/False or 'On'/'Off')")


def format_timestamp(when: datetime) -> str:
    """Format a UTC timestamp the INDI way: ``YYYY-MM-DDTHH:MM:SS`` (no zone).

    Naive datetimes are taken as UTC; aware ones are converted to UTC.
    Whole seconds are written, as libindi does.
    """
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def parse_timestamp(text: str) -> datetime:
    """Parse an INDI timestamp (``YYYY-MM-DDTHH:MM:SS[.f…]``, trailing ``Z`` tolerated).

    :returns: an aware UTC datetime.
    :raises InvalidValue: when the text is not such a timestamp.
    """
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1]
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(f"timestamp {text!r} is not YYYY-MM-DDTHH:MM:SS") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
