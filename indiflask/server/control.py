"""The server as an INDI device: its drivers as properties, started and stopped by clients.

libindi's indiserver can only be steered through its FIFO, on the machine
itself. Here the server also appears as a device (``INDI Server <host>`` by
default) that any INDI client shows: KStars' INDI control panel,
``indiflask term``, the web panel, a script with ``indiflask set``. It is an
ordinary in-process app, built with indiflask's public driver API, that the
server hosts like any other.

Properties (group ``Server``):

``SERVER_INFO`` (text, read-only)
    ``VERSION``, ``LISTEN`` (address:port), ``UNIX`` (the local socket, if
    any), ``FIFO`` (the control FIFO, if any), ``CLIENTS`` (connected now).
``LAUNCH`` (text)
    write ``DRIVER`` (one of the server's drivers) and optionally ``NAME`` (its
    device name, ``INDIDEV``) to start another instance of it. Clients never
    name new programs: a driver must be on the command line, allowed with
    ``--allow``, or started through the FIFO first.

For each driver (group ``Drivers``; the *n*-th driver the server learns of is
``DRIVER_<n>``, its label the command, e.g. ``indi_simulator_ccd -n "CCD
Simulator"``):

``DRIVER_<n>`` (switch, at most one)
    ``START``, ``STOP``, ``RESTART``. ``START`` is on while the driver runs,
    ``STOP`` while it is stopped. The property's state: Ok running, Busy
    starting or restarting, Idle stopped, Alert given up after its restarts.
``DRIVER_<n>_STATUS`` (text, read-only)
    ``COMMAND``, ``STATE``, ``PID``, ``DEVICES`` (comma separated),
    ``RESTARTS``, ``LAST_EXIT``.

Every property is declared before the app starts (as indiflask apps must):
:data:`MAX_DRIVERS` driver slots are declared deleted, and a slot is defined
when a driver is given to it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from indiflask import App, Property, Reject, Switch, Text, __version__

from .manager import DriverManager, DriverStatus, ManagedDriver

__all__ = ["MAX_DRIVERS", "ServerDevice", "default_device_name"]

log = logging.getLogger("indiflask.server")

#: The vector state shown for each driver state.
_VECTOR_STATE = {
    "running": "Ok",
    "connected": "Ok",
    "starting": "Busy",
    "restarting": "Busy",
    "connecting": "Busy",
    "stopped": "Idle",
    "failed": "Alert",
}

#: Seconds between refreshes of the drivers' status.
POLL_INTERVAL = 0.5
#: Drivers shown on the device (further ones are managed, but not shown).
MAX_DRIVERS = 64


def default_device_name() -> str:
    """``INDI Server <host>``: unique per machine, so chained servers do not clash."""
    host = socket.gethostname().split(".")[0] or "localhost"
    return f"INDI Server {host}"


class ServerDevice:
    """The INDI device of a server's :class:`~indiflask.server.manager.DriverManager`.

    :param manager: the drivers to show and control.
    :param name: the device name (default :func:`default_device_name`).
    :param info: extra ``SERVER_INFO`` values, each called at every refresh
        (``LISTEN``, ``UNIX``, ``FIFO``).

    Serve :attr:`app` in the same server as the manager's drivers.
    """

    def __init__(
        self,
        manager: DriverManager,
        name: str | None = None,
        info: dict[str, Callable[[], str]] | None = None,
    ) -> None:
        self.manager = manager
        self._info = info or {}
        saved = os.environ.pop("INDIDEV", None)  # INDIDEV names drivers, not the server
        try:
            #: The app serving the device.
            self.app = App("indiflask server", device=name or default_device_name())
        finally:
            if saved is not None:
                os.environ["INDIDEV"] = saved
        self.device = self.app.default_device
        self._running = False
        self._shown: dict[int, DriverStatus] = {}
        self._controls: list[Property] = []
        self._status: list[Property] = []
        #: The driver shown in each slot, in order.
        self.slots: list[ManagedDriver] = []
        self._server_info = self._declare_server()
        for slot in range(MAX_DRIVERS):
            self._declare_slot(slot)
        for entry in manager.entries:
            self._add(entry)
        manager.on_added.append(self._add)
        self.app.on_start(self._started)
        self.app.hardware(every=POLL_INTERVAL)(self.refresh)

    @property
    def name(self) -> str:
        """The device name."""
        return self.device.name

    # ------------------------------------------------------------------ declarations

    def _declare_server(self) -> Property:
        members = [
            Text("VERSION", label="Version", value=f"indiflask {__version__}"),
            Text("LISTEN", label="Listening on", value=""),
            Text("UNIX", label="Local socket", value=""),
            Text("FIFO", label="Control FIFO", value=""),
            Text("CLIENTS", label="Clients", value="0"),
        ]
        info = self.device.text(
            "SERVER_INFO", label="Server", group="Server", perm="ro", members=members
        )
        launch = self.device.text(
            "LAUNCH",
            label="Start a driver",
            group="Server",
            members=[Text("DRIVER", label="Driver", value=""), Text("NAME", label="Name")],
        )
        launch(self._launch)
        return info

    def _declare_slot(self, slot: int) -> None:
        name = f"DRIVER_{slot + 1}"
        control = self.device.switch(
            name,
            label=f"Driver {slot + 1}",
            group="Drivers",
            rule="AtMostOne",
            members=[
                Switch("START", label="Start"),
                Switch("STOP", label="Stop", value=True),
                Switch("RESTART", label="Restart"),
            ],
        )
        control(self._handler(slot))
        status = self.device.text(
            f"{name}_STATUS",
            label=f"Driver {slot + 1}: status",
            group="Drivers",
            perm="ro",
            members=[
                Text("COMMAND", label="Command"),
                Text("STATE", label="State", value="stopped"),
                Text("PID", label="Process id"),
                Text("DEVICES", label="Devices"),
                Text("RESTARTS", label="Restarts", value="0"),
                Text("LAST_EXIT", label="Last exit"),
            ],
        )
        control.delete()  # not running yet: nothing is sent, the slot is just hidden
        status.delete()
        self._controls.append(control)
        self._status.append(status)

    def property_name(self, entry: ManagedDriver) -> str | None:
        """``DRIVER_<n>``: the switch property of ``entry`` (``None`` if not shown)."""
        for slot, shown in enumerate(self.slots):
            if shown is entry:
                return f"DRIVER_{slot + 1}"
        return None

    def _add(self, entry: ManagedDriver) -> None:
        slot = len(self.slots)
        if slot >= MAX_DRIVERS:
            if slot == MAX_DRIVERS:
                log.warning("more than %d drivers: %s is not shown", MAX_DRIVERS, entry.label)
            return
        self.slots.append(entry)
        control, status = self._controls[slot], self._status[slot]
        control.label = entry.label
        status.label = f"{entry.label}: status"
        status["COMMAND"] = entry.label
        self._fill(slot, self.manager.status(entry) if self._running else None)
        control.define()
        status.define()

    # ------------------------------------------------------------------ behaviour

    def _started(self) -> None:
        self._running = True

    def _handler(self, slot: int) -> Callable[[Any], Any]:
        async def change(change: Any) -> str:
            entry = self.slots[slot]
            if change.sent.get("START"):
                self.manager.start(entry)
            elif change.sent.get("STOP"):
                await self.manager.stop(entry)
            elif change.sent.get("RESTART"):
                await self.manager.restart(entry)
            status = self.manager.status(entry)
            self._fill(slot, status)
            self._status[slot].send()
            self._shown[slot] = status
            return _VECTOR_STATE[status.state]

        change.__name__ = f"control_driver_{slot + 1}"
        return change

    def _launch(self, change: Any) -> None:
        driver = str(change["DRIVER"]).strip()
        name = str(change["NAME"]).strip() or None
        if not driver:
            raise Reject("write the DRIVER to start (one of this server's drivers)")
        try:
            self.manager.launch(driver, name)
        except PermissionError as exc:
            raise Reject(str(exc)) from None

    def _fill(self, slot: int, status: DriverStatus | None) -> None:
        """Put ``status`` into the slot's two properties (nothing is sent)."""
        if status is None:
            status = DriverStatus("stopped")
        control = self._controls[slot]
        running = status.active
        control["START"] = running
        control["STOP"] = not running
        control["RESTART"] = False
        control.state = _VECTOR_STATE[status.state]
        text = self._status[slot]
        text["STATE"] = status.state
        text["PID"] = str(status.pid) if status.pid else ""
        text["DEVICES"] = ", ".join(status.devices)
        text["RESTARTS"] = str(status.restarts)
        text["LAST_EXIT"] = status.last_exit
        text.state = control.state

    def refresh(self) -> None:
        """Send what changed since the last refresh (runs every half second)."""
        info = self._server_info
        values = {key: get() for key, get in self._info.items()}
        values["CLIENTS"] = str(self.manager.server.client_count)
        if any(info[key] != value for key, value in values.items()):
            for key, value in values.items():
                info[key] = value
            info.state = "Ok"
            info.send()
        for slot, entry in enumerate(self.slots):
            control = self._controls[slot]
            if control.running:
                continue
            status = self.manager.status(entry)
            if self._shown.get(slot) == status:
                continue
            self._shown[slot] = status
            self._fill(slot, status)
            control.send()
            self._status[slot].send()
