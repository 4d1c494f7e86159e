"""Who wants which device traffic: client interest and driver snoops.

One :class:`InterestTable` serves both uses. For clients, a ``getProperties``
adds an entry; for drivers, a ``getProperties`` is a snoop request and adds an
entry too. An entry is ``(device, name)`` with ``name=None`` meaning every
property of the device; ``everything`` (a ``getProperties`` without device, or
with ``device="*"``) matches all device traffic.

Unlike libindi's indiserver, entries only ever *add*: a
device-specific message sent before the plain ``getProperties`` does not narrow
the link for the rest of the session.
"""

from __future__ import annotations

__all__ = ["InterestTable"]


class InterestTable:
    """An index from device to the links interested in it.

    .. versionadded:: 0.1
    """

    __slots__ = ("_by_device", "_everything", "_of_link")

    def __init__(self) -> None:
        self._everything: set[int] = set()
        #: device -> link -> property names (None: the whole device)
        self._by_device: dict[str, dict[int, set[str] | None]] = {}
        self._of_link: dict[int, set[str]] = {}

    def add(self, link: int, device: str | None, name: str | None = None) -> None:
        """Record that ``link`` wants ``device`` (``None``: everything) or one property."""
        if device is None or device == "*":
            self._everything.add(link)
            return
        links = self._by_device.setdefault(device, {})
        if name is None:
            links[link] = None
        else:
            names = links.get(link, set())
            if names is not None:
                names.add(name)
                links[link] = names
        self._of_link.setdefault(link, set()).add(device)

    def remove_link(self, link: int) -> None:
        """Forget everything ``link`` asked for."""
        self._everything.discard(link)
        for device in self._of_link.pop(link, ()):
            links = self._by_device.get(device)
            if links is not None:
                links.pop(link, None)
                if not links:
                    del self._by_device[device]

    def wants_everything(self, link: int) -> bool:
        """True when ``link`` asked for all devices."""
        return link in self._everything

    def wants(self, link: int, device: str, name: str | None = None) -> bool:
        """True when ``link`` wants traffic of ``device`` (property ``name``)."""
        if link in self._everything:
            return True
        links = self._by_device.get(device)
        if links is None or link not in links:
            return False
        names = links[link]
        return names is None or name is None or name in names

    def links_for(self, device: str | None, name: str | None) -> set[int]:
        """Every link that wants a message of ``device`` about property ``name``.

        A message without device (a global ``message``) matches every link that
        has any interest at all. A message without name (a device-wide
        ``delProperty`` or ``message``) matches every link interested in the device.
        """
        if device is None:
            return self._everything | set(self._of_link)
        result = set(self._everything)
        links = self._by_device.get(device)
        if links:
            for link, names in links.items():
                if names is None or name is None or name in names:
                    result.add(link)
        return result

    def entries(self, link: int) -> list[tuple[str, str | None]]:
        """``(device, name)`` pairs ``link`` asked for (``name=None``: the whole device).

        Asking for everything is not listed; see :meth:`wants_everything`.
        """
        out: list[tuple[str, str | None]] = []
        for device in sorted(self._of_link.get(link, ())):
            names = self._by_device.get(device, {}).get(link)
            if names is None:
                out.append((device, None))
            else:
                out.extend((device, name) for name in sorted(names))
        return out

    def links(self) -> set[int]:
        """Every link with some interest."""
        return self._everything | set(self._of_link)
