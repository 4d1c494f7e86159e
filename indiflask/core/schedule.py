"""Periodic jobs: fixed rate, late ticks skipped (never replayed), no overlap.

A job added at time ``t0`` with period ``every`` is due at ``t0``, ``t0 + every``,
``t0 + 2*every``, ... When the runner comes late, the missed ticks are skipped:
the next due time is the first one after "now". A job that is still running when
it falls due is skipped for that tick (:meth:`Schedule.pop_due` is told which
jobs are running).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from dataclasses import dataclass

__all__ = ["Schedule"]

_EPSILON = 1e-9


@dataclass(slots=True)
class _Periodic:
    key: Hashable
    every: float
    start: float
    count: int = 0

    @property
    def due_at(self) -> float:
        return self.start + self.count * self.every


class Schedule:
    """A set of periodic jobs keyed by any hashable; pure bookkeeping, no clock."""

    def __init__(self) -> None:
        self._jobs: list[_Periodic] = []

    def add(self, key: Hashable, every: float, now: float) -> None:
        """Add a job with period ``every`` seconds, first due at ``now``."""
        if not every > 0:
            raise ValueError(f"a periodic job needs every > 0, not {every!r}")
        self._jobs.append(_Periodic(key, every, now))

    def next_deadline(self) -> float | None:
        """The earliest due time of any job, or ``None`` without jobs."""
        if not self._jobs:
            return None
        return min(job.due_at for job in self._jobs)

    def pop_due(self, now: float, running: Collection[Hashable] = ()) -> list[Hashable]:
        """Return the keys of jobs due at ``now`` (earliest first) and advance them.

        Jobs whose key is in ``running`` are advanced but not returned (no overlap).
        Missed ticks are skipped.
        """
        due: list[tuple[float, int, Hashable]] = []
        for index, job in enumerate(self._jobs):
            when = job.due_at
            if when > now + _EPSILON:
                continue
            job.count += 1
            while job.due_at <= now + _EPSILON:
                job.count += 1
            if job.key not in running:
                due.append((when, index, job.key))
        due.sort(key=lambda item: (item[0], item[1]))
        return [key for _, _, key in due]
