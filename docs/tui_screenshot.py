"""Regenerate docs/tui.svg: ``indiflask term`` on examples/led.py, driven by textual's pilot.

Run from the repository root (needs textual and gpiozero)::

    python docs/tui_screenshot.py            # writes docs/tui.svg
    python docs/tui_screenshot.py out.svg

It serves examples/led.py with gpiozero's mock pins on a free 127.0.0.1 port,
then, by keys only, turns the LED on (Control tab: ``Enter``, ``Enter``) and
asks for a 700 s exposure (refused: the Main tab's EXPOSURE goes Alert and its
message reaches the log), and saves the Control tab with the LED focused.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from textual.widgets import Input

from indiflask.tui.app import IndiTerm

ROOT = Path(__file__).resolve().parents[1]
SIZE = (100, 24)


def _serve_led() -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "indiflask", "run", str(ROOT / "examples" / "led.py"),
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("indiflask run examples/led.py did not start") from None
            time.sleep(0.05)


async def _shoot(port: int, target: Path) -> None:
    app = IndiTerm("127.0.0.1", port)
    async with app.run_test(size=SIZE) as pilot:
        await app.client.wait_for("led", "TEMPERATURE", timeout=10)
        await app.client.wait_for("led", "EXPOSURE", timeout=10)
        await pilot.pause(0.5)
        app.show_group("Main")
        await pilot.press("enter")  # from the device list to the Main group's EXPOSURE
        await pilot.press("enter")  # its editor
        app.screen.query_one("#in-0", Input).value = "700"
        await pilot.press("enter")  # refused by the driver: Alert, with its message
        await app.client.wait_for_state("led", "EXPOSURE", "Alert", timeout=10)
        app.show_group("Control")
        await pilot.pause(0.2)
        app.action_group(0)  # focus the LED switch
        await pilot.pause(0.2)
        await pilot.press("enter", "enter")  # its editor, then the focused ON button
        await app.client.wait_for_state("led", "LED", "Ok", timeout=10)
        await pilot.pause(1.5)  # a temperature update or two, the toasts gone
        app.clear_notifications()
        await pilot.pause(0.3)
        app.save_screenshot(target.name, str(target.parent))


def main() -> None:
    """Serve the LED example, drive the UI and write the screenshot."""
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "tui.svg"
    proc, port = _serve_led()
    try:
        asyncio.run(_shoot(port, target.resolve()))
    finally:
        proc.terminate()
        proc.wait(10)
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
