"""DriverCore: what a driver does with each INDI event, as pure decisions.

The core never calls user code and never touches I/O: :meth:`DriverCore.feed`
takes an event from the upstream peer (a client, a server's router, or
indiserver) and returns *effects* for the runtime to carry out:

* :class:`Send`: send this event upstream;
* :class:`RunHandler`: call the property's handler for this change transaction,
  then report how it ended with :meth:`DriverCore.finish`;
* :class:`RunSnoop`: call a snoop function with this event;
* :class:`Log`: write a log line.

Every client write gets an answer the client can recognise: it carries the
timestamp the client gave its change (see :mod:`indiflask.core.transaction`).

Property state rules
--------------------

=============  ============================  =========  ========================================
from           trigger                       to         emitted
=============  ============================  =========  ========================================
any            write to a ``ro`` property    unchanged  Message(why), no state change
any            write to an unknown property  unchanged  Message(why)
any            change fails a check          Alert      Set*(message=reason), values unchanged
not running    valid change                  (handler)  RunHandler; then the transaction's outcome
running        another change                unchanged  Message("busy"): the change is refused
=============  ============================  =========  ========================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..protocol import events as ev
from ..protocol.values import State
from .checks import check_change, write_refusal
from .model import PropertyModel, valid_stamp
from .spec import DeviceSpec, SnoopSpec
from .transaction import Transaction, abandon, close, open_transaction

__all__ = ["DriverCore", "Log", "RunHandler", "RunSnoop", "Send"]


@dataclass(frozen=True, slots=True)
class Send:
    """Effect: send ``event`` upstream."""

    event: ev.Event


@dataclass(frozen=True, slots=True)
class RunHandler:
    """Effect: run the handler of ``txn.prop`` for the change transaction ``txn``."""

    txn: Transaction


@dataclass(frozen=True, slots=True)
class RunSnoop:
    """Effect: give ``event`` to the snoop function of ``snoop``."""

    snoop: SnoopSpec
    event: ev.Event


@dataclass(frozen=True, slots=True)
class Log:
    """Effect: log ``text`` at ``level`` (a :mod:`logging` level number)."""

    level: int
    text: str


Effect = Send | RunHandler | RunSnoop | Log

_WARNING = 30
_INFO = 20


class DriverCore:
    """Answers getProperties, runs change transactions and routes snooped traffic.

    :param devices: the driver's devices by name, in declaration order.
    :param snoops: the snoop registrations.
    """

    def __init__(
        self, devices: Mapping[str, DeviceSpec], snoops: tuple[SnoopSpec, ...] = ()
    ) -> None:
        self.devices = devices
        self.snoops = snoops

    def snoop_requests(self) -> list[ev.Event]:
        """The ``getProperties`` events that register every snoop (sent once started)."""
        seen: set[tuple[str, str | None]] = set()
        requests: list[ev.Event] = []
        for snoop in self.snoops:
            key = (snoop.device, snoop.name)
            if key not in seen:
                seen.add(key)
                requests.append(ev.GetProperties(device=snoop.device, name=snoop.name))
        return requests

    def definitions(
        self, device: str | None = None, name: str | None = None
    ) -> Iterator[ev.DefVector]:
        """The current definitions in scope, in declaration order (deleted ones left out)."""
        for dev in self.devices.values():
            if device is not None and dev.name != device:
                continue
            for prop in dev.properties.values():
                if prop.defined and (name is None or prop.name == name):
                    yield prop.definition()

    def feed(self, event: ev.Event) -> list[Effect]:
        """Decide what to do with one event from upstream."""
        if isinstance(event, ev.NewVector):
            return self._change(event)
        if isinstance(event, ev.GetProperties):
            if event.device is not None and event.device not in self.devices:
                return []
            return [Send(d) for d in self.definitions(event.device, event.name)]
        if isinstance(event, ev.DefVector | ev.SetVector | ev.DelProperty | ev.Message):
            return self._snooped(event)
        if isinstance(event, ev.Invalid):
            return self._invalid(event)
        if isinstance(event, ev.PingRequest):
            return [Send(ev.PingReply(uid=event.uid))]
        return []

    def finish(
        self, txn: Transaction, result: object = None, error: BaseException | None = None
    ) -> list[Effect]:
        """The handler of ``txn`` ended: apply the outcome, return the final update (if any).

        :param result: what the handler returned.
        :param error: what it raised instead (:class:`~indiflask.errors.Reject` or any error).
        """
        if txn.closed:
            return []
        update = close(txn, result, error)
        return [Send(update)] if update is not None else []

    def busy(self, txn: Transaction) -> list[Send]:
        """The handler of ``txn`` runs on without having answered: say Busy (stamped)."""
        if txn.closed:
            return []
        txn.prop.set_state(State.BUSY)
        return [Send(txn.prop.update_event())]

    def abandon(self, txn: Transaction) -> None:
        """Close ``txn`` without an answer (its handler was cancelled: the driver stops)."""
        if not txn.closed:
            abandon(txn)

    # ------------------------------------------------------------------ changes
    def _lookup(self, device: str, name: str) -> PropertyModel | None:
        dev = self.devices.get(device)
        if dev is None:
            return None
        prop = dev.properties.get(name)
        if prop is None or not prop.defined:
            return None
        return prop

    def _refuse(
        self, device: str, text: str, stamp: str | None, level: int = _INFO
    ) -> list[Effect]:
        """A change that changes nothing: answered with a message carrying its timestamp."""
        when = stamp or self.devices[device].timestamp()
        return [Log(level, text), Send(ev.Message(device=device, timestamp=when, message=text))]

    def _change(self, event: ev.NewVector) -> list[Effect]:
        where = f"{event.device}.{event.name}"
        stamp = valid_stamp(event.timestamp)
        prop = self._lookup(event.device, event.name)
        if prop is None:
            if event.device in self.devices:
                text = f"{where}: no such property; the change was ignored"
                return self._refuse(event.device, text, stamp, _WARNING)
            return [Log(_WARNING, f"change to unknown device {event.device!r} ignored")]
        refusal = write_refusal(prop, where)
        if refusal is not None:
            return self._refuse(event.device, refusal, stamp)
        if prop.txn is not None:
            text = (
                f"{where}: change refused: busy with the previous change; try again when it is done"
            )
            return self._refuse(event.device, text, stamp)
        outcome = check_change(prop, event.kind, event.values, where)
        if isinstance(outcome, str):
            return [Log(_INFO, outcome), Send(prop.alert(outcome, stamp))]
        return [RunHandler(open_transaction(prop, outcome, stamp))]

    def _invalid(self, event: ev.Invalid) -> list[Effect]:
        text = f"invalid {event.element_tag}: {event.reason}"
        if event.device is None or event.name is None:
            return [Log(_WARNING, text)]
        prop = self._lookup(event.device, event.name)
        if prop is None:
            return [Log(_WARNING, text)] if event.device in self.devices else []
        where = f"{event.device}.{event.name}"
        if not event.element_tag.startswith("new"):
            return [Log(_WARNING, text)]
        stamp = valid_stamp(event.timestamp)
        refusal = write_refusal(prop, where)
        if refusal is not None:
            return self._refuse(event.device, refusal, stamp)
        if prop.txn is not None:
            return self._refuse(event.device, f"{where}: change refused: {event.reason}", stamp)
        return [Log(_INFO, text), Send(prop.alert(f"{where}: {event.reason}", stamp))]

    # ------------------------------------------------------------------ snoops
    def _snooped(self, event: ev.Event) -> list[Effect]:
        device = getattr(event, "device", None)
        name = getattr(event, "name", None)
        if device is None or device in self.devices:
            return []
        return [RunSnoop(s, event) for s in self.snoops if s.matches(device, name)]
