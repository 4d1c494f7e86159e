"""What :meth:`Client.updates() <indiflask.client.Client.updates>` yields: :class:`Update`.

One :class:`Update` per ``def``/``set``/``delProperty``/``message`` received,
and one when the connection is lost or (re)established, so a watcher can
show it. Item access gives the typed values that the element carried::

    async for update in client.updates("Telescope Simulator", "EQUATORIAL_EOD_COORD"):
        if update.kind == "set":
            print(update["RA"], update.state)

This module also holds the small pieces the client, the CLI and the terminal
UI share: :func:`blob_filename` and :func:`format_update`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.mirror import RemoteProperty
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.values import State

__all__ = ["Update", "blob_filename", "format_update", "free_blob_path", "update_to_dict"]

#: Kinds of :class:`Update`.
KINDS = ("def", "set", "del", "message", "connected", "disconnected", "progress")


@dataclass(frozen=True, slots=True)
class Update:
    """One thing that happened on the link, after it was applied to the mirror.

    ``update["RA"]`` and ``"RA" in update`` look at :attr:`values`.
    """

    #: ``"def"``, ``"set"``, ``"del"``, ``"message"``, ``"connected"``, ``"disconnected"``,
    #: or ``"progress"``: a large BLOB on its way (``values`` holds ``received`` and
    #: ``expected`` bytes, ``message`` says it in words; sent every megabyte).
    kind: str
    #: The device it concerns (``None`` for global messages and connection changes).
    device: str | None = None
    #: The property name (``None`` for messages and whole-device deletes).
    name: str | None = None
    #: The mirrored property after the update (``None`` when there is none).
    property: RemoteProperty | None = None
    #: The property state after a ``def``/``set``.
    state: State | None = None
    #: The message text carried, if any.
    message: str | None = None
    #: The INDI timestamp carried, if any.
    timestamp: str | None = None
    #: The typed member values the element carried (BLOBs: ``bytes``).
    values: Mapping[str, Any] = field(default_factory=dict)
    #: Files written for received BLOBs (when the client has a BLOB folder).
    paths: tuple[Path, ...] = ()
    #: The protocol event (``None`` for connection changes).
    event: ev.Event | None = None
    #: Member values as text exactly as received (``def``/``set`` of non-BLOB kinds).
    wire: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, member: str) -> Any:
        return self.values[member]

    def __contains__(self, member: object) -> bool:
        return member in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    @classmethod
    def from_event(
        cls,
        event: ev.Event,
        prop: RemoteProperty | None,
        paths: tuple[Path, ...] = (),
        wire: Mapping[str, str] | None = None,
    ) -> Update:
        """Describe ``event`` (already applied; ``prop`` is what it touched)."""
        texts = dict(wire or {})
        device = getattr(event, "device", None)
        name = getattr(event, "name", None)
        message = getattr(event, "message", None)
        timestamp = getattr(event, "timestamp", None)
        if isinstance(event, ev.DefVector):
            values = {m.name: getattr(m, "value", None) for m in event.members}
            return cls(
                "def",
                device,
                name,
                prop,
                event.state,
                message,
                timestamp,
                values,
                paths,
                event,
                texts,
            )
        if isinstance(event, ev.SetVector):
            values = dict(event.values)
            if isinstance(event, ev.SetBLOBVector):
                values = {k: _blob_bytes(v) for k, v in event.values.items()}
            state = prop.state if prop is not None else event.state
            return cls(
                "set", device, name, prop, state, message, timestamp, values, paths, event, texts
            )
        if isinstance(event, ev.DelProperty):
            return cls("del", device, name, None, None, message, timestamp, {}, paths, event)
        return cls("message", device, None, None, None, message, timestamp, {}, paths, event)


def _blob_bytes(value: BlobValue) -> bytes:
    try:
        return value.data
    except ValueError:
        return b""


def blob_filename(device: str, name: str, member: str, value: BlobValue) -> str:
    """The file name for a received BLOB: ``device.property.member.format``, as indi_getprop.

    A ``.z`` suffix is dropped (the data are inflated); path separators in the
    names are replaced by ``_``.
    """
    return _safe(f"{device}.{name}.{member}") + _safe(value.data_format)


def free_blob_path(folder: Path, device: str, name: str, member: str, value: BlobValue) -> Path:
    """Where to save a received BLOB without overwriting an earlier one.

    The first is ``device.property.member.format`` (as indi_getprop names it); when
    that file exists, ``device.property.member-0002.format``, ``-0003`` and so on,
    so a series of images never overwrites one.
    """
    stem, suffix = _safe(f"{device}.{name}.{member}"), _safe(value.data_format)
    path = folder / f"{stem}{suffix}"
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number:04d}{suffix}"
        number += 1
    return path


def _safe(text: str) -> str:
    return text.replace("/", "_").replace("\\", "_").replace("\0", "_")


def format_update(update: Update) -> str:
    """One human-readable line for ``indiflask watch``.

    ``TIMESTAMP device.property STATE member=value ...`` for definitions and
    updates (numbers in their INDI format), ``TIMESTAMP device: message`` for
    messages, and a note for deletions and connection changes.
    """
    when = update.timestamp or "-"
    where = f"{update.device}.{update.name}" if update.name else f"{update.device}"
    if update.kind in ("def", "set"):
        prop = update.property
        parts = [when, where, update.state.value if update.state else "-"]
        for member, value in update.values.items():
            if isinstance(value, bytes):
                text = f"<{len(value)} bytes>"
            elif prop is not None and member in prop.members:
                text = _formatted(prop, member, value)
            else:
                text = str(value)
            parts.append(f"{member}={text.strip()}")
        if update.kind == "def":
            parts.insert(1, "def")
        for path in update.paths:
            parts.append(f"saved {path}")
        line = " ".join(parts)
        return f"{line} ({update.message})" if update.message else line
    if update.kind == "del":
        return f"{when} {where} deleted" + (f" ({update.message})" if update.message else "")
    if update.kind == "message":
        return f"{when} {update.device or '*'}: {update.message or ''}"
    return f"{when} {update.kind}" + (f": {update.message}" if update.message else "")


def _formatted(prop: RemoteProperty, member: str, value: Any) -> str:
    decl = prop.members[member]
    if isinstance(decl, ev.DefNumber) and isinstance(value, float):
        from ..protocol.numbers import format_number

        try:
            return format_number(value, decl.format)
        except ValueError:
            return format_number(value, "%g")
    if isinstance(value, bool):
        return "On" if value else "Off"
    return str(value)


def update_to_dict(update: Update) -> dict[str, Any]:
    """Plain, JSON-ready data for one update (BLOB values as their byte counts)."""
    values: dict[str, Any] = {}
    for member, value in update.values.items():
        if isinstance(value, bytes):
            values[member] = {"size": len(value)}
        elif isinstance(value, State):
            values[member] = value.value
        else:
            values[member] = value
    data: dict[str, Any] = {
        "kind": update.kind,
        "device": update.device,
        "name": update.name,
        "state": update.state.value if update.state else None,
        "timestamp": update.timestamp,
        "message": update.message,
        "values": values,
    }
    if update.paths:
        data["paths"] = [str(p) for p in update.paths]
    return data
