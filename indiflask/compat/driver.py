"""indipydriver-style :class:`IPyDriver` and :class:`Device`.

Subclass :class:`IPyDriver` and override the coroutines ``rxevent(event)``
(clients' new values), ``hardware()`` (started once, usually a
``while not self.stop`` loop) and ``snoopevent(event)`` (other devices'
traffic). The driver is a mapping of device name to :class:`Device`, and a
device a mapping of vector name to vector.

The driver runs on indiflask's runtime: serve it with
:class:`~indiflask.compat.IPyServer` (or an :class:`indiflask.Server`, which
accepts it like an app), or on stdin/stdout with ``await driver.asyncrun()``.
What actually runs it is :class:`~indiflask.compat.engine.CompatDriver`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections import UserDict
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..protocol import events as ev
from ..protocol.values import BlobMode
from .members import getfloat
from .vectors import PropertyVector, timestamp_string

if TYPE_CHECKING:
    from .engine import CompatDriver
    from .events import Event, SnoopEvent

__all__ = ["Device", "IPyDriver"]

log = logging.getLogger(__name__)


class Device(UserDict[str, PropertyVector]):
    """One INDI device: a mapping of vector name to vector.

    :param devicename: the device name (ASCII).
    :param properties: the device's vectors, in the order clients get them.
    :param devicedata: any data you want at hand, as :attr:`devicedata`.
    """

    data: dict[str, PropertyVector]

    def __init__(
        self, devicename: str, properties: list[PropertyVector], **devicedata: Any
    ) -> None:
        super().__init__()
        if not devicename.isascii():
            raise ValueError("Device name should be all ascii characters.")
        #: The device name.
        self.devicename = devicename
        #: False after :meth:`send_delProperty`: the device is hidden and silent.
        self.enable = True
        #: The keyword arguments given.
        self.devicedata = devicedata
        #: Set when the driver is created.
        self.driver: IPyDriver | None = None
        for vector in properties:
            vector.devicename = devicename
            self.data[vector.name] = vector
        self._stop = False
        self._backgroundlist: list[Coroutine[Any, Any, Any]] = []

    def __setitem__(self, key: str, value: PropertyVector) -> None:
        raise KeyError(key)

    @staticmethod
    def indi_number_to_float(value: object) -> float:
        """An INDI number (decimal or sexagesimal text) as a float (:raises TypeError:)."""
        return getfloat(value)

    def add_background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` in the background while the driver runs."""
        if not inspect.iscoroutine(coro):
            raise TypeError("Value passed to add_background should be a coroutine")
        if self.driver is not None and self.driver._engine is not None:
            self.driver._engine.spawn(coro)
        else:
            self._backgroundlist.append(coro)

    def properties(self) -> list[PropertyVector]:
        """The device's vectors."""
        return list(self.data.values())

    def shutdown(self) -> None:
        """Set :attr:`stop`."""
        self._stop = True

    @property
    def stop(self) -> bool:
        """True once the device (or its driver) has been shut down."""
        return self._stop

    async def send_device_message(
        self, message: str = "", timestamp: datetime | None = None
    ) -> None:
        """Send an INDI ``message`` about this device."""
        if not self.enable or self.driver is None:
            return
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("send_device_message: the timestamp must be a UTC datetime")
            return
        self.driver._emit(
            ev.Message(device=self.devicename, timestamp=stamp, message=message or None)
        )

    async def send_delProperty(self, message: str = "", timestamp: datetime | None = None) -> None:
        """Tell clients the whole device is gone and disable it (set :attr:`enable` to undo)."""
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("send_delProperty: the timestamp must be a UTC datetime")
            return
        if self.driver is not None:
            self.driver._emit(
                ev.DelProperty(device=self.devicename, timestamp=stamp, message=message or None)
            )
        self.enable = False

    async def devhardware(self, *args: Any, **kwargs: Any) -> None:
        """Override for per-device hardware work; call it from the driver's ``hardware``."""

    async def devrxevent(self, event: Event, *args: Any, **kwargs: Any) -> None:
        """Override for per-device handling; call it from the driver's ``rxevent``."""

    async def devsnoopevent(self, event: SnoopEvent, *args: Any, **kwargs: Any) -> None:
        """Override for per-device snoop handling; call it from the driver's ``snoopevent``."""


class IPyDriver(UserDict[str, Device]):
    """Base class of indipydriver-style drivers: a mapping of device name to :class:`Device`.

    :param devices: the devices this driver controls.
    :param driverdata: anything your code needs (e.g. hardware objects), kept in
        :attr:`driverdata`.
    """

    data: dict[str, Device]

    def __init__(self, *devices: Device, **driverdata: Any) -> None:
        super().__init__()
        for device in devices:
            if device.devicename in self.data:
                raise ValueError(f"Device name {device.devicename} is duplicated in this driver.")
            self.data[device.devicename] = device
            device.driver = self
            for vector in device.values():
                vector.driver = self
        #: The keyword arguments given.
        self.driverdata = driverdata
        #: Snooping on every device (set by ``send_getProperties()`` with no device).
        self.snoopall = False
        #: Devices snooped on as a whole.
        self.snoopdevices: set[str] = set()
        #: ``(device, vector)`` snooped; value ``[timeout, last seen]`` when :meth:`snoop` set it.
        self.snoopvectors: dict[tuple[str, str], list[float] | None] = {}
        #: Accepted for compatibility; traffic is logged by indiflask's loggers.
        self.debug_enable = False
        #: Answer getProperties automatically; when False, ``rxevent`` gets getProperties events.
        self.auto_send_def = True
        #: Set when the driver has finished running.
        self.stopped = asyncio.Event()
        #: Set when :meth:`shutdown` is called.
        self.shutdownrequested = asyncio.Event()
        self._stop = False
        self._backgroundlist: list[Coroutine[Any, Any, Any]] = []
        self._engine: CompatDriver | None = None
        self._sink: Callable[[ev.Event], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0

    def __setitem__(self, key: str, value: Device) -> None:
        raise KeyError(key)

    @staticmethod
    def indi_number_to_float(value: object) -> float:
        """An INDI number (decimal or sexagesimal text) as a float (:raises TypeError:)."""
        return getfloat(value)

    # --------------------------------------------------------------- override
    async def rxevent(self, event: Event) -> None:
        """Override: handle a client's new values (or, without auto_send_def, getProperties)."""

    async def hardware(self) -> None:
        """Override: started once when the driver starts; typically ``while not self.stop``."""

    async def snoopevent(self, event: SnoopEvent) -> None:
        """Override: handle traffic of devices this driver snoops on."""

    # ---------------------------------------------------------------- control
    def devices(self) -> list[Device]:
        """The driver's devices."""
        return list(self.data.values())

    def add_background(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` in the background while the driver runs."""
        if not inspect.iscoroutine(coro):
            raise TypeError("Value passed to add_background should be a coroutine")
        if self._engine is not None:
            self._engine.spawn(coro)
        else:
            self._backgroundlist.append(coro)

    def shutdown(self) -> None:
        """Ask the driver to stop: sets :attr:`stop`; nothing more is sent."""
        self._stop = True
        self.shutdownrequested.set()
        for device in self.data.values():
            device.shutdown()
        if self._engine is not None:
            self._engine.request_stop()

    @property
    def stop(self) -> bool:
        """True once :meth:`shutdown` has been called."""
        return self._stop

    def local_driver(self) -> CompatDriver:
        """The in-process driver indiflask's :class:`~indiflask.Server` hosts for this driver."""
        from .engine import CompatDriver

        return CompatDriver(self)

    async def asyncrun(self) -> None:
        """Run the driver on stdin/stdout (as indiserver runs drivers) until input ends.

        Do not call this for a driver given to :class:`~indiflask.compat.IPyServer`;
        the server runs it.
        """
        from ..runtime.stdio import serve_stdio

        await serve_stdio(self, stop=self.shutdownrequested)

    # ---------------------------------------------------------------- sending
    def _bind(self, sink: Callable[[ev.Event], None] | None) -> None:
        self._sink = sink
        if sink is not None:
            self._loop = asyncio.get_running_loop()
            self._thread = threading.get_ident()

    def _emit(self, event: ev.Event) -> None:
        sink = self._sink
        if sink is None or self._stop:
            return
        if threading.get_ident() == self._thread:
            sink(event)
        elif self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._emit, event)

    async def send_message(self, message: str = "", timestamp: datetime | None = None) -> None:
        """Send a global INDI ``message`` (no device)."""
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("send_message: the timestamp must be a UTC datetime")
            return
        self._emit(ev.Message(timestamp=stamp, message=message or None))

    def snoop(self, devicename: str, vectorname: str, timeout: int = 30) -> None:
        """Snoop on one vector, repeating ``getProperties`` whenever it is silent for
        ``timeout`` seconds (at least 5); the first request goes out within a second."""
        if devicename in self.data:
            log.error("Cannot snoop on a device already controlled by this driver")
            return
        timeout = int(timeout)
        if timeout < 5:
            log.error("Snoop timeout should be equal or greater than 5 seconds")
            return
        self.snoopvectors[(devicename, vectorname)] = [timeout, time.monotonic() - timeout + 1]

    async def send_getProperties(
        self, devicename: str | None = None, vectorname: str | None = None
    ) -> None:
        """Snoop: ask for another device's (or every device's) properties and later traffic."""
        if devicename is None:
            self._emit(ev.GetProperties())
            self.snoopall = True
            return
        if devicename in self.data:
            log.error("Cannot snoop on a device already controlled by this driver")
            return
        self._emit(ev.GetProperties(device=devicename, name=vectorname))
        # indipydriver drivers receive snooped BLOBs; indiflask's server sends a
        # snooper BLOBs only after enableBLOB, so ask for them.
        self._emit(ev.EnableBLOB(device=devicename, name=vectorname, mode=BlobMode.ALSO))
        if vectorname is None:
            self.snoopdevices.add(devicename)
        elif (devicename, vectorname) not in self.snoopvectors:
            self.snoopvectors[(devicename, vectorname)] = None

    def _snooping(self, devicename: str | None, vectorname: str | None) -> bool:
        if self.snoopall:
            return True
        if devicename is None:
            return False
        if devicename in self.snoopdevices:
            return True
        return vectorname is not None and (devicename, vectorname) in self.snoopvectors
