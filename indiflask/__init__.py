"""indiflask: a Flask-style micro-framework for INDI instrument drivers."""

from __future__ import annotations

from .errors import (
    IndiflaskError,
    InvalidValue,
    LocalProtocolError,
    ProtocolError,
    Reject,
    RemoteProtocolError,
    SetupError,
)
from .values import BlobMode, Perm, Rule, State

__version__ = "0.1.0"

__all__ = [
    "BlobMode",
    "IndiflaskError",
    "InvalidValue",
    "LocalProtocolError",
    "Perm",
    "ProtocolError",
    "Reject",
    "RemoteProtocolError",
    "Rule",
    "SetupError",
    "State",
    "__version__",
]
