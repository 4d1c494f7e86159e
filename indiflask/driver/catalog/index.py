"""Finding standard properties: by name, by interface, and every one.

Some names are standard in several interfaces, with different definitions:
``GEOGRAPHIC_COORD`` is writable on a mount and a weather station (clients
send the site's location) but read-only on a GPS (which measures it), and
``TIME_UTC`` likewise. Each interface has its own entry, and
:func:`lookup` picks among them with this rule:

1. with ``interfaces`` given, the first entry (in :data:`MODULES` order) that
   belongs to one of them, or that belongs to every device (``CONNECTION``...);
2. otherwise, or when none does, the first entry in :data:`MODULES` order:
   the general properties, then the mount's, the camera's, the guider's, the
   focuser's, and so on. So ``lookup("GEOGRAPHIC_COORD")`` is the mount's.

:func:`variants` returns them all.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    ccd,
    common,
    dome,
    dustcap,
    filter_wheel,
    focuser,
    gps,
    guider,
    lightbox,
    rotator,
    telescope,
    weather,
)
from .interfaces import Interface
from .spec import StandardProperty

__all__ = ["ALL", "MODULES", "for_interfaces", "lookup", "names", "owners", "variants"]

#: The catalogue's modules, in lookup order.
MODULES: tuple[ModuleType, ...] = (
    common,
    telescope,
    ccd,
    guider,
    focuser,
    filter_wheel,
    dome,
    weather,
    gps,
    rotator,
    lightbox,
    dustcap,
)

#: Every entry of the catalogue, module by module in :data:`MODULES` order.
ALL: tuple[StandardProperty, ...] = tuple(
    entry for module in MODULES for entry in module.PROPERTIES
)

_BY_NAME: dict[str, tuple[StandardProperty, ...]] = {}
for _entry in ALL:
    _BY_NAME[_entry.name] = (*_BY_NAME.get(_entry.name, ()), _entry)
del _entry


def variants(name: str) -> tuple[StandardProperty, ...]:
    """Every entry called ``name`` (usually one; none for a name that is not standard)."""
    return _BY_NAME.get(name, ())


def lookup(name: str, interfaces: object = None) -> StandardProperty | None:
    """The standard property called ``name`` (exact spelling), or ``None``.

    :param interfaces: the device's interfaces (anything
        :meth:`Interface.parse` takes), to choose among entries of the same
        name; see the module documentation for the rule.
    """
    found = _BY_NAME.get(name, ())
    if not found:
        return None
    if interfaces is not None:
        wanted = Interface.parse(interfaces)
        for entry in found:
            if not entry.interfaces or entry.interfaces & wanted:
                return entry
    return found[0]


def for_interfaces(interfaces: object, *, general: bool = False) -> list[StandardProperty]:
    """The standard properties of ``interfaces``, in catalogue order, one entry per name.

    :param interfaces: anything :meth:`Interface.parse` takes.
    :param general: also list the properties of every device (``CONNECTION``,
        ``DRIVER_INFO``, ``DEBUG``...), first.
    """
    wanted = Interface.parse(interfaces)
    chosen: dict[str, StandardProperty] = {}
    for entry in ALL:
        belongs = entry.interfaces & wanted if entry.interfaces else general
        if belongs and entry.name not in chosen:
            chosen[entry.name] = entry
    return list(chosen.values())


def names() -> frozenset[str]:
    """Every standard property name in the catalogue."""
    return frozenset(_BY_NAME)


def owners(name: str) -> Interface:
    """The interfaces that have a property called ``name`` (``Interface(0)`` for general ones)."""
    result = Interface(0)
    for entry in variants(name):
        result |= entry.interfaces
    return result
