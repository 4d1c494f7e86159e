"""``indiflask run`` as a user meets it: start, fail, stop and log, in a real process."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "server" / "drivers" / "stdio_echo.py"
EXDRIVER = f"{sys.executable} {DRIVER}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Run:
    """``python -m indiflask ARGS`` in its own session, its stderr read line by line."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "indiflask", *args],
            cwd=ROOT,
            env={**os.environ, "GPIOZERO_PIN_FACTORY": "mock", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so Ctrl-C can be sent to its group, as a terminal does
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        with self.proc.stderr:
            for line in self.proc.stderr:
                self._new.put(line.rstrip("\n"))
        self._new.put(None)

    def wait_line(self, words: str, timeout: float = 60) -> str:
        """The first stderr line containing ``words`` (waiting for it)."""
        for line in self.lines:
            if words in line:
                return line
        while True:
            line = self._new.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"{words!r} never came:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if words in line:
                return line

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        """Wait for the exit; returns (status, all of stderr)."""
        status = self.proc.wait(timeout)
        while (line := self._new.get(timeout=timeout)) is not None:
            self.lines.append(line)
        return status, "\n".join(self.lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(30)


@pytest.fixture
def run() -> Iterator[type[Run]]:
    started: list[Run] = []

    class Tracked(Run):
        def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
            super().__init__(*args, env=env)
            started.append(self)

    yield Tracked
    for each in started:
        each.stop()


def connect_when_listening(port: int, timeout: float = 60) -> socket.socket:
    """A connection to ``port``, once something listens there."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_ctrl_c_with_an_exdriver_stops_quietly(run: type[Run]) -> None:
    server = run("run", "--exdriver", EXDRIVER, "--port", str(free_port()), "-v")
    pid = int(server.wait_line("started, pid").rsplit(" ", 1)[1])
    server.wait_line("listening on")
    os.killpg(server.proc.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole group
    status, err = server.finish()
    assert status == 0, err
    assert "exited with status" not in err and "restart" not in err, err
    assert err.endswith("stopped"), err
    assert gone(pid)


def test_sigterm_with_an_app_snooping_an_exdriver_runs_nothing_after_on_stop(
    run: type[Run], tmp_path: Path
) -> None:
    app = tmp_path / "dome.py"
    app.write_text(
        "from indiflask import App\n"
        "app = App('Dome', device='Dome')\n"
        "app.number('FOLLOW', perm='ro', members=['X'])\n"
        "stopped = []\n"
        "@app.snoop('StdioEcho', 'VALUES')\n"
        "def follow(event):\n"
        "    if stopped:\n"
        "        raise RuntimeError('snoop handler ran after on_stop')\n"
        "@app.on_stop\n"
        "def close():\n"
        "    stopped.append(True)\n"
    )
    server = run(
        "run",
        str(app),
        "--exdriver",
        EXDRIVER,
        "--port",
        str(free_port()),
        "-v",
        env={"ECHO_TICK": "0.005"},
    )
    server.wait_line("listening on")
    server.wait_line("StdioEcho driver starting")
    server.proc.send_signal(signal.SIGTERM)
    status, err = server.finish()
    assert status == 0, err
    assert "after on_stop" not in err and "Traceback" not in err, err


def test_a_port_in_use_is_one_line(run: type[Run]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, err = run("run", "examples/led.py", "--port", str(port)).finish()
    assert status == 1
    assert err == (
        f"indiflask: error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(another INDI server is running there?); stop it, or choose another port with --port"
    )


def test_a_failing_on_start_says_why_first_and_once(run: type[Run], tmp_path: Path) -> None:
    app = tmp_path / "broken_led.py"
    app.write_text(
        "from indiflask import App\n"
        "app = App('LED Driver', device='led')\n"
        "app.switch('LED', members={'ON': False, 'OFF': True})\n"
        "@app.on_start\n"
        "def open_hardware():\n"
        "    raise RuntimeError('Unable to load any default pin factory!')\n"
        "@app.on_stop\n"
        "def close_hardware():\n"
        "    app.hw.led.close()\n"
    )
    status, err = run("run", str(app), "--port", str(free_port())).finish()
    assert status == 1
    first, *rest = err.splitlines()
    assert first == (
        "indiflask: error: app 'LED Driver' did not start: "
        "RuntimeError: Unable to load any default pin factory! "
        "(in its on_start hook open_hardware)"
    )
    assert err.count("Traceback") == 1
    assert "listening on" not in err and "AttributeError" not in err and "stopped" not in err
    assert rest[-1] == "RuntimeError: Unable to load any default pin factory!"


def test_two_apps_with_one_device_fail_at_startup(run: type[Run], tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.py").write_text(
            f"from indiflask import App\napp = App('App {name}', device='Shared')\n"
        )
    status, err = run(
        "run", str(tmp_path / "one.py"), str(tmp_path / "two.py"), "--port", str(free_port())
    ).finish()
    assert status == 1
    assert err == (
        "Error: device 'Shared' is defined by two apps, 'App one' and 'App two': "
        "give one of them another device name"
    )


def test_default_logging_is_quiet_and_v_shows_clients_and_drivers(
    run: type[Run], tmp_path: Path
) -> None:
    def session(*flags: str) -> str:
        port = free_port()
        server = run("run", "--exdriver", EXDRIVER, "--port", str(port), *flags)
        with connect_when_listening(port) as client:
            client.sendall(b'<getProperties version="1.7"/>')
            client.recv(100)  # a definition arrived: the client was accepted
        server.proc.send_signal(signal.SIGTERM)
        status, err = server.finish()
        assert status == 0, err
        return err

    quiet = session().splitlines()
    assert len(quiet) == 2, quiet  # date time level logger: message
    assert quiet[0].split(" ", 3)[3].startswith("indiflask.server.lifecycle: listening on ")
    assert quiet[1].split(" ", 3)[3] == "indiflask.server.lifecycle: stopped"
    chatty = session("-v")
    assert "client 127.0.0.1:" in chatty and ": connected" in chatty
    assert (
        "indiflask.driver.stdio_echo_py: driver stdio_echo.py: StdioEcho driver starting" in chatty
    )
    assert "DEBUG" not in chatty
    assert "DEBUG" in session("-vv")
    log_file = tmp_path / "server.log"
    assert session("-v", "--log-file", str(log_file)) == ""
    written = log_file.read_text()
    assert "listening on" in written and ": connected" in written


def test_set_of_a_missing_property_fails_at_once(run: type[Run]) -> None:
    port = free_port()
    server = run("run", "examples/led.py", "--port", str(port))
    server.wait_line("listening on")
    # with a 10-minute timeout: were it waited for, subprocess.run would time out
    done = subprocess.run(
        [sys.executable, "-m", "indiflask", "set", "-p", str(port), "-t", "600", "led.NOPE.X=1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: led has no property 'NOPE' (it has ")
