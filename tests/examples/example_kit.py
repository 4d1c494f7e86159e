"""Helpers for the example tests: a fresh import of an example, connecting its device."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path
from types import ModuleType
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_counter = itertools.count()


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` as a new module object (no state shared with other tests)."""
    spec = importlib.util.spec_from_file_location(
        f"_example_{name}_{next(_counter)}", EXAMPLES / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def connect(client: Any, device: str) -> None:
    """Connect ``device`` as KStars does: its instrument's properties appear then."""
    prop = client.set(device, "CONNECTION", CONNECT=True)
    assert prop.state.value == "Ok", prop.message
