"""Live property objects: what ``app.switch(...)`` and friends return.

A :class:`Property` holds its members' current values, its state, message and
metadata. Item access reads and sets member values (nothing is sent);
:meth:`Property.send` sends a ``set*Vector`` to every client that should have
it, and is safe to call from any thread. Used as a decorator, a property takes
the decorated function as the handler of clients' changes and returns itself::

    @app.switch("LED", members={"ON": False, "OFF": True})
    def led(change):
        ...

    led["ON"]          # -> False (the module-level name is the property)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..core.checks import CheckedChange
from ..core.members import MEMBER_CLASSES, Member
from ..errors import InvalidValue, SetupError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.values import Perm, Rule, State

if TYPE_CHECKING:
    from .device import Device

__all__ = ["Change", "Handler", "Property"]

#: A change handler: ``fn(change)``, plain or ``async def``; it may return a
#: state, a mapping of real values, or nothing.
Handler = Callable[["Change"], Any]


class Change(Mapping[str, Any]):
    """A client's change as a handler sees it.

    Maps **every** member to the value it will hold if the change is accepted;
    :attr:`sent` holds only the members the client sent.
    """

    __slots__ = ("_values", "device", "formats", "property", "sent")

    def __init__(self, prop: Property, checked: CheckedChange) -> None:
        self._values = checked.values
        #: Only the members the client sent, converted to Python values.
        self.sent: Mapping[str, Any] = MappingProxyType(checked.sent)
        #: For BLOB uploads: the format the client gave, per member.
        self.formats: Mapping[str, str] = MappingProxyType(checked.formats)
        #: The property being changed.
        self.property = prop
        #: The device the property belongs to.
        self.device = prop.device

    @property
    def format(self) -> str:
        """For a BLOB upload: the format of the (first) uploaded member."""
        return next(iter(self.formats.values()), "")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Change({self.property.device.name}.{self.property.name}, sent={dict(self.sent)})"


class Property:
    """A live INDI property (vector): members' values, state, message and metadata.

    Created by the declaration methods of :class:`~indiflask.App` and
    :class:`~indiflask.driver.device.Device`; not usually instantiated directly.
    """

    def __init__(
        self,
        device: Device,
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
        #: The message of the last update (e.g. why a change was refused).
        self.message: str | None = None
        #: The change handler, if any (set by using the property as a decorator).
        self.handler: Handler | None = None
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
        self._defined = True
        self._running = False
        self._assigned: set[str] | None = None
        self._state_assigned = False

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
        if self._assigned is not None:
            self._assigned.add(member)

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
        self._state_assigned = True

    @property
    def defined(self) -> bool:
        """False after :meth:`delete`, until :meth:`define`."""
        return self._defined

    @property
    def running(self) -> bool:
        """True while a handler for a client's change is running."""
        return self._running

    # ------------------------------------------------------------- decorator
    def __call__(self, handler: Handler) -> Property:
        """Attach ``handler`` as this property's change handler and return the property."""
        if not callable(handler):
            raise SetupError(f"{self.name}: a handler must be callable, not {handler!r}")
        if self.perm is Perm.RO:
            raise SetupError(
                f"property {self.name!r} is read-only (perm='ro'), so clients cannot change "
                f"it and {getattr(handler, '__name__', 'the function')} would never run; "
                "declare it with perm='rw' or 'wo', or drop the decorator"
            )
        if self.handler is not None:
            raise SetupError(f"property {self.name!r} already has a handler")
        self.handler = handler
        return self

    # --------------------------------------------------------------- events
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
            "message": self.message,
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

    def update(self, message: str | None = None) -> ev.SetVector:
        """The ``set*Vector`` event with current values, state and ``message``."""
        self.message = message
        if self.kind == "BLOB":
            values: dict[str, Any] = {
                name: self._blob_value(name, data) for name, data in self._values.items()
            }
        else:
            values = self._values.copy()
        timeout = None if self.kind == "Light" else self.timeout
        kind = self.kind
        return _SET_BUILDERS[kind](  # type: ignore[return-value]
            self.device.name,
            self.name,
            self._state,
            timeout,
            self.device.clock(),
            message,
            values,
            *_SET_EXTRA[kind],
        )

    def _blob_value(self, member: str, data: Any) -> BlobValue:
        if isinstance(data, BlobValue):
            return data
        fmt = self.formats.get(member, "")
        if isinstance(data, str) or hasattr(data, "__fspath__"):
            path = os.fspath(data)
            if not fmt:
                fmt = os.path.splitext(path)[1]
            with open(path, "rb") as fh:
                data = fh.read()
        return BlobValue.from_bytes(data, fmt)

    def alert(self, reason: str) -> ev.SetVector:
        """Set state Alert with ``reason`` as the message; return the update to send."""
        self._state = State.ALERT
        return self.update(reason)

    # ------------------------------------------------------------- sending
    def send(self, message: str | None = None) -> None:
        """Send ``set*Vector`` with the current values to every client that should have it.

        Every call sends (no change suppression). Safe to call from handlers,
        hardware functions and other threads.
        """
        if not self._defined:
            raise InvalidValue(
                f"{self.device.name}.{self.name} is deleted; call define() before send()"
            )
        self.device.emit(self.update(message))

    def set_blob(self, member: str, data: bytes | str | os.PathLike[str], format: str = "") -> None:
        """Set a BLOB member's data and (optionally) its format, e.g. ``".fits"``."""
        self[member] = data
        if format:
            self.formats[member] = format

    def define(self) -> None:
        """Define (or redefine) this property at run time: clients get ``def*Vector``."""
        self._defined = True
        self.device.emit(self.definition())

    def delete(self, message: str | None = None) -> None:
        """Send ``delProperty``; the property is left out of ``getProperties`` answers."""
        self._defined = False
        self.device.emit(
            ev.DelProperty(
                device=self.device.name,
                name=self.name,
                timestamp=self.device.timestamp(),
                message=message,
            )
        )

    # --------------------------------------------------- handler bookkeeping
    def begin_change(self) -> None:
        """Mark a handler as running; start tracking what it assigns (runtime use)."""
        self._running = True
        self._assigned = set()
        self._state_assigned = False

    def finish_change(
        self, change: CheckedChange, result: object, error: str | None
    ) -> ev.SetVector:
        """Apply a handler's outcome and return the update to send (runtime use).

        ``error`` set: values unchanged, state Alert with that message. Otherwise
        the changed values are applied (except members the handler assigned
        itself, and replaced by ``result`` if it is a mapping); the state becomes
        ``result`` if it is a state, stays what the handler set if that is Alert or
        Idle, and is Ok otherwise.
        """
        assigned = self._assigned or set()
        state_assigned = self._state_assigned
        self._running = False
        self._assigned = None
        if error is not None:
            return self.alert(error)
        for name, value in change.values.items():
            if name not in assigned:
                self._values[name] = value
        for name, fmt in change.formats.items():
            if fmt:
                self.formats[name] = fmt
        new_state = State.OK
        if isinstance(result, Mapping):
            for name, value in result.items():
                self[name] = value
        elif isinstance(result, str) and result:
            new_state = State.coerce(result)
        elif state_assigned and self._state in (State.ALERT, State.IDLE):
            new_state = self._state
        self._state = new_state
        return self.update(self.message if state_assigned else None)

    def __repr__(self) -> str:
        return f"<{self.kind}Property {self.device.name}.{self.name} {self._state.value}>"


def make_members(kind: str, members: object) -> list[Member]:
    """Build member declarations from a list of members, a list of names, or a dict."""
    cls = MEMBER_CLASSES[kind]
    if isinstance(members, Mapping):
        return [cls(name=str(n), value=v) for n, v in members.items()]
    if isinstance(members, list | tuple):
        built: list[Member] = []
        for item in members:
            if isinstance(item, Member):
                if item.kind != kind:
                    raise SetupError(
                        f"a {type(item).__name__} member cannot belong to a {kind} property"
                    )
                built.append(item)
            elif isinstance(item, str):
                built.append(cls(name=item))
            else:
                raise SetupError(f"members must be {cls.__name__} objects or names, not {item!r}")
        if not built:
            raise SetupError("a property needs at least one member")
        return built
    raise SetupError(
        f"members= takes a list of members, a list of names or a dict, not {members!r}"
    )


_SET_FIELDS = ("device", "name", "state", "timeout", "timestamp", "message", "values")


_SET_EXTRA: dict[str, tuple[None, ...]] = {
    kind: (None,) if classes[1] is ev.SetNumberVector else ()  # libindi's limits: never ours
    for kind, classes in ev.VECTOR_CLASSES.items()
}

#: Fast constructors of each kind's ``set*Vector`` (``Property.send`` is a hot path);
#: they take the common fields, then ``_SET_EXTRA[kind]``.
_SET_BUILDERS: dict[str, Callable[..., ev.Event]] = {
    kind: ev.positional_builder(classes[1], _SET_FIELDS + ("limits",) * len(_SET_EXTRA[kind]))
    for kind, classes in ev.VECTOR_CLASSES.items()
}
