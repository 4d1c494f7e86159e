"""Dome and roll-off roof standard properties (``Interface.DOME``, libindi's ``Dome``).

Once connected, libindi defines ``DOME_MOTION`` always, and the rest by
capability: ``DOME_SHUTTER``, ``ABS_DOME_POSITION``/``REL_DOME_POSITION``,
``DOME_ABORT_MOTION``, ``DOME_PARK``, ``DOME_SPEED``, ``DOME_SYNC`` and the
slaving properties. ``MOUNT_POLICY`` (and ``ACTIVE_DEVICES``) come at start.

A roll-off roof is a dome without positions: libindi's roll-off roof driver
defines only ``DOME_MOTION`` (first member opens, second closes),
``DOME_ABORT_MOTION`` and ``DOME_PARK`` (park = closed). Ekos takes a dome
without ``ABS_DOME_POSITION`` and ``REL_DOME_POSITION`` for a roof, and learns
whether it can park only from updates of ``DOME_PARK``: send one after
defining it. :func:`roof_motion` gives ``DOME_MOTION``'s members labelled as
the roof driver labels them.
"""

from __future__ import annotations

from typing import Any

from ...core.members import Switch
from .interfaces import Interface
from .spec import START, StandardProperty, define, num, sw

__all__ = [
    "ABS_DOME_POSITION",
    "DM_OTA_SIDE",
    "DOME_ABORT_MOTION",
    "DOME_AUTOSYNC",
    "DOME_MEASUREMENTS",
    "DOME_MOTION",
    "DOME_PARAMS",
    "DOME_PARK",
    "DOME_PARK_OPTION",
    "DOME_PARK_POSITION",
    "DOME_SHUTTER",
    "DOME_SHUTTER_PARK_POLICY",
    "DOME_SPEED",
    "DOME_SYNC",
    "MOUNT_POLICY",
    "PROPERTIES",
    "REL_DOME_POSITION",
    "roof_motion",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.DOME, **options)


DOME_MOTION = _define(
    "Switch",
    "DOME_MOTION",
    "Motion",
    "Main Control",
    sw("DOME_CW", "Dome CW"),
    sw("DOME_CCW", "Dome CCW"),
    rule="AtMostOne",
    summary=(
        "Turn the dome clockwise or counter-clockwise; for a roll-off roof, the first "
        "member opens (unparks) and the second closes (parks). Ekos reads the first "
        "member as CW."
    ),
)

DOME_ABORT_MOTION = _define(
    "Switch",
    "DOME_ABORT_MOTION",
    "Abort Motion",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    summary="Stop any dome or roof motion; Ekos offers abort when it is defined.",
)

DOME_PARK = _define(
    "Switch",
    "DOME_PARK",
    "Parking",
    "Main Control",
    sw("PARK", "Park(ed)"),
    sw("UNPARK", "UnPark(ed)", True),
    summary=(
        "Park (close) or unpark (open); Ekos learns park support and state only from "
        "updates of this property."
    ),
)

DOME_SHUTTER = _define(
    "Switch",
    "DOME_SHUTTER",
    "Shutter",
    "Main Control",
    sw("SHUTTER_OPEN", "Open"),
    sw("SHUTTER_CLOSE", "Close", True),
    rule="AtMostOne",
    summary="Open or close the shutter; its presence tells Ekos the dome has one.",
)

DOME_SHUTTER_PARK_POLICY = _define(
    "Switch",
    "DOME_SHUTTER_PARK_POLICY",
    "Shutter",
    "Options",
    sw("SHUTTER_CLOSE_ON_PARK", "Close On Park"),
    sw("SHUTTER_OPEN_ON_UNPARK", "Open On UnPark"),
    rule="AnyOfMany",
    saved=True,
    summary="Close the shutter on park, open it on unpark.",
)

ABS_DOME_POSITION = _define(
    "Number",
    "ABS_DOME_POSITION",
    "Absolute Position",
    "Main Control",
    num("DOME_ABSOLUTE_POSITION", "Degrees", "%6.2f", 0, 360, 1, 0),
    summary=(
        "Turn the dome to an azimuth, in degrees; without it and REL_DOME_POSITION, "
        "Ekos treats the device as a roll-off roof."
    ),
)

REL_DOME_POSITION = _define(
    "Number",
    "REL_DOME_POSITION",
    "Relative Position",
    "Main Control",
    num("DOME_RELATIVE_POSITION", "Degrees", "%6.2f", -180, 180, 10, 0),
    summary="Turn the dome by an angle, in degrees.",
)

DOME_SPEED = _define(
    "Number",
    "DOME_SPEED",
    "Speed",
    "Main Control",
    num("DOME_SPEED_VALUE", "RPM", "%6.2f", 0, 10, 0.1, 1),
    summary="Rotation speed, in revolutions per minute, for domes with a variable speed.",
)

DOME_SYNC = _define(
    "Number",
    "DOME_SYNC",
    "Sync",
    "Main Control",
    num("DOME_SYNC_VALUE", "Az", "%.2f", 0, 360, 10, 0),
    summary="Declare the current azimuth to be this many degrees, without moving.",
)

DOME_AUTOSYNC = _define(
    "Switch",
    "DOME_AUTOSYNC",
    "Slaving",
    "Slaving",
    sw("DOME_AUTOSYNC_ENABLE", "Enable"),
    sw("DOME_AUTOSYNC_DISABLE", "Disable", True),
    saved=True,
    summary="Slave the dome to the mount; Ekos' Observatory toggles it.",
)

DM_OTA_SIDE = _define(
    "Switch",
    "DM_OTA_SIDE",
    "Meridian side",
    "Slaving",
    sw("DM_OTA_SIDE_EAST", "East"),
    sw("DM_OTA_SIDE_WEST", "West"),
    sw("DM_OTA_SIDE_MOUNT", "Mount", True),
    sw("DM_OTA_SIDE_HA", "Hour Angle"),
    sw("DM_OTA_SIDE_IGNORE", "Ignore"),
    rule="AtMostOne",
    saved=True,
    summary="Where the telescope sits relative to the pier, for slaving.",
)

DOME_PARAMS = _define(
    "Number",
    "DOME_PARAMS",
    "Params",
    "Slaving",
    num("AUTOSYNC_THRESHOLD", "Autosync threshold (deg)", "%6.2f", 0, 360, 1, 5),
    saved=True,
    summary="Slaving threshold, in degrees.",
)

DOME_MEASUREMENTS = _define(
    "Number",
    "DOME_MEASUREMENTS",
    "Measurements",
    "Slaving",
    num("DM_DOME_RADIUS", "Radius (m)", "%6.2f", 0, 50, 1, 0),
    num("DM_SHUTTER_WIDTH", "Shutter width (m)", "%6.2f", 0, 10, 1, 0),
    num("DM_NORTH_DISPLACEMENT", "N displacement (m)", "%6.2f", -10, 10, 1, 0),
    num("DM_EAST_DISPLACEMENT", "E displacement (m)", "%6.2f", -10, 10, 1, 0),
    num("DM_UP_DISPLACEMENT", "Up displacement (m)", "%6.2f", -10, 10, 1, 0),
    num("DM_OTA_OFFSET", "OTA offset (m)", "%6.2f", -10, 10, 1, 0),
    saved=True,
    summary="Dome geometry for slaving: radius, shutter width and the mount's offsets.",
)

DOME_PARK_POSITION = _define(
    "Number",
    "DOME_PARK_POSITION",
    "Park Position",
    "Site Management",
    num("PARK_AZ", "AZ D:M:S", "%10.6m", 0, 360, 0, 90),
    summary="The azimuth the dome parks at.",
)

DOME_PARK_OPTION = _define(
    "Switch",
    "DOME_PARK_OPTION",
    "Park Options",
    "Site Management",
    sw("PARK_CURRENT", "Current"),
    sw("PARK_DEFAULT", "Default"),
    sw("PARK_WRITE_DATA", "Write Data"),
    rule="AtMostOne",
    summary="Set the park position from the current or default one, or write the park data.",
)

MOUNT_POLICY = _define(
    "Switch",
    "MOUNT_POLICY",
    "Mount Policy",
    "Options",
    sw("MOUNT_IGNORED", "Mount ignored", True),
    sw("MOUNT_LOCKS", "Mount locks"),
    defined=START,
    saved=True,
    summary="Whether a parked or slewing mount blocks dome motion.",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    DOME_MOTION,
    DOME_ABORT_MOTION,
    DOME_PARK,
    DOME_SHUTTER,
    DOME_SHUTTER_PARK_POLICY,
    ABS_DOME_POSITION,
    REL_DOME_POSITION,
    DOME_SPEED,
    DOME_SYNC,
    DOME_AUTOSYNC,
    DM_OTA_SIDE,
    DOME_PARAMS,
    DOME_MEASUREMENTS,
    DOME_PARK_POSITION,
    DOME_PARK_OPTION,
    MOUNT_POLICY,
)


def roof_motion() -> list[Switch]:
    """``DOME_MOTION`` members for a roll-off roof: ``DOME_CW`` "Open", ``DOME_CCW`` "Close"."""
    return [sw("DOME_CW", "Open"), sw("DOME_CCW", "Close")]
