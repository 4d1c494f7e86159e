"""Pacing drivers by their readers (sans-IO): who must wait, and what waits meanwhile.

A driver that sends faster than its clients read (a camera sending eight
16 MiB frames from one handler) would push everything into the clients'
queues at once, and the queue limit (``max_queue``) would disconnect a client
that reads at full speed. Instead, the server paces each driver-side link
(APP, EXEC, REMOTE) by its **least-behind reader**:

* A byte link (a client, or a driver we write to) is *behind* while the bytes
  waiting for it reach the low-water mark (:attr:`QueueBudget.low_water
  <indiflask.core.blobpolicy.QueueBudget.low_water>`, a few MiB). The runtime
  reports crossings with :meth:`Pacer.set_behind`.
* A driver link must wait while **every** recipient of the last event it sent
  is behind. Then its next events are *held* here, in order, and move on (are
  routed, encoded and queued) as soon as one of those recipients has room
  again. An in-process app is never behind, so a driver snooped by an app
  never waits for it.
* One reader at room is enough: a client that stops reading falls further and
  further behind, and is disconnected past ``max_queue`` exactly as before; it
  never slows a client that reads.
* A behind reader that takes no bytes at all for a while (the runtime decides
  how long) is *ignored* (:meth:`Pacer.ignore`): it no longer holds anyone
  back, until it catches up.
* Held events of one link are bounded by :attr:`Pacer.held_limit` bytes
  (BLOB payloads counted); past it, the oldest are released regardless
  (:meth:`Pacer.over_limit`, ``release(force=True)``).

The pacer keeps references to the events; it never copies or encodes them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from ..protocol.events import Event, SetBLOBVector

__all__ = ["Pacer", "event_size"]

#: What an event without BLOB data counts for, in bytes.
_SMALL = 256


def event_size(event: Event) -> int:
    """Roughly the bytes ``event`` stands for: its BLOB text, or a small constant."""
    if type(event) is SetBLOBVector:
        return _SMALL + sum(len(value.b64) for value in event.values.values())
    return _SMALL


class Pacer:
    """Which driver-side links must wait for their readers, and their held events.

    :param held_limit: the most bytes (:func:`event_size`) held for one link
        before its oldest events are released regardless.
    :param last_sent: the recipients of the last event each driver link sent,
        kept up to date by its owner (the router's
        :attr:`~indiflask.core.router.Router.last_recipients`); a new dict by
        default.

    .. versionadded:: 0.1
    """

    def __init__(self, *, held_limit: int, last_sent: dict[int, list[int]] | None = None) -> None:
        #: The most bytes held for one link (see :meth:`over_limit`).
        self.held_limit = held_limit
        #: True while nothing is behind and nothing is held: the runtime may then
        #: route every event at once without asking the pacer.
        self.idle = True
        #: Recipients of the last event each driver link sent (``link -> links``).
        self.last_sent: dict[int, list[int]] = {} if last_sent is None else last_sent
        self._paced: set[int] = set()
        self._behind: set[int] = set()
        self._ignored: set[int] = set()
        self._held: dict[int, deque[Event]] = {}
        self._held_bytes: dict[int, int] = {}

    # ------------------------------------------------------------------ links

    def add_driver(self, link: int) -> None:
        """Pace ``link`` (a driver-side link) from now on."""
        self._paced.add(link)

    def forget(self, link: int) -> list[Event]:
        """``link`` is gone (or restarts): forget it; returns what it held, in order."""
        self._behind.discard(link)
        self._ignored.discard(link)
        self.last_sent.pop(link, None)
        held = self._held.pop(link, None)
        self._held_bytes.pop(link, None)
        self._update()
        return list(held) if held else []

    def set_behind(self, link: int, behind: bool) -> None:
        """A byte link's queue crossed the low-water mark (up: ``True``, down: ``False``)."""
        if behind:
            self._behind.add(link)
        else:
            self._behind.discard(link)
            self._ignored.discard(link)
        self._update()

    def ignore(self, link: int) -> None:
        """``link`` takes nothing: it holds nobody back until it is no longer behind."""
        if link in self._behind:
            self._ignored.add(link)

    # ------------------------------------------------------------------ decisions

    def must_wait(self, link: int) -> bool:
        """True when every recipient of ``link``'s last event is behind."""
        recipients = self.last_sent.get(link)
        if not recipients:
            return False
        behind, ignored = self._behind, self._ignored
        for recipient in recipients:
            if recipient not in behind or recipient in ignored:
                return False
        return True

    def blockers(self, link: int) -> list[int]:
        """The recipients ``link`` waits for (behind and not ignored)."""
        behind, ignored = self._behind, self._ignored
        return [r for r in self.last_sent.get(link, ()) if r in behind and r not in ignored]

    def hold(self, link: int, event: Event, *, force: bool = False) -> bool:
        """Keep ``event`` back if ``link`` must wait or already holds events.

        :param force: hold it even if ``link`` need not wait (the runtime is in
            the middle of delivering, and decides once that is done).
        :returns: True when the event is held (the runtime must not route it).
        """
        queue = self._held.get(link)
        if queue is None:
            if link not in self._paced or not (force or self.must_wait(link)):
                return False
            queue = self._held[link] = deque()
            self._held_bytes[link] = 0
            self.idle = False
        queue.append(event)
        self._held_bytes[link] += event_size(event)
        return True

    def holds(self, link: int) -> bool:
        """True while ``link`` has held events."""
        return link in self._held

    def held_links(self) -> list[int]:
        """The links holding events."""
        return list(self._held)

    def held_bytes(self, link: int) -> int:
        """The bytes (:func:`event_size`) held for ``link``."""
        return self._held_bytes.get(link, 0)

    def over_limit(self, link: int) -> bool:
        """True when ``link`` holds more than :attr:`held_limit` bytes."""
        return self._held_bytes.get(link, 0) > self.held_limit

    def release(self, link: int, *, force: bool = False) -> Event | None:
        """The next held event of ``link``, if it may go now (or ``force``), else ``None``."""
        queue = self._held.get(link)
        if queue is None or not (force or not self.must_wait(link)):
            return None
        event = queue.popleft()
        if queue:
            self._held_bytes[link] -= event_size(event)
        else:
            del self._held[link]
            del self._held_bytes[link]
            self._update()
        return event

    def behind(self) -> Iterable[int]:
        """The byte links behind right now."""
        return set(self._behind)

    def _update(self) -> None:
        self.idle = not self._behind and not self._held
