"""Light box (flat panel) standard properties (``Interface.LIGHTBOX``, libindi's ``LightBox``).

Once connected, libindi defines ``FLAT_LIGHT_CONTROL`` and, for panels that
dim, ``FLAT_LIGHT_INTENSITY``; with a snooped filter wheel
(``ACTIVE_DEVICES.ACTIVE_FILTER``) it keeps a brightness preset per filter in
``FLAT_LIGHT_FILTER_INTENSITY``. Ekos' Capture module switches the light for
flat frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...core.members import Number
from ...errors import SetupError
from .interfaces import Interface
from .spec import StandardProperty, define, num, sw

__all__ = [
    "FLAT_LIGHT_CONTROL",
    "FLAT_LIGHT_FILTER_INTENSITY",
    "FLAT_LIGHT_INTENSITY",
    "PROPERTIES",
    "filter_intensities",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.LIGHTBOX, **options)


FLAT_LIGHT_CONTROL = _define(
    "Switch",
    "FLAT_LIGHT_CONTROL",
    "Flat Light",
    "Main Control",
    sw("FLAT_LIGHT_ON", "On"),
    sw("FLAT_LIGHT_OFF", "Off", True),
    timeout=0,
    summary="Turn the panel's light on and off; Ekos' Capture module switches it for flats.",
)

FLAT_LIGHT_INTENSITY = _define(
    "Number",
    "FLAT_LIGHT_INTENSITY",
    "Brightness",
    "Main Control",
    num("FLAT_LIGHT_INTENSITY_VALUE", "Value", "%.f", 0, 255, 10, 0),
    timeout=0,
    saved=True,
    summary="Brightness, for panels that can dim.",
)

FLAT_LIGHT_FILTER_INTENSITY = _define(
    "Number",
    "FLAT_LIGHT_FILTER_INTENSITY",
    "Filter Intensity",
    "Preset",
    num("Luminance", "Luminance", "%0.f", 0, 255, 10, 0),
    saved=True,
    variable_members=True,
    summary=(
        "A brightness preset per filter of the snooped filter wheel, one member per filter "
        "name; see filter_intensities()."
    ),
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    FLAT_LIGHT_CONTROL,
    FLAT_LIGHT_INTENSITY,
    FLAT_LIGHT_FILTER_INTENSITY,
)


def filter_intensities(names: Sequence[str], max: float = 255) -> list[Number]:
    """Members for ``FLAT_LIGHT_FILTER_INTENSITY``: one brightness per filter name."""
    if not names:
        raise SetupError("give at least one filter name")
    return [num(name, name, "%0.f", 0, max, 10, 0) for name in names]
