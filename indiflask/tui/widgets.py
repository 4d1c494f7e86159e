"""Widgets of the terminal UI: one view per property.

:class:`PropertyView` shows a property: its label and name, a state badge in
INDI's colours (Idle grey, Ok green, Busy yellow, Alert red), its permission,
and each member with its label and value (numbers in their INDI format). The
colours are from the 256-colour palette and the badge also spells the state,
so it reads the same over SSH, in tmux, or without colour.

The editor and the BLOB folder prompt are in :mod:`indiflask.tui.editor`.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from ..core.mirror import RemoteProperty
from ..protocol import events as ev
from ..protocol.values import Perm, State

__all__ = ["STATE_STYLES", "PropertyView", "render_property"]

#: Rich styles of the four states (the INDI spec's suggested colours, 256-colour names).
STATE_STYLES = {
    State.IDLE: "bold white on grey37",
    State.OK: "bold black on green3",
    State.BUSY: "bold black on yellow3",
    State.ALERT: "bold white on red3",
}


def render_property(prop: RemoteProperty, note: str = "") -> Text:
    """The text of a :class:`PropertyView`: header line, one line per member, then notes.

    :param note: an extra line shown last (the UI puts the BLOB folder there).
    """
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
            shown = f"{blob.size} bytes {blob.data_format}" if blob else "(no data)"
            text.append(shown, style="cyan")
        else:
            text.append(prop.formatted(name).strip() or '""', style="cyan")
            if isinstance(member, ev.DefNumber) and member.min < member.max:
                text.append(f"   [{member.min:g} .. {member.max:g}]", style="dim")
    if prop.message:
        text.append(f"\n    {prop.message}", style="italic yellow")
    if note:
        text.append(f"\n    {note}", style="magenta")
    return text


class PropertyView(Static, can_focus=True):
    """One property: ``Enter`` edits it, ``d`` saves its BLOBs, ``↑``/``↓`` move.

    The app gives it the actions through two methods it looks up:
    ``edit_property(prop)`` and ``download_blobs(prop)``.
    """

    BINDINGS = [
        Binding("enter", "edit", "Edit"),
        Binding("d", "download", "Download BLOBs"),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("down", "move(1)", "Next", show=False),
    ]

    DEFAULT_CSS = """
    PropertyView { padding: 0 1; margin: 0 0 1 0; border: round $panel; }
    PropertyView:focus { border: double $accent; }
    """

    def __init__(self, prop: RemoteProperty) -> None:
        super().__init__(render_property(prop))
        #: The live mirrored property shown.
        self.prop = prop
        #: An extra line shown under the members (for BLOBs: where they are saved).
        self.note = ""

    def show(self, prop: RemoteProperty | None = None) -> None:
        """Redraw (from ``prop`` when the mirror replaced the object)."""
        if prop is not None:
            self.prop = prop
        self.update(render_property(self.prop, self.note))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer ``Edit`` only on writable properties and ``d`` only on BLOBs (footer too)."""
        if action == "edit":
            return self.prop.kind != "Light" and self.prop.perm != Perm.RO
        if action == "download":
            return self.prop.kind == "BLOB" and self.prop.perm != Perm.WO
        return True

    def action_edit(self) -> None:
        """Open the editor."""
        handler = getattr(self.app, "edit_property", None)
        if handler is not None:
            handler(self.prop)

    def action_download(self) -> None:
        """Ask the app to save this BLOB property's data in a folder."""
        handler = getattr(self.app, "download_blobs", None)
        if handler is not None:
            handler(self.prop)

    def action_move(self, step: int) -> None:
        """Focus the previous (``-1``) or next (``1``) property of the same group."""
        parent = self.parent
        if parent is None:
            return
        views = [w for w in parent.children if isinstance(w, PropertyView)]
        index = views.index(self) + step
        if 0 <= index < len(views):
            views[index].focus()
