"""Batched, budgeted writing of pre-serialised messages to one transport.

Every outgoing event is serialised once by the dispatcher; a :class:`BatchWriter`
writes the first message of each event-loop iteration at once (an answer to a
client is not delayed) and collects the ones after it, handing them to the
transport in one ``write`` at the end of the iteration (or as soon as 64 KiB
have gathered). Before queuing, it asks a
:class:`~indiflask.core.blobpolicy.QueueBudget` about the bytes already waiting
(ours plus the transport's buffer): stream BLOBs are dropped past the stream
limit, and past the queue limit the link is cut, with a log line saying so.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from ..core.blobpolicy import QueueBudget, QueueVerdict

__all__ = ["BatchWriter", "WriteTarget"]

log = logging.getLogger("indiflask.server")

#: A batch this large is written at once instead of at the end of the loop turn,
#: so that a burst from a driver reaches the network while the driver goes on.
_FLUSH_AT = 64 * 2**10
#: Large messages are handed to the transport in slices of this size.
_SLICE = 2**20


class WriteTarget(Protocol):
    """The part of an asyncio transport a :class:`BatchWriter` uses."""

    def write(self, data: bytes | memoryview) -> None:
        """Queue bytes for sending."""

    def get_write_buffer_size(self) -> int:
        """Bytes queued in the transport and not yet sent."""

    def is_closing(self) -> bool:
        """True once the transport is closing."""


class BatchWriter:
    """Queue shared message bytes for one link and write them in batches.

    The first message of an event-loop turn is written at once; later ones are
    queued and written together at the end of the turn, or as soon as 64 KiB
    have gathered. While the transport says its buffer is full
    (:meth:`pause`/:meth:`resume`, wired to the protocol's flow-control
    callbacks), messages wait here, where queuing costs nothing per byte. Large
    messages (BLOBs) are handed over in 1 MiB slices as the transport drains,
    so the transport never holds (and re-copies) more than about one slice.

    :param target: the transport to write to.
    :param name: the link's name, for log lines.
    :param budget: the queue limits.
    :param on_overflow: called (once) when the queue limit is passed; it should
        close the link.
    :param on_behind: called with ``True`` when the bytes waiting reach the
        budget's low-water mark, and with ``False`` when they are below it again
        (or the writer closes while behind).
    :param drain: for a transport whose flow control is not wired to
        :meth:`pause`/:meth:`resume`: a coroutine function that returns once the
        transport's buffer has drained (a stream's ``drain``).
    """

    __slots__ = (
        "_base",
        "_budget",
        "_closed",
        "_drain",
        "_handed",
        "_limit",
        "_loop",
        "_low",
        "_on_behind",
        "_on_overflow",
        "_paused",
        "_pending",
        "_queue",
        "_scheduled",
        "_target",
        "_watcher",
        "behind",
        "dropped",
        "name",
    )

    def __init__(
        self,
        target: WriteTarget,
        name: str,
        budget: QueueBudget,
        on_overflow: Callable[[], None],
        *,
        on_behind: Callable[[bool], None] | None = None,
        drain: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._target = target
        self.name = name
        self._budget = budget
        self._on_overflow = on_overflow
        self._on_behind = on_behind
        self._drain = drain
        self._low = budget.low_water
        #: Past this many queued bytes, send() takes its slow path: the queue
        #: limit while behind, else the point where the link falls behind.
        self._limit = min(budget.max_queue, budget.low_water - 1)
        self._queue: deque[bytes | memoryview] = deque()
        self._pending = 0
        self._base = 0
        self._handed = 0
        self._scheduled = False
        self._paused = False
        self._closed = False
        self._watcher: asyncio.Task[None] | None = None
        self._loop = asyncio.get_running_loop()
        #: Stream BLOB messages dropped for this link so far.
        self.dropped = 0
        #: True while the bytes waiting are at or above the low-water mark.
        self.behind = False

    @property
    def queued(self) -> int:
        """Bytes waiting for this link: our queue plus the transport's buffer."""
        return self._pending + self._target.get_write_buffer_size()

    @property
    def idle(self) -> bool:
        """True when nothing waits here or in the transport and no turn is scheduled:
        the writer holds no state that matters but its counters."""
        return (
            not self._pending
            and not self._scheduled
            and not self._paused
            and not self.behind
            and self._watcher is None
            and not self._target.get_write_buffer_size()
        )

    @property
    def taken(self) -> int:
        """Bytes the peer has taken so far (handed to the transport and sent on)."""
        return self._handed - self._target.get_write_buffer_size()

    def send(self, data: bytes, event: object = None, *, stream: bool = False) -> None:
        """Queue one serialised message (``stream``: a stream-type BLOB).

        ``event`` is accepted and ignored, so this method can serve directly as
        a client link's ``send``.
        """
        if self._closed:
            return
        size = len(data)
        if self._scheduled:  # the transport buffer is as this turn's last write left it
            queued = self._base + self._pending
        else:
            queued = self._pending + self._target.get_write_buffer_size()
        if stream or queued + size > self._limit:
            verdict = self._budget.verdict(queued, size, stream=stream)
            if verdict is QueueVerdict.SEND and not self.behind and queued + size >= self._low:
                self._set_behind(True)
        else:
            verdict = QueueVerdict.SEND  # the common case, decided without a call
        if verdict is QueueVerdict.SEND:
            if not self._scheduled:
                self._scheduled = True
                self._loop.call_soon(self._end_turn)
                if not self._queue and not self._paused and size <= _SLICE:
                    # the first message of this turn goes out at once (low latency)
                    target = self._target
                    if not target.is_closing():
                        target.write(data)
                        self._handed += size
                    self._base = target.get_write_buffer_size()
                    return
            self._queue.append(data)
            self._pending += size
            if self._pending >= _FLUSH_AT and not self._paused:
                self._pump()  # a long burst: let the kernel start sending now
        elif verdict is QueueVerdict.DROP:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                log.warning(
                    "%s: %d bytes behind, dropped stream BLOB (%d so far)",
                    self.name,
                    queued,
                    self.dropped,
                )
        else:
            self.close()
            log.warning(
                "%s: %d bytes behind (limit %d), disconnecting",
                self.name,
                queued,
                self._budget.max_queue,
            )
            self._on_overflow()

    def pause(self) -> None:
        """The transport's buffer is full: keep messages here until :meth:`resume`."""
        self._paused = True

    def resume(self) -> None:
        """The transport has drained: hand it what is queued."""
        self._paused = False
        self._pump()
        if self.behind:
            self._check_room()

    def _end_turn(self) -> None:
        self._scheduled = False
        self._pump()
        if self.behind:
            self._check_room()

    def _check_room(self) -> None:
        if not self._closed and self.queued < self._low:
            self._set_behind(False)

    def _set_behind(self, behind: bool) -> None:
        self.behind = behind
        budget = self._budget
        self._limit = budget.max_queue if behind else min(budget.max_queue, budget.low_water - 1)
        if behind and self._drain is not None and self._watcher is None:
            self._watcher = self._loop.create_task(self._watch_drain(self._drain))
        if self._on_behind is not None:
            self._on_behind(behind)

    async def _watch_drain(self, drain: Callable[[], Awaitable[None]]) -> None:
        """Wait for the transport to drain while behind (no pause/resume wiring)."""
        try:
            while self.behind and not self._closed:
                try:
                    await drain()
                except (ConnectionError, RuntimeError):
                    return
                self._check_room()
                await asyncio.sleep(0)  # let this turn's batch reach the transport
        finally:
            self._watcher = None

    def _pump(self) -> None:
        target = self._target
        if self._closed or target.is_closing():
            return
        queue = self._queue
        while queue and not self._paused:
            first = queue.popleft()
            if len(first) > _SLICE:
                view = memoryview(first)
                queue.appendleft(view[_SLICE:])
                self._pending -= _SLICE
                self._handed += _SLICE
                target.write(view[:_SLICE])
                continue
            batch = [first]
            total = len(first)
            while queue and total + len(queue[0]) <= _SLICE:
                item = queue.popleft()
                batch.append(item)
                total += len(item)
            self._pending -= total
            self._handed += total
            target.write(batch[0] if len(batch) == 1 else b"".join(batch))
        self._base = target.get_write_buffer_size()

    def close(self) -> None:
        """Stop writing and release what is queued here."""
        self._closed = True
        self._queue.clear()
        self._pending = 0
        if self._watcher is not None:
            self._watcher.cancel()
        if self.behind:
            self.behind = False
            if self._on_behind is not None:
                self._on_behind(False)
