"""aiohttp middlewares and helpers: the access rule, security headers, bounded bodies.

The access rule itself is described in :mod:`indiflask.web.security`;
:func:`access_guard` applies it to every request. :func:`secure_headers` adds
a strict Content-Security-Policy (the panel loads nothing but its own files)
and the usual hardening headers. :func:`read_limited` reads a request body
and answers 413 past a limit, before reading more than the limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from .security import TokenCheck, is_loopback, is_loopback_host_header, same_origin

__all__ = ["access_guard", "error", "read_limited", "secure_headers"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: Paths served without the token: the login form and the panel's static files.
PUBLIC_PREFIXES = ("/login", "/static/")

_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def error(status: int, text: str, **extra: Any) -> web.Response:
    """A JSON error answer: ``{"error": text, ...}``."""
    return web.json_response({"error": text, **extra}, status=status)


def _denied(request: web.Request, status: int, text: str) -> web.StreamResponse:
    if status == 401 and request.method == "GET" and not request.path.startswith("/api/"):
        raise web.HTTPSeeOther("/login")
    response = error(status, text)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="indiflask"'
    return response


def access_guard(check: TokenCheck) -> Middleware:
    """The middleware that applies the access rule (see :mod:`indiflask.web.security`)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        public = request.path.startswith(PUBLIC_PREFIXES)
        if check.required:
            allowed = check.bearer_ok(request.headers.get("Authorization")) or check.session_ok(
                request.cookies.get(TokenCheck.COOKIE)
            )
            if not allowed and not public:
                return _denied(request, 401, "this panel needs its token")
        elif not is_loopback(request.remote):
            return _denied(request, 403, "this panel serves its own machine only (no token set)")
        elif not is_loopback_host_header(request.headers.get("Host")):
            return _denied(request, 403, "this panel answers to a loopback host name only")
        if request.method not in ("GET", "HEAD", "OPTIONS") and not same_origin(
            request.headers.get("Origin"), request.headers.get("Host")
        ):
            return _denied(request, 403, "changes from another site are refused")
        return await handler(request)

    return guard


def _harden(headers: Any) -> None:
    headers.setdefault("Content-Security-Policy", _CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")


@web.middleware
async def secure_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add the hardening headers to every answer (errors included, WebSockets excepted)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _harden(exc.headers)
        raise
    if not response.prepared:
        _harden(response.headers)
    return response


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The request body, or 413 when it is longer than ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before anything is
    read; a chunked body is refused as soon as it passes the limit.
    """
    declared = request.content_length
    if declared is not None and declared > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=declared)
    chunks = []
    total = 0
    async for chunk in request.content.iter_chunked(1 << 16):
        total += len(chunk)
        if total > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=total)
        chunks.append(chunk)
    return b"".join(chunks)
