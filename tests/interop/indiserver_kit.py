"""Helpers for tests of ``indiflask server`` (indiserver's command line) as a subprocess.

Each server runs in its own process group (``start_new_session``), so that it
and the drivers it started are stopped together, and only they are. Ports are
free ones on 127.0.0.1; logs go to a file in the test's temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from interop_kit import free_port, wait_port

ROOT = Path(__file__).resolve().parents[2]
DRIVERS = ROOT / "tests" / "server" / "drivers"
ENV_DRIVER = DRIVERS / "env_driver.py"
ECHO_DRIVER = DRIVERS / "stdio_echo.py"
TIMEOUT = 30.0


class OurIndiserver:
    """``python -m indiflask server -p PORT ARGS...`` in a process group of its own."""

    def __init__(
        self, log_dir: Path, args: list[str], env: Mapping[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.args = args
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_dir / f"indiflask-server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, wait: bool = True) -> OurIndiserver:
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "indiflask", "server", "-p", str(self.port), *self.args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            wait_port(self.port, timeout=TIMEOUT)
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, text: str, timeout: float = TIMEOUT) -> None:
        """Wait until the server's log contains ``text``."""
        deadline = time.monotonic() + timeout
        while text not in self.log:
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not in the log:\n{self.log}")
            time.sleep(0.05)

    def stop(self) -> int | None:
        """SIGTERM the process group, then SIGKILL what is left; returns the exit status."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # drivers left behind, if any
        proc.wait()
        self.proc = None
        return proc.returncode


@contextlib.contextmanager
def indiservers(log_dir: Path) -> Iterator[Callable[..., OurIndiserver]]:
    """Factory of started servers, all stopped on exit."""
    started: list[OurIndiserver] = []

    def start(*args: str, env: Mapping[str, str] | None = None) -> OurIndiserver:
        server = OurIndiserver(log_dir, list(args), env).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def fifo_write(path: Path | str, text: str) -> None:
    """One writer: open the FIFO, write, close (like ``echo ... > fifo``)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
