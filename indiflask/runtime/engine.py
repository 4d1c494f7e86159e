"""AppDriver: runs a driver specification on an asyncio loop around the sans-IO DriverCore.

It carries out the core's effects: it sends events upstream through the
``emit`` function it was started with, calls handlers (plain ones inline,
``async def`` ones as tasks) and reports how they ended to the core, runs
hardware jobs on the loop's clock and delivers snooped traffic. It is the
in-process driver a :class:`~indiflask.Server` hosts, and what ``--stdio``
mode and the test client drive. It runs any
:class:`~indiflask.core.spec.DriverSpec`; an :class:`~indiflask.App` makes one.

Time is the event loop's (``loop.time()``), so a loop with a virtual clock (the
test client's) runs every job, handler and sleep on virtual time.

``prop.send()`` may be called from any thread: events from other threads are
handed to the loop with ``call_soon_threadsafe`` and keep their order.

Lifecycle: :meth:`AppDriver.start` runs the ``on_start`` hooks first; if one
fails, :class:`~indiflask.errors.StartError` is raised and nothing else starts
(the ``on_stop`` hooks are not run). :meth:`AppDriver.stop` stops every job,
handler and snoop first, and only then runs the ``on_stop`` hooks: nothing of
the app runs after them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from threading import get_ident
from typing import Any

from ..core.driver import DriverCore, Log, RunHandler, RunSnoop, Send
from ..core.schedule import Schedule
from ..core.spec import DriverSpec, HardwareJob, SnoopSpec
from ..core.transaction import Change, Transaction
from ..errors import Reject, StartError
from ..protocol import events as ev

__all__ = ["AppDriver", "Emit"]

log = logging.getLogger(__name__)

#: Where a running driver sends its events.
Emit = Callable[[ev.Event], None]


class AppDriver:
    """The driver engine for one driver specification (a router ``LocalDriver``).

    :param spec: what to run (``app.spec()``).
    :param wall_clock: seconds since the epoch, for INDI timestamps
        (``time.time``; the test client passes its virtual clock).
    """

    def __init__(self, spec: DriverSpec, *, wall_clock: Callable[[], float] = time.time) -> None:
        #: What is being run.
        self.spec = spec
        #: The driver name, for logs.
        self.name = spec.name
        #: The sans-IO decisions.
        self.core = DriverCore(spec.devices, spec.snoops)
        #: Errors raised by handlers, jobs and snoops, newest last (the test client reads them).
        self.errors: list[BaseException] = []
        self._wall_clock = wall_clock
        self._emit: Emit | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._schedule = Schedule()
        self._running_jobs: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._open: set[Transaction] = set()
        self._ticker: asyncio.Task[None] | None = None
        self._stopped = False
        self._stamp_second = -1
        self._stamp_text = ""

    # ------------------------------------------------------------ lifecycle
    async def start(self, emit: Emit) -> None:
        """Run ``on_start`` hooks, bind the devices to ``emit``, start jobs and snoops.

        :raises StartError: when an ``on_start`` hook fails (nothing is started then).
        """
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._thread = threading.get_ident()
        self._emit = emit
        self._stopped = False
        for dev in self.spec.devices.values():
            dev.bind(self._send_from_any_thread, clock=self.timestamp, feed=self.feed)
        if self.spec.running is not None:
            self.spec.running(self)
        for hook in self.spec.start_hooks:
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:
                self._unbind()
                raise StartError(
                    f"app {self.name!r} did not start: {type(exc).__name__}: {exc} "
                    f"(in its on_start hook {_name(hook)})"
                ) from exc
        now = loop.time()
        for index, job in enumerate(self.spec.jobs):
            if job.every is None:
                self._spawn(self._long_running(job), f"hardware {job.name}")
            else:
                self._schedule.add(index, job.every, now)
        for request in self.core.snoop_requests():
            emit(request)
        if self._schedule.next_deadline() is not None:
            self._ticker = loop.create_task(self._tick_forever(), name=f"{self.name}: ticker")

    async def stop(self) -> None:
        """Stop jobs, handlers and snoops, then run ``on_stop`` hooks and unbind the devices."""
        if self._stopped or self._emit is None:
            return
        self._stopped = True
        tasks = list(self._tasks)
        if self._ticker is not None:
            tasks.append(self._ticker)
            self._ticker = None
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for txn in list(self._open):
            self.core.abandon(txn)
        self._open.clear()
        for hook in self.spec.stop_hooks:
            try:
                result = hook()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("%s: the on_stop hook %s failed", self.name, _name(hook))
        self._unbind()

    def _unbind(self) -> None:
        for dev in self.spec.devices.values():
            dev.bind(None)
        if self.spec.running is not None:
            self.spec.running(None)
        self._emit = None

    # ------------------------------------------------------------- input
    def feed(self, event: ev.Event) -> None:
        """Handle one event from upstream (getProperties, a change, snooped traffic).

        Ignored once the driver is stopping: nothing of the app runs after ``on_stop``.
        """
        if self._stopped:
            return
        for effect in self.core.feed(event):
            if isinstance(effect, Send):
                self._send(effect.event)
            elif isinstance(effect, RunHandler):
                self._run_handler(effect.txn)
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
        second = int(self._wall_clock())
        if second != self._stamp_second:
            self._stamp_second = second
            self._stamp_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return self._stamp_text

    # ----------------------------------------------------------- handlers
    def _run_handler(self, txn: Transaction) -> None:
        prop = txn.prop
        handler = prop.handler
        if handler is None:
            self._finish(txn)
            return
        try:
            result = handler(Change(prop, txn.checked))
        except Exception as exc:
            self._finish(txn, error=exc)
            return
        if inspect.iscoroutine(result):
            self._start_coroutine(txn, result)
        elif inspect.isawaitable(result):
            self._open.add(txn)
            self._answer_busy(txn)
            self._spawn(self._await_handler(txn, result), f"handler {prop.name}")
        else:
            self._finish(txn, result)

    def _start_coroutine(self, txn: Transaction, coro: Coroutine[Any, Any, Any]) -> None:
        """Run an ``async def`` handler's first step now, the rest in a task.

        Running the first step at once means every accepted change is answered
        while its ``new*Vector`` is being handled: a handler that refuses or
        finishes before its first ``await`` answers then, one that sends Busy
        itself sends it then, and one that sends nothing before waiting gets an
        automatic Busy update.
        """
        try:
            yielded = coro.send(None)
        except StopIteration as stop:
            self._finish(txn, stop.value)
            return
        except Exception as exc:
            self._finish(txn, error=exc)
            return
        self._open.add(txn)
        self._answer_busy(txn)
        self._spawn(self._resume(txn, coro, yielded), f"handler {txn.prop.name}")

    def _answer_busy(self, txn: Transaction) -> None:
        """An accepted change whose handler is still running and said nothing: Busy."""
        if txn.updates == 0 and not txn.closed:
            for effect in self.core.busy(txn):
                self._send(effect.event)

    async def _resume(
        self, txn: Transaction, coro: Coroutine[Any, Any, Any], yielded: object
    ) -> None:
        """Drive a started coroutine to its end, as an asyncio task would."""
        try:
            while True:
                try:
                    await _wait_for_yield(yielded)
                except asyncio.CancelledError:
                    if isinstance(yielded, asyncio.Future):
                        yielded.cancel()
                    yielded = coro.throw(asyncio.CancelledError())
                    coro.close()
                    raise
                yielded = coro.send(None)
        except StopIteration as stop:
            self._finish(txn, stop.value)
        except asyncio.CancelledError:
            self.core.abandon(txn)
            raise
        except Exception as exc:
            self._finish(txn, error=exc)
        finally:
            self._open.discard(txn)

    async def _await_handler(self, txn: Transaction, pending: Awaitable[Any]) -> None:
        try:
            result = await pending
        except asyncio.CancelledError:
            self.core.abandon(txn)
            raise
        except Exception as exc:
            self._finish(txn, error=exc)
        else:
            self._finish(txn, result)
        finally:
            self._open.discard(txn)

    def _finish(
        self, txn: Transaction, result: object = None, error: BaseException | None = None
    ) -> None:
        if error is not None:
            where = f"{txn.prop.device.name}.{txn.prop.name}"
            if isinstance(error, Reject):
                log.info("%s: %s refused a change: %s", self.name, where, error.message)
            else:
                self.errors.append(error)
                log.error("%s: the handler of %s failed", self.name, where, exc_info=error)
        for effect in self.core.finish(txn, result, error):
            if isinstance(effect, Send):
                self._send(effect.event)

    # ------------------------------------------------------------- snoops
    def _run_snoop(self, snoop: SnoopSpec, event: ev.Event) -> None:
        what = f"snoop {snoop.label or _name(snoop.handler)}"
        try:
            result = snoop.handler(event)
        except Exception as exc:
            self._failed(what, exc)
            return
        if inspect.isawaitable(result):
            self._spawn(self._guard(result, what), what)

    async def _guard(self, pending: Awaitable[Any], what: str) -> None:
        try:
            await pending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(what, exc)

    # ---------------------------------------------------------- hardware
    def next_deadline(self) -> float | None:
        """When the next periodic job is due (loop time), or ``None``."""
        return self._schedule.next_deadline()

    def tick(self, now: float) -> None:
        """Run every periodic job due at ``now`` (loop time)."""
        for index in self._schedule.pop_due(now, self._running_jobs):
            number = int(index)  # type: ignore[call-overload]
            job = self.spec.jobs[number]
            try:
                result = job.func(*job.args)
            except Exception as exc:
                self._failed(f"hardware {job.name}", exc)
                continue
            if inspect.isawaitable(result):
                self._running_jobs.add(number)
                self._spawn(self._periodic(number, job, result), f"hardware {job.name}")

    async def _periodic(self, index: int, job: HardwareJob, pending: Awaitable[Any]) -> None:
        try:
            await pending
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(f"hardware {job.name}", exc)
        finally:
            self._running_jobs.discard(index)

    async def _long_running(self, job: HardwareJob) -> None:
        try:
            result = job.func(*job.args)
            if inspect.isawaitable(result):
                await result
            log.info("%s: hardware %s finished", self.name, job.name)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._failed(f"hardware {job.name}", exc)

    async def _tick_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            deadline = self._schedule.next_deadline()
            if deadline is None:
                return
            delay = deadline - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.tick(loop.time())

    def _failed(self, what: str, exc: Exception) -> None:
        self.errors.append(exc)
        log.error("%s: %s failed; the driver keeps running", self.name, what, exc_info=exc)

    # ------------------------------------------------------------- tasks
    def _spawn(self, coro: Any, what: str) -> asyncio.Task[Any]:
        assert self._loop is not None
        task = self._loop.create_task(coro, name=f"{self.name}: {what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


async def _wait_for_yield(yielded: object) -> None:
    """Wait for what a coroutine yielded to its task (an asyncio future, or None)."""
    if yielded is None:
        await asyncio.sleep(0)
        return
    if not isinstance(yielded, asyncio.Future):
        raise RuntimeError(f"an async handler yielded {yielded!r}, which asyncio cannot wait for")
    yielded._asyncio_future_blocking = False
    await asyncio.wait((yielded,))


def _name(func: object) -> str:
    return getattr(func, "__qualname__", repr(func))
