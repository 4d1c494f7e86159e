"""KStars/Ekos is the judge: one ``indiflask run`` serves the five examples, Ekos uses them.

A remote Ekos profile points at 127.0.0.1:PORT, where ``indiflask run`` serves
the focuser, filter wheel, roll-off roof, weather station and camera examples
(gpiozero mock pins). KStars 3.6.2 runs headless (see ``ekos_kit``). Ekos must
connect every device (no "Failed to connect"), create its Focus, Capture and
Observatory modules, put our focuser, camera and filter wheel in its optical
train, know the roof as a dome it can park and the station as a weather
source, and take a frame from our camera through the Focus module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ekos_kit import EkosRun

pytestmark = [pytest.mark.ekos, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["focuser", "filter_wheel", "roof", "weather", "camera"]
DEVICES = {
    "Focuser Simulator": 8,
    "Filter Wheel": 16,
    "Roll-off Roof": 32,
    "Weather Station": 128,
    "Camera Simulator": 2,
}
ROLES = {
    "CCD": "Camera Simulator",
    "Focuser": "Focuser Simulator",
    "Filter": "Filter Wheel",
    "Dome": "Roll-off Roof",
    "Weather": "Weather Station",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def examples_server(tmp_path: Path) -> Iterator[int]:
    """``indiflask run`` with the five examples on a free 127.0.0.1 port; yields the port."""
    port = free_port()
    env = {
        **os.environ,
        "GPIOZERO_PIN_FACTORY": "mock",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "INDICONFIG": str(tmp_path / "indi_config.xml"),
    }
    files = [str(ROOT / "examples" / f"{name}.py") for name in EXAMPLES]
    with open(tmp_path / "indiflask-run.log", "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "indiflask", "run", *files, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("indiflask run did not start") from None
                    time.sleep(0.1)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_ekos_uses_every_example(examples_server: int, tmp_path: Path) -> None:
    with EkosRun(tmp_path / "kstars", examples_server, ROLES) as ekos:
        ekos.wait_until_connected(timeout=120)
        deadline = time.monotonic() + 60  # modules and devices come once each device is ready
        while time.monotonic() < deadline:
            report = ekos.report()
            if report["devices"].keys() == DEVICES.keys() and "Observatory" in report["modules"]:
                break
            time.sleep(0.5)
        # one frame from our camera, through the Focus module, as autofocus takes them
        ekos.qdbus("/KStars/Ekos/Focus", "org.kde.kstars.Ekos.Focus.capture")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            focus_log = ekos.qdbus("/KStars/Ekos/Focus", "org.kde.kstars.Ekos.Focus.logText") or ""
            if "Detection complete." in focus_log:
                break
            time.sleep(0.5)
        time.sleep(1)
        report = ekos.report()
        timings = ekos.timings
    print(f"Ekos timings: {timings}")
    log = "\n".join(report["log"])
    assert report["devices"] == DEVICES, log  # each online, with its interface
    assert {"Focus", "Capture", "Observatory"} <= set(report["modules"]), report["modules"]
    focus, capture = report["focus"], report["capture"]
    assert focus == {
        "camera": "Camera Simulator",
        "focuser": "Focuser Simulator",
        "filterWheel": "Filter Wheel",
    }
    assert capture == {"camera": "Camera Simulator", "filterWheel": "Filter Wheel"}
    assert {g["name"]: g["connected"] for g in report["generic"]} == dict.fromkeys(DEVICES, "true")
    [roof] = report["domes"]
    assert roof["name"] == "Roll-off Roof" and roof["connected"] == "true"
    assert roof["canPark"] == "true" and roof["canAbort"] == "true"
    assert roof["parkStatus"] == "1"  # parked: Ekos learnt it from our DOME_PARK update
    [station] = report["weathers"]
    assert station["name"] == "Weather Station" and station["connected"] == "true"
    assert station["status"] in ("1", "2")  # Ok or Busy (a warning): the state of WEATHER_STATUS
    assert "Filter Wheel filter is online." in log  # Ekos made a filter manager for it
    assert not [line for line in report["log"] if "ailed to connect" in line], log
    assert "Image received." in focus_log and "Detection complete." in focus_log, focus_log
