"""``indiflask server -f FIFO``: libindi's drivers started and stopped through the FIFO."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from indiserver_kit import ENV_DRIVER, TIMEOUT, OurIndiserver, fifo_write, indiservers
from interop_kit import needs_indiserver

from indiflask.client import Client

pytestmark = [pytest.mark.interop, needs_indiserver]

FOCUSER = "Focuser Simulator"


@pytest.fixture
def indiserver(tmp_path: Path) -> Iterator[Callable[..., OurIndiserver]]:
    with indiservers(tmp_path) as start:
        yield start


def test_start_and_stop_with_and_without_a_name_bad_lines_and_many_writers(
    indiserver: Callable[..., OurIndiserver], tmp_path: Path
) -> None:
    fifo = tmp_path / "indififo"  # created by the server
    server = indiserver("-v", "-f", str(fifo), "--server-device", "FIFO Test")

    async def write(text: str) -> None:
        await asyncio.to_thread(fifo_write, fifo, text)

    async def main() -> None:
        async with Client("127.0.0.1", server.port) as c:
            await c.wait_for("FIFO Test", "SERVER_INFO", TIMEOUT)
            await write("start indi_simulator_focus\n")
            await c.wait_for(FOCUSER, "CONNECTION", TIMEOUT)
            # -n: the simulator is told its device name through INDIDEV
            await write('start indi_simulator_focus -n "Focus Two"\n')
            await c.wait_for("Focus Two", "CONNECTION", TIMEOUT)
            # a bad line is logged, never fatal; the next writer is served
            await write("frobnicate the telescope\n")
            await write('stop indi_simulator_focus -n "Focus Two"\n')
            await c.wait_until(lambda: "Focus Two" not in c, TIMEOUT)  # delProperty
            assert FOCUSER in c
            # one writer, several lines, the last one without a newline
            await write('start indi_simulator_focus -n "Focus Three"\nstop indi_simulator_focus')
            await c.wait_until(lambda: FOCUSER not in c, TIMEOUT)
            await c.wait_for("Focus Three", "CONNECTION", TIMEOUT)
            # several writers in a row, each opening and closing the FIFO
            for n in range(4, 8):
                await write(f'start indi_simulator_focus -n "Focus {n}"\n')
            for n in range(4, 8):
                await c.wait_for(f"Focus {n}", "CONNECTION", TIMEOUT)
            for n in range(4, 8):
                await write(f'stop indi_simulator_focus -n "Focus {n}"\n')
            await c.wait_until(lambda: not any(f"Focus {n}" in c for n in range(4, 8)), TIMEOUT)
            # stopped drivers are not restarted: a later command is carried out while
            # the stopped ones stay away
            await write(f"start {ENV_DRIVER}\n")
            await c.wait_for("EnvReport", "ENV", TIMEOUT)
            assert FOCUSER not in c and "Focus Two" not in c
            assert "Focus Three" in c

    asyncio.run(main())
    log = server.log
    assert "ignored unknown command 'frobnicate'" in log
    assert 'FIFO: start indi_simulator_focus -n "Focus Two"' in log
    assert "restart" not in log.replace("restarts", "")


def test_the_environment_a_driver_receives(
    indiserver: Callable[..., OurIndiserver], tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo"
    prefix = tmp_path / "prefix"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "env_driver").symlink_to(ENV_DRIVER)
    server = indiserver(
        "-f", str(fifo), "--no-server-device", env={"INDIDEV": "Leaked", "INDISKEL": "/x.xml"}
    )

    async def main() -> None:
        async with Client("127.0.0.1", server.port) as c:
            line = f'start {ENV_DRIVER} -n "Env A" -c "/tmp/a config.xml" -s "/usr/share/sk.xml"\n'
            await asyncio.to_thread(fifo_write, fifo, line)
            env = await c.wait_for("Env A", "ENV", TIMEOUT)
            assert dict(env.items()) == {
                "INDIDEV": "Env A",
                "INDICONFIG": "/tmp/a config.xml",
                "INDISKEL": "/usr/share/sk.xml",
                "INDIPREFIX": "(unset)",
                "ARGV0": str(ENV_DRIVER),
            }
            # -p: the program is PREFIX/bin/DRIVER, and INDIPREFIX is set
            await asyncio.to_thread(fifo_write, fifo, f'start env_driver -p "{prefix}"\n')
            env = await c.wait_for("EnvReport", "ENV", TIMEOUT)
            assert env["INDIPREFIX"] == str(prefix)
            assert env["ARGV0"] == str(prefix / "bin" / "env_driver")
            # with -f, variables the server inherited are not passed on (as indiserver)
            assert (env["INDIDEV"], env["INDISKEL"]) == ("(unset)", "(unset)")

    asyncio.run(main())
