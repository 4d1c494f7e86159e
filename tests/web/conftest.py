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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium (Debian's) per test module, driven by Playwright."""
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


@pytest.fixture(scope="module")
def libindi_simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """libindi's indiserver with the telescope and CCD simulators; yields its port.

    It runs with tests/interop's LD_PRELOAD shim (so it binds 127.0.0.1 only) and a
    HOME of its own (the simulators keep their park state and settings there).
    """
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "interop"))
    from interop_kit import HERE, LibIndiServer, free_port

    if shutil.which("indiserver") is None:
        pytest.skip("libindi's indiserver is not installed")
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.fail("a C compiler is needed to build tests/interop/loopback_bind.c")
    folder = tmp_path_factory.mktemp("libindi")
    shim = folder / "loopback_bind.so"
    subprocess.run(
        [cc, "-shared", "-fPIC", "-o", str(shim), str(HERE / "loopback_bind.c"), "-ldl"],
        check=True,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(folder))
        server = LibIndiServer(
            shim, free_port(), ["indi_simulator_telescope", "indi_simulator_ccd"]
        ).start()
    try:
        yield server.port
    finally:
        server.stop()
