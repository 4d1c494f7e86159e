"""``python -m indiflask run APP --stdio`` as a subprocess: clean stdout, clean exit."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]

APP_SOURCE = """
import os
import sys

from indiflask import App, Number

print("stray output at import time")
app = App("Stdio Test", device="stdio")


@app.on_start
def start():
    print("stray output from on_start")


@app.number("VALUE", members=[Number("X", format="%.3f", min=0, max=100, value=1)])
def value(change):
    print("stray output from a handler")
    sys.stdout.write("stray sys.stdout.write\\n")
    sys.stdout.flush()


ticks = app.number("TICKS", perm="ro", members=["N"])


@app.hardware(every=60)
def tick():  # first runs at start, before the server has asked for any property
    ticks["N"] += 1
    ticks.send()
    with open(os.environ["STDIO_TEST_MARKER"] + ".ticked", "w") as fh:
        fh.write("ticked")


@app.on_stop
def stop():
    with open(os.environ["STDIO_TEST_MARKER"], "w") as fh:
        fh.write("stopped")
"""


class Driver:
    """A driver subprocess with helpers to talk to it."""

    def __init__(self, proc: subprocess.Popen[bytes], marker: Path) -> None:
        self.proc = proc
        self.marker = marker
        self.stdout = b""

    def send(self, xml: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(xml)
        self.proc.stdin.flush()

    def read_until(self, needle: bytes, timeout: float = 60) -> bytes:
        """Read stdout until ``needle`` has appeared in a complete element."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.stdout.find(needle)
            if at >= 0 and b"Vector>" in self.stdout[at:]:
                return self.stdout
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.stdout += chunk
        raise AssertionError(f"{needle!r} not seen; stdout so far: {self.stdout[-800:]!r}")

    def finish(self, timeout: float) -> tuple[int, bytes, bytes]:
        """Wait for the exit; return (status, rest of stdout, stderr)."""
        if self.proc.stdin is not None and self.proc.stdin.closed:
            self.proc.stdin = None  # communicate() would flush it
        out, err = self.proc.communicate(timeout=timeout)
        self.stdout += out
        return self.proc.returncode, self.stdout, err


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Driver]:
    app_file = tmp_path / "stdio_app.py"
    app_file.write_text(APP_SOURCE)
    marker = tmp_path / "stopped.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STDIO_TEST_MARKER": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "indiflask", "run", str(app_file), "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    try:
        yield Driver(proc, marker)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def elements(stdout: bytes) -> list[etree._Element]:
    """Parse the whole stdout stream as INDI XML: it must hold nothing else."""
    return list(etree.fromstring(b"<stream>" + stdout + b"</stream>"))


def test_get_properties_is_answered_with_definitions(driver: Driver) -> None:
    driver.send(b'<getProperties version="1.7"/>\n')
    out = driver.read_until(b'name="DRIVER_INFO"')
    tags = [(e.tag, e.get("name")) for e in elements(out)]
    assert tags == [
        ("defNumberVector", "VALUE"),
        ("defNumberVector", "TICKS"),
        ("defTextVector", "DRIVER_INFO"),
    ]
    assert elements(out)[1].find("defNumber").text.strip() == "1"  # type: ignore[union-attr]


def test_an_update_before_get_properties_is_not_an_error(driver: Driver) -> None:
    """A hardware job's send() before the server asked: nothing to send, nothing failed."""
    ticked = Path(str(driver.marker) + ".ticked")
    deadline = time.monotonic() + 60
    while not ticked.exists():  # the job has run (and sent) at start
        assert driver.proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    status, out, err = driver.finish(timeout=30)
    assert status == 0
    assert out == b""
    assert b"failed" not in err and b"Error" not in err, err.decode(errors="replace")


def test_stray_output_goes_to_stderr_never_stdout(driver: Driver) -> None:
    driver.send(b'<getProperties version="1.7"/>\n')
    driver.read_until(b'name="DRIVER_INFO"')
    driver.send(
        b'<newNumberVector device="stdio" name="VALUE">'
        b'<oneNumber name="X">42</oneNumber></newNumberVector>\n'
    )
    driver.read_until(b'<setNumberVector device="stdio" name="VALUE"')
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    status, out, err = driver.finish(timeout=30)
    assert status == 0, err.decode(errors="replace")
    assert b"stray" not in out
    parsed = elements(out)  # nothing but INDI XML
    update = parsed[-1]
    assert update.tag == "setNumberVector" and update.get("state") == "Ok"
    assert float((update.find("oneNumber").text or "").strip()) == 42  # type: ignore[union-attr]
    for text in (
        b"stray output at import time",
        b"stray output from on_start",
        b"stray output from a handler",
        b"stray sys.stdout.write",
    ):
        assert text in err


def test_exits_0_within_2s_of_stdin_closing_and_runs_on_stop(driver: Driver) -> None:
    driver.send(b'<getProperties version="1.7"/>\n')
    driver.read_until(b'name="DRIVER_INFO"')
    assert driver.proc.stdin is not None
    driver.proc.stdin.close()
    status, _, err = driver.finish(timeout=30)  # it exits on its own (2 s on a quiet machine)
    assert status == 0, err.decode(errors="replace")
    assert driver.marker.read_text() == "stopped"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_cleanly(driver: Driver, signum: int) -> None:
    driver.send(b'<getProperties version="1.7"/>\n')
    driver.read_until(b'name="DRIVER_INFO"')  # running, hooks installed
    driver.proc.send_signal(signum)
    status, _, err = driver.finish(timeout=30)
    assert status == 0, err.decode(errors="replace")
    assert driver.marker.read_text() == "stopped"


def test_malformed_input_exits_non_zero_after_on_stop(driver: Driver) -> None:
    driver.send(b'<getProperties version="1.7"/>\n')
    driver.read_until(b'name="DRIVER_INFO"')
    driver.send(b"<newNumberVector device='stdio' <<< not xml\n")
    driver.send(b'<getProperties version="1.7"/>\n')  # the parser notices at the next bytes
    status, out, _ = driver.finish(timeout=30)
    assert status != 0
    assert driver.marker.read_text() == "stopped"
    elements(out)  # what did reach stdout is still clean XML


def test_works_on_a_socketpair_as_indiserver_runs_drivers(tmp_path: Path) -> None:
    """indiserver gives a driver one socket as both stdin and stdout, not two pipes."""
    app_file = tmp_path / "stdio_app.py"
    app_file.write_text(APP_SOURCE)
    marker = tmp_path / "stopped.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STDIO_TEST_MARKER": str(marker)}
    ours, theirs = socket.socketpair()
    with ours:
        proc = subprocess.Popen(
            [sys.executable, "-m", "indiflask", "run", str(app_file), "--stdio"],
            stdin=theirs.fileno(),
            stdout=theirs.fileno(),
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
        )
        theirs.close()
        try:
            ours.sendall(b'<getProperties version="1.7"/>\n')
            received = b""
            ours.settimeout(60)
            while b'name="DRIVER_INFO"' not in received or not received.endswith(b">\n"):
                chunk = ours.recv(65536)
                assert chunk, f"the driver closed its side; stderr: {proc.stderr.read()!r}"  # type: ignore[union-attr]
                received += chunk
            ours.sendall(
                b'<newNumberVector device="stdio" name="VALUE">'
                b'<oneNumber name="X">7</oneNumber></newNumberVector>\n'
            )
            while b"<setNumberVector" not in received or not received.endswith(b">\n"):
                chunk = ours.recv(65536)
                assert chunk
                received += chunk
            tags = [e.tag for e in elements(received)]
            assert tags[-1] == "setNumberVector"
            ours.shutdown(socket.SHUT_WR)
            assert proc.wait(30) == 0
            assert marker.read_text() == "stopped"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()  # type: ignore[union-attr]
