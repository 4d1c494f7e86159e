"""What a snoop function receives: :class:`SnoopEvent`.

``@app.snoop("Telescope Simulator", "EQUATORIAL_EOD_COORD")`` functions get
one SnoopEvent per ``def``/``set``/``del``/``message`` of that device::

    @app.snoop("Telescope Simulator", "EQUATORIAL_EOD_COORD")
    def mount_moved(event):
        if event.kind == "set":
            ra = event["RA"]          # a float
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..protocol import events as ev
from ..protocol.values import State

__all__ = ["SnoopEvent"]


class SnoopEvent(Mapping[str, Any]):
    """Another device's traffic, as a snoop function sees it.

    Item access gives typed member values (numbers ``float``, switches ``bool``,
    lights :class:`State`, texts ``str``, BLOBs ``bytes``).
    """

    __slots__ = ("_values", "device", "event", "kind", "message", "name", "state")

    def __init__(self, event: ev.Event) -> None:
        #: The underlying protocol event.
        self.event = event
        #: ``"def"``, ``"set"``, ``"del"`` or ``"message"``.
        self.kind = _kind_of(event)
        #: The device the traffic is about.
        self.device: str | None = getattr(event, "device", None)
        #: The property name (``None`` for messages and whole-device deletes).
        self.name: str | None = getattr(event, "name", None)
        #: The property state, when the event carries one.
        self.state: State | None = getattr(event, "state", None)
        #: The message text, if any.
        self.message: str | None = getattr(event, "message", None)
        self._values = _values_of(event)

    def __getitem__(self, member: str) -> Any:
        return self._values[member]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"SnoopEvent({self.kind} {self.device}.{self.name} {dict(self._values)})"


def _kind_of(event: ev.Event) -> str:
    if isinstance(event, ev.DefVector):
        return "def"
    if isinstance(event, ev.SetVector):
        return "set"
    if isinstance(event, ev.DelProperty):
        return "del"
    return "message"


def _values_of(event: ev.Event) -> dict[str, Any]:
    if isinstance(event, ev.DefVector):
        return {m.name: getattr(m, "value", None) for m in event.members}
    if isinstance(event, ev.SetVector):
        values = dict(event.values)
        if isinstance(event, ev.SetBLOBVector):
            return {name: blob.data for name, blob in event.values.items()}
        return values
    return {}
