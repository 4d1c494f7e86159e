"""indiflask: a Flask-style micro-framework for INDI instrument drivers.

::

    from indiflask import App, Number

    app = App("Weather", device="weather")
    temperature = app.number("TEMPERATURE", perm="ro",
                             members=[Number("TEMP", format="%6.2f", min=-40, max=60)])
"""

from __future__ import annotations

from . import standard
from .core.members import Blob, Light, Number, Switch, Text
from .driver.app import App
from .driver.catalog import Interface
from .driver.device import Device
from .driver.property import Change, Property
from .driver.snooping import SnoopEvent
from .driver.template import DeviceTemplate
from .errors import (
    IndiflaskError,
    InvalidValue,
    LocalProtocolError,
    ProtocolError,
    Reject,
    RemoteProtocolError,
    SetupError,
)
from .protocol.values import BlobMode, Perm, Rule, State
from .server import Server

__version__ = "0.1.0"

__all__ = [
    "App",
    "Blob",
    "BlobMode",
    "Change",
    "Device",
    "DeviceTemplate",
    "IndiflaskError",
    "Interface",
    "InvalidValue",
    "Light",
    "LocalProtocolError",
    "Number",
    "Perm",
    "Property",
    "ProtocolError",
    "Reject",
    "RemoteProtocolError",
    "Rule",
    "Server",
    "SetupError",
    "SnoopEvent",
    "State",
    "Switch",
    "Text",
    "__version__",
    "standard",
]
