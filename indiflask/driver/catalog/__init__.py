"""libindi's standard properties, interface by interface.

One module per interface holds a constant per standard property, named
exactly like the INDI property, and a ``PROPERTIES`` tuple::

    from indiflask import App
    from indiflask.standard import focuser      # this package, by its short name

    app = App("Focuser", interfaces=["focuser"])
    focuser.ABS_FOCUS_POSITION.member_names      # ('FOCUS_ABSOLUTE_POSITION',)

    @app.standard(focuser.ABS_FOCUS_POSITION, max=50_000)
    def move(change):
        ...

Each constant is a :class:`~indiflask.driver.catalog.spec.StandardProperty`
with libindi's kind, label, group, perm, rule, timeout and members (in
libindi's order). :func:`lookup` finds one by name, :func:`for_interfaces`
lists an interface's, and :data:`REQUIREMENTS` says what KStars/Ekos needs of
each interface. The data is libindi 1.9.9's (Debian 12), as its simulators and
headers define it; ``tests/interop`` keeps it honest against the simulators.
"""

from __future__ import annotations

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
from .index import ALL, MODULES, for_interfaces, lookup, names, owners, variants
from .interfaces import ALIASES, Interface
from .requirements import REQUIREMENTS, Requirement
from .spec import ON_CONNECT, START, StandardProperty

__all__ = [
    "ALIASES",
    "ALL",
    "MODULES",
    "ON_CONNECT",
    "REQUIREMENTS",
    "START",
    "Interface",
    "Requirement",
    "StandardProperty",
    "ccd",
    "common",
    "dome",
    "dustcap",
    "filter_wheel",
    "focuser",
    "for_interfaces",
    "gps",
    "guider",
    "lightbox",
    "lookup",
    "names",
    "owners",
    "rotator",
    "telescope",
    "variants",
    "weather",
]
