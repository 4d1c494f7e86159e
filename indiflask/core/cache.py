"""The router's definitions cache: the latest ``def*`` of every property, kept current.

The router answers a client's ``getProperties`` (and a driver's snoop request)
from this cache instead of asking the drivers again. libindi's indiserver caches
nothing: it forwards every ``getProperties`` to the drivers, whose answers then
reach *every* interested client, so each new client makes all others receive a
duplicate set of definitions. With the cache, only the
asking link gets definitions.

``set*`` updates are folded in lazily: an update is stored as an overlay of
member values and attributes, and a fresh definition is materialised only when
somebody asks for it, so a busy device costs one dict update per ``set*``.
BLOB values are never cached (definitions carry no data).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from ..protocol.events import (
    DefBLOBVector,
    DefMember,
    DefVector,
    DelProperty,
    SetBLOBVector,
    SetNumberVector,
    SetVector,
)

__all__ = ["DefinitionCache"]


class _Entry:
    __slots__ = ("attrs", "definition", "limits", "names", "values")

    def __init__(self, definition: DefVector) -> None:
        self.definition = definition
        self.names = frozenset(m.name for m in definition.members)
        self.values: dict[str, object] = {}
        self.attrs: dict[str, object] = {}
        self.limits: dict[str, dict[str, float]] = {}

    def _member(self, member: DefMember) -> DefMember:
        changes: dict[str, object] = dict(self.limits.get(member.name, {}))
        if member.name in self.values:
            changes["value"] = self.values[member.name]
        return dataclasses.replace(member, **changes) if changes else member  # type: ignore[arg-type]

    def current(self) -> DefVector:
        if self.values or self.attrs or self.limits:
            members = tuple(self._member(m) for m in self.definition.members)
            self.definition = dataclasses.replace(
                self.definition,
                members=members,
                **self.attrs,  # type: ignore[arg-type]
            )
            self.values = {}
            self.attrs = {}
            self.limits = {}
        return self.definition


class DefinitionCache:
    """Latest definitions per device, in the order they were first defined.

    .. versionadded:: 0.1
    """

    __slots__ = ("_devices",)

    def __init__(self) -> None:
        self._devices: dict[str, dict[str, _Entry]] = {}

    def define(self, event: DefVector) -> None:
        """Store a definition (a redefinition replaces the old one in place)."""
        props = self._devices.setdefault(event.device, {})
        props[event.name] = _Entry(event)

    def update(self, event: SetVector) -> None:
        """Fold a ``set*`` into the cached definition; unknown properties are ignored."""
        props = self._devices.get(event.device)
        entry = props.get(event.name) if props is not None else None
        if entry is None or entry.definition.kind != event.kind:
            return
        if not isinstance(event, SetBLOBVector):
            values = event.values
            if entry.names.issuperset(values):
                entry.values.update(values)
            else:
                names = entry.names
                entry.values.update((k, v) for k, v in values.items() if k in names)
        if isinstance(event, SetNumberVector) and event.limits:
            for member, triple in event.limits.items():
                if member in entry.names:
                    given = zip(("min", "max", "step"), triple, strict=True)
                    entry.limits.setdefault(member, {}).update(
                        (k, v) for k, v in given if v is not None
                    )
        attrs = entry.attrs
        if event.state is not None:
            attrs["state"] = event.state
        if event.timeout is not None and not isinstance(entry.definition, DefBLOBVector):
            attrs["timeout"] = event.timeout
        if event.timestamp is not None:
            attrs["timestamp"] = event.timestamp
        if event.message is not None:
            attrs["message"] = event.message

    def delete(self, event: DelProperty) -> None:
        """Forget one property, or a whole device when ``name`` is ``None``."""
        if event.name is None:
            self._devices.pop(event.device, None)
        else:
            props = self._devices.get(event.device)
            if props is not None:
                props.pop(event.name, None)

    def forget_device(self, device: str) -> None:
        """Forget everything about ``device`` (its link went away)."""
        self._devices.pop(device, None)

    def has(self, device: str, name: str | None = None) -> bool:
        """True when ``device`` (and property ``name``, if given) is cached."""
        props = self._devices.get(device)
        if props is None:
            return False
        return name is None or name in props

    def devices(self) -> list[str]:
        """The cached devices, in definition order."""
        return list(self._devices)

    def definitions(
        self, device: str | None = None, name: str | None = None
    ) -> Iterator[DefVector]:
        """Current definitions: all, one device's, or one property's.

        :param device: restrict to this device (``None``: every device).
        :param name: restrict to this property of ``device``.
        """
        if device is None:
            devices = list(self._devices.values())
        else:
            props = self._devices.get(device)
            devices = [] if props is None else [props]
        for props in devices:
            if name is not None:
                entry = props.get(name)
                if entry is not None:
                    yield entry.current()
            else:
                for entry in list(props.values()):
                    yield entry.current()
