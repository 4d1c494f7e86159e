"""The web API's JSON shapes: properties, WebSocket messages, and changes sent by clients.

:func:`property_json` turns a mirrored
:class:`~indiflask.client.RemoteProperty` into the object that
``GET /api/properties`` lists and that WebSocket messages carry. The keys
``device``, ``name``, ``kind``, ``label``, ``group``, ``state``, ``perm``,
``message`` and ``members`` are the API contract; ``members`` maps each member
to its value: numbers as JSON numbers (``null`` when not finite), switches as
booleans, texts as strings, lights as state strings (``"Ok"``) and BLOBs as
``{"size": bytes, "format": ".fits"}``. The panel also uses ``rule``,
``timeout``, ``timestamp``, ``formatted`` (each number in its INDI format,
sexagesimal ``%m`` included) and ``definitions`` (labels, and format, min, max
and step of numbers).

:func:`parse_change` checks the JSON body of ``POST /api/properties/{device}/{name}``
for the value types each kind takes, before
:meth:`Client.set <indiflask.client.Client.set>` checks members, permission,
ranges and switch rules.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from ..client import RemoteProperty, Update

__all__ = [
    "BadChange",
    "connection_json",
    "member_value",
    "message_json",
    "parse_change",
    "property_json",
    "update_json",
]


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else None


def member_value(prop: RemoteProperty, member: str) -> Any:
    """One member's value as JSON data (see the module's description)."""
    kind = prop.kind
    if kind == "BLOB":
        blob = prop.blob(member)
        if blob is None:
            return {"size": 0, "format": getattr(prop.members[member], "format", "") or ""}
        return {"size": blob.size, "format": blob.data_format}
    value = prop.values[member]
    if kind == "Number":
        return _number(value)
    if kind == "Light":
        return str(value)
    return value


def property_json(prop: RemoteProperty) -> dict[str, Any]:
    """The JSON object for one property (contract keys first, then the panel's extras)."""
    data: dict[str, Any] = {
        "device": prop.device,
        "name": prop.name,
        "kind": prop.kind,
        "label": prop.label,
        "group": prop.group,
        "state": str(prop.state),
        "perm": str(prop.perm),
        "message": prop.message,
        "members": {member: member_value(prop, member) for member in prop.members},
        "rule": str(prop.rule) if prop.rule is not None else None,
        "timeout": prop.timeout,
        "timestamp": prop.timestamp,
    }
    definitions: dict[str, dict[str, Any]] = {}
    for name, member in prop.members.items():
        definition: dict[str, Any] = {"label": member.label or name}
        if prop.kind == "Number":
            definition.update(
                format=getattr(member, "format", "%g"),
                min=_number(getattr(member, "min", 0.0)),
                max=_number(getattr(member, "max", 0.0)),
                step=_number(getattr(member, "step", 0.0)),
            )
        definitions[name] = definition
    data["definitions"] = definitions
    if prop.kind == "Number":
        data["formatted"] = {member: prop.formatted(member).strip() for member in prop.members}
    return data


def update_json(update: Update, blob_serials: dict[tuple[str, str, str], int]) -> dict[str, Any]:
    """The WebSocket message for one :class:`~indiflask.client.Update`.

    ``def``/``set``: ``{"type", "property": property_json}``, plus
    ``"values"``, the numbers the update itself carried (for plots; the
    property holds the latest). ``del``: ``{"type": "del", "device", "name"}``
    (``name`` ``null``: the whole device). ``message``: see :func:`message_json`.
    ``connected``/``disconnected``: see :func:`connection_json`.

    :param blob_serials: how many BLOBs each ``(device, name, member)`` received;
        BLOB properties carry it as ``"serials"`` so a page can tell new images.
    """
    kind = update.kind
    if kind in ("def", "set") and update.property is not None:
        prop = update.property
        data = property_json(prop)
        if prop.kind == "BLOB":
            data["serials"] = {
                m: blob_serials.get((prop.device, prop.name, m), 0) for m in prop.members
            }
        message: dict[str, Any] = {"type": kind, "property": data}
        if prop.kind == "Number":
            message["values"] = {
                k: _number(v) for k, v in update.values.items() if isinstance(v, float | int)
            }
        return message
    if kind == "del":
        return {"type": "del", "device": update.device, "name": update.name}
    if kind == "message":
        return message_json(update.device, update.timestamp, update.message or "")
    return connection_json(kind == "connected", update.message)


def message_json(device: str | None, timestamp: str | None, text: str) -> dict[str, Any]:
    """An INDI message: ``{"type": "message", "device", "timestamp", "message"}``."""
    return {"type": "message", "device": device, "timestamp": timestamp, "message": text}


def connection_json(connected: bool, detail: str | None = None) -> dict[str, Any]:
    """The link to the INDI server: ``{"type": "connection", "connected", "detail"}``."""
    return {"type": "connection", "connected": connected, "detail": detail}


class BadChange(ValueError):
    """A change's JSON body does not have the shape its property's kind takes (HTTP 400)."""


def parse_change(prop: RemoteProperty, body: object) -> dict[str, Any]:
    """Check the JSON body of a change and turn it into values for ``Client.set``.

    ``body`` must be an object of member name to value: a boolean or
    ``"On"``/``"Off"`` for switches; a number or decimal/sexagesimal text for
    numbers; a string for texts; ``{"base64": "...", "format": ".fits"}`` for
    BLOBs. Member names, permission, ranges and switch rules are checked by
    ``Client.set`` afterwards.

    :raises BadChange: naming the first problem.
    """
    where = f"{prop.device}.{prop.name}"
    if not isinstance(body, dict) or not body:
        raise BadChange(f"{where}: send a JSON object of member name to value")
    values: dict[str, Any] = {}
    for member, value in body.items():
        what = f"{where}.{member}"
        if prop.kind == "Switch":
            ok = isinstance(value, bool) or (
                isinstance(value, str) and value.lower() in ("on", "off")
            )
            if not ok:
                raise BadChange(f'{what}: a switch takes true/false or "On"/"Off"')
        elif prop.kind == "Number":
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise BadChange(f"{what}: a number takes a number or decimal/sexagesimal text")
        elif prop.kind == "Text":
            if not isinstance(value, str):
                raise BadChange(f"{what}: a text takes a string")
        elif prop.kind == "BLOB":
            value = _blob_value(value, what)
        values[member] = value
    return values


def _blob_value(value: object, what: str) -> tuple[bytes, str]:
    if not isinstance(value, dict) or not isinstance(value.get("base64"), str):
        raise BadChange(f'{what}: a BLOB takes {{"base64": "...", "format": ".ext"}}')
    fmt = value.get("format", "")
    if not isinstance(fmt, str):
        raise BadChange(f"{what}: the BLOB format must be a string such as '.fits'")
    try:
        data = base64.b64decode(value["base64"], validate=True)
    except (binascii.Error, ValueError):
        raise BadChange(f"{what}: the BLOB's base64 does not decode") from None
    return data, fmt
