"""Rotator standard properties (``Interface.ROTATOR``, libindi's ``RotatorInterface``).

Once connected, libindi defines ``ABS_ROTATOR_ANGLE`` always and the abort,
sync, home, reverse and backlash properties by capability. Ekos' Capture and
Align modules read and set the angle.
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import StandardProperty, define, num, sw

__all__ = [
    "ABS_ROTATOR_ANGLE",
    "PROPERTIES",
    "ROTATOR_ABORT_MOTION",
    "ROTATOR_BACKLASH_STEPS",
    "ROTATOR_BACKLASH_TOGGLE",
    "ROTATOR_HOME",
    "ROTATOR_REVERSE",
    "SYNC_ROTATOR_ANGLE",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.ROTATOR, **options)


ABS_ROTATOR_ANGLE = _define(
    "Number",
    "ABS_ROTATOR_ANGLE",
    "Goto",
    "Main Control",
    num("ANGLE", "Angle", "%.2f", 0, 360, 10, 0),
    timeout=0,
    summary=(
        "Turn to a position angle, in degrees; Ekos' Capture and Align modules read and set it."
    ),
)

ROTATOR_ABORT_MOTION = _define(
    "Switch",
    "ROTATOR_ABORT_MOTION",
    "Abort Motion",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    timeout=0,
    summary="Stop the rotation.",
)

SYNC_ROTATOR_ANGLE = _define(
    "Number",
    "SYNC_ROTATOR_ANGLE",
    "Sync",
    "Main Control",
    num("ANGLE", "Angle", "%.2f", 0, 360, 10, 0),
    timeout=0,
    summary="Declare the current position to be this angle.",
)

ROTATOR_HOME = _define(
    "Switch",
    "ROTATOR_HOME",
    "Homing",
    "Main Control",
    sw("HOME", "Start"),
    rule="AtMostOne",
    timeout=0,
    summary="Turn to the home position.",
)

ROTATOR_REVERSE = _define(
    "Switch",
    "ROTATOR_REVERSE",
    "Reverse",
    "Main Control",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    timeout=0,
    saved=True,
    summary="Reverse the direction of rotation.",
)

ROTATOR_BACKLASH_TOGGLE = _define(
    "Switch",
    "ROTATOR_BACKLASH_TOGGLE",
    "Backlash",
    "Main Control",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    saved=True,
    summary="Turn backlash compensation on and off.",
)

ROTATOR_BACKLASH_STEPS = _define(
    "Number",
    "ROTATOR_BACKLASH_STEPS",
    "Backlash",
    "Main Control",
    num("ROTATOR_BACKLASH_VALUE", "Steps", "%.f", 0, 1000000, 100, 0),
    saved=True,
    summary="Backlash compensation, in steps.",
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    ABS_ROTATOR_ANGLE,
    ROTATOR_ABORT_MOTION,
    SYNC_ROTATOR_ANGLE,
    ROTATOR_HOME,
    ROTATOR_REVERSE,
    ROTATOR_BACKLASH_TOGGLE,
    ROTATOR_BACKLASH_STEPS,
)
