"""WebSocket fan-out: one subscription to the client's updates, one JSON text per update,
shared by every connected page.

:class:`Hub` follows :meth:`Client.updates() <indiflask.client.Client.updates>`,
turns each update into a WebSocket message once (:func:`~indiflask.web.model.update_json`)
and hands the same text to every :class:`Peer`. It also keeps what the pages
ask for later: the recent values of every number (for plots, see
:meth:`Hub.history`), how many BLOBs each BLOB member received (so a page can
tell a new image), and it asks the server for the BLOBs of every device that
defines a BLOB property (``enableBLOB Also``).

A peer that keeps up receives every message in order. A peer that falls
behind (a phone on a slow link, a page in a background tab) does not queue an
unbounded backlog: while an update of a property is still waiting to be sent,
a newer update of the same property replaces it, so the page gets the latest
state of each property. Past :attr:`Peer.max_pending` queued messages the
peer is closed; the page reconnects and starts again from a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any, Protocol

from ..client import Client, Update
from .model import message_json, property_json, update_json

__all__ = ["Hub", "Peer", "dumps"]

log = logging.getLogger(__name__)

#: Seconds of number history kept for plots.
HISTORY_SECONDS = 600.0
#: Points closer together than this (seconds) are merged (the later value kept).
HISTORY_RESOLUTION = 0.1
#: Messages a hello snapshot repeats.
RECENT_MESSAGES = 200

_Key = tuple[str, str, str]


def dumps(data: Any) -> str:
    """Compact JSON text (the API never sends NaN or infinity)."""
    return json.dumps(data, separators=(",", ":"), allow_nan=False)


class Sender(Protocol):
    """What a peer writes to: an aiohttp WebSocket response, or a test double."""

    async def send_str(self, data: str) -> None:
        """Send one text frame."""

    async def close(self, *, code: int = ..., message: bytes = ...) -> bool:
        """Close the socket."""


class Peer:
    """One connected page: a queue of messages and the task that writes them.

    :param socket: where the messages go.
    :param max_pending: queued messages past which the peer is closed.
    """

    def __init__(self, socket: Sender, max_pending: int = 10_000) -> None:
        #: Where the messages go.
        self.socket = socket
        #: Queued messages past which the peer is closed (code 1013, try again later).
        self.max_pending = max_pending
        #: Messages sent so far.
        self.sent = 0
        #: Messages replaced by a newer update of the same property before being sent.
        self.coalesced = 0
        self._queue: deque[list[Any]] = deque()  # [key or None, text]
        self._latest: dict[tuple[str, str], list[Any]] = {}
        self._wake = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the writer task."""
        self._task = asyncio.get_running_loop().create_task(self._write(), name="web-peer")

    def push(self, text: str, key: tuple[str, str] | None = None) -> None:
        """Queue a message; ``key`` (device, name) marks a property update that a newer one
        of the same property may replace while both wait."""
        if self._closed:
            return
        if key is None:
            # anything else about a property (def, del, message) keeps its place in order
            self._latest.clear()
            self._queue.append([None, text])
        else:
            entry = self._latest.get(key)
            if entry is not None:
                entry[1] = text
                self.coalesced += 1
            else:
                entry = [key, text]
                self._latest[key] = entry
                self._queue.append(entry)
        if len(self._queue) > self.max_pending:
            log.warning("a web page fell %d messages behind; closing it", len(self._queue))
            self._closed = True
            self._queue.clear()
            self._latest.clear()
            asyncio.get_running_loop().create_task(self._close_slow())
        self._wake.set()

    async def _close_slow(self) -> None:
        with contextlib.suppress(Exception):
            await self.socket.close(code=1013, message=b"too far behind; reconnect")

    async def _write(self) -> None:
        queue = self._queue
        while not self._closed:
            await self._wake.wait()
            self._wake.clear()
            while queue:
                key, text = entry = queue.popleft()
                if key is not None and self._latest.get(key) is entry:
                    del self._latest[key]
                try:
                    await self.socket.send_str(text)
                except (ConnectionError, RuntimeError):
                    self._closed = True
                    return
                self.sent += 1

    @property
    def pending(self) -> int:
        """Messages queued and not yet written."""
        return len(self._queue)

    async def close(self) -> None:
        """Stop writing (the socket itself is closed by its handler)."""
        self._closed = True
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task


class Hub:
    """Follows one client and fans its updates out to every :class:`Peer`.

    :param client: the INDI client whose updates are followed.
    :param history_seconds: how long number values are kept for plots.
    :param enable_blobs: ask for the BLOBs of every device that defines a BLOB property.
    """

    def __init__(
        self,
        client: Client,
        *,
        history_seconds: float = HISTORY_SECONDS,
        enable_blobs: bool = True,
    ) -> None:
        #: The INDI client.
        self.client = client
        #: The pages connected now.
        self.peers: set[Peer] = set()
        #: BLOBs received per (device, property, member).
        self.serials: dict[_Key, int] = {}
        #: Seconds of number history kept.
        self.history_seconds = history_seconds
        #: Whether BLOBs are asked for.
        self.enable_blobs = enable_blobs
        #: Updates handled so far.
        self.handled = 0
        #: Pages connected so far (reconnections included).
        self.connections = 0
        self._gone = {"sent": 0, "coalesced": 0}  # counters of pages that left
        self._history: dict[_Key, deque[list[float]]] = {}
        self._blob_devices: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._subscription = client.updates()

    def start(self) -> None:
        """Start following (subscribed since construction, so nothing is missed)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="web-hub")

    async def stop(self) -> None:
        """Stop following and close every peer's writer."""
        self._subscription.close()
        tasks = [t for t in (self._task, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(peer.close() for peer in list(self.peers)))
        self.peers.clear()

    async def _run(self) -> None:
        async for update in self._subscription:
            try:
                self.handle(update)
            except Exception:  # one bad update must not stop the panel
                log.exception("web panel: could not handle %s", update.kind)

    # ------------------------------------------------------------------ updates
    def handle(self, update: Update) -> None:
        """Record one update and send its message to every peer."""
        self.handled += 1
        prop = update.property
        if prop is not None and update.kind in ("def", "set"):
            if prop.kind == "Number":
                self._record(prop.device, prop.name, update.values)
            elif prop.kind == "BLOB":
                if update.kind == "set":
                    for member, data in update.values.items():
                        if data:
                            serial = (prop.device, prop.name, member)
                            self.serials[serial] = self.serials.get(serial, 0) + 1
                if self.enable_blobs and prop.device not in self._blob_devices:
                    self._blob_devices.add(prop.device)
                    self._spawn(self._enable_blob(prop.device))
        if update.kind == "del" and update.name is None and update.device is not None:
            self._blob_devices.discard(update.device)
        if not self.peers:
            return
        text = dumps(update_json(update, self.serials))
        key = (update.device or "", update.name or "") if update.kind == "set" else None
        for peer in self.peers:
            peer.push(text, key)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _enable_blob(self, device: str) -> None:
        try:
            await self.client.enable_blob(device, "Also")
        except ConnectionError:  # repeated by the client after it reconnects
            pass

    def _record(self, device: str, name: str, values: Any) -> None:
        now = time.time()
        horizon = now - self.history_seconds
        for member, value in values.items():
            if not isinstance(value, float | int) or value != value:  # NaN has no place on a plot
                continue
            points = self._history.get((device, name, member))
            if points is None:
                points = self._history[(device, name, member)] = deque()
            if len(points) > 1 and now - points[-2][0] < HISTORY_RESOLUTION:
                points[-1] = [now, float(value)]  # the latest value of this tenth of a second
            else:
                points.append([now, float(value)])
            while points and points[0][0] < horizon:
                points.popleft()

    def history(self, device: str, name: str, member: str) -> list[list[float]]:
        """``[[unix time in ms, value], ...]`` of a number over the last minutes, oldest first."""
        horizon = time.time() - self.history_seconds
        points = self._history.get((device, name, member), ())
        return [[round(t * 1000.0, 1), v] for t, v in points if t >= horizon]

    # ------------------------------------------------------------------ peers
    def hello(self) -> str:
        """The first message a page receives: the connection, every property, recent messages."""
        properties = []
        for prop in self.client.mirror.properties():
            data = property_json(prop)
            if prop.kind == "BLOB":
                data["serials"] = {
                    m: self.serials.get((prop.device, prop.name, m), 0) for m in prop.members
                }
            properties.append(data)
        messages = [
            message_json(device, stamp, text)
            for device, stamp, text in self.client.messages[-RECENT_MESSAGES:]
        ]
        client = self.client
        hello = {
            "type": "hello",
            "connected": client.connected,
            "server": f"{client.host}:{client.port}",
            "properties": properties,
            "messages": messages,
        }
        return dumps(hello)

    def attach(self, socket: Sender, *, max_pending: int = 10_000) -> Peer:
        """Register a page: its first message is :meth:`hello`, then every update."""
        peer = Peer(socket, max_pending)
        peer.push(self.hello())
        self.peers.add(peer)
        self.connections += 1
        peer.start()
        return peer

    async def detach(self, peer: Peer) -> None:
        """Forget a page."""
        if peer in self.peers:
            self.peers.discard(peer)
            self._gone["sent"] += peer.sent
            self._gone["coalesced"] += peer.coalesced
        await peer.close()

    def stats(self) -> dict[str, Any]:
        """Counters for monitoring: pages now and so far, updates handled, messages sent and
        merged (since the start, pages that left included), messages waiting now."""
        return {
            "pages": len(self.peers),
            "connections": self.connections,
            "updates": self.handled,
            "sent": self._gone["sent"] + sum(p.sent for p in self.peers),
            "coalesced": self._gone["coalesced"] + sum(p.coalesced for p in self.peers),
            "pending": sum(p.pending for p in self.peers),
        }
