"""Device interfaces: what a device is, as libindi's ``DRIVER_INTERFACE`` bitmask says."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from ...errors import SetupError

__all__ = ["Interface"]


class Interface(enum.IntFlag):
    """libindi's interface bits; ``DRIVER_INFO.DRIVER_INTERFACE`` carries their sum."""

    GENERAL = 0
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
        """An Interface from an Interface, an int, a name or an iterable of names."""
        if isinstance(value, Interface):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            try:
                return cls[_ALIASES.get(key, key).upper()]
            except KeyError:
                known = ", ".join(m.name.lower() for m in cls if m.name and m.value)
                raise SetupError(f"unknown interface {value!r}; use one of {known}") from None
        if isinstance(value, Iterable):
            result = cls.GENERAL
            for item in value:
                result |= cls.parse(item)
            return result
        raise SetupError(f"interfaces= takes names like 'focuser', not {value!r}")

    @property
    def group(self) -> str:
        """The family KStars and INDI Web Manager list a driver with these interfaces under."""
        for bit, family in _GROUPS:
            if self & bit:
                return family
        return "Auxiliary"


_ALIASES = {
    "mount": "telescope",
    "camera": "ccd",
    "filter_wheel": "filter",
    "filterwheel": "filter",
    "wheel": "filter",
    "focus": "focuser",
    "light_box": "lightbox",
    "flat_panel": "lightbox",
    "dust_cap": "dustcap",
    "auxiliary": "aux",
}

#: Driver-list families, most telling interface first.
_GROUPS = (
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
