"""Device templates: declare a device once, register it under several names.

Flask's blueprint idea for INDI: a :class:`DeviceTemplate` records property
declarations, hardware jobs and snoops without a device name; each
``app.register(template, device="Focuser 1")`` replays them on a fresh device::

    focuser = DeviceTemplate()

    @focuser.number("ABS_FOCUS_POSITION", members=[Number("FOCUS_ABSOLUTE_POSITION",
                                                          min=0, max=50000)])
    def move(change):
        change.device.app.hw.motors[change.device.name].goto(change["FOCUS_ABSOLUTE_POSITION"])

    @focuser.hardware(every=1.0)
    def poll(device):                       # template jobs receive their device
        device["ABS_FOCUS_POSITION"].send()

    app.register(focuser, device="Focuser 1")
    app.register(focuser, device="Focuser 2")

Handlers reach their own device through ``change.device``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import SetupError
from .app import HardwareJob

if TYPE_CHECKING:
    from .app import App
    from .device import Device

__all__ = ["DeviceTemplate"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True)
class _Declaration:
    method: str
    name: str
    options: dict[str, Any]
    handler: Callable[..., Any] | None = None

    def __call__(self, handler: F) -> F:
        """Attach the change handler (template declarations used as decorators)."""
        if self.handler is not None:
            raise SetupError(f"template property {self.name!r} already has a handler")
        self.handler = handler
        return handler


class DeviceTemplate:
    """Property declarations, hardware jobs and snoops to register on named devices."""

    def __init__(self) -> None:
        self._declarations: list[_Declaration] = []
        self._hardware: list[tuple[Callable[..., Any], float | None]] = []

    def _record(self, method: str, name: str, options: dict[str, Any]) -> _Declaration:
        if any(d.name == name for d in self._declarations):
            raise SetupError(f"the template already declares a property named {name!r}")
        decl = _Declaration(method, name, options)
        self._declarations.append(decl)
        return decl

    def switch(self, name: str, **options: Any) -> _Declaration:
        """Record a switch declaration (same keywords as :meth:`Device.switch`)."""
        return self._record("switch", name, options)

    def number(self, name: str, **options: Any) -> _Declaration:
        """Record a number declaration (same keywords as :meth:`Device.number`)."""
        return self._record("number", name, options)

    def text(self, name: str, **options: Any) -> _Declaration:
        """Record a text declaration (same keywords as :meth:`Device.text`)."""
        return self._record("text", name, options)

    def light(self, name: str, **options: Any) -> _Declaration:
        """Record a light declaration (same keywords as :meth:`Device.light`)."""
        return self._record("light", name, options)

    def blob(self, name: str, **options: Any) -> _Declaration:
        """Record a BLOB declaration (same keywords as :meth:`Device.blob`)."""
        return self._record("blob", name, options)

    def hardware(self, every: float | None = None) -> Callable[[F], F]:
        """Record a hardware job; the function receives the device it runs for."""

        def decorate(func: F) -> F:
            self._hardware.append((func, every))
            return func

        return decorate

    def apply(self, app: App, device_name: str) -> Device:
        """Declare everything on ``app.device(device_name)`` (what ``app.register`` calls)."""
        device = app.device(device_name)
        for decl in self._declarations:
            members = decl.options.get("members")
            options = dict(decl.options)
            if isinstance(members, list):
                options["members"] = [copy.copy(m) for m in members]
            prop = getattr(device, decl.method)(decl.name, **options)
            if decl.handler is not None:
                prop(decl.handler)
        for func, every in self._hardware:
            if every is not None and not every > 0:
                raise SetupError(f"hardware every= must be positive, not {every!r}")
            app.hardware_jobs.append(HardwareJob(func, every, device))
        return device
