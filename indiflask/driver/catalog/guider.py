"""Guider standard properties (``Interface.GUIDER``, libindi's ``GuiderInterface``).

A device with a guide port (ST4) has the ``GUIDER`` bit and the two timed-guide
properties: a mount, a camera with an ST4 port, or a guide box. Ekos' Guide
module sends its correction pulses to them.
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import StandardProperty, define, num

__all__ = [
    "PROPERTIES",
    "TELESCOPE_TIMED_GUIDE_NS",
    "TELESCOPE_TIMED_GUIDE_WE",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.GUIDER, **options)


TELESCOPE_TIMED_GUIDE_NS = _define(
    "Number",
    "TELESCOPE_TIMED_GUIDE_NS",
    "Guide N/S",
    "Guider Control",
    num("TIMED_GUIDE_N", "North (ms)", "%.f", 0, 60000, 100, 0),
    num("TIMED_GUIDE_S", "South (ms)", "%.f", 0, 60000, 100, 0),
    summary=(
        "Pulse-guide north or south for this many milliseconds (ST4 guiding); Ekos' "
        "Guide module sends the pulses."
    ),
)

TELESCOPE_TIMED_GUIDE_WE = _define(
    "Number",
    "TELESCOPE_TIMED_GUIDE_WE",
    "Guide E/W",
    "Guider Control",
    num("TIMED_GUIDE_W", "West (ms)", "%.f", 0, 60000, 100, 0),
    num("TIMED_GUIDE_E", "East (ms)", "%.f", 0, 60000, 100, 0),
    summary="Pulse-guide west or east for this many milliseconds (ST4 guiding).",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    TELESCOPE_TIMED_GUIDE_NS,
    TELESCOPE_TIMED_GUIDE_WE,
)
