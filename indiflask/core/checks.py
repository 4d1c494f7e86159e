"""The checks a client's change must pass before a handler sees it, as pure functions.

Each check returns a *reason* (a sentence for the client) on failure and never
raises for bad input. The rules:

* a ``ro`` property is never written (the answer is an INDI message; the state
  does not change);
* the change must be of the property's kind and name only known members;
* numbers must lie in ``[min, max]`` when ``min < max``;
* switch rules: under ``OneOfMany`` and ``AtMostOne`` a member written On turns
  the others Off; ``OneOfMany`` refuses a result with none On; ``AtMostOne``
  refuses more than one On; ``AnyOfMany`` members change independently;
* BLOB uploads must decode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import InvalidValue
from ..protocol.blobs import BlobValue
from ..protocol.values import Perm, Rule
from .members import Member, Number

__all__ = ["CheckedChange", "Writable", "check_change", "write_refusal"]


class Writable(Protocol):
    """What the checks need to know about a property."""

    @property
    def kind(self) -> str:
        """The kind word (``"Switch"``, ``"Number"``, ...)."""

    @property
    def perm(self) -> Perm:
        """The permission."""

    @property
    def rule(self) -> Rule:
        """The switch rule (ignored for other kinds)."""

    @property
    def members(self) -> Mapping[str, Member]:
        """Member declarations by name, in order."""

    @property
    def values(self) -> Mapping[str, object]:
        """Current values by member name."""


@dataclass(slots=True)
class CheckedChange:
    """A change that passed every check.

    :param values: every member's value if the change is accepted.
    :param sent: only the members the client sent (converted values).
    :param formats: for BLOB uploads, the format the client gave per member.
    """

    values: dict[str, object]
    sent: dict[str, object]
    formats: dict[str, str] = field(default_factory=dict)


def write_refusal(prop: Writable, where: str) -> str | None:
    """Return why ``prop`` cannot be written at all (read-only), or ``None``."""
    if prop.perm is Perm.RO or prop.kind == "Light":
        return f"{where} is read-only; the change was ignored"
    return None


def check_change(
    prop: Writable, kind: str, sent: Mapping[str, object], where: str
) -> CheckedChange | str:
    """Check a client's change; return the :class:`CheckedChange` or the reason it fails.

    :param prop: the target property.
    :param kind: the kind of the ``new*Vector`` the client sent.
    :param sent: the member values as decoded from the wire.
    :param where: ``"device.property"`` for messages.
    """
    if kind != prop.kind:
        return f"{where} is a {prop.kind} property; a new{kind}Vector cannot change it"
    if not sent:
        return f"the change to {where} named no members"
    unknown = [name for name in sent if name not in prop.members]
    if unknown:
        names = ", ".join(sorted(unknown))
        return f"{where} has no member {names}; the change was refused"
    if kind == "Number":
        return _check_numbers(prop, sent, where)
    if kind == "Switch":
        return _check_switches(prop, sent, where)
    if kind == "BLOB":
        return _check_blobs(prop, sent, where)
    merged = dict(prop.values)
    texts: dict[str, object] = {name: str(value) for name, value in sent.items()}
    merged.update(texts)
    return CheckedChange(merged, texts)


def _check_numbers(prop: Writable, sent: Mapping[str, object], where: str) -> CheckedChange | str:
    accepted: dict[str, object] = {}
    for name, value in sent.items():
        member = prop.members[name]
        number = float(value)  # type: ignore[arg-type]
        if number != number or number in (float("inf"), float("-inf")):
            return f"{where}.{name}: {value!r} is not a finite number"
        if (
            isinstance(member, Number)
            and member.limited()
            and not (member.min <= number <= member.max)
        ):
            return (
                f"{where}.{name}={number:g} is outside the allowed range "
                f"[{member.min:g}, {member.max:g}]"
            )
        accepted[name] = number
    merged = dict(prop.values)
    merged.update(accepted)
    return CheckedChange(merged, accepted)


def _check_switches(prop: Writable, sent: Mapping[str, object], where: str) -> CheckedChange | str:
    accepted: dict[str, object] = {name: bool(value) for name, value in sent.items()}
    merged = dict(prop.values)
    rule = prop.rule
    turned_on = [name for name, on in accepted.items() if on]
    if rule is not Rule.ANY_OF_MANY:
        if len(turned_on) > 1:
            return (
                f"{where} allows one switch On ({rule.value}); "
                f"the change turned on {', '.join(turned_on)}"
            )
        if turned_on:
            for name in merged:
                merged[name] = False
    merged.update(accepted)
    on_count = sum(1 for on in merged.values() if on)
    if rule is Rule.ONE_OF_MANY and on_count != 1:
        return f"{where} needs exactly one switch On (OneOfMany); the change would leave none"
    return CheckedChange(merged, accepted)


def _check_blobs(prop: Writable, sent: Mapping[str, object], where: str) -> CheckedChange | str:
    accepted: dict[str, object] = {}
    formats: dict[str, str] = {}
    for name, value in sent.items():
        if isinstance(value, BlobValue):
            try:
                accepted[name] = value.data
            except InvalidValue as exc:
                return f"{where}.{name}: {exc}"
            formats[name] = value.data_format
        else:
            accepted[name] = value
            formats[name] = ""
    merged = dict(prop.values)
    merged.update(accepted)
    return CheckedChange(merged, accepted, formats)
