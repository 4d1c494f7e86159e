"""The pages: the panel itself (one HTML page and its static files), the login form.

Every asset ships in the package (``indiflask/web/static``): no CDN, no build
step. ``/`` serves ``static/index.html``; ``/static/`` serves the ES modules,
the stylesheet and the icon. ``/login`` asks for the token when one is set and
stores a session cookie (an HMAC of the token, never the token itself).
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from urllib.parse import parse_qs

from aiohttp import web

from .middleware import read_limited
from .security import TokenCheck

__all__ = ["STATIC", "install_pages"]

#: The folder of the panel's files.
STATIC = Path(__file__).resolve().parent / "static"

#: Seconds a failed login waits before it is answered.
FAILED_LOGIN_DELAY = 1.0

_LOGIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>indiflask: sign in</title>
<link rel="stylesheet" href="/static/panel.css"></head>
<body class="login"><main>
<h1>indiflask</h1>
<form method="post" action="/login">
<label for="token">Access token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<button type="submit">Sign in</button>
{error}
</form></main></body></html>
"""


def install_pages(app: web.Application, tokens: TokenCheck) -> None:
    """Add ``/``, ``/login``, ``/logout`` and ``/static/`` to ``app``; ``tokens`` guards login."""

    async def index(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def login_form(request: web.Request) -> web.Response:
        if not tokens.required:
            raise web.HTTPSeeOther("/")
        return _login_page("")

    async def login(request: web.Request) -> web.Response:
        if not tokens.required:
            raise web.HTTPSeeOther("/")
        body = await read_limited(request, 4096)
        fields = parse_qs(body.decode("utf-8", "replace"))
        presented = (fields.get("token") or [""])[0]
        if not tokens.token_ok(presented):
            await asyncio.sleep(FAILED_LOGIN_DELAY)
            return _login_page("That is not the token.", status=401)
        response = web.HTTPSeeOther("/")
        response.set_cookie(
            TokenCheck.COOKIE,
            tokens.session_value(),
            max_age=30 * 24 * 3600,
            httponly=True,
            samesite="Strict",
            path="/",
            secure=request.secure,
        )
        raise response

    async def logout(request: web.Request) -> web.Response:
        response = web.HTTPSeeOther("/login" if tokens.required else "/")
        response.del_cookie(TokenCheck.COOKIE, path="/")
        raise response

    app.router.add_get("/", index)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_static("/static/", STATIC, append_version=False)


def _login_page(message: str, *, status: int = 200) -> web.Response:
    error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    return web.Response(text=_LOGIN.format(error=error), content_type="text/html", status=status)
