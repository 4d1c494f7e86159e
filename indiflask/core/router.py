"""The server's routing core (sans-IO): links, ownership, interest, snoops, BLOB policy.

The :class:`Router` sees only ``(link, event)`` pairs and answers with
*deliveries*: ``(event, [link, ...])`` pairs, one event shared by every link
that should get it, so the runtime serialises it once. It never touches bytes,
sockets or clocks.

Rules (the INDI protocol's, as libindi's indiserver applies them; where indiflask
corrects libindi, the rule says "(unlike libindi)"):

* **Ownership.** A device belongs to the first driver-side link (APP, EXEC,
  REMOTE) whose ``def*``/``set*``/``delProperty``/``message`` names it. Another
  link's traffic for that device is refused and logged once as a possible
  network loop. A REMOTE link opened for one device owns only that device.
* **Interest.** A client's ``getProperties`` adds (device, name) or
  "everything" to its interest. ``new*`` and ``enableBLOB`` add to it too,
  but nothing ever narrows it (unlike libindi).
* **Definitions** are answered (unlike libindi) from the
  :class:`~indiflask.core.cache.DefinitionCache` when known: only the asking
  link receives them. A request for something not cached goes to the
  device's owner, or to every driver-side link when the device is unknown.
* **Changes.** ``new*`` goes to the owner only (unlike libindi, not echoed to
  other clients). A ``new*`` whose content is not valid INDI (a number
  ``abc``, a switch ``Maybe``: an :class:`~indiflask.protocol.events.Invalid`
  event) goes to the owner as well: an APP link gets the ``Invalid`` event and
  answers with an ``Alert`` naming the reason; EXEC and REMOTE links get the
  element as the client sent it. A change nobody can take (unknown device, no
  device named) and any other invalid element is answered with a ``message``
  to that client.
* **Driver output.** ``def*``/``set*``/``delProperty``/``message`` go to the
  interested clients (after their :class:`BlobPolicy`) and to the snooping
  driver-side links (after their snoop policy), never back to the owner.
  A ``message`` without device goes to every client.
* **Snoops.** A driver-side link's ``getProperties`` registers a snoop and is
  answered from the cache (or forwarded to the owner, or, for an unknown device,
  to every other driver-side link and to chained servers, i.e. clients that sent
  ``getProperties device="*"``). Snooped BLOBs flow only after that link's
  ``enableBLOB``. Snoops work across every link kind. A client that becomes a
  chained server (``getProperties device="*"``) is sent the snoop requests
  already registered for devices nobody here owns, so a snoop survives the
  chained server's arrival after the snooper, and its reconnection.
* **BLOBs upstream.** ``enableBLOB`` is never sent to APP/EXEC links. For a REMOTE
  link the router keeps the upstream at ``Also`` for every device that any
  client or snooper wants BLOBs from and filters per client locally, so (unlike libindi) one
  client's ``Never`` cannot starve the others (libindi forwards each client's
  choice on the shared link).
* ``pingRequest`` is answered on the link it came from; every ``getProperties``
  sent to a driver-side link carries ``version="1.7"``.
* **Link loss.** When a driver-side link goes down, interested clients and
  snoopers get ``delProperty`` for each device it owned; its devices, cache
  entries and snoops are forgotten, ready for a restart or reconnect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from ..protocol.events import (
    VECTOR_CLASSES,
    DefVector,
    DelProperty,
    EnableBLOB,
    Event,
    GetProperties,
    Invalid,
    Message,
    NewVector,
    PingReply,
    PingRequest,
    SetBLOBVector,
    SetVector,
)
from ..protocol.values import BlobMode
from .blobpolicy import BlobPolicy
from .cache import DefinitionCache
from .interest import InterestTable
from .links import DRIVER_KINDS, LinkKind

__all__ = ["Deliveries", "Router"]

log = logging.getLogger(__name__)

_DeviceEvent = DefVector | SetVector | DelProperty | Message

#: What the router asks the runtime to send: each event to each listed link.
Deliveries = list[tuple[Event, list[int]]]

_MAX_ROUTES = 4096
_SET_TYPES = frozenset(classes[1] for classes in VECTOR_CLASSES.values())


_NONE: frozenset[str] = frozenset()


class _Link:
    __slots__ = ("blobs", "chained", "devices", "fixed_device", "kind", "name", "refused", "up")

    def __init__(self, kind: LinkKind, name: str, fixed_device: str | None) -> None:
        self.kind = kind
        self.name = name
        self.fixed_device = fixed_device
        self.blobs = BlobPolicy()
        # shared empty sets until a driver-side link claims a device (clients never do)
        self.devices: set[str] | frozenset[str] = _NONE
        self.refused: set[str] | frozenset[str] = _NONE
        self.chained = False
        self.up = kind is LinkKind.CLIENT


class Router:
    """Routes events between clients and driver-side links.

    .. versionadded:: 0.1
    """

    def __init__(self) -> None:
        self._links: dict[int, _Link] = {}
        self._next_id = 1
        self._owner: dict[str, int] = {}
        #: Definitions cache used to answer getProperties.
        self.cache = DefinitionCache()
        self._interest = InterestTable()  # clients
        self._snoops = InterestTable()  # driver-side links
        self._upstream_blobs: dict[int, set[str]] = {}
        #: Recipients of a driver's set* per (link, device, name), valid until any
        #: interest, snoop, BLOB policy or link changes (then cleared).
        self._routes: dict[tuple[int, str, str], list[int]] = {}
        #: The recipients of the last device output (``def*``, ``set*``,
        #: ``delProperty``, ``message``) each driver-side link sent: what the
        #: server paces that driver by (:mod:`indiflask.core.pacing`).
        self.last_recipients: dict[int, list[int]] = {}

    # ------------------------------------------------------------------ links

    def add_link(self, kind: LinkKind, name: str, *, device: str | None = None) -> int:
        """Register a link and return its id. Driver-side links start down.

        :param kind: what the link is.
        :param name: a name for log lines.
        :param device: for a REMOTE link, the single upstream device it carries.
        """
        self._routes.clear()
        link = self._next_id
        self._next_id += 1
        self._links[link] = _Link(kind, name, device)
        return link

    def link_name(self, link: int) -> str:
        """The name given to ``link`` (for logs)."""
        info = self._links.get(link)
        return info.name if info is not None else f"link {link}"

    def links(self, kind: LinkKind | None = None) -> list[int]:
        """Ids of the registered links, optionally only of one kind."""
        return [i for i, info in self._links.items() if kind is None or info.kind is kind]

    def owner(self, device: str) -> int | None:
        """The link owning ``device``, or ``None``."""
        return self._owner.get(device)

    def devices_of(self, link: int) -> set[str]:
        """The devices ``link`` owns."""
        info = self._links.get(link)
        return set(info.devices) if info is not None else set()

    def snoops(self, link: int, device: str, name: str | None = None) -> bool:
        """True when driver-side ``link`` snoops ``device`` (property ``name``)."""
        return self._snoops.wants(link, device, name)

    def link_up(self, link: int) -> Deliveries:
        """A driver-side link is (again) connected: ask it for its definitions."""
        self._routes.clear()
        info = self._links[link]
        info.up = True
        if info.kind is LinkKind.REMOTE:
            first = GetProperties(device=info.fixed_device or "*", version="1.7")
            out: Deliveries = [(first, [link])]
            self._upstream_blobs[link] = set()
            out.extend(self._sync_upstream_blobs(link))
            return out
        return [(GetProperties(version="1.7"), [link])]

    def link_down(self, link: int) -> Deliveries:
        """A link lost its peer: clients are told its devices are gone.

        The link stays registered; call :meth:`link_up` after a restart.
        """
        self._routes.clear()
        info = self._links.get(link)
        if info is None:
            return []
        info.up = False
        out: Deliveries = []
        if info.kind is LinkKind.CLIENT:
            self._interest.remove_link(link)
            info.blobs = BlobPolicy()
            out.extend(self._sync_all_upstream())
            return out
        for device in list(info.devices):
            gone = DelProperty(device=device)
            out.extend(self._from_driver(link, gone))
            self.cache.forget_device(device)
            self._owner.pop(device, None)
        info.devices = _NONE
        info.refused = _NONE
        self._snoops.remove_link(link)
        info.blobs = BlobPolicy()
        self._upstream_blobs.pop(link, None)
        out.extend(self._sync_all_upstream())
        return out

    def remove_link(self, link: int) -> Deliveries:
        """Take a link away for good (after :meth:`link_down` effects)."""
        out = self.link_down(link)
        self._links.pop(link, None)
        self.last_recipients.pop(link, None)
        return out

    # ------------------------------------------------------------------ events

    def receive(self, link: int, event: Event) -> Deliveries:
        """Route one event that arrived on ``link``; return what to send where."""
        info = self._links.get(link)
        if info is None:
            return []
        if type(event) in _SET_TYPES and info.kind is not LinkKind.CLIENT:
            recipients = self._routes.get((link, event.device, event.name))  # type: ignore[attr-defined]
            if recipients is not None:  # the hot path: a known driver's update
                self.cache.update(event)  # type: ignore[arg-type]
                self.last_recipients[link] = recipients
                return [(event, recipients)] if recipients else []
        if isinstance(event, PingRequest):
            return [(PingReply(uid=event.uid), [link])]
        if info.kind is LinkKind.CLIENT:
            if not (
                isinstance(event, NewVector)
                and self._interest.wants(link, event.device, event.name)
            ):
                self._routes.clear()  # the client's interest or BLOB policy may change
            return self._from_client(link, info, event)
        if isinstance(event, DefVector | SetVector | DelProperty | Message):
            return self._from_driver(link, event)
        self._routes.clear()  # a snoop request or a snoop BLOB policy
        if isinstance(event, GetProperties):
            return self._snoop_request(link, event)
        if isinstance(event, EnableBLOB):
            info.blobs.enable(event.device, event.name, event.mode)
            return self._sync_all_upstream(exclude=link)
        log.debug("%s: ignored %s", info.name, type(event).__name__)
        return []

    # ------------------------------------------------------------------ clients

    def _from_client(self, link: int, info: _Link, event: Event) -> Deliveries:
        if isinstance(event, GetProperties):
            device = event.device
            replay: Deliveries = []
            if device == "*":
                if not info.chained:
                    replay = self._replay_snoops(link)
                info.chained = True
            self._interest.add(link, device, event.name)
            out = self._answer(link, event, self._interest_request_targets(link, event))
            return out + replay
        if isinstance(event, NewVector):
            self._interest.add(link, event.device, event.name)
            owner = self._owner.get(event.device)
            if owner is None:
                log.warning("%s: change for unknown device %r dropped", info.name, event.device)
                return _answer(link, f"no device {event.device!r} here: change not delivered")
            return [(event, [owner])]
        if isinstance(event, Invalid):
            return self._invalid_from_client(link, info, event)
        if isinstance(event, EnableBLOB):
            info.blobs.enable(event.device, event.name, event.mode)
            if event.mode is not BlobMode.NEVER:
                self._interest.add(link, event.device, event.name)
            return self._sync_all_upstream()
        if isinstance(event, DefVector | SetVector | DelProperty | Message):
            # snooped data forwarded by a chained server: to our snoopers only
            return self._to_snoopers(event, exclude=link)
        log.debug("%s: ignored %s", info.name, type(event).__name__)
        return []

    def _invalid_from_client(self, link: int, info: _Link, event: Invalid) -> Deliveries:
        """A change the codec could not read goes to the owner, like any change."""
        device, name = event.device, event.name
        owner = self._owner.get(device) if device is not None else None
        if owner is not None and name is not None and event.element_tag.startswith("new"):
            self._interest.add(link, device, name)
            return [(event, [owner])]
        text = f"invalid {event.element_tag}: {event.reason}"
        log.info("%s: %s", info.name, text)
        if owner is None and device is not None and event.element_tag.startswith("new"):
            text += f" (and no device {device!r} here)"
        return _answer(link, text)

    def _interest_request_targets(self, link: int, event: GetProperties) -> list[int]:
        return [i for i, o in self._links.items() if o.kind in DRIVER_KINDS and o.up]

    # ------------------------------------------------------------------ drivers

    def _claim(self, link: int, device: str) -> bool:
        owner = self._owner.get(device)
        if owner == link:
            return True
        info = self._links[link]
        if owner is None and (info.fixed_device is None or info.fixed_device == device):
            self._owner[device] = link
            info.devices = info.devices | {device}
            return True
        if device not in info.refused:
            info.refused = info.refused | {device}
            holder = self.link_name(owner) if owner is not None else "nobody (link is limited)"
            log.warning(
                "%s: refused traffic for device %r, already owned by %s "
                "(a second claim: is there a loop between servers?)",
                info.name,
                device,
                holder,
            )
        return False

    def _from_driver(self, link: int, event: _DeviceEvent) -> Deliveries:
        device = event.device
        if device is None:  # a global message
            clients = [i for i, o in self._links.items() if o.kind is LinkKind.CLIENT]
            self.last_recipients[link] = clients
            return [(event, clients)] if clients else []
        first_sight = device not in self._owner
        if not self._claim(link, device):
            return []
        if isinstance(event, SetVector):
            self.cache.update(event)
        elif isinstance(event, DefVector):
            self.cache.define(event)
        elif isinstance(event, DelProperty):
            self.cache.delete(event)
        name = None if isinstance(event, Message) else event.name
        recipients = []
        blob = name if isinstance(event, SetBLOBVector) else None
        links = self._links
        for client in self._interest.links_for(device, name):
            policy = links[client].blobs
            if blob is not None:
                if policy.allows_blob(device, blob):
                    recipients.append(client)
            elif policy.allows_other(device):
                recipients.append(client)
        for snooper in self._snoops.links_for(device, name):
            if snooper == link:
                continue
            if blob is None or links[snooper].blobs.allows_blob(device, blob):
                recipients.append(snooper)
        if isinstance(event, SetVector) and not first_sight:
            if len(self._routes) >= _MAX_ROUTES:
                self._routes.clear()
            self._routes[(link, device, event.name)] = recipients
        self.last_recipients[link] = recipients
        out: Deliveries = [(event, recipients)] if recipients else []
        if first_sight and self._links[link].kind is LinkKind.REMOTE:
            out.extend(self._sync_upstream_blobs(link))
        return out

    def _to_snoopers(self, event: _DeviceEvent, exclude: int) -> Deliveries:
        if event.device is None:
            return []
        device = event.device
        name = None if isinstance(event, Message) else event.name
        blob = name if isinstance(event, SetBLOBVector) else None
        recipients = [
            s
            for s in self._snoops.links_for(device, name)
            if s != exclude and (blob is None or self._links[s].blobs.allows_blob(device, blob))
        ]
        return [(event, recipients)] if recipients else []

    def _snoop_request(self, link: int, event: GetProperties) -> Deliveries:
        device = event.device
        if device is None or device == "*":
            self._snoops.add(link, None)
            return []
        self._snoops.add(link, device, event.name)
        targets = [
            i
            for i, o in self._links.items()
            if i != link and o.up and (o.kind in DRIVER_KINDS or o.chained)
        ]
        return self._answer(link, event, targets)

    def _replay_snoops(self, link: int) -> Deliveries:
        """Snoop requests for devices nobody owns, for a newly chained server."""
        wanted: set[tuple[str, str | None]] = set()
        for i, o in self._links.items():
            if o.kind in DRIVER_KINDS and i != link:
                wanted.update(e for e in self._snoops.entries(i) if e[0] not in self._owner)
        return [
            (GetProperties(device=device, name=name, version="1.7"), [link])
            for device, name in sorted(wanted, key=lambda e: (e[0], e[1] or ""))
        ]

    def _answer(self, link: int, event: GetProperties, unknown_targets: list[int]) -> Deliveries:
        """Answer a getProperties from the cache, else forward it."""
        device, name = event.device, event.name
        out: Deliveries = []
        if device is None or device == "*":
            for definition in self.cache.definitions():
                out.append((definition, [link]))
            return out
        if self.cache.has(device, name):
            out.extend((d, [link]) for d in self.cache.definitions(device, name))
            return out
        request = GetProperties(device=device, name=name, version="1.7")
        owner = self._owner.get(device)
        if owner is not None:
            return [(request, [owner])] if owner != link else []
        targets = [
            t
            for t in unknown_targets
            if t != link
            and (self._links[t].fixed_device is None or self._links[t].fixed_device == device)
        ]
        return [(request, targets)] if targets else []

    # ------------------------------------------------------------------ upstream BLOBs

    def _wanted_blob_devices(self, exclude: int) -> set[str]:
        wanted: set[str] = set()
        for i, info in self._links.items():
            if i != exclude:
                wanted |= info.blobs.wanted_devices()
        return wanted

    def _sync_all_upstream(self, exclude: int | None = None) -> Deliveries:
        out: Deliveries = []
        for link in list(self._upstream_blobs):
            if link != exclude:
                out.extend(self._sync_upstream_blobs(link))
        return out

    def _sync_upstream_blobs(self, link: int) -> Deliveries:
        """Keep a REMOTE link at Also for the devices anyone wants BLOBs from."""
        enabled = self._upstream_blobs.get(link)
        info = self._links.get(link)
        if enabled is None or info is None or not info.up:
            return []
        target = {
            d
            for d in self._wanted_blob_devices(exclude=link)
            if self._owner.get(d, link) == link
            and (info.fixed_device is None or info.fixed_device == d)
        }
        out: Deliveries = []
        for device in sorted(target - enabled):
            out.append((EnableBLOB(device=device, mode=BlobMode.ALSO), [link]))
            enabled.add(device)
        if not target and enabled:
            # Never only when nobody wants any BLOB from this link: libindi applies a
            # device-less enableBLOB to every device, so a Never for one device
            # would also stop the BLOBs of the others.
            for device in sorted(enabled):
                out.append((EnableBLOB(device=device, mode=BlobMode.NEVER), [link]))
            enabled.clear()
        return out

    def iter_links(self) -> Iterable[tuple[int, LinkKind]]:
        """``(id, kind)`` of every registered link."""
        return [(i, o.kind) for i, o in self._links.items()]


def _answer(link: int, text: str) -> Deliveries:
    """A ``message`` to the one client whose input could not be delivered."""
    return [(Message(message=f"indiflask: {text}"), [link])]
