"""Testing drivers without a socket: :class:`TestClient`.

``app.test_client()`` runs the app in-process on a private event loop with a
fake clock. Every change travels the same path as over TCP: the client's event
is serialized to INDI XML, parsed by a device-side connection, checked by the
driver core and handed to the handler; the driver's answers travel back as XML
into a :class:`~indiflask.core.mirror.Mirror`. So codec problems show up in unit
tests too, and every test is deterministic::

    def test_led(monkeypatch):
        monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
        with app.test_client() as client:          # runs on_start, asks for the properties
            client.set("led", "LED", ON=True)       # returns once the handler has finished
            assert client["led"]["LED"].state == "Ok"
            client.advance(1.0)                     # every hardware tick due in that second runs
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .core.mirror import Mirror, RemoteDevice, RemoteProperty
from .errors import InvalidValue
from .protocol import events as ev
from .protocol.connection import Connection, Role
from .protocol.numbers import parse_number
from .protocol.values import BlobMode, to_bool

if TYPE_CHECKING:
    from .driver.app import App
    from .runtime.engine import AppDriver

__all__ = ["TestClient"]

_EPSILON = 1e-9


class TestClient(Mapping[str, RemoteDevice]):
    """An in-process, deterministic INDI client wired to an app.

    Use it as a context manager: entering runs ``on_start`` hooks and asks for
    every property; leaving runs ``on_stop`` hooks. Item access gives the
    mirrored devices (``client["led"]["LED"]["ON"]``).

    :param app: the app under test.
    :param raise_handler_errors: re-raise an exception from a handler or
        hardware job in the test (it still turns the property Alert first).
    """

    __test__ = False

    def __init__(self, app: App, *, raise_handler_errors: bool = False) -> None:
        #: The app under test.
        self.app = app
        #: The mirrored devices, as a client sees them.
        self.mirror = Mirror()
        #: Every XML message both ways: ``("in"|"out", bytes)``; "out" is client -> driver.
        self.transcript: list[tuple[str, bytes]] = []
        #: Every event received from the driver, oldest first.
        self.received: list[ev.Event] = []
        self.raise_handler_errors = raise_handler_errors
        #: The fake monotonic clock, in seconds since start.
        self.now = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._driver: AppDriver | None = None
        self._client_side = Connection(Role.CLIENT)
        self._device_side = Connection(Role.DEVICE)
        self._errors_seen = 0

    # ----------------------------------------------------------- lifespan
    def __enter__(self) -> TestClient:
        self._loop = asyncio.new_event_loop()
        self._driver = self.app.local_driver(clock=lambda: self.now)
        self._loop.run_until_complete(self._driver.start(self._from_driver))
        self._settle()
        self.get_properties()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        loop, driver = self._loop, self._driver
        if loop is None or driver is None:
            return
        try:
            loop.run_until_complete(driver.stop())
        finally:
            loop.close()
            self._loop = None
            self._driver = None
            _reset_gpiozero_mock_pins()

    # ------------------------------------------------------------- mirror
    def __getitem__(self, device: str) -> RemoteDevice:
        return self.mirror[device]

    def __iter__(self) -> Any:
        return iter(self.mirror)

    def __len__(self) -> int:
        return len(self.mirror)

    @property
    def messages(self) -> list[str]:
        """The texts of every message received (``message`` elements and update messages)."""
        return [text for _, _, text in self.mirror.messages]

    # ------------------------------------------------------------ actions
    def get_properties(self, device: str | None = None, name: str | None = None) -> None:
        """Send ``getProperties`` (all, one device, or one property)."""
        self.send(ev.GetProperties(device=device, name=name))

    def set(
        self,
        device: str,
        name: str,
        values: Mapping[str, Any] | None = None,
        /,
        **members: Any,
    ) -> RemoteProperty:
        """Send a change with the named members only; return once the handler finished.

        Values are Python values (``True``/``"On"`` for switches, floats or
        sexagesimal strings for numbers, ``bytes`` for BLOBs). Refused changes do
        not raise: look at the property's state and message.
        """
        prop = self.mirror.get_property(device, name)
        if prop is None:
            raise KeyError(f"{device}.{name} is not defined (the client has no definition)")
        sent = {**(values or {}), **members}
        self.send(_new_vector(prop, sent))
        return prop

    def enable_blob(
        self, device: str, mode: BlobMode | str = BlobMode.ALSO, name: str | None = None
    ) -> None:
        """Send ``enableBLOB`` (the test client delivers BLOBs regardless; recorded only)."""
        self.send(ev.EnableBLOB(device=device, name=name, mode=BlobMode.coerce(mode)))

    def send(self, event: ev.Event) -> None:
        """Send any event to the driver through the wire path, then let it settle."""
        self.send_xml(self._client_side.send(event, validate=False))

    def send_xml(self, data: bytes) -> None:
        """Send raw bytes to the driver (e.g. malformed XML), then let it settle."""
        self.transcript.append(("out", data))
        self._device_side.receive_data(data)
        driver = self._need_driver()
        for event in self._device_side.events():
            driver.feed(event)
        self._settle()

    def inject(self, event: ev.Event) -> None:
        """Feed ``event`` to the driver as if another device sent it (snooped traffic)."""
        self._need_driver().feed(event)
        self._settle()

    def advance(self, seconds: float) -> None:
        """Move the fake clock; every hardware tick due on the way runs, in order."""
        driver = self._need_driver()
        target = self.now + seconds
        while True:
            deadline = driver.next_deadline()
            if deadline is None or deadline > target + _EPSILON:
                break
            self.now = max(self.now, deadline)
            tasks = driver.tick(self.now)
            if tasks:
                assert self._loop is not None
                self._loop.run_until_complete(asyncio.wait(tasks))
            self._settle()
        self.now = target
        self._settle()

    # ------------------------------------------------------------ plumbing
    def _from_driver(self, event: ev.Event) -> None:
        data = self._device_side.send_update(event)
        if not data:
            return  # an update before the client asked for the property
        self.transcript.append(("in", data))
        self._client_side.receive_data(data)
        for received in self._client_side.events():
            self.received.append(received)
            self.mirror.apply(received)

    def _settle(self) -> None:
        loop = self._loop
        driver = self._need_driver()
        if loop is None:
            return

        async def drain() -> None:
            for _ in range(10_000):
                await asyncio.sleep(0)
                pending = driver.pending_handlers()
                if not pending:
                    return
                await asyncio.wait(pending)

        loop.run_until_complete(drain())
        errors = driver.errors
        if self.raise_handler_errors and len(errors) > self._errors_seen:
            self._errors_seen = len(errors)
            raise errors[-1]
        self._errors_seen = len(errors)

    def _need_driver(self) -> AppDriver:
        if self._driver is None:
            raise RuntimeError("use the test client in a 'with app.test_client() as client:' block")
        return self._driver


def _new_vector(prop: RemoteProperty, sent: Mapping[str, Any]) -> ev.NewVector:
    from .protocol.blobs import BlobValue

    common = {"device": prop.device, "name": prop.name}
    if prop.kind == "Switch":
        return ev.NewSwitchVector(**common, values={k: to_bool(v) for k, v in sent.items()})
    if prop.kind == "Number":
        numbers: dict[str, float] = {}
        for key, value in sent.items():
            if isinstance(value, str):
                value = parse_number(value)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidValue(f"{key}={value!r} is not a number")
            numbers[key] = float(value)
        return ev.NewNumberVector(**common, values=numbers)
    if prop.kind == "Text":
        return ev.NewTextVector(**common, values={k: str(v) for k, v in sent.items()})
    if prop.kind == "BLOB":
        blobs: dict[str, BlobValue] = {}
        for key, value in sent.items():
            if isinstance(value, BlobValue):
                blobs[key] = value
            else:
                data, fmt = value if isinstance(value, tuple) else (value, "")
                blobs[key] = BlobValue.from_bytes(data, fmt)
        return ev.NewBLOBVector(**common, values=blobs)
    raise InvalidValue(
        f"{prop.device}.{prop.name} is a {prop.kind} property; clients cannot set it"
    )


def _reset_gpiozero_mock_pins() -> None:
    """Release gpiozero mock pins between tests (gpiozero keeps them otherwise)."""
    gpiozero = sys.modules.get("gpiozero")
    if gpiozero is None:
        return
    factory = getattr(gpiozero.Device, "pin_factory", None)
    if factory is not None and type(factory).__name__ == "MockFactory":
        factory.reset()
