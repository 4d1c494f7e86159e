"""Mount standard properties (``Interface.TELESCOPE``, libindi's ``Telescope``).

libindi defines ``TELESCOPE_INFO``, ``SCOPE_CONFIG_NAME`` and ``DOME_POLICY``
(and ``ACTIVE_DEVICES``) at start, the rest once connected. Ekos' Mount module
slews, syncs and tracks through ``EQUATORIAL_EOD_COORD`` and ``ON_COORD_SET``,
stops with ``TELESCOPE_ABORT_MOTION``, parks with ``TELESCOPE_PARK``, moves by
hand with ``TELESCOPE_MOTION_NS``/``_WE`` at ``TELESCOPE_SLEW_RATE``, and
writes the KStars time and place into ``TIME_UTC`` and ``GEOGRAPHIC_COORD``.
Pulse guiding (``TELESCOPE_TIMED_GUIDE_NS``/``_WE``) is the guider interface:
see :mod:`~indiflask.driver.catalog.guider`.

Members, labels, formats and initial values are those of libindi 1.9.9's
telescope simulator.
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import START, StandardProperty, define, num, sw, txt

__all__ = [
    "DOME_POLICY",
    "EQUATORIAL_EOD_COORD",
    "GEOGRAPHIC_COORD",
    "GUIDE_RATE",
    "ON_COORD_SET",
    "PROPERTIES",
    "SCOPE_CONFIG_NAME",
    "TARGET_EOD_COORD",
    "TELESCOPE_ABORT_MOTION",
    "TELESCOPE_INFO",
    "TELESCOPE_MOTION_NS",
    "TELESCOPE_MOTION_WE",
    "TELESCOPE_PARK",
    "TELESCOPE_PARK_OPTION",
    "TELESCOPE_PARK_POSITION",
    "TELESCOPE_PIER_SIDE",
    "TELESCOPE_REVERSE_MOTION",
    "TELESCOPE_SLEW_RATE",
    "TELESCOPE_TRACK_MODE",
    "TELESCOPE_TRACK_RATE",
    "TELESCOPE_TRACK_STATE",
    "TIME_UTC",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.TELESCOPE, **options)


EQUATORIAL_EOD_COORD = _define(
    "Number",
    "EQUATORIAL_EOD_COORD",
    "Eq. Coordinates",
    "Main Control",
    num("RA", "RA (hh:mm:ss)", "%010.6m", 0, 24, 0, 0),
    num("DEC", "DEC (dd:mm:ss)", "%010.6m", -90, 90, 0, 90),
    summary=(
        "The mount's RA and Dec in the equinox of date; writing it slews, tracks or "
        "syncs as ON_COORD_SET says. Ekos draws the mount from it."
    ),
)

ON_COORD_SET = _define(
    "Switch",
    "ON_COORD_SET",
    "On Set",
    "Main Control",
    sw("TRACK", "Track", True),
    sw("SLEW", "Slew"),
    sw("SYNC", "Sync"),
    summary=("What a write of EQUATORIAL_EOD_COORD does: track (slew and track), slew, or sync."),
)

TELESCOPE_ABORT_MOTION = _define(
    "Switch",
    "TELESCOPE_ABORT_MOTION",
    "Abort Motion",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    summary="Stop every motion at once.",
)

TARGET_EOD_COORD = _define(
    "Number",
    "TARGET_EOD_COORD",
    "Slew Target",
    "Motion Control",
    num("RA", "RA (hh:mm:ss)", "%010.6m", 0, 24, 0, 0),
    num("DEC", "DEC (dd:mm:ss)", "%010.6m", -90, 90, 0, 0),
    perm="ro",
    summary="Where the current slew goes.",
)

TELESCOPE_TRACK_STATE = _define(
    "Switch",
    "TELESCOPE_TRACK_STATE",
    "Tracking",
    "Main Control",
    sw("TRACK_ON", "On"),
    sw("TRACK_OFF", "Off", True),
    timeout=0,
    summary="Tracking on or off.",
)

TELESCOPE_TRACK_MODE = _define(
    "Switch",
    "TELESCOPE_TRACK_MODE",
    "Track Mode",
    "Main Control",
    sw("TRACK_SIDEREAL", "Sidereal", True),
    sw("TRACK_SOLAR", "Solar"),
    sw("TRACK_LUNAR", "Lunar"),
    sw("TRACK_CUSTOM", "Custom"),
    timeout=0,
    saved=True,
    variable_members=True,
    member_pattern="TRACK_[A-Z0-9_]+",
    summary=(
        "The tracking rate: sidereal, solar, lunar or custom; a mount offers the modes it has."
    ),
)

TELESCOPE_TRACK_RATE = _define(
    "Number",
    "TELESCOPE_TRACK_RATE",
    "Track Rates",
    "Main Control",
    num("TRACK_RATE_RA", "RA (arcsecs/s)", "%.6f", -16384, 16384, 1e-06, 15.041067),
    num("TRACK_RATE_DE", "DE (arcsecs/s)", "%.6f", -16384, 16384, 1e-06, 0),
    saved=True,
    ro_allowed=True,
    summary="Custom tracking rates, in arcseconds per second.",
)

TELESCOPE_MOTION_NS = _define(
    "Switch",
    "TELESCOPE_MOTION_NS",
    "Motion N/S",
    "Motion Control",
    sw("MOTION_NORTH", "North"),
    sw("MOTION_SOUTH", "South"),
    rule="AtMostOne",
    summary="Move north or south while On (manual motion).",
)

TELESCOPE_MOTION_WE = _define(
    "Switch",
    "TELESCOPE_MOTION_WE",
    "Motion W/E",
    "Motion Control",
    sw("MOTION_WEST", "West"),
    sw("MOTION_EAST", "East"),
    rule="AtMostOne",
    summary="Move west or east while On (manual motion).",
)

TELESCOPE_REVERSE_MOTION = _define(
    "Switch",
    "TELESCOPE_REVERSE_MOTION",
    "Reverse",
    "Motion Control",
    sw("REVERSE_NS", "North/South"),
    sw("REVERSE_WE", "West/East"),
    rule="AnyOfMany",
    saved=True,
    summary="Swap the directions of manual motion.",
)

TELESCOPE_SLEW_RATE = _define(
    "Switch",
    "TELESCOPE_SLEW_RATE",
    "Slew Rate",
    "Motion Control",
    sw("1x", "Guide"),
    sw("2x", "Centering"),
    sw("3x", "Find", True),
    sw("4x", "Max"),
    timeout=0,
    saved=True,
    variable_members=True,
    summary="The rate of manual motion; a mount offers its own set of rates, slowest first.",
)

TELESCOPE_PARK = _define(
    "Switch",
    "TELESCOPE_PARK",
    "Parking",
    "Main Control",
    sw("PARK", "Park(ed)"),
    sw("UNPARK", "UnPark(ed)", True),
    summary="Park or unpark the mount.",
)

TELESCOPE_PARK_POSITION = _define(
    "Number",
    "TELESCOPE_PARK_POSITION",
    "Park Position",
    "Site Management",
    num("PARK_HA", "HA (hh:mm:ss)", "%010.6m", -12, 12, 0, -6),
    num("PARK_DEC", "DEC (dd:mm:ss)", "%010.6m", -90, 90, 0, 0),
    summary="The position the mount parks at.",
)

TELESCOPE_PARK_OPTION = _define(
    "Switch",
    "TELESCOPE_PARK_OPTION",
    "Park Options",
    "Site Management",
    sw("PARK_CURRENT", "Current"),
    sw("PARK_DEFAULT", "Default"),
    sw("PARK_WRITE_DATA", "Write Data"),
    sw("PARK_PURGE_DATA", "Purge Data"),
    rule="AtMostOne",
    summary=(
        "Set the park position from the current or default one, or write or purge the park data."
    ),
)

TELESCOPE_PIER_SIDE = _define(
    "Switch",
    "TELESCOPE_PIER_SIDE",
    "Pier Side",
    "Main Control",
    sw("PIER_WEST", "West (pointing east)"),
    sw("PIER_EAST", "East (pointing west)", True),
    perm="ro",
    rule="AtMostOne",
    summary="Which side of the pier the mount is on; Ekos uses it for meridian flips.",
)

TIME_UTC = _define(
    "Text",
    "TIME_UTC",
    "UTC",
    "Site Management",
    txt("UTC", "UTC Time", "2026-12-01T15:10:28"),
    txt("OFFSET", "UTC Offset", "0.00"),
    ro_allowed=True,
    summary="The mount's UTC time and offset in hours; Ekos writes the KStars time into it.",
)

GEOGRAPHIC_COORD = _define(
    "Number",
    "GEOGRAPHIC_COORD",
    "Scope Location",
    "Site Management",
    num("LAT", "Lat (dd:mm:ss.s)", "%012.8m", -90, 90, 0, 0),
    num("LONG", "Lon (dd:mm:ss.s)", "%012.8m", 0, 360, 0, 0),
    num("ELEV", "Elevation (m)", "%g", -200, 10000, 0, 0),
    saved=True,
    ro_allowed=True,
    summary=(
        "The site's latitude, longitude and elevation; Ekos writes the KStars location into it."
    ),
)

TELESCOPE_INFO = _define(
    "Number",
    "TELESCOPE_INFO",
    "Scope Properties",
    "Options",
    num("TELESCOPE_APERTURE", "Aperture (mm)", "%g", 10, 5000, 0, 120),
    num("TELESCOPE_FOCAL_LENGTH", "Focal Length (mm)", "%g", 10, 10000, 0, 900),
    num("GUIDER_APERTURE", "Guider Aperture (mm)", "%g", 10, 5000, 0, 120),
    num("GUIDER_FOCAL_LENGTH", "Guider Focal Length (mm)", "%g", 10, 10000, 0, 900),
    defined=START,
    saved=True,
    ro_allowed=True,
    summary="Aperture and focal length of the telescope and guide scope, in millimetres.",
)

SCOPE_CONFIG_NAME = _define(
    "Text",
    "SCOPE_CONFIG_NAME",
    "Scope Name",
    "Options",
    txt("SCOPE_CONFIG_NAME", "Config Name"),
    defined=START,
    saved=True,
    summary="A name for the current telescope configuration.",
)

DOME_POLICY = _define(
    "Switch",
    "DOME_POLICY",
    "Dome Policy",
    "Options",
    sw("DOME_IGNORED", "Dome ignored", True),
    sw("DOME_LOCKS", "Dome locks"),
    defined=START,
    saved=True,
    summary="Whether a parked dome blocks the mount.",
)

GUIDE_RATE = _define(
    "Number",
    "GUIDE_RATE",
    "Guiding Rate",
    "Motion Control",
    num("GUIDE_RATE_WE", "W/E Rate", "%g", 0, 1, 0.1, 0.5),
    num("GUIDE_RATE_NS", "N/S Rate", "%g", 0, 1, 0.1, 0.5),
    timeout=0,
    summary="Guide rates as a fraction of sidereal, for pulse guiding.",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    EQUATORIAL_EOD_COORD,
    ON_COORD_SET,
    TELESCOPE_ABORT_MOTION,
    TARGET_EOD_COORD,
    TELESCOPE_TRACK_STATE,
    TELESCOPE_TRACK_MODE,
    TELESCOPE_TRACK_RATE,
    TELESCOPE_MOTION_NS,
    TELESCOPE_MOTION_WE,
    TELESCOPE_REVERSE_MOTION,
    TELESCOPE_SLEW_RATE,
    TELESCOPE_PARK,
    TELESCOPE_PARK_POSITION,
    TELESCOPE_PARK_OPTION,
    TELESCOPE_PIER_SIDE,
    TIME_UTC,
    GEOGRAPHIC_COORD,
    TELESCOPE_INFO,
    SCOPE_CONFIG_NAME,
    DOME_POLICY,
    GUIDE_RATE,
)
