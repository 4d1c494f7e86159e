"""Live property state, sans-IO: values, state, message, and what a change transaction tracks.

:class:`PropertyModel` is the part of a property that the driver core reasons
about: its declaration (kind, perm, rule, members), its current values, state
and message, the change transaction open on it (if any), and what was
assigned since its last update went out. It builds the ``def*Vector`` and
``set*Vector`` events that describe it; it never sends them (the user-facing
:class:`~indiflask.Property` adds sending) and never reads a clock (the device
it belongs to gives timestamps).

Messages
--------

``prop.message`` is the message of the last update, or the one waiting to go
with the next update: assigning it (``prop.message = "moving"``) sets the
message of the next update, which then goes out with it once; an update sent
without a message carries none.

Answers to changes
------------------

While a client's change transaction is open on a property, every update of
that property is part of the change's answer and carries the timestamp the
client gave its change (when it gave a valid one), so that the client can tell
the answer to *its* change apart from other traffic. See
:mod:`indiflask.core.transaction`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from ..errors import SetupError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.values import Perm, Rule, State
from .members import Member

__all__ = ["OpenChange", "Owner", "PropertyModel", "valid_stamp"]

#: A timestamp a client may give its change (INDI's form, optional fraction).
_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?$")


def valid_stamp(text: str | None) -> str | None:
    """Return ``text`` if it is an INDI timestamp a driver may echo, else ``None``."""
    if text is not None and len(text) <= 40 and _STAMP.match(text):
        return text
    return None


class Owner(Protocol):
    """What a property needs of the device it belongs to."""

    @property
    def name(self) -> str:
        """The device name."""

    def timestamp(self) -> str:
        """The current INDI timestamp text."""


class OpenChange(Protocol):
    """What a property knows of the change transaction open on it."""

    #: The timestamp the client gave its change (answers carry it), if valid.
    stamp: str | None
    #: Updates of the property sent while the change is open.
    updates: int


class PropertyModel:
    """One property's declaration and live state, without any I/O.

    :param device: the device the property belongs to.
    :param kind: ``"Switch"``, ``"Number"``, ``"Text"``, ``"Light"`` or ``"BLOB"``.
    :param name: the INDI property name.
    :param members: the member declarations, in order.
    """

    def __init__(
        self,
        device: Owner,
        kind: str,
        name: str,
        members: list[Member],
        *,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        rule: Rule | str = Rule.ONE_OF_MANY,
        timeout: float = 0.0,
    ) -> None:
        #: The device this property belongs to.
        self.device = device
        #: ``"Switch"``, ``"Number"``, ``"Text"``, ``"Light"`` or ``"BLOB"``.
        self.kind = kind
        #: The INDI property name.
        self.name = name
        #: Shown by clients instead of the name.
        self.label = label or name
        #: Clients show properties of one group together (often as a tab).
        self.group = group
        self._state = State.coerce(state)
        #: Who may write: ``ro``, ``wo`` or ``rw`` (lights are always ``ro``).
        self.perm = Perm.RO if kind == "Light" else Perm.coerce(perm)
        #: The switch rule (switch properties only).
        self.rule = Rule.coerce(rule)
        #: Worst-case seconds a change takes (a hint for clients).
        self.timeout = float(timeout)
        #: The change handler, if any.
        self.handler: Callable[..., Any] | None = None
        #: The change transaction open on this property, if any.
        self.txn: OpenChange | None = None
        self._members: dict[str, Member] = {}
        for member in members:
            if member.name in self._members:
                raise SetupError(f"property {name!r} declares member {member.name!r} twice")
            self._members[member.name] = member
        self._values: dict[str, Any] = {m.name: m.value for m in members}
        #: Per BLOB member, the format of its current value.
        self.formats: dict[str, str] = {
            m.name: getattr(m, "format", "") for m in members if kind == "BLOB"
        }
        self._message: str | None = None
        self._message_pending = False
        self._defined = True
        #: Something (a value, the state, the message) was assigned since the last update.
        self.dirty = False
        #: Members assigned while a transaction is open (``None`` when none is).
        self.assigned: set[str] | None = None
        #: The state was assigned while a transaction is open.
        self.state_assigned = False

    # ----------------------------------------------------------------- values
    @property
    def members(self) -> Mapping[str, Member]:
        """Member declarations by name, in order."""
        return MappingProxyType(self._members)

    @property
    def values(self) -> Mapping[str, Any]:
        """A read-only view of the current values by member name."""
        return MappingProxyType(self._values)

    def __getitem__(self, member: str) -> Any:
        try:
            return self._values[member]
        except KeyError:
            raise KeyError(f"{self.device.name}.{self.name} has no member {member!r}") from None

    def __setitem__(self, member: str, value: Any) -> None:
        decl = self._members.get(member)
        if decl is None:
            raise KeyError(f"{self.device.name}.{self.name} has no member {member!r}")
        self._values[member] = decl.coerce(value)
        self.dirty = True
        if self.assigned is not None:
            self.assigned.add(member)

    def __contains__(self, member: object) -> bool:
        return member in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    @property
    def state(self) -> State:
        """The INDI state: ``Idle``, ``Ok``, ``Busy`` or ``Alert`` (strings accepted)."""
        return self._state

    @state.setter
    def state(self, value: State | str) -> None:
        self._state = State.coerce(value)
        self.dirty = True
        self.state_assigned = True

    @property
    def message(self) -> str | None:
        """The message of the last update, or the one set for the next update."""
        return self._message

    @message.setter
    def message(self, text: str | None) -> None:
        self._message = text
        self._message_pending = True
        self.dirty = True

    @property
    def defined(self) -> bool:
        """False after the property was deleted, until it is defined again."""
        return self._defined

    @defined.setter
    def defined(self, value: bool) -> None:
        self._defined = value

    @property
    def running(self) -> bool:
        """True while a client's change of this property is being handled."""
        return self.txn is not None

    def apply(
        self, values: Mapping[str, Any], skip: set[str] | frozenset[str] = frozenset()
    ) -> None:
        """Set several members at once, except those named in ``skip``; marks changes dirty."""
        current = self._values
        for name, value in values.items():
            if name not in skip and current.get(name) != value:
                current[name] = value
                self.dirty = True

    def set_state(self, state: State) -> None:
        """Set the state without counting it as the handler's assignment (core use)."""
        if state is not self._state:
            self._state = state
            self.dirty = True

    # ------------------------------------------------------------------ events
    def definition(self) -> ev.DefVector:
        """The ``def*Vector`` event describing this property with its current values."""
        members = tuple(m.definition(self._values[n]) for n, m in self._members.items())
        common: dict[str, Any] = {
            "device": self.device.name,
            "name": self.name,
            "label": self.label,
            "group": self.group,
            "state": self._state,
            "timestamp": self.device.timestamp(),
            "message": self._message,
            "members": members,
        }
        if self.kind == "Light":
            return ev.DefLightVector(**common)
        common["perm"] = self.perm
        common["timeout"] = self.timeout
        if self.kind == "Switch":
            return ev.DefSwitchVector(rule=self.rule, **common)
        cls = ev.VECTOR_CLASSES[self.kind][0]
        return cls(**common)

    def update_event(self, message: str | None = None, stamp: str | None = None) -> ev.SetVector:
        """The ``set*Vector`` with current values and state, and the message for this update.

        ``message`` given: it is the update's message. Otherwise the message set
        with ``prop.message = ...`` since the last update goes out, once. While a
        change transaction is open, the update carries the change's timestamp;
        ``stamp`` overrides the timestamp.
        """
        if message is None and self._message_pending:
            message = self._message
        self._message = message
        self._message_pending = False
        self.dirty = False
        txn = self.txn
        if txn is not None:
            txn.updates += 1
            stamp = stamp or txn.stamp
        if stamp is None:
            stamp = self.device.timestamp()
        if self.kind == "BLOB":
            values: dict[str, Any] = {
                name: self.blob_value(name, data) for name, data in self._values.items()
            }
        else:
            values = self._values.copy()
        kind = self.kind
        timeout = None if kind == "Light" else self.timeout
        return _SET_BUILDERS[kind](  # type: ignore[return-value]
            self.device.name, self.name, self._state, timeout, stamp, message, values,
            *_SET_EXTRA[kind],
        )  # fmt: skip

    def blob_value(self, member: str, data: Any) -> BlobValue:
        """Encode a BLOB member's value for the wire (bytes; subclasses may accept paths)."""
        if isinstance(data, BlobValue):
            return data
        return BlobValue.from_bytes(bytes(data), self.formats.get(member, ""))

    def alert(self, reason: str, stamp: str | None = None) -> ev.SetVector:
        """Set state Alert with ``reason`` as the message; return the update to send.

        :param stamp: the timestamp of the update (the refused change's, to echo it).
        """
        self._state = State.ALERT
        return self.update_event(reason, stamp)

    def __repr__(self) -> str:
        return f"<{self.kind}Property {self.device.name}.{self.name} {self._state.value}>"


_SET_FIELDS = ("device", "name", "state", "timeout", "timestamp", "message", "values")

_SET_EXTRA: dict[str, tuple[None, ...]] = {
    kind: (None,) if classes[1] is ev.SetNumberVector else ()  # libindi's limits: never ours
    for kind, classes in ev.VECTOR_CLASSES.items()
}

#: Fast constructors of each kind's ``set*Vector`` (sending updates is a hot path);
#: they take the common fields, then ``_SET_EXTRA[kind]``.
_SET_BUILDERS: dict[str, Callable[..., ev.Event]] = {
    kind: ev.positional_builder(classes[1], _SET_FIELDS + ("limits",) * len(_SET_EXTRA[kind]))
    for kind, classes in ev.VECTOR_CLASSES.items()
}
