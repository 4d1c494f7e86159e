"""Drivers managed at run time, and the server as an INDI device that clients steer."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from serverkit import EchoDriver, running

from indiflask.client import Client
from indiflask.server import Server
from indiflask.server.fifo import parse_fifo_line
from indiflask.server.indiserver import IndiserverConfig, build_server
from indiflask.server.manager import ManagedDriver

ENV_DRIVER = Path(__file__).parent / "drivers" / "env_driver.py"
DEVICE = "Test Server"
TIMEOUT = 30


@pytest.fixture
def env_driver(tmp_path: Path) -> str:
    """The env driver under a name without .py (a .py argument is an indiflask app)."""
    link = tmp_path / "env_driver"
    link.symlink_to(ENV_DRIVER)
    return str(link)


def status(c: Client, slug: str) -> Callable[[], dict[str, str]]:
    def read() -> dict[str, str]:
        prop = c.get_property(DEVICE, f"{slug}_STATUS")
        return {} if prop is None else {k: str(v) for k, v in prop.items()}

    return read


async def until(c: Client, test: Callable[[], bool]) -> None:
    await c.wait_until(test, TIMEOUT)


def test_clients_stop_start_restart_and_launch_drivers(env_driver: str) -> None:
    async def main() -> None:
        config = IndiserverConfig(
            drivers=[env_driver], port=0, device_name=DEVICE, allow=["/bin/true"]
        )
        parts = build_server(config)
        (entry, allowed) = parts.manager.entries
        assert parts.device is not None
        assert parts.device.property_name(entry) == "DRIVER_1"
        assert parts.device.property_name(allowed) == "DRIVER_2"
        async with running(parts.server) as server, Client("127.0.0.1", server.port) as c:
            info = status(c, "DRIVER_1")
            await c.wait_for("EnvReport", "ENV", TIMEOUT)
            await until(c, lambda: info().get("DEVICES") == "EnvReport")
            assert info()["STATE"] == "running"
            first_pid = info()["PID"]
            # an allowed driver is listed, stopped, until a client starts it
            assert status(c, "DRIVER_2")()["STATE"] == "stopped"
            switch = await c.wait_for(DEVICE, "DRIVER_1", TIMEOUT)
            assert switch["START"] is True and switch["STOP"] is False
            assert switch.label == env_driver
            assert info()["COMMAND"] == env_driver
            # unused slots are not shown
            assert c.get_property(DEVICE, "DRIVER_3") is None

            await c.set(DEVICE, "DRIVER_1", STOP=True, timeout=TIMEOUT)
            await until(c, lambda: "EnvReport" not in c)  # delProperty reached the client
            await until(c, lambda: info().get("STATE") == "stopped")
            assert c.get_property(DEVICE, "DRIVER_1").state.value == "Idle"  # type: ignore[union-attr]

            await c.set(DEVICE, "DRIVER_1", START=True, timeout=TIMEOUT)
            await c.wait_for("EnvReport", "ENV", TIMEOUT)
            await until(c, lambda: info().get("STATE") == "running")
            second_pid = info()["PID"]
            assert second_pid != first_pid

            await c.set(DEVICE, "DRIVER_1", RESTART=True, timeout=TIMEOUT)
            await until(c, lambda: info().get("STATE") == "running" and info()["PID"] != second_pid)

            # LAUNCH: another instance of a known driver, under its own device name
            await c.set(DEVICE, "LAUNCH", DRIVER=env_driver, NAME="Env Two", timeout=TIMEOUT)
            env = await c.wait_for("Env Two", "ENV", TIMEOUT)
            assert env["INDIDEV"] == "Env Two"
            two = status(c, "DRIVER_3")
            await until(c, lambda: two().get("STATE") == "running")
            # ... but never a program the operator did not name
            launch = await c.set(DEVICE, "LAUNCH", DRIVER="/bin/sh", timeout=TIMEOUT)
            assert launch.state.value == "Alert"
            assert "not one of this server's drivers" in (launch.message or "")

            # the server side agrees
            assert [e.label for e in parts.manager.entries] == [
                env_driver,
                "/bin/true",
                f'{env_driver} -n "Env Two"',
            ]

    asyncio.run(main())


def test_a_driver_that_keeps_failing_is_shown_failed(
    env_driver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENV_EXIT", "3")

    async def main() -> None:
        config = IndiserverConfig(drivers=[env_driver], port=0, device_name=DEVICE, max_restarts=2)
        parts = build_server(config)
        parts.server.restart_delay = 0.05
        async with running(parts.server) as server, Client("127.0.0.1", server.port) as c:
            info = status(c, "DRIVER_1")
            await until(c, lambda: info().get("STATE") == "failed")
            assert info()["RESTARTS"] == "2"
            assert info()["LAST_EXIT"] == "exit status 3"
            assert c.get_property(DEVICE, "DRIVER_1").state.value == "Alert"  # type: ignore[union-attr]

    asyncio.run(main())


def test_fifo_environment_is_cleared_unless_given(
    env_driver: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a FIFO, INDIDEV & co. inherited by the server are not passed on (indiserver's rule)."""
    monkeypatch.setenv("INDIDEV", "Inherited")
    monkeypatch.setenv("INDICONFIG", "/inherited.xml")

    async def main() -> None:
        parts = build_server(IndiserverConfig(port=0, server_device=False, fifo=None))
        manager = parts.manager
        manager.clear_env = True
        async with running(parts.server) as server, Client("127.0.0.1", server.port) as c:
            manager.add(ManagedDriver(env_driver, config="/c.xml"), start=True)
            env = await c.wait_for("EnvReport", "ENV", TIMEOUT)
            assert (env["INDIDEV"], env["INDICONFIG"]) == ("(unset)", "/c.xml")
            manager.clear_env = False
            manager.add(ManagedDriver(env_driver, name="Second"), start=True)
            env = await c.wait_for("Second", "ENV", TIMEOUT)
            assert (env["INDIDEV"], env["INDICONFIG"]) == ("Second", "/inherited.xml")

    asyncio.run(main())
    assert os.environ["INDIDEV"] == "Inherited"  # the server's own environment is untouched


def test_fifo_commands_on_the_manager(env_driver: str, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        upstream = Server(EchoDriver("Upstairs"), port=0)
        async with running(upstream):
            parts = build_server(IndiserverConfig(port=0, device_name=DEVICE))
            manager = parts.manager

            def fifo(line: str) -> None:
                command = parse_fifo_line(line)
                assert command is not None
                manager.apply(command)

            async with running(parts.server) as server, Client("127.0.0.1", server.port) as c:
                fifo(f"start {env_driver}")
                fifo(f"start {env_driver}")  # running already: logged, not started twice
                await c.wait_for("EnvReport", "ENV", TIMEOUT)
                assert len(manager.entries) == 1
                assert "is running already" in caplog.text
                fifo(f'stop {env_driver} -n "Nobody"')
                assert "no such driver is running" in caplog.text
                fifo(f"stop {env_driver}")
                await until(c, lambda: "EnvReport" not in c)
                # a remote server, started and stopped by the text it was started with
                fifo(f'start "Upstairs"@127.0.0.1:{upstream.port}')
                await c.wait_for("Upstairs", "VALUES", TIMEOUT)
                info = status(c, "DRIVER_2")
                await until(c, lambda: info().get("STATE") == "connected")
                fifo(f"stop Upstairs@127.0.0.1:{upstream.port}")
                await until(c, lambda: "Upstairs" not in c)
                await until(c, lambda: info().get("STATE") == "stopped")

    asyncio.run(main())
