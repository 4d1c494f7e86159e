"""The standard properties indiflask adds to devices by itself.

* ``DRIVER_INFO`` (every device): read-only texts naming the driver, its
  executable, version and interface bitmask (``DRIVER_INTERFACE``), defined from
  the start: KStars/Ekos reads the interface from it to decide what the device is.
* ``CONNECTION`` (devices with an interface, or when the app has
  ``on_connect``/``on_disconnect`` hooks): the ``CONNECT``/``DISCONNECT``
  switch. Connecting runs the connect hooks, answers ``Ok`` with ``CONNECT`` On,
  then defines the properties declared ``after_connect`` (and loads their saved
  values); disconnecting runs the disconnect hooks and deletes those properties.
  A failing hook answers ``Alert`` and leaves the switch as it was.
* ``CONFIG_PROCESS`` (devices with saved properties): libindi's configuration
  switch, ``CONFIG_LOAD``, ``CONFIG_SAVE``, ``CONFIG_DEFAULT`` and
  ``CONFIG_PURGE``; see :mod:`indiflask.driver.config`.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Sequence

from ..core.members import Member, Switch, Text
from ..errors import Reject
from ..protocol import events as ev
from ..protocol.values import State
from .config import ConfigFile, ConfigProblem
from .device import Device
from .property import Change, Property

__all__ = [
    "CONFIG_PROCESS",
    "CONNECT",
    "CONNECTION",
    "DISCONNECT",
    "DRIVER_INFO",
    "add_config_process",
    "add_connection",
    "add_driver_info",
    "load_saved",
    "saved_changes",
]

log = logging.getLogger(__name__)

#: The connection switch property and its members.
CONNECTION = "CONNECTION"
CONNECT = "CONNECT"
DISCONNECT = "DISCONNECT"
#: The driver information property.
DRIVER_INFO = "DRIVER_INFO"
#: The configuration switch property.
CONFIG_PROCESS = "CONFIG_PROCESS"
#: libindi's group names.
MAIN_CONTROL = "Main Control"
GENERAL_INFO = "General Info"
OPTIONS = "Options"

#: The properties libindi defines before a device is connected.
START_TIME = frozenset(
    {
        CONNECTION,
        DRIVER_INFO,
        CONFIG_PROCESS,
        "DEBUG",
        "SIMULATION",
        "POLLING_PERIOD",
        "ACTIVE_DEVICES",
        "CONNECTION_MODE",
        "DEVICE_PORT",
        "DEVICE_BAUD_RATE",
        "DEVICE_ADDRESS",
    }
)


def add_driver_info(device: Device, name: str, exe: str, version: str) -> Property | None:
    """Add ``DRIVER_INFO`` to ``device`` unless it declares its own."""
    if DRIVER_INFO in device:
        return None
    members: list[Member] = [
        Text("DRIVER_NAME", label="Name", value=name),
        Text("DRIVER_EXEC", label="Exec", value=exe),
        Text("DRIVER_VERSION", label="Version", value=version),
        Text("DRIVER_INTERFACE", label="Interface", value=str(int(device.interfaces))),
    ]
    prop = Property(
        device,
        "Text",
        DRIVER_INFO,
        members,
        label="Driver Info",
        group=GENERAL_INFO,
        perm="ro",
        timeout=60,
        after_connect=False,
    )
    return device.add_property(prop)


def add_connection(
    device: Device,
    connect_hooks: Sequence[Callable[[], object]],
    disconnect_hooks: Sequence[Callable[[], object]],
) -> Property | None:
    """Add the ``CONNECTION`` switch (first) to ``device`` unless it declares its own."""
    if CONNECTION in device:
        return None
    prop = Property(
        device,
        "Switch",
        CONNECTION,
        [
            Switch(CONNECT, label="Connect", value=False),
            Switch(DISCONNECT, label="Disconnect", value=True),
        ],
        label="Connection",
        group=MAIN_CONTROL,
        rule="OneOfMany",
        timeout=60,
        after_connect=False,
    )

    async def connection(change: Change) -> object:
        if change[CONNECT]:
            if not device.connected:
                await _run_hooks(connect_hooks)
            prop.update({CONNECT: True, DISCONNECT: False})
            prop.state = State.OK
            prop.send()  # Ok first, then the device's properties (as libindi does)
            if not device.connected:
                device.connected = True
                shown = _after_connect(device)
                for shown_prop in shown:
                    shown_prop.define()
                load_saved(device, [p.name for p in shown if p.persist])
            return None
        if device.connected:
            await _run_hooks(disconnect_hooks)
            device.connected = False
            for hidden in _after_connect(device):
                if hidden.defined:
                    hidden.delete()
        return State.IDLE

    prop(connection)
    return device.add_property(prop, first=True)


def add_config_process(device: Device, store: ConfigFile) -> Property | None:
    """Add ``CONFIG_PROCESS`` to ``device`` unless it declares its own."""
    if CONFIG_PROCESS in device:
        return None
    actions = ("CONFIG_LOAD", "CONFIG_SAVE", "CONFIG_DEFAULT", "CONFIG_PURGE")
    prop = Property(
        device,
        "Switch",
        CONFIG_PROCESS,
        [Switch(name, label=name[7:].title()) for name in actions],
        label="Configuration",
        group=OPTIONS,
        rule="AtMostOne",
        after_connect=False,
    )

    def config_process(change: Change) -> object:
        off = dict.fromkeys(actions, False)
        action = next((name for name in actions if change[name]), None)
        if action is None:
            return {**off}
        try:
            if action == "CONFIG_SAVE":
                entries = saved_changes(device)
                path = store.save(entries)
                prop.message = f"saved {len(entries)} properties to {path}"
            elif action == "CONFIG_PURGE":
                prop.message = f"deleted {store.purge()}"
            else:
                default = action == "CONFIG_DEFAULT"
                applied = _replay(device, store.load(default=default))
                where = store.default_path if default else store.path
                prop.message = f"loaded {applied} saved properties from {where}"
        except ConfigProblem as exc:
            log.warning("%s: %s", device.name, exc)
            raise Reject(str(exc)) from None
        log.info("%s: %s", device.name, prop.message)
        return off

    prop(config_process)
    return device.add_property(prop)


def saved_changes(device: Device) -> list[ev.NewVector]:
    """The ``new*Vector`` events that save ``device``'s persisted properties as they are now."""
    return device.saved_changes()


def load_saved(device: Device, names: Iterable[str] | None = None) -> int:
    """Replay ``device``'s saved values (of the properties named, or all) through its handlers.

    Quietly does nothing without a file; a file that cannot be used is logged.
    :returns: how many saved properties were replayed.
    """
    wanted = set(names) if names is not None else None
    if wanted is not None and not wanted:
        return 0
    store = device.config
    if store is None or not store.exists():
        return 0
    try:
        entries = store.load()
    except ConfigProblem as exc:
        log.warning("%s: saved configuration not loaded: %s", device.name, exc)
        return 0
    if wanted is not None:
        entries = [e for e in entries if e.name in wanted]
    return _replay(device, entries)


def _replay(device: Device, entries: Iterable[ev.NewVector]) -> int:
    """Write each saved change of a persisted, defined, writable property; count them."""
    count = 0
    for entry in entries:
        prop = device.properties.get(entry.name)
        if prop is None or not prop.persist or not prop.defined:
            continue
        if device.write(entry):
            count += 1
    return count


def _after_connect(device: Device) -> list[Property]:
    return [p for p in device.properties.values() if p.after_connect]


async def _run_hooks(hooks: Sequence[Callable[[], object]]) -> None:
    """Call each hook in order, awaiting the async ones."""
    for hook in hooks:
        result = hook()
        if inspect.isawaitable(result):
            await result
