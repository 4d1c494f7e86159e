"""Each example test gets a freshly imported copy of its example module (no state leaks)."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_counter = itertools.count()


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a new module object."""
    spec = importlib.util.spec_from_file_location(
        f"_example_{name}_{next(_counter)}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def focuser() -> ModuleType:
    """A fresh examples/focuser.py, with a fast simulated motor."""
    return load_example("focuser")


@pytest.fixture
def weather() -> ModuleType:
    """A fresh examples/weather.py."""
    return load_example("weather")


@pytest.fixture
def camera() -> ModuleType:
    """A fresh examples/camera.py."""
    return load_example("camera")


@pytest.fixture
def two_devices(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh examples/two_devices.py, on gpiozero's mock pins."""
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    module = load_example("two_devices")
    monkeypatch.setattr(module, "SHUTTER_SECONDS", 0.01)
    return module
