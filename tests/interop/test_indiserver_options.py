"""Every indiserver option of ``indiflask server``: -p -m -d -r -f -l -u -v/-vv/-vvv, and --host."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from indiserver_kit import ECHO_DRIVER, ENV_DRIVER, ROOT, TIMEOUT, OurIndiserver, indiservers
from interop_kit import needs_indiserver

from indiflask.client import Client
from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.events import DefTextVector

pytestmark = [pytest.mark.interop, needs_indiserver]


@pytest.fixture
def indiserver(tmp_path: Path) -> Iterator[Callable[..., OurIndiserver]]:
    with indiservers(tmp_path) as start:
        yield start


@pytest.fixture
def env_link(tmp_path: Path) -> str:
    link = tmp_path / "env_driver"  # a .py argument would be an indiflask app
    link.symlink_to(ENV_DRIVER)
    return str(link)


def lazy_client(port: int, device: str) -> socket.socket:
    """A client that asks for BLOBs of ``device`` and then never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        b'<getProperties version="1.7"/>'
        + f'<enableBLOB device="{device}">Also</enableBLOB>'.encode()
    )
    return sock


def test_queue_limits_restarts_message_log_and_local_socket(
    indiserver: Callable[..., OurIndiserver], env_link: str, tmp_path: Path
) -> None:
    logs = tmp_path / "islogs"
    echo = f"{sys.executable} {ECHO_DRIVER}"
    blobs = "ECHO_TICK=0.02 ECHO_BLOB=100000"
    server = indiserver(
        *("-m", "2", "-d", "1", "-r", "1", "-l", str(logs), "-u", f"indiflask-test-{id(logs)}"),
        *("--exdriver", f"env ECHO_DEVICE=Imager {blobs} {echo}"),
        *("--exdriver", f"env ECHO_DEVICE=Streamer {blobs} ECHO_FORMAT=.stream {echo}"),
        *(env_link, "false"),
    )
    # -r 1: a driver that always fails is restarted once, then given up
    server.wait_log("driver false: terminated after 1 restarts")
    # -l: drivers' messages, in a file named after each message's date
    dated = logs / "2024-01-02.islog"
    today = logs / f"{datetime.now(UTC):%Y-%m-%d}.islog"
    deadline = time.monotonic() + TIMEOUT
    while not (dated.exists() and today.exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "2024-01-02T03:04:05: EnvReport: hello from EnvReport\n" in dated.read_text()
    assert ": EnvReport: no timestamp from EnvReport\n" in today.read_text()
    # -d 1: stream BLOBs are dropped for a client 1 MB behind; -m 2: a client 2 MB
    # behind on other data is disconnected
    with contextlib.closing(lazy_client(server.port, "Streamer")):
        server.wait_log("dropped stream BLOB")
    with contextlib.closing(lazy_client(server.port, "Imager")):
        server.wait_log("(limit 2097152), disconnecting")

    # -u: the local socket serves clients exactly as TCP does
    async def over_unix() -> list[str]:
        reader, writer = await asyncio.open_unix_connection(f"\0indiflask-test-{id(logs)}")
        writer.write(b'<getProperties version="1.7"/>')
        parser = Connection(Role.CLIENT, checked=False, max_element_bytes=2**26)
        devices: set[str] = set()
        async with asyncio.timeout(TIMEOUT):
            while "EnvReport" not in devices:
                parser.receive_data(await reader.read(65536))
                for event in parser.events():
                    if isinstance(event, DefTextVector):
                        devices.add(event.device)
        writer.close()
        return sorted(devices)

    assert "EnvReport" in asyncio.run(over_unix())


@pytest.mark.parametrize("verbose", ["", "-v", "-vv", "-vvv"])
def test_verbosity(indiserver: Callable[..., OurIndiserver], env_link: str, verbose: str) -> None:
    server = indiserver(*([verbose] if verbose else []), env_link)

    async def ask() -> None:
        async with Client("127.0.0.1", server.port) as c:
            await c.wait_for("EnvReport", "ENV", TIMEOUT)

    asyncio.run(ask())
    server.wait_log("env driver EnvReport starting")  # drivers' stderr: always shown
    if verbose:
        server.wait_log("disconnected")
    log = server.log
    assert "startup: " in log
    assert f"serving 127.0.0.1:{server.port}: this machine only" in log
    level = len(verbose) - 1 if verbose else 0
    assert ("client 127.0.0.1" in log) is (level >= 1)  # key events
    assert ("getProperties EnvReport" in log or "defTextVector EnvReport ENV Ok" in log) is (
        level >= 2
    )  # a line per message
    assert ("<defTextVector" in log) is (level >= 3)  # the XML


def test_without_drivers_or_fifo_it_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "indiflask", "server", "-p", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "name at least one driver, or give -f FIFO" in result.stderr


def test_host_option(indiserver: Callable[..., OurIndiserver], env_link: str) -> None:
    server = indiserver("-H", "localhost", "--no-server-device", env_link)
    server.wait_log(f"serving localhost:{server.port}: this machine only")

    async def ask() -> None:
        async with Client("localhost", server.port) as c:
            await c.wait_for("EnvReport", "ENV", TIMEOUT)

    asyncio.run(ask())


def test_an_unusable_fifo_is_reported_before_serving(tmp_path: Path) -> None:
    server = OurIndiserver(tmp_path, ["-f", str(tmp_path / "no" / "such" / "dir" / "fifo")])
    server.start(wait=False)
    try:
        assert server.proc is not None and server.proc.wait(60) == 2
    finally:
        server.stop()
    assert "cannot create FIFO" in server.log
