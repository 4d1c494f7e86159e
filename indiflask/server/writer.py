"""Batched, budgeted writing of pre-serialised messages to one transport.

Every outgoing event is serialised once by the dispatcher; a :class:`BatchWriter`
collects the shared ``bytes`` objects for its link and hands them to the
transport in one ``write`` per event-loop iteration. Before queuing, it asks a
:class:`~indiflask.core.blobpolicy.QueueBudget` about the bytes already waiting
(ours plus the transport's buffer): stream BLOBs are dropped past the stream
limit, and past the queue limit the link is cut, with a log line saying so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from ..core.blobpolicy import QueueBudget, QueueVerdict

__all__ = ["BatchWriter", "WriteTarget"]

log = logging.getLogger("indiflask.server")

#: A batch this large is written at once instead of at the end of the loop turn,
#: so that a burst from a driver reaches the network while the driver goes on.
_FLUSH_AT = 64 * 2**10


class WriteTarget(Protocol):
    """The part of an asyncio transport a :class:`BatchWriter` uses."""

    def write(self, data: bytes) -> None:
        """Queue bytes for sending."""

    def get_write_buffer_size(self) -> int:
        """Bytes queued in the transport and not yet sent."""

    def is_closing(self) -> bool:
        """True once the transport is closing."""


class BatchWriter:
    """Queue shared message bytes for one link and flush them once per loop turn.

    :param target: the transport to write to.
    :param name: the link's name, for log lines.
    :param budget: the queue limits.
    :param on_overflow: called (once) when the queue limit is passed; it should
        close the link.
    """

    __slots__ = (
        "_budget",
        "_chunks",
        "_closed",
        "_loop",
        "_on_overflow",
        "_pending",
        "_scheduled",
        "_target",
        "dropped",
        "name",
    )

    def __init__(
        self,
        target: WriteTarget,
        name: str,
        budget: QueueBudget,
        on_overflow: Callable[[], None],
    ) -> None:
        self._target = target
        self.name = name
        self._budget = budget
        self._on_overflow = on_overflow
        self._chunks: list[bytes] = []
        self._pending = 0
        self._scheduled = False
        self._closed = False
        self._loop = asyncio.get_running_loop()
        #: Stream BLOB messages dropped for this link so far.
        self.dropped = 0

    @property
    def queued(self) -> int:
        """Bytes waiting for this link: our batch plus the transport's buffer."""
        return self._pending + self._target.get_write_buffer_size()

    def send(self, data: bytes, *, stream: bool = False) -> None:
        """Queue one serialised message (``stream``: a stream-type BLOB)."""
        if self._closed:
            return
        size = len(data)
        queued = self._pending + self._target.get_write_buffer_size()
        budget = self._budget
        if stream or queued + size > budget.max_queue:
            verdict = budget.verdict(queued, size, stream=stream)
        else:
            verdict = QueueVerdict.SEND  # the common case, decided without a call
        if verdict is QueueVerdict.SEND:
            self._chunks.append(data)
            self._pending += size
            if self._pending >= _FLUSH_AT:
                self._flush()  # a long burst: let the kernel start sending now
            elif not self._scheduled:
                self._scheduled = True
                self._loop.call_soon(self._flush)
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

    def _flush(self) -> None:
        self._scheduled = False
        if self._closed or not self._chunks:
            return
        chunks, self._chunks, self._pending = self._chunks, [], 0
        if self._target.is_closing():
            return
        self._target.write(chunks[0] if len(chunks) == 1 else b"".join(chunks))

    def close(self) -> None:
        """Stop writing and release what is queued here."""
        self._closed = True
        self._chunks = []
        self._pending = 0
