"""The standard-property catalogue: Interface, its entries, lookup, declare and the builders."""

from __future__ import annotations

import re
from types import ModuleType

import pytest

from indiflask import App, DeviceTemplate, Perm, Rule
from indiflask.core.members import Number
from indiflask.driver import catalog
from indiflask.driver.catalog import (
    REQUIREMENTS,
    Interface,
    StandardProperty,
    common,
    dome,
    filter_wheel,
    focuser,
    lightbox,
    weather,
)
from indiflask.errors import SetupError
from indiflask.protocol.connection import Connection, Role

MODULE_INTERFACE = {
    "common": Interface(0),
    "telescope": Interface.TELESCOPE,
    "ccd": Interface.CCD,
    "guider": Interface.GUIDER,
    "focuser": Interface.FOCUSER,
    "filter_wheel": Interface.FILTER,
    "dome": Interface.DOME,
    "weather": Interface.WEATHER,
    "gps": Interface.GPS,
    "rotator": Interface.ROTATOR,
    "lightbox": Interface.LIGHTBOX,
    "dustcap": Interface.DUSTCAP,
}


# ------------------------------------------------------------------ Interface
def test_interface_bits_are_libindis() -> None:
    assert int(Interface.TELESCOPE) == 1 and int(Interface.CCD) == 2
    assert int(Interface.FOCUSER) == 8 and int(Interface.FILTER) == 16
    assert int(Interface.DOME) == 32 and int(Interface.WEATHER) == 128
    assert int(Interface.ROTATOR) == 4096 and int(Interface.AUX) == 32768
    assert int(Interface.POWER) == 262144
    assert [1 << i for i in range(19)] == [int(m) for m in Interface]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("focuser", Interface.FOCUSER),
        ("FOCUSER", Interface.FOCUSER),
        ("Focuser_Interface", Interface.FOCUSER),
        ("mount", Interface.TELESCOPE),
        ("camera", Interface.CCD),
        ("filter_wheel", Interface.FILTER),
        ("filter wheel", Interface.FILTER),
        ("filterwheel", Interface.FILTER),
        ("wheel", Interface.FILTER),
        ("focus", Interface.FOCUSER),
        ("light_box", Interface.LIGHTBOX),
        ("flat-panel", Interface.LIGHTBOX),
        ("dust_cap", Interface.DUSTCAP),
        ("auxiliary", Interface.AUX),
        (["ccd", "guider", "filter"], Interface(22)),
        (("mount", Interface.GUIDER), Interface(5)),
        (22, Interface(22)),
        ("22", Interface(22)),
        (0, Interface(0)),
        ("", Interface(0)),
        (None, Interface(0)),
        ([], Interface(0)),
        (Interface.DOME, Interface.DOME),
    ],
)
def test_interface_parse(value: object, expected: Interface) -> None:
    assert Interface.parse(value) == expected


def test_interface_parse_refuses_unknown_names_naming_the_valid_ones() -> None:
    with pytest.raises(SetupError, match="unknown interface 'focusser'") as info:
        Interface.parse(["focusser"])
    assert "focuser" in str(info.value) and "mount" in str(info.value)
    for bad in (True, 1 << 25, -1, 3.5, [["focuser"]], [3.5], "x" * 3):
        with pytest.raises(SetupError):
            Interface.parse(bad)


@pytest.mark.parametrize(
    ("interfaces", "group"),
    [
        ("focuser", "Focusers"),
        ("mount", "Telescopes"),
        (["telescope", "guider"], "Telescopes"),
        (["ccd", "guider", "filter"], "CCDs"),
        ("filter", "Filter Wheels"),
        ("dome", "Domes"),
        ("weather", "Weather"),
        ("rotator", "Rotators"),
        ("ao", "Adaptive Optics"),
        ("gps", "Auxiliary"),
        ("guider", "Auxiliary"),
        ("lightbox", "Auxiliary"),
        (None, "Auxiliary"),
    ],
)
def test_interface_group(interfaces: object, group: str) -> None:
    assert Interface.parse(interfaces).group == group


def test_interface_names() -> None:
    assert Interface(22).names == ["CCD", "GUIDER", "FILTER"]
    assert Interface(0).names == []


# ------------------------------------------------------------------ consistency
def _module(name: str) -> ModuleType:
    module = getattr(catalog, name)
    assert isinstance(module, ModuleType)
    return module


@pytest.mark.parametrize("name", list(MODULE_INTERFACE))
def test_properties_lists_every_constant_of_the_module(name: str) -> None:
    module = _module(name)
    constants = {k: v for k, v in vars(module).items() if isinstance(v, StandardProperty)}
    assert [p.name for p in module.PROPERTIES] == list(constants)
    assert all(constants[p.name] is p for p in module.PROPERTIES)
    assert set(module.__all__) >= set(constants) | {"PROPERTIES"}
    assert all(p.interfaces == MODULE_INTERFACE[name] for p in module.PROPERTIES)
    assert catalog.MODULES[[m.__name__ for m in catalog.MODULES].index(module.__name__)] is module


@pytest.mark.parametrize("entry", catalog.ALL, ids=lambda p: f"{p.interfaces!r}-{p.name}")
def test_entry_is_consistent(entry: StandardProperty) -> None:
    assert re.fullmatch(r"[A-Z][A-Z0-9_]*[A-Z0-9]", entry.name)
    assert entry.kind in ("Switch", "Number", "Text", "Light", "BLOB")
    assert entry.members and all(m.kind == entry.kind for m in entry.members)
    assert len(set(entry.member_names)) == len(entry.members)
    assert (entry.rule is not None) == (entry.kind == "Switch")
    assert entry.kind != "Light" or entry.perm is Perm.RO
    assert entry.defined in (catalog.START, catalog.ON_CONNECT)
    assert entry.label and entry.group and entry.timeout >= 0
    assert entry.summary.endswith(".") and "\n" not in entry.summary
    assert not entry.ro_allowed or entry.perm is Perm.RW
    assert entry.member_pattern == "" or entry.variable_members
    assert all(entry.accepts_member(m) for m in entry.member_names)
    for member in entry.members:
        if isinstance(member, Number):
            assert member.min <= member.max
    if entry.kind == "Switch" and entry.rule is Rule.ONE_OF_MANY and not entry.variable_members:
        assert sum(bool(m.value) for m in entry.members) <= 1


def test_every_definition_encodes() -> None:
    conn = Connection(Role.DEVICE)
    for entry in catalog.ALL:
        definition = entry.definition("Dev")
        assert definition.name == entry.name and definition.kind == entry.kind
        xml = conn.send(definition).decode()
        assert f'name="{entry.name}"' in xml


def test_the_issues_properties_are_there() -> None:
    wanted = {
        "telescope": "EQUATORIAL_EOD_COORD ON_COORD_SET TELESCOPE_ABORT_MOTION TELESCOPE_PARK",
        "ccd": "CCD_EXPOSURE CCD_FRAME CCD_BINNING CCD_INFO CCD1 CCD_FRAME_TYPE UPLOAD_MODE",
        "focuser": "ABS_FOCUS_POSITION REL_FOCUS_POSITION FOCUS_MOTION FOCUS_ABORT_MOTION",
        "filter": "FILTER_SLOT FILTER_NAME",
        "dome": "DOME_SHUTTER DOME_MOTION DOME_PARK DOME_ABORT_MOTION ABS_DOME_POSITION",
        "weather": "WEATHER_STATUS WEATHER_PARAMETERS WEATHER_UPDATE WEATHER_REFRESH",
        "gps": "GEOGRAPHIC_COORD TIME_UTC",
        "rotator": "ABS_ROTATOR_ANGLE",
        "lightbox": "FLAT_LIGHT_CONTROL FLAT_LIGHT_INTENSITY",
        "dustcap": "CAP_PARK",
        "guider": "TELESCOPE_TIMED_GUIDE_NS TELESCOPE_TIMED_GUIDE_WE",
    }
    for interface, names in wanted.items():
        have = {p.name for p in catalog.for_interfaces(interface)}
        assert set(names.split()) <= have, interface
    general = {p.name for p in common.PROPERTIES}
    assert {"CONNECTION", "DRIVER_INFO", "CONFIG_PROCESS", "DEBUG", "SIMULATION"} <= general
    assert {"POLLING_PERIOD", "ACTIVE_DEVICES"} <= general


def test_member_orders_ekos_reads_by_position() -> None:
    def names(name: str, interfaces: object = None) -> tuple[str, ...]:
        entry = catalog.lookup(name, interfaces)
        assert entry is not None
        return entry.member_names

    assert names("CCD_INFO") == (
        "CCD_MAX_X",
        "CCD_MAX_Y",
        "CCD_PIXEL_SIZE",
        "CCD_PIXEL_SIZE_X",
        "CCD_PIXEL_SIZE_Y",
        "CCD_BITSPERPIXEL",
    )
    assert names("CONNECTION") == ("CONNECT", "DISCONNECT")
    assert names("DEBUG") == ("ENABLE", "DISABLE")
    assert names("DOME_MOTION") == ("DOME_CW", "DOME_CCW")
    assert names("SCOPE_INFO") == ("FOCAL_LENGTH", "APERTURE")
    assert names("CONNECTION_MODE") == ("CONNECTION_SERIAL", "CONNECTION_TCP")
    assert names("CCD_TEMP_RAMP") == ("RAMP_SLOPE", "RAMP_THRESHOLD")
    assert names("DRIVER_INFO") == (
        "DRIVER_NAME",
        "DRIVER_EXEC",
        "DRIVER_VERSION",
        "DRIVER_INTERFACE",
    )
    assert names("CONFIG_PROCESS") == (
        "CONFIG_LOAD",
        "CONFIG_SAVE",
        "CONFIG_DEFAULT",
        "CONFIG_PURGE",
    )


def test_requirements_name_properties_of_their_interface() -> None:
    for bit, needs in REQUIREMENTS.items():
        own = {p.name for p in catalog.for_interfaces(bit)}
        for need in needs:
            assert need.severity in ("error", "warning")
            assert need.reason and set(need.any_of) <= own, (bit, need)
            assert set(need.unless) <= own
        assert any(n.severity == "error" for n in needs)
    assert REQUIREMENTS[Interface.FOCUSER][1].describe() == (
        "one of ABS_FOCUS_POSITION, REL_FOCUS_POSITION or FOCUS_TIMER"
    )


# ------------------------------------------------------------------ lookup
def test_lookup_of_names_in_several_interfaces() -> None:
    mount, weather_site, gps_site = catalog.variants("GEOGRAPHIC_COORD")
    assert (mount.interfaces, weather_site.interfaces, gps_site.interfaces) == (
        Interface.TELESCOPE,
        Interface.WEATHER,
        Interface.GPS,
    )
    assert catalog.lookup("GEOGRAPHIC_COORD") is mount
    assert catalog.lookup("GEOGRAPHIC_COORD", "gps") is gps_site and gps_site.perm is Perm.RO
    assert catalog.lookup("GEOGRAPHIC_COORD", ["focuser", "weather"]) is weather_site
    assert catalog.lookup("GEOGRAPHIC_COORD", "focuser") is mount  # none fits: the first
    assert catalog.lookup("CONNECTION", "focuser") is common.CONNECTION
    assert catalog.lookup("TIME_UTC", Interface.GPS).perm is Perm.RO  # type: ignore[union-attr]
    assert catalog.owners("TIME_UTC") == Interface.TELESCOPE | Interface.GPS
    assert catalog.owners("CONNECTION") == Interface(0)
    assert catalog.lookup("ABS_FOCUS_POSITON") is None
    assert catalog.lookup("abs_focus_position") is None
    assert catalog.variants("NOPE") == ()
    assert "FOCUS_MOTION" in catalog.names()


def test_for_interfaces() -> None:
    names = [p.name for p in catalog.for_interfaces("focuser")]
    assert names[0] == "FOCUS_MOTION" and "CONNECTION" not in names
    with_general = [p.name for p in catalog.for_interfaces("focuser", general=True)]
    assert with_general[0] == "CONNECTION" and with_general[-len(names) :] == names
    both = catalog.for_interfaces(["telescope", "gps"])
    assert [p.name for p in both].count("GEOGRAPHIC_COORD") == 1
    assert catalog.for_interfaces(None) == []


# ------------------------------------------------------------------ using entries
def test_declare_on_an_app_uses_libindis_definition() -> None:
    app = App("Focuser", device="f", interfaces=["focuser"])

    @focuser.ABS_FOCUS_POSITION.declare(
        app,
        limits={"FOCUS_ABSOLUTE_POSITION": (0, 50000, 100)},
        values={"FOCUS_ABSOLUTE_POSITION": 25000},
    )
    def move(change: object) -> None:
        pass

    focuser.FOCUS_MOTION.declare(app)
    prop = app["f"]["ABS_FOCUS_POSITION"]
    assert prop is move and prop.handler is not None
    assert (prop.label, prop.group, prop.perm, prop.timeout) == (
        "Absolute Position",
        "Main Control",
        Perm.RW,
        60.0,
    )
    member = prop.members["FOCUS_ABSOLUTE_POSITION"]
    assert isinstance(member, Number)
    assert (member.min, member.max, member.step, member.format) == (0, 50000, 100, "%.f")
    assert prop["FOCUS_ABSOLUTE_POSITION"] == 25000
    assert app["f"]["FOCUS_MOTION"].rule is Rule.ONE_OF_MANY
    # the catalogue's own members are untouched
    original = focuser.ABS_FOCUS_POSITION.members[0]
    assert isinstance(original, Number) and original.max == 100000
    assert member is not original


def test_declare_on_devices_and_templates_with_overrides() -> None:
    app = App("Observatory", device="roof", interfaces="dome")
    roof = app["roof"]
    dome.DOME_MOTION.declare(roof, members=dome.roof_motion(), label="Roof")
    template = DeviceTemplate()
    weather.WEATHER_STATUS.declare(template, members=weather.status_lights(["WEATHER_RAIN"]))
    app.register(template, device="sky", interfaces="weather")
    motion = roof["DOME_MOTION"]
    assert motion.label == "Roof" and motion.rule is Rule.AT_MOST_ONE
    assert [m.label for m in motion.members.values()] == ["Open", "Close"]
    status = app["sky"]["WEATHER_STATUS"]
    assert status.kind == "Light" and list(status.members) == ["WEATHER_RAIN"]
    assert app["sky"].interfaces == Interface.WEATHER


def test_declare_refuses_what_libindi_lacks() -> None:
    app = App("X")
    with pytest.raises(SetupError, match="has no member 'NOPE'"):
        focuser.FOCUS_MAX.declare(app, values={"NOPE": 3})
    with pytest.raises(SetupError, match="limits="):
        focuser.FOCUS_MOTION.declare(app, limits={"FOCUS_INWARD": (0, 1)})
    with pytest.raises(SetupError, match="not both"):
        focuser.FOCUS_MAX.declare(app, members=["FOCUS_MAX_VALUE"], values={"FOCUS_MAX_VALUE": 1})


def test_builders() -> None:
    names = filter_wheel.filter_names(["Red", "Green", "Blue"])
    assert [(m.name, m.label, m.value) for m in names] == [
        ("FILTER_SLOT_NAME_1", "Filter#1", "Red"),
        ("FILTER_SLOT_NAME_2", "Filter#2", "Green"),
        ("FILTER_SLOT_NAME_3", "Filter#3", "Blue"),
    ]
    assert filter_wheel.slot_limits(["a", "b"]) == {"FILTER_SLOT_VALUE": (1.0, 2.0, 1.0)}
    params = weather.parameters(
        {"WEATHER_TEMPERATURE": ("Temperature (C)", -50, 70), "WEATHER_RAIN": "Rain"}
    )
    assert [(p.name, p.label, p.format, p.min, p.max) for p in params] == [
        ("WEATHER_TEMPERATURE", "Temperature (C)", "%4.2f", -50, 70),
        ("WEATHER_RAIN", "Rain", "%4.2f", 0, 0),
    ]
    assert [p.label for p in weather.parameters(["WEATHER_HUMIDITY", "X"])] == ["Humidity %", "X"]
    assert [m.name for m in weather.parameter_range(-10, 30)] == ["MIN_OK", "MAX_OK", "PERC_WARN"]
    assert [(m.name, m.label) for m in weather.status_lights(["WEATHER_WIND_SPEED"])] == [
        ("WEATHER_WIND_SPEED", "Wind (kph)")
    ]
    active = common.active_devices({"ACTIVE_TELESCOPE": "Mount", "ACTIVE_SKY_METER": "SQM"})
    assert [(m.name, m.label, m.value) for m in active] == [
        ("ACTIVE_TELESCOPE", "Telescope", "Mount"),
        ("ACTIVE_SKY_METER", "Sky Meter", "SQM"),
    ]
    assert [m.name for m in lightbox.filter_intensities(["L", "R"])] == ["L", "R"]
    for bad in (
        lambda: filter_wheel.filter_names([]),
        lambda: weather.parameters({}),
        lambda: weather.parameters("WEATHER_RAIN"),
        lambda: common.active_devices({"TELESCOPE": "x"}),
    ):
        with pytest.raises(SetupError):
            bad()
