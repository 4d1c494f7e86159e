"""libindi's standard properties and device interfaces, by their short name.

``from indiflask.standard import focuser, filter_wheel`` gives the catalogue's
modules (:mod:`indiflask.driver.catalog`): a constant per standard property,
for :meth:`App.standard <indiflask.App.standard>`.
"""

from __future__ import annotations

from .driver.catalog import (
    REQUIREMENTS,
    Interface,
    StandardProperty,
    ccd,
    common,
    dome,
    dustcap,
    filter_wheel,
    focuser,
    for_interfaces,
    gps,
    guider,
    lightbox,
    lookup,
    rotator,
    telescope,
    weather,
)

__all__ = [
    "REQUIREMENTS",
    "Interface",
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
    "rotator",
    "telescope",
    "weather",
]
