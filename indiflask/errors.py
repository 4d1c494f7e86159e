"""The indiflask error tree.

Every error indiflask raises on purpose derives from :class:`IndiflaskError`, so
``except IndiflaskError`` catches them all. User mistakes at setup time are
:class:`SetupError`; bad values are :class:`InvalidValue`; wire trouble is a
:class:`ProtocolError`; a handler refuses a change with :class:`Reject`.
"""

from __future__ import annotations

__all__ = [
    "IndiflaskError",
    "InvalidValue",
    "LocalProtocolError",
    "ProtocolError",
    "Reject",
    "RemoteProtocolError",
    "SetupError",
    "StartupError",
]


class IndiflaskError(Exception):
    """Base class of every error indiflask raises deliberately."""


class SetupError(IndiflaskError, ValueError):
    """A declaration is wrong or comes too late (raised at import time).

    The message names what to fix, e.g. a duplicate property name or a handler
    attached to a read-only property.
    """


class StartupError(IndiflaskError):
    """A server cannot start: its port is taken, or an app's start hooks failed.

    The message says what to do; for a failed hook, ``__cause__`` is the
    hook's own exception.
    """


class InvalidValue(IndiflaskError, ValueError):
    """A value does not parse, or lies outside its allowed range."""


class ProtocolError(IndiflaskError):
    """Something on the INDI wire broke the protocol."""


class LocalProtocolError(ProtocolError):
    """We tried to send something the protocol does not allow."""


class RemoteProtocolError(ProtocolError):
    """The peer sent something we cannot read (malformed XML, an oversized element).

    Framing errors are fatal for the connection: a pull parser cannot resynchronise.
    """


class Reject(IndiflaskError):
    """Raised by a handler to refuse a client's change.

    The property's values stay unchanged, its state becomes ``Alert`` and the
    message is shown to the client::

        raise Reject("longer than 10 minutes needs the dark slide")
    """

    def __init__(self, message: str = "change refused") -> None:
        super().__init__(message)
        #: The text shown to the client as the property's message.
        self.message = message
