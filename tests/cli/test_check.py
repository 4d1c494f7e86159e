"""``indiflask check``: a line per finding, a summary, and the exit code (CliRunner)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from indiflask.cli import main

CLEAN = """
from indiflask import App
from indiflask.driver.catalog import focuser

app = App("Focuser Simulator", interfaces=["focuser"])

@app.on_connect
def connect():
    pass

@app.on_start
def start():
    raise RuntimeError("check must not run on_start hooks")

for entry in (focuser.FOCUS_MOTION, focuser.ABS_FOCUS_POSITION, focuser.FOCUS_ABORT_MOTION):
    entry.declare(app)(lambda change: None)
"""


@pytest.fixture(autouse=True)
def _forget_loaded_apps() -> Iterator[None]:
    """Apps load as modules named after their files; forget them after each test."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("checkapp_"):
            del sys.modules[name]


def write(tmp_path: Path, name: str, source: str) -> str:
    path = tmp_path / f"checkapp_{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def check(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.output.splitlines()


def test_a_clean_app_passes(tmp_path: Path) -> None:
    code, lines = check(write(tmp_path, "clean", CLEAN))
    assert (code, lines) == (0, ["1 device checked: 0 errors, 0 warnings"])


def test_a_misspelled_member_fails_with_one_clear_line(tmp_path: Path) -> None:
    broken = CLEAN.replace(
        "for entry in (focuser.FOCUS_MOTION, focuser.ABS_FOCUS_POSITION,",
        "app.number('ABS_FOCUS_POSITION', members=['FOCUS_ABSOLUTE_POSITON'])"
        "(lambda change: None)\nfor entry in (focuser.FOCUS_MOTION,",
    )
    path = write(tmp_path, "member", broken)
    code, lines = check(path)
    assert code == 1
    assert lines == [
        f"{path}: error: Focuser Simulator: ABS_FOCUS_POSITION: member FOCUS_ABSOLUTE_POSITON "
        "is not libindi's (did you mean FOCUS_ABSOLUTE_POSITION?)",
        "1 device checked: 1 error, 0 warnings",
    ]


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    path = write(tmp_path, "warn", CLEAN + "focuser.FOCUS_MAX.declare(app)\n")
    code, lines = check(path)
    assert code == 0
    assert lines[-1] == "1 device checked: 0 errors, 1 warning"
    assert lines[0].startswith(f"{path}: warning: Focuser Simulator: FOCUS_MAX: ")
    code, lines = check("--strict", path)
    assert code == 1 and lines[-1] == "1 device checked: 0 errors, 1 warning"


def test_several_apps_are_summed(tmp_path: Path) -> None:
    clean = write(tmp_path, "one", CLEAN)
    second = """
    from indiflask import App

    app = App("Two", interfaces="dome")
    app.device("Three")
    """
    other = write(tmp_path, "two", second)
    code, lines = check(clean, other)
    assert code == 1
    assert lines[-1] == "3 devices checked: 1 error, 0 warnings"  # no DOME_* (CONNECTION is added)
    assert f"{other}: error: Two: declares the DOME interface" in "\n".join(lines)


def test_an_app_that_does_not_load_is_a_usage_error(tmp_path: Path) -> None:
    code, lines = check(write(tmp_path, "broken", "raise SystemError('no')\n"))
    assert code == 2 and "importing" in "\n".join(lines)
    code, _ = check()
    assert code == 2


@pytest.mark.parametrize(
    ("name", "source", "expected"),
    [
        ("prop", "app.switch('FOCUS_MOTON', members=['X'])", "did you mean FOCUS_MOTION?"),
        ("order", "app.switch('DEBUG', members=['DISABLE', 'ENABLE'])", "libindi's order"),
        ("perm", "app.number('FOCUS_TEMPERATURE', members=['TEMPERATURE'])", "perm is rw"),
        ("rule", "app.switch('FOCUS_REVERSE_MOTION', rule='AnyOfMany', "
                 "members=['INDI_ENABLED', 'INDI_DISABLED'])", "rule is AnyOfMany"),
        ("iface", "app.device('Cam').number('CCD_EXPOSURE', members=['CCD_EXPOSURE_VALUE'])",
         'interfaces=["ccd"]'),
    ],
)  # fmt: skip
def test_deliberately_broken_copies_fail(
    tmp_path: Path, name: str, source: str, expected: str
) -> None:
    code, lines = check(write(tmp_path, f"broken_{name}", CLEAN + source + "\n"))
    assert code == 1, lines
    assert expected in "\n".join(lines)
