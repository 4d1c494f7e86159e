"""What a server's links (clients, executable drivers, remote servers) need of the server.

:class:`~indiflask.server.server.Server` is the one implementation; the links are
typed against this protocol so that they do not import the server module (which
imports them).
"""

from __future__ import annotations

from typing import Protocol

from ..core.blobpolicy import QueueBudget
from ..core.router import Deliveries, Router
from ..protocol.events import Event

__all__ = ["ClientSink", "DriverSink", "Hub", "Sink"]


class Sink(Protocol):
    """One link's outgoing side, as the dispatcher sees it."""

    #: True for in-process drivers, which take event objects instead of bytes.
    takes_events: bool

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        """Queue one message (its bytes, and the event they encode)."""

    @property
    def taken(self) -> int:
        """Bytes the peer has taken so far (what a stalled reader does not change)."""


class DriverSink(Sink, Protocol):
    """A driver-side link (app, executable driver, remote server)."""

    #: A name for log lines.
    name: str

    def hold_input(self, hold: bool) -> None:
        """Stop (``True``) or resume reading what the driver sends, while it is paced."""


class ClientSink(Sink, Protocol):
    """A connected client, as the server keeps it."""

    #: A name for log lines (``client HOST:PORT``).
    name: str

    def close(self) -> None:
        """Close the connection after sending what is queued."""

    def trim(self) -> None:
        """Free what an idle connection does not need (called now and then)."""


class Hub(Protocol):
    """The server as its links see it."""

    #: The routing core.
    router: Router
    #: Queue limits for every byte link.
    budget: QueueBudget
    #: The largest element accepted from any peer, in bytes.
    max_element_size: int
    #: Clients beyond this many are refused.
    max_connections: int
    #: Restarts allowed per executable driver.
    max_restarts: int
    #: Pause before restarting a dead executable driver, in seconds.
    restart_delay: float
    #: First and largest pause between reconnection attempts to a remote server.
    remote_backoff: tuple[float, float]
    #: Seconds of quiet before a remote server is pinged, and of silence before
    #: its connection is given up.
    remote_keepalive: tuple[float, float]
    #: True once the server is shutting down (links stop restarting).
    stopping: bool

    @property
    def client_count(self) -> int:
        """Clients currently connected."""

    def on_event(self, link: int, event: Event) -> None:
        """Route one event that arrived on ``link``."""

    def dispatch(self, deliveries: Deliveries) -> None:
        """Send the router's deliveries."""

    def backlog(self, link: int, behind: bool) -> None:
        """A byte link fell behind (its queue reached the low-water mark) or caught up."""

    def driver_down(self, link: int) -> None:
        """A driver-side link lost its peer: deliver what it sent, then delete its devices."""

    def attach_client(self, client: ClientSink) -> int:
        """Register a connected client; returns its link id."""

    def detach_client(self, link: int) -> None:
        """Forget a disconnected client."""
