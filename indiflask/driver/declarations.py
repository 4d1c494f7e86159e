"""The property declaration methods shared by :class:`~indiflask.App` and devices.

``app.switch(...)`` declares on the app's default device, ``dev.switch(...)`` on
``dev``; both are these methods, so they take the same keywords everywhere.

Besides the INDI attributes, every declaration takes:

* ``persist=True``: the property is saved in the device's configuration file
  (``CONFIG_PROCESS``) and its saved values are loaded when it is defined;
* ``after_connect``: ``True`` defines the property only while the device is
  connected (libindi's drivers define their instrument's properties when
  ``CONNECTION`` goes On and delete them when it goes Off; KStars/Ekos expects
  that of a device with an interface), ``False`` defines it from the start.
  The default is ``True`` on a device with an interface, except for the
  standard properties libindi defines at start, and ``False`` elsewhere.

:meth:`Declarations.standard` declares one of libindi's standard properties
(see :mod:`indiflask.standard`) with its standard name, members, perm, rule and
group, so a driver KStars understands is written without typos.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..core.members import Member
from ..errors import SetupError
from ..protocol.values import Perm, Rule, State
from .property import Property

__all__ = ["Declarations", "StandardSpec", "standard_declaration"]


class StandardSpec(Protocol):
    """A standard property's description (a ``StandardProperty`` of the catalogue)."""

    name: str
    kind: str
    label: str
    group: str
    perm: Perm
    rule: Rule
    timeout: float
    members: tuple[Member, ...]
    defined: str
    saved: bool

    def new_members(
        self,
        values: Mapping[str, object] | None = None,
        *,
        limits: Mapping[str, Sequence[float]] | None = None,
    ) -> list[Member]:
        """Fresh copies of the members, with initial ``values`` and number ``limits``."""


_KIND_METHODS = {"Switch": "switch", "Number": "number", "Text": "text", "Light": "light"}
_MEMBER_SHORTCUTS = ("value", "min", "max", "step", "format", "label")


class Declarations:
    """Mixin: ``switch``, ``number``, ``text``, ``light``, ``blob`` and ``standard`` declarations.

    Each declares a property, registers it and returns it; used as a decorator,
    the property takes the function as its change handler.
    """

    __slots__ = ()

    def _declare(self, kind: str, name: str, members: object, **common: Any) -> Property:
        """Build and register a property of ``kind`` (each class says where it goes)."""
        raise NotImplementedError

    def switch(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        rule: Rule | str = Rule.ONE_OF_MANY,
        timeout: float = 0,
        persist: bool = False,
        after_connect: bool | None = None,
    ) -> Property:
        """Declare a switch property; use as a decorator to attach its change handler.

        ``members`` is a list of :class:`~indiflask.Switch`, a list of names, or
        a dict ``{name: bool}``.
        """
        return self._declare(
            "Switch",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            rule=rule,
            timeout=timeout,
            persist=persist,
            after_connect=after_connect,
        )

    def number(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        timeout: float = 0,
        persist: bool = False,
        after_connect: bool | None = None,
    ) -> Property:
        """Declare a number property; use as a decorator to attach its change handler."""
        return self._declare(
            "Number",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
            persist=persist,
            after_connect=after_connect,
        )

    def text(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RW,
        timeout: float = 0,
        persist: bool = False,
        after_connect: bool | None = None,
    ) -> Property:
        """Declare a text property; use as a decorator to attach its change handler."""
        return self._declare(
            "Text",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
            persist=persist,
            after_connect=after_connect,
        )

    def light(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        timeout: float = 0,
        after_connect: bool | None = None,
    ) -> Property:
        """Declare a light property (always read-only: lights have no handler)."""
        return self._declare(
            "Light",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=Perm.RO,
            timeout=timeout,
            after_connect=after_connect,
        )

    def blob(
        self,
        name: str,
        *,
        members: object = None,
        label: str | None = None,
        group: str = "",
        state: State | str = State.IDLE,
        perm: Perm | str = Perm.RO,
        timeout: float = 0,
        after_connect: bool | None = None,
    ) -> Property:
        """Declare a BLOB property (read-only by default; ``perm="rw"`` accepts uploads)."""
        return self._declare(
            "BLOB",
            name,
            members,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
            after_connect=after_connect,
        )

    def standard(
        self,
        spec: StandardSpec,
        *,
        members: object = None,
        values: Mapping[str, object] | None = None,
        limits: Mapping[str, Sequence[float]] | None = None,
        label: str | None = None,
        group: str | None = None,
        state: State | str = State.IDLE,
        perm: Perm | str | None = None,
        timeout: float | None = None,
        persist: bool | None = None,
        after_connect: bool | None = None,
        **member_changes: Any,
    ) -> Property:
        """Declare one of libindi's standard properties; use as a decorator for its handler.

        The name, label, group, perm, rule, timeout and members are libindi's
        (see :mod:`indiflask.standard`); change what your hardware needs::

            @app.standard(focuser.ABS_FOCUS_POSITION, max=50_000, value=25_000)
            async def move(change): ...

            app.standard(filter_wheel.FILTER_NAME,
                          members=filter_wheel.filter_names(["Red", "Green", "Blue"]))

        :param spec: the standard property, e.g. ``focuser.ABS_FOCUS_POSITION``.
        :param members: replace the members altogether (for properties whose
            members depend on the device, such as ``FILTER_NAME``).
        :param values: initial values by member name.
        :param limits: ``(min, max)`` or ``(min, max, step)`` by number member name.
        :param persist: save it in the configuration file (default: whether
            libindi saves it).
        :param after_connect: define it only while connected (default: as libindi does).
        :param member_changes: per member, its new value or a dict of its changed
            fields (``FOCUS_MAX_VALUE={"max": 60000}``); on a property with one
            member, ``value=``, ``min=``, ``max=``, ``step=``, ``format=`` and
            ``label=`` change that member directly.
        :raises SetupError: for a member name the standard property does not have.
        """
        method, options = standard_declaration(
            spec,
            members=members,
            values=values,
            limits=limits,
            label=label,
            group=group,
            state=state,
            perm=perm,
            timeout=timeout,
            persist=persist,
            after_connect=after_connect,
            member_changes=member_changes,
        )
        prop: Property = getattr(self, method)(spec.name, **options)
        return prop


def standard_declaration(
    spec: StandardSpec,
    *,
    members: object = None,
    values: Mapping[str, object] | None = None,
    limits: Mapping[str, Sequence[float]] | None = None,
    label: str | None = None,
    group: str | None = None,
    state: State | str = State.IDLE,
    perm: Perm | str | None = None,
    timeout: float | None = None,
    persist: bool | None = None,
    after_connect: bool | None = None,
    member_changes: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The declaration method and keywords that declare ``spec`` with these changes.

    What :meth:`Declarations.standard` and ``DeviceTemplate.standard`` share.
    """
    if members is None:
        built: object = _changed_members(
            spec, spec.new_members(values, limits=limits), member_changes or {}
        )
    elif values or limits or member_changes:
        raise SetupError(f"{spec.name}: give members= or changes of libindi's members, not both")
    else:
        built = members
    options: dict[str, Any] = {
        "members": built,
        "label": spec.label if label is None else label,
        "group": spec.group if group is None else group,
        "state": state,
        "timeout": spec.timeout if timeout is None else timeout,
        "after_connect": spec.defined == "connect" if after_connect is None else after_connect,
    }
    if spec.kind != "Light":
        options["perm"] = spec.perm if perm is None else perm
    if spec.kind == "Switch":
        options["rule"] = spec.rule
    if spec.kind not in ("Light", "BLOB"):
        options["persist"] = spec.saved if persist is None else persist
    return _KIND_METHODS.get(spec.kind, "blob"), options


def _changed_members(
    spec: StandardSpec, fresh: list[Member], changes: Mapping[str, Any]
) -> list[Member]:
    """``fresh`` (copies of the standard members) with the changes asked for applied."""
    names = [m.name for m in fresh]
    per_member: dict[str, dict[str, Any]] = {}
    shortcuts = {k: v for k, v in changes.items() if k in _MEMBER_SHORTCUTS and k not in names}
    if shortcuts:
        if len(names) != 1:
            raise SetupError(
                f"{spec.name} has {len(names)} members ({', '.join(names)}); "
                f"say which one {', '.join(shortcuts)} belongs to, e.g. {names[0]}={{...}}"
            )
        per_member[names[0]] = dict(shortcuts)
    for key, change in changes.items():
        if key in shortcuts:
            continue
        if key not in names:
            raise SetupError(f"{spec.name} has no member {key!r} (its members: {', '.join(names)})")
        given = dict(change) if isinstance(change, Mapping) else {"value": change}
        per_member.setdefault(key, {}).update(given)
    built: list[Member] = []
    for member in fresh:
        fields = per_member.get(member.name, {})
        try:
            built.append(dataclasses.replace(member, **fields))
        except TypeError as exc:
            raise SetupError(f"{spec.name}.{member.name}: {exc}") from None
    return built
