"""What a device of each interface must define for KStars/Ekos to use it.

Ekos creates its modules from a device's interface bits alone (a focuser bit
gets the Focus module, a filter bit the filter manager, ...); whether the
module can then *do* anything depends on the standard properties it finds.
Each :class:`Requirement` names what is needed and why. An ``"error"`` means
Ekos cannot use the device for that interface without it; a ``"warning"``
means Ekos works but loses a feature or complains.

These are checked by ``indiflask check`` (:mod:`indiflask.driver.lint`).
Interfaces missing from :data:`REQUIREMENTS` (adaptive optics, detectors,
spectrographs, correlators, auxiliary devices, ...) have no standard
properties Ekos relies on.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .interfaces import Interface

__all__ = ["REQUIREMENTS", "Requirement"]


@dataclass(frozen=True)
class Requirement:
    """At least one of :attr:`any_of` must be defined (unless one of :attr:`unless` is)."""

    #: Property names; one of them is enough.
    any_of: tuple[str, ...]
    #: ``"error"`` (Ekos cannot use the device) or ``"warning"`` (a feature is lost).
    severity: str
    #: What goes wrong without it.
    reason: str
    #: The requirement is waived when the device defines any of these.
    unless: tuple[str, ...] = ()

    def applies(self, names: Collection[str]) -> bool:
        """Whether the requirement holds for a device defining ``names``."""
        return not any(name in names for name in self.unless)

    def satisfied(self, names: Collection[str]) -> bool:
        """Whether a device defining ``names`` meets it (or is exempt)."""
        return not self.applies(names) or any(name in names for name in self.any_of)

    def describe(self) -> str:
        """``"FOCUS_MOTION"`` or ``"one of A, B or C"``."""
        if len(self.any_of) == 1:
            return self.any_of[0]
        return f"one of {', '.join(self.any_of[:-1])} or {self.any_of[-1]}"


def _need(
    *any_of: str, reason: str, severity: str = "error", unless: tuple[str, ...] = ()
) -> Requirement:
    return Requirement(any_of, severity, reason, unless)


#: Per interface, what a device must define, in the order worth reading.
REQUIREMENTS: Mapping[Interface, tuple[Requirement, ...]] = MappingProxyType(
    {
        Interface.TELESCOPE: (
            _need(
                "EQUATORIAL_EOD_COORD",
                reason="Ekos' Mount module shows the mount and slews through it",
            ),
            _need("ON_COORD_SET", reason="Ekos chooses slew, track or sync with it"),
            _need(
                "TELESCOPE_ABORT_MOTION",
                reason="Ekos stops the mount with it",
            ),
            _need(
                "TELESCOPE_PARK",
                severity="warning",
                reason="without it Ekos cannot park the mount (scheduler, observatory)",
            ),
        ),
        Interface.CCD: (
            _need("CCD_EXPOSURE", reason="Ekos starts every capture with it"),
            _need(
                "CCD_INFO",
                reason="Ekos reads the chip size and pixel size from it, member by position",
            ),
            _need("CCD_FRAME", reason="Ekos reads and sets the frame with it"),
            _need("CCD_BINNING", reason="Ekos reads and sets binning with it"),
            _need("CCD_FRAME_TYPE", reason="Ekos sets light, bias, dark or flat with it"),
            _need("CCD1", reason="the image comes in it; Ekos receives nothing without it"),
            _need(
                "CCD_ABORT_EXPOSURE",
                severity="warning",
                reason="without it Ekos cannot abort an exposure",
            ),
            _need(
                "UPLOAD_MODE",
                severity="warning",
                reason="without it Ekos warns that the driver has no UPLOAD_MODE and assumes "
                "images come to the client",
            ),
        ),
        Interface.GUIDER: (
            _need("TELESCOPE_TIMED_GUIDE_NS", reason="Ekos' Guide module pulses north/south"),
            _need("TELESCOPE_TIMED_GUIDE_WE", reason="Ekos' Guide module pulses west/east"),
        ),
        Interface.FOCUSER: (
            _need("FOCUS_MOTION", reason="Ekos sets the direction of every relative move"),
            _need(
                "ABS_FOCUS_POSITION",
                "REL_FOCUS_POSITION",
                "FOCUS_TIMER",
                reason="Ekos' Focus module can move the focuser only with one of them "
                "(otherwise it is a manual focuser)",
            ),
            _need(
                "FOCUS_ABORT_MOTION",
                severity="warning",
                reason="without it Ekos cannot stop a move",
            ),
        ),
        Interface.FILTER: (
            _need(
                "FILTER_SLOT",
                reason="Ekos' filter manager reads and sets the slot, and counts the filters "
                "from its max",
            ),
            _need(
                "FILTER_NAME",
                reason="Ekos' filter manager takes the filter names from it, one per slot",
            ),
        ),
        Interface.DOME: (
            _need("DOME_MOTION", reason="Ekos' Observatory reads the motion from it"),
            _need(
                "DOME_PARK",
                reason="a roll-off roof (no ABS_DOME_POSITION or REL_DOME_POSITION) is "
                "opened and closed by Ekos with DOME_PARK",
                unless=("ABS_DOME_POSITION", "REL_DOME_POSITION"),
            ),
            _need(
                "DOME_ABORT_MOTION",
                severity="warning",
                reason="without it Ekos cannot stop the dome",
            ),
        ),
        Interface.WEATHER: (
            _need(
                "WEATHER_STATUS",
                reason="Ekos takes the weather status (safe or not) from its state",
            ),
            _need("WEATHER_PARAMETERS", reason="Ekos shows and graphs the readings from it"),
            _need(
                "WEATHER_UPDATE",
                severity="warning",
                reason="Ekos reads the refresh period from it",
            ),
            _need(
                "WEATHER_REFRESH",
                severity="warning",
                reason="Ekos' Observatory refreshes the readings with it",
            ),
        ),
        Interface.GPS: (
            _need("GEOGRAPHIC_COORD", reason="Ekos' Mount module takes the location from it"),
            _need("TIME_UTC", reason="Ekos' Mount module takes the time from it"),
        ),
        Interface.ROTATOR: (
            _need("ABS_ROTATOR_ANGLE", reason="Ekos reads and sets the angle with it"),
        ),
        Interface.LIGHTBOX: (
            _need("FLAT_LIGHT_CONTROL", reason="Ekos switches the light with it for flats"),
        ),
        Interface.DUSTCAP: (_need("CAP_PARK", reason="Ekos opens and closes the cover with it"),),
    }
)
