"""Each example test gets a freshly imported copy of its example module (no state leaks).

Saved configurations go to a file in the test's own folder (``$INDICONFIG``),
and gpiozero uses its mock pins.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from example_kit import load_example


@pytest.fixture(autouse=True)
def _private_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every test saves and loads its own configuration file."""
    path = tmp_path / "indi_config.xml"
    monkeypatch.setenv("INDICONFIG", str(path))
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    return path


@pytest.fixture
def focuser() -> ModuleType:
    """A fresh examples/focuser.py."""
    return load_example("focuser")


@pytest.fixture
def filter_wheel() -> ModuleType:
    """A fresh examples/filter_wheel.py."""
    return load_example("filter_wheel")


@pytest.fixture
def weather() -> ModuleType:
    """A fresh examples/weather.py."""
    return load_example("weather")


@pytest.fixture
def roof() -> ModuleType:
    """A fresh examples/roof.py on gpiozero's mock pins (it simulates the roof on them)."""
    return load_example("roof")


@pytest.fixture
def camera() -> ModuleType:
    """A fresh examples/camera.py."""
    return load_example("camera")


@pytest.fixture
def two_devices(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh examples/two_devices.py, on gpiozero's mock pins."""
    module = load_example("two_devices")
    monkeypatch.setattr(module, "SHUTTER_SECONDS", 0.01)
    return module
