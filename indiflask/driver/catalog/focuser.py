"""Focuser standard properties (``Interface.FOCUSER``, libindi's ``FocuserInterface``).

libindi defines them once the device is connected: always ``FOCUS_MOTION``;
``ABS_FOCUS_POSITION`` and ``FOCUS_MAX`` for focusers that move to positions,
``REL_FOCUS_POSITION`` for relative moves, ``FOCUS_TIMER`` (with
``FOCUS_SPEED``) for focusers that can only run their motor for a while, and
``FOCUS_ABORT_MOTION``, ``FOCUS_SYNC``, ``FOCUS_REVERSE_MOTION`` and the
backlash pair when the hardware can. Ekos' Focus module needs at least one of
the three kinds of move; it reads the first member of ``ABS_FOCUS_POSITION``,
``REL_FOCUS_POSITION``, ``FOCUS_MAX``, ``FOCUS_BACKLASH_STEPS`` and
``FOCUS_TEMPERATURE`` by position.

Members, labels, formats and initial values are those of libindi 1.9.9's
focuser simulator, or of libindi's focuser interface for what the simulator
lacks. ``FOCUS_TEMPERATURE`` is read-only here, as in libindi's focuser
drivers and as Ekos uses it (the simulator alone makes it writable).
"""

from __future__ import annotations

from typing import Any

from .interfaces import Interface
from .spec import StandardProperty, define, num, sw

__all__ = [
    "ABS_FOCUS_POSITION",
    "FOCUS_ABORT_MOTION",
    "FOCUS_BACKLASH_STEPS",
    "FOCUS_BACKLASH_TOGGLE",
    "FOCUS_MAX",
    "FOCUS_MOTION",
    "FOCUS_REVERSE_MOTION",
    "FOCUS_SPEED",
    "FOCUS_SYNC",
    "FOCUS_TEMPERATURE",
    "FOCUS_TIMER",
    "PROPERTIES",
    "REL_FOCUS_POSITION",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.FOCUSER, **options)


FOCUS_MOTION = _define(
    "Switch",
    "FOCUS_MOTION",
    "Direction",
    "Main Control",
    sw("FOCUS_INWARD", "Focus In", True),
    sw("FOCUS_OUTWARD", "Focus Out"),
    summary="The direction of relative and timed moves; Ekos sets it before each such move.",
)

FOCUS_SPEED = _define(
    "Number",
    "FOCUS_SPEED",
    "Speed",
    "Main Control",
    num("FOCUS_SPEED_VALUE", "Focus Speed", "%3.0f", 1, 5, 1, 1),
    ro_allowed=True,
    summary="Motor speed, for focusers with a variable speed.",
)

FOCUS_TIMER = _define(
    "Number",
    "FOCUS_TIMER",
    "Timer",
    "Main Control",
    num("FOCUS_TIMER_VALUE", "Focus Timer (ms)", "%4.0f", 0, 5000, 50, 1000),
    summary=(
        "Run the motor for this many milliseconds in the FOCUS_MOTION direction, for "
        "focusers without positions; Ekos uses it for timer moves."
    ),
)

REL_FOCUS_POSITION = _define(
    "Number",
    "REL_FOCUS_POSITION",
    "Relative Position",
    "Main Control",
    num("FOCUS_RELATIVE_POSITION", "Steps", "%.f", 0, 100000, 1000, 0),
    summary=("Move by this many steps in the FOCUS_MOTION direction; Ekos reads the first member."),
)

ABS_FOCUS_POSITION = _define(
    "Number",
    "ABS_FOCUS_POSITION",
    "Absolute Position",
    "Main Control",
    num("FOCUS_ABSOLUTE_POSITION", "Steps", "%.f", 0, 100000, 1000, 50000),
    summary=(
        "Move to an absolute position, in steps; Ekos autofocus drives it and reads the"
        " first member."
    ),
)

FOCUS_MAX = _define(
    "Number",
    "FOCUS_MAX",
    "Max. Position",
    "Main Control",
    num("FOCUS_MAX_VALUE", "Steps", "%.f", 1000, 1000000, 10000, 100000),
    saved=True,
    ro_allowed=True,
    summary="The largest absolute position; Ekos reads the first member.",
)

FOCUS_ABORT_MOTION = _define(
    "Switch",
    "FOCUS_ABORT_MOTION",
    "Abort Motion",
    "Main Control",
    sw("ABORT", "Abort"),
    rule="AtMostOne",
    summary="Stop a running move; Ekos aborts focus moves with it.",
)

FOCUS_SYNC = _define(
    "Number",
    "FOCUS_SYNC",
    "Sync",
    "Main Control",
    num("FOCUS_SYNC_VALUE", "Steps", "%.f", 0, 100000, 1000, 0),
    summary="Declare the current position to be this many steps, without moving.",
)

FOCUS_REVERSE_MOTION = _define(
    "Switch",
    "FOCUS_REVERSE_MOTION",
    "Reverse Motion",
    "Main Control",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    saved=True,
    summary="Swap the inward and outward directions of the motor.",
)

FOCUS_BACKLASH_TOGGLE = _define(
    "Switch",
    "FOCUS_BACKLASH_TOGGLE",
    "Backlash",
    "Main Control",
    sw("INDI_ENABLED", "Enabled"),
    sw("INDI_DISABLED", "Disabled", True),
    saved=True,
    summary="Turn backlash compensation on and off.",
)

FOCUS_BACKLASH_STEPS = _define(
    "Number",
    "FOCUS_BACKLASH_STEPS",
    "Backlash",
    "Main Control",
    num("FOCUS_BACKLASH_VALUE", "Steps", "%.f", 0, 1000000, 100, 0),
    saved=True,
    summary="Backlash compensation, in steps; Ekos reads the first member.",
)

FOCUS_TEMPERATURE = _define(
    "Number",
    "FOCUS_TEMPERATURE",
    "Temperature",
    "Main Control",
    num("TEMPERATURE", "Celsius", "%6.2f", -50, 70, 0, 0),
    perm="ro",
    timeout=0,
    summary=(
        "The focuser's temperature sensor; Ekos uses the first member as a temperature "
        "source for focus."
    ),
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    FOCUS_MOTION,
    FOCUS_SPEED,
    FOCUS_TIMER,
    REL_FOCUS_POSITION,
    ABS_FOCUS_POSITION,
    FOCUS_MAX,
    FOCUS_ABORT_MOTION,
    FOCUS_SYNC,
    FOCUS_REVERSE_MOTION,
    FOCUS_BACKLASH_TOGGLE,
    FOCUS_BACKLASH_STEPS,
    FOCUS_TEMPERATURE,
)
