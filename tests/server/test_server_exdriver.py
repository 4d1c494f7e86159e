"""Executable drivers under our server: pipes, ping, restart, snooping, BLOB policy."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest
from serverkit import EchoDriver, RawClient, running

from indiflask.protocol.events import (
    DefNumberVector,
    DelProperty,
    Event,
    SetBLOBVector,
    SetNumberVector,
)
from indiflask.server import Server

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")


def is_def(device: str) -> object:
    return lambda e: isinstance(e, DefNumberVector) and e.device == device


def is_set(device: str) -> object:
    return lambda e: isinstance(e, SetNumberVector) and e.device == device


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in ("ECHO_DEVICE", "ECHO_TICK", "ECHO_BLOB", "ECHO_FORMAT", "ECHO_SNOOP"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_exdriver_blobs_ping_and_policy(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env.setenv("ECHO_TICK", "0.05")
    env.setenv("ECHO_BLOB", "3000")
    caplog.set_level(logging.INFO)

    async def main() -> None:
        server = Server(port=0)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            want = await RawClient.connect(server.port)
            plain = await RawClient.connect(server.port)
            await want.send('<getProperties version="1.7"/>')
            await plain.send('<getProperties version="1.7"/>')
            await want.read_until(is_def("StdioEcho"))
            await plain.read_until(is_def("StdioEcho"))
            await want.send('<enableBLOB device="StdioEcho">Also</enableBLOB>')
            blobs = 0
            while blobs < 3:  # more than one BLOB: each needs our pingReply
                ev = await want.read_until(lambda e: isinstance(e, SetBLOBVector))
                assert isinstance(ev, SetBLOBVector)
                assert len(ev.values["DATA"].data) == 3000
                blobs += 1
            # BLOBs and updates alternate: three updates without a BLOB between them
            plain.seen = []
            for _ in range(3):
                await plain.read_until(is_set("StdioEcho"))
            assert not any(isinstance(e, SetBLOBVector) for e in plain.seen)
            await want.close()
            await plain.close()

    asyncio.run(main())
    assert any(
        "driver stdio_echo.py: StdioEcho driver starting" in r.getMessage() for r in caplog.records
    )


def test_killed_exdriver_restarts_and_clients_get_fresh_definitions(
    env: pytest.MonkeyPatch,
) -> None:
    env.setenv("ECHO_TICK", "0.02")

    async def main() -> None:
        server = Server(port=0)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            c = await RawClient.connect(server.port)
            await c.send('<getProperties version="1.7"/>')
            await c.read_until(is_def("StdioEcho"))
            await c.read_until(is_set("StdioEcho"))
            (driver,) = server._exdrivers
            assert driver.process is not None
            os.kill(driver.process.pid, signal.SIGKILL)
            await c.read_until(lambda e: isinstance(e, DelProperty) and e.device == "StdioEcho")
            c.events.clear()
            await c.read_until(is_def("StdioEcho"))
            await c.read_until(is_set("StdioEcho"))
            assert driver.restarts == 1
            await c.close()

    asyncio.run(main())


def test_snooping_between_app_and_exdriver(env: pytest.MonkeyPatch) -> None:
    env.setenv("ECHO_SNOOP", "AppEcho")

    async def main() -> None:
        app = EchoDriver("AppEcho", snoop="StdioEcho")
        server = Server(app, port=0)
        server.add_exdriver(sys.executable, DRIVER)
        async with running(server):
            c = await RawClient.connect(server.port)
            await c.send('<getProperties version="1.7"/>')
            await c.read_until(is_def("StdioEcho"))
            # the exdriver snoops the app: each app update bumps the exdriver's X
            app.update(1.0)

            def bumped(e: Event) -> bool:
                return isinstance(e, SetNumberVector) and e.device == "StdioEcho"

            await c.read_until(bumped)
            # the app snoops the exdriver: its definitions and updates reach the app
            await c.send(
                '<newNumberVector device="StdioEcho" name="VALUES">'
                '<oneNumber name="X">42</oneNumber></newNumberVector>'
            )
            async with asyncio.timeout(30):
                while not any(
                    isinstance(e, SetNumberVector) and e.values.get("X") == 42 for e in app.fed
                ):
                    await asyncio.sleep(0.02)
            assert any(isinstance(e, DefNumberVector) and e.device == "StdioEcho" for e in app.fed)
            await c.close()

    asyncio.run(main())
