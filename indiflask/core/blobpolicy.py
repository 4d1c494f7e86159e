"""BLOB delivery policy (``enableBLOB``) and the per-client queue budget.

:class:`BlobPolicy` is one link's ``enableBLOB`` state, kept **as the INDI spec
says**: per device, optionally per BLOB property, with the modes

* ``Never`` (the default): that scope's ``setBLOBVector`` messages are withheld;
* ``Also``: they are delivered with everything else;
* ``Only``: for a whole device, only its ``setBLOBVector`` messages are delivered,
  nothing else of that device.

Resolution for a ``setBLOBVector`` of device *D*, property *P*: the mode set for
(*D*, *P*) if any, else the mode set for *D*, else ``Never``. A device-wide
``enableBLOB`` replaces the property modes set earlier for that device (the
last, wider choice wins). Other devices are never affected.

Where libindi's indiserver reads ``enableBLOB`` differently, we follow the
protocol's own description of it:

* libindi applies ``enableBLOB`` without ``name`` to *every* device; here it is
  scoped to the named device.
* libindi's global ``Only`` mutes every non-BLOB message of every device; here
  ``Only`` mutes the non-BLOB traffic of that device only.
* a per-property ``Only`` behaves like ``Also`` for that property (as in libindi):
  the property's only other traffic is its definition, which a client needs.

:class:`QueueBudget` is the pure decision behind back-pressure: given how many
bytes are already waiting for a link, send, drop (stream BLOBs only) or
disconnect. Defaults follow indiserver's ``-m 128`` and ``-d 5`` (MiB). Its
``low_water`` mark is where a link counts as *behind* for pacing
(:mod:`indiflask.core.pacing`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..protocol.values import BlobMode

__all__ = ["BlobPolicy", "QueueBudget", "QueueVerdict"]


class BlobPolicy:
    """One link's ``enableBLOB`` choices.

    .. versionadded:: 0.1
    """

    __slots__ = ("_devices", "_properties")

    def __init__(self) -> None:
        self._devices: dict[str, BlobMode] = {}
        self._properties: dict[tuple[str, str], BlobMode] = {}

    def enable(self, device: str, name: str | None, mode: BlobMode) -> None:
        """Record an ``enableBLOB``.

        :param device: the device it names.
        :param name: the BLOB property it names, or ``None`` for the whole device.
        :param mode: the requested mode.
        """
        if name is None:
            for key in [k for k in self._properties if k[0] == device]:
                del self._properties[key]
            if mode is BlobMode.NEVER:
                self._devices.pop(device, None)
            else:
                self._devices[device] = mode
        else:
            self._properties[(device, name)] = mode

    def blob_mode(self, device: str, name: str) -> BlobMode:
        """The mode that applies to a ``setBLOBVector`` of ``device``/``name``."""
        mode = self._properties.get((device, name))
        if mode is None:
            mode = self._devices.get(device, BlobMode.NEVER)
        return mode

    def allows_blob(self, device: str, name: str) -> bool:
        """True when a ``setBLOBVector`` of ``device``/``name`` may be delivered."""
        return self.blob_mode(device, name) is not BlobMode.NEVER

    def allows_other(self, device: str | None) -> bool:
        """True when non-BLOB traffic of ``device`` may be delivered (``Only`` mutes it)."""
        return device is None or self._devices.get(device) is not BlobMode.ONLY

    def wanted_devices(self) -> set[str]:
        """Devices for which some BLOB (device-wide or one property) is wanted."""
        wanted = set(self._devices)
        props = self._properties.items()
        wanted.update(dev for (dev, _), mode in props if mode is not BlobMode.NEVER)
        return wanted

    @property
    def restricts(self) -> bool:
        """True when some device is at ``Only`` (non-BLOB traffic needs a check)."""
        return BlobMode.ONLY in self._devices.values()


class QueueVerdict(enum.Enum):
    """What to do with a message for a link, given its queue."""

    SEND = "send"
    DROP = "drop"
    DISCONNECT = "disconnect"


@dataclass(frozen=True, slots=True)
class QueueBudget:
    """Limits on the bytes waiting for one client.

    :param max_queue: past this many queued bytes the client is disconnected
        (indiserver ``-m``, 128 MiB).
    :param max_stream_queue: past this many queued bytes, BLOBs whose format
        contains ``stream`` are dropped instead of queued (indiserver ``-d``,
        5 MiB; 0 disables dropping).
    :param low_water: from this many queued bytes on, the link is *behind*:
        a driver whose readers are all behind waits (see
        :mod:`indiflask.core.pacing`).

    .. versionadded:: 0.1
    """

    max_queue: int = 128 * 2**20
    max_stream_queue: int = 5 * 2**20
    low_water: int = 4 * 2**20

    def verdict(self, queued: int, size: int, *, stream: bool) -> QueueVerdict:
        """Decide about one message of ``size`` bytes when ``queued`` bytes wait already.

        :param queued: bytes already waiting for the link.
        :param size: bytes of the new message.
        :param stream: whether the message is a stream-type BLOB.
        """
        if stream and self.max_stream_queue and queued > self.max_stream_queue:
            return QueueVerdict.DROP
        if queued + size > self.max_queue:
            return QueueVerdict.DISCONNECT
        return QueueVerdict.SEND
