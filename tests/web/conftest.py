"""Fixtures for the web panel: apps served with ``--web``, and headless Chromium.

Browser tests are marked ``browser``. They need Debian's ``chromium``
(``.ci/run`` installs it) and Python's ``playwright`` (a dev extra); they are
skipped only when chromium is missing outside CI, and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_kit import CAMERA, KITCHEN, LED, Process, run_with_web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _served(app: Path) -> Iterator[Process]:
    process = run_with_web(app).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def led_web() -> Iterator[Process]:
    """``indiflask run examples/led.py --web``, for the whole module."""
    yield from _served(LED)


@pytest.fixture(scope="module")
def kitchen_web() -> Iterator[Process]:
    """``indiflask run tests/web/apps/webapp_kitchen.py --web``, for the whole module."""
    yield from _served(KITCHEN)


@pytest.fixture(scope="module")
def camera_web() -> Iterator[Process]:
    """``indiflask run examples/camera.py --web``, for the whole module."""
    yield from _served(CAMERA)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the session, driven by Playwright."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright  # a dev extra

    profile = tempfile.mkdtemp(prefix="indiflask-chromium-")  # a fresh --user-data-dir
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page_factory(chromium: Any) -> Iterator[Callable[..., Any]]:
    """``page_factory(width=1280, height=800)``: a new page, closed after the test."""
    pages: list[Any] = []

    def make(width: int = 1280, height: int = 800) -> Any:
        page = chromium.new_page()
        page.set_viewport_size({"width": width, "height": height})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
