"""indiflask: a Flask-style micro-framework for INDI instrument drivers.

::

    from indiflask import App, Number

    app = App("Weather", device="weather")
    temperature = app.number("TEMPERATURE", perm="ro",
                             members=[Number("TEMP", format="%6.2f", min=-40, max=60)])
"""

from __future__ import annotations

from .app import App
from .core.members import Blob, Light, Number, Switch, Text
from .device import Device
from .errors import (
    IndiflaskError,
    InvalidValue,
    LocalProtocolError,
    ProtocolError,
    Reject,
    RemoteProtocolError,
    SetupError,
)
from .property import Change, Property
from .server import Server
from .snooping import SnoopEvent
from .template import DeviceTemplate
from .values import BlobMode, Perm, Rule, State

__version__ = "0.1.0"

__all__ = [
    "App",
    "Blob",
    "BlobMode",
    "Change",
    "Device",
    "DeviceTemplate",
    "IndiflaskError",
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
]
