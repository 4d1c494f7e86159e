"""examples/weather.py: seeded random walk, lights from thresholds, alerts, writable limits."""

from __future__ import annotations

from types import ModuleType

import pytest

from indiflask import State
from indiflask.protocol import events as ev

DEV = "Weather Station"


class ScriptedSensor:
    """Readings the test chooses."""

    def __init__(self) -> None:
        self.values = {
            "WEATHER_TEMPERATURE": 12.0,
            "WEATHER_HUMIDITY": 50.0,
            "WEATHER_WIND_SPEED": 5.0,
        }

    def read(self) -> dict[str, float]:
        return dict(self.values)


def scripted(weather: ModuleType) -> ScriptedSensor:
    sensor = ScriptedSensor()
    weather.app.hw.sensor = sensor
    return sensor


def test_the_seeded_walk_repeats(weather: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEATHER_SEED", "7")
    expected = weather.SimulatedSensor(7)
    with weather.app.test_client() as client:  # the first reading is taken at start
        first = expected.read()
        params = client[DEV]["WEATHER_PARAMETERS"]
        assert dict(params) == first
        client.advance(weather.READ_EVERY)
        assert dict(params) == expected.read()
    assert weather.SimulatedSensor(3).read() == weather.SimulatedSensor(3).read()


def test_a_reading_every_interval(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        client.received.clear()
        client.advance(weather.READ_EVERY * 3)
        updates = [
            e
            for e in client.received
            if isinstance(e, ev.SetNumberVector) and e.name == "WEATHER_PARAMETERS"
        ]
        assert len(updates) == 3
        lights = [e for e in client.received if isinstance(e, ev.SetLightVector)]
        assert len(lights) == 3


def test_lights_follow_the_thresholds(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        sensor = scripted(weather)
        status = client[DEV]["WEATHER_STATUS"]
        client.advance(weather.READ_EVERY)
        assert dict(status) == {
            "WEATHER_TEMPERATURE": State.OK,
            "WEATHER_HUMIDITY": State.OK,
            "WEATHER_WIND_SPEED": State.OK,
        }
        assert status.state is State.OK
        assert client[DEV]["WEATHER_PARAMETERS"].state is State.OK

        sensor.values["WEATHER_WIND_SPEED"] = 9.5  # within 10% of the 10 m/s limit
        client.advance(weather.READ_EVERY)
        assert status["WEATHER_WIND_SPEED"] is State.BUSY
        assert status.state is State.BUSY

        sensor.values["WEATHER_TEMPERATURE"] = -12.0  # below TEMP_MIN (-10)
        client.advance(weather.READ_EVERY)
        assert status["WEATHER_TEMPERATURE"] is State.ALERT
        assert status.state is State.ALERT
        assert client[DEV]["WEATHER_PARAMETERS"].state is State.ALERT


def test_crossing_a_threshold_alerts_once(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        sensor = scripted(weather)
        sensor.values["WEATHER_WIND_SPEED"] = 12.0
        client.advance(weather.READ_EVERY)
        assert client.messages == ["Wind (m/s) 12.0 is past its limit"]
        client.advance(weather.READ_EVERY * 2)  # still past it: no new message
        assert len(client.messages) == 1
        sensor.values["WEATHER_WIND_SPEED"] = 2.0
        client.advance(weather.READ_EVERY)
        assert client[DEV]["WEATHER_STATUS"].state is State.OK
        sensor.values["WEATHER_WIND_SPEED"] = 15.0
        client.advance(weather.READ_EVERY)
        assert client.messages[-1] == "Wind (m/s) 15.0 is past its limit"
        assert len(client.messages) == 2


def test_clients_change_the_thresholds(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        scripted(weather)
        client.advance(weather.READ_EVERY)  # wind 5: fine under 10
        client.set(DEV, "WEATHER_LIMITS", WIND_MAX=4)
        limits = client[DEV]["WEATHER_LIMITS"]
        assert limits.state is State.OK and limits["WIND_MAX"] == 4
        status = client[DEV]["WEATHER_STATUS"]
        assert status["WEATHER_WIND_SPEED"] is State.ALERT  # judged at once, no tick needed
        assert "Wind (m/s) 5.0 is past its limit" in client.messages
        client.set(DEV, "WEATHER_LIMITS", HUMIDITY_MAX=52)
        assert status["WEATHER_HUMIDITY"] is State.BUSY


def test_inconsistent_thresholds_are_refused(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        client.set(DEV, "WEATHER_LIMITS", TEMP_MIN=35)
        limits = client[DEV]["WEATHER_LIMITS"]
        assert limits.state is State.ALERT
        assert "TEMP_MIN must be below TEMP_MAX" in limits.message
        assert limits["TEMP_MIN"] == -10


def test_readings_are_read_only(weather: ModuleType) -> None:
    with weather.app.test_client() as client:
        before = client[DEV]["WEATHER_PARAMETERS"].state
        client.send_xml(
            b'<newNumberVector device="Weather Station" name="WEATHER_PARAMETERS">'
            b'<oneNumber name="WEATHER_WIND_SPEED">1</oneNumber></newNumberVector>'
        )
        assert client[DEV]["WEATHER_PARAMETERS"].state is before  # no Alert for a sensor
        assert any("read-only" in text or "ro" in text for text in client.messages)


def test_the_reading_taken_at_start_does_not_fail(weather: ModuleType) -> None:
    """The first poll runs before any client asked for the properties: nothing to send yet."""
    with weather.app.test_client() as client:
        assert weather.app.driver.errors == []
        assert client[DEV]["WEATHER_STATUS"].state is not State.IDLE  # judged at start
