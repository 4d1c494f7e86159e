"""The standard-property catalogue against libindi's own simulators.

One libindi indiserver (127.0.0.1, free port, our loopback shim) runs the
simulators; a client connects every device, waits until each has defined the
catalogue's properties of its interfaces, and compares what the simulator
defines with the catalogue: names, kinds, perms, rules, member names and order
(for variable member sets, the name pattern). This keeps the catalogue honest
against the real libindi.

``NOT_DEFINED`` lists, per simulator, the catalogue entries of its interfaces
that the simulator does not define (libindi defines them only for hardware
with that capability); those are checked against libindi's sources by hand,
not here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from interop_kit import LibIndiServer, free_port

from indiflask import App
from indiflask.client import BlockingClient
from indiflask.driver import catalog
from indiflask.driver.catalog import Interface, focuser
from indiflask.driver.conformance import catalogue_mismatches, compare_with
from indiflask.protocol import events as ev

pytestmark = pytest.mark.interop

SIMULATORS = {
    "indi_simulator_focus": "Focuser Simulator",
    "indi_simulator_wheel": "Filter Simulator",
    "indi_simulator_dome": "Dome Simulator",
    "indi_rolloff_dome": "RollOff Simulator",
    "indi_simulator_ccd": "CCD Simulator",
    "indi_simulator_weather": "Weather Simulator",
    "indi_simulator_telescope": "Telescope Simulator",
    "indi_simulator_gps": "GPS Simulator",
    "indi_simulator_rotator": "Rotator Simulator",
    "indi_simulator_lightpanel": "Light Panel Simulator",
}

#: Interfaces each simulator announces (DRIVER_INFO.DRIVER_INTERFACE).
INTERFACES = {
    "Focuser Simulator": Interface.FOCUSER,
    "Filter Simulator": Interface.FILTER,
    "Dome Simulator": Interface.DOME,
    "RollOff Simulator": Interface.DOME,
    "CCD Simulator": Interface.CCD | Interface.GUIDER | Interface.FILTER,
    "Weather Simulator": Interface.WEATHER,
    "Telescope Simulator": Interface.TELESCOPE | Interface.GUIDER,
    "GPS Simulator": Interface.GPS,
    "Rotator Simulator": Interface.ROTATOR,
    "Light Panel Simulator": Interface.LIGHTBOX | Interface.AUX,
}

_FOCUS_CAPS = "FOCUS_TIMER FOCUS_ABORT_MOTION FOCUS_SYNC FOCUS_REVERSE_MOTION"
_DOME_CAPS = "DOME_SPEED DOME_SYNC"
#: Catalogue entries of a simulator's interfaces that it does not define.
NOT_DEFINED: dict[str, set[str]] = {
    "Focuser Simulator": set(_FOCUS_CAPS.split()),
    "Filter Simulator": set(),
    "Dome Simulator": set(_DOME_CAPS.split()),
    "RollOff Simulator": set(
        f"{_DOME_CAPS} DOME_SHUTTER DOME_SHUTTER_PARK_POLICY ABS_DOME_POSITION REL_DOME_POSITION "
        "DOME_AUTOSYNC DM_OTA_SIDE DOME_PARAMS DOME_MEASUREMENTS DOME_PARK_POSITION "
        "DOME_PARK_OPTION".split()
    ),
    "CCD Simulator": {"CCD_CFA"},
    "Weather Simulator": set(),
    "Telescope Simulator": set(),
    "GPS Simulator": set(),
    "Rotator Simulator": {"ROTATOR_HOME", "ROTATOR_BACKLASH_TOGGLE", "ROTATOR_BACKLASH_STEPS"},
    "Light Panel Simulator": {"FLAT_LIGHT_FILTER_INTENSITY"},
}

#: Where the catalogue deliberately differs from a simulator (and why).
KNOWN_DIFFERENCES = {
    # libindi's focuser drivers and Ekos treat the temperature as a reading;
    # only the simulator makes it writable
    ("Focuser Simulator", "FOCUS_TEMPERATURE: perm ro in the catalogue, rw in libindi"),
}


@pytest.fixture(scope="module")
def simulator_definitions(
    loopback_shim: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, list[ev.DefVector]]]:
    """Every simulator's definitions once connected, by device name."""
    home = tmp_path_factory.mktemp("home")  # no saved configuration is loaded or written
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.delenv("INDICONFIG", raising=False)
        server = LibIndiServer(loopback_shim, free_port(), list(SIMULATORS)).start()
    try:
        with BlockingClient("127.0.0.1", server.port, reconnect=False) as client:
            for device in SIMULATORS.values():
                client.wait_for(device, "CONNECTION", timeout=60)
                client.set(device, "CONNECTION", CONNECT=True, timeout=60)
            found: dict[str, list[ev.DefVector]] = {}
            for device in SIMULATORS.values():
                client.wait_for_state(device, "CONNECTION", "Ok", timeout=60)
                for name in _expected(device):
                    client.wait_for(device, name, timeout=60)
                found[device] = [p.definition for p in client[device].values()]
            yield found
    finally:
        server.stop()


def _expected(device: str) -> list[str]:
    entries = catalog.for_interfaces(INTERFACES[device], general=False)
    return [e.name for e in entries if e.name not in NOT_DEFINED[device]]


@pytest.mark.parametrize("device", list(SIMULATORS.values()))
def test_the_catalogue_matches_the_simulator(
    simulator_definitions: dict[str, list[ev.DefVector]], device: str
) -> None:
    definitions = simulator_definitions[device]
    info = next(d for d in definitions if d.name == "DRIVER_INFO")
    announced = {m.name: getattr(m, "value", "") for m in info.members}["DRIVER_INTERFACE"]
    assert Interface.parse(announced) == INTERFACES[device]
    mismatches = catalogue_mismatches(definitions, INTERFACES[device])
    expected = sorted(text for name, text in KNOWN_DIFFERENCES if name == device)
    assert sorted(mismatches) == expected
    defined = {d.name for d in definitions}
    assert NOT_DEFINED[device].isdisjoint(defined), "the simulator defines them now: check them"
    # the general properties it has were compared too
    general = {e.name for e in catalog.common.PROPERTIES}
    assert {"CONNECTION", "DRIVER_INFO", "CONFIG_PROCESS"} <= defined & general


def test_compare_with_an_app_built_from_the_catalogue(
    simulator_definitions: dict[str, list[ev.DefVector]],
) -> None:
    """How an example is compared with its simulator: ``compare_with``, on live definitions."""
    theirs = simulator_definitions["Focuser Simulator"]
    app = App("Focuser Simulator", interfaces="focuser")
    for entry in (focuser.FOCUS_MOTION, focuser.REL_FOCUS_POSITION, focuser.ABS_FOCUS_POSITION):
        entry.declare(app, label="Relabelled")
    app.number("FOCUS_MAX", members=["FOCUS_MAX_VALUE", "EXTRA"])
    app.finish_setup()
    ours = [p.definition() for p in app["Focuser Simulator"].properties.values()]
    wanted = ["FOCUS_MOTION", "REL_FOCUS_POSITION", "ABS_FOCUS_POSITION", "DRIVER_INFO"]
    assert compare_with(ours, theirs, names=wanted) == []
    assert compare_with(ours, theirs, names=["FOCUS_MAX"]) == [
        "FOCUS_MAX: members FOCUS_MAX_VALUE, EXTRA here; libindi's: FOCUS_MAX_VALUE"
    ]
    labelled = compare_with(ours, theirs, names=["FOCUS_MOTION"], labels=True)
    assert labelled == ["FOCUS_MOTION: label 'Relabelled' here, 'Direction' in libindi"]
    everything = compare_with(ours, theirs)
    assert "FOCUS_BACKLASH_TOGGLE: missing here (libindi defines it)" in everything
    assert not any(line.startswith(("Presets", "SEEING_SETTINGS")) for line in everything)
