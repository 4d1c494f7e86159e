"""Helpers for interop tests against Debian's libindi (indiserver, indi_* tools, simulators).

libindi's indiserver is always started with our own ``loopback_bind.c``
preloaded (compiled once per session), so it listens on 127.0.0.1 only, and
with a private abstract unix socket name. Ports are picked free by the OS.
Only processes started here are stopped, by their own handles.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from indiflask.server import Server

HERE = Path(__file__).parent

needs_indiserver = pytest.mark.skipif(
    shutil.which("indiserver") is None, reason="libindi's indiserver is not installed"
)


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 60.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class LibIndiServer:
    """One libindi indiserver process on 127.0.0.1."""

    def __init__(self, shim: Path, port: int, args: list[str]) -> None:
        self.port = port
        self.args = args
        self.shim = shim
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> LibIndiServer:
        env = {**__import__("os").environ, "LD_PRELOAD": str(self.shim)}
        cmd = ["indiserver", "-p", str(self.port), "-u", f"indiflask-test-{self.port}", *self.args]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class ServerThread:
    """Our :class:`Server`, serving in a background thread."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self.server.serve())
        except BaseException as exc:  # reported by stop()
            self.error = exc

    def start(self) -> ServerThread:
        self.thread.start()
        if not self.server.wait_started(15):
            raise RuntimeError(f"server did not start: {self.error!r}")
        return self

    @property
    def port(self) -> int:
        return self.server.port

    def call(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the server's loop thread."""
        loop = self.server._loop
        assert loop is not None
        done = threading.Event()

        def run() -> None:
            try:
                fn()
            finally:
                done.set()

        loop.call_soon_threadsafe(run)
        done.wait(5)

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(20)
        if self.error is not None:
            raise self.error


def tool(*argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a libindi command-line tool; return its completed process."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
