"""Device interfaces, CONNECTION with properties defined after connect, saved configuration."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indiflask import App, Number, SetupError, State, Text
from indiflask.core.config import parse_config
from indiflask.driver.catalog import Interface
from indiflask.driver.config import ConfigFile
from indiflask.protocol import events as ev


def focuser_app() -> App:
    app = App("Focuser", interfaces=["focuser"])
    app.hw.log = []

    @app.on_connect
    def up() -> None:
        app.hw.log.append("up")

    @app.on_disconnect
    def down() -> None:
        app.hw.log.append("down")

    @app.number("FOCUS_MAX", persist=True, members=[Number("FOCUS_MAX_VALUE", max=1e6)])
    def focus_max(change):  # type: ignore[no-untyped-def]
        app.hw.log.append(("max", change["FOCUS_MAX_VALUE"]))

    @app.text("NICKNAME", persist=True, after_connect=False, members=[Text("NAME", value="")])
    def nickname(change):  # type: ignore[no-untyped-def]
        return None

    app.number("ABS_FOCUS_POSITION", perm="ro", members=["FOCUS_ABSOLUTE_POSITION"])
    return app


def test_interfaces_parse_to_libindi_bits() -> None:
    assert Interface.parse(["ccd", "guider"]) == 6
    assert Interface.parse("Filter Wheel") is Interface.FILTER
    assert Interface.parse("mount") is Interface.TELESCOPE
    with pytest.raises(SetupError, match="focuser"):
        Interface.parse("toaster")


def test_driver_info_carries_the_bitmask_and_the_apps_file() -> None:
    app = App("Cam", interfaces=["ccd", "guider"])
    app.device("Wheel", interfaces="filter")
    with app.test_client() as client:
        info = client["Cam"]["DRIVER_INFO"]
        assert info["DRIVER_INTERFACE"] == "6"
        assert info["DRIVER_EXEC"] == os.path.basename(__file__)
        assert client["Wheel"]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "16"
        assert info.group == "General Info" and info.perm.value == "ro"


def test_driver_exec_names_the_launcher_under_a_shim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INDIFLASK_DRIVER_EXEC", "indi_flask_focuser")
    with App("F", interfaces="focuser").test_client() as client:
        assert client["F"]["DRIVER_INFO"]["DRIVER_EXEC"] == "indi_flask_focuser"


def test_connect_answers_ok_first_then_defines_the_device(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INDICONFIG", str(tmp_path / "focuser.xml"))
    app = focuser_app()
    with app.test_client() as client:
        names = list(client["Focuser"])
        assert names == ["CONNECTION", "NICKNAME", "DRIVER_INFO", "CONFIG_PROCESS"]
        assert client["Focuser"]["CONNECTION"].state is State.IDLE
        client.received.clear()
        client.set("Focuser", "CONNECTION", CONNECT=True, check=True)
        first = client.received[0]
        assert isinstance(first, ev.SetSwitchVector) and first.state is State.OK
        defined = [e.name for e in client.received if isinstance(e, ev.DefVector)]
        assert defined == ["FOCUS_MAX", "ABS_FOCUS_POSITION"]
        assert app["Focuser"].connected and app.hw.log == ["up"]
        # once connected, the ok is not repeated: only one CONNECTION update went out
        updates = [e for e in client.received if getattr(e, "name", "") == "CONNECTION"]
        assert len(updates) == 1
        client.set("Focuser", "CONNECTION", DISCONNECT=True, check=True)
        assert client["Focuser"]["CONNECTION"].state is State.IDLE
        assert "FOCUS_MAX" not in client["Focuser"]
        assert app.hw.log == ["up", "down"]


def test_a_failing_connect_hook_answers_alert_and_stays_disconnected() -> None:
    app = App("Broken", interfaces="dome")
    app.number("DOME_X", members=["X"])

    @app.on_connect
    def up() -> None:
        raise OSError("no serial port /dev/ttyUSB0")

    with app.test_client() as client:
        prop = client.set("Broken", "CONNECTION", CONNECT=True)
        assert prop.state is State.ALERT and "ttyUSB0" in (prop.message or "")
        assert prop["CONNECT"] is False and "DOME_X" not in client["Broken"]


def test_config_save_load_default_purge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "focuser.xml"
    monkeypatch.setenv("INDICONFIG", str(path))
    app = focuser_app()
    with app.test_client() as client:
        client.set("Focuser", "CONNECTION", CONNECT=True)
        client.set("Focuser", "FOCUS_MAX", FOCUS_MAX_VALUE=54321.1)
        client.set("Focuser", "NICKNAME", NAME="Crayford <left>")
        prop = client.set("Focuser", "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
        assert prop.state is State.OK and str(path) in (prop.message or "")
        assert not any(prop.values.values())
        saved = path.read_text()
        assert "54321.099999999998545" in saved and "CONNECTION" not in saved
        assert "Crayford &lt;left&gt;" in saved and "<INDIDriver>" in saved
        assert not ConfigFile("Focuser").default_path.exists()  # first save: no old file
        client.set("Focuser", "FOCUS_MAX", FOCUS_MAX_VALUE=1000)
        client.set("Focuser", "CONFIG_PROCESS", CONFIG_LOAD=True, check=True)
        assert client["Focuser"]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 54321.1
        assert ("max", 54321.1) in app.hw.log  # through the handler
        client.set("Focuser", "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
        assert ConfigFile("Focuser").default_path.exists()  # the file as it was first found
        client.set("Focuser", "CONFIG_PROCESS", CONFIG_PURGE=True, check=True)
        assert not path.exists()
        again = client.set("Focuser", "CONFIG_PROCESS", CONFIG_PURGE=True)
        assert again.state is State.ALERT and "no saved configuration" in (again.message or "")
        client.set("Focuser", "FOCUS_MAX", FOCUS_MAX_VALUE=7)
        client.set("Focuser", "CONFIG_PROCESS", CONFIG_DEFAULT=True, check=True)
        assert client["Focuser"]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 54321.1


def test_saved_values_come_back_after_a_restart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("INDICONFIG", str(tmp_path / "focuser.xml"))
    with focuser_app().test_client() as client:
        client.set("Focuser", "CONNECTION", CONNECT=True)
        client.set("Focuser", "FOCUS_MAX", FOCUS_MAX_VALUE=4242)
        client.set("Focuser", "NICKNAME", NAME="left")
        client.set("Focuser", "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
    app = focuser_app()
    with app.test_client() as client:
        assert client["Focuser"]["NICKNAME"]["NAME"] == "left"  # loaded at start
        client.set("Focuser", "CONNECTION", CONNECT=True)
        assert client["Focuser"]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 4242  # at connect
        assert app.hw.log == ["up", ("max", 4242.0)]


def test_default_config_path_is_in_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("INDICONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert ConfigFile("Focuser Simulator").path == tmp_path / ".indi/Focuser Simulator_config.xml"


@pytest.mark.parametrize(
    "content",
    [b"", b"not xml at all", b"<INDIDriver><newNumberVector", b"\x00\xff\xfe garbage"],
)
def test_a_corrupt_file_is_reported_and_left_alone(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "focuser.xml"
    path.write_bytes(content)
    monkeypatch.setenv("INDICONFIG", str(path))
    with focuser_app().test_client() as client:  # the start-time load is logged, not fatal
        client.set("Focuser", "CONNECTION", CONNECT=True)
        loaded = client.set("Focuser", "CONFIG_PROCESS", CONFIG_LOAD=True)
        assert loaded.state is State.ALERT and "left as it is" in (loaded.message or "")
        saved = client.set("Focuser", "CONFIG_PROCESS", CONFIG_SAVE=True)
        assert saved.state is State.ALERT
    assert path.read_bytes() == content


def test_a_crash_mid_save_leaves_the_old_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "focuser.xml"
    monkeypatch.setenv("INDICONFIG", str(path))
    store = ConfigFile("Focuser")
    store.save(
        [ev.NewNumberVector(device="Focuser", name="FOCUS_MAX", values={"FOCUS_MAX_VALUE": 1.0})]
    )
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(Exception, match="No space left"):
        store.save(
            [
                ev.NewNumberVector(
                    device="Focuser", name="FOCUS_MAX", values={"FOCUS_MAX_VALUE": 2.0}
                )
            ]
        )
    assert path.read_bytes() == before
    # no half-written file is left beside it
    assert {p.name for p in tmp_path.iterdir()} == {"focuser.xml", "focuser.xml.default"}


def test_save_keeps_other_devices_and_unknown_entries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "shared.xml"
    path.write_text(
        "<INDIDriver>\n"
        "<newNumberVector device='Other' name='FOCUS_MAX'><oneNumber name='FOCUS_MAX_VALUE'>5"
        "</oneNumber></newNumberVector>\n"
        "<newSwitchVector device='Focuser' name='SOMETHING_ELSE'><oneSwitch name='A'>On"
        "</oneSwitch></newSwitchVector>\n"
        "</INDIDriver>\n"
    )
    store = ConfigFile("Focuser", path)
    store.save(
        [ev.NewNumberVector(device="Focuser", name="FOCUS_MAX", values={"FOCUS_MAX_VALUE": 9.0})]
    )
    entries = parse_config(path.read_bytes()).entries
    assert [(e.device, e.name) for e in entries] == [
        ("Other", "FOCUS_MAX"),
        ("Focuser", "SOMETHING_ELSE"),
        ("Focuser", "FOCUS_MAX"),
    ]


def test_a_handler_saves_at_once_with_save_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``app.save_config()`` writes what ``CONFIG_SAVE`` writes, from a handler."""
    path = tmp_path / "wheel.xml"
    monkeypatch.setenv("INDICONFIG", str(path))
    app = App("Wheel", interfaces="filter")
    names = app.text("FILTER_NAME", persist=True, members=[Text("FILTER_SLOT_NAME_1", value="L")])

    @names
    def rename(change):  # type: ignore[no-untyped-def]
        names.update(change)  # apply first: the save writes the current values
        app.save_config()

    with app.test_client() as client:
        client.set("Wheel", "CONNECTION", CONNECT=True)
        client.set("Wheel", "FILTER_NAME", FILTER_SLOT_NAME_1="Ha", check=True)
        assert "Ha" in path.read_text()
    with pytest.raises(SetupError, match="persist=True"):
        App("Bare").save_config()
