"""Compare property definitions with libindi's: for conformance tests against real drivers.

Two questions, asked of ``def*Vector`` events (what a client receives):

* :func:`compare_with`: does our driver define its standard properties the
  way a libindi driver of the same kind does (same names, kinds, perms, rules,
  member names in the same order)? Values never count, labels only on request.
* :func:`catalogue_mismatches`: does the catalogue
  (:mod:`indiflask.driver.catalog`) still describe what a libindi driver
  defines? For properties whose members depend on the device (filter names,
  weather parameters) only the member name pattern is compared.

Both return one line per difference, empty when everything matches::

    >>> from indiflask.driver.catalog import focuser
    >>> from indiflask.driver.conformance import compare_with
    >>> theirs = [focuser.FOCUS_MOTION.definition("Focuser Simulator")]
    >>> compare_with(theirs, theirs)
    []
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..protocol import events as ev
from ..protocol.values import Perm, Rule
from .catalog import index
from .catalog.interfaces import Interface
from .catalog.spec import StandardProperty

__all__ = ["catalogue_mismatches", "compare_with"]


def compare_with(
    ours: Iterable[ev.DefVector],
    theirs: Iterable[ev.DefVector],
    *,
    labels: bool = False,
    names: Iterable[str] | None = None,
) -> list[str]:
    """Differences between our definitions and libindi's, one line each.

    Give each side the definitions of one device (a later definition of a name
    replaces an earlier one, as it does for a client).

    :param labels: also compare property and member labels.
    :param names: compare exactly these properties (each must exist on both
        sides); by default, every property both sides define, plus every
        standard property libindi defines that we lack.
    """
    mine = {d.name: d for d in ours}
    libindi = {d.name: d for d in theirs}
    if names is None:
        standard = index.names()
        wanted = [n for n in libindi if n in mine or n in standard]
    else:
        wanted = list(names)
    lines: list[str] = []
    for name in wanted:
        a, b = mine.get(name), libindi.get(name)
        if a is None:
            lines.append(f"{name}: missing here (libindi defines it)")
            continue
        if b is None:
            lines.append(f"{name}: libindi does not define it")
            continue
        lines.extend(f"{name}: {text}" for text in _differences(a, b, labels))
    return lines


def _differences(a: ev.DefVector, b: ev.DefVector, labels: bool) -> list[str]:
    if a.kind != b.kind:
        return [f"a {a.kind} property here, a {b.kind} property in libindi"]
    names = [m.name for m in a.members]
    found = _shape(_perm(a), _rule(a), names, _perm(b), _rule(b), b.members, "here")
    if labels:
        if (a.label or a.name) != (b.label or b.name):
            found.append(f"label {a.label!r} here, {b.label!r} in libindi")
        theirs = {m.name: m.label or m.name for m in b.members}
        for m in a.members:
            if m.name in theirs and (m.label or m.name) != theirs[m.name]:
                found.append(
                    f"member {m.name} is labelled {m.label!r} here, {theirs[m.name]!r} in libindi"
                )
    return found


def _perm(d: ev.DefVector) -> Perm | None:
    return getattr(d, "perm", None)


def _rule(d: ev.DefVector) -> Rule | None:
    return getattr(d, "rule", None)


def _shape(
    perm: Perm | None,
    rule: Rule | None,
    members: list[str],
    their_perm: Perm | None,
    their_rule: Rule | None,
    their_members: Sequence[ev.DefMember],
    here: str,
) -> list[str]:
    found = []
    if perm != their_perm:
        found.append(f"perm {_word(perm)} {here}, {_word(their_perm)} in libindi")
    if rule != their_rule:
        found.append(f"rule {_word(rule)} {here}, {_word(their_rule)} in libindi")
    theirs = [m.name for m in their_members]
    if members != theirs:
        found.append(f"members {', '.join(members)} {here}; libindi's: {', '.join(theirs)}")
    return found


def _word(value: Perm | Rule | None) -> str:
    return "none" if value is None else str(getattr(value, "value", value))


def catalogue_mismatches(theirs: Iterable[ev.DefVector], interfaces: object) -> list[str]:
    """Where the catalogue differs from what a libindi driver defines, one line each.

    :param theirs: the driver's definitions (one device, after it connected).
    :param interfaces: the device's interfaces (its ``DRIVER_INTERFACE``):
        they choose among catalogue entries of the same name. Definitions
        whose name is not in the catalogue, or only in the catalogue of other
        interfaces, are not compared.
    """
    wanted = Interface.parse(interfaces)
    lines: list[str] = []
    for definition in {d.name: d for d in theirs}.values():
        entry = index.lookup(definition.name, wanted)
        if entry is None or (entry.interfaces and not entry.interfaces & wanted):
            continue
        lines.extend(f"{entry.name}: {text}" for text in _against_entry(entry, definition))
    return lines


def _against_entry(entry: StandardProperty, d: ev.DefVector) -> list[str]:
    if entry.kind != d.kind:
        return [f"a {entry.kind} property in the catalogue, a {d.kind} property in libindi"]
    perm = None if entry.kind == "Light" else entry.perm
    here = "in the catalogue"
    if not entry.variable_members:
        names = list(entry.member_names)
        return _shape(perm, entry.rule, names, _perm(d), _rule(d), d.members, here)
    found = _shape(perm, entry.rule, [], _perm(d), _rule(d), (), here)
    if not d.members:
        found.append("libindi defines it without members")
    found.extend(
        f"libindi's member {m.name} does not match the catalogue's pattern {entry.member_pattern!r}"
        for m in d.members
        if not entry.accepts_member(m.name)
    )
    return found
