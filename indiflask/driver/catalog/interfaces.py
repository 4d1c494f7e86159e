"""libindi's device interfaces: the bits of ``DRIVER_INFO.DRIVER_INTERFACE``.

A device tells clients what kind of instrument it is with a bit mask in the
``DRIVER_INTERFACE`` member of its ``DRIVER_INFO`` property. KStars/Ekos reads
it (as a decimal number) to decide which modules to create for the device: a
focuser gets the Focus module, a filter wheel the filter manager, a dome or a
weather station the Observatory. The bit values are libindi's
(``INDI::BaseDevice::DRIVER_INTERFACE`` in ``basedevice.h``)::

    >>> from indiflask.driver.catalog.interfaces import Interface
    >>> Interface.parse(["focuser", "filter wheel"])
    <Interface.FOCUSER|FILTER: 24>
    >>> int(Interface.parse("camera"))
    2
    >>> Interface.parse("mount").group
    'Telescopes'

``OUTPUT``, ``INPUT`` and ``POWER`` are newer than libindi 1.9.9 (Debian 12's):
clients of that version ignore them (they read the mask as 16 bits).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from ...errors import SetupError

__all__ = ["ALIASES", "Interface"]


class Interface(enum.IntFlag):
    """libindi's interface bits; combine them with ``|``. ``Interface(0)`` is a general device."""

    TELESCOPE = 1
    CCD = 2
    GUIDER = 4
    FOCUSER = 8
    FILTER = 16
    DOME = 32
    GPS = 64
    WEATHER = 128
    AO = 256
    DUSTCAP = 512
    LIGHTBOX = 1024
    DETECTOR = 2048
    ROTATOR = 4096
    SPECTROGRAPH = 8192
    CORRELATOR = 16384
    AUX = 32768
    OUTPUT = 65536
    INPUT = 131072
    POWER = 262144

    @classmethod
    def parse(cls, value: object) -> Interface:
        """Return the interfaces ``value`` names.

        Accepted: an :class:`Interface`, an ``int`` (libindi's mask), a name
        (``"focuser"``, ``"FOCUSER"``, ``"FOCUSER_INTERFACE"``, an alias such as
        ``"mount"`` or ``"camera"``; see :data:`ALIASES`), a decimal string (the
        text of ``DRIVER_INTERFACE``), ``None`` (no interface), or an iterable of
        any of these, which are combined.

        :raises SetupError: for an unknown name or bit, naming the valid names.
        """
        if value is None:
            return cls(0)
        if isinstance(value, cls):
            return value
        if isinstance(value, bool):
            raise SetupError(f"interfaces: {value!r} is not an interface")
        if isinstance(value, int):
            return cls._from_int(value)
        if isinstance(value, str):
            return cls._from_name(value)
        if isinstance(value, Iterable):
            result = cls(0)
            for item in value:
                if isinstance(item, str | int | Interface):
                    result |= cls.parse(item)
                else:
                    raise SetupError(f"interfaces: {item!r} is not an interface name")
            return result
        raise SetupError(
            f"interfaces: {value!r} is not an interface; use a name such as 'focuser' "
            "or a list of names"
        )

    @classmethod
    def _from_int(cls, value: int) -> Interface:
        known = 0
        for member in cls:
            known |= int(member)
        if value < 0 or value & ~known:
            raise SetupError(
                f"interfaces: {value} has bits that are not libindi interfaces "
                f"(known bits: {known:#x})"
            )
        return cls(value)

    @classmethod
    def _from_name(cls, text: str) -> Interface:
        word = text.strip()
        if word.isdigit():
            return cls._from_int(int(word))
        key = word.upper().replace("-", "_").replace(" ", "_")
        key = key.removesuffix("_INTERFACE")
        if key in ("", "GENERAL", "NONE"):
            return cls(0)
        if key in cls.__members__:
            return cls[key]
        alias = ALIASES.get(key.lower())
        if alias is not None:
            return alias
        names = ", ".join(name.lower() for name in cls.__members__)
        aliases = ", ".join(sorted(ALIASES))
        raise SetupError(
            f"interfaces: unknown interface {text!r}; use one of {names} (or {aliases})"
        )

    @property
    def group(self) -> str:
        """The KStars driver-list group (``devGroup``) for a device with these interfaces.

        A device with several interfaces is listed under its main one: a mount
        with a guide port under ``Telescopes``, a camera with a built-in filter
        wheel under ``CCDs``. Interfaces without a group of their own (GPS, dust
        caps, light boxes, guiders, ...) are ``Auxiliary``, as in libindi's own
        driver list.
        """
        for bit, group in _GROUPS:
            if self & bit:
                return group
        return "Auxiliary"

    @property
    def names(self) -> list[str]:
        """The names of the bits set, lowest bit first (``["FOCUSER", "FILTER"]``)."""
        return [m.name for m in type(self) if m.name is not None and self & m]


#: Other names :meth:`Interface.parse` accepts (lower case; spaces and dashes
#: count as underscores).
ALIASES: dict[str, Interface] = {
    "mount": Interface.TELESCOPE,
    "camera": Interface.CCD,
    "filter_wheel": Interface.FILTER,
    "filterwheel": Interface.FILTER,
    "wheel": Interface.FILTER,
    "focus": Interface.FOCUSER,
    "light_box": Interface.LIGHTBOX,
    "flat_panel": Interface.LIGHTBOX,
    "dust_cap": Interface.DUSTCAP,
    "auxiliary": Interface.AUX,
    "adaptive_optics": Interface.AO,
}

# Main interface first: the first bit set decides the group.
_GROUPS: tuple[tuple[Interface, str], ...] = (
    (Interface.TELESCOPE, "Telescopes"),
    (Interface.CCD, "CCDs"),
    (Interface.FOCUSER, "Focusers"),
    (Interface.FILTER, "Filter Wheels"),
    (Interface.DOME, "Domes"),
    (Interface.WEATHER, "Weather"),
    (Interface.AO, "Adaptive Optics"),
    (Interface.ROTATOR, "Rotators"),
    (Interface.SPECTROGRAPH, "Spectrographs"),
    (Interface.DETECTOR, "Detectors"),
)
