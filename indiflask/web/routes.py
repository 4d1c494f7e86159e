"""The JSON API: properties, changes, BLOBs, previews, plots' history and the WebSocket.

==========================================  ==========================================
``GET /api/properties``                     every defined property (``?device=`` one)
``GET /api/properties/{device}/{name}``     one property
``POST /api/properties/{device}/{name}``    change it; answered once the driver answered
``GET /api/blobs/{device}/{name}/{member}``  the last BLOB received, as bytes
``PUT /api/blobs/{device}/{name}/{member}``  upload a BLOB (raw body, ``?format=.fits``)
``GET /api/preview/{device}/{name}/{member}``  the last BLOB as a PNG/JPEG preview
``GET /api/header/{device}/{name}/{member}``  its FITS header, as JSON cards
``GET /api/history/{device}/{name}/{member}``  a number's recent values (for plots)
``GET /api/status``                         the INDI link and the panel's counters
``GET /api/ws``                             WebSocket: a message for every change
==========================================  ==========================================

Status codes of a change (``POST`` and ``PUT``): 200 and the property when
the driver's final answer is not ``Alert``; 409 when it refused (``Alert``, or
busy with a previous change), with the reason; 400 for a malformed request or
values the property cannot take (nothing is sent); 404 for an unknown
property; 413 for a body over the limit; 415 without
``Content-Type: application/json``; 503 while the INDI server is unreachable;
504 when the driver did not answer in time (``?timeout=`` seconds, default
10 plus the property's own timeout).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from ..client import ChangeRefused, Client, RemoteProperty
from ..errors import InvalidValue
from .hub import Hub
from .images import Preview, PreviewError, content_type, make_preview
from .middleware import error, read_limited
from .model import BadChange, parse_change, property_json
from .security import same_origin

__all__ = ["DEFAULT_TIMEOUT", "MAX_JSON_BODY", "ApiRoutes", "Panel", "PreviewCache"]

#: Seconds a change waits for the driver, on top of the property's own timeout.
DEFAULT_TIMEOUT = 10.0
#: The largest JSON body accepted by ``POST`` (BLOBs go through ``PUT``).
MAX_JSON_BODY = 1 << 20
#: The largest ``?timeout=`` accepted, in seconds.
MAX_TIMEOUT = 3600.0

_FORMAT = re.compile(r"^(\.[A-Za-z0-9_-]{1,16}){0,3}$")


class Panel(Protocol):
    """What the routes need of the panel (:class:`~indiflask.web.app.WebPanel`)."""

    #: The INDI client.
    client: Client
    #: The WebSocket fan-out.
    hub: Hub
    #: The largest BLOB upload accepted, in bytes.
    max_upload: int


class PreviewCache:
    """One preview per BLOB member, made once (in a worker thread) per BLOB received."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str], tuple[object, asyncio.Task[Preview]]] = {}

    async def get(self, prop: RemoteProperty, member: str) -> Preview:
        """The preview of the member's last BLOB.

        :raises LookupError: when no BLOB was received.
        :raises PreviewError: when it is not a previewable image.
        """
        blob = prop.blob(member)
        if blob is None or blob.size == 0:
            raise LookupError(f"{prop.device}.{prop.name}.{member}: no BLOB received yet")
        key = (prop.device, prop.name, member)
        entry = self._entries.get(key)
        if entry is None or entry[0] is not blob:
            task = asyncio.get_running_loop().create_task(
                asyncio.to_thread(lambda: make_preview(blob.data, blob.data_format))
            )
            entry = self._entries[key] = (blob, task)
        return await asyncio.shield(entry[1])


def _number_param(request: web.Request, name: str, default: float, high: float) -> float:
    text = request.query.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= high:
        raise _json_error(web.HTTPBadRequest, f"?{name}= takes seconds in (0, {high:g}]")
    return value


def _json_error(kind: type[web.HTTPException], text: str) -> web.HTTPException:
    """An HTTP error to raise, with the API's ``{"error": ...}`` body."""
    return kind(text=json.dumps({"error": text}), content_type="application/json")


class ApiRoutes:
    """The API's handlers, bound to one :class:`~indiflask.web.app.WebPanel`."""

    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.previews = PreviewCache()

    def install(self, app: web.Application) -> None:
        """Add the API's routes to ``app``."""
        prop = "/{device}/{name}"
        member = prop + "/{member}"
        app.router.add_get("/api/properties", self.list_properties)
        app.router.add_get("/api/properties" + prop, self.get_property)
        app.router.add_post("/api/properties" + prop, self.change)
        app.router.add_get("/api/blobs" + member, self.get_blob)
        app.router.add_put("/api/blobs" + member, self.put_blob)
        app.router.add_get("/api/preview" + member, self.preview)
        app.router.add_get("/api/header" + member, self.header)
        app.router.add_get("/api/history" + member, self.history)
        app.router.add_get("/api/status", self.status)
        app.router.add_get("/api/ws", self.websocket)

    # ------------------------------------------------------------------ helpers
    def _property(self, request: web.Request) -> RemoteProperty:
        device, name = request.match_info["device"], request.match_info["name"]
        prop = self.panel.client.get_property(device, name)
        if prop is None:
            raise _json_error(web.HTTPNotFound, f"no property {device}.{name} is defined")
        return prop

    def _member(self, request: web.Request, kind: str) -> tuple[RemoteProperty, str]:
        prop = self._property(request)
        member = request.match_info["member"]
        if member not in prop.members or prop.kind != kind:
            where = f"{prop.device}.{prop.name}"
            raise _json_error(web.HTTPNotFound, f"{where} has no {kind} member {member!r}")
        return prop, member

    # ------------------------------------------------------------------ properties
    async def list_properties(self, request: web.Request) -> web.Response:
        """``GET /api/properties``: a JSON list of every defined property."""
        device = request.query.get("device")
        found = [
            property_json(p)
            for p in self.panel.client.mirror.properties()
            if device is None or p.device == device
        ]
        return web.json_response(found)

    async def get_property(self, request: web.Request) -> web.Response:
        """``GET /api/properties/{device}/{name}``: one property."""
        return web.json_response(property_json(self._property(request)))

    async def change(self, request: web.Request) -> web.Response:
        """``POST /api/properties/{device}/{name}``: change members, answer once answered."""
        prop = self._property(request)
        if request.content_type != "application/json":
            return error(415, "send the change as Content-Type: application/json")
        body = await read_limited(request, MAX_JSON_BODY)
        try:
            data = json.loads(body)
            values = parse_change(prop, data)
        except (ValueError, UnicodeDecodeError) as exc:  # BadChange and JSONDecodeError too
            reason = str(exc) if isinstance(exc, BadChange) else f"the body is not JSON: {exc}"
            return error(400, reason)
        return await self._apply(request, prop, values)

    async def _apply(
        self, request: web.Request, prop: RemoteProperty, values: dict[str, Any]
    ) -> web.Response:
        timeout = _number_param(request, "timeout", DEFAULT_TIMEOUT + prop.timeout, MAX_TIMEOUT)
        try:
            # refusals, busy ones included, come back as ChangeRefused: the driver's answer
            # carries the change's timestamp, so no other change's answer is taken for it
            prop = await self.panel.client.set(
                prop.device, prop.name, values, wait="done", check=True, timeout=timeout
            )
        except InvalidValue as exc:
            return error(400, str(exc))
        except ChangeRefused as exc:
            shown = exc.property if isinstance(exc.property, RemoteProperty) else prop
            return error(409, str(exc), reason=exc.reason, property=property_json(shown))
        except TimeoutError as exc:
            return error(504, str(exc) or "no answer from the driver in time")
        except ConnectionError as exc:
            return error(503, f"the INDI server is not connected: {exc}")
        return web.json_response(property_json(prop))

    # ------------------------------------------------------------------ BLOBs
    async def get_blob(self, request: web.Request) -> web.Response:
        """``GET /api/blobs/...``: the last BLOB's bytes, typed by its format."""
        prop, member = self._member(request, "BLOB")
        blob = prop.blob(member)
        if blob is None or blob.size == 0:
            return error(404, f"{prop.device}.{prop.name}.{member}: no BLOB received yet")
        try:
            data = await asyncio.to_thread(lambda: blob.data)
        except InvalidValue as exc:
            return error(502, f"the BLOB received is damaged: {exc}")
        name = f"{prop.device}.{prop.name}.{member}{blob.data_format}"  # as indi_getprop names it
        return web.Response(
            body=data,
            content_type=content_type(blob.data_format),
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}",
                "X-BLOB-Format": blob.data_format,
                "Cache-Control": "no-store",
            },
        )

    async def put_blob(self, request: web.Request) -> web.Response:
        """``PUT /api/blobs/...?format=.fits``: upload the raw body to a writable BLOB."""
        prop, member = self._member(request, "BLOB")
        fmt = request.query.get("format", "")
        if not _FORMAT.match(fmt):
            return error(400, f"?format= must look like '.fits' or '.fits.fz', not {fmt!r}")
        data = await read_limited(request, self.panel.max_upload)
        return await self._apply(request, prop, {member: (data, fmt)})

    async def preview(self, request: web.Request) -> web.Response:
        """``GET /api/preview/...``: a PNG (FITS, stretched) or the JPEG/PNG itself."""
        prop, member = self._member(request, "BLOB")
        try:
            found = await self.previews.get(prop, member)
        except LookupError as exc:
            return error(404, str(exc))
        except PreviewError as exc:
            return error(415, str(exc))
        return web.Response(
            body=found.data,
            content_type=found.content_type,
            headers={"Cache-Control": "private, max-age=3600"},
        )

    async def header(self, request: web.Request) -> web.Response:
        """``GET /api/header/...``: ``{"size": [w, h], "cards": [[key, value, comment]]}``."""
        prop, member = self._member(request, "BLOB")
        try:
            found = await self.previews.get(prop, member)
        except LookupError as exc:
            return error(404, str(exc))
        except PreviewError as exc:
            return error(415, str(exc))
        return web.json_response({"size": list(found.size), "cards": found.header})

    # ------------------------------------------------------------------ plots and status
    async def history(self, request: web.Request) -> web.Response:
        """``GET /api/history/...``: ``{"points": [[ms since 1970, value], ...]}``."""
        prop, member = self._member(request, "Number")
        points = self.panel.hub.history(prop.device, prop.name, member)
        return web.json_response({"points": points})

    async def status(self, request: web.Request) -> web.Response:
        """``GET /api/status``: the INDI link and the fan-out counters."""
        client = self.panel.client
        return web.json_response(
            {
                "connected": client.connected,
                "server": f"{client.host}:{client.port}",
                "devices": list(client),
                **self.panel.hub.stats(),
            }
        )

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """``WS /api/ws``: a ``hello`` snapshot, then a message for every change."""
        if not same_origin(request.headers.get("Origin"), request.headers.get("Host")):
            return error(403, "WebSockets from another site are refused")
        socket = web.WebSocketResponse(heartbeat=20.0, max_msg_size=1 << 16, compress=False)
        await socket.prepare(request)
        peer = self.panel.hub.attach(socket)
        try:
            async for msg in socket:  # pages only listen; anything they send is ignored
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            await self.panel.hub.detach(peer)
        return socket


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
