"""CompatDriver: runs an :class:`~indiflask.compat.IPyDriver` as an indiflask ``LocalDriver``.

It implements :class:`indiflask.core.links.LocalDriver`, so the same
:class:`indiflask.Server` (and router, BLOB policy, executable drivers, remote
servers) that hosts indiflask apps hosts indipydriver-style drivers too.

What it does with each event from the router, in indipydriver's way:

==================  ============================================================
event               action
==================  ============================================================
getProperties       ``auto_send_def``: answered at once with the enabled vectors'
                    definitions; otherwise one :class:`getProperties` event per
                    vector is queued for ``rxevent``
new*Vector          checked (device and vector known and enabled, every member
                    known, not read-only), then queued for ``rxevent`` as is;
                    nothing is applied or sent unless the driver does it
def/set/del/message queued for ``snoopevent`` when the driver snoops on it
pingRequest         answered
==================  ============================================================

Queued events are handled one at a time, in arrival order, as indipydriver
does. ``hardware()``, background coroutines and the snoop-timeout monitor run
as tasks; an exception in any of them is logged and the rest keep running.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ..protocol import events as ev
from .events import NEW_CLASSES, getProperties, snoop_event
from .vectors import timestamp_string

if TYPE_CHECKING:
    from .driver import IPyDriver

__all__ = ["CompatDriver"]

log = logging.getLogger(__name__)

#: Seconds ``stop()`` lets ``hardware()`` finish its ``while not self.stop`` loop.
STOP_GRACE = 1.0


class CompatDriver:
    """The :class:`~indiflask.core.links.LocalDriver` for one IPyDriver.

    :param driver: the indipydriver-style driver to run.
    """

    def __init__(self, driver: IPyDriver) -> None:
        #: The driver being run.
        self.driver = driver
        #: The driver's name, for logs: its class name.
        self.name = type(driver).__name__
        self._emit: Callable[[ev.Event], None] | None = None
        self._queue: asyncio.Queue[tuple[str, Any]] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._hardware: asyncio.Task[Any] | None = None
        self._stopping: asyncio.Event | None = None

    # ------------------------------------------------------------- lifecycle
    async def start(self, emit: Callable[[ev.Event], None]) -> None:
        """Bind the driver to ``emit``; start ``hardware()``, background tasks and the consumer."""
        driver = self.driver
        driver._stop = False
        driver.stopped.clear()
        driver.shutdownrequested.clear()
        for device in driver.values():
            device._stop = False
        self._emit = emit
        self._queue = asyncio.Queue()
        self._stopping = asyncio.Event()
        driver._engine = self
        driver._bind(emit)
        log.info("driver %s started", self.name)
        self.spawn(self._consume())
        self.spawn(self._monitor_snoops())
        pending = [*driver._backgroundlist]
        driver._backgroundlist.clear()
        for device in driver.values():
            pending.extend(device._backgroundlist)
            device._backgroundlist.clear()
        for coro in pending:
            self.spawn(coro)
        self._hardware = self.spawn(driver.hardware())

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coro`` as a task of this driver (errors are logged, not raised)."""
        task = asyncio.get_running_loop().create_task(self._guard(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "driver %s: %s failed; the driver keeps running",
                self.name,
                getattr(coro, "__qualname__", "a task"),
            )

    def request_stop(self) -> None:
        """Called by ``driver.shutdown()``: nothing more is handled."""
        if self._stopping is not None:
            self._stopping.set()

    async def stop(self) -> None:
        """Shut the driver down: let ``hardware()`` see ``stop``, then cancel what remains."""
        driver = self.driver
        if not driver.stop:
            driver.shutdown()
        hardware = self._hardware
        if hardware is not None and not hardware.done():
            await asyncio.wait({hardware}, timeout=STOP_GRACE)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        driver._bind(None)
        driver._engine = None
        self._emit = None
        driver.stopped.set()
        log.info("driver %s stopped", self.name)

    # ----------------------------------------------------------------- input
    def feed(self, event: ev.Event) -> None:
        """Handle one event from the router (see the module docstring)."""
        driver = self.driver
        if driver.stop or self._queue is None:
            return
        if isinstance(event, ev.GetProperties):
            self._get_properties(event)
        elif isinstance(event, ev.NewVector):
            self._new_values(event)
        elif isinstance(event, ev.DefVector | ev.SetVector | ev.DelProperty | ev.Message):
            device = event.device
            if device is not None and device in driver:
                return
            name = getattr(event, "name", None)
            if isinstance(event, ev.SetVector) and not event.values:
                return  # indipydriver does not pass on snooped updates without members
            if driver._snooping(device, name):
                snooped = snoop_event(event)
                if snooped is not None:
                    self._queue.put_nowait(("snoop", snooped))
        elif isinstance(event, ev.PingRequest):
            self._send(ev.PingReply(uid=event.uid))
        elif isinstance(event, ev.Invalid):
            log.warning(
                "driver %s: invalid %s ignored: %s", self.name, event.element_tag, event.reason
            )

    def _send(self, event: ev.Event) -> None:
        if self._emit is not None:
            self._emit(event)

    def _get_properties(self, event: ev.GetProperties) -> None:
        driver = self.driver
        for devicename, device in driver.items():
            if event.device not in (None, "*", devicename) or not device.enable:
                continue
            for name, vector in device.items():
                if event.name not in (None, name) or not vector.enable:
                    continue
                if driver.auto_send_def:
                    stamp = timestamp_string() or ""
                    try:
                        self._send(vector._definition(stamp, ""))
                    except (TypeError, ValueError) as exc:
                        log.error(
                            "driver %s: cannot define %s.%s: %s", self.name, devicename, name, exc
                        )
                    vector.changed = False
                else:
                    assert self._queue is not None
                    self._queue.put_nowait(("rx", getProperties(devicename, name, vector, event)))

    def _new_values(self, event: ev.NewVector) -> None:
        where = f"{event.device}.{event.name}"
        device = self.driver.get(event.device)
        vector = device.get(event.name) if device is not None else None
        if device is None or vector is None or not device.enable or not vector.enable:
            log.debug("driver %s: change to unknown or disabled %s ignored", self.name, where)
            return
        unknown = [m for m in event.values if m not in vector.data]
        if unknown or not event.values:
            log.error(
                "driver %s: %s ignored: unknown member(s) %s",
                self.name,
                type(event).__name__,
                ", ".join(unknown) or "(none sent)",
            )
            return
        if vector.perm == "ro":
            text = f"{where} is read-only; the change was ignored"
            log.info("driver %s: %s", self.name, text)
            self._send(ev.Message(device=event.device, timestamp=timestamp_string(), message=text))
            return
        cls = NEW_CLASSES.get(type(event))
        if cls is None or vector._set_cls.kind != event.kind:
            log.error(
                "driver %s: %s does not match %s %s",
                self.name,
                type(event).__name__,
                vector.vectortype,
                where,
            )
            return
        assert self._queue is not None
        self._queue.put_nowait(("rx", cls(vector, event)))

    # ------------------------------------------------------------- consumers
    async def _consume(self) -> None:
        assert self._queue is not None
        driver = self.driver
        while True:
            kind, item = await self._queue.get()
            if driver.stop:
                continue
            try:
                if kind == "rx":
                    await driver.rxevent(item)
                else:
                    timing = driver.snoopvectors.get((item.devicename, item.vectorname))
                    if timing is not None:
                        timing[1] = time.monotonic()
                    await driver.snoopevent(item)
            except Exception:
                log.exception(
                    "driver %s: %s raised; the driver keeps running",
                    self.name,
                    "rxevent" if kind == "rx" else "snoopevent",
                )

    async def _monitor_snoops(self) -> None:
        driver = self.driver
        while not driver.stop:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for (devicename, vectorname), timing in list(driver.snoopvectors.items()):
                if timing is None:
                    continue
                timeout, seen = timing
                if now > seen + timeout:
                    timing[1] = now
                    await driver.send_getProperties(devicename, vectorname)
