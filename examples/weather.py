"""A weather station KStars/Ekos understands: readings, safe ranges, one overall status.

Run it:   indiflask run examples/weather.py             (an INDI server on 127.0.0.1:7624)
          WEATHER_SEED=7 indiflask run examples/weather.py     (a repeatable random walk)
Then:     indiflask set "Weather Station.CONNECTION.CONNECT=On"
          indiflask get "Weather Station.WEATHER_STATUS.*"
          indiflask set "Weather Station.WEATHER_WIND_SPEED.MAX_OK=10"   (a tighter wind limit)
In KStars: an Ekos profile with "Remote host" 127.0.0.1, port 7624; Ekos'
          Observatory shows the weather and its status.
Under indiserver (or a local Ekos profile):
          indiflask shim examples/weather.py indi_flask_weather --dir ~/bin
          indiserver ~/bin/indi_flask_weather          (an absolute path)

As libindi's weather drivers do: WEATHER_PARAMETERS holds the readings, each
parameter has a property of the same name with its safe range (``MIN_OK``,
``MAX_OK``, and ``PERC_WARN``: the percentage of the range, at either end, that
only warns), and WEATHER_STATUS has a light per parameter: Ok inside the range,
Busy in the warning margin, Alert outside. **The state of WEATHER_STATUS is the
overall weather** (the worst light): that is what Ekos and a roof snooping the
station read. Readings are taken every WEATHER_UPDATE seconds (saved in the
configuration file) and at once on WEATHER_REFRESH.
"""

import os
import random

from indiflask import App, Reject, State
from indiflask.standard import weather

app = App("Weather Station", interfaces="weather")

# name: (label, lowest and highest value the sensor reports)
SENSORS = {
    "WEATHER_TEMPERATURE": ("Temperature (C)", -30, 45),
    "WEATHER_HUMIDITY": ("Humidity %", 0, 100),
    "WEATHER_WIND_SPEED": ("Wind (kph)", 0, 150),
    "WEATHER_RAIN_HOUR": ("Precip (mm)", 0, 50),
}
# name: the safe range (MIN_OK, MAX_OK); clients may change them
SAFE = {
    "WEATHER_TEMPERATURE": (-10, 30),
    "WEATHER_HUMIDITY": (0, 85),
    "WEATHER_WIND_SPEED": (0, 30),
    "WEATHER_RAIN_HOUR": (0, 0),  # any rain is unsafe
}


class SimulatedSensors:
    """Temperature, humidity and wind as a bounded random walk; rain when it is humid."""

    def __init__(self, seed=None):
        self.random = random.Random(seed)
        self.values = {"WEATHER_TEMPERATURE": 12.0, "WEATHER_HUMIDITY": 60.0}
        self.values |= {"WEATHER_WIND_SPEED": 8.0, "WEATHER_RAIN_HOUR": 0.0}

    def read(self) -> dict[str, float]:
        """Take one step of the walk and return the readings."""
        for name, spread in (("WEATHER_TEMPERATURE", 0.3), ("WEATHER_HUMIDITY", 1.5)):
            self.values[name] += self.random.gauss(0, spread)
        self.values["WEATHER_WIND_SPEED"] += self.random.gauss(0, 2.0)
        humid = self.values["WEATHER_HUMIDITY"] > 95
        self.values["WEATHER_RAIN_HOUR"] = self.random.uniform(0.1, 2) if humid else 0.0
        for name, (_, low, high) in SENSORS.items():
            self.values[name] = min(high, max(low, self.values[name]))
        return dict(self.values)


@app.on_start
def open_sensors():
    seed = os.environ.get("WEATHER_SEED")
    app.hw.sensors = SimulatedSensors(int(seed) if seed else None)
    app.hw.since_reading = 0.0


readings = app.standard(weather.WEATHER_PARAMETERS, members=weather.parameters(SENSORS))
status = app.standard(weather.WEATHER_STATUS, members=weather.status_lights(SENSORS))


# One property per parameter, named like it, with its safe range.
def check_range(change):
    if change["MIN_OK"] > change["MAX_OK"]:
        raise Reject("MIN_OK must not be above MAX_OK")
    change.property.update(change)  # apply now, so the lights judge the new range
    evaluate()


ranges = {}
for name, (low, high) in SAFE.items():
    members = weather.parameter_range(low, high)
    ranges[name] = app.number(
        name, label=SENSORS[name][0], group="Parameters", members=members, persist=True
    )
    ranges[name](check_range)


@app.standard(weather.WEATHER_UPDATE, value=60)
def period(change):
    pass  # accepted: the poll below reads it


@app.standard(weather.WEATHER_REFRESH)
def refresh(change):
    if change["REFRESH"]:
        take_reading()
    return {"REFRESH": False}  # a push button


@app.on_connect
def first_reading():
    take_reading()  # the properties are defined with real values


@app.hardware(every=1.0)
def poll():
    app.hw.since_reading += 1.0
    if readings.defined and 0 < period["PERIOD"] <= app.hw.since_reading:
        take_reading()


def take_reading() -> None:
    app.hw.since_reading = 0.0
    for name, value in app.hw.sensors.read().items():
        readings[name] = value
    evaluate()


def judge(name: str) -> State:
    """libindi's rule: Alert outside the safe range, Busy within PERC_WARN % of an end
    (not at the sensor's own floor: calm wind is no warning), else Ok."""
    value, floor = readings[name], SENSORS[name][1]
    low, high, percent = (ranges[name][m] for m in ("MIN_OK", "MAX_OK", "PERC_WARN"))
    if not low <= value <= high:
        return State.ALERT
    margin = (high - low) * percent / 100
    if value > high - margin or (low > floor and value < low + margin):
        return State.BUSY
    return State.OK


def evaluate() -> None:
    """Set each light and the overall state (the worst light); send them while connected."""
    for name in SENSORS:
        status[name] = judge(name)
    worst = max((status[name] for name in SENSORS), key=[State.OK, State.BUSY, State.ALERT].index)
    if worst is State.ALERT and status.state is not State.ALERT and status.defined:
        unsafe = [SENSORS[name][0] for name in SENSORS if status[name] is State.ALERT]
        app.message(f"weather unsafe: {', '.join(unsafe)} outside the safe range")
    status.state = readings.state = worst
    if status.defined:
        readings.send()
        status.send()
