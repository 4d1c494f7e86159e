"""The command line: app discovery, ``describe``, ``shim`` and ``run`` usage errors (CliRunner)."""

from __future__ import annotations

import logging
import os
import select
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from lxml import etree

from indiflask.cli import main

APPS = Path(__file__).resolve().parent / "apps"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _apps_importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fixture apps import by module name; logging set up by the CLI is undone afterwards."""
    monkeypatch.syspath_prepend(str(APPS))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in list(sys.modules):
        if name.startswith("cliapp_"):
            del sys.modules[name]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def parse_defs(output: str) -> list[etree._Element]:
    root = etree.fromstring(f"<defs>{output}</defs>".encode())
    return list(root)


# ------------------------------------------------------------------ discovery
@pytest.mark.parametrize(
    ("spec", "device"),
    [
        ("cliapp_single:app", "single"),  # module:attr
        (str(APPS / "cliapp_single.py"), "single"),  # file.py
        (str(APPS / "cliapp_several.py") + ":second", "second"),  # file.py:attr
        ("cliapp_several:first", "first"),  # module:attr, several apps
        ("cliapp_only_instance", "only"),  # module alone, its one App
        (str(APPS / "cliapp_only_instance.py"), "only"),  # file alone, its one App
        ("cliapp_factory", "factory"),  # a create_app() factory
        ("cliapp_factory:create_app()", "factory"),  # an explicit factory call
    ],
)
def test_discovery_forms(spec: str, device: str) -> None:
    code, output = invoke("describe", spec)
    assert code == 0, output
    defs = parse_defs(output)
    assert defs and {d.get("device") for d in defs} == {device}


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("cliapp_several", ["several apps", "first, second", "cliapp_several:NAME"]),
        (str(APPS / "cliapp_several.py"), ["several apps", "first, second"]),
        ("cliapp_none", ["holds no indiflask App"]),
        (str(APPS / "cliapp_none.py"), ["holds no indiflask App"]),
        ("cliapp_broken", ["importing", "failed", "indiflask_no_such_dependency"]),
        (str(APPS / "cliapp_broken.py"), ["importing", "failed", "indiflask_no_such_dependency"]),
        ("cliapp_missing_module", ["no such module"]),
        (str(APPS / "missing.py"), ["no such file"]),
        ("cliapp_single:nothing", ["no attribute 'nothing'"]),
        ("cliapp_notapp:app", ["not an indiflask App"]),
    ],
)
def test_discovery_errors_are_clear_usage_errors(spec: str, words: list[str]) -> None:
    code, output = invoke("describe", spec)
    assert code == 2, output  # click's usage-error status
    assert "Error:" in output
    for word in words:
        assert word in output
    assert "Traceback (most recent call last)" not in output.split("Error:")[0]


def test_run_with_no_app_is_a_usage_error() -> None:
    code, output = invoke("run")
    assert code == 2 and "name the app" in output


def test_run_reports_discovery_errors_before_serving() -> None:
    code, output = invoke("run", "cliapp_several", "--port", "0")
    assert code == 2 and "several apps" in output


# --------------------------------------------------------------------- describe
def test_describe_prints_valid_xml_definitions() -> None:
    code, output = invoke("describe", "cliapp_single")
    assert code == 0, output
    defs = parse_defs(output)
    assert [(d.tag, d.get("name")) for d in defs] == [
        ("defNumberVector", "VALUE"),
        ("defTextVector", "NOTE"),
        ("defTextVector", "DRIVER_INFO"),
    ]
    number = defs[0]
    assert number.get("perm") == "rw" and number.get("state") == "Idle"
    member = number.find("defNumber")
    assert member is not None
    assert (member.get("name"), member.get("format"), member.get("min"), member.get("max")) == (
        "X",
        "%.2f",
        "0",
        "10",
    )
    assert float(member.text or "") == 1.5
    note = defs[1].find("defText")
    assert note is not None and (note.text or "").strip() == "hello <&> world"


def test_describe_runs_no_hooks(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    app_file = tmp_path / "cliapp_hooks.py"
    app_file.write_text(
        "from indiflask import App\n"
        "app = App('Hooks')\n"
        "app.switch('S', members=['A', 'B'])\n"
        "@app.on_start\n"
        "def start():\n"
        f"    open({str(marker)!r}, 'w').close()\n"
    )
    code, output = invoke("describe", str(app_file))
    assert code == 0, output
    assert not marker.exists()


# ------------------------------------------------------------------------- shim
def test_shim_writes_an_executable_launcher(tmp_path: Path) -> None:
    code, output = invoke(
        "shim", str(APPS / "cliapp_single.py"), "indi_test_single", "--dir", str(tmp_path / "bin")
    )
    assert code == 0, output
    launcher, listing = (Path(line) for line in output.split())
    assert launcher == tmp_path / "bin" / "indi_test_single"
    assert listing == tmp_path / "bin" / "indi_test_single.xml"
    assert launcher.is_absolute()
    assert launcher.stat().st_mode & stat.S_IXUSR
    script = launcher.read_text()
    assert script.startswith("#!/bin/sh\n")
    assert "--stdio" in script and str(APPS / "cliapp_single.py") in script
    assert sys.executable in script
    assert "INDIFLASK_DRIVER_EXEC=indi_test_single" in script


def test_shim_refuses_an_app_it_cannot_find(tmp_path: Path) -> None:
    code, output = invoke("shim", "cliapp_several", "indi_x", "--dir", str(tmp_path))
    assert code == 2 and "several apps" in output
    assert not (tmp_path / "indi_x").exists()


def test_the_launcher_runs_the_app_as_a_stdio_driver(tmp_path: Path) -> None:
    code, output = invoke(
        "shim", str(APPS / "cliapp_single.py"), "indi_test_single", "--dir", str(tmp_path)
    )
    assert code == 0, output
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [output.split()[0]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b'<getProperties version="1.7"/>\n')
        proc.stdin.flush()
        received = read_until(proc.stdout, b'name="DRIVER_INFO"', timeout=20)
        assert b'<defNumberVector device="single" name="VALUE"' in received
        proc.stdin.close()
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def read_until(stream, needle: bytes, timeout: float) -> bytes:  # type: ignore[no-untyped-def]
    """Read a pipe until ``needle`` appears and the element holding it has closed."""
    data = b""
    deadline = time.monotonic() + timeout
    fd = stream.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
            at = data.find(needle)
            if at >= 0 and b"Vector>" in data[at:]:
                return data
    raise AssertionError(f"{needle!r} not seen in {data[-500:]!r}")


# ------------------------------------------------------------------ run: usage
def test_stdio_with_two_apps_is_a_usage_error() -> None:
    code, output = invoke("run", "cliapp_single", "cliapp_factory", "--stdio")
    assert code == 2
    assert "--stdio serves exactly one app" in output


def test_stdio_with_an_exdriver_is_a_usage_error() -> None:
    code, output = invoke("run", "cliapp_single", "--stdio", "--exdriver", "indi_simulator_ccd")
    assert code == 2
    assert "--exdriver" in output


def test_stdio_with_a_remote_is_a_usage_error() -> None:
    code, output = invoke("run", "cliapp_single", "--stdio", "--remote", "127.0.0.1:7624")
    assert code == 2 and "--remote" in output


def test_help_lists_the_commands() -> None:
    code, output = invoke("--help")
    assert code == 0
    for command in ("run", "shim", "describe"):
        assert command in output
    code, output = invoke("run", "--help")
    assert code == 0 and "INDIFLASK_PORT" in output and "--stdio" in output


def test_shim_lists_the_driver_for_kstars_and_indi_web_manager(tmp_path: Path) -> None:
    app_file = tmp_path / "wheel.py"
    app_file.write_text(
        "from indiflask import App\n"
        "app = App('Filter Wheel Five', interfaces='filter', version='2.1')\n"
        "app.number('FILTER_SLOT', members=['FILTER_SLOT_VALUE'])(lambda change: None)\n"
    )
    code, output = invoke(
        "shim", str(app_file), "indi_five_wheel", "--dir", str(tmp_path / "bin"),
        "--xml-dir", str(tmp_path / "xml"),
    )  # fmt: skip
    assert code == 0, output
    listing = tmp_path / "xml" / "indi_five_wheel.xml"
    assert output.split()[1] == str(listing)
    root = ElementTree.parse(listing).getroot()
    assert root.tag == "driversList"
    [group] = root.findall("devGroup")
    assert group.get("group") == "Filter Wheels"
    [device] = group.findall("device")
    assert device.get("label") == "Filter Wheel Five" and device.get("mdpd") is None
    driver = device.find("driver")
    assert driver is not None and driver.get("name") == "Filter Wheel Five"
    assert driver.text == "indi_five_wheel" and device.findtext("version") == "2.1"
