"""Declarations: forms of members, defaults, and clear setup errors."""

from __future__ import annotations

import pytest

from indiflask import App, Blob, Light, Number, SetupError, State, Switch, Text


def test_members_as_list_names_or_dict() -> None:
    app = App("Demo")
    a = app.switch("A", members=[Switch("X", value=True), Switch("Y")])
    b = app.switch("B", members=["P", "Q"], rule="AnyOfMany")
    c = app.text("C", members={"NAME": "scope"})
    assert a.values == {"X": True, "Y": False}
    assert b.values == {"P": False, "Q": False}
    assert c["NAME"] == "scope"
    assert app.device("Demo") is app.default_device
    assert list(app["Demo"]) == ["A", "B", "C"]


def test_defaults() -> None:
    app = App("Demo", device="dev")
    n = app.number("N", members=[Number("V", min=-5, max=5)])
    blob = app.blob("IMG", members=[Blob("DATA", format=".fits")])
    light = app.light("L", members=[Light("OK", value="Alert")])
    assert n.label == "N" and n.group == "" and n.state is State.IDLE
    assert n.perm == "rw" and n.timeout == 0
    assert n["V"] == -5.0 and isinstance(n["V"], float)
    assert blob.perm == "ro"
    assert light["OK"] is State.ALERT and light.perm == "ro"


def test_decorator_binds_the_name_to_the_property() -> None:
    app = App("Demo")

    @app.number("FOCUS", members=[Number("POS", min=0, max=100)])
    def focus(change: object) -> None:
        pass

    assert focus is app["Demo"]["FOCUS"]
    assert callable(focus.handler)


@pytest.mark.parametrize(
    ("declare", "words"),
    [
        (lambda app: app.number("N", members=[Number("A"), Number("A")]), "twice"),
        (lambda app: app.number("N", members=[Number("A", min=5, max=1)]), "greater than max"),
        (lambda app: app.number("N", members=[Number("A", format="%s")]), "A"),
        (lambda app: app.switch("S", members=[Text("T")]), "Text member cannot belong"),
        (lambda app: app.switch("S", members=[]), "at least one member"),
        (lambda app: app.switch("S"), "members"),
        (lambda app: app.switch("", members=["A"]), "non-empty"),
        (lambda app: app.switch("S<", members=["A"]), "characters"),
        (lambda app: app.number("N", members=[Number("A", value="abc")]), "A"),
        (lambda app: app.switch("S", members=["A"], rule="Sometimes"), "Rule"),
        (lambda app: app.switch("S", members=["A"], perm="rx"), "Perm"),
    ],
)
def test_setup_mistakes_raise_clear_errors(declare: object, words: str) -> None:
    app = App("Demo")
    with pytest.raises(SetupError, match=words):
        declare(app)  # type: ignore[operator]


def test_duplicate_property_name() -> None:
    app = App("Demo")
    app.switch("S", members=["A"])
    with pytest.raises(SetupError, match="already has a property named 'S'"):
        app.number("S", members=["X"])


def test_handler_on_read_only_property_is_refused() -> None:
    app = App("Demo")
    with pytest.raises(SetupError, match="read-only"):

        @app.number("T", perm="ro", members=["V"])
        def t(change: object) -> None:
            pass


def test_write_only_needs_a_handler() -> None:
    app = App("Demo")
    app.number("T", perm="wo", members=["V"])
    with pytest.raises(SetupError, match="write-only but has no handler"):
        app.finish_setup()


def test_bad_hardware_interval() -> None:
    app = App("Demo")
    with pytest.raises(SetupError, match="positive"):
        app.hardware(every=0)


def test_snoop_on_own_device_is_refused() -> None:
    app = App("Demo")
    with pytest.raises(SetupError, match="own device"):
        app.snoop("Demo")


def test_standard_properties() -> None:
    app = App("Demo", version="2.5")
    app.switch("S", members=["A"])

    @app.on_connect
    def connect() -> None:
        pass

    app.finish_setup()
    names = list(app["Demo"])
    assert names[0] == "CONNECTION" and names[-1] == "DRIVER_INFO"
    assert app["Demo"]["DRIVER_INFO"]["DRIVER_VERSION"] == "2.5"
    assert app["Demo"]["DRIVER_INFO"].perm == "ro"


def test_no_standard_properties_on_request() -> None:
    app = App("Demo", standard=False)
    app.switch("S", members=["A"])
    app.finish_setup()
    assert list(app["Demo"]) == ["S"]


def test_property_item_access_coerces() -> None:
    app = App("Demo")
    s = app.switch("S", members=["A", "B"])
    s["A"] = "On"
    assert s["A"] is True
    n = app.number("N", members=["V"])
    n["V"] = "12:30"
    assert n["V"] == 12.5
    with pytest.raises(KeyError, match="no member 'Z'"):
        n["Z"] = 1
    n.state = "alert"
    assert n.state is State.ALERT
