"""examples/weather.py: readings, safe ranges, lights and the overall status, refresh and period."""

from __future__ import annotations

from types import ModuleType

import pytest
from example_kit import connect, load_example

from indiflask import State
from indiflask.driver.lint import lint
from indiflask.protocol import events as ev

DEV = "Weather Station"
CALM = {
    "WEATHER_TEMPERATURE": 12.0,
    "WEATHER_HUMIDITY": 50.0,
    "WEATHER_WIND_SPEED": 5.0,
    "WEATHER_RAIN_HOUR": 0.0,
}


class ScriptedSensors:
    """Readings the test chooses."""

    def __init__(self) -> None:
        self.values = dict(CALM)
        self.reads = 0

    def read(self) -> dict[str, float]:
        self.reads += 1
        return dict(self.values)


@pytest.fixture
def sensors(weather: ModuleType) -> ScriptedSensors:
    """Replace the simulated sensors as soon as the app starts."""
    scripted = ScriptedSensors()
    weather.app.on_start(lambda: setattr(weather.app.hw, "sensors", scripted))
    return scripted


def test_a_weather_station_as_ekos_reads_it(weather: ModuleType, sensors: ScriptedSensors) -> None:
    with weather.app.test_client() as client:
        assert client[DEV]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "128"
        connect(client, DEV)
        status, params = client[DEV]["WEATHER_STATUS"], client[DEV]["WEATHER_PARAMETERS"]
        assert list(params) == list(weather.SENSORS) == list(status)
        assert params["WEATHER_WIND_SPEED"] == 5.0  # read at connect: defined with real values
        assert status.state is State.OK  # the overall status Ekos reads
        assert client[DEV]["WEATHER_UPDATE"]["PERIOD"] == 60
        wind = client[DEV]["WEATHER_WIND_SPEED"]  # the safe range, named like the parameter
        assert list(wind) == ["MIN_OK", "MAX_OK", "PERC_WARN"] and wind["MAX_OK"] == 30
    assert lint(weather.app) == []


def test_each_light_and_the_overall_state(weather: ModuleType, sensors: ScriptedSensors) -> None:
    with weather.app.test_client() as client:
        connect(client, DEV)
        status = client[DEV]["WEATHER_STATUS"]
        sensors.values["WEATHER_WIND_SPEED"] = 27.0  # within 15 % of MAX_OK 30: a warning
        client.set(DEV, "WEATHER_REFRESH", REFRESH=True)
        assert status["WEATHER_WIND_SPEED"] is State.BUSY and status.state is State.BUSY
        assert client[DEV]["WEATHER_REFRESH"]["REFRESH"] is False  # a push button
        sensors.values["WEATHER_RAIN_HOUR"] = 0.2  # any rain is unsafe
        client.set(DEV, "WEATHER_REFRESH", REFRESH=True)
        assert status["WEATHER_RAIN_HOUR"] is State.ALERT and status.state is State.ALERT
        assert client[DEV]["WEATHER_PARAMETERS"].state is State.ALERT
        assert client.messages[-1] == "weather unsafe: Precip (mm) outside the safe range"
        sensors.values.update(CALM)
        client.set(DEV, "WEATHER_REFRESH", REFRESH=True)
        assert status.state is State.OK
        assert {status[name] for name in status} == {State.OK}  # calm wind is no warning


def test_a_client_changes_a_safe_range(weather: ModuleType, sensors: ScriptedSensors) -> None:
    with weather.app.test_client() as client:
        connect(client, DEV)
        prop = client.set(DEV, "WEATHER_WIND_SPEED", MAX_OK=4)
        assert prop.state is State.OK
        assert client[DEV]["WEATHER_STATUS"].state is State.ALERT  # judged at once
        bad = client.set(DEV, "WEATHER_WIND_SPEED", MIN_OK=10)
        assert bad.state is State.ALERT and bad["MIN_OK"] == 0


def test_readings_follow_weather_update(weather: ModuleType, sensors: ScriptedSensors) -> None:
    with weather.app.test_client() as client:
        client.advance(120)
        assert sensors.reads == 0  # not connected: nothing is read
        connect(client, DEV)
        assert sensors.reads == 1
        client.advance(60)
        assert sensors.reads == 2
        client.set(DEV, "WEATHER_UPDATE", PERIOD=10)
        client.advance(30)
        assert sensors.reads == 5
        client.set(DEV, "WEATHER_UPDATE", PERIOD=0)  # never
        client.advance(300)
        assert sensors.reads == 5


def test_the_period_and_ranges_are_saved(weather: ModuleType, sensors: ScriptedSensors) -> None:
    with weather.app.test_client() as client:
        connect(client, DEV)
        client.set(DEV, "WEATHER_UPDATE", PERIOD=15)
        client.set(DEV, "WEATHER_HUMIDITY", MAX_OK=70)
        client.set(DEV, "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
    with load_example("weather").app.test_client() as client:
        connect(client, DEV)
        assert client[DEV]["WEATHER_UPDATE"]["PERIOD"] == 15
        assert client[DEV]["WEATHER_HUMIDITY"]["MAX_OK"] == 70


def test_the_seeded_walk_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEATHER_SEED", "7")
    weather = load_example("weather")
    expected = weather.SimulatedSensors(7).read()
    with weather.app.test_client() as client:
        client.received.clear()
        connect(client, DEV)
        params = client[DEV]["WEATHER_PARAMETERS"]
        assert {name: params[name] for name in params} == pytest.approx(expected)
        for name, (_, low, high) in weather.SENSORS.items():
            assert low <= params[name] <= high
        defined = [e.name for e in client.received if isinstance(e, ev.DefVector)]
        assert defined.index("WEATHER_PARAMETERS") < defined.index("WEATHER_STATUS")
