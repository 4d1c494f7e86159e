"""Devices: named sets of properties, with the declaration methods.

``App`` has a default device; ``app.device("Other")`` returns another one with
the same declaration methods (``switch``, ``number``, ``text``, ``light``,
``blob``), for drivers that serve several devices.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

from ..core.members import check_name
from ..errors import SetupError
from ..protocol import events as ev
from ..protocol.values import format_timestamp
from .catalog.interfaces import Interface
from .config import ConfigFile
from .declarations import Declarations
from .property import Property, make_members

__all__ = ["Device"]

#: Receives every event a device sends (set by the runtime while the app runs).
Sink = Callable[[ev.Event], None]


class DeviceOwner(Protocol):
    """What a device knows of the app it belongs to."""

    #: The driver's name.
    name: str
    #: The app's hardware handles.
    hw: SimpleNamespace


class Device(Declarations, Mapping[str, Property]):
    """One INDI device: its properties in declaration order, and how they are sent.

    A device is a mapping of property name to :class:`~indiflask.Property`.
    """

    def __init__(self, app: DeviceOwner, name: str, interfaces: object = ()) -> None:
        #: The app this device belongs to (``device.app.hw`` holds its hardware handles).
        self.app = app
        #: The INDI device name.
        self.name = check_name("device", name)
        #: What the device is (libindi's interface bits, ``DRIVER_INFO.DRIVER_INTERFACE``).
        self.interfaces = Interface.parse(interfaces)
        #: True while a client has it connected (its ``CONNECTION`` is On).
        self.connected = False
        self._properties: dict[str, Property] = {}
        self._sink: Sink | None = None
        self._feed: Sink | None = None
        #: The configuration file, for a device with saved properties (set when setup ends).
        self.config: ConfigFile | None = None
        #: Why new declarations are refused (set once the app's setup is finished).
        self.frozen: str | None = None
        #: Returns the current INDI timestamp text (the runtime's cached clock while running).
        self.clock: Callable[[], str] = _wall_clock

    # -------------------------------------------------------------- mapping
    @property
    def properties(self) -> Mapping[str, Property]:
        """The properties by name, in declaration order."""
        return self._properties

    def __getitem__(self, name: str) -> Property:
        try:
            return self._properties[name]
        except KeyError:
            raise KeyError(f"device {self.name!r} has no property {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._properties)

    def __len__(self) -> int:
        return len(self._properties)

    # ---------------------------------------------------------- declarations
    def add_property(self, prop: Property, *, first: bool = False) -> Property:
        """Register a built property (the imperative core of the declaration methods).

        :raises SetupError: for a second property of the same name, or once the
            app has started.
        """
        if self.frozen is not None:
            raise SetupError(
                f"cannot declare {self.name}.{prop.name}: {self.frozen}. Declare every "
                "property at import time (before the app starts); to show one later, "
                "declare it, call prop.delete() in an on_start hook and prop.define() "
                "when it should appear"
            )
        if prop.name in self._properties:
            raise SetupError(
                f"device {self.name!r} already has a property named {prop.name!r}; "
                "property names must be unique per device"
            )
        if first:
            self._properties = {prop.name: prop, **self._properties}
        else:
            self._properties[prop.name] = prop
        return prop

    def _declare(self, kind: str, name: str, members: object, **common: Any) -> Property:
        check_name("property", name)
        if members is None:
            raise SetupError(f"property {name!r} needs members=[...]")
        try:
            built = make_members(kind, members)
        except SetupError as exc:
            raise SetupError(f"property {name!r}: {exc}") from None
        try:
            prop = Property(self, kind, name, built, **common)
        except SetupError:
            raise
        except ValueError as exc:
            raise SetupError(f"property {name!r}: {exc}") from None
        return self.add_property(prop)

    # --------------------------------------------------------------- sending
    def message(self, text: str) -> None:
        """Send an INDI ``message`` about this device to its clients."""
        self.emit(ev.Message(device=self.name, timestamp=self.timestamp(), message=text))

    def emit(self, event: ev.Event) -> None:
        """Hand ``event`` to the runtime (dropped, with nothing to deliver to, when not running)."""
        sink = self._sink
        if sink is not None:
            sink(event)

    def timestamp(self) -> str:
        """The current INDI timestamp text (UTC, whole seconds)."""
        return self.clock()

    def bind(
        self,
        sink: Sink | None,
        clock: Callable[[], str] | None = None,
        feed: Sink | None = None,
    ) -> None:
        """Connect this device to a runtime (``None`` disconnects). Runtime use.

        :param sink: receives every event the device sends.
        :param clock: the INDI timestamp of now.
        :param feed: takes changes the driver makes to itself (configuration loads),
            through the same checks and handlers as a client's.
        """
        self._sink = sink
        self._feed = feed
        if clock is not None:
            self.clock = clock

    def write(self, event: ev.Event) -> bool:
        """Handle ``event`` (a ``new*Vector``) as if a client had sent it.

        :returns: False when the driver is not running (nothing was done).
        """
        feed = self._feed
        if feed is None:
            return False
        feed(event)
        return True

    def save_config(self) -> Path:
        """Save the ``persist=True`` properties' current values now, as ``CONFIG_SAVE`` does.

        For drivers that save a setting as soon as it changes (libindi's filter
        wheels save ``FILTER_NAME`` when a client renames a filter).

        :returns: the file written.
        :raises SetupError: when the device has no saved properties.
        :raises ~indiflask.driver.config.ConfigProblem: when the file cannot be
            read or written (an unusable file is left as it is).
        """
        if self.config is None:
            raise SetupError(f"{self.name} has no saved properties: declare some with persist=True")
        return self.config.save(self.saved_changes())

    def saved_changes(self) -> list[ev.NewVector]:
        """The ``new*Vector`` events that save the ``persist=True`` properties as they are now."""
        changes: list[ev.NewVector] = []
        for prop in self._properties.values():
            if not prop.persist or prop.kind in ("Light", "BLOB"):
                continue
            cls = ev.VECTOR_CLASSES[prop.kind][2]
            assert cls is not None
            changes.append(cls(device=self.name, name=prop.name, values=dict(prop.values)))
        return changes

    def __repr__(self) -> str:
        return f"<Device {self.name!r} ({len(self._properties)} properties)>"


def _wall_clock() -> str:
    return format_timestamp(datetime.now(UTC))
