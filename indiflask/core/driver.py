"""DriverCore: what a driver does with each INDI event, as pure decisions.

The core never calls user code and never touches I/O: :meth:`DriverCore.feed`
takes an event from the upstream peer (a client, a server's router, or
indiserver) and returns *effects* for the runtime to carry out:

* :class:`Send`: send this event upstream;
* :class:`RunHandler`: call the property's handler with this checked change;
* :class:`RunSnoop`: call a snoop function with this event;
* :class:`Log`: write a log line.

Property state rules (API.md §4)
--------------------------------

=============  =========================  =========  =====================================
from           trigger                    to         emitted
=============  =========================  =========  =====================================
any            write to a ``ro`` property unchanged  Message(why), no state change
any            change fails a check       Alert      Set*(message=reason), values unchanged
not running    valid change               (handler)  RunHandler; the runtime finishes it
running        another change             unchanged  Message("busy, try again")
=============  =========================  =========  =====================================

The runtime applies the handler's outcome (Ok, Reject -> Alert, error -> Alert).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..protocol import events as ev
from .checks import CheckedChange, Writable, check_change, write_refusal

__all__ = ["DriverCore", "Log", "RunHandler", "RunSnoop", "Send", "SnoopSpec"]


class CoreProperty(Writable, Protocol):
    """What the core needs of a live property."""

    @property
    def name(self) -> str:
        """The property name."""

    @property
    def defined(self) -> bool:
        """False after ``delete()`` until ``define()``."""

    @property
    def running(self) -> bool:
        """True while a handler job for it runs."""

    def definition(self) -> ev.DefVector:
        """The ``def*Vector`` with current values."""

    def alert(self, reason: str) -> ev.SetVector:
        """Set state Alert with ``reason`` as message; return the update to send."""


class CoreDevice(Protocol):
    """What the core needs of a device."""

    @property
    def name(self) -> str:
        """The device name."""

    @property
    def properties(self) -> Mapping[str, CoreProperty]:
        """Live properties by name, in declaration order."""


@dataclass(frozen=True, slots=True)
class SnoopSpec:
    """A snoop registration: another device (and optionally one property) to follow."""

    device: str
    name: str | None
    handler: Callable[..., object]

    def matches(self, device: str | None, name: str | None) -> bool:
        """True when traffic about ``device``/``name`` belongs to this snoop."""
        if device != self.device:
            return False
        return self.name is None or name is None or name == self.name


@dataclass(frozen=True, slots=True)
class Send:
    """Effect: send ``event`` upstream."""

    event: ev.Event


@dataclass(frozen=True, slots=True)
class RunHandler:
    """Effect: run ``prop``'s handler with ``change``."""

    prop: CoreProperty
    change: CheckedChange


@dataclass(frozen=True, slots=True)
class RunSnoop:
    """Effect: give ``event`` to the snoop function of ``snoop``."""

    snoop: SnoopSpec
    event: ev.Event


@dataclass(frozen=True, slots=True)
class Log:
    """Effect: log ``text`` at ``level`` (a :mod:`logging` level number)."""

    level: int
    text: str


Effect = Send | RunHandler | RunSnoop | Log

_WARNING = 30
_INFO = 20


class DriverCore:
    """Answers getProperties, checks changes and routes snooped traffic for a set of devices.

    :param devices: the driver's devices by name, in declaration order.
    :param snoops: the snoop registrations.
    """

    def __init__(
        self, devices: Mapping[str, CoreDevice], snoops: tuple[SnoopSpec, ...] = ()
    ) -> None:
        self.devices = devices
        self.snoops = snoops

    def snoop_requests(self) -> list[ev.Event]:
        """The ``getProperties`` events that register every snoop (sent once started)."""
        seen: set[tuple[str, str | None]] = set()
        requests: list[ev.Event] = []
        for snoop in self.snoops:
            key = (snoop.device, snoop.name)
            if key not in seen:
                seen.add(key)
                requests.append(ev.GetProperties(device=snoop.device, name=snoop.name))
        return requests

    def definitions(
        self, device: str | None = None, name: str | None = None
    ) -> Iterator[ev.DefVector]:
        """The current definitions in scope, in declaration order (deleted ones left out)."""
        for dev in self.devices.values():
            if device is not None and dev.name != device:
                continue
            for prop in dev.properties.values():
                if prop.defined and (name is None or prop.name == name):
                    yield prop.definition()

    def feed(self, event: ev.Event) -> list[Effect]:
        """Decide what to do with one event from upstream."""
        if isinstance(event, ev.NewVector):
            return self._change(event)
        if isinstance(event, ev.GetProperties):
            if event.device is not None and event.device not in self.devices:
                return []
            return [Send(d) for d in self.definitions(event.device, event.name)]
        if isinstance(event, ev.DefVector | ev.SetVector | ev.DelProperty | ev.Message):
            return self._snooped(event)
        if isinstance(event, ev.Invalid):
            return self._invalid(event)
        if isinstance(event, ev.PingRequest):
            return [Send(ev.PingReply(uid=event.uid))]
        return []

    def _lookup(self, device: str, name: str) -> CoreProperty | None:
        dev = self.devices.get(device)
        if dev is None:
            return None
        prop = dev.properties.get(name)
        if prop is None or not prop.defined:
            return None
        return prop

    def _change(self, event: ev.NewVector) -> list[Effect]:
        where = f"{event.device}.{event.name}"
        prop = self._lookup(event.device, event.name)
        if prop is None:
            if event.device in self.devices:
                return [Log(_WARNING, f"change to unknown property {where} ignored")]
            return [Log(_WARNING, f"change to unknown device {event.device!r} ignored")]
        refusal = write_refusal(prop, where)
        if refusal is not None:
            return [
                Log(_INFO, refusal),
                Send(ev.Message(device=event.device, message=refusal)),
            ]
        if prop.running:
            text = f"{where} is busy with the previous change; try again when it is done"
            return [Send(ev.Message(device=event.device, message=text))]
        outcome = check_change(prop, event.kind, event.values, where)
        if isinstance(outcome, str):
            return [Log(_INFO, outcome), Send(prop.alert(outcome))]
        return [RunHandler(prop, outcome)]

    def _invalid(self, event: ev.Invalid) -> list[Effect]:
        text = f"invalid {event.element_tag}: {event.reason}"
        if event.device is None or event.name is None:
            return [Log(_WARNING, text)]
        prop = self._lookup(event.device, event.name)
        if prop is None:
            return [Log(_WARNING, text)] if event.device in self.devices else []
        where = f"{event.device}.{event.name}"
        if event.element_tag.startswith("new"):
            refusal = write_refusal(prop, where)
            if refusal is not None:
                return [Log(_INFO, refusal), Send(ev.Message(device=event.device, message=refusal))]
            return [Log(_INFO, text), Send(prop.alert(f"{where}: {event.reason}"))]
        return [Log(_WARNING, text)]

    def _snooped(self, event: ev.Event) -> list[Effect]:
        device = getattr(event, "device", None)
        name = getattr(event, "name", None)
        if device is None or device in self.devices:
            return []
        return [RunSnoop(s, event) for s in self.snoops if s.matches(device, name)]
