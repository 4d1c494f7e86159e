"""Roles, phases and the direction table of an INDI link.

Each INDI link has a device side and a client side. A
:class:`~indiflask.protocol.connection.Connection` is built for one
:class:`Role`; the table below says which messages each role may send.

==================  ================  ======================  ============================
message             DEVICE may send   CLIENT may send         notes
==================  ================  ======================  ============================
getProperties       yes (a snoop)     yes                     device/name narrow the scope
def* / set*         yes               yes (forwarded snoops)  set* needs a def* first
delProperty         yes               yes (forwarded snoops)
message             yes               yes (forwarded snoops)
new*                **no**            yes                     to a defined, writable property
enableBLOB          yes (snoops)      yes
pingRequest/Reply   yes               yes                     passed through
Unknown             yes               yes                     raw XML, forwarded as is
Invalid             no                no                      received only
==================  ================  ======================  ============================

What a connection accepts from its peer mirrors this: a DEVICE side turns
``def*``/``set*``/``delProperty``/``message`` into
:class:`~indiflask.protocol.events.Invalid` unless they concern a device it
asked to snoop (with its own outgoing ``getProperties``); a CLIENT side turns
``new*`` into ``Invalid``.

Phases (each side separately, both sticky)::

    OPEN --EOF--> CLOSED
    OPEN --malformed input / failed write--> ERROR
"""

from __future__ import annotations

import enum

from . import events as ev

__all__ = ["DIRECTION_TABLE", "SENDABLE", "Phase", "Role"]


class Role(enum.StrEnum):
    """Which side of an INDI link a connection speaks for."""

    #: We speak for devices: a driver, or a server towards its clients.
    DEVICE = "device"
    #: We speak for a client: a client, or a server towards drivers and upstream servers.
    CLIENT = "client"


class Phase(enum.StrEnum):
    """The life of one direction of a connection."""

    #: Messages may flow.
    OPEN = "open"
    #: The stream ended cleanly (EOF received, or we sent ours).
    CLOSED = "closed"
    #: The stream broke (malformed input, or a failed write); nothing more flows.
    ERROR = "error"


_DEVICE_OUTPUT: tuple[type[ev.Event], ...] = (
    *(cls for cls, _, _ in ev.VECTOR_CLASSES.values()),
    *(cls for _, cls, _ in ev.VECTOR_CLASSES.values()),
    ev.DelProperty,
    ev.Message,
)
_CLIENT_OUTPUT: tuple[type[ev.Event], ...] = tuple(
    cls for _, _, cls in ev.VECTOR_CLASSES.values() if cls is not None
)
_BOTH: tuple[type[ev.Event], ...] = (
    ev.GetProperties,
    ev.EnableBLOB,
    ev.PingRequest,
    ev.PingReply,
    ev.Unknown,
)

#: The event classes each role may send. A CLIENT may send device output too,
#: because a server forwards snooped traffic to the drivers that asked for it.
SENDABLE: dict[Role, frozenset[type[ev.Event]]] = {
    Role.DEVICE: frozenset(_DEVICE_OUTPUT + _BOTH),
    Role.CLIENT: frozenset(_DEVICE_OUTPUT + _CLIENT_OUTPUT + _BOTH),
}

#: ``(tag, device may send, client may send, note)`` rows for the documentation.
DIRECTION_TABLE: tuple[tuple[str, bool, bool, str], ...] = (
    ("getProperties", True, True, "a device sends it to snoop"),
    ("def*Vector", True, True, "clients only forward snooped definitions"),
    ("set*Vector", True, True, "needs a prior def* on the link"),
    ("delProperty", True, True, "clients only forward snooped traffic"),
    ("message", True, True, "clients only forward snooped traffic"),
    ("new*Vector", False, True, "to a defined, writable property"),
    ("enableBLOB", True, True, "a device sends it for snooped BLOBs"),
    ("pingRequest", True, True, "libindi extension"),
    ("pingReply", True, True, "libindi extension"),
)
