"""Saved configuration files go both ways between libindi's focuser simulator and indiflask."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from interop_kit import LibIndiServer

from indiflask import App, Number, State
from indiflask.client import BlockingClient

pytestmark = pytest.mark.interop

FOCUSER = "Focuser Simulator"


def flask_focuser() -> App:
    app = App(FOCUSER, interfaces="focuser")
    app.number(
        "FOCUS_MAX",
        persist=True,
        members=[Number("FOCUS_MAX_VALUE", format="%.f", min=1000, max=1_000_000, value=100_000)],
    )(lambda change: None)
    return app


def libindi_focuser(
    libindi: Callable[..., LibIndiServer], config: Path, monkeypatch: pytest.MonkeyPatch
) -> BlockingClient:
    monkeypatch.setenv("INDICONFIG", str(config))
    monkeypatch.setenv("HOME", str(config.parent))
    server = libindi("indi_simulator_focus")
    client = BlockingClient("127.0.0.1", server.port).connect()
    client.wait_for(FOCUSER, "CONNECTION", timeout=20)
    client.set(FOCUSER, "CONNECTION", CONNECT=True, wait="done", timeout=20)
    client.wait_for(FOCUSER, "FOCUS_MAX", timeout=20)
    return client


def test_libindi_saves_and_indiflask_loads(
    libindi: Callable[..., LibIndiServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "focuser.xml"
    with libindi_focuser(libindi, config, monkeypatch) as theirs:
        theirs.set(FOCUSER, "FOCUS_MAX", FOCUS_MAX_VALUE=54321.1, wait="done", timeout=20)
        theirs.set(FOCUSER, "CONFIG_PROCESS", CONFIG_SAVE=True, wait="done", timeout=20)
    assert "54321.099999999998545" in config.read_text()
    with flask_focuser().test_client() as ours:
        ours.set(FOCUSER, "CONNECTION", CONNECT=True)
        assert ours[FOCUSER]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 54321.1  # loaded at connect
        ours.set(FOCUSER, "FOCUS_MAX", FOCUS_MAX_VALUE=2000)
        prop = ours.set(FOCUSER, "CONFIG_PROCESS", CONFIG_LOAD=True, check=True)
        assert prop.state is State.OK
        assert ours[FOCUSER]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 54321.1


def test_indiflask_saves_and_libindi_loads(
    libindi: Callable[..., LibIndiServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "focuser.xml"
    monkeypatch.setenv("INDICONFIG", str(config))
    with flask_focuser().test_client() as ours:
        ours.set(FOCUSER, "CONNECTION", CONNECT=True)
        ours.set(FOCUSER, "FOCUS_MAX", FOCUS_MAX_VALUE=12345.5)
        ours.set(FOCUSER, "CONFIG_PROCESS", CONFIG_SAVE=True, check=True)
    with libindi_focuser(libindi, config, monkeypatch) as theirs:
        theirs.set(FOCUSER, "CONFIG_PROCESS", CONFIG_LOAD=True, wait="done", timeout=20)
        prop = theirs.wait_for(FOCUSER, "FOCUS_MAX", timeout=20)
        assert prop.state is not State.ALERT
        assert theirs[FOCUSER]["FOCUS_MAX"]["FOCUS_MAX_VALUE"] == 12345.5
