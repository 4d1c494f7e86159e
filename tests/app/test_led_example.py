"""The test-client example of the docs, verbatim, against examples/led.py, and the rest of it."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

led_example = importlib.import_module("examples.led")
app = led_example.app


def test_led(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    with app.test_client() as client:  # runs on_start, asks for the properties
        assert client["led"]["LED"].state == "Idle"
        client.set("led", "LED", ON=True)  # the same checks and handler path as over TCP
        assert client["led"]["LED"]["ON"] is True
        assert client["led"]["LED"].state == "Ok"
        client.set("led", "EXPOSURE", SECONDS=900)  # refused writes do not raise:
        assert client["led"]["EXPOSURE"].state == "Alert"
        assert "dark slide" in client["led"]["EXPOSURE"].message
        client.advance(1.0)


def test_led_drives_the_pin_and_reports_temperature(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    monkeypatch.setattr(led_example, "read_sensor", lambda: 41.27)
    with app.test_client() as client:
        client.set("led", "LED", ON=True)
        assert app.hw.led.is_lit
        assert client["led"]["LED"]["OFF"] is False
        client.set("led", "LED", OFF=True)
        assert not app.hw.led.is_lit
        client.advance(1.0)
        assert client["led"]["TEMPERATURE"]["TEMP"] == 41.27
        assert client["led"]["TEMPERATURE"].formatted("TEMP") == " 41.27"


def test_async_exposure_goes_busy_then_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    with app.test_client() as client:
        client.set("led", "EXPOSURE", SECONDS=0.05)
        states = [
            e.state
            for e in client.received
            if getattr(e, "name", None) == "EXPOSURE" and e.tag == "setNumberVector"
        ]
        assert [s.value for s in states] == ["Busy", "Ok"]
        assert client["led"]["EXPOSURE"]["SECONDS"] == 0.05
