"""The server's side of pacing: holding a driver's output while its readers are behind.

:class:`Holding` is a part of :class:`~indiflask.server.server.Server` (which
inherits it): the sans-IO :class:`~indiflask.core.pacing.Pacer` decides who
waits for whom; this module holds and releases the events, pauses the
drivers' input, and watches for readers that stall.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..core.blobpolicy import QueueBudget
from ..core.pacing import Pacer
from ..core.router import Deliveries, Router
from ..protocol.events import Event

if TYPE_CHECKING:
    from .hub import DriverSink, Sink

__all__ = ["Holding"]

log = logging.getLogger("indiflask.server")

MiB = 2**20


class Holding:
    """Holds and releases paced drivers' events (mixed into the server)."""

    router: Router
    pacer: Pacer
    budget: QueueBudget
    stall_timeout: float
    _loop: asyncio.AbstractEventLoop | None
    _sinks: dict[int, Sink]
    _drivers: dict[int, DriverSink]
    _dispatching: bool
    _release_scheduled: bool
    _release_after_dispatch: bool
    _releasing: bool
    _over_limit: set[int]
    _stall_checks: set[int]

    def dispatch(self, deliveries: Deliveries) -> None:
        """Send the router's deliveries (implemented by the server)."""
        raise NotImplementedError

    def _hold(self, link: int, event: Event) -> bool:
        """Hold a paced driver's event; True when held.

        An app emitting while a delivery is under way (a snoop handler, say)
        has its events held until that delivery is done, so the pacer decides
        after the bytes before them are queued.
        """
        pacer = self.pacer
        was_holding = pacer.holds(link)
        force = self._dispatching and link in self._drivers
        if not pacer.hold(link, event, force=force):
            return False
        if self._dispatching:
            self._release_after_dispatch = True  # decide once this delivery is done
        if not was_holding:
            self._start_holding(link)
        elif pacer.over_limit(link):
            self._release_over_limit(link)
        return True

    def _start_holding(self, link: int) -> None:
        driver = self._drivers.get(link)
        if driver is not None:
            driver.hold_input(True)
        self._arm_stall_check(link)

    def _arm_stall_check(self, link: int) -> None:
        """In ``stall_timeout`` s, see whether the readers ``link`` waits for took anything."""
        blockers = self.pacer.blockers(link)
        if self._loop is None or link in self._stall_checks or not blockers:
            return
        self._stall_checks.add(link)
        taken = {r: self._sinks[r].taken for r in blockers if r in self._sinks}
        self._loop.call_later(self.stall_timeout, self._check_stall, link, taken)

    def _check_stall(self, link: int, taken: dict[int, int]) -> None:
        """Readers that took nothing since the check was armed stop holding ``link`` back."""
        self._stall_checks.discard(link)
        pacer = self.pacer
        if not pacer.holds(link):
            return
        for reader in pacer.blockers(link):
            sink = self._sinks.get(reader)
            if sink is not None and reader in taken and sink.taken <= taken[reader]:
                pacer.ignore(reader)
                log.warning(
                    "%s took nothing for %g s: %s no longer waits for it "
                    "(it is disconnected once %d bytes behind)",
                    getattr(sink, "name", f"link {reader}"),
                    self.stall_timeout,
                    self.router.link_name(link),
                    self.budget.max_queue,
                )
        self._release_held()
        if pacer.holds(link):
            self._arm_stall_check(link)

    def _release_over_limit(self, link: int) -> None:
        pacer = self.pacer
        if link not in self._over_limit:
            self._over_limit.add(link)
            log.warning(
                "%s: %d MiB of its output wait for slow readers (limit %d MiB): sending on "
                "without waiting; a reader %d MiB behind is disconnected",
                self.router.link_name(link),
                pacer.held_bytes(link) // MiB,
                pacer.held_limit // MiB,
                self.budget.max_queue // MiB,
            )
        while pacer.over_limit(link):
            event = pacer.release(link, force=True)
            if event is None:
                break
            self._route(link, event)

    def _route(self, link: int, event: Event) -> None:
        deliveries = self.router.receive(link, event)
        if deliveries:
            self.dispatch(deliveries)

    def _release_held(self) -> None:
        """Move held events on, in order, while their readers have room."""
        self._release_scheduled = False
        if self._releasing:
            return
        self._releasing = True
        pacer = self.pacer
        try:
            for link in pacer.held_links():
                while True:
                    event = pacer.release(link)
                    if event is None:
                        break
                    self._route(link, event)
                if pacer.holds(link):
                    self._arm_stall_check(link)
                    continue
                self._over_limit.discard(link)
                driver = self._drivers.get(link)
                if driver is not None:
                    driver.hold_input(False)
        finally:
            self._releasing = False

    def _schedule_release(self) -> None:
        if not self._release_scheduled and self._loop is not None:
            self._release_scheduled = True
            self._loop.call_soon(self._release_held)

    def backlog(self, link: int, behind: bool) -> None:
        """A byte link fell behind (its queue reached the low-water mark) or caught up."""
        self.pacer.set_behind(link, behind)
        if not behind and self.pacer.held_links():
            self._schedule_release()

    def driver_down(self, link: int) -> None:
        """A driver-side link lost its peer: deliver what it sent, then delete its devices."""
        for event in self.pacer.forget(link):
            self._route(link, event)
        self._over_limit.discard(link)
        self.dispatch(self.router.link_down(link))
        if self.pacer.held_links():
            self._schedule_release()
