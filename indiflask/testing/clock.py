"""An asyncio event loop whose clock moves only when a test says so.

:class:`VirtualClockLoop` is a real selector event loop (tasks, futures,
``call_later``, ``asyncio.sleep``, threads handing work back with
``call_soon_threadsafe``) whose :meth:`~VirtualClockLoop.time` is virtual.
Whenever the loop has nothing to do but wait for its next timer, it jumps the
clock to that timer instead of sleeping, as long as the timer lies within the
*horizon* the test allowed; so ``await asyncio.sleep(2)`` completes at once in
real time while two virtual seconds pass. While work handed to threads
(``asyncio.to_thread``, ``run_in_executor``) is in flight, the loop waits for it
in real time and the virtual clock stands still.
"""

from __future__ import annotations

import asyncio
import math
import selectors
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

__all__ = ["VirtualClockLoop"]

_T = TypeVar("_T")

#: How long the loop waits in real time, at most, for threads to hand work back.
_THREAD_POLL = 0.05


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """A selector event loop on a virtual clock that starts at 0.

    Drive it with :meth:`run_for` (let time pass), :meth:`settle` (run what is
    ready without letting time pass) or :meth:`run_until` (let time pass until a
    condition holds).
    """

    def __init__(self) -> None:
        super().__init__()
        self._now = 0.0
        self._horizon = 0.0
        self._until: Callable[[], bool] | None = None
        self._threads = 0
        selector: selectors.BaseSelector = self._selector  # type: ignore[attr-defined]
        self._real_select = selector.select
        selector.select = self._select  # type: ignore[method-assign, assignment]

    def time(self) -> float:
        """The virtual time, in seconds since the loop was made."""
        return self._now

    def run_in_executor(  # type: ignore[override]
        self, executor: Executor | None, func: Callable[..., _T], *args: Any
    ) -> asyncio.Future[_T]:
        """As the standard loop's, counting the work in flight (time stands still meanwhile)."""
        future = super().run_in_executor(executor, func, *args)
        self._threads += 1
        future.add_done_callback(self._thread_done)
        return future

    def _thread_done(self, _future: asyncio.Future[Any]) -> None:
        self._threads -= 1

    # ------------------------------------------------------------------ driving
    def settle(self) -> None:
        """Run everything that is ready, without letting virtual time pass."""
        self._drive(self._now, None)

    def run_for(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, running every timer due on the way."""
        self._drive(self._now + max(0.0, seconds), None)

    def run_until(self, done: Callable[[], bool], limit: float = math.inf) -> bool:
        """Let virtual time pass until ``done()`` holds, at most ``limit`` seconds of it.

        :returns: ``done()`` at the end (False: the limit passed, or nothing was
            left that could ever make it true).
        """
        self._drive(self._now + limit, done)
        return done()

    def _drive(self, horizon: float, until: Callable[[], bool] | None) -> None:
        if self.is_running():
            raise RuntimeError("the virtual clock is driven from outside the loop, not from a task")
        self._horizon = horizon
        self._until = until
        try:
            self.run_forever()
        finally:
            self._until = None

    def _select(self, timeout: float | None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0:
            return self._real_select(0)
        # Nothing is ready: the loop would wait for I/O or its next timer.
        if self._threads:
            wait = _THREAD_POLL if timeout is None else min(timeout, _THREAD_POLL)
            return self._real_select(wait)
        events = self._real_select(0)
        if events:
            return events
        until = self._until
        if until is not None and until():
            self.stop()
            return events
        next_timer = math.inf if timeout is None else self._now + timeout
        if next_timer <= self._horizon:
            self._now = max(self._now, next_timer)  # nothing to do until then: jump
        elif self._now < self._horizon < math.inf:
            self._now = self._horizon  # nothing due before the horizon: time passes to it
        else:
            self.stop()  # at the horizon, or nothing left that could ever happen
        return events
