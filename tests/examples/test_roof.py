"""examples/roof.py: a roll-off roof on mock pins that stays shut while the weather is unsafe.

Most tests drive the limit switches by hand (``SIMULATE = False``): gpiozero's
mock pins, pulled up, read low while a switch to ground is pressed. One test
lets the example simulate the roof on the pins itself, as ``indiflask run`` does
off a Raspberry Pi. The weather station's WEATHER_STATUS is injected as
snooped traffic.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from example_kit import connect
from gpiozero import Device

from indiflask import State
from indiflask.driver.lint import lint
from indiflask.protocol import events as ev

DEV = "Roll-off Roof"


def weather(client: Any, state: State | None) -> None:
    """The weather station's overall state reaches the roof (``None``: the station goes away)."""
    if state is None:
        client.inject(ev.DelProperty(device="Weather Station", name="WEATHER_STATUS"))
    else:
        client.inject(
            ev.SetLightVector(device="Weather Station", name="WEATHER_STATUS", state=state)
        )


def press(pin: int, pressed: bool) -> None:
    if pressed:
        Device.pin_factory.pin(pin).drive_low()
    else:
        Device.pin_factory.pin(pin).drive_high()


@pytest.fixture
def manual(roof: ModuleType) -> ModuleType:
    """The roof with hand-driven limit switches."""
    roof.SIMULATE = False
    return roof


@pytest.fixture
def closed_roof(manual: ModuleType) -> Iterator[Any]:
    """A connected roof, closed (its closed limit switch pressed)."""
    with manual.app.test_client() as client:
        press(manual.CLOSED_LIMIT_PIN, True)
        connect(client, DEV)
        client.advance(manual.POLL)
        yield client


def park_updates(client: Any) -> list[tuple[str, bool]]:
    return [
        (e.state.value, e.values["PARK"])
        for e in client.received
        if isinstance(e, ev.SetSwitchVector) and e.name == "DOME_PARK"
    ]


def test_a_roof_as_ekos_reads_it(manual: ModuleType) -> None:
    with manual.app.test_client() as client:
        assert client[DEV]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "32"
        press(manual.CLOSED_LIMIT_PIN, True)
        connect(client, DEV)
        assert list(client[DEV])[-3:] == ["DOME_PARK", "DOME_MOTION", "DOME_ABORT_MOTION"]
        motion = client[DEV]["DOME_MOTION"]
        assert list(motion) == ["DOME_CW", "DOME_CCW"]  # the first switch opens
        assert [motion.members[m].label for m in motion] == ["Open", "Close"]
        assert "ABS_DOME_POSITION" not in client[DEV]  # no positions: a roll-off roof to Ekos
        client.received.clear()
        client.advance(manual.POLL)  # Ekos learns the park state from an update only
        assert park_updates(client) == [("Ok", True)]
        client.advance(10 * manual.POLL)
        assert park_updates(client) == [("Ok", True)]  # sent again only when it changes
    assert lint(manual.app) == []


def test_the_park_state_follows_the_limit_switches(manual: ModuleType) -> None:
    with manual.app.test_client() as client:
        connect(client, DEV)
        client.advance(manual.POLL)
        park = client[DEV]["DOME_PARK"]
        assert park.state is State.ALERT and park.message == "the roof is neither open nor closed"
        press(manual.OPEN_LIMIT_PIN, True)  # someone opened it by hand
        client.advance(manual.POLL)
        assert park.state is State.OK and park["UNPARK"] is True


def test_it_will_not_open_while_the_weather_is_unknown_or_unsafe(closed_roof: Any) -> None:
    client = closed_roof
    park = client.set(DEV, "DOME_PARK", UNPARK=True)
    assert park.state is State.ALERT and park["PARK"] is True
    assert park.message == "the weather is unknown (Weather Station): the roof stays closed"
    weather(client, State.ALERT)
    park = client.set(DEV, "DOME_PARK", UNPARK=True)
    assert park.message == "the weather is unsafe (Weather Station): the roof stays closed"
    opened = client.set(DEV, "DOME_MOTION", DOME_CW=True)
    assert opened.state is State.ALERT and "unsafe" in (opened.message or "")


def test_opening_runs_the_motor_until_the_open_limit(manual: ModuleType, closed_roof: Any) -> None:
    client, motor = closed_roof, manual.app.hw.motor
    weather(client, State.BUSY)  # a warning still lets the roof open
    client.set(DEV, "DOME_PARK", UNPARK=True, wait=False)
    park, motion = client[DEV]["DOME_PARK"], client[DEV]["DOME_MOTION"]
    assert park.state is State.BUSY and park["UNPARK"] is True  # Ekos: unparking
    assert motion.state is State.BUSY and motion["DOME_CW"] is True
    assert motor.value == 1  # forward: opening
    client.advance(2.0)
    assert park.state is State.BUSY
    press(manual.CLOSED_LIMIT_PIN, False)
    press(manual.OPEN_LIMIT_PIN, True)
    client.advance(manual.POLL)
    assert park.state is State.OK and park["UNPARK"] is True
    assert motion.state is State.OK and not any(motion[m] for m in motion)
    assert motor.value == 0
    client.set(DEV, "DOME_PARK", PARK=True, wait=False)  # closing needs no weather
    assert motor.value == -1
    press(manual.OPEN_LIMIT_PIN, False)
    press(manual.CLOSED_LIMIT_PIN, True)
    client.advance(manual.POLL)
    assert park.state is State.OK and park["PARK"] is True and motor.value == 0


def test_a_stuck_roof_times_out(manual: ModuleType, closed_roof: Any) -> None:
    client = closed_roof
    weather(client, State.OK)
    park = client.set(DEV, "DOME_PARK", UNPARK=True)
    assert park.state is State.ALERT
    assert park.message == "no limit switch after 30 s: is the roof stuck?"
    assert client.now >= manual.MOTION_TIMEOUT and manual.app.hw.motor.value == 0


def test_abort_stops_the_motor(manual: ModuleType, closed_roof: Any) -> None:
    client = closed_roof
    weather(client, State.OK)
    client.set(DEV, "DOME_MOTION", DOME_CW=True, wait=False)
    press(manual.CLOSED_LIMIT_PIN, False)
    client.advance(1.0)
    refused = client.set(DEV, "DOME_PARK", PARK=True)  # one move at a time
    assert refused.state is State.ALERT and "moving" in (refused.message or "")
    client.set(DEV, "DOME_ABORT_MOTION", ABORT=True)
    client.advance(manual.POLL)
    motion = client[DEV]["DOME_MOTION"]
    assert motion.state is State.ALERT and motion.message == "stopped: the roof is between"
    assert manual.app.hw.motor.value == 0
    assert client[DEV]["DOME_ABORT_MOTION"]["ABORT"] is False


def test_unsafe_weather_closes_an_opening_roof(manual: ModuleType, closed_roof: Any) -> None:
    client = closed_roof
    weather(client, State.OK)
    client.set(DEV, "DOME_PARK", UNPARK=True, wait=False)
    press(manual.CLOSED_LIMIT_PIN, False)
    client.advance(1.0)
    weather(client, State.ALERT)
    client.advance(1.0)  # the opening stops at its next look at the switches, then it closes
    assert "Weather Station reports unsafe weather: closing the roof" in client.messages
    assert manual.app.hw.motor.value == -1  # the opening was stopped, now it closes
    park = client[DEV]["DOME_PARK"]
    assert park.state is State.BUSY and park["PARK"] is True  # Ekos: parking
    press(manual.CLOSED_LIMIT_PIN, True)
    client.advance(manual.POLL)
    assert park.state is State.OK and park["PARK"] is True


def test_unsafe_weather_closes_an_open_roof_and_a_lost_station_is_unknown(
    manual: ModuleType,
) -> None:
    with manual.app.test_client() as client:
        press(manual.OPEN_LIMIT_PIN, True)
        connect(client, DEV)
        weather(client, State.ALERT)
        client.advance(1.0)
        assert manual.app.hw.motor.value == -1
        press(manual.OPEN_LIMIT_PIN, False)
        press(manual.CLOSED_LIMIT_PIN, True)
        client.advance(manual.POLL)
        assert client[DEV]["DOME_PARK"]["PARK"] is True
        weather(client, State.OK)
        weather(client, None)  # the station's status was deleted (it disconnected)
        park = client.set(DEV, "DOME_PARK", UNPARK=True)
        assert park.state is State.ALERT and "unknown" in (park.message or "")


def test_off_a_pi_the_roof_simulates_itself(roof: ModuleType) -> None:
    assert roof.SIMULATE  # GPIOZERO_PIN_FACTORY=mock
    with roof.app.test_client() as client:
        connect(client, DEV)
        client.advance(roof.POLL)
        park = client[DEV]["DOME_PARK"]
        assert park["PARK"] is True and park.state is State.OK  # it starts closed
        weather(client, State.OK)
        client.set(DEV, "DOME_PARK", UNPARK=True)
        assert park["UNPARK"] is True and park.state is State.OK
        assert roof.TRAVEL <= client.now < roof.TRAVEL + 1
        assert roof.app.hw.open_limit.is_pressed and not roof.app.hw.closed_limit.is_pressed


def test_unsafe_weather_as_an_opening_starts(manual: ModuleType, closed_roof: Any) -> None:
    """The roof has not left its closed switch yet: the opening stops and it stays parked."""
    client = closed_roof
    weather(client, State.OK)
    client.set(DEV, "DOME_MOTION", DOME_CW=True, wait=False)
    assert manual.app.hw.motor.value == 1
    weather(client, State.ALERT)
    client.advance(1.0)
    assert manual.app.hw.motor.value == 0
    park = client[DEV]["DOME_PARK"]
    assert park.state is State.OK and park["PARK"] is True
    assert client[DEV]["DOME_MOTION"].state is State.ALERT  # the opening did not happen
