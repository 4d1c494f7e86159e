"""The change transaction: from a client's accepted write to the final update, sans-IO.

A client's ``new*Vector`` that passes every check opens a :class:`Transaction`
on its property; the driver core asks the runtime to run the handler with a
:class:`Change`, and the runtime reports how the handler ended
(:func:`close`). This module holds the one policy for what happens then.

While the transaction is open, ``prop.running`` is true, a further change of
the same property is refused (an INDI ``message`` saying the property is busy,
the state untouched), and every update of the property carries the timestamp
the client gave its change, so the client can recognise its answer.

Outcomes
--------

=====================  =============================  ================  ======================
the handler            values                         state             message
=====================  =============================  ================  ======================
returns ``None``       client's values applied,       Ok, or Alert/     set with
                       except members the handler     Idle if the       ``prop.message = ...``
                       assigned itself                handler set it    since its last send
returns a mapping      as above, then the mapping's   as above          as above
                       values (the real ones)
returns a state        as above                       that state        as above
raises ``Reject(m)``   client's values never          Alert             ``m``
                       applied; what the handler
                       assigned stays
raises anything else   as for ``Reject``              Alert             the error, named
is cancelled           nothing changes, nothing is    unchanged         -
(driver stopping)      sent
=====================  =============================  ================  ======================

The final update goes out once. It is left out when the handler itself already
sent the outcome: an update of the property went out during the transaction
and nothing (values, state or message) differs from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import Reject
from ..protocol import events as ev
from ..protocol.values import State
from .checks import CheckedChange

if TYPE_CHECKING:
    from .model import Owner, PropertyModel

__all__ = ["Change", "Transaction", "abandon", "close", "failure_text", "open_transaction"]


@dataclass(slots=True, eq=False)
class Transaction:
    """One client's change of one property, from acceptance to the final update.

    :param prop: the property being changed.
    :param checked: the change as checked: every member's requested value.
    :param stamp: the timestamp the client gave its change (echoed in the answer).
    """

    prop: PropertyModel
    checked: CheckedChange
    stamp: str | None = None
    #: Updates of the property sent while the transaction was open.
    updates: int = 0
    #: Set once the transaction is closed.
    closed: bool = field(default=False)


class Change(Mapping[str, Any]):
    """A client's change as a handler sees it.

    Maps **every** member to the value it will hold if the change is accepted
    (the current values updated with what the client sent); :attr:`sent` holds
    only the members the client sent.
    """

    __slots__ = ("_values", "device", "formats", "property", "sent")

    def __init__(self, prop: PropertyModel, checked: CheckedChange) -> None:
        self._values = checked.values
        #: Only the members the client sent, converted to Python values.
        self.sent: Mapping[str, Any] = MappingProxyType(checked.sent)
        #: For BLOB uploads: the format the client gave, per member.
        self.formats: Mapping[str, str] = MappingProxyType(checked.formats)
        #: The property being changed.
        self.property = prop
        #: The device the property belongs to.
        self.device: Owner = prop.device

    @property
    def format(self) -> str:
        """For a BLOB upload: the format of the (first) uploaded member."""
        return next(iter(self.formats.values()), "")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Change({self.property.device.name}.{self.property.name}, sent={dict(self.sent)})"


def open_transaction(prop: PropertyModel, checked: CheckedChange, stamp: str | None) -> Transaction:
    """Open a transaction on ``prop`` (it must have none open) and start tracking assignments."""
    txn = Transaction(prop, checked, stamp)
    prop.txn = txn
    prop.assigned = set()
    prop.state_assigned = False
    return txn


def close(
    txn: Transaction, result: object = None, error: BaseException | None = None
) -> ev.SetVector | None:
    """Apply how the handler ended and return the final update (``None``: nothing to send).

    :param result: what the handler returned (``None``, a mapping of real
        values, or a state).
    :param error: what it raised instead: :class:`~indiflask.errors.Reject`, or
        any other exception (its text becomes the message).
    """
    prop = txn.prop
    assigned = prop.assigned or set()
    state_assigned = prop.state_assigned
    prop.assigned = None
    prop.state_assigned = False
    txn.closed = True
    if error is not None:
        reason = error.message if isinstance(error, Reject) else failure_text(prop, error)
        prop.set_state(State.ALERT)
        update = prop.update_event(reason)
        prop.txn = None
        return update
    prop.apply(txn.checked.values, skip=assigned)
    for name, fmt in txn.checked.formats.items():
        if fmt and prop.formats.get(name) != fmt:
            prop.formats[name] = fmt
            prop.dirty = True
    new_state = State.OK
    if isinstance(result, Mapping):
        for name, value in result.items():
            prop[name] = value
    elif isinstance(result, str) and result:
        new_state = State.coerce(result)
    elif state_assigned and prop.state in (State.ALERT, State.IDLE):
        new_state = prop.state
    prop.set_state(new_state)
    if txn.updates and not prop.dirty:
        prop.txn = None
        return None  # the handler's own last update already told the outcome
    update = prop.update_event()
    prop.txn = None
    return update


def abandon(txn: Transaction) -> None:
    """Close ``txn`` without an update (the driver is stopping)."""
    prop = txn.prop
    prop.assigned = None
    prop.state_assigned = False
    txn.closed = True
    prop.txn = None


def failure_text(prop: PropertyModel, error: BaseException) -> str:
    """The Alert message for a handler that failed with ``error``."""
    return f"{prop.device.name}.{prop.name}: the driver failed: {type(error).__name__}: {error}"
