"""``lint``: hand-made apps, clean and broken, and the conformance helpers."""

from __future__ import annotations

from typing import Any

import pytest

from indiflask import App, Light, Number, Rule, Switch, Text
from indiflask.driver.catalog import (
    ccd,
    common,
    dome,
    filter_wheel,
    focuser,
    gps,
    guider,
    telescope,
    weather,
)
from indiflask.driver.conformance import catalogue_mismatches, compare_with
from indiflask.driver.lint import ERROR, WARNING, Finding, lint
from indiflask.protocol import events as ev


def handle(change: object) -> None:
    """A handler that accepts every change."""


def connectable(app: App) -> App:
    """Give the app the standard CONNECTION property (indiflask adds it with a connect hook)."""
    app.on_connect(lambda: None)
    return app


def focuser_app() -> App:
    app = connectable(App("Focuser Simulator", interfaces=["focuser"]))
    focuser.FOCUS_MOTION.declare(app)(handle)
    focuser.ABS_FOCUS_POSITION.declare(app)(handle)
    focuser.FOCUS_ABORT_MOTION.declare(app)(handle)
    return app


def codes(findings: list[Finding]) -> list[tuple[str, str | None, str]]:
    return [(f.severity, f.property, f.code) for f in findings]


# ------------------------------------------------------------------ clean apps
def test_a_clean_focuser_has_no_findings() -> None:
    assert lint(focuser_app()) == []


def test_clean_apps_of_every_kind() -> None:
    app = connectable(App("Wheel", interfaces="filter wheel"))
    names = ["Red", "Green", "Blue"]
    filter_wheel.FILTER_SLOT.declare(app, limits=filter_wheel.slot_limits(names))(handle)
    filter_wheel.FILTER_NAME.declare(app, members=filter_wheel.filter_names(names))(handle)

    roof = app.device("Roof", interfaces="dome")
    dome.DOME_MOTION.declare(roof, members=dome.roof_motion())(handle)
    dome.DOME_ABORT_MOTION.declare(roof)(handle)
    dome.DOME_PARK.declare(roof)(handle)

    sky = app.device("Sky", interfaces="weather")
    params = ["WEATHER_TEMPERATURE", "WEATHER_RAIN_HOUR"]
    weather.WEATHER_PARAMETERS.declare(sky, members=weather.parameters(params))
    weather.WEATHER_STATUS.declare(sky, members=weather.status_lights(params))
    weather.WEATHER_UPDATE.declare(sky)(handle)
    weather.WEATHER_REFRESH.declare(sky)(handle)
    sky.number("WEATHER_TEMPERATURE", members=weather.parameter_range(-10, 30))(handle)

    cam = app.device("Camera", interfaces=["ccd", "guider"])
    for entry in (ccd.CCD_EXPOSURE, ccd.CCD_ABORT_EXPOSURE, ccd.CCD_FRAME, ccd.CCD_BINNING):
        entry.declare(cam)(handle)
    for entry in (ccd.CCD_INFO, ccd.CCD1):
        entry.declare(cam)
    ccd.CCD_FRAME_TYPE.declare(cam)(handle)
    ccd.UPLOAD_MODE.declare(cam)(handle)
    guider.TELESCOPE_TIMED_GUIDE_NS.declare(cam)(handle)
    guider.TELESCOPE_TIMED_GUIDE_WE.declare(cam)(handle)

    site = app.device("GPS", interfaces="gps")
    gps.GEOGRAPHIC_COORD.declare(site)
    gps.TIME_UTC.declare(site)
    assert lint(app) == []


def test_a_device_without_interfaces_and_without_standard_names_is_fine() -> None:
    app = App("LED")
    app.switch("LED", members={"ON": False, "OFF": True})(handle)
    assert lint(app) == []


# ------------------------------------------------------------------ names
@pytest.mark.parametrize("typo", ["ABS_FOCUS_POSITON", "abs_focus_position", "ABS_FOCUSPOSITION"])
def test_a_misspelled_property_name(typo: str) -> None:
    app = focuser_app()
    app.number(typo, members=["FOCUS_ABSOLUTE_POSITION"])(handle)
    findings = lint(app)
    assert codes(findings) == [(ERROR, typo, "misspelled-property")]
    assert str(findings[0]) == (
        f"Focuser Simulator: {typo}: is not a standard property name "
        "(did you mean ABS_FOCUS_POSITION?)"
    )


def test_custom_names_far_from_standard_ones_are_not_flagged() -> None:
    app = focuser_app()
    for name in ("CCD3", "MOTOR_CURRENT", "FOCUS_PRESET_A", "TEMPERATURE", "Mode"):
        app.number(name, members=["X"])(handle)
    assert lint(app) == []


def test_a_misspelled_member_says_which_one_was_meant() -> None:
    app = connectable(App("Focuser Simulator", interfaces=["focuser"]))
    focuser.FOCUS_MOTION.declare(app)(handle)
    focuser.FOCUS_ABORT_MOTION.declare(app)(handle)
    app.number("ABS_FOCUS_POSITION", members=[Number("FOCUS_ABSOLUTE_POSITON", max=100)])(handle)
    findings = lint(app)
    assert [str(f) for f in findings] == [
        "Focuser Simulator: ABS_FOCUS_POSITION: member FOCUS_ABSOLUTE_POSITON is not libindi's "
        "(did you mean FOCUS_ABSOLUTE_POSITION?)"
    ]
    assert findings[0].severity == ERROR and findings[0].code == "member-name"


def test_missing_and_extra_members() -> None:
    app = focuser_app()
    app.switch("FOCUS_REVERSE_MOTION", members=["INDI_ENABLED", "REVERSED"])(handle)
    app.text("FITS_HEADER", members=["FITS_OBSERVER"])(handle)  # a camera's, see below
    findings = [f for f in lint(app) if f.property == "FOCUS_REVERSE_MOTION"]
    assert [str(f) for f in findings] == [
        "Focuser Simulator: FOCUS_REVERSE_MOTION: member REVERSED is not libindi's "
        "(did you mean INDI_DISABLED?)"
    ]
    header = [f for f in lint(app) if f.property == "FITS_HEADER"]
    assert codes(header) == [
        (ERROR, "FITS_HEADER", "member-missing"),
        (ERROR, "FITS_HEADER", "undeclared-interface"),
    ]


def test_members_in_the_wrong_order() -> None:
    app = connectable(App("Cam", interfaces="ccd"))
    info = [
        "CCD_MAX_Y",
        "CCD_MAX_X",
        "CCD_PIXEL_SIZE",
        "CCD_PIXEL_SIZE_X",
        "CCD_PIXEL_SIZE_Y",
        "CCD_BITSPERPIXEL",
    ]
    app.number("CCD_INFO", perm="ro", members=info)
    findings = [f for f in lint(app) if f.property == "CCD_INFO"]
    assert codes(findings) == [(ERROR, "CCD_INFO", "member-order")]
    assert "libindi's order is CCD_MAX_X, CCD_MAX_Y" in findings[0].text
    assert "by position" in findings[0].text


# ------------------------------------------------------------------ perm, rule, kind
def test_a_read_only_standard_property_declared_writable() -> None:
    app = focuser_app()
    app.number("FOCUS_TEMPERATURE", members=["TEMPERATURE"])(handle)
    assert codes(lint(app)) == [(ERROR, "FOCUS_TEMPERATURE", "perm")]


def test_a_writable_standard_property_declared_read_only() -> None:
    app = connectable(App("Focuser Simulator", interfaces=["focuser"]))
    focuser.FOCUS_MOTION.declare(app)(handle)
    focuser.FOCUS_ABORT_MOTION.declare(app)(handle)
    focuser.ABS_FOCUS_POSITION.declare(app, perm="ro")
    focuser.FOCUS_MAX.declare(app, perm="ro")  # clients only lose a feature: a warning
    assert codes(lint(app)) == [
        (ERROR, "ABS_FOCUS_POSITION", "perm"),
        (WARNING, "FOCUS_MAX", "perm"),
    ]


def test_a_write_only_standard_property_that_libindi_lets_clients_read() -> None:
    app = focuser_app()
    focuser.FOCUS_SYNC.declare(app, perm="wo")(handle)
    assert codes(lint(app)) == [(WARNING, "FOCUS_SYNC", "perm")]


def test_a_wrong_switch_rule() -> None:
    app = connectable(App("Roof", interfaces="dome"))
    app.switch("DOME_MOTION", rule="OneOfMany", members=["DOME_CW", "DOME_CCW"])(handle)
    dome.DOME_ABORT_MOTION.declare(app)(handle)
    dome.DOME_PARK.declare(app)(handle)
    findings = lint(app)
    assert codes(findings) == [(ERROR, "DOME_MOTION", "rule")]
    assert findings[0].text == "rule is OneOfMany here, libindi's is AtMostOne"


def test_a_wrong_kind() -> None:
    app = focuser_app()
    app.switch("FOCUS_MAX", members=["FOCUS_MAX_VALUE"])(handle)
    assert codes(lint(app)) == [(ERROR, "FOCUS_MAX", "kind")]


def test_a_writable_standard_property_without_handler_is_a_warning() -> None:
    app = focuser_app()
    focuser.FOCUS_MAX.declare(app)
    assert codes(lint(app)) == [(WARNING, "FOCUS_MAX", "no-handler")]


# ------------------------------------------------------------------ interfaces
def test_an_interface_without_any_of_its_properties() -> None:
    app = connectable(App("Focuser", interfaces=["focuser"]))
    app.number("POSITION", members=["STEPS"])(handle)
    findings = lint(app)
    assert codes(findings) == [(ERROR, None, "interface-empty")]
    assert str(findings[0]).startswith(
        "Focuser: declares the FOCUSER interface but defines none of its standard properties"
    )
    assert "FOCUS_MOTION" in findings[0].text


def test_standard_properties_of_an_undeclared_interface_say_which_to_declare() -> None:
    app = App("Focuser")
    focuser.FOCUS_MOTION.declare(app)(handle)
    findings = lint(app)
    assert codes(findings) == [(ERROR, "FOCUS_MOTION", "undeclared-interface")]
    assert findings[0].text == (
        "is a standard FOCUSER property but the device declares no interface; "
        'declare it: interfaces=["focuser"]'
    )
    other = App("Scope", interfaces="ccd")
    telescope.GEOGRAPHIC_COORD.declare(other)(handle)
    (owner,) = [f for f in lint(other) if f.code == "undeclared-interface"]
    assert "is a standard TELESCOPE, GPS or WEATHER property" in owner.text
    assert 'declare one of them: "telescope", "gps", "weather"' in owner.text


def test_missing_required_properties() -> None:
    app = connectable(App("Focuser", interfaces=["focuser"]))
    focuser.FOCUS_MOTION.declare(app)(handle)
    findings = lint(app)
    assert codes(findings) == [
        (ERROR, None, "missing-property"),
        (WARNING, None, "missing-property"),
    ]
    assert findings[0].text.startswith(
        "FOCUSER needs one of ABS_FOCUS_POSITION, REL_FOCUS_POSITION or FOCUS_TIMER: "
    )


def test_a_roll_off_roof_needs_dome_park_but_a_rotating_dome_does_not() -> None:
    roof = connectable(App("Roof", interfaces="dome"))
    dome.DOME_MOTION.declare(roof)(handle)
    dome.DOME_ABORT_MOTION.declare(roof)(handle)
    assert [f.text.split(":")[0] for f in lint(roof)] == ["DOME needs DOME_PARK"]
    rotating = connectable(App("Dome", interfaces="dome"))
    for entry in (dome.DOME_MOTION, dome.DOME_ABORT_MOTION, dome.ABS_DOME_POSITION):
        entry.declare(rotating)(handle)
    assert lint(rotating) == []


def test_devices_with_interfaces_need_driver_info_and_connection() -> None:
    app = App("Focuser", interfaces="focuser", standard=False)
    focuser.FOCUS_MOTION.declare(app)(handle)
    focuser.REL_FOCUS_POSITION.declare(app)(handle)
    focuser.FOCUS_ABORT_MOTION.declare(app)(handle)
    assert codes(lint(app)) == [
        (ERROR, None, "missing-driver_info"),
        (ERROR, None, "missing-connection"),
    ]


def test_driver_info_must_agree_with_the_declared_interfaces() -> None:
    app = focuser_app()
    app.finish_setup()
    info = app["Focuser Simulator"]["DRIVER_INFO"]
    info["DRIVER_INTERFACE"] = "0"
    findings = lint(app)
    assert codes(findings) == [(ERROR, "DRIVER_INFO", "driver-interface")]
    assert "DRIVER_INTERFACE says 0 but the device declares FOCUSER (8)" in findings[0].text
    info["DRIVER_INTERFACE"] = "eight"
    assert codes(lint(app)) == [(ERROR, "DRIVER_INFO", "driver-interface")]


def test_interfaces_are_also_read_from_a_drivers_own_driver_info() -> None:
    app = App("Old style", standard=False)
    app.text(
        "DRIVER_INFO",
        perm="ro",
        members=[
            Text("DRIVER_NAME", value="Old"),
            Text("DRIVER_EXEC", value="old"),
            Text("DRIVER_VERSION", value="1.0"),
            Text("DRIVER_INTERFACE", value="8"),
        ],
    )
    focuser.FOCUS_MOTION.declare(app)(handle)
    assert codes(lint(app)) == [
        (ERROR, None, "missing-connection"),
        (ERROR, None, "missing-property"),
        (WARNING, None, "missing-property"),
    ]


# ------------------------------------------------------------------ consistency
def test_filter_names_must_match_the_slots() -> None:
    app = connectable(App("Wheel", interfaces="filter"))
    filter_wheel.FILTER_SLOT.declare(app, limits={"FILTER_SLOT_VALUE": (1, 5)})(handle)
    filter_wheel.FILTER_NAME.declare(app, members=filter_wheel.filter_names(["L", "R"]))(handle)
    findings = lint(app)
    assert codes(findings) == [(ERROR, "FILTER_SLOT", "filter-count")]
    assert "max is 5 but FILTER_NAME has 2 names" in findings[0].text

    app = connectable(App("Wheel", interfaces="filter"))
    filter_wheel.FILTER_SLOT.declare(app, limits={"FILTER_SLOT_VALUE": (0, 2)})(handle)
    app.text("FILTER_NAME", members=["FILTER_SLOT_NAME_2", "FILTER_SLOT_NAME_1"])(handle)
    assert codes(lint(app)) == [
        (ERROR, "FILTER_NAME", "filter-names"),
        (ERROR, "FILTER_SLOT", "filter-slot"),
    ]

    app = connectable(App("Wheel", interfaces="filter"))
    filter_wheel.FILTER_SLOT.declare(app, limits={"FILTER_SLOT_VALUE": (1, 1)})(handle)
    app.text("FILTER_NAME", members=["RED"])(handle)
    assert codes(lint(app)) == [(ERROR, "FILTER_NAME", "member-name")]


def test_weather_status_lights_name_parameters() -> None:
    app = connectable(App("Sky", interfaces="weather"))
    weather.WEATHER_PARAMETERS.declare(app, members=weather.parameters(["WEATHER_RAIN_HOUR"]))
    app.light("WEATHER_STATUS", members=[Light("RAIN")])
    weather.WEATHER_UPDATE.declare(app)(handle)
    weather.WEATHER_REFRESH.declare(app)(handle)
    assert codes(lint(app)) == [(WARNING, "WEATHER_STATUS", "weather-status")]


def test_shared_names_are_checked_against_the_devices_own_interface() -> None:
    site = connectable(App("GPS", interfaces="gps"))
    gps.GEOGRAPHIC_COORD.declare(site)
    gps.TIME_UTC.declare(site)
    assert lint(site) == []  # read-only is right for a GPS
    mount = connectable(App("Mount", interfaces="telescope"))
    for entry in (telescope.EQUATORIAL_EOD_COORD, telescope.ON_COORD_SET):
        entry.declare(mount)(handle)
    for entry in (telescope.TELESCOPE_ABORT_MOTION, telescope.TELESCOPE_PARK):
        entry.declare(mount)(handle)
    gps.GEOGRAPHIC_COORD.declare(mount)
    assert codes(lint(mount)) == [(WARNING, "GEOGRAPHIC_COORD", "perm")]


def test_lint_takes_any_mapping_of_devices() -> None:
    app = focuser_app()
    app.finish_setup()
    assert lint(dict(app)) == [] and lint(list(app.values())) == []


def test_common_properties_are_checked_too() -> None:
    app = App("Dev")
    app.switch("DEBUG", members=[Switch("DISABLE", value=True), Switch("ENABLE")])(handle)
    assert codes(lint(app)) == [(ERROR, "DEBUG", "member-order")]
    assert common.DEBUG.member_names == ("ENABLE", "DISABLE")


# ------------------------------------------------------------------ conformance helpers
def _defs(*entries: Any, device: str = "Dev") -> list[ev.DefVector]:
    return [e.definition(device) for e in entries]


def test_compare_with_identical_definitions() -> None:
    theirs = _defs(focuser.FOCUS_MOTION, focuser.ABS_FOCUS_POSITION)
    assert compare_with(theirs, theirs, labels=True) == []


def test_compare_with_reports_each_difference() -> None:
    theirs = _defs(focuser.FOCUS_MOTION, focuser.ABS_FOCUS_POSITION, focuser.FOCUS_MAX)
    app = App("Dev")
    app.switch("FOCUS_MOTION", rule="AtMostOne", members=["FOCUS_OUTWARD", "FOCUS_INWARD"])
    app.number("ABS_FOCUS_POSITION", perm="ro", members=["FOCUS_ABSOLUTE_POSITION"])
    app.number("CUSTOM", members=["X"])
    ours = [p.definition() for p in app["Dev"].properties.values()]
    assert compare_with(ours, theirs) == [
        "FOCUS_MOTION: rule AtMostOne here, OneOfMany in libindi",
        "FOCUS_MOTION: members FOCUS_OUTWARD, FOCUS_INWARD here; "
        "libindi's: FOCUS_INWARD, FOCUS_OUTWARD",
        "ABS_FOCUS_POSITION: perm ro here, rw in libindi",
        "FOCUS_MAX: missing here (libindi defines it)",
    ]
    labelled = compare_with(ours, theirs, labels=True, names=["ABS_FOCUS_POSITION", "CUSTOM"])
    assert labelled == [
        "ABS_FOCUS_POSITION: perm ro here, rw in libindi",
        "ABS_FOCUS_POSITION: label 'ABS_FOCUS_POSITION' here, 'Absolute Position' in libindi",
        "ABS_FOCUS_POSITION: member FOCUS_ABSOLUTE_POSITION is labelled "
        "'FOCUS_ABSOLUTE_POSITION' here, 'Steps' in libindi",
        "CUSTOM: libindi does not define it",
    ]
    switch_not_number = _defs(focuser.FOCUS_MAX)
    ours_switch = [ev.DefSwitchVector(device="Dev", name="FOCUS_MAX")]
    assert compare_with(ours_switch, switch_not_number) == [
        "FOCUS_MAX: a Switch property here, a Number property in libindi"
    ]


def test_catalogue_mismatches() -> None:
    theirs = _defs(
        focuser.FOCUS_MOTION, filter_wheel.FILTER_NAME, weather.WEATHER_STATUS, common.DEBUG
    )
    theirs.append(ev.DefNumberVector(device="Dev", name="SIM_ONLY"))
    assert catalogue_mismatches(theirs, ["focuser", "filter", "weather"]) == []
    # libindi's members and ours differ: reported, whatever the device's interfaces
    odd = ev.DefSwitchVector(
        device="Dev",
        name="FOCUS_MOTION",
        rule=Rule.AT_MOST_ONE,
        members=(ev.DefSwitch(name="IN"), ev.DefSwitch(name="OUT")),
    )
    names = ev.DefTextVector(
        device="Dev", name="FILTER_NAME", members=(ev.DefText(name="FILTER_1"),)
    )
    found = catalogue_mismatches([odd, names], ["focuser", "filter"])
    assert found == [
        "FOCUS_MOTION: rule OneOfMany in the catalogue, AtMostOne in libindi",
        "FOCUS_MOTION: members FOCUS_INWARD, FOCUS_OUTWARD in the catalogue; libindi's: IN, OUT",
        "FILTER_NAME: libindi's member FILTER_1 does not match the catalogue's pattern "
        "'FILTER_SLOT_NAME_[1-9][0-9]*'",
    ]
    # an entry of an interface the device does not have is not compared
    assert catalogue_mismatches([odd], "dome") == []


def test_finding_text_without_a_property() -> None:
    finding = Finding(ERROR, "Dev", None, "declares nothing")
    assert str(finding) == "Dev: declares nothing"
