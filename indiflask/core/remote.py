"""A client's mirror of remote devices, built from the ``def``/``set``/``del`` it receives.

Used by the test client and the client library. :class:`Mirror.apply` takes
any event from a server; the mirror then holds every device, property and
member with typed values (numbers ``float``, switches ``bool``, lights
:class:`~indiflask.values.State`, texts ``str``, BLOBs
:class:`~indiflask.blobs.BlobValue`) plus state, message and timestamp.

Rules (INDI-PROTOCOL.md §4.1): a ``def`` for a known property replaces it; a
``set`` for an unknown property is ignored; a ``set`` may carry a subset of
members; ``delProperty`` drops the property, or the whole device without a name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..numbers import format_number
from ..protocol import events as ev
from ..values import Perm, Rule, State

__all__ = ["Mirror", "RemoteDevice", "RemoteProperty"]


class RemoteProperty(Mapping[str, Any]):
    """A mirrored property: item access gives typed member values."""

    def __init__(self, definition: ev.DefVector) -> None:
        #: The device name.
        self.device = definition.device
        #: The property name.
        self.name = definition.name
        #: ``"Switch"``, ``"Number"``, ``"Text"``, ``"Light"`` or ``"BLOB"``.
        self.kind = definition.kind
        self.values: dict[str, Any] = {}
        self.define(definition)

    def define(self, definition: ev.DefVector) -> None:
        """Replace metadata and values from a (re)definition."""
        #: The last definition received.
        self.definition = definition
        #: Label, group, state, permission, rule, timeout, timestamp and message.
        self.label = definition.label or definition.name
        self.group = definition.group or ""
        self.state: State = definition.state
        self.perm: Perm = getattr(definition, "perm", Perm.RO)
        self.rule: Rule | None = getattr(definition, "rule", None)
        self.timeout = definition.timeout
        self.timestamp = definition.timestamp
        self.message = definition.message
        #: Member definitions by name, in order.
        self.members: dict[str, ev.DefMember] = {m.name: m for m in definition.members}
        self.values = {m.name: getattr(m, "value", None) for m in definition.members}

    def update(self, event: ev.SetVector) -> None:
        """Apply a ``set*`` (members it names only; unknown members ignored)."""
        for name, value in event.values.items():
            if name in self.values:
                self.values[name] = value
        if event.state is not None:
            self.state = event.state
        if event.timeout is not None:
            self.timeout = event.timeout
        if event.timestamp is not None:
            self.timestamp = event.timestamp
        self.message = event.message
        if isinstance(event, ev.SetNumberVector) and event.limits:
            self._update_limits(event.limits)

    def _update_limits(self, limits: Mapping[str, ev.NumberLimits]) -> None:
        for name, (low, high, step) in limits.items():
            member = self.members.get(name)
            if isinstance(member, ev.DefNumber):
                self.members[name] = ev.DefNumber(
                    name=member.name, label=member.label, format=member.format,
                    min=member.min if low is None else low,
                    max=member.max if high is None else high,
                    step=member.step if step is None else step, value=member.value,
                )

    def formatted(self, member: str) -> str:
        """The member's value as a client displays it (numbers with their INDI format)."""
        value = self.values[member]
        decl = self.members[member]
        if isinstance(decl, ev.DefNumber):
            return format_number(float(value), decl.format)
        if isinstance(value, bool):
            return "On" if value else "Off"
        if value is None:
            return ""
        return str(value)

    def __getitem__(self, member: str) -> Any:
        try:
            value = self.values[member]
        except KeyError:
            raise KeyError(f"{self.device}.{self.name} has no member {member!r}") from None
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"<RemoteProperty {self.device}.{self.name} {self.state.value} {self.values}>"


class RemoteDevice(Mapping[str, RemoteProperty]):
    """A mirrored device: a mapping of property name to :class:`RemoteProperty`."""

    def __init__(self, name: str) -> None:
        #: The device name.
        self.name = name
        self._properties: dict[str, RemoteProperty] = {}

    def __getitem__(self, name: str) -> RemoteProperty:
        try:
            return self._properties[name]
        except KeyError:
            raise KeyError(f"device {self.name!r} has no property {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._properties)

    def __len__(self) -> int:
        return len(self._properties)


class Mirror(Mapping[str, RemoteDevice]):
    """Every device a client has learned about, kept current by :meth:`apply`."""

    def __init__(self) -> None:
        self._devices: dict[str, RemoteDevice] = {}
        #: Messages received, oldest first: (device or None, timestamp, text).
        self.messages: list[tuple[str | None, str | None, str]] = []

    def apply(self, event: ev.Event) -> RemoteProperty | None:
        """Apply one event; return the property it touched, if any."""
        if isinstance(event, ev.SetVector):
            dev = self._devices.get(event.device)
            prop = dev._properties.get(event.name) if dev is not None else None  # noqa: SLF001
            if prop is None or prop.kind != event.kind:
                return None
            prop.update(event)
            if event.message:
                self.messages.append((event.device, event.timestamp, event.message))
            return prop
        if isinstance(event, ev.DefVector):
            dev = self._devices.get(event.device)
            if dev is None:
                dev = self._devices[event.device] = RemoteDevice(event.device)
            prop = dev._properties.get(event.name)  # noqa: SLF001
            if prop is None or prop.kind != event.kind:
                prop = dev._properties[event.name] = RemoteProperty(event)  # noqa: SLF001
            else:
                prop.define(event)
            return prop
        if isinstance(event, ev.DelProperty):
            if event.name is None:
                self._devices.pop(event.device, None)
            else:
                dev = self._devices.get(event.device)
                if dev is not None:
                    dev._properties.pop(event.name, None)  # noqa: SLF001
            if event.message:
                self.messages.append((event.device, event.timestamp, event.message))
            return None
        if isinstance(event, ev.Message) and event.message is not None:
            self.messages.append((event.device, event.timestamp, event.message))
        return None

    def get_property(self, device: str, name: str) -> RemoteProperty | None:
        """The mirrored property, or ``None`` when it is not (or no longer) defined."""
        dev = self._devices.get(device)
        return dev._properties.get(name) if dev is not None else None  # noqa: SLF001

    def __getitem__(self, name: str) -> RemoteDevice:
        try:
            return self._devices[name]
        except KeyError:
            raise KeyError(f"no device {name!r} has been defined") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._devices)

    def __len__(self) -> int:
        return len(self._devices)
