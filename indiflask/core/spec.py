"""A driver's specification: what the runtime needs to run it, as plain data.

:meth:`indiflask.App.spec` builds a :class:`DriverSpec` once the app's setup is
finished; the runtime (:class:`~indiflask.runtime.engine.AppDriver`) runs any
spec, so nothing below the driver classes imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..protocol import events as ev
from .model import PropertyModel

__all__ = ["DeviceSpec", "DriverSpec", "HardwareJob", "SnoopSpec"]

#: Where a running driver's events go (set by the runtime while it runs).
Emit = Callable[[ev.Event], None]


class DeviceSpec(Protocol):
    """A device as the runtime sees it: named properties, and a way to send."""

    @property
    def name(self) -> str:
        """The device name."""

    @property
    def properties(self) -> Mapping[str, PropertyModel]:
        """The properties by name, in declaration order."""

    def timestamp(self) -> str:
        """The current INDI timestamp text."""

    def bind(
        self,
        sink: Emit | None,
        clock: Callable[[], str] | None = None,
        feed: Emit | None = None,
    ) -> None:
        """Connect the device to a running driver (``None``: disconnect).

        ``feed`` takes changes the driver makes to itself (configuration loads).
        """


@dataclass(frozen=True, slots=True)
class HardwareJob:
    """A hardware function: periodic (``every`` seconds) or long-running (``every=None``).

    :param func: the function; it is called with ``args``.
    :param every: the period in seconds, or ``None`` for a long-running job.
    :param args: the arguments (a template job gets its device).
    """

    func: Callable[..., Any]
    every: float | None
    args: tuple[object, ...] = ()

    @property
    def name(self) -> str:
        """The function's name, for logs."""
        return getattr(self.func, "__qualname__", repr(self.func))


@dataclass(frozen=True, slots=True)
class SnoopSpec:
    """A snoop registration: another device (and optionally one property) to follow.

    :param device: the device to follow.
    :param name: one of its properties, or ``None`` for all.
    :param handler: called with each matching event (def, set, del, message).
    :param label: the user's function name, for logs.
    """

    device: str
    name: str | None
    handler: Callable[[ev.Event], Any]
    label: str = ""

    def matches(self, device: str | None, name: str | None) -> bool:
        """True when traffic about ``device``/``name`` belongs to this snoop."""
        if device != self.device:
            return False
        return self.name is None or name is None or name == self.name


@dataclass(frozen=True, slots=True)
class DriverSpec:
    """Everything needed to run a driver.

    :param name: the driver's name, for logs.
    :param devices: its devices by name, in declaration order.
    :param jobs: hardware jobs.
    :param snoops: snoop registrations.
    :param start_hooks: called (and awaited if async) when the driver starts.
    :param stop_hooks: called when it stops.
    :param running: told the running driver when it starts, and ``None`` when it stops.
    """

    name: str
    devices: Mapping[str, DeviceSpec]
    jobs: tuple[HardwareJob, ...] = ()
    snoops: tuple[SnoopSpec, ...] = ()
    start_hooks: tuple[Callable[[], Any], ...] = ()
    stop_hooks: tuple[Callable[[], Any], ...] = ()
    running: Callable[[object], None] | None = None
