"""The terminal UI's editor shows user text as text: labels are never markup."""

from __future__ import annotations

import asyncio

from textual.app import App as TextualApp
from textual.widgets import Button

from indiflask.core.mirror import RemoteProperty
from indiflask.protocol import events as ev
from indiflask.protocol.values import Rule
from indiflask.tui.editor import EditorScreen


def switch_property() -> RemoteProperty:
    definition = ev.DefSwitchVector(
        device="dev",
        name="MODE",
        label="Mode [/] [b]x",
        rule=Rule.ONE_OF_MANY,
        members=(
            ev.DefSwitch(name="A", label="[/] closes nothing", value=True),
            ev.DefSwitch(name="B", label="[red]not red", value=False),
        ),
    )
    return RemoteProperty(definition)


def test_switch_editor_with_markup_like_labels() -> None:
    labels: list[str] = []

    class Host(TextualApp[None]):
        def on_mount(self) -> None:
            self.push_screen(EditorScreen(switch_property()))

    async def main() -> None:
        app = Host()
        async with app.run_test() as pilot:
            await pilot.pause(0.1)
            assert isinstance(app.screen, EditorScreen)
            for button in app.screen.query(Button):
                labels.append(str(button.label))

    asyncio.run(main())
    assert labels == ["[x] [/] closes nothing", "[ ] [red]not red"]
