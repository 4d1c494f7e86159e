"""indipydriver-style vectors: :class:`SwitchVector`, :class:`NumberVector` and friends.

Each takes indipydriver's constructor arguments and a list of members of its
kind; see :class:`~indiflask.compat.vector_base.PropertyVector` for value
access and the ``send_*`` coroutines.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..protocol import events as ev
from ..protocol.values import Rule
from .members import BLOBMember, LightMember, NumberMember, PropertyMember, SwitchMember, TextMember
from .vector_base import PropertyVector, timestamp_string

__all__ = [
    "BLOBVector",
    "LightVector",
    "NumberVector",
    "PropertyVector",
    "SwitchVector",
    "TextVector",
    "timestamp_string",
]

log = logging.getLogger(__name__)


class SwitchVector(PropertyVector):
    """Switches (``"On"``/``"Off"``) with a ``rule``: OneOfMany, AtMostOne or AnyOfMany."""

    _def_cls = ev.DefSwitchVector
    _set_cls = ev.SetSwitchVector
    _member_cls = SwitchMember

    def __init__(
        self,
        name: str,
        label: str,
        group: str,
        perm: str,
        rule: str,
        state: str,
        switchmembers: list[SwitchMember],
    ) -> None:
        super().__init__(name, label, group, state)
        self.perm = perm
        self.rule = rule
        self._add_members(switchmembers)

    @property
    def rule(self) -> str:
        """``"OneOfMany"``, ``"AtMostOne"`` or ``"AnyOfMany"``."""
        return self._rule

    @rule.setter
    def rule(self, value: str) -> None:
        if value not in ("OneOfMany", "AtMostOne", "AnyOfMany"):
            log.error("Invalid rule value %r", value)
            return
        self._rule = str(value)

    def _def_extra(self) -> dict[str, Any]:
        return {"rule": Rule(self._rule)}

    def _ordered(self, members: list[PropertyMember]) -> list[PropertyMember]:
        # Off members first, then On ones, as the INDI spec recommends for OneOfMany.
        return sorted(members, key=lambda m: m.membervalue == "On")


class LightVector(PropertyVector):
    """Lights: each member is a state word. Always read-only."""

    _def_cls = ev.DefLightVector
    _set_cls = ev.SetLightVector
    _has_perm = False
    _member_cls = LightMember

    def __init__(
        self, name: str, label: str, group: str, state: str, lightmembers: list[LightMember]
    ) -> None:
        super().__init__(name, label, group, state)
        self._add_members(lightmembers)

    @property
    def perm(self) -> str:
        """Always ``"ro"``."""
        return "ro"

    @perm.setter
    def perm(self, value: str) -> None:
        log.error("A LightVector is always read-only; perm %r ignored", value)


class TextVector(PropertyVector):
    """Texts."""

    _def_cls = ev.DefTextVector
    _set_cls = ev.SetTextVector
    _member_cls = TextMember

    def __init__(
        self,
        name: str,
        label: str,
        group: str,
        perm: str,
        state: str,
        textmembers: list[TextMember],
    ) -> None:
        super().__init__(name, label, group, state)
        self.perm = perm
        self._add_members(textmembers)


class NumberVector(PropertyVector):
    """Numbers, kept as text; see :meth:`getfloatvalue` and :meth:`getformattedvalue`."""

    _def_cls = ev.DefNumberVector
    _set_cls = ev.SetNumberVector
    _member_cls = NumberMember

    def __init__(
        self,
        name: str,
        label: str,
        group: str,
        perm: str,
        state: str,
        numbermembers: list[NumberMember],
    ) -> None:
        super().__init__(name, label, group, state)
        self.perm = perm
        self._add_members(numbermembers)

    def getfloatvalue(self, membername: str) -> float:
        """The member's value as a float."""
        return float(self.data[membername].getfloatvalue())

    def getformattedvalue(self, membername: str) -> str:
        """The member's value formatted with its display format."""
        return str(self.data[membername].getformattedvalue())


class BLOBVector(PropertyVector):
    """BLOBs. As in indipydriver there is no ``send_setVector``: use
    :meth:`send_setVectorMembers` naming the members to send."""

    _def_cls = ev.DefBLOBVector
    _set_cls = ev.SetBLOBVector
    _member_cls = BLOBMember

    def __init__(
        self,
        name: str,
        label: str,
        group: str,
        perm: str,
        state: str,
        blobmembers: list[BLOBMember],
    ) -> None:
        super().__init__(name, label, group, state)
        self.perm = perm
        self._add_members(blobmembers)

    def set_blobsize(self, membername: str, blobsize: int) -> None:
        """Set the size reported for a member (the size before any compression)."""
        if not isinstance(blobsize, int):
            log.error("blobsize rejected, must be an integer object")
            return
        member = self.data.get(membername)
        if member is not None:
            member.blobsize = blobsize

    async def send_setVector(self, *args: Any, **kwargs: Any) -> None:
        """Not available for BLOBs (as in indipydriver): use :meth:`send_setVectorMembers`."""
        raise AttributeError("BLOBVector has no send_setVector; use send_setVectorMembers")

    async def _send_values(self, stamp: str, message: str, chosen: list[PropertyMember]) -> None:
        values: dict[str, Any] = {}
        for member in chosen:
            assert isinstance(member, BLOBMember)
            source = member.membervalue
            if source is None:
                continue
            try:
                data = await asyncio.to_thread(member.getbytes, source)
            except ValueError:
                log.exception("Unable to send BLOB %s.%s", self.name, member.name)
                continue
            values[member.name] = member._blob(data, source)
            member.changed = False
        if self._live():
            self._emit(self._update(stamp, message, values))
        self.changed = False
