"""The modal screens of the terminal UI: the property editor and the BLOB folder prompt.

:class:`EditorScreen` opens with Enter on a property: switches are buttons;
numbers and texts are inputs, numbers checked (decimal or sexagesimal, within
min..max) before anything is sent; BLOB members take a file to upload. It
dismisses with the members to send, or ``None`` when cancelled.

:class:`FolderScreen` opens with ``d`` on a BLOB property and asks in which
folder its data are saved. Both are driven by keys alone: ``Tab`` and the
arrows move, ``Enter`` confirms, ``Esc`` cancels, and both show their keys in a
footer of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from ..core.mirror import RemoteProperty
from ..errors import InvalidValue
from ..protocol import events as ev
from ..protocol.numbers import check_range, parse_number
from ..protocol.values import Rule

__all__ = ["EditorScreen", "FolderScreen"]

_MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 80; height: auto; max-height: 90%;
                     border: thick $accent; background: $surface; padding: 1 2; }}
{name} Horizontal {{ height: auto; }}
{name} .member {{ width: 24; padding: 1 1 0 0; }}
{name} Input {{ width: 1fr; }}
{name} Button {{ margin: 1 1 0 0; }}
{name} #error {{ color: $error; height: auto; }}
"""


class _Modal(ModalScreen[Any]):
    """Shared keys: ``Esc`` cancels, ``↑``/``↓`` move between the fields and buttons."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("up", "app.focus_previous", "Previous", show=False),
        Binding("down", "app.focus_next", "Next", show=False),
    ]

    def action_cancel(self) -> None:
        """Close without doing anything."""
        self.dismiss(None)


class EditorScreen(_Modal):
    """The modal editor of one property; dismisses with the members to send."""

    DEFAULT_CSS = _MODAL_CSS.format(name="EditorScreen")

    def __init__(self, prop: RemoteProperty) -> None:
        super().__init__()
        #: The property being edited.
        self.prop = prop

    def compose(self) -> ComposeResult:
        """Buttons for switches, inputs for numbers, texts and BLOB files."""
        prop = self.prop
        with Vertical():
            yield Label(Text(f"{prop.device} · {prop.label} ({prop.name})", style="bold"))
            if prop.kind == "Switch":
                rule = prop.rule.value if prop.rule else ""
                yield Label(Text(f"{rule}: choose a member (Enter)", style="dim"))
                for i, (name, member) in enumerate(prop.members.items()):
                    mark = "[x]" if prop.values.get(name) else "[ ]"
                    # user text: never markup (a label may hold "[/]"), and the mark stays
                    yield Button(Text(f"{mark} {member.label or name}"), id=f"sw-{i}")
            else:
                for i, (name, member) in enumerate(prop.members.items()):
                    with Horizontal():
                        yield Label(Text(self._caption(name, member)), classes="member")
                        yield Input(
                            value=self._initial(name),
                            id=f"in-{i}",
                            placeholder="path of the file to upload" if prop.kind == "BLOB" else "",
                        )
                yield Button("Set", variant="primary", id="set")
            yield Static("", id="error")
        yield Footer()

    def _caption(self, name: str, member: ev.DefMember) -> str:
        label = member.label or name
        if isinstance(member, ev.DefNumber) and member.min < member.max:
            return f"{label}\n[{member.min:g} .. {member.max:g}]"
        return label

    def _initial(self, name: str) -> str:
        if self.prop.kind == "BLOB":
            return ""
        return self.prop.formatted(name).strip()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """A switch button sends that member; "Set" checks the inputs and sends."""
        button_id = event.button.id or ""
        if button_id.startswith("sw-"):
            name = list(self.prop.members)[int(button_id[3:])]
            current = bool(self.prop.values.get(name))
            if self.prop.rule == Rule.ANY_OF_MANY:
                self.dismiss({name: not current})
            else:
                self.dismiss({name: True})
        elif button_id == "set":
            self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in an input submits the form."""
        self._submit()

    def _submit(self) -> None:
        try:
            values = self.collect()
        except InvalidValue as exc:
            self.query_one("#error", Static).update(Text(str(exc)))
            return
        self.dismiss(values)

    def collect(self) -> dict[str, Any]:
        """The members to send, checked.

        Numbers must parse (decimal or sexagesimal) and lie within min..max;
        members whose text was left unchanged are not sent, unless none changed.

        :raises InvalidValue: naming the first problem.
        """
        prop = self.prop
        values: dict[str, Any] = {}
        every: dict[str, Any] = {}
        for i, (name, member) in enumerate(prop.members.items()):
            text = self.query_one(f"#in-{i}", Input).value.strip()
            label = member.label or name
            if prop.kind == "Number":
                assert isinstance(member, ev.DefNumber)
                try:
                    number = parse_number(text)
                except InvalidValue as exc:
                    raise InvalidValue(f"{label}: {exc}") from None
                check_range(number, member.min, member.max, name=label)
                every[name] = number
            elif prop.kind == "BLOB":
                if text:
                    path = Path(text).expanduser()
                    if not path.is_file():
                        raise InvalidValue(f"{label}: no such file {text!r}")
                    values[name] = path
                continue
            else:
                every[name] = text
            if text != self._initial(name):
                values[name] = every[name]
        if prop.kind == "BLOB" and not values:
            raise InvalidValue("name a file to upload")
        return values or every


class FolderScreen(_Modal):
    """Ask for the folder where a BLOB property's data are saved; dismisses with a path.

    :param prop: the BLOB property.
    :param folder: the folder proposed.
    """

    DEFAULT_CSS = _MODAL_CSS.format(name="FolderScreen")

    def __init__(self, prop: RemoteProperty, folder: Path) -> None:
        super().__init__()
        #: The BLOB property whose data will be saved.
        self.prop = prop
        #: The folder proposed.
        self.folder = folder

    def compose(self) -> ComposeResult:
        """The property, the folder input and a "Save" button."""
        with Vertical():
            title = f"{self.prop.device} · {self.prop.label} ({self.prop.name})"
            yield Label(Text(title, style="bold"))
            yield Label(Text("Save every BLOB it sends from now on in the folder:", style="dim"))
            yield Input(value=str(self.folder), id="folder")
            yield Button("Save here", variant="primary", id="save")
            yield Static("", id="error")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the folder field confirms."""
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The "Save here" button confirms."""
        self._submit()

    def _submit(self) -> None:
        text = self.query_one("#folder", Input).value.strip()
        path = Path(text or ".").expanduser()
        if path.exists() and not path.is_dir():
            self.query_one("#error", Static).update(Text(f"{text!r} is not a folder"))
            return
        self.dismiss(path)
