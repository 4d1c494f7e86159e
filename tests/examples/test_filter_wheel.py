"""examples/filter_wheel.py: slots that take time, names saved as soon as they change."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from example_kit import connect, load_example

from indiflask import State
from indiflask.driver.lint import lint
from indiflask.protocol import events as ev

DEV = "Filter Wheel"


def test_a_filter_wheel_as_ekos_reads_it(filter_wheel: ModuleType) -> None:
    with filter_wheel.app.test_client() as client:
        assert client[DEV]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "16"
        assert "FILTER_SLOT" not in client[DEV]  # defined once connected
        connect(client, DEV)
        slot, names = client[DEV]["FILTER_SLOT"], client[DEV]["FILTER_NAME"]
        assert slot.members["FILTER_SLOT_VALUE"].max == len(filter_wheel.FILTERS)  # slot count
        assert list(names) == [f"FILTER_SLOT_NAME_{i}" for i in range(1, 6)]
        assert [names[n] for n in names] == filter_wheel.FILTERS
        assert slot["FILTER_SLOT_VALUE"] == 1
    assert lint(filter_wheel.app) == []


def test_turning_passes_each_slot_busy_then_ok(filter_wheel: ModuleType) -> None:
    with filter_wheel.app.test_client() as client:
        connect(client, DEV)
        client.received.clear()
        prop = client.set(DEV, "FILTER_SLOT", FILTER_SLOT_VALUE=4)
        updates = [
            (e.state.value, e.values["FILTER_SLOT_VALUE"])
            for e in client.received
            if isinstance(e, ev.SetNumberVector) and e.name == "FILTER_SLOT"
        ]
        assert updates[:-1] == [("Busy", 1), ("Busy", 2), ("Busy", 3), ("Busy", 4)]
        assert updates[-1] == ("Ok", 4)
        assert prop.state is State.OK
        assert client.now == 3 * filter_wheel.SECONDS_PER_SLOT
        client.set(DEV, "FILTER_SLOT", FILTER_SLOT_VALUE=2)
        assert prop["FILTER_SLOT_VALUE"] == 2 and prop.state is State.OK


def test_a_slot_past_the_last_filter_is_refused(filter_wheel: ModuleType) -> None:
    with filter_wheel.app.test_client() as client:
        connect(client, DEV)
        prop = client.set(DEV, "FILTER_SLOT", FILTER_SLOT_VALUE=6)
        assert prop.state is State.ALERT and prop["FILTER_SLOT_VALUE"] == 1


def test_names_are_saved_when_renamed_and_loaded_on_connect(
    filter_wheel: ModuleType, _private_config: Path
) -> None:
    with filter_wheel.app.test_client() as client:
        connect(client, DEV)
        prop = client.set(DEV, "FILTER_NAME", FILTER_SLOT_NAME_5="OIII")
        assert prop.state is State.OK and prop["FILTER_SLOT_NAME_5"] == "OIII"
        saved = _private_config.read_text()
        assert "OIII" in saved and "FILTER_SLOT" not in saved.replace("FILTER_SLOT_NAME", "")
    with load_example("filter_wheel").app.test_client() as client:  # a restart
        connect(client, DEV)
        names = client[DEV]["FILTER_NAME"]
        assert names["FILTER_SLOT_NAME_5"] == "OIII" and names["FILTER_SLOT_NAME_1"] == "Luminance"
        client.set(DEV, "CONFIG_PROCESS", CONFIG_LOAD=True, check=True)  # what Ekos sends
        assert client[DEV]["FILTER_NAME"]["FILTER_SLOT_NAME_5"] == "OIII"
