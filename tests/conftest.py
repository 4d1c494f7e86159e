"""Shared fixtures: a clean environment for every test."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

_ENV_PREFIXES = ("INDIFLASK_",)
_ENV_NAMES = ("INDIDEV", "GPIOZERO_PIN_FACTORY")


@pytest.fixture(autouse=True)
def _standard_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Remove INDIFLASK_*, INDIDEV and GPIOZERO_PIN_FACTORY so tests start alike."""
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) or name in _ENV_NAMES:
            monkeypatch.delenv(name, raising=False)
    yield


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
