"""Recognising the answer to a change, sans-IO: what a client waits for after a write.

INDI has no request ids: a driver answers a ``new*Vector`` with ordinary
``set*Vector`` traffic, interleaved with everything else it sends. indiflask
correlates the two through the ``timestamp`` the INDI protocol lets a client
put on its change:

* an indiflask client stamps every change with a timestamp of its own (UTC,
  microseconds, never the same twice from one client);
* an indiflask driver stamps every answer to that change with the same
  timestamp: updates of the property while the change is handled (its Busy
  progress, its final update), the Alert of a change that failed the checks,
  and the ``message`` refusing a change (the property is busy, read-only, or
  unknown);
* so a client takes as its answer only what carries its timestamp, and is not
  misled by a hardware job's routine update or by another client's answer.

Drivers that do not echo the timestamp (libindi's, for instance) answer as INDI
always did: the client then takes the next update of the property as the
answer. A client learns whether a device echoes from its first change to it:
it follows that change with ``getProperties`` for the same property, a
*barrier*. A driver reads the two in order, so its answer to the change comes
before its answer to the barrier (the definition); an indiflask server answers
the barrier from its cache once the change has been routed, which gives the
same order for the apps it hosts. If the answer before the barrier carried the
change's timestamp, the device echoes and the answer is exact; if not, the
first update after the change is taken, as INDI always did.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from ..protocol import events as ev
from ..protocol.values import State

__all__ = ["AnswerWatch", "ChangeStamps", "Progress"]


class ChangeStamps:
    """Timestamps for one client's changes: UTC with microseconds, never the same twice."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def next(self, now: float) -> str:
        """The stamp for a change made at ``now`` (seconds since the epoch)."""
        micros = max(int(now * 1_000_000), self._last + 1)
        self._last = micros
        seconds, fraction = divmod(micros, 1_000_000)
        whole = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        return f"{whole}.{fraction:06d}"


class Progress(enum.Enum):
    """How far the answer to one change has come."""

    #: Nothing recognisable yet.
    PENDING = "pending"
    #: The driver accepted the change and is working on it (a Busy update).
    BUSY = "busy"
    #: The final update arrived (any state but Busy; Alert means refused).
    DONE = "done"
    #: The driver refused the change with a message (busy, read-only, unknown).
    REFUSED = "refused"
    #: The property (or its device) was deleted before an answer came.
    DELETED = "deleted"


@dataclass(slots=True)
class AnswerWatch:
    """Follows the traffic after one change and says when its answer has arrived.

    :param device: the device written to.
    :param name: the property written to.
    :param stamp: the timestamp the change carried.
    :param echoes: whether the device echoes change timestamps: ``True``,
        ``False``, or ``None`` when not known yet (the change was followed by a
        ``getProperties`` barrier for the property; see the module docs).
    """

    device: str
    name: str
    stamp: str
    echoes: bool | None = False
    #: How far the answer has come.
    progress: Progress = Progress.PENDING
    #: The driver's reason, for a refusal.
    reason: str | None = None
    #: True once something carrying :attr:`stamp` arrived (the device echoes).
    echoed: bool = False
    #: True once the barrier's definition arrived (``echoes=None`` only).
    barrier_seen: bool = False
    #: Before the barrier: how far the updates without the stamp would have come.
    _unstamped: Progress = Progress.PENDING

    def see(self, event: ev.Event) -> bool:
        """Take one event from the server; True when it was (part of) the answer."""
        if self.progress in (Progress.DONE, Progress.REFUSED, Progress.DELETED):
            return False
        if isinstance(event, ev.SetVector | ev.DefVector):
            if event.device != self.device or event.name != self.name:
                return False
            step = Progress.BUSY if event.state is State.BUSY else Progress.DONE
            if event.timestamp == self.stamp:
                self.echoed = True
                self.progress = step
                return True
            if self.echoes or self.echoed:
                return False  # routine traffic, or another client's answer
            if self.echoes is None and not self.barrier_seen:
                if isinstance(event, ev.DefVector):
                    # the barrier: no echo came before it, so the device does not echo
                    self.barrier_seen = True
                    self.progress = self._unstamped
                    return self.progress is not Progress.PENDING
                self._unstamped = step
                return False
            if isinstance(event, ev.DefVector) and self.echoes is None:
                return False
            self.progress = step
            return True
        if isinstance(event, ev.Message):
            if event.device == self.device and event.timestamp == self.stamp:
                self.echoed = True
                self.progress = Progress.REFUSED
                self.reason = event.message or "the driver refused the change"
                return True
            return False
        if (
            isinstance(event, ev.DelProperty)
            and event.device == self.device
            and event.name in (None, self.name)
        ):
            self.progress = Progress.DELETED
            self.reason = event.message or f"{self.device}.{self.name} was deleted"
            return True
        return False

    def finished(self, final: bool) -> bool:
        """True when the wait is over: any answer, or (``final``) a final one or a refusal."""
        if self.progress is Progress.PENDING:
            return False
        return not final or self.progress is not Progress.BUSY
