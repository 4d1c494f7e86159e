"""The indiflask error tree.

Every error indiflask raises on purpose derives from :class:`IndiflaskError`, so
``except IndiflaskError`` catches them all. User mistakes at setup time are
:class:`SetupError`; bad values are :class:`InvalidValue`; wire trouble is a
:class:`ProtocolError`; a handler refuses a change with :class:`Reject`.
"""

from __future__ import annotations

__all__ = [
    "ChangeRefused",
    "IndiflaskError",
    "InvalidValue",
    "LocalProtocolError",
    "ProtocolError",
    "Reject",
    "RemoteProtocolError",
    "SetupError",
    "StartError",
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


class StartError(StartupError):
    """An app could not start: one of its ``on_start`` hooks raised.

    The message names the app and the hook and says why; the original error is
    the ``__cause__``.
    """


class Reject(IndiflaskError):
    """Raised by a handler to refuse a client's change.

    The property's state becomes ``Alert`` and the message is shown to the
    client. The values the client asked for are not applied; values the handler
    assigned itself before raising (say, the slot a filter wheel reached before
    an abort) stay, because they describe the hardware::

        raise Reject("longer than 10 minutes needs the dark slide")
    """

    def __init__(self, message: str = "change refused") -> None:
        super().__init__(message)
        #: The text shown to the client as the property's message.
        self.message = message


class ChangeRefused(IndiflaskError):
    """A driver refused a client's change (raised by ``set(..., check=True)``).

    Refused means: the answer was an update with state ``Alert``, or a message
    refusing the change (the property was busy with a previous change, is
    read-only, or does not exist).

    :param where: ``"device.property"``.
    :param reason: the driver's reason.
    :param prop: the property as the client mirrors it, if known.
    :param alert: the refusal was an update with state Alert (not a message).
    """

    def __init__(
        self, where: str, reason: str, prop: object = None, *, alert: bool = False
    ) -> None:
        how = " (Alert)" if alert else ""
        super().__init__(f"{where} refused the change{how}: {reason}")
        #: ``"device.property"``.
        self.where = where
        #: The driver's reason.
        self.reason = reason
        #: The property as the client mirrors it (a :class:`~indiflask.client.RemoteProperty`).
        self.property = prop
