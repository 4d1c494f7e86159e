"""Command-line forms of exdrivers and remotes, and Server.from_cli."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from indiflask.errors import SetupError
from indiflask.server import Server, parse_exdriver, parse_remote

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("10.0.0.5", (None, "10.0.0.5", 7624)),
        ("host:7777", (None, "host", 7777)),
        ("@host:7777", (None, "host", 7777)),
        ("Telescope Simulator@host", ("Telescope Simulator", "host", 7624)),
        ("CCD@[::1]:7625", ("CCD", "::1", 7625)),
    ],
)
def test_parse_remote(spec: str, expected: tuple[str | None, str, int]) -> None:
    assert parse_remote(spec) == expected


@pytest.mark.parametrize("spec", ["", "@", "dev@host:notaport", "host:0", "@[::1"])
def test_parse_remote_errors(spec: str) -> None:
    with pytest.raises(SetupError):
        parse_remote(spec)


def test_parse_exdriver() -> None:
    assert parse_exdriver('indi_simulator_ccd -v "a b"') == ["indi_simulator_ccd", "-v", "a b"]
    with pytest.raises(SetupError):
        parse_exdriver("  ")
    with pytest.raises(SetupError):
        parse_exdriver('x "unclosed')


def test_from_cli_builds_links() -> None:
    server = Server.from_cli(
        [], ["indi_simulator_telescope"], ["CCD@127.0.0.1:7625"], port=0, max_queue=1 << 20
    )
    assert server.budget.max_queue == 1 << 20
    assert [d.argv for d in server._exdrivers] == [["indi_simulator_telescope"]]
    (remote,) = server._remotes
    assert (remote.device, remote.host, remote.port) == ("CCD", "127.0.0.1", 7625)


def test_non_driver_app_is_refused() -> None:
    with pytest.raises(SetupError):
        Server(object())


def test_run_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "serve.py"
    script.write_text(
        "import sys\n"
        "from indiflask.server import Server\n"
        "s = Server(port=0)\n"
        f"s.add_exdriver(sys.executable, {DRIVER!r})\n"
        "s.run()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "started, pid" in line:
            child = int(line.rsplit(" ", 1)[1])
            break
    proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(10) == 0, rest
    assert "stopped" in rest
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
