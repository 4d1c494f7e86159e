"""The terminal UI application: devices on the left, groups as tabs, messages below.

Keys: ``Tab``/``Shift+Tab`` move between the device list and the properties,
arrows choose a device, ``Enter`` edits the focused property, ``d`` downloads
a BLOB property's data into the BLOB folder, ``u`` re-asks the server for every
property, ``q`` quits. It runs in any terminal, including over SSH (textual
needs nothing but the terminal). A lost link is retried with backoff by the
client; the title shows the connection state.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, OptionList, RichLog, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..client.client import Client
from ..client.updates import Update, format_update
from ..core.remote import RemoteProperty
from ..errors import InvalidValue
from .widgets import EditorScreen, PropertyView

__all__ = ["IndiTerm"]


class IndiTerm(App[None]):
    """Browse and control every device of one INDI server.

    :param host: the server's address.
    :param port: its TCP port.
    :param blob_dir: the folder where downloaded BLOBs are saved.
    :param client: an existing (not yet connected) client to use instead.
    """

    TITLE = "indiflask term"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("u", "refresh", "Refresh"),
        Binding("m", "toggle_messages", "Messages"),
    ]
    CSS = """
    #devices { width: 28; border: round $panel; }
    #devices:focus-within { border: round $accent; }
    #main { width: 1fr; }
    #messages { height: 8; border: round $panel; }
    TabPane { padding: 0; }
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 7624, *,
                 blob_dir: Path | None = None, client: Client | None = None) -> None:
        super().__init__()
        #: The INDI client (connected when the app mounts).
        self.client = client or Client(host, port)
        #: The folder where downloaded BLOBs go.
        self.blob_dir = blob_dir or Path(".")
        #: The device shown, if any.
        self.device: str | None = None
        self._views: dict[str, PropertyView] = {}
        self._layout: list[tuple[str, list[str]]] = []

    def compose(self) -> ComposeResult:
        """Header, device list, tabbed properties, message log, footer."""
        yield Header()
        with Horizontal():
            yield OptionList(id="devices")
            with Vertical(id="main"):
                yield VerticalScroll(id="groups")
                yield RichLog(id="messages", wrap=True, markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        """Connect and start following the updates."""
        self.sub_title = f"{self.client.host}:{self.client.port} connecting"
        self._sub = self.client.updates()
        self.run_worker(self._follow(), exclusive=True, group="follow")
        try:
            await self.client.connect()
        except (OSError, TimeoutError) as exc:
            self.sub_title = f"{self.client.host}:{self.client.port} unreachable"
            self._note(f"cannot connect: {exc}")
        self.query_one("#devices", OptionList).focus()

    async def on_unmount(self) -> None:
        """Close the link."""
        await self.client.close()

    # ------------------------------------------------------------------ updates
    async def _follow(self) -> None:
        async for update in self._sub:
            await self.apply_update(update)

    async def apply_update(self, update: Update) -> None:
        """Reflect one update: connection state, device list, property views, messages."""
        where = f"{self.client.host}:{self.client.port}"
        if update.kind == "connected":
            self.sub_title = f"{where} connected"
            self._note("connected")
        elif update.kind == "disconnected":
            self.sub_title = f"{where} disconnected, retrying"
            self._note(f"connection lost: {update.message}")
        if update.kind in ("message", "def", "set", "del") and update.message:
            self._note(format_update(update))
        for path in update.paths:
            self._note(f"saved {path}")
        if update.kind in ("def", "del"):
            self._sync_devices()
        if update.device is None or update.device != self.device:
            return
        if update.kind in ("def", "del") and self._layout_changed():
            await self.show_device(self.device)
        elif update.name is not None and update.name in self._views:
            prop = self.client.mirror.get_property(update.device, update.name)
            if prop is not None:
                self._views[update.name].show(prop)

    def _note(self, text: str) -> None:
        self.query_one("#messages", RichLog).write(text)

    def _sync_devices(self) -> None:
        devices = self.query_one("#devices", OptionList)
        names = list(self.client.mirror)
        current = [devices.get_option_at_index(i).id for i in range(devices.option_count)]
        if current == names:
            return
        highlighted = devices.highlighted
        devices.clear_options()
        devices.add_options([Option(name, id=name) for name in names])
        if names:
            devices.highlighted = min(highlighted or 0, len(names) - 1)
        if self.device is None and names:
            self.call_later(self.show_device, names[0])

    def _current_layout(self, device: str) -> list[tuple[str, list[str]]]:
        groups: dict[str, list[str]] = {}
        dev = self.client.mirror.get(device)
        for name, prop in (dev or {}).items():
            groups.setdefault(prop.group or "Main", []).append(name)
        return list(groups.items())

    def _layout_changed(self) -> bool:
        return self.device is not None and self._current_layout(self.device) != self._layout

    # ------------------------------------------------------------------ device view
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the highlighted device."""
        if event.option.id is not None and event.option.id != self.device:
            self.call_later(self.show_device, event.option.id)

    async def show_device(self, device: str) -> None:
        """Show ``device``: one tab per group, one view per property."""
        self.device = device
        self._layout = self._current_layout(device)
        self._views = {}
        container = self.query_one("#groups", VerticalScroll)
        await container.remove_children()
        tabs = TabbedContent()
        await container.mount(tabs)
        dev: Mapping[str, RemoteProperty] = self.client.mirror.get(device) or {}
        for index, (group, names) in enumerate(self._layout):
            views = [PropertyView(dev[name]) for name in names]
            self._views.update(zip(names, views, strict=True))
            await tabs.add_pane(TabPane(group, VerticalScroll(*views), id=f"group-{index}"))

    def view(self, name: str) -> PropertyView:
        """The view of property ``name`` of the shown device."""
        return self._views[name]

    # ------------------------------------------------------------------ actions
    def edit_property(self, prop: RemoteProperty) -> None:
        """Open the editor; send what it returns."""

        def done(values: dict[str, Any] | None) -> None:
            if values:
                self.run_worker(self.send_change(prop, values), group="set")

        self.push_screen(EditorScreen(prop), done)

    async def send_change(self, prop: RemoteProperty, values: dict[str, Any]) -> None:
        """Send a change and report a refusal, an invalid value or a timeout."""
        view = self._views.get(prop.name)
        try:
            result = await self.client.set(prop.device, prop.name, values, timeout=30)
        except (InvalidValue, TimeoutError, ConnectionError) as exc:
            self.notify(str(exc), severity="error")
            return
        if view is not None:
            view.show(result)
        if result.state.value == "Alert":
            self.notify(f"{prop.name}: {result.message or 'refused'}", severity="error")

    def download_blobs(self, prop: RemoteProperty) -> None:
        """Receive ``prop``'s BLOBs from now on and save them in the BLOB folder."""
        self.client.blob_dir = self.blob_dir

        async def enable() -> None:
            try:
                await self.client.enable_blob(prop.device, "Also", prop.name)
            except ConnectionError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"{prop.name}: BLOBs will be saved in {self.blob_dir}")

        self.run_worker(enable(), group="blob")

    async def action_refresh(self) -> None:
        """Ask the server for every property again."""
        try:
            await self.client.get_properties()
        except ConnectionError as exc:
            self.notify(str(exc), severity="error")

    def action_toggle_messages(self) -> None:
        """Show or hide the message log."""
        log = self.query_one("#messages", RichLog)
        log.display = not log.display
