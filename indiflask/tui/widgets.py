"""Widgets of the terminal UI: one view per property, and the editor for changes.

:class:`PropertyView` shows a property: its label and name, a state badge in
INDI's colours (Idle grey, Ok green, Busy yellow, Alert red), its permission,
and each member with its label and value (numbers in their INDI format).

:class:`EditorScreen` is the modal editor opened with Enter on a property:
switches are buttons; numbers and texts are inputs, numbers checked (decimal or
sexagesimal, within min..max) before anything is sent; BLOB members take a file
to upload. It dismisses with the members to send, or ``None`` when cancelled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ..core.remote import RemoteProperty
from ..errors import InvalidValue
from ..numbers import check_range, parse_number
from ..protocol import events as ev
from ..values import Perm, Rule, State

__all__ = ["STATE_STYLES", "EditorScreen", "PropertyView", "render_property"]

#: Rich styles of the four states (the INDI spec's suggested colours).
STATE_STYLES = {
    State.IDLE: "bold white on grey37",
    State.OK: "bold black on green3",
    State.BUSY: "bold black on yellow3",
    State.ALERT: "bold white on red3",
}


def render_property(prop: RemoteProperty) -> Text:
    """The text of a :class:`PropertyView`: header line, then one line per member."""
    text = Text()
    text.append(f" {prop.state.value:^5} ", style=STATE_STYLES[prop.state])
    text.append(f" {prop.label}", style="bold")
    text.append(f"  {prop.name}", style="dim")
    perm = "" if prop.kind == "Light" else prop.perm.value
    text.append(f"  {prop.kind.lower()} {perm}", style="italic dim")
    if prop.rule is not None:
        text.append(f" {prop.rule.value}", style="italic dim")
    width = max((len(m.label or m.name) for m in prop.members.values()), default=0)
    for name, member in prop.members.items():
        text.append(f"\n    {(member.label or name):<{width}}  ")
        value = prop.values.get(name)
        if prop.kind == "Switch":
            text.append("[x] On" if value else "[ ] Off", style="green" if value else "dim")
        elif prop.kind == "Light" and isinstance(value, State):
            text.append(f" {value.value} ", style=STATE_STYLES[value])
        elif prop.kind == "BLOB":
            blob = prop.blob(name)
            text.append(f"{blob.size} bytes {blob.data_format}" if blob else "(no data)",
                        style="cyan")
        else:
            text.append(prop.formatted(name).strip() or '""', style="cyan")
            if isinstance(member, ev.DefNumber) and member.min < member.max:
                text.append(f"   [{member.min:g} .. {member.max:g}]", style="dim")
    if prop.message:
        text.append(f"\n    {prop.message}", style="italic yellow")
    return text


class PropertyView(Static, can_focus=True):
    """One property; Enter edits it, ``d`` downloads its BLOBs."""

    BINDINGS = [
        Binding("enter", "edit", "Edit"),
        Binding("d", "download", "Download BLOB", show=False),
    ]

    DEFAULT_CSS = """
    PropertyView { padding: 0 1; margin: 0 0 1 0; border: round $panel; }
    PropertyView:focus { border: round $accent; }
    """

    def __init__(self, prop: RemoteProperty) -> None:
        super().__init__(render_property(prop))
        #: The live mirrored property shown.
        self.prop = prop

    def show(self, prop: RemoteProperty | None = None) -> None:
        """Redraw (from ``prop`` when the mirror replaced the object)."""
        if prop is not None:
            self.prop = prop
        self.update(render_property(self.prop))

    def action_edit(self) -> None:
        """Open the editor (read-only properties and lights cannot be edited)."""
        if self.prop.kind == "Light" or self.prop.perm == Perm.RO:
            self.app.notify(f"{self.prop.name} is read-only", severity="warning")
            return
        handler = getattr(self.app, "edit_property", None)
        if handler is not None:
            handler(self.prop)

    def action_download(self) -> None:
        """Ask the app to receive this BLOB property's data into its folder."""
        handler = getattr(self.app, "download_blobs", None)
        if handler is not None and self.prop.kind == "BLOB":
            handler(self.prop)


class EditorScreen(ModalScreen[dict[str, Any] | None]):
    """The modal editor of one property; dismisses with the members to send."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    EditorScreen { align: center middle; }
    EditorScreen > Vertical { width: 80; height: auto; max-height: 90%;
                              border: thick $accent; background: $surface; padding: 1 2; }
    EditorScreen Horizontal { height: auto; }
    EditorScreen .member { width: 24; padding: 1 1 0 0; }
    EditorScreen Input { width: 1fr; }
    EditorScreen #error { color: $error; height: auto; }
    """

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
                yield Label(Text(f"{rule}: choose a member", style="dim"))
                for i, (name, member) in enumerate(prop.members.items()):
                    mark = "[x]" if prop.values.get(name) else "[ ]"
                    yield Button(f"{mark} {member.label or name}", id=f"sw-{i}")
            else:
                for i, (name, member) in enumerate(prop.members.items()):
                    with Horizontal():
                        yield Label(self._caption(name, member), classes="member")
                        yield Input(value=self._initial(name), id=f"in-{i}",
                                    placeholder="file to upload" if prop.kind == "BLOB" else "")
                yield Button("Set", variant="primary", id="set")
            yield Static("", id="error")

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
            self.query_one("#error", Static).update(str(exc))
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
            if prop.kind == "Number":
                assert isinstance(member, ev.DefNumber)
                try:
                    number = parse_number(text)
                except InvalidValue as exc:
                    raise InvalidValue(f"{member.label or name}: {exc}") from None
                check_range(number, member.min, member.max, name=member.label or name)
                every[name] = number
            elif prop.kind == "BLOB":
                if not text:
                    continue
                path = Path(text).expanduser()
                if not path.is_file():
                    raise InvalidValue(f"{member.label or name}: no such file {text!r}")
                every[name] = path
                values[name] = path
                continue
            else:
                every[name] = text
            if text != self._initial(name):
                values[name] = every[name]
        if prop.kind == "BLOB" and not values:
            raise InvalidValue("name a file to upload")
        return values or every

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)
