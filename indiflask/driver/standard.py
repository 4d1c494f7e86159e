"""Standard INDI property names, and the standard properties indiflask adds.

KStars/Ekos expect every device to have ``DRIVER_INFO`` (read-only texts:
name, executable, version, interface) and, for hardware that must be
connected first, a ``CONNECTION`` switch (``CONNECT``/``DISCONNECT``).
indiflask adds ``DRIVER_INFO`` to every device, and ``CONNECTION`` when the app
has ``on_connect``/``on_disconnect`` hooks.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence

from ..core.members import Switch, Text
from .device import Device
from .property import Change, Property

__all__ = [
    "CONNECT",
    "CONNECTION",
    "DISCONNECT",
    "DRIVER_INFO",
    "add_connection",
    "add_driver_info",
]

#: The connection switch property and its members.
CONNECTION = "CONNECTION"
CONNECT = "CONNECT"
DISCONNECT = "DISCONNECT"
#: The driver information property.
DRIVER_INFO = "DRIVER_INFO"
#: libindi's group name for connection and driver information.
MAIN_CONTROL = "Main Control"
GENERAL_INFO = "General Info"


def add_driver_info(device: Device, name: str, exe: str, version: str) -> Property | None:
    """Add ``DRIVER_INFO`` to ``device`` unless it declares its own."""
    if DRIVER_INFO in device:
        return None
    members = [
        Text("DRIVER_NAME", label="Name", value=name),
        Text("DRIVER_EXEC", label="Exec", value=exe),
        Text("DRIVER_VERSION", label="Version", value=version),
        Text("DRIVER_INTERFACE", label="Interface", value=str(int(device.interfaces))),
    ]
    prop = Property(
        device,
        "Text",
        DRIVER_INFO,
        list(members),
        label="Driver Info",
        group=GENERAL_INFO,
        perm="ro",
    )
    return device.add_property(prop)


def add_connection(
    device: Device,
    connect_hooks: Sequence[Callable[[], object]],
    disconnect_hooks: Sequence[Callable[[], object]],
) -> Property | None:
    """Add the ``CONNECTION`` switch (first) to ``device`` unless it declares its own.

    Its handler runs ``connect_hooks`` or ``disconnect_hooks``; the runtime
    awaits async hooks and turns exceptions into Alert.
    """
    if CONNECTION in device:
        return None
    members = [
        Switch(CONNECT, label="Connect", value=False),
        Switch(DISCONNECT, label="Disconnect", value=True),
    ]
    prop = Property(
        device,
        "Switch",
        CONNECTION,
        list(members),
        label="Connection",
        group=MAIN_CONTROL,
        rule="OneOfMany",
    )

    def connection(change: Change) -> object:
        return _run_hooks(connect_hooks if change[CONNECT] else disconnect_hooks)

    prop(connection)
    return device.add_property(prop, first=True)


def _run_hooks(hooks: Sequence[Callable[[], object]]) -> object:
    """Call each hook; gather awaitables into one coroutine if any hook is async."""
    pending: list[Awaitable[object]] = []
    for hook in hooks:
        result = hook()
        if inspect.isawaitable(result):
            pending.append(result)
    if not pending:
        return None

    async def wait_all() -> None:
        for item in pending:
            await item

    return wait_all()
