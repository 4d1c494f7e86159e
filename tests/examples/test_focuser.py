"""examples/focuser.py: an async move with live position, refusals while moving, abort."""

from __future__ import annotations

from types import ModuleType

import pytest
from example_kit import load_example

from indiflask import State
from indiflask.driver.lint import lint
from indiflask.protocol import events as ev

DEV = "Focuser Simulator"


@pytest.fixture(autouse=True)
def fast_motor(focuser: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(focuser, "SPEED", 100_000)  # 100 steps per tick
    monkeypatch.setattr(focuser, "TICK", 0.001)


def position_updates(client) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    return [
        (e.state.value, e.values["FOCUS_ABSOLUTE_POSITION"])
        for e in client.received
        if isinstance(e, ev.SetNumberVector) and e.name == "ABS_FOCUS_POSITION"
    ]


def during_move(focuser: ModuleType, at_step: int, action) -> None:  # type: ignore[no-untyped-def]
    """Call ``action()`` when the motor has taken ``at_step`` steps of the next move."""
    motor = focuser.app.hw.motor
    original = motor.step_towards
    steps = 0

    async def step_towards(target: int) -> int:
        nonlocal steps
        steps += 1
        if steps == at_step:
            action()
        return await original(target)

    motor.step_towards = step_towards


def feed(focuser: ModuleType, event: ev.Event) -> None:
    """Deliver a client's change straight to the running driver (mid-handler)."""
    focuser.app.driver.feed(event)


def test_definitions_use_the_focuser_names(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        assert list(client[DEV]) == ["CONNECTION", "DRIVER_INFO", "CONFIG_PROCESS"]
        assert client[DEV]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "8"
        client.set(DEV, "CONNECTION", CONNECT=True)
        assert list(client[DEV]) == [
            "CONNECTION",
            "DRIVER_INFO",
            "CONFIG_PROCESS",
            "ABS_FOCUS_POSITION",
            "FOCUS_MOTION",
            "REL_FOCUS_POSITION",
            "FOCUS_MAX",
            "FOCUS_ABORT_MOTION",
            "FOCUS_TEMPERATURE",
        ]
        prop = client[DEV]["ABS_FOCUS_POSITION"]
        assert prop["FOCUS_ABSOLUTE_POSITION"] == 25_000
        assert prop.state is State.IDLE
        assert client[DEV]["FOCUS_ABORT_MOTION"].rule.value == "AtMostOne"
        assert lint(focuser.app) == []


def test_move_is_busy_with_live_position_then_ok(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.received.clear()
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=25_500)
        updates = position_updates(client)
        assert updates[0] == ("Busy", 25_000)
        assert [p for _, p in updates[1:-1]] == [25_100, 25_200, 25_300, 25_400, 25_500]
        assert all(s == "Busy" for s, _ in updates[:-1])
        assert updates[-1] == ("Ok", 25_500)
        assert client[DEV]["ABS_FOCUS_POSITION"]["FOCUS_ABSOLUTE_POSITION"] == 25_500
        assert focuser.app.hw.motor.position == 25_500


def test_moving_inwards(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=24_750)
        assert position_updates(client)[-1] == ("Ok", 24_750)


def test_a_second_change_while_moving_is_refused(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        second = ev.NewNumberVector(
            device=DEV, name="ABS_FOCUS_POSITION", values={"FOCUS_ABSOLUTE_POSITION": 100.0}
        )
        during_move(focuser, 2, lambda: feed(focuser, second))
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=25_500)
        assert any("busy" in text for text in client.messages)
        prop = client[DEV]["ABS_FOCUS_POSITION"]
        assert prop.state is State.OK
        assert prop["FOCUS_ABSOLUTE_POSITION"] == 25_500  # the first move won


def test_a_relative_move_while_moving_is_refused(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        relative = ev.NewNumberVector(
            device=DEV, name="REL_FOCUS_POSITION", values={"FOCUS_RELATIVE_POSITION": 1_000.0}
        )
        during_move(focuser, 2, lambda: feed(focuser, relative))
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=25_500)
        rel = client[DEV]["REL_FOCUS_POSITION"]
        assert rel.state is State.ALERT
        assert "moving" in rel.message
        assert client[DEV]["ABS_FOCUS_POSITION"]["FOCUS_ABSOLUTE_POSITION"] == 25_500


def test_abort_stops_the_motor_where_it_is(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        abort = ev.NewSwitchVector(device=DEV, name="FOCUS_ABORT_MOTION", values={"ABORT": True})
        during_move(focuser, 3, lambda: feed(focuser, abort))
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=30_000)
        prop = client[DEV]["ABS_FOCUS_POSITION"]
        assert prop.state is State.ALERT
        assert prop.message == "aborted at 25300"
        assert prop["FOCUS_ABSOLUTE_POSITION"] == 25_300
        assert focuser.app.hw.motor.position == 25_300
        button = client[DEV]["FOCUS_ABORT_MOTION"]
        assert button["ABORT"] is False and button.state is State.OK
        # the focuser moves again after an abort
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=25_000)
        assert prop.state is State.OK and prop["FOCUS_ABSOLUTE_POSITION"] == 25_000


def test_abort_while_idle_is_harmless(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.set(DEV, "FOCUS_ABORT_MOTION", ABORT=True)
        assert client[DEV]["FOCUS_ABORT_MOTION"].state is State.OK
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=25_100)
        assert client[DEV]["ABS_FOCUS_POSITION"].state is State.OK


def test_relative_moves_follow_the_direction_switch(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.set(DEV, "FOCUS_MOTION", FOCUS_OUTWARD=True)
        assert client[DEV]["FOCUS_MOTION"]["FOCUS_INWARD"] is False
        client.set(DEV, "REL_FOCUS_POSITION", FOCUS_RELATIVE_POSITION=300)
        assert client[DEV]["REL_FOCUS_POSITION"].state is State.OK
        assert client[DEV]["ABS_FOCUS_POSITION"]["FOCUS_ABSOLUTE_POSITION"] == 25_300
        assert client[DEV]["ABS_FOCUS_POSITION"].state is State.OK
        client.set(DEV, "FOCUS_MOTION", FOCUS_INWARD=True)
        client.set(DEV, "REL_FOCUS_POSITION", FOCUS_RELATIVE_POSITION=1_000)
        assert client[DEV]["ABS_FOCUS_POSITION"]["FOCUS_ABSOLUTE_POSITION"] == 24_300


def test_abort_during_a_relative_move(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        abort = ev.NewSwitchVector(device=DEV, name="FOCUS_ABORT_MOTION", values={"ABORT": True})
        during_move(focuser, 2, lambda: feed(focuser, abort))
        client.set(DEV, "REL_FOCUS_POSITION", FOCUS_RELATIVE_POSITION=1_000)
        assert client[DEV]["REL_FOCUS_POSITION"].state is State.ALERT
        prop = client[DEV]["ABS_FOCUS_POSITION"]
        assert prop.state is State.ALERT and prop.message == "aborted at 24800"


def test_out_of_range_is_refused_before_the_handler(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=60_000)
        prop = client[DEV]["ABS_FOCUS_POSITION"]
        assert prop.state is State.ALERT
        assert focuser.app.hw.motor.position == 25_000


def test_focus_max_limits_absolute_moves_and_is_saved(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.set(DEV, "FOCUS_MAX", FOCUS_MAX_VALUE=30_000)
        assert client[DEV]["ABS_FOCUS_POSITION"].members["FOCUS_ABSOLUTE_POSITION"].max == 30_000
        client.set(DEV, "ABS_FOCUS_POSITION", FOCUS_ABSOLUTE_POSITION=40_000)
        assert client[DEV]["ABS_FOCUS_POSITION"].state is State.ALERT  # past the new maximum
        client.set(DEV, "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
    with load_example("focuser").app.test_client() as client:
        client.set(DEV, "CONNECTION", CONNECT=True)  # the saved maximum comes back
        assert client[DEV]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 30_000
        assert client[DEV]["ABS_FOCUS_POSITION"].members["FOCUS_ABSOLUTE_POSITION"].max == 30_000


def test_the_temperature_is_sent_while_connected(focuser: ModuleType) -> None:
    with focuser.app.test_client() as client:
        client.advance(10)  # not connected: the reading is not sent (nor does it fail)
        client.set(DEV, "CONNECTION", CONNECT=True)
        client.received.clear()
        client.advance(5)
        assert any(
            isinstance(e, ev.SetNumberVector) and e.name == "FOCUS_TEMPERATURE"
            for e in client.received
        )
        assert 5 < client[DEV]["FOCUS_TEMPERATURE"]["TEMPERATURE"] < 11
