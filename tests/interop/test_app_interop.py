"""Example apps with libindi's own tools: under indiserver (via a shim) and under ``indiflask run``.

indiserver is started through the ``libindi`` fixture (tests/interop/conftest.py), which
preloads our loopback_bind.c so it listens on 127.0.0.1 only, with a private ``-u`` socket
name and a free port. Every process is stopped by its own handle.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from interop_kit import LibIndiServer, free_port, tool, wait_port

from indiflask.cli import main
from indiflask.client import Client

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
WEATHER = "Weather Station"
FOCUSER = "Focuser Simulator"


@pytest.fixture(autouse=True)
def _indiflask_importable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Child processes (launchers, drivers, servers) import indiflask from this checkout,
    and save and load configurations in the test's folder."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    monkeypatch.setenv("INDICONFIG", str(tmp_path / "indi_config.xml"))


def make_launcher(example: str, name: str, directory: Path) -> str:
    """``indiflask shim examples/EXAMPLE.py NAME --dir DIRECTORY``; return its absolute path."""
    result = CliRunner().invoke(
        main, ["shim", str(EXAMPLES / f"{example}.py"), name, "--dir", str(directory)]
    )
    assert result.exit_code == 0, result.output
    launcher = result.output.split()[0]
    assert os.path.isabs(launcher) and os.access(launcher, os.X_OK)
    return launcher


def getprop(port: int, *specs: str, seconds: int = 3) -> dict[str, str]:
    """``indi_getprop`` values as a dict of ``dev.prop.member`` -> text.

    With wildcards, indi_getprop stops after ``seconds`` without a definition;
    on a busy machine a driver can take longer than that to answer, so the
    query is repeated (up to a minute) until every spec has matched something.
    """
    deadline = time.monotonic() + 60
    while True:
        done = tool("indi_getprop", "-h", "127.0.0.1", "-p", str(port), "-t", str(seconds), *specs)
        values = {}
        for line in done.stdout.splitlines():
            key, _, value = line.partition("=")
            values[key] = value
        complete = all(any(fnmatch.fnmatchcase(key, spec) for key in values) for spec in specs)
        if (done.returncode == 0 and complete) or time.monotonic() > deadline:
            assert done.returncode == 0, done.stderr
            return values


def wait_defined(port: int, device: str, name: str) -> None:
    """Wait (up to a minute) until ``device.name`` is defined: a driver started by
    indiserver takes its time to start on a busy machine."""

    async def main() -> None:
        async with Client("127.0.0.1", port) as client:
            await client.wait_for(device, name, timeout=60)

    asyncio.run(main())


def setprop(port: int, spec: str) -> None:
    done = tool("indi_setprop", "-h", "127.0.0.1", "-p", str(port), "-t", "60", spec)
    assert done.returncode == 0, done.stderr


def connect(port: int, device: str) -> None:
    """Connect ``device`` as KStars does (its instrument's properties appear then)."""
    wait_defined(port, device, "CONNECTION")
    setprop(port, f"{device}.CONNECTION.CONNECT=On")
    evaluate(port, f'"{device}.CONNECTION._STATE"==1')  # Ok


def evaluate(port: int, expression: str, seconds: int = 60) -> None:
    """Wait (``indi_eval -w``) until ``expression`` holds."""
    done = tool(
        "indi_eval",
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-t",
        str(seconds),
        "-w",
        expression,
        timeout=seconds + 30,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------ under indiserver
def test_weather_under_indiserver(libindi: Callable[..., LibIndiServer], tmp_path: Path) -> None:
    launcher = make_launcher("weather", "indi_flask_weather", tmp_path)
    server = libindi(launcher)
    port = server.port
    interface = getprop(port, f"{WEATHER}.DRIVER_INFO.DRIVER_INTERFACE", seconds=60)
    assert interface == {f"{WEATHER}.DRIVER_INFO.DRIVER_INTERFACE": "128"}
    connect(port, WEATHER)
    wind = f"{WEATHER}.WEATHER_WIND_SPEED"
    values = getprop(port, f"{wind}.*")
    assert float(values[f"{wind}.MAX_OK"]) == 30
    setprop(port, f"{wind}.MAX_OK=25")
    evaluate(port, f'"{wind}.MAX_OK"==25')
    values = getprop(port, f"{wind}.MAX_OK", f"{wind}._STATE")
    assert float(values[f"{wind}.MAX_OK"]) == 25
    assert values[f"{wind}._STATE"] == "Ok"
    lights = getprop(port, f"{WEATHER}.WEATHER_STATUS.*")
    assert set(lights) == {
        f"{WEATHER}.WEATHER_STATUS.{n}"
        for n in (
            "WEATHER_TEMPERATURE",
            "WEATHER_HUMIDITY",
            "WEATHER_WIND_SPEED",
            "WEATHER_RAIN_HOUR",
        )
    }
    assert set(lights.values()) <= {"Ok", "Busy", "Alert"}


def test_focuser_moves_under_indiserver(
    libindi: Callable[..., LibIndiServer], tmp_path: Path
) -> None:
    launcher = make_launcher("focuser", "indi_flask_focuser", tmp_path)
    server = libindi(launcher)
    port = server.port
    connect(port, FOCUSER)
    position = f"{FOCUSER}.ABS_FOCUS_POSITION.FOCUS_ABSOLUTE_POSITION"
    assert float(getprop(port, position)[position]) == 25_000
    setprop(port, f"{position}=25600")
    evaluate(port, f'"{position}"==25600')
    evaluate(port, f'"{FOCUSER}.ABS_FOCUS_POSITION._STATE"==1')  # Ok
    assert float(getprop(port, position)[position]) == 25_600


def test_an_out_of_range_write_through_indiserver_goes_alert(
    libindi: Callable[..., LibIndiServer], tmp_path: Path
) -> None:
    launcher = make_launcher("focuser", "indi_flask_focuser", tmp_path)
    port = libindi(launcher).port
    connect(port, FOCUSER)
    position = f"{FOCUSER}.ABS_FOCUS_POSITION.FOCUS_ABSOLUTE_POSITION"
    setprop(port, f"{position}=90000")
    evaluate(port, f'"{FOCUSER}.ABS_FOCUS_POSITION._STATE"==3')  # Alert
    assert float(getprop(port, position)[position]) == 25_000


# ------------------------------------------------------------ indiflask run
@pytest.fixture
def indiflask_run() -> Iterator[Callable[[str], int]]:
    """Factory: serve ``examples/NAME.py`` with ``python -m indiflask run`` on a free port."""
    started: list[subprocess.Popen[bytes]] = []

    def start(example: str) -> int:
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "indiflask",
                "run",
                str(EXAMPLES / f"{example}.py"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        wait_port(port)
        return port

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_libindi_tools_against_indiflask_run(indiflask_run: Callable[[str], int]) -> None:
    port = indiflask_run("weather")
    values = getprop(port, f"{WEATHER}.DRIVER_INFO.*")
    assert values[f"{WEATHER}.DRIVER_INFO.DRIVER_NAME"] == WEATHER
    connect(port, WEATHER)
    humidity = f"{WEATHER}.WEATHER_HUMIDITY"
    assert float(getprop(port, f"{humidity}.*")[f"{humidity}.MAX_OK"]) == 85
    setprop(port, f"{humidity}.MAX_OK;PERC_WARN=95;20")
    evaluate(port, f'"{humidity}.MAX_OK"==95')
    values = getprop(port, f"{humidity}.*")
    assert float(values[f"{humidity}.MAX_OK"]) == 95
    assert float(values[f"{humidity}.PERC_WARN"]) == 20


def test_focuser_move_against_indiflask_run(indiflask_run: Callable[[str], int]) -> None:
    port = indiflask_run("focuser")
    connect(port, FOCUSER)
    position = f"{FOCUSER}.ABS_FOCUS_POSITION.FOCUS_ABSOLUTE_POSITION"
    setprop(port, f"{position}=24500")
    evaluate(port, f'"{position}"==24500')
    evaluate(port, f'"{FOCUSER}.ABS_FOCUS_POSITION._STATE"==1')
    values = getprop(port, f"{FOCUSER}.ABS_FOCUS_POSITION.*")
    assert float(values[position]) == 24_500


def test_the_listed_driver_starts_under_indiserver(
    libindi: Callable[..., LibIndiServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver list entry ``indiflask shim`` writes names a program indiserver can start."""
    make_launcher("focuser", "indi_flask_focuser", tmp_path)
    listing = ElementTree.parse(tmp_path / "indi_flask_focuser.xml").getroot()
    [device] = listing.iter("device")
    driver = device.find("driver")
    assert driver is not None and driver.text
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    port = libindi(driver.text).port  # a bare name, found on PATH as KStars would start it
    info = f"{device.get('label')}.DRIVER_INFO"
    values = getprop(port, f"{info}.DRIVER_EXEC", seconds=10)
    assert values == {f"{info}.DRIVER_EXEC": driver.text}
