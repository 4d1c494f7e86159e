"""Fixtures for interop tests against Debian's libindi (indiserver, indi_* tools, simulators).

libindi's indiserver is always started with our own ``loopback_bind.c``
preloaded (compiled once per session), so it listens on 127.0.0.1 only, and
with a private abstract unix socket name. Ports are picked free by the OS.
Only processes started here are stopped, by their own handles.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from interop_kit import HERE, LibIndiServer, ServerThread, free_port

from indiflask.server import Server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip interop tests only when libindi's indiserver is not installed."""
    if shutil.which("indiserver") is None:
        skip = pytest.mark.skip(reason="libindi's indiserver is not installed")
        for item in items:
            if "interop" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def loopback_shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Our LD_PRELOAD library, compiled for this session."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.fail("a C compiler is needed to build tests/interop/loopback_bind.c")
    out = tmp_path_factory.mktemp("shim") / "loopback_bind.so"
    subprocess.run(
        [cc, "-shared", "-fPIC", "-o", str(out), str(HERE / "loopback_bind.c"), "-ldl"],
        check=True,
    )
    return out


@pytest.fixture
def libindi(loopback_shim: Path) -> Iterator[Callable[..., LibIndiServer]]:
    """Factory: ``libindi(*drivers, port=None)`` starts an indiserver."""
    started: list[LibIndiServer] = []

    def start(*args: str, port: int | None = None) -> LibIndiServer:
        server = LibIndiServer(loopback_shim, port or free_port(), list(args)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def ours() -> Iterator[Callable[[Server], ServerThread]]:
    """Factory: ``ours(Server(...))`` serves it in a thread until the test ends."""
    running: list[ServerThread] = []

    def start(server: Server) -> ServerThread:
        thread = ServerThread(server).start()
        running.append(thread)
        return thread

    yield start
    for thread in running:
        with contextlib.suppress(Exception):
            thread.stop()
