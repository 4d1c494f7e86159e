"""Properties any device may have, whatever its interfaces (libindi's ``DefaultDevice``).

``CONNECTION`` and ``DRIVER_INFO`` are the two every device needs for
KStars/Ekos: without ``DRIVER_INFO`` (defined before any client connects the
device) Ekos ignores the device, and it talks to a device only once
``CONNECTION`` says it is connected. indiflask adds both itself (see
:mod:`indiflask.driver.standard`). ``CONFIG_PROCESS``, ``DEBUG``,
``SIMULATION`` and ``POLLING_PERIOD`` are libindi's options; the ``DEVICE_*``
and ``CONNECTION_*`` properties belong to libindi's serial and TCP connection
plugins, which Ekos' port selector reads.

Members, labels, formats and initial values are those libindi 1.9.9's
simulators define.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...core.members import Text
from ...errors import SetupError
from .interfaces import Interface
from .spec import START, StandardProperty, define, num, sw, txt

__all__ = [
    "ACTIVE_DEVICES",
    "CONFIG_PROCESS",
    "CONNECTION",
    "CONNECTION_MODE",
    "DEBUG",
    "DEVICE_AUTO_SEARCH",
    "DEVICE_BAUD_RATE",
    "DEVICE_PORT",
    "DEVICE_PORT_SCAN",
    "DRIVER_INFO",
    "POLLING_PERIOD",
    "PROPERTIES",
    "SIMULATION",
    "active_devices",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface(0), **options)


CONNECTION = _define(
    "Switch",
    "CONNECTION",
    "Connection",
    "Main Control",
    sw("CONNECT", "Connect"),
    sw("DISCONNECT", "Disconnect", True),
    defined=START,
    summary=(
        "Connect and disconnect the device; Ekos sends CONNECT and counts the device "
        "connected when the property is Ok with CONNECT On."
    ),
)

DRIVER_INFO = _define(
    "Text",
    "DRIVER_INFO",
    "Driver Info",
    "General Info",
    txt("DRIVER_NAME", "Name"),
    txt("DRIVER_EXEC", "Exec"),
    txt("DRIVER_VERSION", "Version", "1.0"),
    txt("DRIVER_INTERFACE", "Interface", "0"),
    perm="ro",
    defined=START,
    summary=(
        "Driver name, executable, version and interface bits; Ekos ignores a device "
        "without it and reads DRIVER_INTERFACE to choose its modules."
    ),
)

DEBUG = _define(
    "Switch",
    "DEBUG",
    "Debug",
    "Options",
    sw("ENABLE", "Enable"),
    sw("DISABLE", "Disable", True),
    timeout=0,
    defined=START,
    saved=True,
    summary=("Turn driver debug logging on and off; Ekos writes ENABLE and DISABLE positionally."),
)

SIMULATION = _define(
    "Switch",
    "SIMULATION",
    "Simulation",
    "Options",
    sw("ENABLE", "Enable"),
    sw("DISABLE", "Disable", True),
    timeout=0,
    defined=START,
    summary="Run the driver against simulated hardware.",
)

CONFIG_PROCESS = _define(
    "Switch",
    "CONFIG_PROCESS",
    "Configuration",
    "Options",
    sw("CONFIG_LOAD", "Load"),
    sw("CONFIG_SAVE", "Save"),
    sw("CONFIG_DEFAULT", "Default"),
    sw("CONFIG_PURGE", "Purge"),
    rule="AtMostOne",
    timeout=0,
    defined=START,
    summary=(
        "Load, save, restore or purge the saved configuration; Ekos sends CONFIG_LOAD "
        "after connecting while the property is Idle."
    ),
)

POLLING_PERIOD = _define(
    "Number",
    "POLLING_PERIOD",
    "Polling",
    "Options",
    num("PERIOD_MS", "Period (ms)", "%.f", 10, 600000, 1000, 1000),
    timeout=0,
    defined=START,
    saved=True,
    summary="How often the driver polls the hardware, in milliseconds.",
)

ACTIVE_DEVICES = _define(
    "Text",
    "ACTIVE_DEVICES",
    "Snoop devices",
    "Options",
    txt("ACTIVE_TELESCOPE", "Telescope", "Telescope Simulator"),
    txt("ACTIVE_ROTATOR", "Rotator", "Rotator Simulator"),
    txt("ACTIVE_FOCUSER", "Focuser", "Focuser Simulator"),
    txt("ACTIVE_FILTER", "Filter", "CCD Simulator"),
    txt("ACTIVE_SKYQUALITY", "Sky Quality", "SQM"),
    defined=START,
    saved=True,
    variable_members=True,
    member_pattern="ACTIVE_[A-Z0-9_]+",
    summary=(
        "Names of the other devices this one snoops (mount, dome, focuser, ...); Ekos "
        "fills in the ACTIVE_TELESCOPE, ACTIVE_DOME, ACTIVE_GPS, ACTIVE_ROTATOR, "
        "ACTIVE_FOCUSER and ACTIVE_FILTER members it finds."
    ),
)

CONNECTION_MODE = _define(
    "Switch",
    "CONNECTION_MODE",
    "Connection Mode",
    "Connection",
    sw("CONNECTION_SERIAL", "Serial", True),
    sw("CONNECTION_TCP", "Network"),
    defined=START,
    saved=True,
    summary=(
        "How the driver reaches the hardware: serial port or network; Ekos' port "
        "selector reads the members positionally."
    ),
)

DEVICE_PORT = _define(
    "Text",
    "DEVICE_PORT",
    "Ports",
    "Connection",
    txt("PORT", "Port", "/dev/ttyUSB0"),
    defined=START,
    saved=True,
    summary="The serial port to open.",
)

DEVICE_BAUD_RATE = _define(
    "Switch",
    "DEVICE_BAUD_RATE",
    "Baud Rate",
    "Connection",
    sw("9600", "9600", True),
    sw("19200", "19200"),
    sw("38400", "38400"),
    sw("57600", "57600"),
    sw("115200", "115200"),
    sw("230400", "230400"),
    defined=START,
    saved=True,
    variable_members=True,
    member_pattern="9600|19200|38400|57600|115200|230400",
    summary="The serial baud rate; a device may offer a subset of these rates.",
)

DEVICE_AUTO_SEARCH = _define(
    "Switch",
    "DEVICE_AUTO_SEARCH",
    "Auto Search",
    "Connection",
    sw("INDI_ENABLED", "Enabled", True),
    sw("INDI_DISABLED", "Disabled"),
    defined=START,
    saved=True,
    summary="Scan the serial ports when the configured one does not answer.",
)

DEVICE_PORT_SCAN = _define(
    "Switch",
    "DEVICE_PORT_SCAN",
    "Refresh",
    "Connection",
    sw("Scan Ports", "Scan Ports"),
    defined=START,
    summary=(
        "Refresh the list of serial ports; its presence makes Ekos start its port selection step."
    ),
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    CONNECTION,
    DRIVER_INFO,
    DEBUG,
    SIMULATION,
    CONFIG_PROCESS,
    POLLING_PERIOD,
    ACTIVE_DEVICES,
    CONNECTION_MODE,
    DEVICE_PORT,
    DEVICE_BAUD_RATE,
    DEVICE_AUTO_SEARCH,
    DEVICE_PORT_SCAN,
)


def active_devices(devices: Mapping[str, str]) -> list[Text]:
    """Members for ``ACTIVE_DEVICES``: ``{"ACTIVE_TELESCOPE": "Telescope Simulator", ...}``.

    Labels are libindi's for the usual roles (``ACTIVE_TELESCOPE`` "Telescope",
    ``ACTIVE_FOCUSER`` "Focuser", ...), else the name without ``ACTIVE_``.
    """
    members = []
    for name, device in devices.items():
        if re.fullmatch(ACTIVE_DEVICES.member_pattern, name) is None:
            raise SetupError(f"ACTIVE_DEVICES members are named ACTIVE_<ROLE>, not {name!r}")
        label = _ROLE_LABELS.get(name, name.removeprefix("ACTIVE_").replace("_", " ").title())
        members.append(txt(name, label, device))
    return members


_ROLE_LABELS = {
    "ACTIVE_TELESCOPE": "Telescope",
    "ACTIVE_ROTATOR": "Rotator",
    "ACTIVE_FOCUSER": "Focuser",
    "ACTIVE_FILTER": "Filter",
    "ACTIVE_SKYQUALITY": "Sky Quality",
    "ACTIVE_GPS": "GPS",
    "ACTIVE_DOME": "DOME",
}
