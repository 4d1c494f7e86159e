"""The `indiflask run` command lines with --exdriver, --remote and --max-connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from interop_kit import LibIndiServer, free_port, needs_indiserver, wait_port

pytestmark = [pytest.mark.interop, needs_indiserver]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_cli() -> Iterator[Callable[..., int]]:
    """Factory: ``python -m indiflask run ARGS --port P`` in a subprocess; returns P."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> int:
        port = free_port()
        env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "indiflask", "run", *args, "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        wait_port(port)
        return port

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def getprop(port: int, *specs: str, timeout: float = 3) -> dict[str, str]:
    """``indi_getprop`` output as a dict (waits for wildcard answers)."""
    out = subprocess.run(
        ["indi_getprop", "-h", "127.0.0.1", "-p", str(port), "-t", str(timeout), *specs],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def wait_for(port: int, spec: str, expected: str, timeout: float = 60) -> None:
    """Poll ``indi_getprop`` until ``spec`` reads ``expected``."""
    deadline = time.monotonic() + timeout
    while True:
        value = getprop(port, spec, timeout=1).get(spec)
        if value == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{spec} is {value!r}, not {expected!r}")
        time.sleep(0.2)


def test_app_module_form_with_an_exdriver(run_cli: Callable[..., int]) -> None:
    port = run_cli("examples.led:app", "--exdriver", "indi_simulator_telescope")
    wait_for(port, "Telescope Simulator.CONNECTION.CONNECT", "Off")
    values = getprop(port, "led.LED.*")
    assert values == {"led.LED.ON": "Off", "led.LED.OFF": "On"}
    subprocess.run(
        ["indi_setprop", "-p", str(port), "Telescope Simulator.CONNECTION.CONNECT=On"],
        check=True,
        timeout=15,
    )
    wait_for(port, "Telescope Simulator.CONNECTION.CONNECT", "On")
    subprocess.run(["indi_setprop", "-p", str(port), "led.LED.ON=On"], check=True, timeout=15)
    wait_for(port, "led.LED.ON", "On")


def test_remote_joins_a_libindi_server(
    run_cli: Callable[..., int], libindi: Callable[..., LibIndiServer]
) -> None:
    upstream = libindi("indi_simulator_focus")
    port = run_cli("examples/led.py", "--remote", f"127.0.0.1:{upstream.port}")
    wait_for(port, "Focuser Simulator.CONNECTION.CONNECT", "Off")
    assert getprop(port, "led.LED.ON") == {"led.LED.ON": "Off"}


def _first_answer(port: int) -> tuple[socket.socket, bytes]:
    """Connect and ask for properties; retry while the port probe's slot is still taken."""
    deadline = time.monotonic() + 60
    while True:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.settimeout(30)
        sock.sendall(b'<getProperties version="1.7"/>')
        data = sock.recv(65536)
        if b"too many connections" not in data or time.monotonic() > deadline:
            return sock, data
        sock.close()
        time.sleep(0.1)


def test_max_connections_refuses_further_clients(run_cli: Callable[..., int]) -> None:
    port = run_cli("examples/led.py", "--max-connections", "1")
    first, answer = _first_answer(port)
    with first:
        assert b"defSwitchVector" in answer
        with socket.create_connection(("127.0.0.1", port)) as second:
            second.settimeout(30)
            data = b""
            while chunk := second.recv(4096):
                data += chunk
            assert b"too many connections" in data
