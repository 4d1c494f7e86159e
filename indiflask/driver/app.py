"""The App: a driver's devices, properties, hardware jobs, snoops and lifespan hooks.

::

    from indiflask import App, Number

    app = App("LED Driver", device="led")

    @app.switch("LED", members={"ON": False, "OFF": True})
    def led(change):
        app.hw.led.value = change["ON"]

    @app.hardware(every=1.0)
    def poll():
        ...

Declarations on the app go to its default device; ``app.device("Other")``
returns further devices.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.spec import DriverSpec, HardwareJob, SnoopSpec
from ..errors import SetupError
from ..protocol import events as ev
from ..protocol.values import Perm
from . import builtin
from .catalog.interfaces import Interface
from .config import ConfigFile
from .declarations import Declarations
from .device import Device
from .property import Property
from .snooping import SnoopEvent
from .template import DeviceTemplate

if TYPE_CHECKING:
    from ..runtime.engine import AppDriver
    from ..testing import TestClient

__all__ = ["App"]

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger(__name__)


class App(Declarations, Mapping[str, Device]):
    """An INDI driver: one or more devices and the code behind their properties.

    :param name: the driver's name (shown in logs and ``DRIVER_INFO``).
    :param device: the default device's name (defaults to ``name``; the
        ``INDIDEV`` environment variable, set by indiserver's ``-n``, wins).
    :param version: the driver version reported in ``DRIVER_INFO``.
    :param standard: add the standard properties: ``DRIVER_INFO`` to every
        device, ``CONNECTION`` to devices with an interface (or to every device
        when ``on_connect``/``on_disconnect`` hooks exist) and ``CONFIG_PROCESS``
        to devices with saved (``persist=True``) properties.
    :param interfaces: what the default device is, for KStars/Ekos: libindi
        interface names such as ``"focuser"``, ``["ccd", "guider"]`` (see
        :class:`~indiflask.driver.catalog.Interface`); ``DRIVER_INFO`` carries
        their bitmask.

    The app is a mapping of device name to :class:`~indiflask.Device`.

    Setup happens at import time: declarations, hardware jobs, snoops and hooks.
    Once the app starts (served, tested or described), its setup is finished and
    further declarations raise :class:`~indiflask.errors.SetupError`.
    """

    def __init__(
        self,
        name: str,
        device: str | None = None,
        *,
        version: str = "1.0",
        standard: bool = True,
        interfaces: object = (),
    ) -> None:
        #: The driver's name.
        self.name = name
        #: The driver's version (``DRIVER_INFO.DRIVER_VERSION``).
        self.version = version
        #: A namespace for your hardware handles, filled by ``on_start`` hooks.
        self.hw = SimpleNamespace()
        self._standard = standard
        self._devices: dict[str, Device] = {}
        self._finished = False
        #: The file that made the app (``DRIVER_EXEC`` names it, unless launched by a shim).
        self.source = _caller_file()
        self._default = self.device(os.environ.get("INDIDEV") or device or name, interfaces)
        #: Hardware jobs, in declaration order.
        self.hardware_jobs: list[HardwareJob] = []
        #: Snoop registrations.
        self.snoops: list[SnoopSpec] = []
        #: ``on_start`` hooks.
        self.start_hooks: list[Callable[[], Any]] = []
        #: ``on_stop`` hooks.
        self.stop_hooks: list[Callable[[], Any]] = []
        #: ``on_connect`` hooks (run when a client switches ``CONNECTION`` on).
        self.connect_hooks: list[Callable[[], Any]] = []
        #: ``on_disconnect`` hooks.
        self.disconnect_hooks: list[Callable[[], Any]] = []
        #: The running driver engine, while the app runs.
        self.driver: AppDriver | None = None

    # ------------------------------------------------------------- devices
    @property
    def default_device(self) -> Device:
        """The device that the app's own declaration methods add to."""
        return self._default

    def device(self, name: str, interfaces: object = ()) -> Device:
        """Return the device called ``name``, creating it on first use (during setup).

        :param interfaces: what a new device is (libindi interface names).
        """
        dev = self._devices.get(name)
        if dev is None:
            self._check_setup(f"add device {name!r}")
            dev = Device(self, name, interfaces)
            self._devices[name] = dev
        elif interfaces:
            self._check_setup(f"change the interfaces of {name!r}")
            dev.interfaces |= Interface.parse(interfaces)
        return dev

    def __getitem__(self, name: str) -> Device:
        try:
            return self._devices[name]
        except KeyError:
            raise KeyError(f"app {self.name!r} has no device {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._devices)

    def __len__(self) -> int:
        return len(self._devices)

    # --------------------------------------------------------- declarations
    def _declare(self, kind: str, name: str, members: object, **common: Any) -> Property:
        return self._default._declare(kind, name, members, **common)

    def register(self, template: DeviceTemplate, *, device: str, interfaces: object = ()) -> Device:
        """Declare ``template``'s properties, jobs and snoops on a new device called ``device``.

        A template can be registered under several device names. Template jobs
        are called with the device; template snoops with ``(device, event)``.
        ``interfaces`` are the new device's libindi interfaces.
        """
        self._check_setup(f"register a template as {device!r}")
        if device in self._devices and len(self._devices[device]):
            raise SetupError(
                f"device {device!r} already has properties; register a template on a new device"
            )
        dev = self.device(device, interfaces)
        for decl in template.properties:
            options = dict(decl.options)
            members = options.get("members")
            if isinstance(members, list):
                options["members"] = [copy.copy(m) for m in members]
            prop: Property = getattr(dev, decl.kind)(decl.name, **options)
            if decl.handler is not None:
                prop(decl.handler)
        for job in template.jobs:
            self.hardware_jobs.append(HardwareJob(job.func, job.every, (dev,)))
        for snoop in template.snoops:
            self._add_snoop(snoop.device, snoop.name, functools.partial(snoop.func, dev))
        return dev

    # --------------------------------------------------------- behaviour
    def hardware(self, every: float | None = None) -> Callable[[F], F]:
        """Decorator: run the function every ``every`` seconds, or once as a long-running task.

        Periodic jobs never overlap; a late tick is skipped, not replayed. With no
        interval the function (usually ``async def``) is started once; when it
        returns it is finished, and if it raises the error is logged.
        """
        if every is not None and not (isinstance(every, int | float) and every > 0):
            raise SetupError(
                f"@hardware(every=...) needs a positive number of seconds, not {every!r}"
            )

        def decorate(func: F) -> F:
            if not callable(func):
                raise SetupError(f"@hardware decorates a function, not {func!r}")
            self._check_setup(f"add the hardware job {_name(func)}")
            self.hardware_jobs.append(HardwareJob(func, float(every) if every else None))
            return func

        return decorate

    def snoop(self, device: str, name: str | None = None) -> Callable[[F], F]:
        """Decorator: receive another device's traffic (``def``/``set``/``del``/``message``).

        The function gets a :class:`~indiflask.SnoopEvent`.
        """
        if device in self._devices:
            raise SetupError(f"@snoop({device!r}): that is this app's own device")

        def decorate(func: F) -> F:
            self._add_snoop(device, name, func)
            return func

        return decorate

    def _add_snoop(self, device: str, name: str | None, func: Callable[..., Any]) -> None:
        self._check_setup(f"add the snoop {_name(func)}")

        def deliver(event: ev.Event) -> object:
            return func(SnoopEvent(event))

        self.snoops.append(SnoopSpec(device, name, deliver, _name(func)))

    def on_start(self, func: F) -> F:
        """Decorator: run ``func`` when the app starts (open hardware here).

        If it raises, the app does not start, and the ``on_stop`` hooks are not
        run (release what a failing hook opened in that hook).
        """
        self._check_setup(f"add the on_start hook {_name(func)}")
        self.start_hooks.append(func)
        return func

    def on_stop(self, func: F) -> F:
        """Decorator: run ``func`` when the app stops (close hardware here).

        Nothing else of the app runs once the stop hooks begin.
        """
        self._check_setup(f"add the on_stop hook {_name(func)}")
        self.stop_hooks.append(func)
        return func

    def on_connect(self, func: F) -> F:
        """Decorator: run ``func`` when a client switches ``CONNECTION`` to CONNECT.

        Using it adds the standard ``CONNECTION`` property to every device.
        """
        self._check_setup(f"add the on_connect hook {_name(func)}")
        self.connect_hooks.append(func)
        return func

    def on_disconnect(self, func: F) -> F:
        """Decorator: run ``func`` when a client switches ``CONNECTION`` to DISCONNECT."""
        self._check_setup(f"add the on_disconnect hook {_name(func)}")
        self.disconnect_hooks.append(func)
        return func

    def message(self, text: str) -> None:
        """Send an INDI ``message`` from the default device to its clients."""
        self._default.message(text)

    def save_config(self) -> Path:
        """Save the default device's ``persist=True`` properties now (see :meth:`Device.save_config
        <indiflask.Device.save_config>`); returns the file written."""
        return self._default.save_config()

    # ------------------------------------------------------------- running
    def _check_setup(self, what: str) -> None:
        if self._finished:
            raise SetupError(
                f"cannot {what}: the app {self.name!r} has already started. Declare "
                "properties, hardware jobs, snoops and hooks at import time, before the "
                "app is served, tested or described"
            )

    def finish_setup(self) -> None:
        """Add the standard properties, check the whole declaration and close setup (idempotent)."""
        if self._finished:
            return
        for dev in self._devices.values():
            for prop in dev.properties.values():
                if prop.perm is Perm.WO and prop.handler is None:
                    raise SetupError(
                        f"{dev.name}.{prop.name} is write-only but has no handler; "
                        "decorate a function with it to receive clients' changes"
                    )
        if self._standard:
            for dev in self._devices.values():
                self._add_builtin(dev)
        reason = f"the app {self.name!r} has already started"
        for dev in self._devices.values():
            connected_only = builtin.CONNECTION in dev and bool(dev.interfaces)
            for prop in dev.properties.values():
                if prop.after_connect is None:
                    prop.after_connect = connected_only and prop.name not in builtin.START_TIME
                if prop.after_connect and builtin.CONNECTION in dev:
                    prop.defined = False
                elif prop.after_connect:
                    prop.after_connect = False  # nothing would ever connect it
            dev.frozen = reason
        self._finished = True

    def _add_builtin(self, dev: Device) -> None:
        builtin.add_driver_info(dev, self.name, self.exec_name(), self.version)
        if dev.interfaces or self.connect_hooks or self.disconnect_hooks:
            builtin.add_connection(dev, self.connect_hooks, self.disconnect_hooks)
        if any(prop.persist for prop in dev.properties.values()):
            dev.config = ConfigFile(dev.name)
            builtin.add_config_process(dev, dev.config)

    def exec_name(self) -> str:
        """The executable ``DRIVER_INFO`` names: the launcher made by ``indiflask shim``
        (``$INDIFLASK_DRIVER_EXEC``), else the app's file."""
        named = os.environ.get("INDIFLASK_DRIVER_EXEC")
        if named:
            return named
        if self.source:
            return os.path.basename(self.source)
        return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else self.name

    def _load_saved(self) -> None:
        """Start hook: replay the saved values of the properties defined from the start."""
        for dev in self._devices.values():
            builtin.load_saved(
                dev, [p.name for p in dev.properties.values() if p.persist and p.defined]
            )

    def spec(self) -> DriverSpec:
        """Finish setup and describe the driver for the runtime."""
        self.finish_setup()
        return DriverSpec(
            name=self.name,
            devices=self._devices,
            jobs=tuple(self.hardware_jobs),
            snoops=tuple(self.snoops),
            start_hooks=(*self.start_hooks, self._load_saved),
            stop_hooks=tuple(self.stop_hooks),
            running=self._set_driver,
        )

    def _set_driver(self, driver: object) -> None:
        self.driver = driver  # type: ignore[assignment]

    def local_driver(self, **options: Any) -> AppDriver:
        """The in-process driver engine for this app (what a :class:`~indiflask.Server` hosts)."""
        from ..runtime.engine import AppDriver

        return AppDriver(self.spec(), **options)

    def test_client(self, **options: Any) -> TestClient:
        """A deterministic in-process client for tests: a :class:`~indiflask.testing.TestClient`."""
        from ..testing import TestClient

        return TestClient(self, **options)

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 7624,
        *,
        stdio: bool = False,
        max_connections: int = 1024,
    ) -> None:
        """Serve this app: on TCP (``host``/``port``) or, with ``stdio=True``, on stdin/stdout.

        Does nothing (but log why) when the module is being loaded by
        ``indiflask run``, which serves the app itself. ``max_connections``
        defaults to the server's own default (1024).
        """
        if os.environ.get("INDIFLASK_RUN_FROM_CLI") == "1":
            log.info("app.run() ignored: 'indiflask run' is serving this app already")
            return
        from ..runtime.launch import run_app

        run_app(self, host=host, port=port, stdio=stdio, max_connections=max_connections)

    def __repr__(self) -> str:
        return f"<App {self.name!r} devices={list(self._devices)}>"


def _name(func: object) -> str:
    return getattr(func, "__qualname__", repr(func))


def _caller_file() -> str | None:
    """The file of the module that called ``App(...)`` (two frames up)."""
    frame = sys._getframe(2)
    name = frame.f_globals.get("__file__")
    return name if isinstance(name, str) else None
