"""``indiflask check`` passes on every example and fails on deliberately broken copies.

The CLI runs as a subprocess, as a user runs it. Broken copies are the examples
with one line changed by text substitution, written to the test's folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from example_kit import EXAMPLES

ROOT = EXAMPLES.parent


def check(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "indiflask", "check", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_every_example_passes(example: str) -> None:
    done = check(EXAMPLES / example)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1].endswith("0 errors, 0 warnings"), done.stdout


BROKEN = {
    "a misspelled property": (
        "focuser",
        "@app.standard(focuser.FOCUS_MOTION)",
        '@app.switch("FOCUS_MOTON", members=["FOCUS_INWARD", "FOCUS_OUTWARD"])',
        "error: Focuser Simulator: FOCUS_MOTON: is not a standard property name "
        "(did you mean FOCUS_MOTION?)",
    ),
    "a wrong member": (
        "roof",
        "members=dome.roof_motion()",
        'members=["DOME_OPEN", "DOME_CCW"]',
        "error: Roll-off Roof: DOME_MOTION: ",
    ),
    "members in another order": (
        "roof",
        "members=dome.roof_motion()",
        'members=["DOME_CCW", "DOME_CW"]',
        "error: Roll-off Roof: DOME_MOTION: members are in the order DOME_CCW, DOME_CW",
    ),
    "a missing interface": (
        "camera",
        'App("Camera Simulator", interfaces="ccd")',
        'App("Camera Simulator")',
        "error: Camera Simulator: CCD_EXPOSURE: is a standard CCD property but the device "
        "declares no interface",
    ),
    "names that do not match the slots": (
        "filter_wheel",
        "members=filter_wheel.filter_names(FILTERS)",
        "members=filter_wheel.filter_names(FILTERS[:3])",
        "error: Filter Wheel: FILTER_SLOT: FILTER_SLOT_VALUE max is 5 but FILTER_NAME has 3 names",
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_copy_fails(broken: str, tmp_path: Path) -> None:
    example, original, replacement, expected = BROKEN[broken]
    source = (EXAMPLES / f"{example}.py").read_text()
    assert source.count(original) == 1, f"{original!r} is not in examples/{example}.py once"
    copy = tmp_path / f"broken_{example}.py"
    copy.write_text(source.replace(original, replacement))
    done = check(copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(line.startswith(f"{copy}: {expected}") for line in done.stdout.splitlines()), (
        done.stdout
    )
