"""A client's mirror of remote devices, built from the ``def``/``set``/``del`` it receives.

Used by the test client and the client library. :class:`Mirror.apply` takes
any event from a server; the mirror then holds every device, property and
member with typed values (numbers ``float``, switches ``bool``, lights
:class:`~indiflask.protocol.values.State`, texts ``str``, BLOBs
:class:`~indiflask.protocol.blobs.BlobValue`) plus state, message and timestamp.

Rules (the INDI protocol's): a ``def`` for a known property replaces it; a
``set`` for an unknown property is ignored; a ``set`` may carry a subset of
members; ``delProperty`` drops the property, or the whole device without a name.

Besides the typed values, a property can keep each member's value *as it was
written on the wire* (:attr:`RemoteProperty.wire`), when the caller of
:meth:`Mirror.apply` passes it: libindi's ``indi_getprop`` prints that text,
so ``indiflask get`` can match it byte for byte (``5.2000000000000001776``,
or a sexagesimal ``12:30:00`` as the driver sent it). :meth:`Mirror.snapshot`
turns the whole mirror into plain JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.numbers import format_number, number_to_wire
from ..protocol.values import Perm, Rule, State

__all__ = ["Mirror", "RemoteDevice", "RemoteProperty"]


class RemoteProperty(Mapping[str, Any]):
    """A mirrored property: item access gives typed member values.

    Numbers are ``float``, switches ``bool``, lights :class:`State`, texts
    ``str`` and BLOBs ``bytes`` (the decoded payload of the last
    ``setBLOBVector``; ``b""`` before any). :attr:`values` holds the stored
    values, where a BLOB member is its :class:`~indiflask.protocol.blobs.BlobValue` or
    ``None``.
    """

    def __init__(self, definition: ev.DefVector, wire: Mapping[str, str] | None = None) -> None:
        #: The device name.
        self.device = definition.device
        #: The property name.
        self.name = definition.name
        #: ``"Switch"``, ``"Number"``, ``"Text"``, ``"Light"`` or ``"BLOB"``.
        self.kind = definition.kind
        self.values: dict[str, Any] = {}  # type: ignore[assignment]
        #: Each member's value as last written on the wire, when the mirror was given it.
        self.wire: dict[str, str] = {}
        self.define(definition, wire)

    def define(self, definition: ev.DefVector, wire: Mapping[str, str] | None = None) -> None:
        """Replace metadata and values from a (re)definition.

        :param definition: the ``def*Vector``.
        :param wire: optional member texts exactly as received.
        """
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
        self.wire = {k: v for k, v in (wire or {}).items() if k in self.values}

    def update(self, event: ev.SetVector, wire: Mapping[str, str] | None = None) -> None:
        """Apply a ``set*`` (members it names only; unknown members ignored).

        :param event: the ``set*Vector``.
        :param wire: optional member texts exactly as received.
        """
        for name, value in event.values.items():
            if name in self.values:
                self.values[name] = value
                if wire is not None and name in wire:
                    self.wire[name] = wire[name]
                else:
                    self.wire.pop(name, None)
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
                    name=member.name,
                    label=member.label,
                    format=member.format,
                    min=member.min if low is None else low,
                    max=member.max if high is None else high,
                    step=member.step if step is None else step,
                    value=member.value,
                )

    def formatted(self, member: str) -> str:
        """The member's value as a client displays it (numbers with their INDI format)."""
        value = self.values[member]
        decl = self.members[member]
        if isinstance(decl, ev.DefNumber):
            try:
                return format_number(float(value), decl.format)
            except ValueError:  # a format we cannot display: fall back to %g
                return format_number(float(value), "%g")
        if isinstance(value, bool):
            return "On" if value else "Off"
        if isinstance(value, BlobValue):
            return f"<{value.size} bytes {value.data_format}>"
        if value is None:
            return ""
        return str(value)

    def wire_text(self, member: str) -> str:
        """The member's value as text on the wire: as received when known, else canonical.

        Canonical texts are the full-precision number (``5.2``), ``On``/``Off``,
        the state word of a light, the text itself, and ``""`` for BLOBs.
        """
        if member in self.wire:
            return self.wire[member]
        value = self.values[member]
        if isinstance(value, bool):
            return "On" if value else "Off"
        if isinstance(value, float):
            return number_to_wire(value)
        if value is None or isinstance(value, BlobValue):
            return ""
        return str(value)

    def blob(self, member: str) -> BlobValue | None:
        """The last BLOB received for ``member`` (base64 kept as on the wire), or ``None``."""
        value = self.values[member]
        return value if isinstance(value, BlobValue) else None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data: metadata, state and values (BLOBs as size and format)."""
        values: dict[str, Any] = {}
        for name, value in self.values.items():
            if isinstance(value, BlobValue):
                values[name] = {"format": value.data_format, "size": value.size}
            elif isinstance(value, State):
                values[name] = value.value
            else:
                values[name] = value
        data: dict[str, Any] = {
            "device": self.device,
            "name": self.name,
            "kind": self.kind,
            "label": self.label,
            "group": self.group,
            "state": self.state.value,
            "perm": self.perm.value,
            "timeout": self.timeout,
            "timestamp": self.timestamp,
            "message": self.message,
            "values": values,
        }
        if self.rule is not None:
            data["rule"] = self.rule.value
        numbers = {
            name: {
                "format": m.format,
                "min": m.min,
                "max": m.max,
                "step": m.step,
                "text": self.formatted(name),
            }
            for name, m in self.members.items()
            if isinstance(m, ev.DefNumber)
        }
        if numbers:
            data["numbers"] = numbers
        return data

    def __getitem__(self, member: str) -> Any:
        try:
            value = self.values[member]
        except KeyError:
            raise KeyError(f"{self.device}.{self.name} has no member {member!r}") from None
        if self.kind == "BLOB":
            return value.data if isinstance(value, BlobValue) else b""
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

    def apply(
        self, event: ev.Event, wire: Mapping[str, str] | None = None
    ) -> RemoteProperty | None:
        """Apply one event; return the property it touched, if any.

        :param event: any event from a server.
        :param wire: for ``def``/``set`` events, member texts exactly as received
            (kept in :attr:`RemoteProperty.wire`).
        """
        if isinstance(event, ev.SetVector):
            dev = self._devices.get(event.device)
            prop = dev._properties.get(event.name) if dev is not None else None
            if prop is None or prop.kind != event.kind:
                return None
            prop.update(event, wire)
            if event.message:
                self.messages.append((event.device, event.timestamp, event.message))
            return prop
        if isinstance(event, ev.DefVector):
            dev = self._devices.get(event.device)
            if dev is None:
                dev = self._devices[event.device] = RemoteDevice(event.device)
            prop = dev._properties.get(event.name)
            if prop is None or prop.kind != event.kind:
                prop = dev._properties[event.name] = RemoteProperty(event, wire)
            else:
                prop.define(event, wire)
            return prop
        if isinstance(event, ev.DelProperty):
            if event.name is None:
                self._devices.pop(event.device, None)
            else:
                dev = self._devices.get(event.device)
                if dev is not None:
                    dev._properties.pop(event.name, None)
            if event.message:
                self.messages.append((event.device, event.timestamp, event.message))
            return None
        if isinstance(event, ev.Message) and event.message is not None:
            self.messages.append((event.device, event.timestamp, event.message))
        return None

    def get_property(self, device: str, name: str) -> RemoteProperty | None:
        """The mirrored property, or ``None`` when it is not (or no longer) defined."""
        dev = self._devices.get(device)
        return dev._properties.get(name) if dev is not None else None

    def properties(self) -> Iterator[RemoteProperty]:
        """Every mirrored property, device by device, in definition order."""
        for dev in list(self._devices.values()):
            yield from list(dev._properties.values())

    def clear(self) -> None:
        """Forget every device (messages are kept)."""
        self._devices.clear()

    def snapshot(self) -> dict[str, Any]:
        """The whole mirror as plain JSON-ready data.

        :returns: ``{"devices": {device: {property: RemoteProperty.to_dict()}},
            "messages": [{"device", "timestamp", "message"}, ...]}``.
        """
        return {
            "devices": {
                name: {p: prop.to_dict() for p, prop in dev._properties.items()}
                for name, dev in self._devices.items()
            },
            "messages": [{"device": d, "timestamp": t, "message": m} for d, t, m in self.messages],
        }

    def __getitem__(self, name: str) -> RemoteDevice:
        try:
            return self._devices[name]
        except KeyError:
            raise KeyError(f"no device {name!r} has been defined") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._devices)

    def __len__(self) -> int:
        return len(self._devices)
