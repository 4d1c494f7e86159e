"""Fixtures: ``indiflask run examples/led.py`` on a free 127.0.0.1 port, for the whole module."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("indiflask run did not start") from None
            time.sleep(0.05)


@pytest.fixture(scope="module")
def led_server() -> Iterator[int]:
    """Serve examples/led.py with gpiozero's mock pins; yield its port."""
    port = _free_port()
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)}
    for name in list(env):
        if name.startswith("INDIFLASK_"):
            del env[name]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(ROOT / "examples" / "led.py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
