"""The terminal UI application: devices on the left, groups as tabs, messages below.

Every action has a key, and the footer shows the keys that apply where the
focus is. ``Tab``/``Shift+Tab`` move between the device list, the group tabs
and the properties; ``↑``/``↓`` choose a device or a property; ``[``/``]`` (or
``←``/``→`` on the tabs) change group; ``Enter`` on a device goes to its
properties, and on a property opens its editor; ``d`` saves a BLOB property's
data in a folder; ``u`` asks the server for every property again; ``m`` shows
or hides the messages; ``q`` quits.

It needs nothing but a terminal: no mouse, no true colour (the state colours
are 256-colour palette entries and the badges spell the state), so it works over
SSH and in tmux. The header shows the link: ``connecting``, ``connected``, or
``disconnected, retrying``. The first connection is retried until the server
answers; a lost link is re-established by the client with backoff, after which
the properties are asked for again (the views are dimmed meanwhile).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, OptionList, RichLog, TabbedContent, TabPane
from textual.widgets.option_list import Option

from ..client.client import Client
from ..client.updates import Update, format_update
from ..core.mirror import RemoteProperty
from ..errors import ChangeRefused, InvalidValue
from ..protocol.events import SetBLOBVector
from ..protocol.values import BlobMode
from .editor import EditorScreen, FolderScreen
from .widgets import PropertyView

__all__ = ["IndiTerm"]


class _Group(VerticalScroll, can_focus=False):
    """A scrolling column of property views (not a focus stop: its views are)."""


class _DeviceList(OptionList):
    """The device list: ``↑``/``↓`` show a device, ``Enter`` goes to its properties."""

    BINDINGS = [Binding("enter", "select", "Properties")]


class IndiTerm(App[None]):
    """Browse and control every device of one INDI server.

    :param host: the server's address.
    :param port: its TCP port.
    :param blob_dir: the folder proposed for downloaded BLOBs.
    :param client: an existing (not yet connected) client to use instead.
    """

    TITLE = "indiflask term"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("left_square_bracket", "group(-1)", "Prev group", key_display="["),
        Binding("right_square_bracket", "group(1)", "Next group", key_display="]"),
        Binding("u", "refresh", "Refresh"),
        Binding("m", "toggle_messages", "Messages"),
    ]
    CSS = """
    #devices { width: 28; border: round $panel; }
    #devices:focus-within { border: double $accent; }
    #main { width: 1fr; }
    #main.-offline PropertyView { text-opacity: 50%; }
    #messages { height: 8; border: round $panel; overflow-x: hidden; scrollbar-size-vertical: 1; }
    #messages:focus { border: double $accent; }
    TabPane { padding: 0; }
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 7624,
        *,
        blob_dir: Path | None = None,
        client: Client | None = None,
    ) -> None:
        super().__init__()
        #: The INDI client (connected when the app mounts).
        self.client = client if client is not None else Client(host, port)
        #: The folder where downloaded BLOBs go (chosen again with ``d``).
        self.blob_dir = blob_dir or Path(".")
        #: The device shown, if any.
        self.device: str | None = None
        #: The BLOB properties being saved, as (device, property).
        self.downloading: set[tuple[str, str]] = set()
        self._views: dict[str, PropertyView] = {}
        self._layout: list[tuple[str, list[str]]] = []
        # one rebuild at a time: show_device awaits while mounting, and a second call
        # (a new definition, the device list) must not interleave with it
        self._showing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        """Header, device list, tabbed properties, message log, footer."""
        yield Header()
        with Horizontal():
            yield _DeviceList(id="devices")
            with Vertical(id="main", classes="-offline"):
                yield _Group(id="groups")
                yield RichLog(id="messages", wrap=True, markup=False, min_width=20)
        yield Footer()

    async def on_mount(self) -> None:
        """Start following the updates and connecting."""
        self._status("connecting")
        self._sub = self.client.updates()
        self.run_worker(self._follow(), exclusive=True, group="follow")
        self.run_worker(self._connect(), exclusive=True, group="connect")
        self.query_one("#devices", OptionList).focus()

    async def on_unmount(self) -> None:
        """Close the link."""
        self._sub.close()
        await self.client.close()

    async def _connect(self) -> None:
        """Connect, retrying with backoff until the server answers."""
        backoff = 0.25
        while True:
            try:
                await self.client.connect()
            except (OSError, TimeoutError) as exc:
                self._status(f"unreachable, retrying in {backoff:g} s")
                self._note(f"cannot connect: {exc}")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.client.max_backoff)
            else:
                return

    def _status(self, text: str) -> None:
        self.sub_title = f"{self.client.host}:{self.client.port} {text}"

    # ------------------------------------------------------------------ updates
    async def _follow(self) -> None:
        async for update in self._sub:
            await self.apply_update(update)

    async def apply_update(self, update: Update) -> None:
        """Reflect one update: connection state, device list, property views, messages."""
        if update.kind == "connected":
            self._status("connected")
            self._note("connected")
            self.query_one("#main").remove_class("-offline")
        elif update.kind == "disconnected":
            self._status("disconnected, retrying")
            self._note(f"connection lost: {update.message}")
            self.query_one("#main").add_class("-offline")
            self.notify("connection lost; reconnecting", severity="warning", markup=False)
        if update.kind == "progress":
            self._status(update.message or "receiving a BLOB")
            return
        if update.kind == "set" and isinstance(update.event, SetBLOBVector):
            self._status("connected")  # the BLOB being received is complete
        if update.kind in ("message", "def", "set", "del") and update.message:
            self._note(format_update(update))
        if update.paths and update.device is not None and update.name is not None:
            self._saved(update.device, update.name, update.paths)
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

    def _saved(self, device: str, name: str, paths: tuple[Path, ...]) -> None:
        for path in paths:
            self._note(f"saved {path}")
        view = self._views.get(name) if device == self.device else None
        if view is not None:
            view.note = f"saved {paths[-1]}"

    def _sync_devices(self) -> None:
        devices = self.query_one("#devices", OptionList)
        names = list(self.client.mirror)
        current = [devices.get_option_at_index(i).id for i in range(devices.option_count)]
        if current == names:
            return
        highlighted = devices.highlighted
        devices.clear_options()
        devices.add_options([Option(Text(name), id=name) for name in names])
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

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on a device: show it and focus the first property of the group shown."""
        if event.option.id is None:
            return
        if event.option.id != self.device:
            await self.show_device(event.option.id)
        self.action_group(0)

    async def show_device(self, device: str) -> None:
        """Show ``device``: one tab per group, one view per property."""
        async with self._showing:
            await self._build(device)

    async def _build(self, device: str) -> None:
        self.device = device
        self._layout = self._current_layout(device)
        self._views = {}
        container = self.query_one("#groups", _Group)
        await container.remove_children()
        tabs = TabbedContent()
        await container.mount(tabs)
        dev: Mapping[str, RemoteProperty] = self.client.mirror.get(device) or {}
        for index, (group, names) in enumerate(self._layout):
            views = [PropertyView(dev[name]) for name in names]
            for name, view in zip(names, views, strict=True):
                if (device, name) in self.downloading:
                    view.note = f"saving BLOBs in {self.blob_dir}"
                    view.show()
                self._views[name] = view
            await tabs.add_pane(TabPane(Content(group), _Group(*views), id=f"group-{index}"))

    def view(self, name: str) -> PropertyView:
        """The view of property ``name`` of the shown device."""
        return self._views[name]

    def show_group(self, group: str) -> None:
        """Make the tab of ``group`` (of the shown device) the active one.

        :raises KeyError: when the device has no such group.
        """
        names = [g for g, _ in self._layout]
        if group not in names:
            raise KeyError(group)
        self.query_one(TabbedContent).active = f"group-{names.index(group)}"

    # ------------------------------------------------------------------ actions
    def action_group(self, step: int) -> None:
        """Show the previous (``-1``), same (``0``) or next (``1``) group; focus its first view."""
        tabs = self.query(TabbedContent)
        if not tabs or not self._layout:
            return
        active = tabs.first().active
        index = int(active.rpartition("-")[2]) if active else 0
        index = (index + step) % len(self._layout)
        tabs.first().active = f"group-{index}"
        views = [self._views[name] for name in self._layout[index][1] if name in self._views]
        if views:
            self.call_after_refresh(views[0].focus)

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
            result = await self.client.set(prop.device, prop.name, values, timeout=30, check=True)
        except ChangeRefused as exc:
            self.notify(f"{prop.name}: {exc.reason}", severity="error", markup=False)
            result = prop
        except (InvalidValue, TimeoutError, ConnectionError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if view is not None and view.prop.device == result.device:
            view.show(result)

    def download_blobs(self, prop: RemoteProperty) -> None:
        """Ask for a folder, then receive ``prop``'s BLOBs from now on and save them there.

        When they are already being saved, stop instead.
        """
        key = (prop.device, prop.name)
        if key in self.downloading:
            self.run_worker(self._enable_blobs(prop, None), group="blob")
            return

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self.run_worker(self._enable_blobs(prop, folder), group="blob")

        self.push_screen(FolderScreen(prop, self.blob_dir), chosen)

    async def _enable_blobs(self, prop: RemoteProperty, folder: Path | None) -> None:
        key = (prop.device, prop.name)
        mode = BlobMode.NEVER if folder is None else BlobMode.ALSO
        if folder is not None:
            self.blob_dir = self.client.blob_dir = folder
        try:
            await self.client.enable_blob(prop.device, mode, prop.name)
        except ConnectionError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        view = self._views.get(prop.name) if prop.device == self.device else None
        if folder is None:
            self.downloading.discard(key)
            note, text = "", f"{prop.name}: BLOBs no longer saved"
        else:
            self.downloading.add(key)
            note = f"saving BLOBs in {folder}"
            text = f"{prop.name}: BLOBs will be saved in {folder}"
        if view is not None:
            view.note = note
            view.show()
        self._note(text)
        self.notify(text, markup=False)

    async def action_refresh(self) -> None:
        """Ask the server for every property again."""
        try:
            await self.client.get_properties()
        except ConnectionError as exc:
            self.notify(str(exc), severity="error", markup=False)

    def action_toggle_messages(self) -> None:
        """Show or hide the message log."""
        log = self.query_one("#messages", RichLog)
        log.display = not log.display
