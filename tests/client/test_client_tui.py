"""``indiflask term`` driven headless with textual's pilot, against real ``indiflask run`` servers.

Covered: choosing a device and changing a number (range and sexagesimal checks)
and a switch (examples/led.py); BLOB download to a chosen folder
(examples/camera.py); BLOB upload from a file, text editing and the message log
(a small app written here); reconnection after the server stops and starts
again on the same port; and every action reachable by a key shown in the footer.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.pilot import Pilot
from textual.widgets import Input, RichLog, TabbedContent

from indiflask.client import Client
from indiflask.tui.app import IndiTerm
from indiflask.tui.editor import EditorScreen, FolderScreen
from indiflask.tui.widgets import PropertyView

ROOT = Path(__file__).resolve().parents[2]
SIZE = (110, 34)

#: A device with a writable BLOB (its handler records the upload) and a text.
TEST_APP = """
import os
from pathlib import Path
from indiflask import App, Blob

app = App("TUI Test", device="tuitest")
OUT = Path(os.environ["TUI_TEST_OUT"])

@app.blob("UPLOAD", label="Upload", group="Files", perm="wo", members=[Blob("FILE")])
def upload(change):
    data = change["FILE"]
    (OUT / ("upload" + change.format)).write_bytes(data)
    app.message(f"received {len(data)} bytes {change.format}")

@app.text("OBSERVER", label="Observer", group="Site", members={"NAME": "nobody"})
def observer(change):
    pass
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(target: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """Start ``indiflask run target`` on 127.0.0.1:port and wait until it listens."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("INDIFLASK_")}
    full.update(GPIOZERO_PIN_FACTORY="mock", PYTHONPATH=str(ROOT), **env)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            str(target),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                raise RuntimeError(f"indiflask run {target.name} did not start") from None
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def app_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tuiapp")
    (folder / "tuitest.py").write_text(TEST_APP)
    return folder / "tuitest.py"


@pytest.fixture(scope="module")
def camera_server() -> Iterator[int]:
    port = _free_port()
    proc = _serve(ROOT / "examples" / "camera.py", port)
    try:
        yield port
    finally:
        _stop(proc)


async def _until(pilot: Pilot[None], test: Callable[[], bool], what: str, timeout: float = 60):
    """Let the app run until ``test()`` holds."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def _in_log(app: IndiTerm, text: str) -> bool:
    """Whether the message log shows ``text`` (wrapped lines joined, whitespace ignored)."""
    shown = "".join(line.text for line in app.query_one("#messages", RichLog).lines)
    return "".join(text.split()) in "".join(shown.split())


def _footer_keys(app: IndiTerm) -> dict[str, str]:
    """The keys the footer shows now, to their descriptions."""
    bindings = app.screen.active_bindings
    return {k: b.binding.description for k, b in bindings.items() if b.binding.show and b.enabled}


async def _show(pilot: Pilot[None], app: IndiTerm, device: str, prop: str, group: str) -> None:
    """Wait for ``device.prop``, then reach it by keys: ``]`` to its group, ``down`` to it."""
    await app.client.wait_for(device, prop, timeout=60)
    await _until(pilot, lambda: app.device == device and prop in app._views, "the device", 20)
    groups = [g for g, _ in app._layout]
    wanted = f"group-{groups.index(group)}"
    for _ in groups:
        await pilot.press("right_square_bracket")  # next group, its first property focused
        await pilot.pause(0.05)
        if app.query_one(TabbedContent).active == wanted:
            break
    names = app._layout[groups.index(group)][1]
    first = app.view(names[0])
    await _until(pilot, lambda: app.focused is first, "the group's first property focused")
    for _ in names:
        if app.focused is app.view(prop):
            break
        await pilot.press("down")
    assert app.focused is app.view(prop), f"could not reach {prop} in {group}"


def test_select_device_change_number(led_server: int, tmp_path: Path) -> None:
    async def main() -> None:
        app = IndiTerm("127.0.0.1", led_server, blob_dir=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await app.client.wait_for("led", "EXPOSURE", timeout=60)
            await pilot.pause(0.3)
            await pilot.press("down", "up")  # the device list has the focus
            await pilot.pause(0.2)
            assert app.device == "led"
            assert _footer_keys(app)["enter"] == "Properties"
            await pilot.press("enter")  # from the device list to its properties
            await pilot.pause(0.1)
            assert isinstance(app.focused, PropertyView)
            assert "led" in app.sub_title or "connected" in app.sub_title
            await _show(pilot, app, "led", "EXPOSURE", "Main")
            view = app.view("EXPOSURE")
            assert {"enter": "Edit", "q": "Quit"}.items() <= _footer_keys(app).items()
            assert "d" not in _footer_keys(app)  # not a BLOB
            await pilot.press("enter")
            assert isinstance(app.screen, EditorScreen)
            assert _footer_keys(app)["escape"] == "Cancel"
            field = app.screen.query_one("#in-0", Input)
            field.value = "5000"  # out of range: refused before sending
            await pilot.press("enter")
            assert isinstance(app.screen, EditorScreen)
            assert "outside" in str(app.screen.query_one("#error").render())
            field.value = "0:00:09"  # sexagesimal: 0.0025 s
            await pilot.press("enter")
            assert not isinstance(app.screen, EditorScreen)
            await app.client.wait_for_state("led", "EXPOSURE", "Ok", timeout=60)
            await pilot.pause(0.3)
            assert view.prop["SECONDS"] == pytest.approx(0.0025)
            text = str(view.render())
            assert "Ok" in text and "0.0" in text
            # a switch, by keys only: the Control group, Enter, the ON button, Enter
            await _show(pilot, app, "led", "LED", "Control")
            await pilot.press("enter")
            assert isinstance(app.screen, EditorScreen)
            assert app.screen.focused is not None and app.screen.focused.id == "sw-0"
            await pilot.press("enter")
            await app.client.wait_for_state("led", "LED", "Ok", timeout=60)
            await _until(pilot, lambda: "[x] On" in str(app.view("LED").render()), "LED On")
            assert app.view("LED").prop["ON"] is True
            # a read-only property cannot be edited: no Edit key offered
            await _show(pilot, app, "led", "TEMPERATURE", "Status")
            assert "enter" not in _footer_keys(app)
            await pilot.press("enter")
            assert not isinstance(app.screen, EditorScreen)

    asyncio.run(main())


def test_rebuilding_a_device_twice_at_once_shows_every_property(camera_server: int) -> None:
    """Two rebuilds of the device view (new definitions, the device list) do not interleave."""

    async def main() -> None:
        app = IndiTerm("127.0.0.1", camera_server)
        async with app.run_test(size=SIZE) as pilot:
            device = "Camera Simulator"
            await app.client.wait_for(device, "CONNECTION", timeout=60)
            await app.client.set(device, "CONNECTION", CONNECT=True, check=True, timeout=30)
            await app.client.wait_for(device, "CCD_ABORT_EXPOSURE", timeout=60)
            await asyncio.gather(app.show_device(device), app.show_device(device))
            await pilot.pause(0.05)
            assert set(app._views) == set(app.client.mirror[device])

    asyncio.run(main())


def test_blob_download_to_folder(camera_server: int, tmp_path: Path) -> None:
    folder = tmp_path / "images"

    async def main() -> None:
        app = IndiTerm("127.0.0.1", camera_server, blob_dir=tmp_path / "unused")
        async with app.run_test(size=SIZE) as pilot:
            device = "Camera Simulator"
            await app.client.wait_for(device, "CONNECTION", timeout=60)
            await app.client.set(device, "CONNECTION", CONNECT=True, check=True, timeout=30)
            await _show(pilot, app, device, "CCD1", "Image Info")  # defined once connected
            assert _footer_keys(app)["d"] == "Download BLOBs"
            await pilot.press("d")
            assert isinstance(app.screen, FolderScreen)
            app.screen.query_one("#folder", Input).value = str(folder)
            await pilot.press("enter")
            assert not isinstance(app.screen, FolderScreen)
            await _until(pilot, lambda: (device, "CCD1") in app.downloading, "enableBLOB")
            assert str(folder) in str(app.view("CCD1").render())
            await _show(pilot, app, device, "CCD_EXPOSURE", "Main Control")
            await pilot.press("enter")
            app.screen.query_one("#in-0", Input).value = "0.1"
            await pilot.press("enter")
            target = folder / f"{device}.CCD1.CCD1.fits"
            await _until(pilot, target.exists, "the FITS file")
            await _until(pilot, lambda: "saved" in str(app.view("CCD1").render()), "note")
            received = app.client.mirror.get_property(device, "CCD1")
            assert received is not None
            blob = received.blob("CCD1")
            assert blob is not None and blob.size == target.stat().st_size
            assert target.stat().st_size % 2880 == 0  # a whole FITS file
            assert target.read_bytes().startswith(b"SIMPLE  =")
            assert _in_log(app, f"saved {target}")

    asyncio.run(main())


def test_blob_upload_text_and_messages(app_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    port = _free_port()
    proc = _serve(app_file, port, TUI_TEST_OUT=str(out))
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"first light\n" * 100)

    async def main() -> None:
        app = IndiTerm("127.0.0.1", port, blob_dir=tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await _show(pilot, app, "tuitest", "UPLOAD", "Files")
            assert "d" not in _footer_keys(app)  # write-only: nothing to download
            await pilot.press("enter")
            field = app.screen.query_one("#in-0", Input)
            field.value = str(tmp_path / "missing.txt")
            await pilot.press("enter")  # checked before sending
            assert "no such file" in str(app.screen.query_one("#error").render())
            field.value = str(upload)
            await pilot.press("enter")
            assert not isinstance(app.screen, EditorScreen)
            await _until(pilot, (out / "upload.txt").exists, "the upload")
            assert (out / "upload.txt").read_bytes() == upload.read_bytes()
            await _until(pilot, lambda: _in_log(app, "received 1200 bytes .txt"), "message")
            log = app.query_one("#messages", RichLog)
            await pilot.press("m")  # hide the log, then show it again
            assert not log.display
            await pilot.press("m")
            assert log.display
            # text editing
            await _show(pilot, app, "tuitest", "OBSERVER", "Site")
            await pilot.press("enter")
            field = app.screen.query_one("#in-0", Input)
            assert field.value == "nobody"
            field.value = "Caroline Herschel"
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: "Caroline Herschel" in str(app.view("OBSERVER").render()),
                "the new text",
            )
            assert app.view("OBSERVER").prop["NAME"] == "Caroline Herschel"
            assert "Ok" in str(app.view("OBSERVER").render())

    try:
        asyncio.run(main())
    finally:
        _stop(proc)


def test_reconnect_after_server_restart(app_file: Path, tmp_path: Path) -> None:
    port = _free_port()
    env = {"TUI_TEST_OUT": str(tmp_path)}
    procs = [_serve(app_file, port, **env)]

    async def main() -> None:
        client = Client("127.0.0.1", port, max_backoff=0.5)
        app = IndiTerm(client=client)
        async with app.run_test(size=SIZE) as pilot:
            await _show(pilot, app, "tuitest", "OBSERVER", "Site")
            await client.set("tuitest", "OBSERVER", NAME="before restart", timeout=60)
            await _until(
                pilot, lambda: "before restart" in str(app.view("OBSERVER").render()), "the text"
            )
            assert app.sub_title.endswith("connected")
            await asyncio.to_thread(_stop, procs[0])
            await _until(pilot, lambda: "disconnected" in app.sub_title, "disconnected")
            assert app.query_one("#main").has_class("-offline")
            assert _in_log(app, "connection lost")
            procs.append(await asyncio.to_thread(_serve, app_file, port, **env))
            await _until(pilot, lambda: app.sub_title.endswith(" connected"), "reconnected")
            # the restarted driver defines its properties again: the view shows its value
            await _until(
                pilot,
                lambda: "nobody" in str(app.view("OBSERVER").render()),
                "the properties again",
            )
            assert not app.query_one("#main").has_class("-offline")
            await pilot.press("enter")  # and it can be edited again
            app.screen.query_one("#in-0", Input).value = "after restart"
            await pilot.press("enter")
            await _until(
                pilot,
                lambda: "after restart" in str(app.view("OBSERVER").render()),
                "the change after reconnecting",
            )

    try:
        asyncio.run(main())
    finally:
        for proc in procs:
            _stop(proc)


def test_first_connection_is_retried(app_file: Path, tmp_path: Path) -> None:
    port = _free_port()
    procs: list[subprocess.Popen[bytes]] = []

    async def main() -> None:
        app = IndiTerm(client=Client("127.0.0.1", port, max_backoff=0.5))
        async with app.run_test(size=SIZE) as pilot:
            await _until(pilot, lambda: "unreachable" in app.sub_title, "unreachable")
            procs.append(
                await asyncio.to_thread(_serve, app_file, port, TUI_TEST_OUT=str(tmp_path))
            )
            await _show(pilot, app, "tuitest", "OBSERVER", "Site")
            assert app.sub_title.endswith(" connected")

    try:
        asyncio.run(main())
    finally:
        for proc in procs:
            _stop(proc)
