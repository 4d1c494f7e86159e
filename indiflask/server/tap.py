"""What indiserver's ``-vv``, ``-vvv`` and ``-l DIR`` show: traffic, and drivers' messages.

:class:`TappedServer` is a :class:`~indiflask.server.Server` that looks at each
message as it enters the server:

* ``traffic=1`` (``-vv``): one log line per message, ``LINK: tag device name
  state 'message'``;
* ``traffic=2`` (``-vvv``): the message's complete XML as well (BLOB data cut
  after 64 KiB);
* a :class:`MessageLog` (``-l DIR``): every ``message`` text a driver sends
  (with a ``message`` element, or attached to a definition, update or
  deletion) is appended to ``DIR/YYYY-MM-DD.islog`` as ``timestamp: device:
  text``, one line each, the file named after the message's own timestamp (or
  now, in UTC), exactly as indiserver writes it.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import Any

from ..core.links import LinkKind
from ..errors import LocalProtocolError
from ..protocol.events import DefVector, DelProperty, Event, Message, SetVector
from .server import Server
from .wire import encode

__all__ = ["MessageLog", "TappedServer"]

traffic_log = logging.getLogger("indiflask.server.traffic")

#: Longest XML text logged at ``-vvv``.
_MAX_TRACE = 64 * 2**10


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class MessageLog:
    """Appends drivers' messages to daily ``.islog`` files in ``directory``.

    The directory is created if needed; a file that cannot be written is
    reported once and skipped (indiserver skips it silently).
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._failed: set[str] = set()
        os.makedirs(directory, exist_ok=True)

    def record(self, event: Event) -> None:
        """Log ``event``'s message text, if it has one."""
        if not isinstance(event, DefVector | SetVector | DelProperty | Message):
            return
        text = event.message
        if not text:
            return
        stamp = event.timestamp or _timestamp()
        path = os.path.join(self.directory, f"{stamp[:10]}.islog")
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{stamp}: {event.device or ''}: {text}\n")
        except OSError as exc:
            if path not in self._failed:
                self._failed.add(path)
                logging.getLogger("indiflask.server").error("cannot write %s: %s", path, exc)


def _tag(event: Event) -> str:
    name = type(event).__name__
    return name[:1].lower() + name[1:]


def summary(event: Event) -> str:
    """``tag device name state 'message'``, as indiserver's ``-vv`` prints a message."""
    parts = [_tag(event)]
    for attr in ("device", "name", "state"):
        value: Any = getattr(event, attr, None)
        if value:
            parts.append(str(getattr(value, "value", value)))
    message = getattr(event, "message", None)
    if message:
        parts.append(f"'{message}'")
    return " ".join(parts)


class TappedServer(Server):
    """A :class:`~indiflask.server.Server` that logs traffic and drivers' messages.

    :param traffic: 0 nothing, 1 a line per message, 2 also its XML.
    :param message_log: where drivers' messages go (``-l``), or ``None``.

    Other arguments are :class:`~indiflask.server.Server`'s.
    """

    def __init__(
        self,
        *apps: object,
        traffic: int = 0,
        message_log: MessageLog | None = None,
        **options: Any,
    ) -> None:
        super().__init__(*apps, **options)
        self.traffic = traffic
        self.message_log = message_log
        self._kinds: dict[int, LinkKind] = {}

    def _kind(self, link: int) -> LinkKind | None:
        kind = self._kinds.get(link)
        if kind is None:
            self._kinds = dict(self.router.iter_links())
            kind = self._kinds.get(link)
        return kind

    def on_event(self, link: int, event: Event) -> None:
        """Log ``event`` as asked, then route it."""
        if self.traffic:
            name = self.router.link_name(link)
            traffic_log.info("%s: %s", name, summary(event))
            if self.traffic > 1:
                try:
                    xml = encode(event).decode("utf-8", "replace").rstrip()
                except LocalProtocolError as exc:
                    xml = f"(not encodable: {exc})"
                if len(xml) > _MAX_TRACE:
                    xml = f"{xml[:_MAX_TRACE]}... ({len(xml)} characters)"
                traffic_log.info("%s: %s", name, xml)
        if self.message_log is not None and self._kind(link) is not LinkKind.CLIENT:
            self.message_log.record(event)
        super().on_event(link, event)
