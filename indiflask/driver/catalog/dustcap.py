"""Dust cap standard properties (``Interface.DUSTCAP``, libindi's ``DustCapInterface``).

libindi's dust cap interface has one property, ``CAP_PARK``: park (close the
cover) or unpark (open it). Ekos' Capture module closes and opens the cap
around dark and flat frames. There is no dust cap simulator in libindi 1.9.9;
the members and labels are those of libindi's interface.
"""

from __future__ import annotations

from .interfaces import Interface
from .spec import StandardProperty, define, sw

__all__ = ["CAP_PARK", "PROPERTIES"]

CAP_PARK = define(
    "Switch",
    "CAP_PARK",
    "Dust Cover",
    "Main Control",
    sw("PARK", "Park"),
    sw("UNPARK", "Unpark"),
    timeout=0,
    interfaces=Interface.DUSTCAP,
    summary="Close (park) or open (unpark) the dust cover.",
)

#: Every property above.
PROPERTIES: tuple[StandardProperty, ...] = (CAP_PARK,)
