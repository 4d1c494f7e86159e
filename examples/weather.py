"""A simulated weather station: readings every few seconds, status lights and alerts.

Run it:   indiflask run examples/weather.py             (an INDI server on 127.0.0.1:7624)
          WEATHER_SEED=7 indiflask run examples/weather.py     (a repeatable random walk)
Then:     indi_getprop 'Weather Station.WEATHER_STATUS.*'
          indi_setprop 'Weather Station.WEATHER_LIMITS.WIND_MAX=5'     (tighten a threshold)
Under indiserver:  indiflask shim examples/weather.py indi_flask_weather --dir ~/bin
                   indiserver ~/bin/indi_flask_weather          (an absolute path)

Every ``READ_EVERY`` seconds the simulated sensor takes a step of a random walk.
Each reading has a light in WEATHER_STATUS: Ok inside its limit, Busy within
``WARN_MARGIN`` of it (a warning), Alert past it. WEATHER_PARAMETERS takes the
worst light's state, and the first reading past a limit sends an INDI message.
Clients may change the limits in WEATHER_LIMITS; the lights follow at once.
"""

import os
import random

from indiflask import App, Light, Number, Reject, State

app = App("Weather Station")

READ_EVERY = 5.0
WARN_MARGIN = 0.1  # within 10% of the limit's range: a warning (Busy)


class SimulatedSensor:
    """Temperature, humidity and wind as a bounded random walk (seed it to repeat a run)."""

    def __init__(self, seed: int | None = None) -> None:
        self.random = random.Random(seed)
        self.temperature = 12.0
        self.humidity = 60.0
        self.wind = 3.0

    def read(self) -> dict[str, float]:
        """Take one step of the walk and return the readings."""
        step = self.random.gauss
        self.temperature = min(45.0, max(-30.0, self.temperature + step(0, 0.3)))
        self.humidity = min(100.0, max(0.0, self.humidity + step(0, 1.5)))
        self.wind = min(40.0, max(0.0, self.wind + step(0, 0.8)))
        return {
            "WEATHER_TEMPERATURE": self.temperature,
            "WEATHER_HUMIDITY": self.humidity,
            "WEATHER_WIND_SPEED": self.wind,
        }


readings = app.number(
    "WEATHER_PARAMETERS",
    label="Parameters",
    group="Status",
    perm="ro",
    members=[
        Number(
            "WEATHER_TEMPERATURE",
            label="Temperature (C)",
            format="%5.1f",
            min=-30,
            max=45,
            value=12,
        ),
        Number("WEATHER_HUMIDITY", label="Humidity (%)", format="%5.1f", min=0, max=100, value=60),
        Number("WEATHER_WIND_SPEED", label="Wind (m/s)", format="%5.1f", min=0, max=40, value=3),
    ],
)

status = app.light(
    "WEATHER_STATUS",
    label="Status",
    group="Status",
    members=[
        Light("WEATHER_TEMPERATURE", label="Temperature"),
        Light("WEATHER_HUMIDITY", label="Humidity"),
        Light("WEATHER_WIND_SPEED", label="Wind"),
    ],
)


@app.number(
    "WEATHER_LIMITS",
    label="Limits",
    group="Limits",
    members=[
        Number(
            "TEMP_MIN", label="Lowest temperature (C)", format="%5.1f", min=-30, max=45, value=-10
        ),
        Number(
            "TEMP_MAX", label="Highest temperature (C)", format="%5.1f", min=-30, max=45, value=30
        ),
        Number(
            "HUMIDITY_MAX", label="Highest humidity (%)", format="%5.1f", min=0, max=100, value=85
        ),
        Number("WIND_MAX", label="Highest wind (m/s)", format="%5.1f", min=0, max=40, value=10),
    ],
)
def limits(change):
    if change["TEMP_MIN"] >= change["TEMP_MAX"]:
        raise Reject("TEMP_MIN must be below TEMP_MAX")
    for name, value in change.items():
        limits[name] = value  # apply now, so the lights below judge the new limits
    evaluate()


@app.on_start
def open_sensor():
    seed = os.environ.get("WEATHER_SEED")
    app.hw.sensor = SimulatedSensor(int(seed) if seed else None)
    app.hw.alerting = set()  # the readings past their limit, so each alert is said once


@app.hardware(every=READ_EVERY)
def poll():
    for name, value in app.hw.sensor.read().items():
        readings[name] = value
    evaluate()


def judge(value: float, low: float | None, high: float | None, span: float) -> State:
    """Ok, Busy (within WARN_MARGIN of a limit) or Alert (past one)."""
    margin = WARN_MARGIN * span
    if (high is not None and value > high) or (low is not None and value < low):
        return State.ALERT
    if (high is not None and value > high - margin) or (low is not None and value < low + margin):
        return State.BUSY
    return State.OK


def evaluate() -> None:
    """Set the lights from the readings and limits; send both; announce new alerts."""
    temperature = readings["WEATHER_TEMPERATURE"]
    lights = {
        "WEATHER_TEMPERATURE": judge(
            temperature,
            limits["TEMP_MIN"],
            limits["TEMP_MAX"],
            limits["TEMP_MAX"] - limits["TEMP_MIN"],
        ),
        "WEATHER_HUMIDITY": judge(
            readings["WEATHER_HUMIDITY"], None, limits["HUMIDITY_MAX"], limits["HUMIDITY_MAX"]
        ),
        "WEATHER_WIND_SPEED": judge(
            readings["WEATHER_WIND_SPEED"], None, limits["WIND_MAX"], limits["WIND_MAX"]
        ),
    }
    for name, light in lights.items():
        status[name] = light
        if light is State.ALERT and name not in app.hw.alerting:
            app.hw.alerting.add(name)
            app.message(f"{readings.members[name].label} {readings[name]:.1f} is past its limit")
        elif light is not State.ALERT:
            app.hw.alerting.discard(name)
    worst = max(lights.values(), key=[State.OK, State.BUSY, State.ALERT].index)
    status.state = worst
    readings.state = worst
    status.send()
    readings.send()
