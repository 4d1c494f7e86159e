"""Regenerate docs/web_desktop.png and docs/web_phone.png: the web panel in headless Chromium.

Run from the repository root (needs the dev extras and Debian's chromium)::

    python docs/web_screenshots.py

It serves examples/led.py and examples/camera.py together (gpiozero's mock
pins) with ``--web`` on free 127.0.0.1 ports. Desktop (1280x800): a plot of
the led's temperature, then a 1 s camera exposure, and the Image Info tab with the
FITS preview and header. Phone (390x844): the led's EXPOSURE refused (900 s).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve() -> tuple[subprocess.Popen[bytes], str]:
    indi, web = _port(), _port()
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "indiflask",
            "run",
            "examples/led.py",
            "examples/camera.py",
            "--port",
            str(indi),
            "--web",
            str(web),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{web}"
    camera = url + "/api/properties/Camera%20Simulator/"
    _wait(proc, camera + "CONNECTION")
    connect = urllib.request.Request(  # the camera defines its properties once connected
        camera + "CONNECTION",
        data=b'{"CONNECT": true}',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(connect):
        pass
    _wait(proc, camera + "CCD1")
    return proc, url


def _wait(proc: subprocess.Popen[bytes], url: str) -> None:
    """Wait until ``url`` answers (the panel has that property)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _card(name: str) -> str:
    return f'article.prop[data-name="{name}"]'


def main() -> None:
    proc, url = _serve()
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                profile,
                executable_path="/usr/bin/chromium",
                args=ARGS,
                headless=True,
                viewport={"width": 1280, "height": 800},
            )
            page = browser.new_page()
            page.goto(url + "/")
            page.wait_for_selector("#status.online")
            page.get_by_role("button", name="led").click()
            page.get_by_role("tab", name="Status").click()
            page.locator(_card("TEMPERATURE")).get_by_role("button", name="Plot").click()
            page.get_by_role("button", name="Camera Simulator").click()
            page.get_by_role("tab", name="Main Control").click()
            field = page.locator(_card("CCD_EXPOSURE") + " input.edit")
            field.fill("1")
            field.press("Enter")
            page.wait_for_selector(_card("CCD_EXPOSURE") + ".state-Ok", timeout=20_000)
            page.get_by_role("tab", name="Image Info", exact=True).click()
            page.wait_for_function(
                "() => document.querySelector('article.prop[data-name=\"CCD1\"] img')"
                "?.naturalWidth > 0"
            )
            page.locator(_card("CCD1") + " summary").click()
            page.wait_for_selector(_card("CCD1") + " .fits-header td")
            time.sleep(3)  # a few more points on the plot
            page.screenshot(path=str(ROOT / "docs" / "web_desktop.png"))

            phone = browser.new_page()
            phone.set_viewport_size({"width": 390, "height": 844})
            phone.goto(url + "/")
            phone.wait_for_selector("#status.online")
            phone.get_by_role("button", name="led").click()
            phone.get_by_role("tab", name="Main", exact=True).click()
            field = phone.locator(_card("EXPOSURE") + " input.edit")
            field.fill("900")
            field.press("Enter")
            phone.wait_for_selector(_card("EXPOSURE") + ".state-Alert")
            phone.wait_for_function(
                "() => document.querySelector('article.prop[data-name=\"EXPOSURE\"] .error')"
                ".textContent.includes('Refused')"
            )
            phone.screenshot(path=str(ROOT / "docs" / "web_phone.png"))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
