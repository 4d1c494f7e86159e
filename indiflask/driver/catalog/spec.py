"""What a standard property is (:class:`StandardProperty`), and the catalogue's building helpers.

Each entry of the catalogue describes one property the way libindi (1.9.9,
Debian 12's) defines it: name, kind, label, group, permission, switch rule,
timeout and members in libindi's order, with libindi's labels, formats,
limits and initial values. A driver declares it without typing any of that::

    from indiflask import App
    from indiflask.driver.catalog import focuser

    app = App("Focuser", interfaces=["focuser"])

    @focuser.ABS_FOCUS_POSITION.declare(app, limits={"FOCUS_ABSOLUTE_POSITION": (0, 50000)})
    def move(change):
        ...

Entries are shared: never modify their members; :meth:`StandardProperty.new_members`
returns fresh copies, and :meth:`StandardProperty.declare` uses them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...core.members import Blob, Light, Member, Number, Switch, Text
from ...errors import SetupError
from ...protocol import events as ev
from ...protocol.values import Perm, Rule
from .interfaces import Interface

__all__ = [
    "ON_CONNECT",
    "START",
    "StandardProperty",
    "blob",
    "define",
    "light",
    "num",
    "sw",
    "txt",
]

#: :attr:`StandardProperty.defined`: libindi defines the property when the
#: driver starts (it is in the first ``getProperties`` answer).
START = "start"
#: :attr:`StandardProperty.defined`: libindi defines the property once the
#: device is connected, and deletes it on disconnect.
ON_CONNECT = "connect"

_DEFINE_EVENTS: dict[str, type[ev.DefVector]] = {
    "Switch": ev.DefSwitchVector,
    "Number": ev.DefNumberVector,
    "Text": ev.DefTextVector,
    "Light": ev.DefLightVector,
    "BLOB": ev.DefBLOBVector,
}


@dataclass(frozen=True, eq=False)
class StandardProperty:
    """One standard INDI property, as libindi defines it.

    Compared by identity: two entries of the same name (``GEOGRAPHIC_COORD`` of
    a mount and of a GPS) are different entries.
    """

    #: The INDI property name, e.g. ``"ABS_FOCUS_POSITION"``.
    name: str
    #: ``"Switch"``, ``"Number"``, ``"Text"``, ``"Light"`` or ``"BLOB"``.
    kind: str
    #: libindi's label (clients show it; free to change).
    label: str
    #: libindi's group (clients show a tab per group; free to change).
    group: str
    #: Who may write, seen from the client.
    perm: Perm
    #: The switch rule (``None`` for other kinds).
    rule: Rule | None
    #: libindi's timeout hint, in seconds.
    timeout: float
    #: The members in libindi's order (clients read some positionally). For
    #: :attr:`variable_members` properties, an example set.
    members: tuple[Member, ...]
    #: The interfaces this property belongs to; ``Interface(0)`` for the
    #: properties every device may have (``CONNECTION``, ``DEBUG``, ...).
    interfaces: Interface
    #: When libindi defines it: :data:`START` or :data:`ON_CONNECT`.
    defined: str
    #: Whether libindi saves it in the device's configuration file by default.
    saved: bool
    #: One line: what it is for and who reads it.
    summary: str
    #: The member set depends on the device (filter names, weather parameters,
    #: snooped devices, ...): only :attr:`member_pattern` is fixed.
    variable_members: bool = False
    #: For variable members, a regular expression every member name must match
    #: (``""``: any name).
    member_pattern: str = ""
    #: A driver may declare this writable property read-only (the client then
    #: only loses a feature, e.g. Ekos does not subframe a camera whose
    #: ``CCD_FRAME`` is read-only).
    ro_allowed: bool = False

    # ------------------------------------------------------------------ members
    @property
    def member_names(self) -> tuple[str, ...]:
        """The member names, in libindi's order."""
        return tuple(m.name for m in self.members)

    def member(self, name: str) -> Member | None:
        """The member called ``name``, or ``None``."""
        for m in self.members:
            if m.name == name:
                return m
        return None

    def accepts_member(self, name: str) -> bool:
        """Whether ``name`` is a valid member name for this property.

        For fixed members: one of :attr:`member_names`; for variable members:
        a name matching :attr:`member_pattern`.
        """
        if self.variable_members:
            return not self.member_pattern or re.fullmatch(self.member_pattern, name) is not None
        return name in self.member_names

    def new_members(
        self,
        values: Mapping[str, object] | None = None,
        *,
        limits: Mapping[str, Sequence[float]] | None = None,
    ) -> list[Member]:
        """Fresh copies of the members, ready for ``members=``.

        :param values: initial values by member name (the others keep libindi's).
        :param limits: for numbers, ``(min, max)`` or ``(min, max, step)`` by
            member name.
        :raises SetupError: for a member name this property does not have.
        """
        fresh = [copy.copy(m) for m in self.members]
        by_name = {m.name: m for m in fresh}
        for name, bounds in (limits or {}).items():
            member = self._find(by_name, name)
            if not isinstance(member, Number) or len(bounds) not in (2, 3):
                raise SetupError(
                    f"{self.name}: limits= takes (min, max) or (min, max, step) for number "
                    f"members, not {bounds!r} for {name!r}"
                )
            member.min, member.max = float(bounds[0]), float(bounds[1])
            if len(bounds) == 3:
                member.step = float(bounds[2])
            if member.min < member.max and not member.min <= float(member.value) <= member.max:  # type: ignore[arg-type]
                member.value = member.min
        for name, value in (values or {}).items():
            member = self._find(by_name, name)
            member.value = member.coerce(value)
        return fresh

    def _find(self, members: Mapping[str, Member], name: str) -> Member:
        found = members.get(name)
        if found is None:
            raise SetupError(
                f"{self.name} has no member {name!r} (its members: {', '.join(members)})"
            )
        return found

    # ------------------------------------------------------------------ use
    def declare(self, target: Any, **changes: Any) -> Any:
        """Declare this property on ``target`` (an App, a device or a DeviceTemplate).

        The same as ``target.standard(self, **changes)``; see
        :meth:`indiflask.App.standard` for the keywords (``members=``,
        ``values=``, ``limits=``, ``label=``, ...). Returns the property, usable
        as a decorator to attach its handler.
        """
        return target.standard(self, **changes)

    def definition(self, device: str) -> ev.DefVector:
        """The ``def*Vector`` libindi would send for this property on ``device``."""
        event_class = _DEFINE_EVENTS[self.kind]
        common: dict[str, Any] = {
            "device": device,
            "name": self.name,
            "label": self.label,
            "group": self.group,
            "timeout": self.timeout,
            "members": tuple(m.definition(m.value) for m in self.members),
        }
        if self.kind != "Light":
            common["perm"] = self.perm
        if self.rule is not None:
            common["rule"] = self.rule
        return event_class(**common)

    def __repr__(self) -> str:
        return f"<StandardProperty {self.name} ({self.kind}, {self.interfaces!r})>"


# --------------------------------------------------------------------- builders
def num(
    name: str, label: str, format: str, min: float, max: float, step: float, value: float
) -> Number:
    """A number member, arguments in libindi's ``IUFillNumber`` order."""
    return Number(name, label, value, format=format, min=min, max=max, step=step)


def sw(name: str, label: str, on: bool = False) -> Switch:
    """A switch member (Off unless ``on``)."""
    return Switch(name, label, on)


def txt(name: str, label: str, value: str = "") -> Text:
    """A text member."""
    return Text(name, label, value)


def light(name: str, label: str, state: str = "Idle") -> Light:
    """A light member."""
    return Light(name, label, state)


def blob(name: str, label: str, format: str = "") -> Blob:
    """A BLOB member."""
    return Blob(name, label, format=format)


def define(
    kind: str,
    name: str,
    label: str,
    group: str,
    *members: Member,
    interfaces: Interface,
    summary: str,
    perm: Perm | str = Perm.RW,
    rule: Rule | str | None = None,
    timeout: float = 60.0,
    defined: str = ON_CONNECT,
    saved: bool = False,
    variable_members: bool = False,
    member_pattern: str = "",
    ro_allowed: bool = False,
) -> StandardProperty:
    """Build a :class:`StandardProperty`, checking that it is consistent.

    Switches default to ``OneOfMany``; lights are read-only.
    """
    if kind not in _DEFINE_EVENTS:
        raise SetupError(f"{name}: unknown kind {kind!r}")
    for member in members:
        if member.kind != kind:
            raise SetupError(f"{name}: a {member.kind} member in a {kind} property")
    if kind == "Switch":
        rule = Rule.ONE_OF_MANY if rule is None else Rule.coerce(rule)
    elif rule is not None:
        raise SetupError(f"{name}: only switches have a rule")
    if defined not in (START, ON_CONNECT):
        raise SetupError(f"{name}: defined must be {START!r} or {ON_CONNECT!r}")
    return StandardProperty(
        name=name,
        kind=kind,
        label=label,
        group=group,
        perm=Perm.RO if kind == "Light" else Perm.coerce(perm),
        rule=rule,
        timeout=float(timeout),
        members=tuple(members),
        interfaces=interfaces,
        defined=defined,
        saved=saved,
        summary=summary,
        variable_members=variable_members,
        member_pattern=member_pattern,
        ro_allowed=ro_allowed,
    )
