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
returns further devices. See API.md §1-5 for the contract.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.driver import SnoopSpec
from ..errors import SetupError
from ..protocol.values import Perm
from . import standard
from .declarations import Declarations
from .device import Device

if TYPE_CHECKING:
    from ..runtime.engine import AppDriver
    from ..testing import TestClient
    from .template import DeviceTemplate

__all__ = ["App", "HardwareJob"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class HardwareJob:
    """A hardware function: periodic (``every`` seconds) or long-running (``every=None``).

    ``device`` is set for jobs declared on a device template; the function then
    receives that device as its argument.
    """

    func: Callable[..., Any]
    every: float | None
    device: Device | None = None

    @property
    def name(self) -> str:
        """The function's name, for logs."""
        return getattr(self.func, "__qualname__", repr(self.func))


class App(Declarations, Mapping[str, Device]):
    """An INDI driver: one or more devices and the code behind their properties.

    :param name: the driver's name (shown in logs and ``DRIVER_INFO``).
    :param device: the default device's name (defaults to ``name``).
    :param version: the driver version reported in ``DRIVER_INFO``.
    :param standard: add the standard ``DRIVER_INFO`` property to every device
        (and ``CONNECTION`` when ``on_connect``/``on_disconnect`` hooks exist).

    The app is a mapping of device name to :class:`~indiflask.driver.device.Device`.
    """

    def __init__(
        self,
        name: str,
        device: str | None = None,
        *,
        version: str = "1.0",
        standard: bool = True,
    ) -> None:
        #: The driver's name.
        self.name = name
        #: The driver's version (``DRIVER_INFO.DRIVER_VERSION``).
        self.version = version
        #: A namespace for your hardware handles, filled by ``on_start`` hooks.
        self.hw = SimpleNamespace()
        self._standard = standard
        self._devices: dict[str, Device] = {}
        self._default = self.device(os.environ.get("INDIDEV") or device or name)
        self.hardware_jobs: list[HardwareJob] = []
        self.snoops: list[SnoopSpec] = []
        self.start_hooks: list[Callable[[], Any]] = []
        self.stop_hooks: list[Callable[[], Any]] = []
        self.connect_hooks: list[Callable[[], Any]] = []
        self.disconnect_hooks: list[Callable[[], Any]] = []
        self._finished = False
        #: The running driver engine, while the app runs.
        self.driver: AppDriver | None = None

    # ------------------------------------------------------------- devices
    @property
    def default_device(self) -> Device:
        """The device that the app's own declaration methods add to."""
        return self._default

    def device(self, name: str) -> Device:
        """Return the device called ``name``, creating it on first use."""
        dev = self._devices.get(name)
        if dev is None:
            dev = Device(self, name)
            self._devices[name] = dev
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
    def _declaration_device(self) -> Device:
        return self._default

    def register(self, template: DeviceTemplate, *, device: str) -> Device:
        """Declare ``template``'s properties, hardware and snoops on a device called ``device``.

        A template can be registered under several device names.
        """
        return template.apply(self, device)

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
            self.hardware_jobs.append(HardwareJob(func, float(every) if every else None))
            return func

        return decorate

    def snoop(self, device: str, name: str | None = None) -> Callable[[F], F]:
        """Decorator: receive another device's traffic (``def``/``set``/``del``/``message``).

        The function gets a :class:`~indiflask.driver.snooping.SnoopEvent`.
        """
        if device in self._devices:
            raise SetupError(f"@snoop({device!r}): that is this app's own device")

        def decorate(func: F) -> F:
            self.snoops.append(SnoopSpec(device, name, func))
            return func

        return decorate

    def on_start(self, func: F) -> F:
        """Decorator: run ``func`` when the app starts (open hardware here)."""
        self.start_hooks.append(func)
        return func

    def on_stop(self, func: F) -> F:
        """Decorator: run ``func`` when the app stops (close hardware here)."""
        self.stop_hooks.append(func)
        return func

    def on_connect(self, func: F) -> F:
        """Decorator: run ``func`` when a client switches ``CONNECTION`` to CONNECT.

        Using it adds the standard ``CONNECTION`` property to every device.
        """
        self.connect_hooks.append(func)
        return func

    def on_disconnect(self, func: F) -> F:
        """Decorator: run ``func`` when a client switches ``CONNECTION`` to DISCONNECT."""
        self.disconnect_hooks.append(func)
        return func

    def message(self, text: str) -> None:
        """Send an INDI ``message`` from the default device to its clients."""
        self._default.message(text)

    # ------------------------------------------------------------- running
    def finish_setup(self) -> None:
        """Add the standard properties and check the whole declaration (idempotent)."""
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
            exe = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else self.name
            for dev in self._devices.values():
                standard.add_driver_info(dev, self.name, exe, self.version)
                if self.connect_hooks or self.disconnect_hooks:
                    standard.add_connection(dev)
        self._finished = True

    def local_driver(self, **options: Any) -> AppDriver:
        """The in-process driver engine for this app (what a :class:`Server` hosts)."""
        from ..runtime.engine import AppDriver

        return AppDriver(self, **options)

    def test_client(self, **options: Any) -> TestClient:
        """A deterministic in-process client for tests (see :mod:`indiflask.testing`)."""
        from ..testing import TestClient

        return TestClient(self, **options)

    def run(
        self,
        host: str = "127.0.0.1",
        port: int = 7624,
        *,
        stdio: bool = False,
        max_connections: int = 100,
    ) -> None:
        """Serve this app: on TCP (``host``/``port``) or, with ``stdio=True``, on stdin/stdout.

        Does nothing (but log why) when the module is being loaded by
        ``indiflask run``, which serves the app itself.
        """
        if os.environ.get("INDIFLASK_RUN_FROM_CLI") == "1":
            import logging

            logging.getLogger(__name__).info(
                "app.run() ignored: 'indiflask run' is serving this app already"
            )
            return
        from ..runtime.launch import run_app

        run_app(self, host=host, port=port, stdio=stdio, max_connections=max_connections)

    def __repr__(self) -> str:
        return f"<App {self.name!r} devices={list(self._devices)}>"
