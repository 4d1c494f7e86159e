"""Testing drivers without a socket: :class:`TestClient`.

``app.test_client()`` runs the app in-process on a real asyncio event loop
whose clock is virtual (:class:`~indiflask.testing.clock.VirtualClockLoop`).
Every change travels the same path as over TCP: the client's event is
serialized to INDI XML, parsed by a device-side connection, checked by the same
driver core and handed to the handler by the same engine that ``indiflask run``
uses; the driver's answers travel back as XML into a
:class:`~indiflask.core.mirror.Mirror`. Time passes only when the test says so,
and then at once: ``client.advance(2)`` completes an ``await asyncio.sleep(2)``
in a handler, runs every hardware tick due in those two seconds and every task
the driver started::

    def test_led(monkeypatch):
        monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
        with app.test_client() as client:          # runs on_start, asks for the properties
            client.set("led", "LED", ON=True)       # returns once the handler has finished
            assert client["led"]["LED"].state == "Ok"
            client.advance(1.0)                     # every hardware tick due in that second runs

A change can also be sent without waiting (``wait=False``), to test what
happens while it runs, for instance an abort.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
import time
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, Protocol, TypeVar

from ..core.answers import AnswerWatch, ChangeStamps, Progress
from ..core.mirror import Mirror, RemoteDevice, RemoteProperty
from ..core.spec import DriverSpec
from ..errors import ChangeRefused, InvalidValue, RemoteProtocolError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.connection import Connection, Role
from ..protocol.numbers import parse_number
from ..protocol.values import BlobMode, State, to_bool
from .clock import VirtualClockLoop

__all__ = ["TestClient"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Virtual seconds a waiting ``set`` allows the driver by default.
DEFAULT_TIMEOUT = 3600.0


class TestedDriver(Protocol):
    """What the test client needs of a running driver engine."""

    errors: list[BaseException]
    spec: DriverSpec

    async def start(self, emit: Callable[[ev.Event], None]) -> None:
        """Start, sending events through ``emit``."""

    def feed(self, event: ev.Event) -> None:
        """Handle one event from the client side."""

    async def stop(self) -> None:
        """Stop."""


class Testable(Protocol):
    """An app the test client can run: it makes a driver engine on a given wall clock."""

    def local_driver(self, *, wall_clock: Callable[[], float]) -> TestedDriver:
        """The engine that runs the app."""


class TestClient(Mapping[str, RemoteDevice]):
    """An in-process, deterministic INDI client wired to an app.

    Use it as a context manager: entering runs ``on_start`` hooks and asks for
    every property; leaving stops the driver (its ``on_stop`` hooks run) and
    cancels whatever tasks are left. Item access gives the mirrored devices
    (``client["led"]["LED"]["ON"]``).

    :param app: the app under test.
    :param raise_handler_errors: re-raise an exception from a handler, hardware
        job or snoop in the test (the property still turns Alert first).
    """

    __test__ = False

    def __init__(self, app: Testable, *, raise_handler_errors: bool = False) -> None:
        #: The app under test.
        self.app = app
        #: The mirrored devices, as a client sees them.
        self.mirror = Mirror()
        #: Every XML message both ways: ``("in"|"out", bytes)``; "out" is client -> driver.
        self.transcript: list[tuple[str, bytes]] = []
        #: Every event received from the driver, oldest first.
        self.received: list[ev.Event] = []
        #: Re-raise errors of handlers, jobs and snoops in the test.
        self.raise_handler_errors = raise_handler_errors
        self._loop: VirtualClockLoop | None = None
        self._driver: TestedDriver | None = None
        self._client_side = Connection(Role.CLIENT)
        self._device_side = Connection(Role.DEVICE)
        self._errors_seen = 0
        self._epoch = time.time()
        self._stamps = ChangeStamps()
        self._watches: list[AnswerWatch] = []
        self._input_error: RemoteProtocolError | None = None
        self._executor: ThreadPoolExecutor | None = None

    # ----------------------------------------------------------- lifespan
    def __enter__(self) -> TestClient:
        loop = VirtualClockLoop()
        self._loop = loop
        self._executor = ThreadPoolExecutor(thread_name_prefix="indiflask-test")
        loop.set_default_executor(self._executor)
        driver = self.app.local_driver(wall_clock=self._wall_clock)
        self._driver = driver
        try:
            self._run(driver.start(self._from_driver))
        except BaseException:
            self._close_loop()
            raise
        self.get_properties()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        driver = self._driver
        if self._loop is None or driver is None:
            return
        try:
            self._run(driver.stop())
        finally:
            self._close_loop()

    def _close_loop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            leftovers = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in leftovers:
                task.cancel()
            if leftovers:
                gathered = asyncio.gather(*leftovers, return_exceptions=True)
                loop.run_until(gathered.done)
            closing = loop.create_task(loop.shutdown_asyncgens())
            loop.run_until(closing.done)
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
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

    @property
    def now(self) -> float:
        """The virtual clock: seconds since the client started."""
        return self._need_loop().time()

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
        *,
        wait: bool = True,
        check: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        **members: Any,
    ) -> RemoteProperty:
        """Send a change with the named members only; by default, return once it is handled.

        Values are Python values (``True``/``"On"`` for switches, floats or
        sexagesimal strings for numbers, ``bytes`` or ``(bytes, format)`` for
        BLOBs). They are not checked here: the driver's checks answer them, as
        over TCP. Refused changes do not raise unless ``check`` is set: look at
        the property's state and message, or at :attr:`messages`.

        :param wait: ``True``: let virtual time pass until the handler has
            finished (its final update, or a refusal, has arrived). ``False``:
            return once the driver has taken the change and done what it does
            without time passing (say, sent Busy); then :meth:`advance`.
        :param check: raise :class:`~indiflask.errors.ChangeRefused` when the
            driver refused the change (an Alert, or a refusal message).
        :param timeout: virtual seconds a waiting ``set`` allows the driver.
        :raises TimeoutError: when the handler has not finished in ``timeout``
            virtual seconds (or waits for something that can never happen).
        """
        prop = self.mirror.get_property(device, name)
        if prop is None:
            raise KeyError(f"{device}.{name} is not defined (the client has no definition)")
        stamp = self._stamps.next(self._wall_clock())
        watch = AnswerWatch(device, name, stamp, echoes=True)
        self._watches.append(watch)
        try:
            self.send(_new_vector(prop, {**(values or {}), **members}, stamp))
            if wait:
                self._wait_handled(watch, device, name, timeout)
        finally:
            self._watches.remove(watch)
        prop = self.mirror.get_property(device, name) or prop
        if check:
            where = f"{device}.{name}"
            if watch.progress is Progress.REFUSED:
                raise ChangeRefused(where, watch.reason or "refused", prop)
            if watch.progress is Progress.DONE and prop.state == State.ALERT:
                raise ChangeRefused(where, prop.message or "no reason given", prop, alert=True)
        return prop

    def _wait_handled(self, watch: AnswerWatch, device: str, name: str, timeout: float) -> None:
        model = self._model(device, name)

        def handled() -> bool:
            if watch.progress in (Progress.REFUSED, Progress.DELETED):
                return True
            # the handler has finished: its transaction is closed, and its answer is here
            return watch.finished(final=False) and not (model is not None and model.running)

        loop = self._need_loop()
        try:
            done = loop.run_until(handled, timeout)
        finally:
            self._after_run()
        if not done:
            raise TimeoutError(
                f"{device}.{name}: the change was not handled within {timeout:g} virtual "
                "seconds (does the handler wait for something that never happens? "
                "send it with wait=False and advance() the clock)"
            )

    def wait_for_state(
        self, device: str, name: str, state: State | str, timeout: float = DEFAULT_TIMEOUT
    ) -> RemoteProperty:
        """Let virtual time pass until the property is in ``state``.

        :raises TimeoutError: when it is not within ``timeout`` virtual seconds.
        """
        wanted = State.coerce(state)

        def reached() -> bool:
            prop = self.mirror.get_property(device, name)
            return prop is not None and prop.state == wanted

        loop = self._need_loop()
        try:
            done = loop.run_until(reached, timeout)
        finally:
            self._after_run()
        prop = self.mirror.get_property(device, name)
        if not done or prop is None:
            now = prop.state.value if prop is not None else "undefined"
            raise TimeoutError(
                f"{device}.{name} did not reach {wanted.value} within {timeout:g} virtual "
                f"seconds (it is {now})"
            )
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
        """Send raw bytes to the driver (e.g. malformed XML), then let it settle.

        :raises RemoteProtocolError: when the bytes are not readable INDI XML.
        """
        self.transcript.append(("out", data))
        loop = self._need_loop()
        loop.call_soon(self._to_driver, data)
        self._settle()
        error, self._input_error = self._input_error, None
        if error is not None:
            raise error

    def inject(self, event: ev.Event) -> None:
        """Feed ``event`` to the driver as if another device sent it (snooped traffic)."""
        driver = self._need_driver()
        self._need_loop().call_soon(driver.feed, event)
        self._settle()

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass: every timer, sleep and hardware tick due runs."""
        loop = self._need_loop()
        try:
            loop.run_for(seconds)
        finally:
            self._after_run()

    # ------------------------------------------------------------ plumbing
    def _wall_clock(self) -> float:
        loop = self._loop
        return self._epoch + (loop.time() if loop is not None else 0.0)

    def _model(self, device: str, name: str) -> Any:
        dev = self._need_driver().spec.devices.get(device)
        return dev.properties.get(name) if dev is not None else None

    def _to_driver(self, data: bytes) -> None:
        driver = self._need_driver()
        self._device_side.receive_data(data)
        try:
            events = self._device_side.events()
        except RemoteProtocolError as exc:
            self._input_error = exc
            return
        for event in events:
            driver.feed(event)

    def _from_driver(self, event: ev.Event) -> None:
        data = self._device_side.send_update(event)
        if not data:
            return  # an update before the client asked for the property
        self.transcript.append(("in", data))
        self._client_side.receive_data(data)
        for received in self._client_side.events():
            self.received.append(received)
            self.mirror.apply(received)
            for watch in self._watches:
                watch.see(received)

    def _run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        loop = self._need_loop()
        task = loop.create_task(coro)
        try:
            loop.run_until(task.done, math.inf)
        finally:
            self._after_run(raise_errors=False)
        if not task.done():
            task.cancel()
            raise RuntimeError("the driver waits for something that never happens")
        return task.result()

    def _settle(self) -> None:
        try:
            self._need_loop().settle()
        finally:
            self._after_run()

    def _after_run(self, raise_errors: bool = True) -> None:
        driver = self._driver
        if driver is None:
            return
        errors = driver.errors
        fresh = len(errors) > self._errors_seen
        self._errors_seen = len(errors)
        if raise_errors and fresh and self.raise_handler_errors:
            raise errors[-1]

    def _need_loop(self) -> VirtualClockLoop:
        if self._loop is None:
            raise RuntimeError("use the test client in a 'with app.test_client() as client:' block")
        return self._loop

    def _need_driver(self) -> TestedDriver:
        if self._driver is None:
            raise RuntimeError("use the test client in a 'with app.test_client() as client:' block")
        return self._driver


def _new_vector(prop: RemoteProperty, sent: Mapping[str, Any], stamp: str) -> ev.NewVector:
    common: dict[str, Any] = {"device": prop.device, "name": prop.name, "timestamp": stamp}
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
