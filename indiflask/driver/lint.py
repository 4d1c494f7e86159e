"""Lint a driver against what its interfaces need: the engine of ``indiflask check``.

:func:`lint` looks at an app's devices, their declared interfaces and their
properties, and reports :class:`Finding` objects, one line each::

    Focuser: ABS_FOCUS_POSITION: member FOCUS_ABSOLUTE_POSITON is not libindi's
    (did you mean FOCUS_ABSOLUTE_POSITION?)

Errors are what keeps KStars/Ekos (or any client relying on libindi's standard
properties) from using the device as its interfaces promise:

* an interface without any of its standard properties, or without one that
  Ekos needs (:data:`~indiflask.driver.catalog.REQUIREMENTS`; some of those
  are warnings: Ekos works but loses a feature);
* a property whose name is a standard one misspelled (a different case, or a
  letter or two off);
* a standard property of the wrong kind, with a libindi member missing or
  misspelled, with members in another order (Ekos reads several by
  position), with another switch rule, or with the wrong permission: writable
  where libindi's is read-only, read-only where clients must write it (a
  warning where clients only lose a feature, e.g. a read-only ``CCD_FRAME``);
* a standard property of an interface the device does not declare (Ekos
  would never look for it), naming the interface to declare;
* a device with interfaces but no ``DRIVER_INFO`` or ``CONNECTION``, or whose
  ``DRIVER_INFO.DRIVER_INTERFACE`` disagrees with its declared interfaces;
* filter names that do not match the wheel's slots.

Warnings: a writable standard property without a handler, and the weaker
requirements above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..protocol.values import Perm
from .catalog import REQUIREMENTS, Interface, filter_wheel, index, weather
from .catalog.spec import StandardProperty
from .conformance import compare_with

__all__ = ["ERROR", "WARNING", "Finding", "compare_with", "lint", "lint_device"]

#: :attr:`Finding.severity` of a finding that makes ``indiflask check`` fail.
ERROR = "error"
#: :attr:`Finding.severity` of a finding that fails only with ``--strict``.
WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem: ``str(finding)`` is the line ``indiflask check`` prints."""

    #: :data:`ERROR` or :data:`WARNING`.
    severity: str
    #: The device's name.
    device: str
    #: The property's name, or ``None`` for the device as a whole.
    property: str | None
    #: What is wrong, and what to do.
    text: str
    #: A short stable identifier of the check (``"member-order"``, ...).
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.device}: {self.property}" if self.property else self.device
        return f"{where}: {self.text}"


class LintProperty(Protocol):
    """What the linter reads of a property (an :class:`~indiflask.Property`)."""

    name: str
    kind: str
    perm: Perm
    rule: Any
    handler: Any

    @property
    def members(self) -> Mapping[str, Any]:
        """Member declarations by name, in order."""

    def __getitem__(self, member: str) -> Any:
        """A member's current value."""


class LintDevice(Protocol):
    """What the linter reads of a device (a :class:`~indiflask.Device`)."""

    name: str

    @property
    def properties(self) -> Mapping[str, Any]:
        """Properties by name, in order."""


def lint(app: Mapping[str, LintDevice] | Iterable[LintDevice]) -> list[Finding]:
    """Every finding for every device of ``app``, device by device.

    ``app`` is an :class:`~indiflask.App` (its setup is finished first, as
    serving it would) or any mapping of device names to devices.
    """
    finish = getattr(app, "finish_setup", None)
    if callable(finish):
        finish()
    devices: Iterable[LintDevice] = app.values() if isinstance(app, Mapping) else app
    findings: list[Finding] = []
    for device in devices:
        findings.extend(lint_device(device))
    return findings


def lint_device(device: LintDevice) -> list[Finding]:
    """Every finding for one device."""
    out = _Report(device.name)
    props: Mapping[str, LintProperty] = device.properties
    interfaces = _interfaces(device, props, out)
    if interfaces:
        for name in ("DRIVER_INFO", "CONNECTION"):
            if name not in props:
                out.error(
                    None,
                    f"has interfaces ({'|'.join(interfaces.names)}) but no {name}; KStars/Ekos "
                    f"needs it (indiflask adds it unless App(..., standard=False))",
                    "missing-" + name.lower(),
                )
    for prop in props.values():
        entry = index.lookup(prop.name, interfaces)
        if entry is None:
            _near_miss(prop, out)
            continue
        _check_shape(entry, prop, out)
        _check_owner(entry, prop, interfaces, out)
    _check_requirements(interfaces, props, out)
    _check_filters(props, out)
    _check_weather(props, out)
    return out.findings


# --------------------------------------------------------------------- reporting
class _Report:
    def __init__(self, device: str) -> None:
        self.device = device
        self.findings: list[Finding] = []

    def add(self, severity: str, prop: str | None, text: str, code: str) -> None:
        self.findings.append(Finding(severity, self.device, prop, text, code))

    def error(self, prop: str | None, text: str, code: str) -> None:
        self.add(ERROR, prop, text, code)

    def warning(self, prop: str | None, text: str, code: str) -> None:
        self.add(WARNING, prop, text, code)


# -------------------------------------------------------------------- interfaces
def _interfaces(device: Any, props: Mapping[str, LintProperty], out: _Report) -> Interface:
    declared = Interface.parse(getattr(device, "interfaces", None))
    info = props.get("DRIVER_INFO")
    if info is None or "DRIVER_INTERFACE" not in info.members:
        return declared
    text = str(info["DRIVER_INTERFACE"]).strip()
    try:
        announced = Interface.parse(int(text))
    except (ValueError, TypeError):
        out.error(
            "DRIVER_INFO",
            f"DRIVER_INTERFACE is {text!r}, not libindi's decimal interface mask",
            "driver-interface",
        )
        return declared
    if declared and announced != declared:
        out.error(
            "DRIVER_INFO",
            f"DRIVER_INTERFACE says {int(announced)} but the device declares "
            f"{_describe(declared)}; clients believe DRIVER_INFO",
            "driver-interface",
        )
    return declared | announced


def _describe(interfaces: Interface) -> str:
    if not interfaces:
        return "no interface"
    return f"{'|'.join(interfaces.names)} ({int(interfaces)})"


def _declare_hint(interfaces: Interface) -> str:
    names = [n.lower() for n in interfaces.names]
    if len(names) == 1:
        return f'declare it: interfaces=["{names[0]}"]'
    return "declare one of them: " + ", ".join(f'"{n}"' for n in names)


# ---------------------------------------------------------------------- names
def _near_miss(prop: LintProperty, out: _Report) -> None:
    match = _closest(prop.name, index.names())
    if match is not None:
        out.error(
            prop.name,
            f"is not a standard property name (did you mean {match}?)",
            "misspelled-property",
        )


def _closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` looks like a misspelling of, if any."""
    folded = name.upper()
    best: tuple[int, str] | None = None
    for candidate in sorted(candidates):
        if candidate.upper() == folded:
            return candidate
        if len(name) < 6 or len(candidate) < 6:
            continue
        limit = 1 if len(candidate) < 10 else 2
        distance = _distance(folded, candidate.upper(), limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


# ---------------------------------------------------------------------- shape
def _check_shape(entry: StandardProperty, prop: LintProperty, out: _Report) -> None:
    name = prop.name
    if prop.kind != entry.kind:
        out.error(
            name,
            f"is a {prop.kind} property here, but libindi's is a {entry.kind} property",
            "kind",
        )
        return
    if entry.kind != "Light":
        _check_perm(entry, prop, out)
    if entry.rule is not None and prop.rule != entry.rule:
        out.error(
            name,
            f"rule is {_value(prop.rule)} here, libindi's is {entry.rule.value}",
            "rule",
        )
    if entry.variable_members:
        for member in prop.members:
            if not entry.accepts_member(member):
                out.error(
                    name,
                    f"member {member} does not match libindi's naming ({entry.member_pattern})",
                    "member-name",
                )
    else:
        _check_members(entry, list(prop.members), name, out)
    if prop.perm in (Perm.RW, Perm.WO) and prop.handler is None:
        out.warning(
            name,
            "clients can write it but it has no handler, so a change only updates its values",
            "no-handler",
        )


def _value(value: Any) -> str:
    return str(getattr(value, "value", value))


def _check_perm(entry: StandardProperty, prop: LintProperty, out: _Report) -> None:
    mine, theirs = Perm.coerce(prop.perm), entry.perm
    if mine == theirs:
        return
    text = f"perm is {mine.value} here, libindi's is {theirs.value}"
    if theirs is Perm.RO:
        out.error(prop.name, f"{text}: clients would try to change a reading", "perm")
    elif mine is Perm.RO and theirs is Perm.RW and entry.ro_allowed:
        out.warning(prop.name, f"{text}: clients cannot set it and lose that feature", "perm")
    elif mine is Perm.RO:
        out.error(prop.name, f"{text}: clients must be able to write it", "perm")
    elif mine is Perm.WO:
        out.warning(prop.name, f"{text}: clients cannot read it back", "perm")


def _check_members(entry: StandardProperty, names: list[str], prop: str, out: _Report) -> None:
    expected = list(entry.member_names)
    unknown = [n for n in names if n not in expected]
    missing = [n for n in expected if n not in names]
    for name in unknown:
        guess = _closest(name, missing) or _closest(name, expected)
        if guess is None and len(missing) == 1 and len(unknown) == 1:
            guess = missing[0]
        hint = f" (did you mean {guess}?)" if guess else ""
        out.error(prop, f"member {name} is not libindi's{hint}", "member-name")
        if guess in missing:
            missing.remove(guess)
    if missing:
        out.error(
            prop,
            f"lacks libindi's member{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            "member-missing",
        )
    ours = [n for n in names if n in expected]
    theirs = [n for n in expected if n in names]
    if ours != theirs:
        out.error(
            prop,
            f"members are in the order {', '.join(ours)}; libindi's order is "
            f"{', '.join(theirs)} (clients such as Ekos read some members by position)",
            "member-order",
        )


def _check_owner(
    entry: StandardProperty, prop: LintProperty, interfaces: Interface, out: _Report
) -> None:
    owners = index.owners(entry.name)
    if not owners or owners & interfaces:
        return
    names = owners.names
    which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    out.error(
        prop.name,
        f"is a standard {which} property but the device declares {_describe(interfaces)}; "
        f"{_declare_hint(owners)}",
        "undeclared-interface",
    )


# ---------------------------------------------------------------- requirements
def _check_requirements(
    interfaces: Interface, props: Mapping[str, LintProperty], out: _Report
) -> None:
    present = set(props)
    for bit in Interface:
        if not interfaces & bit or bit not in REQUIREMENTS:
            continue
        own = {entry.name for entry in index.for_interfaces(bit)}
        needs = REQUIREMENTS[bit]
        if not own & present:
            wanted = "; ".join(r.describe() for r in needs if r.severity == ERROR)
            out.error(
                None,
                f"declares the {bit.name} interface but defines none of its standard "
                f"properties (KStars/Ekos needs {wanted})",
                "interface-empty",
            )
            continue
        for need in needs:
            if not need.satisfied(present):
                out.add(
                    need.severity,
                    None,
                    f"{bit.name} needs {need.describe()}: {need.reason}",
                    "missing-property",
                )


# ---------------------------------------------------------------- consistency
def _check_filters(props: Mapping[str, LintProperty], out: _Report) -> None:
    names = props.get(filter_wheel.FILTER_NAME.name)
    slot = props.get(filter_wheel.FILTER_SLOT.name)
    if names is not None and names.kind == "Text":
        expected = [f"FILTER_SLOT_NAME_{i}" for i in range(1, len(names.members) + 1)]
        if list(names.members) != expected and all(
            filter_wheel.FILTER_NAME.accepts_member(m) for m in names.members
        ):
            out.error(
                names.name,
                f"members must be {expected[0]} to {expected[-1]} in slot order, "
                f"not {', '.join(names.members)}",
                "filter-names",
            )
    if slot is None or slot.kind != "Number" or "FILTER_SLOT_VALUE" not in slot.members:
        return
    member = slot.members["FILTER_SLOT_VALUE"]
    low, high = getattr(member, "min", None), getattr(member, "max", None)
    if low != 1:
        out.error(slot.name, f"FILTER_SLOT_VALUE min is {low}; slots count from 1", "filter-slot")
    if names is not None and high is not None and len(names.members) != high:
        out.error(
            slot.name,
            f"FILTER_SLOT_VALUE max is {high:g} but FILTER_NAME has {len(names.members)} "
            "names; Ekos counts the filters from max and needs a name for each",
            "filter-count",
        )


def _check_weather(props: Mapping[str, LintProperty], out: _Report) -> None:
    status = props.get(weather.WEATHER_STATUS.name)
    params = props.get(weather.WEATHER_PARAMETERS.name)
    if status is None or params is None:
        return
    for light in status.members:
        if light not in params.members:
            out.warning(
                status.name,
                f"light {light} names no member of WEATHER_PARAMETERS (libindi gives each "
                "critical parameter a light of the same name)",
                "weather-status",
            )
