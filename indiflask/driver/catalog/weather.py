"""Weather standard properties (``Interface.WEATHER``, libindi's ``WeatherInterface``).

Once connected, libindi defines ``WEATHER_UPDATE``, ``WEATHER_REFRESH``,
``WEATHER_OVERRIDE``, ``WEATHER_PARAMETERS`` (one read-only number per
measured parameter), ``WEATHER_STATUS`` (one light per *critical* parameter,
named like it) and, per parameter, a writable number property named after it
(``WEATHER_TEMPERATURE``...) holding its safe range (``MIN_OK``, ``MAX_OK``)
and the percentage of that range that warns (``PERC_WARN``); it also defines
``GEOGRAPHIC_COORD`` and ``ACTIVE_DEVICES``.

Ekos' Observatory takes the overall weather status from the *state* of
``WEATHER_STATUS``, graphs ``WEATHER_PARAMETERS``, and refreshes through
``WEATHER_REFRESH`` and ``WEATHER_UPDATE``::

    from indiflask.driver.catalog import weather

    params = {"WEATHER_TEMPERATURE": ("Temperature (C)", -50, 70),
              "WEATHER_WIND_SPEED": ("Wind (kph)", 0, 200)}
    readings = weather.WEATHER_PARAMETERS.declare(app, members=weather.parameters(params))
    status = weather.WEATHER_STATUS.declare(app, members=weather.status_lights(params))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...core.members import Light, Number
from ...errors import SetupError
from .interfaces import Interface
from .spec import StandardProperty, define, light, num, sw

__all__ = [
    "GEOGRAPHIC_COORD",
    "PROPERTIES",
    "WEATHER_OVERRIDE",
    "WEATHER_PARAMETERS",
    "WEATHER_REFRESH",
    "WEATHER_STATUS",
    "WEATHER_UPDATE",
    "parameter_range",
    "parameters",
    "status_lights",
]


def _define(*args: Any, **options: Any) -> StandardProperty:
    return define(*args, interfaces=Interface.WEATHER, **options)


WEATHER_UPDATE = _define(
    "Number",
    "WEATHER_UPDATE",
    "Update",
    "Main Control",
    num("PERIOD", "Period (s)", "%.f", 0, 3600, 60, 60),
    saved=True,
    ro_allowed=True,
    summary=(
        "How often the weather is refreshed, in seconds (0: never); Ekos reads the first member."
    ),
)

WEATHER_REFRESH = _define(
    "Switch",
    "WEATHER_REFRESH",
    "Weather",
    "Main Control",
    sw("REFRESH", "Refresh"),
    rule="AtMostOne",
    timeout=0,
    summary="Refresh the readings now; Ekos' Observatory sends it.",
)

WEATHER_OVERRIDE = _define(
    "Switch",
    "WEATHER_OVERRIDE",
    "Safety",
    "Main Control",
    sw("OVERRIDE", "Override Status"),
    rule="AnyOfMany",
    timeout=0,
    summary="Declare the weather safe whatever the readings.",
)

WEATHER_STATUS = _define(
    "Light",
    "WEATHER_STATUS",
    "Status",
    "Main Control",
    light("WEATHER_FORECAST", "Weather"),
    light("WEATHER_TEMPERATURE", "Temperature (C)"),
    light("WEATHER_WIND_SPEED", "Wind (kph)"),
    light("WEATHER_RAIN_HOUR", "Precip (mm)"),
    variable_members=True,
    summary=(
        "One light per critical parameter, named after it; Ekos takes the overall "
        "weather status from the state of this property, not from its lights."
    ),
)

WEATHER_PARAMETERS = _define(
    "Number",
    "WEATHER_PARAMETERS",
    "Parameters",
    "Parameters",
    num("WEATHER_FORECAST", "Weather", "%4.2f", 0, 0, 0, 0),
    num("WEATHER_TEMPERATURE", "Temperature (C)", "%4.2f", -10, 30, 0, 15),
    num("WEATHER_WIND_SPEED", "Wind (kph)", "%4.2f", 0, 20, 0, 0),
    num("WEATHER_WIND_GUST", "Gust (kph)", "%4.2f", 0, 20, 0, 0),
    num("WEATHER_RAIN_HOUR", "Precip (mm)", "%4.2f", 0, 0, 0, 0),
    perm="ro",
    variable_members=True,
    summary=(
        "The readings, one member per parameter (WEATHER_TEMPERATURE, "
        "WEATHER_WIND_SPEED, ...); Ekos graphs them and uses the first *_TEMPERATURE "
        "one as a temperature source."
    ),
)

GEOGRAPHIC_COORD = _define(
    "Number",
    "GEOGRAPHIC_COORD",
    "Location",
    "Site Management",
    num("LAT", "Lat (dd:mm:ss)", "%010.6m", -90, 90, 0, 0),
    num("LONG", "Lon (dd:mm:ss)", "%010.6m", 0, 360, 0, 0),
    num("ELEV", "Elevation (m)", "%g", -200, 10000, 0, 0),
    saved=True,
    ro_allowed=True,
    summary=(
        "The site's latitude, longitude and elevation; Ekos writes the KStars location into it."
    ),
)

#: Every property above, in the order libindi defines them.
PROPERTIES: tuple[StandardProperty, ...] = (
    WEATHER_UPDATE,
    WEATHER_REFRESH,
    WEATHER_OVERRIDE,
    WEATHER_STATUS,
    WEATHER_PARAMETERS,
    GEOGRAPHIC_COORD,
)


#: libindi's parameter names and labels (the weather simulator's and the usual ones).
PARAMETER_LABELS: dict[str, str] = {
    "WEATHER_FORECAST": "Weather",
    "WEATHER_TEMPERATURE": "Temperature (C)",
    "WEATHER_HUMIDITY": "Humidity %",
    "WEATHER_DEWPOINT": "Dew Point (C)",
    "WEATHER_PRESSURE": "Pressure (hPa)",
    "WEATHER_WIND_SPEED": "Wind (kph)",
    "WEATHER_WIND_GUST": "Gust (kph)",
    "WEATHER_RAIN_HOUR": "Precip (mm)",
    "WEATHER_CLOUD_COVER": "Clouds (%)",
    "WEATHER_SKY_QUALITY": "Sky Quality (mag/arcsec^2)",
}

#: A parameter: a label, or ``(label, min, max)`` or ``(label, min, max, format)``.
ParameterSpec = str | tuple[str, float, float] | tuple[str, float, float, str]


def parameters(spec: Mapping[str, ParameterSpec] | Sequence[str]) -> list[Number]:
    """Members for ``WEATHER_PARAMETERS``, one per parameter, in the order given.

    ``spec`` maps each parameter name to its label, or to ``(label, min, max)``
    or ``(label, min, max, format)`` (libindi's format is ``%4.2f``); a plain
    list of names takes the labels from :data:`PARAMETER_LABELS`.
    """
    members = []
    for name, item in _items(spec):
        label, low, high, fmt = _unpack(name, item)
        members.append(num(name, label, fmt, low, high, 0, max(low, min(0.0, high))))
    if not members:
        raise SetupError("a weather device needs at least one parameter")
    return members


def status_lights(spec: Mapping[str, ParameterSpec] | Sequence[str]) -> list[Light]:
    """Members for ``WEATHER_STATUS``: a light per critical parameter, named and labelled alike."""
    lights = [light(name, _unpack(name, item)[0]) for name, item in _items(spec)]
    if not lights:
        raise SetupError("WEATHER_STATUS needs at least one light")
    return lights


def parameter_range(min_ok: float, max_ok: float, perc_warn: float = 15) -> list[Number]:
    """Members for a parameter's range property (named like the parameter, in group ``Parameters``).

    Readings inside ``[min_ok, max_ok]`` are Ok; within ``perc_warn`` percent
    of the range from either end they warn (Busy); outside they are Alert.
    """
    return [
        num("MIN_OK", "OK range min", "%4.2f", -1e6, 1e6, 0, min_ok),
        num("MAX_OK", "OK range max", "%4.2f", -1e6, 1e6, 0, max_ok),
        num("PERC_WARN", "% for Warning", "%g", 0, 100, 1, perc_warn),
    ]


def _items(spec: Mapping[str, ParameterSpec] | Sequence[str]) -> list[tuple[str, ParameterSpec]]:
    if isinstance(spec, Mapping):
        return list(spec.items())
    if isinstance(spec, str):
        raise SetupError("give a list of parameter names, not one string")
    return [(name, PARAMETER_LABELS.get(name, name)) for name in spec]


def _unpack(name: str, item: ParameterSpec) -> tuple[str, float, float, str]:
    if isinstance(item, str):
        return item, 0.0, 0.0, "%4.2f"
    if len(item) == 3:
        return item[0], float(item[1]), float(item[2]), "%4.2f"
    if len(item) == 4:
        return item[0], float(item[1]), float(item[2]), item[3]
    raise SetupError(f"weather parameter {name!r}: give a label or (label, min, max[, format])")
