"""The panel in a real headless Chromium (Debian's), driven by Playwright.

Each test loads the page from a real ``indiflask run APP --web`` (or
``indiflask web``) and acts as a person would: clicks, types, reads colours
and texts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from web_kit import LED, Process, free_port, http, serve_indi, stop, web_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

Page = Any


def card(page: Page, name: str) -> Any:
    return page.locator(f'article.prop[data-name="{name}"]')


def open_panel(page_factory: Callable[..., Page], process: Process, **size: int) -> Page:
    page = page_factory(**size)
    page.goto(process.url + "/")
    page.wait_for_selector("#status.online", timeout=15_000)
    return page


def no_js_errors(page: Page) -> None:
    assert page.js_errors == []


def test_toggle_the_led(led_web: Process, page_factory: Callable[..., Page]) -> None:
    page = open_panel(page_factory, led_web)
    led = card(page, "LED")
    led.wait_for()
    assert page.locator("#device-list button").first.text_content() == "led"
    led.get_by_role("button", name="ON").click()
    page.wait_for_selector('article.prop[data-name="LED"].state-Ok')
    assert led.get_by_role("button", name="ON").get_attribute("aria-pressed") == "true"
    assert led.locator(".badge").text_content() == "Ok"
    led.get_by_role("button", name="OFF").click()
    page.wait_for_function(
        """() => document.querySelector('article.prop[data-name="LED"] button[data-member="OFF"]')
                 .getAttribute("aria-pressed") === "true" """
    )
    no_js_errors(page)


def test_out_of_range_and_refused_numbers(
    led_web: Process, page_factory: Callable[..., Page]
) -> None:
    page = open_panel(page_factory, led_web)
    page.get_by_role("tab", name="Main").click()
    exposure = card(page, "EXPOSURE")
    field = exposure.locator("input.edit")
    field.fill("5000")
    field.press("Enter")
    error = exposure.locator(".error")
    assert "5000 is outside [0, 3600]" in error.text_content()
    assert field.get_attribute("aria-invalid") == "true"
    assert "state-Alert" not in exposure.get_attribute("class")  # nothing was sent
    field.fill("900")
    exposure.get_by_role("button", name="Set").click()
    page.wait_for_selector('article.prop[data-name="EXPOSURE"].state-Alert')
    page.wait_for_function(
        """() => document.querySelector('article.prop[data-name="EXPOSURE"] .error')
                 .textContent.includes("Refused")"""
    )
    assert "dark slide" in error.text_content()
    assert "dark slide" in exposure.locator(".message").text_content()
    assert "dark slide" in page.locator("#messages").text_content()
    no_js_errors(page)


def test_busy_while_a_change_runs_then_ok(
    led_web: Process, page_factory: Callable[..., Page]
) -> None:
    page = open_panel(page_factory, led_web)
    page.get_by_role("tab", name="Main").click()
    exposure = card(page, "EXPOSURE")
    field = exposure.locator("input.edit")
    field.fill("2")  # a 2 s exposure: Busy, then Ok
    field.press("Enter")
    page.wait_for_selector('article.prop[data-name="EXPOSURE"].state-Busy', timeout=2000)
    assert exposure.locator(".badge").text_content() == "Busy"
    page.wait_for_selector('article.prop[data-name="EXPOSURE"].state-Ok', timeout=15_000)
    assert exposure.locator("output.value").text_content() == "2.0"
    no_js_errors(page)


def test_live_hardware_update_arrives(led_web: Process, page_factory: Callable[..., Page]) -> None:
    page = open_panel(page_factory, led_web)
    page.get_by_role("tab", name="Status").click()
    stamp = card(page, "TEMPERATURE").locator("time.stamp")
    stamp.wait_for()
    first = stamp.text_content()
    page.wait_for_function(
        """(first) => document.querySelector('article.prop[data-name="TEMPERATURE"] time.stamp')
                     .textContent !== first""",
        arg=first,
        timeout=10_000,
    )
    value = card(page, "TEMPERATURE").locator("output.value").text_content()
    assert float(value) == pytest.approx(
        led_web.get("/api/properties/led/TEMPERATURE").json()["members"]["TEMP"], abs=0.5
    )
    no_js_errors(page)


def test_keyboard_only(led_web: Process, page_factory: Callable[..., Page]) -> None:
    page = open_panel(page_factory, led_web)
    card(page, "LED").wait_for()
    page.get_by_role("tab", name="Control").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Status"
    card(page, "TEMPERATURE").wait_for()
    page.keyboard.press("ArrowLeft")
    card(page, "LED").wait_for()
    page.keyboard.press("Tab")  # into the Control group: the LED's ON button
    assert page.evaluate("document.activeElement.dataset.member") == "ON"
    page.keyboard.press("Enter")
    page.wait_for_function(
        """() => document.querySelector('article.prop[data-name="LED"] button[data-member="ON"]')
                 .getAttribute("aria-pressed") === "true" """
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # OFF
    page.wait_for_function(
        """() => document.querySelector('article.prop[data-name="LED"] button[data-member="OFF"]')
                 .getAttribute("aria-pressed") === "true" """
    )
    no_js_errors(page)


def test_readable_on_a_phone(led_web: Process, page_factory: Callable[..., Page]) -> None:
    page = open_panel(page_factory, led_web, width=390, height=800)
    page.get_by_role("tab", name="Main").click()
    card(page, "EXPOSURE").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = card(page, "EXPOSURE").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    set_button = card(page, "EXPOSURE").get_by_role("button", name="Set").bounding_box()
    assert set_button["height"] >= 30  # big enough for a finger
    no_js_errors(page)


def test_camera_image_is_rendered(camera_web: Process, page_factory: Callable[..., Page]) -> None:
    camera_web.wait_for("Camera Simulator", "CONNECTION")
    camera_web.post("/api/properties/Camera%20Simulator/CONNECTION", {"CONNECT": True})
    camera_web.wait_for("Camera Simulator", "CCD1")  # a camera defines its properties then
    page = open_panel(page_factory, camera_web)
    page.get_by_role("tab", name="Main Control").click()
    exposure = card(page, "CCD_EXPOSURE")
    exposure.locator("input.edit").fill("0.5")
    exposure.locator("input.edit").press("Enter")
    page.wait_for_selector('article.prop[data-name="CCD_EXPOSURE"].state-Ok', timeout=20_000)
    page.get_by_role("tab", name="Image Info", exact=True).click()
    image = card(page, "CCD1").locator("img")
    page.wait_for_function(
        """() => { const img = document.querySelector('article.prop[data-name="CCD1"] img');
                   return img && img.complete && img.naturalWidth === 640; }""",
        timeout=20_000,
    )
    assert image.is_visible()
    assert (
        page.evaluate(
            """() => document.querySelector('article.prop[data-name="CCD1"] img').naturalHeight"""
        )
        == 480
    )
    link = card(page, "CCD1").get_by_role("link", name="Download")
    href = link.get_attribute("href")
    assert href.startswith("/api/blobs/Camera%20Simulator/CCD1/CCD1")
    assert http("GET", camera_web.url + href).body.startswith(b"SIMPLE  =")
    card(page, "CCD1").locator("summary").click()  # the FITS header
    page.wait_for_selector('article.prop[data-name="CCD1"] .fits-header td')
    assert "EXPTIME" in card(page, "CCD1").locator(".fits-header").text_content()
    no_js_errors(page)


def test_hundred_updates_a_second_end_on_the_latest_value(
    kitchen_web: Process, page_factory: Callable[..., Page]
) -> None:
    page = open_panel(page_factory, kitchen_web)
    page.get_by_role("tab", name="Live").click()
    counter = card(page, "COUNTER")
    counter.wait_for()
    assert kitchen_web.post("/api/properties/bench/ACTION", {"BURST": True}).status == 200
    page.wait_for_function(
        """() => document.querySelector('article.prop[data-name="COUNTER"] output.value')
                 .textContent === "300" """,
        timeout=10_000,
    )
    no_js_errors(page)


def test_page_reconnects_after_the_indi_server_restarts(
    page_factory: Callable[..., Page],
) -> None:
    port = free_port()
    indi = serve_indi(LED, port)
    panel = web_for(port)
    try:
        panel.start()
        page = open_panel(page_factory, panel)
        card(page, "LED").wait_for()
        stop(indi)
        page.wait_for_selector("#status.offline", timeout=10_000)
        assert "unreachable" in page.locator("#status").text_content()
        assert "stale" in page.locator("body").get_attribute("class")
        time.sleep(0.5)
        indi = serve_indi(LED, port)
        page.wait_for_selector("#status.online", timeout=20_000)
        card(page, "LED").get_by_role("button", name="ON").click()
        page.wait_for_selector('article.prop[data-name="LED"].state-Ok', timeout=10_000)
        assert "INDI server lost" in page.locator("#messages").text_content()
        no_js_errors(page)
    finally:
        panel.stop()
        stop(indi)
