"""Who may use the panel: loopback addresses, the access token, and request limits.

The rule, exactly:

* The panel binds ``127.0.0.1`` by default. Binding any address that is not a
  loopback address (``127.0.0.0/8``, ``::1``, ``localhost``) needs a token;
  :func:`check_bind` refuses otherwise. There is no default token.
* With a token, **every** request must carry it, whatever address it comes
  from: as ``Authorization: Bearer TOKEN`` (scripts), or as the session cookie
  that the login form (``/login``) sets in a browser. Only the login form and
  the panel's static files (no data in them) are served without it.
* Without a token (possible only when bound to loopback), requests are served
  to loopback peers only, and only when their ``Host`` header names a loopback
  host (a web page elsewhere cannot reach the panel through DNS rebinding).
* Tokens are compared in constant time (:func:`hmac.compare_digest` on
  SHA-256 digests, so not even the length leaks). The cookie holds an HMAC of
  the token, never the token itself, and is ``HttpOnly`` and ``SameSite=Strict``.
* Changes need ``Content-Type: application/json`` (a cross-site form cannot
  send that without a CORS preflight, which the panel never grants), and a
  WebSocket whose ``Origin`` is another site is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

__all__ = [
    "MIN_TOKEN_LENGTH",
    "TokenCheck",
    "check_bind",
    "is_loopback",
    "is_loopback_host_header",
    "same_origin",
]

#: The shortest token accepted.
MIN_TOKEN_LENGTH = 12


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` (an IP address or ``localhost``) is a loopback address."""
    if not address:
        return False
    text = address.strip().strip("[]")
    if text.lower() == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def check_bind(host: str, token: str | None) -> None:
    """Refuse to bind a non-loopback address without a token, or with a short one.

    :raises ValueError: saying why.
    """
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"the token must be at least {MIN_TOKEN_LENGTH} characters long")
    if token is None and not is_loopback(host):
        raise ValueError(
            f"binding the web panel to {host!r} (not a loopback address) needs a token: "
            "pass --token or set INDIFLASK_WEB_TOKEN"
        )


def _host_of(netloc: str) -> str:
    """The host part of ``host[:port]`` or ``[v6]:port``."""
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0]
    if netloc.count(":") == 1:
        return netloc.partition(":")[0]
    return netloc


def is_loopback_host_header(host_header: str | None) -> bool:
    """Whether an HTTP ``Host`` header names a loopback host (``localhost:8080``, ``[::1]``)."""
    return is_loopback(_host_of(host_header or ""))


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """Whether a browser's ``Origin`` header is the panel's own site (no ``Origin``: a script)."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    return bool(parts.netloc) and parts.netloc.lower() == (host_header or "").lower()


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class TokenCheck:
    """Checks a presented token or session cookie against the configured token.

    :param token: the access token, or ``None`` for none (loopback only).
    """

    #: The name of the browser session cookie.
    COOKIE = "indiflask_session"

    def __init__(self, token: str | None) -> None:
        self._digest = _digest(token) if token is not None else None
        self._session = (
            hmac.new(token.encode("utf-8"), b"indiflask web session", hashlib.sha256).hexdigest()
            if token is not None
            else None
        )

    @property
    def required(self) -> bool:
        """Whether a token is configured (and so required on every request)."""
        return self._digest is not None

    def token_ok(self, presented: str | None) -> bool:
        """Whether ``presented`` is the token (constant time)."""
        if self._digest is None or presented is None:
            return False
        return hmac.compare_digest(_digest(presented), self._digest)

    def session_value(self) -> str:
        """The cookie value that stands for the token (an HMAC of it)."""
        if self._session is None:
            raise RuntimeError("no token is configured")
        return self._session

    def session_ok(self, cookie: str | None) -> bool:
        """Whether a session cookie is valid (constant time)."""
        if self._session is None or cookie is None:
            return False
        return hmac.compare_digest(_digest(cookie), _digest(self._session))

    def bearer_ok(self, authorization: str | None) -> bool:
        """Whether an ``Authorization`` header carries ``Bearer TOKEN``."""
        if not authorization:
            return False
        scheme, _, value = authorization.partition(" ")
        return scheme.lower() == "bearer" and self.token_ok(value.strip())
