"""In-process apps as links of the server, and the checks made before they start."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from ..core.links import LinkKind, LocalDriver
from ..errors import SetupError
from ..protocol.events import Event
from .hub import Hub

__all__ = ["AppLink", "as_local_driver", "check_devices"]

log = logging.getLogger("indiflask.server")


class AppLink:
    """Adapter from the router to an in-process :class:`LocalDriver`.

    :param server: the owning server.
    :param driver: the app's driver engine.
    """

    takes_events = True
    #: An app takes every event at once.
    taken = 0

    def __init__(self, server: Hub, driver: LocalDriver) -> None:
        self.driver = driver
        self.name = f"app {driver.name}"
        self.link = server.router.add_link(LinkKind.APP, self.name)

    def send(self, data: bytes, event: Event, *, stream: bool) -> None:
        """Feed the event to the app (its handlers run now)."""
        try:
            self.driver.feed(event)
        except Exception:
            log.exception("%s: failed to handle %s", self.name, type(event).__name__)

    def hold_input(self, hold: bool) -> None:
        """Nothing to do: a paced app's events wait in the server's pacer."""


def as_local_driver(app: object) -> LocalDriver:
    """The :class:`LocalDriver` for ``app`` (an App, or a LocalDriver already).

    :raises SetupError: for anything else.
    """
    if isinstance(app, LocalDriver):
        return app
    factory = getattr(app, "local_driver", None)
    if factory is None:
        raise SetupError(f"{app!r} is neither an indiflask.App nor a LocalDriver")
    driver: LocalDriver = factory()
    return driver


def check_devices(apps: Sequence[object]) -> None:
    """Refuse two apps that declare the same device (a setup error, not a run-time one)."""
    owners: dict[str, str] = {}
    for app in apps:
        if not isinstance(app, Mapping):
            continue  # a bare LocalDriver: its devices show at run time
        name = str(getattr(app, "name", app))
        for device in app:
            other = owners.setdefault(str(device), name)
            if other is not name:
                raise SetupError(
                    f"device {device!r} is defined by two apps, {other!r} and {name!r}: "
                    "give one of them another device name"
                )
