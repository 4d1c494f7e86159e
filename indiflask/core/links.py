"""Link kinds and the in-process driver interface the router talks to.

A *link* is one peer of the server, seen by the :class:`~indiflask.core.router.Router`
as a small integer id and a :class:`LinkKind`:

=========  =====================================================  ==================
kind       what it is                                             we act as
=========  =====================================================  ==================
CLIENT     a downstream client (or a chained server)              the devices
APP        an in-process driver (an :class:`indiflask.App`)       a client, in events
EXEC       a third-party executable driver on stdin/stdout        a client
REMOTE     an upstream INDI server                                a client
=========  =====================================================  ==================

``APP``, ``EXEC`` and ``REMOTE`` are *driver-side* links: they own devices.

In-process drivers reach the server through :class:`LocalDriver`; no XML is
involved, events travel as objects.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ..protocol.events import Event

__all__ = ["DRIVER_KINDS", "LinkKind", "LocalDriver"]


class LinkKind(enum.Enum):
    """The four kinds of link a router knows."""

    #: A downstream client or a chained server that connected to us.
    CLIENT = "client"
    #: An in-process driver (:class:`LocalDriver`), exchanging events directly.
    APP = "app"
    #: A third-party executable driver, spoken to over its stdin/stdout.
    EXEC = "exec"
    #: An upstream INDI server we connected to.
    REMOTE = "remote"


#: The kinds of link that own devices.
DRIVER_KINDS = frozenset({LinkKind.APP, LinkKind.EXEC, LinkKind.REMOTE})


@runtime_checkable
class LocalDriver(Protocol):
    """An in-process driver as the server sees it.

    :class:`indiflask.App` provides one with ``app.local_driver()``; tests can
    write their own. All calls happen on the event-loop thread.

    .. versionadded:: 0.1
    """

    #: The driver's name, used in log lines.
    name: str

    async def start(self, emit: Callable[[Event], None]) -> None:
        """Begin running.

        The driver calls ``emit(event)`` for everything it sends: definitions,
        updates, ``DelProperty``, ``Message``, and ``GetProperties`` /
        ``EnableBLOB`` for snoops. ``emit`` must be called on the loop thread.

        :param emit: the router's entry for this driver's events.
        """

    def feed(self, event: Event) -> None:
        """Hand the driver one event from the router.

        The router feeds ``GetProperties``, ``New*Vector`` and snooped
        ``Def*``/``Set*``/``DelProperty``/``Message`` events, never ``EnableBLOB``.

        :param event: the event to process.
        """

    async def stop(self) -> None:
        """Run the driver's stop hooks and finish."""
