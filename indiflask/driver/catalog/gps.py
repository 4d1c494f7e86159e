"""GPS standard properties (``Interface.GPS``, libindi's ``GPS``).

Once connected, libindi's GPS defines the measured position and time, both
read-only, and a refresh switch and period. Ekos' Mount module takes the
site's location and time from a GPS device.
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import StandardProperty, define, num, sw, txt

__all__ = [
    "GEOGRAPHIC_COORD",
    "GPS_REFRESH",
    "GPS_REFRESH_PERIOD",
    "PROPERTIES",
    "TIME_UTC",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.GPS, **options)


GEOGRAPHIC_COORD = _define(
    "Number",
    "GEOGRAPHIC_COORD",
    "Location",
    "Main Control",
    num("LAT", "Lat (dd:mm:ss)", "%010.6m", -90, 90, 0, 51),
    num("LONG", "Lon (dd:mm:ss)", "%010.6m", 0, 360, 0, 357.7),
    num("ELEV", "Elevation (m)", "%g", -200, 10000, 0, 72),
    perm="ro",
    summary=("The position the GPS measured; Ekos' Mount module takes the site location from it."),
)

TIME_UTC = _define(
    "Text",
    "TIME_UTC",
    "UTC",
    "Main Control",
    txt("UTC", "UTC Time", "2026-12-01T15:12:15"),
    txt("OFFSET", "UTC Offset", "0.00"),
    perm="ro",
    summary=(
        "The time the GPS measured, with the UTC offset in hours; Ekos takes the time from it."
    ),
)

GPS_REFRESH = _define(
    "Switch",
    "GPS_REFRESH",
    "Refresh",
    "Main Control",
    sw("REFRESH", "GPS"),
    rule="AtMostOne",
    timeout=0,
    summary="Read position and time again now.",
)

GPS_REFRESH_PERIOD = _define(
    "Number",
    "GPS_REFRESH_PERIOD",
    "Refresh",
    "Main Control",
    num("PERIOD", "Period (s)", "%.f", 0, 3600, 60, 0),
    timeout=0,
    saved=True,
    summary="How often position and time are read, in seconds (0: never).",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    GEOGRAPHIC_COORD,
    TIME_UTC,
    GPS_REFRESH,
    GPS_REFRESH_PERIOD,
)
