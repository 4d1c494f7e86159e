"""The examples against libindi's own simulators, as a client sees both over the wire.

One ``indiflask run`` serves the five instrument examples (gpiozero mock pins);
one libindi indiserver (127.0.0.1, free port, our loopback shim) runs the
simulators of the same kinds. A client connects every device on both, collects
the definitions, and compares the standard properties both define with
:func:`~indiflask.driver.conformance.compare_with`: names, kinds, perms, rules,
member names and their order. Each example's ``DRIVER_INTERFACE`` is its bitmask.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from interop_kit import LibIndiServer, free_port, wait_port

from indiflask.client import BlockingClient
from indiflask.driver.catalog import Interface, index, lookup, weather
from indiflask.driver.conformance import compare_with
from indiflask.protocol import events as ev

pytestmark = pytest.mark.interop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ["focuser", "filter_wheel", "roof", "weather", "camera"]

#: our device: (its interfaces, the libindi simulator, that simulator's device)
PAIRS = {
    "Focuser Simulator": (Interface.FOCUSER, "indi_simulator_focus", "Focuser Simulator"),
    "Filter Wheel": (Interface.FILTER, "indi_simulator_wheel", "Filter Simulator"),
    "Roll-off Roof": (Interface.DOME, "indi_rolloff_dome", "RollOff Simulator"),
    "Weather Station": (Interface.WEATHER, "indi_simulator_weather", "Weather Simulator"),
    "Camera Simulator": (Interface.CCD, "indi_simulator_ccd", "CCD Simulator"),
}

_BASE = {"CONNECTION", "DRIVER_INFO"}
#: what each comparison must at least cover (so that an empty comparison cannot pass)
SHARED = {
    "Focuser Simulator": _BASE
    | {"CONFIG_PROCESS", "FOCUS_MOTION", "REL_FOCUS_POSITION", "ABS_FOCUS_POSITION", "FOCUS_MAX"},
    "Filter Wheel": _BASE | {"CONFIG_PROCESS", "FILTER_SLOT", "FILTER_NAME"},
    "Roll-off Roof": _BASE | {"DOME_MOTION", "DOME_ABORT_MOTION", "DOME_PARK"},
    "Weather Station": _BASE
    | {"CONFIG_PROCESS", "WEATHER_UPDATE", "WEATHER_REFRESH", "WEATHER_STATUS"}
    | {"WEATHER_PARAMETERS", "WEATHER_TEMPERATURE", "WEATHER_WIND_SPEED", "WEATHER_RAIN_HOUR"},
    "Camera Simulator": _BASE
    | {"CONFIG_PROCESS", "CCD_EXPOSURE", "CCD_ABORT_EXPOSURE", "CCD_FRAME", "CCD_BINNING"}
    | {"CCD_INFO", "CCD_FRAME_TYPE", "CCD1", "UPLOAD_MODE", "UPLOAD_SETTINGS", "FITS_HEADER"}
    | {"CCD_TRANSFER_FORMAT", "SCOPE_INFO", "CCD_TEMPERATURE"},
}

#: Where an example deliberately differs from its simulator (and why).
KNOWN_DIFFERENCES = {
    # libindi's focuser drivers and Ekos treat it as a reading; only the simulator makes it rw
    "FOCUS_TEMPERATURE: perm ro here, rw in libindi",
}


def _all_defined(client: BlockingClient, device: str, names: set[str]) -> list[ev.DefVector]:
    client.wait_for(device, "CONNECTION", timeout=60)
    client.set(device, "CONNECTION", CONNECT=True, timeout=60)
    client.wait_for_state(device, "CONNECTION", "Ok", timeout=60)
    for name in sorted(names):
        client.wait_for(device, name, timeout=60)
    return [p.definition for p in client[device].values()]


@pytest.fixture(scope="module")
def private_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """No saved configuration is loaded or written outside the test's folders."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("INDICONFIG", str(home / "indi_config.xml"))
        yield home


@pytest.fixture(scope="module")
def ours(private_home: Path) -> Iterator[dict[str, list[ev.DefVector]]]:
    """The examples' definitions once connected, served by one ``indiflask run``."""
    port = free_port()
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)}
    files = [str(ROOT / "examples" / f"{name}.py") for name in EXAMPLES]
    cmd = [sys.executable, "-m", "indiflask", "run", *files, "--host", "127.0.0.1"]
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        wait_port(port, timeout=60)
        with BlockingClient("127.0.0.1", port, reconnect=False) as client:
            yield {dev: _all_defined(client, dev, SHARED[dev]) for dev in PAIRS}
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="module")
def theirs(loopback_shim: Path, private_home: Path) -> Iterator[dict[str, list[ev.DefVector]]]:
    """The simulators' definitions once connected, by our device's name."""
    drivers = [driver for _, driver, _ in PAIRS.values()]
    server = LibIndiServer(loopback_shim, free_port(), drivers).start()
    try:
        with BlockingClient("127.0.0.1", server.port, reconnect=False) as client:
            found = {}
            for ours_name, (_, _, device) in PAIRS.items():
                found[ours_name] = _all_defined(client, device, SHARED[ours_name])
            yield found
    finally:
        server.stop()


def _interface(definitions: list[ev.DefVector]) -> Interface:
    info = next(d for d in definitions if d.name == "DRIVER_INFO")
    values = {m.name: getattr(m, "value", "") for m in info.members}
    return Interface.parse(values["DRIVER_INTERFACE"])


@pytest.mark.parametrize("device", list(PAIRS))
def test_an_example_defines_what_its_simulator_does(
    ours: dict[str, list[ev.DefVector]], theirs: dict[str, list[ev.DefVector]], device: str
) -> None:
    interfaces = PAIRS[device][0]
    assert _interface(ours[device]) == interfaces  # DRIVER_INTERFACE is the example's bitmask
    assert _interface(theirs[device]) & interfaces == interfaces
    mine = {d.name: d for d in ours[device]}
    libindi = {d.name: d for d in theirs[device]}
    ranges = set(weather.PARAMETER_LABELS) if interfaces is Interface.WEATHER else set()
    shared = {n for n in mine.keys() & libindi.keys() if n in index.names() or n in ranges}
    assert SHARED[device] <= shared
    found = compare_with(ours[device], theirs[device], names=sorted(shared))
    # properties whose members depend on the device: the members must fit libindi's pattern
    variable = {n for n in shared if (e := lookup(n, interfaces)) and e.variable_members}
    for name in variable:
        entry = lookup(name, interfaces)
        assert entry is not None
        assert all(entry.accepts_member(m.name) for m in mine[name].members), name
        if name in ("WEATHER_PARAMETERS", "WEATHER_STATUS"):
            assert {m.name for m in mine[name].members} <= set(weather.PARAMETER_LABELS)
    found = [
        line for line in found if not line.startswith(tuple(f"{n}: members" for n in variable))
    ]
    assert sorted(set(found) - KNOWN_DIFFERENCES) == []
