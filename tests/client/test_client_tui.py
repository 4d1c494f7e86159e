"""``indiflask term`` driven headless with textual's pilot, against examples/led.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("textual")

from textual.widgets import Input

from indiflask.tui.app import IndiTerm
from indiflask.tui.widgets import EditorScreen


def test_select_device_change_number(led_server: int, tmp_path: Path) -> None:
    async def main() -> None:
        app = IndiTerm("127.0.0.1", led_server, blob_dir=tmp_path)
        async with app.run_test(size=(110, 34)) as pilot:
            await app.client.wait_for("led", "EXPOSURE", timeout=5)
            await pilot.pause(0.3)
            await pilot.press("down", "up")            # the device list has the focus
            await pilot.pause(0.2)
            assert app.device == "led"
            view = app.view("EXPOSURE")
            view.focus()
            await pilot.press("enter")
            assert isinstance(app.screen, EditorScreen)
            field = app.screen.query_one("#in-0", Input)
            field.value = "5000"                        # out of range: refused before sending
            await pilot.press("enter")
            assert isinstance(app.screen, EditorScreen)
            assert "outside" in str(app.screen.query_one("#error").render())
            field.value = "0:00:09"                     # sexagesimal: 0.0025 s
            await pilot.press("enter")
            assert not isinstance(app.screen, EditorScreen)
            await app.client.wait_for_state("led", "EXPOSURE", "Ok", timeout=5)
            await pilot.pause(0.3)
            assert view.prop["SECONDS"] == pytest.approx(0.0025)
            text = str(view.render())
            assert "Ok" in text and "0.0" in text
            # a switch: Enter, then the ON button
            app.view("LED").focus()
            await pilot.press("enter")
            await pilot.click("#sw-0")
            await app.client.wait_for_state("led", "LED", "Ok", timeout=5)
            await pilot.pause(0.3)
            assert app.view("LED").prop["ON"] is True
            assert "[x] On" in str(app.view("LED").render())
            app.save_screenshot("tui.svg", str(tmp_path))
        assert (tmp_path / "tui.svg").read_text().startswith("<svg")

    asyncio.run(main())
