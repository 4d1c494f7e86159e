"""Pacing: a burst a driver produced is delivered at default settings; a reader that
stops is still disconnected and never slows one that reads.

The bursts are those of a camera: eight frames sent in a row, from one app
handler (``image.send()`` in a loop), from an executable driver writing them to
its pipe without pause, and through a chained server. Every frame must arrive
intact at a client that reads at full speed; libindi's indiserver delivers the
same burst at its defaults. The app's burst is the real one (8 x 16 MiB, 171 MiB
of base64 against the default 128 MiB ``max_queue``); the others are the same
at an eighth of the size (2 MiB frames, a 16 MiB ``max_queue``), to save time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
from pathlib import Path

import pytest
from serverkit import RawClient, running, until

from indiflask import App, Blob, Switch
from indiflask.core.blobpolicy import QueueBudget
from indiflask.protocol.events import DefBLOBVector, Event, SetBLOBVector, SetNumberVector
from indiflask.server import Server

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")
MiB = 2**20
FRAMES = 8
GO = (
    '<newSwitchVector device="{device}" name="{name}">'
    '<oneSwitch name="GO">On</oneSwitch></newSwitchVector>'
)


def frame(index: int, size: int) -> bytes:
    """Frame ``index``: its number repeated (cheap to make, and each one differs)."""
    return bytes([index % 256]) * size


def camera_app(size: int, frames: int = FRAMES) -> App:
    """examples/camera.py's pattern in a loop: set the BLOB, send it, eight times."""
    app = App("Burst Camera", device="Camera")
    image = app.blob("IMAGE", members=[Blob("DATA")])

    @app.switch("EXPOSE", rule="AtMostOne", members=[Switch("GO", value=False)])
    def expose(change):  # type: ignore[no-untyped-def]
        for index in range(frames):
            image.set_blob("DATA", frame(index, size), ".bin")
            image.send()
        return {"GO": False}

    return app


async def blob_reader(port: int, device: str) -> RawClient:
    client = await RawClient.connect(port)
    await client.send(
        f'<getProperties version="1.7"/><enableBLOB device="{device}">Also</enableBLOB>'
    )
    await client.read_until(lambda e: isinstance(e, DefBLOBVector) and e.device == device)
    return client


async def receive_frames(client: RawClient, digests: list[str], timeout: float = 120) -> None:
    """Read every frame at full speed; each must be the one expected, intact."""
    for expected in digests:
        event = await client.read_until(lambda e: isinstance(e, SetBLOBVector), timeout)
        assert isinstance(event, SetBLOBVector)
        assert hashlib.sha256(event.values["DATA"].data).hexdigest() == expected


async def stuck_reader(port: int, device: str) -> RawClient:
    """A client that asks for BLOBs and then reads nothing at all (see :func:`cut_off`)."""
    client = await RawClient.connect(port)
    client.writer.transport.pause_reading()  # type: ignore[attr-defined]
    await client.send(
        f'<getProperties version="1.7"/><enableBLOB device="{device}">Also</enableBLOB>'
    )
    return client


async def cut_off(server: Server, clients: int) -> None:
    """Wait until the server has cut the stuck client (``clients`` are left).

    Not by reading to EOF: a receiver that kept a zero window for long waits
    for TCP's persist timer, which backs off up to two minutes.
    """
    await until(lambda: server.client_count == clients, timeout=60)


async def pause_until_held(client: RawClient, server: Server, link: int) -> None:
    """Have ``client`` read nothing until ``server`` holds the driver on ``link`` back.

    Meant to be started before the burst: without pacing the server would
    queue the whole burst for the client and cut it past ``max_queue``.
    """
    transport = client.writer.transport
    transport.pause_reading()  # type: ignore[attr-defined]

    async def resume() -> None:
        await until(lambda: server.pacer.holds(link), timeout=60)
        transport.resume_reading()  # type: ignore[attr-defined]

    task = asyncio.get_running_loop().create_task(resume())
    client.background.append(task)


def digests(size: int, frames: int = FRAMES, first: int = 0) -> list[str]:
    return [hashlib.sha256(frame(first + i, size)).hexdigest() for i in range(frames)]


def test_an_apps_burst_at_default_settings_reaches_the_reader_and_cuts_the_stuck(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """8 x 16 MiB from one handler: all arrive intact at the client that reads; the
    one that reads nothing is cut past max_queue and never holds the app back."""
    caplog.set_level(logging.INFO, "indiflask.server")

    async def main() -> None:
        server = Server(camera_app(16 * MiB), port=0)
        server.stall_timeout = 3600.0  # were the app waiting for the stuck client: a hang
        async with running(server):
            fast = await blob_reader(server.port, "Camera")
            stuck = await stuck_reader(server.port, "Camera")
            await fast.send(GO.format(device="Camera", name="EXPOSE"))
            await receive_frames(fast, digests(16 * MiB))
            await cut_off(server, 1)
            await fast.close()
            await stuck.close()

    asyncio.run(main())
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    [cut] = said
    assert "bytes behind (limit 134217728), disconnecting" in cut


def test_a_reader_that_takes_nothing_stops_holding_its_driver_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "indiflask.server")

    async def main() -> None:
        server = Server(camera_app(MiB), port=0)
        server.budget = QueueBudget(max_queue=6 * MiB, low_water=MiB)
        server.stall_timeout = 0.2
        async with running(server):
            stuck = await stuck_reader(server.port, "Camera")
            await stuck.send(GO.format(device="Camera", name="EXPOSE"))
            # the only reader takes nothing: the app's burst waits, then goes on
            # without it; past max_queue the reader is cut
            await cut_off(server, 0)
            later = await blob_reader(server.port, "Camera")
            await later.send(GO.format(device="Camera", name="EXPOSE"))
            await receive_frames(later, digests(MiB))
            await later.close()
            await stuck.close()

    asyncio.run(main())
    said = [r.getMessage() for r in caplog.records]
    assert any("took nothing for" in m and "no longer waits" in m for m in said), said
    assert any("disconnecting" in m for m in said), said


@pytest.fixture
def burst_driver(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in ("ECHO_TICK", "ECHO_SNOOP", "ECHO_RAW", "ECHO_FORMAT"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("ECHO_DEVICE", "Camera")
    monkeypatch.setenv("ECHO_BLOB", str(2 * MiB))
    monkeypatch.setenv("ECHO_BURST", str(FRAMES))
    return monkeypatch


def test_an_exdrivers_burst_reaches_a_reading_client(
    burst_driver: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "indiflask.server")

    async def main() -> None:
        server = Server(port=0, max_queue=16 * MiB)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            client = await blob_reader(server.port, "Camera")
            (driver,) = server._exdrivers
            await pause_until_held(client, server, driver.link)
            await client.send(GO.format(device="Camera", name="BURST"))
            await receive_frames(client, digests(2 * MiB, first=1))
            # the driver was read again afterwards: it still answers
            await client.send(
                '<newNumberVector device="Camera" name="VALUES">'
                '<oneNumber name="X">5</oneNumber></newNumberVector>'
            )

            def answered(e: Event) -> bool:
                return isinstance(e, SetNumberVector) and e.values.get("X") == 5.0

            await client.read_until(answered)
            await client.close()

    asyncio.run(main())
    assert not [r for r in caplog.records if "behind" in r.getMessage()]


def test_a_burst_through_a_chained_server_reaches_a_reading_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "indiflask.server")

    async def main() -> None:
        upstream_server = Server(camera_app(2 * MiB), port=0, max_queue=16 * MiB)
        async with running(upstream_server) as upstream:
            downstream = Server(port=0, max_queue=16 * MiB)
            downstream.add_remote("127.0.0.1", upstream.port)
            async with running(downstream):
                client = await blob_reader(downstream.port, "Camera")
                (remote,) = downstream._remotes
                await pause_until_held(client, downstream, remote.link)
                await client.send(GO.format(device="Camera", name="EXPOSE"))
                await receive_frames(client, digests(2 * MiB))
                await client.close()

    asyncio.run(main())
    assert not [r for r in caplog.records if "behind" in r.getMessage()]
