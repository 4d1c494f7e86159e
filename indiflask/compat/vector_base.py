"""The base of indipydriver-style vectors: :class:`PropertyVector`.

A vector is a mapping of member name to value (``vector["ledmember"]`` is
``"On"``); assigning sets the member's value without sending anything. The
``send_*`` coroutines build indiflask protocol events and hand them to the
driver, which emits them through indiflask's server or stdio runtime.
"""

from __future__ import annotations

import logging
from collections import UserDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InvalidValue
from ..protocol import events as ev
from ..protocol.values import Perm, State, format_timestamp
from .members import PropertyMember, getfloat

if TYPE_CHECKING:
    from .driver import Device, IPyDriver

__all__ = ["PropertyVector", "timestamp_string"]

log = logging.getLogger(__name__)

_STATES = ("Idle", "Ok", "Busy", "Alert")


def timestamp_string(timestamp: datetime | None = None) -> str | None:
    """The INDI timestamp text for ``timestamp`` (now when ``None``).

    Naive datetimes are taken as UTC; an aware one must be UTC. Anything else
    gives ``None``.
    """
    if timestamp is None:
        timestamp = datetime.now(UTC)
    if not isinstance(timestamp, datetime):
        return None
    if timestamp.tzinfo is not None and timestamp.utcoffset() != UTC.utcoffset(None):
        return None
    return format_timestamp(timestamp)


class PropertyVector(UserDict[str, Any]):
    """Base class of the five vector classes: a mapping of member name to value.

    :param name: the vector (INDI property) name, ASCII.
    :param label: shown by clients.
    :param group: clients show vectors of one group together.
    :param state: ``"Idle"``, ``"Ok"``, ``"Busy"`` or ``"Alert"``.
    """

    _def_cls: ClassVar[type[ev.DefVector]] = ev.DefVector
    _set_cls: ClassVar[type[ev.SetVector]] = ev.SetVector
    _has_perm: ClassVar[bool] = True
    _member_cls: ClassVar[type[PropertyMember]] = PropertyMember
    data: dict[str, Any]

    def __init__(self, name: str, label: str, group: str, state: str) -> None:
        super().__init__()
        if not name.isascii():
            raise ValueError("Vector name should be all ascii characters.")
        #: The vector name.
        self.name = name
        #: The label clients show.
        self.label = label
        #: The group clients show it in.
        self.group = group
        self._state = "Idle"
        self.state = state
        self._perm = "ro"
        self._rule = "AnyOfMany"
        self._timeout = "0"
        self._message = ""
        #: True when something changed since the vector was last sent.
        self.changed = True
        #: The class name, e.g. ``"SwitchVector"``.
        self.vectortype = type(self).__name__
        #: False after :meth:`send_delProperty`: the vector is hidden and silent.
        self.enable = True
        #: Set when the vector's device is created.
        self.devicename: str | None = None
        #: Set when the driver is created.
        self.driver: IPyDriver | None = None

    def _add_members(self, members: list[Any]) -> None:
        for member in members:
            if not isinstance(member, self._member_cls):
                raise TypeError(
                    f"Members of a {type(self).__name__} must all be {self._member_cls.__name__}s"
                )
            self.data[member.name] = member

    # ---------------------------------------------------------------- attributes
    @property
    def device(self) -> Device:
        """The device this vector belongs to."""
        assert self.driver is not None and self.devicename is not None
        return self.driver[self.devicename]

    @property
    def state(self) -> str:
        """The vector state word."""
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        if value not in _STATES:
            log.error("Invalid state value %r", value)
            return
        if value != self._state:
            self._state = str(value)
            self.changed = True

    @property
    def perm(self) -> str:
        """``"ro"``, ``"wo"`` or ``"rw"``."""
        return self._perm

    @perm.setter
    def perm(self, value: str) -> None:
        if value not in ("ro", "wo", "rw"):
            log.error("Invalid permission value %r", value)
            return
        self._perm = str(value)

    @property
    def timeout(self) -> str:
        """The timeout hint, as text (numbers are converted)."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: object) -> None:
        text = value if isinstance(value, str) else str(value)
        if text != self._timeout:
            self._timeout = text
            self.changed = True

    @property
    def message(self) -> str:
        """The last non-empty message given to a send method."""
        return self._message

    @message.setter
    def message(self, value: str) -> None:
        if not isinstance(value, str):
            log.error("Invalid message %r: must be a string", value)
            return
        if value and value != self._message:
            self._message = value
            self.changed = True

    def checkvalue(self, value: object, allowed: list[str]) -> object:
        """Return ``value`` if it is one of ``allowed``, else raise :class:`ValueError`."""
        if value not in allowed:
            raise ValueError(f"Value {value!r} is not one of {', '.join(allowed)}")
        return value

    # ------------------------------------------------------------------ values
    def __getitem__(self, membername: str) -> Any:
        return self.data[membername].membervalue

    def __setitem__(self, membername: str, value: Any) -> None:
        member = self.data.get(membername)
        if member is None:
            log.error("Member %s not recognised in vector %s", membername, self.name)
            return
        try:
            member.membervalue = value
        except ValueError:
            log.exception("Unable to set value of %s.%s", self.name, membername)

    # ----------------------------------------------------------------- sending
    def _live(self) -> bool:
        driver = self.driver
        if driver is None or driver.stop or not self.enable:
            return False
        return bool(self.device.enable)

    def _prepare(
        self,
        what: str,
        message: str,
        timestamp: datetime | None,
        timeout: object,
        state: str | None,
    ) -> str | None:
        """Apply the common arguments; return the timestamp text, or None to abort."""
        if timeout is not None:
            self.timeout = timeout
        self.message = message
        if state:
            if state not in _STATES:
                log.error(
                    "%s %s not sent: state must be None or one of %s",
                    what,
                    self.name,
                    ", ".join(_STATES),
                )
                return None
            self.state = state
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("%s %s not sent: the timestamp must be a UTC datetime", what, self.name)
        return stamp

    def _emit(self, event: ev.Event) -> None:
        assert self.driver is not None
        self.driver._emit(event)

    def _common(self, stamp: str, message: str) -> dict[str, Any]:
        return {
            "device": self.devicename,
            "name": self.name,
            "state": State(self._state),
            "timestamp": stamp,
            "message": message or None,
        }

    def _timeout_value(self) -> float:
        try:
            return getfloat(self._timeout)
        except TypeError:
            return 0.0

    def _definition(self, stamp: str, message: str) -> ev.DefVector:
        members = tuple(m._definition() for m in self.data.values())
        common = self._common(stamp, message)
        common.update(label=self.label, group=self.group, members=members)
        if self._has_perm:
            common.update(perm=Perm(self._perm), timeout=self._timeout_value())
        common.update(self._def_extra())
        return self._def_cls(**common)

    def _def_extra(self) -> dict[str, Any]:
        return {}

    def _update(self, stamp: str, message: str, values: dict[str, Any]) -> ev.SetVector:
        common = self._common(stamp, message)
        if self._has_perm:
            common["timeout"] = self._timeout_value()
        return self._set_cls(values=values, **common)

    def _ordered(self, members: list[PropertyMember]) -> list[PropertyMember]:
        return members

    async def send_defVector(
        self,
        message: str = "",
        timestamp: datetime | None = None,
        timeout: object = None,
        state: str | None = None,
    ) -> None:
        """Send the vector's definition (``def*Vector``) with its current values.

        :param message: a message for the client.
        :param timestamp: a UTC datetime, or None for now.
        :param timeout: a new timeout, or None to keep it.
        :param state: a new state, or None to keep it.
        """
        stamp = self._prepare("defVector", message, timestamp, timeout, state)
        if stamp is None or not self._live():
            return
        try:
            event = self._definition(stamp, message)
        except (TypeError, InvalidValue) as exc:
            log.error("defVector %s not sent: %s", self.name, exc)
            return
        self._emit(event)
        self.changed = False

    async def send_setVectorMembers(
        self,
        message: str = "",
        timestamp: datetime | None = None,
        timeout: object = None,
        state: str | None = None,
        members: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Send ``set*Vector`` carrying only the members named in ``members``.

        An empty ``members`` sends the vector with no members (e.g. a state change).
        """
        stamp = self._prepare("setVector", message, timestamp, timeout, state)
        if stamp is None or not self._live():
            return
        chosen = self._ordered([m for m in self.data.values() if m.name in members])
        await self._send_values(stamp, message, chosen)

    async def _send_values(self, stamp: str, message: str, chosen: list[PropertyMember]) -> None:
        try:
            values = {m.name: m._wire_value() for m in chosen}
        except (TypeError, InvalidValue) as exc:
            log.error("setVector %s not sent: %s", self.name, exc)
            return
        for member in chosen:
            member.changed = False
        self._emit(self._update(stamp, message, values))
        self.changed = False

    async def send_setVector(
        self,
        message: str = "",
        timestamp: datetime | None = None,
        timeout: object = None,
        state: str | None = None,
        allvalues: bool = True,
    ) -> None:
        """Send ``set*Vector`` with the members' values.

        :param allvalues: True sends every member; False only those changed since
            they were last sent, and nothing at all when nothing changed (unless
            the state is Ok: an Ok vector is always sent, as an acknowledgement).
        """
        stamp = self._prepare("setVector", message, timestamp, timeout, state)
        if stamp is None:
            return
        if self._state == "Ok":
            self.changed = True
        if not self._live():
            return
        chosen = self._ordered([m for m in self.data.values() if allvalues or m.changed])
        if chosen:
            self.changed = True
        if self.changed:
            await self._send_values(stamp, message, chosen)

    async def send_delProperty(self, message: str = "", timestamp: datetime | None = None) -> None:
        """Tell clients this vector is gone, and disable it (set :attr:`enable` to re-enable)."""
        stamp = timestamp_string(timestamp)
        if stamp is None:
            log.error("delProperty %s not sent: the timestamp must be a UTC datetime", self.name)
            return
        self.message = message
        driver = self.driver
        if driver is not None and not driver.stop:
            self._emit(
                ev.DelProperty(
                    device=self.devicename or "",
                    name=self.name,
                    timestamp=stamp,
                    message=message or None,
                )
            )
        self.enable = False
        self.changed = True
        for member in self.data.values():
            member.changed = True
