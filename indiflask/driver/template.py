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

    @focuser.snoop("Weather", "WEATHER_STATUS")
    def weather(device, event):             # template snoops receive their device too
        ...

    app.register(focuser, device="Focuser 1")
    app.register(focuser, device="Focuser 2")

As on an app, a declaration used as a decorator returns the declaration (so
``move`` above is the template's ``ABS_FOCUS_POSITION`` declaration, with the
function at ``move.handler``); ``move.on(device)`` gives the live property of
one registered device. Handlers reach their own device through ``change.device``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import SetupError
from .declarations import StandardSpec, standard_declaration
from .property import Property

__all__ = ["DeviceTemplate", "TemplateProperty"]

F = TypeVar("F", bound=Callable[..., Any])

_STANDARD_KEYWORDS = frozenset(
    {"members", "values", "limits", "label", "group", "state", "perm", "timeout", "persist",
     "after_connect"}
)  # fmt: skip


@dataclass(slots=True)
class TemplateProperty:
    """A property declaration recorded by a template.

    :param kind: the declaration method (``"switch"``, ``"number"``, ...).
    :param name: the property name.
    :param options: the declaration's keywords.
    """

    kind: str
    name: str
    options: dict[str, Any]
    #: The change handler (set by using the declaration as a decorator).
    handler: Callable[..., Any] | None = None

    def __call__(self, handler: Callable[..., Any]) -> TemplateProperty:
        """Attach the change handler and return this declaration (as ``@app.number`` does)."""
        if not callable(handler):
            raise SetupError(f"template property {self.name!r}: a handler must be callable")
        if self.handler is not None:
            raise SetupError(f"template property {self.name!r} already has a handler")
        self.handler = handler
        return self

    def on(self, device: Mapping[str, Property]) -> Property:
        """The live property this declaration made on ``device`` (a registered device)."""
        return device[self.name]


@dataclass(frozen=True, slots=True)
class TemplateJob:
    """A hardware job recorded by a template; the function receives the device."""

    func: Callable[..., Any]
    every: float | None


@dataclass(frozen=True, slots=True)
class TemplateSnoop:
    """A snoop recorded by a template; the function receives ``(device, event)``."""

    func: Callable[..., Any]
    device: str
    name: str | None


@dataclass(slots=True)
class DeviceTemplate:
    """Property declarations, hardware jobs and snoops to register on named devices."""

    #: The recorded property declarations, in order.
    properties: list[TemplateProperty] = field(default_factory=list)
    #: The recorded hardware jobs.
    jobs: list[TemplateJob] = field(default_factory=list)
    #: The recorded snoops.
    snoops: list[TemplateSnoop] = field(default_factory=list)

    def _record(self, kind: str, name: str, options: dict[str, Any]) -> TemplateProperty:
        if any(d.name == name for d in self.properties):
            raise SetupError(f"the template already declares a property named {name!r}")
        decl = TemplateProperty(kind, name, options)
        self.properties.append(decl)
        return decl

    def switch(self, name: str, **options: Any) -> TemplateProperty:
        """Record a switch declaration (the keywords of :meth:`indiflask.App.switch`)."""
        return self._record("switch", name, options)

    def number(self, name: str, **options: Any) -> TemplateProperty:
        """Record a number declaration (the keywords of :meth:`indiflask.App.number`)."""
        return self._record("number", name, options)

    def text(self, name: str, **options: Any) -> TemplateProperty:
        """Record a text declaration (the keywords of :meth:`indiflask.App.text`)."""
        return self._record("text", name, options)

    def light(self, name: str, **options: Any) -> TemplateProperty:
        """Record a light declaration (the keywords of :meth:`indiflask.App.light`)."""
        return self._record("light", name, options)

    def blob(self, name: str, **options: Any) -> TemplateProperty:
        """Record a BLOB declaration (the keywords of :meth:`indiflask.App.blob`)."""
        return self._record("blob", name, options)

    def standard(self, spec: StandardSpec, **changes: Any) -> TemplateProperty:
        """Record a standard property (the keywords of :meth:`indiflask.App.standard`)."""
        method, options = standard_declaration(
            spec, **{k: v for k, v in changes.items() if k in _STANDARD_KEYWORDS},
            member_changes={k: v for k, v in changes.items() if k not in _STANDARD_KEYWORDS},
        )  # fmt: skip
        return self._record(method, spec.name, options)

    def hardware(self, every: float | None = None) -> Callable[[F], F]:
        """Record a hardware job; the function receives the device it runs for."""
        if every is not None and not (isinstance(every, int | float) and every > 0):
            raise SetupError(
                f"@hardware(every=...) needs a positive number of seconds, not {every!r}"
            )

        def decorate(func: F) -> F:
            self.jobs.append(TemplateJob(func, float(every) if every else None))
            return func

        return decorate

    def snoop(self, device: str, name: str | None = None) -> Callable[[F], F]:
        """Record a snoop; the function receives ``(device, event)``: its own device first."""

        def decorate(func: F) -> F:
            self.snoops.append(TemplateSnoop(func, device, name))
            return func

        return decorate
