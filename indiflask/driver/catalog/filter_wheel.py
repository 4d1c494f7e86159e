"""Filter wheel standard properties (``Interface.FILTER``, libindi's ``FilterInterface``).

Once connected, libindi defines ``FILTER_SLOT`` (the slot, counted from 1, whose
``max`` is the number of filters) and ``FILTER_NAME`` (one text member per slot,
``FILTER_SLOT_NAME_1`` to ``FILTER_SLOT_NAME_N``, in slot order). Ekos' filter
manager reads both, by position, and expects as many names as slots::

    from indiflask.driver.catalog import filter_wheel

    names = ["Red", "Green", "Blue"]
    slot = filter_wheel.FILTER_SLOT.declare(app, limits=filter_wheel.slot_limits(names))
    filter_wheel.FILTER_NAME.declare(app, members=filter_wheel.filter_names(names))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...core.members import Text
from ...errors import SetupError
from .interfaces import Interface
from .spec import StandardProperty, define, num, txt

__all__ = [
    "FILTER_NAME",
    "FILTER_SLOT",
    "PROPERTIES",
    "filter_names",
    "slot_limits",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.FILTER, **options)


FILTER_SLOT = _define(
    "Number",
    "FILTER_SLOT",
    "Filter Slot",
    "Filter Wheel",
    num("FILTER_SLOT_VALUE", "Filter", "%3.0f", 1, 8, 1, 1),
    saved=True,
    summary=(
        "The current filter slot, counted from 1; Ekos reads the first member and takes"
        " its max as the number of filters."
    ),
)

FILTER_NAME = _define(
    "Text",
    "FILTER_NAME",
    "Filter",
    "Filter Wheel",
    txt("FILTER_SLOT_NAME_1", "Filter#1", "Red"),
    txt("FILTER_SLOT_NAME_2", "Filter#2", "Green"),
    txt("FILTER_SLOT_NAME_3", "Filter#3", "Blue"),
    txt("FILTER_SLOT_NAME_4", "Filter#4", "H_Alpha"),
    txt("FILTER_SLOT_NAME_5", "Filter#5", "SII"),
    txt("FILTER_SLOT_NAME_6", "Filter#6", "OIII"),
    txt("FILTER_SLOT_NAME_7", "Filter#7", "LPR"),
    txt("FILTER_SLOT_NAME_8", "Filter#8", "Luminance"),
    timeout=0,
    saved=True,
    variable_members=True,
    member_pattern="FILTER_SLOT_NAME_[1-9][0-9]*",
    ro_allowed=True,
    summary=(
        "The filter names, one member per slot in slot order (FILTER_SLOT_NAME_1, _2, "
        "...); Ekos needs as many as FILTER_SLOT has slots."
    ),
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    FILTER_SLOT,
    FILTER_NAME,
)


def filter_names(names: Sequence[str]) -> list[Text]:
    """Members for ``FILTER_NAME``: ``FILTER_SLOT_NAME_<i>`` labelled ``Filter#<i>`` per name."""
    if not names:
        raise SetupError("a filter wheel needs at least one filter name")
    return [txt(f"FILTER_SLOT_NAME_{i}", f"Filter#{i}", name) for i, name in enumerate(names, 1)]


def slot_limits(names: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """``limits=`` for ``FILTER_SLOT`` with one slot per name: ``(1, len(names), 1)``."""
    if not names:
        raise SetupError("a filter wheel needs at least one filter name")
    return {"FILTER_SLOT_VALUE": (1.0, float(len(names)), 1.0)}
