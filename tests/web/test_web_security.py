"""The access rule, the token, size limits and cross-site defences.

The panel and an indiflask server run in this process, on free 127.0.0.1
ports. This machine may send traffic to loopback addresses only, so requests
"from another machine" are made by an outermost test middleware that gives
the request the peer address named in an ``X-Test-Peer`` header (what
``request.remote`` would say for a real peer); everything after it is the
panel's own code.
"""

from __future__ import annotations

import asyncio
import hmac
import io
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from click.testing import CliRunner

from indiflask import App, Blob, Number
from indiflask.cli import main
from indiflask.server import Server
from indiflask.web import WebPanel, security
from indiflask.web.security import TokenCheck, check_bind, is_loopback, same_origin

TOKEN = "correct horse battery staple"
REMOTE = "192.0.2.7"  # TEST-NET-1: never routed, only ever named here


def make_app() -> App:
    app = App("Guarded", device="guarded")
    app.number("N", members=[Number("X", min=0, max=10)])(lambda change: None)
    app.blob("UP", perm="wo", members=[Blob("FILE")])(lambda change: None)
    return app


@web.middleware
async def spoof_peer(request: web.Request, handler: Any) -> web.StreamResponse:
    peer = request.headers.get("X-Test-Peer")
    if peer is not None:
        request = request.clone(remote=peer)
    return await handler(request)


Check = Callable[[WebPanel, aiohttp.ClientSession, str], Awaitable[None]]


def serve(check: Check, **panel: Any) -> None:
    async def main() -> None:
        server = Server(make_app(), host="127.0.0.1", port=0)
        serving = asyncio.ensure_future(server.serve())
        await server.started()
        web_panel = WebPanel("127.0.0.1", server.port, port=0, **panel)
        web_panel.app.middlewares.insert(0, spoof_peer)
        try:
            async with web_panel:
                await web_panel.client.wait_for("guarded", "UP", timeout=10)
                jar = aiohttp.CookieJar(unsafe=True)  # keep cookies for 127.0.0.1
                async with aiohttp.ClientSession(cookie_jar=jar) as session:
                    await check(web_panel, session, web_panel.url.rstrip("/"))
        finally:
            server.shutdown()
            await serving

    asyncio.run(main())


# ------------------------------------------------------------------ pure rules


def test_loopback_addresses() -> None:
    for address in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"):
        assert is_loopback(address), address
    for address in ("0.0.0.0", "192.0.2.7", "::", "example.org", "", None, "::ffff:192.0.2.7"):
        assert not is_loopback(address), address


def test_binding_elsewhere_needs_a_token() -> None:
    check_bind("127.0.0.1", None)
    check_bind("0.0.0.0", TOKEN)
    with pytest.raises(ValueError, match="needs a token"):
        check_bind("0.0.0.0", None)
    with pytest.raises(ValueError, match="at least 12"):
        check_bind("127.0.0.1", "short")
    with pytest.raises(ValueError, match="needs a token"):
        WebPanel(host="0.0.0.0")


def test_cli_refuses_a_public_address_without_token() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["web", "--web-host", "0.0.0.0"])
    assert result.exit_code == 2 and "needs a token" in result.output
    result = runner.invoke(main, ["run", "x.py", "--web", "0", "--web-host", "0.0.0.0"])
    assert result.exit_code == 2 and "needs a token" in result.output
    result = runner.invoke(main, ["run", "x.py", "--stdio", "--web", "0"])
    assert result.exit_code == 2 and "not with --stdio" in result.output


def test_tokens_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    check = TokenCheck(TOKEN)
    assert check.token_ok(TOKEN)
    assert not check.token_ok("x")
    assert not check.token_ok(TOKEN + "x")
    assert check.bearer_ok(f"Bearer {TOKEN}") and not check.bearer_ok(f"Basic {TOKEN}")
    assert check.session_ok(check.session_value()) and not check.session_ok(TOKEN)
    assert len(calls) == 6
    # digests of equal length: the time does not depend on how much of the token matched
    assert all(len(a) == len(b) == 32 for a, b in calls)
    assert TOKEN not in check.session_value()


def test_same_origin() -> None:
    assert same_origin(None, "127.0.0.1:8000")
    assert same_origin("http://127.0.0.1:8000", "127.0.0.1:8000")
    assert not same_origin("http://evil.example", "127.0.0.1:8000")
    assert not same_origin("null", "127.0.0.1:8000")


# ------------------------------------------------------------------ over HTTP


def test_without_token_only_loopback_peers_and_hosts() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        async with session.get(url + "/api/properties") as answer:
            assert answer.status == 200
        async with session.get(url + "/", headers={"X-Test-Peer": REMOTE}) as answer:
            assert answer.status == 403
        for path in ("/api/properties", "/api/status", "/static/panel.css"):
            async with session.get(url + path, headers={"X-Test-Peer": REMOTE}) as answer:
                assert answer.status == 403, path
        async with session.post(
            url + "/api/properties/guarded/N", json={"X": 1}, headers={"X-Test-Peer": REMOTE}
        ) as answer:
            assert answer.status == 403
        # DNS rebinding: a loopback peer, but the page came from another host name
        async with session.get(url + "/api/properties", headers={"Host": "evil.example"}) as answer:
            assert answer.status == 403

    serve(check)


def test_with_token_every_request_needs_it() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        for peer in ("127.0.0.1", REMOTE):
            headers = {"X-Test-Peer": peer}
            async with session.get(url + "/api/properties", headers=headers) as answer:
                assert answer.status == 401
                assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            async with session.get(
                url + "/api/properties",
                headers={**headers, "Authorization": "Bearer wrong-token!!"},
            ) as answer:
                assert answer.status == 401
            async with session.get(url + "/", headers=headers, allow_redirects=False) as answer:
                assert answer.status == 303 and answer.headers["Location"] == "/login"
            async with session.get(
                url + "/api/properties", headers={**headers, **bearer}
            ) as answer:
                assert answer.status == 200
            async with session.post(
                url + "/api/properties/guarded/N", json={"X": 2}, headers={**headers, **bearer}
            ) as answer:
                assert answer.status == 200
            async with session.get(url + "/api/ws", headers=headers) as answer:
                assert answer.status == 401
        async with session.get(url + "/login", headers={"X-Test-Peer": REMOTE}) as answer:
            assert answer.status == 200 and "token" in await answer.text()

    serve(check, host="127.0.0.1", token=TOKEN)


def test_login_form_sets_a_session_cookie() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        peer = {"X-Test-Peer": REMOTE}
        async with session.post(
            url + "/login", data={"token": "not it at all"}, headers=peer, allow_redirects=False
        ) as answer:
            assert answer.status == 401
        async with session.post(url + "/login", data=b"t" * 10_000, headers=peer) as answer:
            assert answer.status == 413
        async with session.post(
            url + "/login", data={"token": TOKEN}, headers=peer, allow_redirects=False
        ) as answer:
            assert answer.status == 303
            cookie = answer.cookies[TokenCheck.COOKIE]
            assert cookie["httponly"] and cookie["samesite"] == "Strict"
            assert TOKEN not in cookie.value
        async with session.get(url + "/api/status", headers=peer) as answer:
            assert answer.status == 200  # the cookie jar sends the session cookie
        async with session.ws_connect(url + "/api/ws", headers=peer) as ws:
            hello = await ws.receive_json(timeout=30)
            assert hello["type"] == "hello"
        async with session.post(url + "/logout", headers=peer, allow_redirects=False) as answer:
            assert answer.status == 303
        async with session.get(url + "/api/status", headers=peer) as answer:
            assert answer.status == 401

    serve(check, token=TOKEN)


def test_cross_site_changes_and_websockets_are_refused() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        evil = {"Origin": "http://evil.example"}
        async with session.post(
            url + "/api/properties/guarded/N", json={"X": 1}, headers=evil
        ) as answer:
            assert answer.status == 403
        async with session.post(
            url + "/api/properties/guarded/N",
            data=b'{"X": 1}',
            headers={"Content-Type": "text/plain"},  # what a cross-site form could send
        ) as answer:
            assert answer.status == 415
        with pytest.raises(aiohttp.WSServerHandshakeError):
            await session.ws_connect(url + "/api/ws", headers=evil)
        host = url.removeprefix("http://")
        async with session.ws_connect(url + "/api/ws", headers={"Origin": f"http://{host}"}) as ws:
            assert (await ws.receive_json(timeout=30))["type"] == "hello"

    serve(check)


def test_bodies_and_uploads_are_size_limited() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        big_json = b'{"X": "' + b"1" * (2 << 20) + b'"}'
        async with session.post(
            url + "/api/properties/guarded/N",
            data=io.BytesIO(big_json),
            headers={"Content-Type": "application/json"},
        ) as answer:
            assert answer.status == 413
        upload = url + "/api/blobs/guarded/UP/FILE?format=.bin"
        async with session.put(upload, data=b"x" * 2048) as answer:
            assert answer.status == 413

        async def chunks() -> Any:  # no Content-Length: refused once past the limit
            for _ in range(64):
                yield b"y" * 512

        async with session.put(upload, data=chunks()) as answer:
            assert answer.status == 413
        async with session.put(upload, data=b"z" * 1000) as answer:
            assert answer.status == 200

    serve(check, max_upload=1024)


def test_answers_carry_hardening_headers() -> None:
    async def check(panel: WebPanel, session: aiohttp.ClientSession, url: str) -> None:
        for path in ("/", "/api/properties", "/api/properties/guarded/NOPE", "/static/panel.css"):
            async with session.get(url + path) as answer:
                csp = answer.headers["Content-Security-Policy"]
                assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
                assert answer.headers["X-Content-Type-Options"] == "nosniff"
                assert answer.headers["X-Frame-Options"] == "DENY"

    serve(check)
