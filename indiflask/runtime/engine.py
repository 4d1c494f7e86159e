"""AppDriver: runs an App's code on an asyncio loop around the sans-IO DriverCore.

It carries out the core's effects: it sends events upstream through the
``emit`` function it was started with, calls handlers (plain ones inline,
``async def`` ones as tasks), applies their outcome, runs hardware jobs on the
schedule and delivers snooped traffic. It is the in-process driver a
:class:`~indiflask.server.Server` hosts, and what ``--stdio`` mode and the test
client drive.

``prop.send()`` may be called from any thread: events from other threads are
handed to the loop with ``call_soon_threadsafe`` and keep their order.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from threading import get_ident
from typing import Any

from ..core.checks import CheckedChange
from ..core.driver import DriverCore, Log, RunHandler, RunSnoop, Send, SnoopSpec
from ..core.schedule import Schedule
from ..driver.app import App, HardwareJob
from ..driver.property import Change, Property
from ..driver.snooping import SnoopEvent
from ..errors import Reject
from ..protocol import events as ev

__all__ = ["AppDriver", "Emit"]

log = logging.getLogger(__name__)

#: Where a running driver sends its events.
Emit = Callable[[ev.Event], None]


class AppDriver:
    """The driver engine for one :class:`~indiflask.App` (a router ``LocalDriver``).

    :param app: the app to run.
    :param clock: a monotonic clock; a fake one makes the engine *manual*: no
        background ticker runs and the owner calls :meth:`tick` (the test client).
    """

    def __init__(self, app: App, *, clock: Callable[[], float] | None = None) -> None:
        app.finish_setup()
        #: The app being run.
        self.app = app
        #: The driver name, for logs.
        self.name = app.name
        #: The sans-IO decisions.
        self.core = DriverCore(app._devices, tuple(app.snoops))
        #: Errors raised by handlers and hardware jobs, newest last (the test client reads them).
        self.errors: list[BaseException] = []
        self._manual = clock is not None
        self._clock = clock or time.monotonic
        self._emit: Emit | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._schedule = Schedule()
        self._running_jobs: set[int] = set()
        self._handler_tasks: set[asyncio.Task[Any]] = set()
        self._job_tasks: set[asyncio.Task[Any]] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._stamp_second = -1
        self._stamp_text = ""

    # ------------------------------------------------------------ lifecycle
    async def start(self, emit: Emit) -> None:
        """Run ``on_start`` hooks, bind the devices to ``emit``, start jobs and snoops."""
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._emit = emit
        self.app.driver = self
        for dev in self.app.values():
            dev.bind(self._send_from_any_thread, clock=self.timestamp)
        for hook in self.app.start_hooks:
            result = hook()
            if inspect.isawaitable(result):
                await result
        now = self._clock()
        for index, job in enumerate(self.app.hardware_jobs):
            if job.every is None:
                self._spawn(self._job_tasks, self._long_running(job), f"hardware {job.name}")
            else:
                self._schedule.add(index, job.every, now)
        for request in self.core.snoop_requests():
            emit(request)
        if self._manual:
            self.tick(now)
        else:
            self._ticker = self._loop.create_task(self._tick_forever())

    async def stop(self) -> None:
        """Stop jobs and handlers, run ``on_stop`` hooks, unbind the devices."""
        tasks = [*self._handler_tasks, *self._job_tasks]
        if self._ticker is not None:
            tasks.append(self._ticker)
            self._ticker = None
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for hook in self.app.stop_hooks:
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("%s: on_stop hook %s failed", self.name, _name(hook))
        for dev in self.app.values():
            dev.bind(None)
        self.app.driver = None
        self._emit = None

    # ------------------------------------------------------------- input
    def feed(self, event: ev.Event) -> None:
        """Handle one event from upstream (getProperties, a change, snooped traffic)."""
        for effect in self.core.feed(event):
            if isinstance(effect, Send):
                self._send(effect.event)
            elif isinstance(effect, RunHandler):
                self._run_handler(effect.prop, effect.change)  # type: ignore[arg-type]
            elif isinstance(effect, RunSnoop):
                self._run_snoop(effect.snoop, effect.event)
            elif isinstance(effect, Log):
                log.log(effect.level, "%s: %s", self.name, effect.text)

    # ------------------------------------------------------------ output
    def _send(self, event: ev.Event) -> None:
        emit = self._emit
        if emit is not None:
            emit(event)

    def _send_from_any_thread(self, event: ev.Event) -> None:
        if get_ident() == self._thread:
            emit = self._emit
            if emit is not None:
                emit(event)
            return
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._send, event)

    def timestamp(self) -> str:
        """The INDI timestamp for now (UTC, whole seconds; formatted once per second)."""
        now = time.time()
        second = int(now)
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return self._stamp_text

    # ----------------------------------------------------------- handlers
    def _run_handler(self, prop: Property, checked: CheckedChange) -> None:
        handler = prop.handler
        prop.begin_change()
        if handler is None:
            self._send(prop.finish_change(checked, None, None))
            return
        try:
            result = handler(Change(prop, checked))
        except Exception as exc:
            self._send(prop.finish_change(checked, None, self._failure(prop, exc)))
            return
        if inspect.isawaitable(result):
            self._spawn(
                self._handler_tasks,
                self._await_handler(prop, checked, result),
                f"handler {prop.name}",
            )
        else:
            self._send(prop.finish_change(checked, result, None))

    async def _await_handler(
        self, prop: Property, checked: CheckedChange, pending: Awaitable[Any]
    ) -> None:
        try:
            result = await pending
        except asyncio.CancelledError:
            prop.finish_change(checked, None, "cancelled: the driver is stopping")
            raise
        except Exception as exc:
            self._send(prop.finish_change(checked, None, self._failure(prop, exc)))
            return
        self._send(prop.finish_change(checked, result, None))

    def _failure(self, prop: Property, exc: Exception) -> str:
        where = f"{prop.device.name}.{prop.name}"
        if isinstance(exc, Reject):
            log.info("%s: %s refused a change: %s", self.name, where, exc.message)
            return exc.message
        self.errors.append(exc)
        log.error("%s: the handler of %s failed", self.name, where, exc_info=exc)
        return f"{where}: the driver failed: {type(exc).__name__}: {exc}"

    # ------------------------------------------------------------- snoops
    def _run_snoop(self, snoop: SnoopSpec, event: ev.Event) -> None:
        try:
            result = snoop.handler(SnoopEvent(event))
        except Exception as exc:
            self._job_failed(f"snoop {_name(snoop.handler)}", exc)
            return
        if inspect.isawaitable(result):
            self._spawn(self._handler_tasks, _guard(result), f"snoop {_name(snoop.handler)}")

    # ---------------------------------------------------------- hardware
    def next_deadline(self) -> float | None:
        """When the next periodic job is due (monotonic seconds), or ``None``."""
        return self._schedule.next_deadline()

    def tick(self, now: float) -> list[asyncio.Task[Any]]:
        """Run every periodic job due at ``now``; return the tasks of async ones."""
        started: list[asyncio.Task[Any]] = []
        for index in self._schedule.pop_due(now, self._running_jobs):
            job = self.app.hardware_jobs[int(index)]  # type: ignore[call-overload]
            try:
                result = job.func(job.device) if job.device is not None else job.func()
            except Exception as exc:
                self._job_failed(f"hardware {job.name}", exc)
                continue
            if inspect.isawaitable(result):
                self._running_jobs.add(int(index))  # type: ignore[call-overload]
                task = self._spawn(
                    self._job_tasks,
                    self._periodic(int(index), job, result),  # type: ignore[call-overload]
                    f"hardware {job.name}",
                )
                started.append(task)
        return started

    async def _periodic(self, index: int, job: HardwareJob, pending: Awaitable[Any]) -> None:
        try:
            await pending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._job_failed(f"hardware {job.name}", exc)
        finally:
            self._running_jobs.discard(index)

    async def _long_running(self, job: HardwareJob) -> None:
        try:
            args = (job.device,) if job.device is not None else ()
            result = job.func(*args)
            if inspect.isawaitable(result):
                await result
            log.info("%s: hardware %s finished", self.name, job.name)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._job_failed(f"hardware {job.name}", exc)

    async def _tick_forever(self) -> None:
        while True:
            deadline = self._schedule.next_deadline()
            if deadline is None:
                return
            delay = deadline - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            self.tick(self._clock())

    def _job_failed(self, what: str, exc: Exception) -> None:
        self.errors.append(exc)
        log.error("%s: %s failed; the driver keeps running", self.name, what, exc_info=exc)

    # ------------------------------------------------------------- tasks
    def _spawn(self, bucket: set[asyncio.Task[Any]], coro: Any, what: str) -> asyncio.Task[Any]:
        assert self._loop is not None
        task = self._loop.create_task(coro, name=f"{self.name}: {what}")
        bucket.add(task)
        task.add_done_callback(bucket.discard)
        return task

    def pending_handlers(self) -> list[asyncio.Task[Any]]:
        """The handler and snoop tasks still running (the test client awaits them)."""
        return list(self._handler_tasks)


async def _guard(pending: Awaitable[Any]) -> None:
    try:
        await pending
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("a snoop function failed; the driver keeps running")


def _name(func: object) -> str:
    return getattr(func, "__qualname__", repr(func))
