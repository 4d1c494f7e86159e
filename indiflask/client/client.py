"""The asyncio INDI client: a live mirror of a server's devices, and ways to change them.

::

    from indiflask.client import Client

    async with Client("127.0.0.1", 7624) as c:
        led = await c.wait_for("led", "LED", timeout=5)   # the live mirrored property
        await c.set("led", "LED", ON=True)               # newSwitchVector, named members only
        await c.wait_for_state("led", "LED", "Ok", timeout=5)
        assert led["ON"] is True

Lifecycle: :meth:`Client.connect` opens the link and sends
``getProperties version="1.7"``; a reader task applies every element to
:attr:`Client.mirror` (a :class:`~indiflask.core.mirror.Mirror`) and wakes
waiters and :meth:`Client.updates` iterators. When the link is lost and
``reconnect`` is on, the client retries with exponential backoff (0.25 s
doubling to ``max_backoff``), then asks for the properties again and repeats
its ``enableBLOB`` choices; redefinitions update the same property objects.

Every wait takes a ``timeout`` in seconds and raises :class:`TimeoutError`
when it passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..core.answers import AnswerWatch, ChangeStamps, Progress
from ..core.mirror import Mirror, RemoteDevice, RemoteProperty
from ..errors import ChangeRefused, InvalidValue, ProtocolError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.values import BlobMode, State
from .updates import Update, free_blob_path
from .wire import BlobProgress, Wire, build_change

__all__ = ["Client", "Subscription"]

log = logging.getLogger(__name__)

_READ_BYTES = 256 * 1024
#: A large BLOB on its way is reported (an Update of kind "progress") every this many bytes.
_PROGRESS_STEP = 1024 * 1024


def _progress_update(progress: BlobProgress) -> Update:
    fraction = progress.fraction
    done = f"{progress.received / 1e6:.1f} MB"
    if fraction is not None:
        done = f"{fraction:.0%} ({done} of {progress.expected / 1e6:.1f} MB)"
    return Update(
        "progress",
        progress.device,
        progress.name,
        message=f"receiving {progress.device}.{progress.name}.{progress.member}: {done}",
        values={"received": progress.received, "expected": progress.expected},
    )


class Subscription(AsyncIterator[Update]):
    """A stream of :class:`~indiflask.client.updates.Update` from one client (see
    :meth:`Client.updates`). Also a context manager that closes it."""

    def __init__(self, client: Client, device: str | None, name: str | None) -> None:
        #: The device and property filters (``None``: any).
        self.device, self.name = device, name
        #: Updates received and not yet taken.
        self.queue: asyncio.Queue[Update] = asyncio.Queue()
        self._client = client
        client._queues.append(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Update:
        return await self.queue.get()

    async def get(self, timeout: float | None = None) -> Update:
        """The next update.

        :raises TimeoutError: when none arrives within ``timeout`` seconds.
        """
        return await asyncio.wait_for(self.queue.get(), timeout)

    def close(self) -> None:
        """Stop receiving updates."""
        with contextlib.suppress(ValueError):
            self._client._queues.remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Client(Mapping[str, RemoteDevice]):
    """An INDI client on asyncio. Use ``async with``, or :meth:`connect` and :meth:`close`.

    :param host: the server's address.
    :param port: the server's TCP port.
    :param device: ask for this device only (``getProperties device=...``).
    :param reconnect: reconnect with backoff when an established link is lost.
    :param max_backoff: the longest pause between reconnection attempts, in seconds.
    :param blob_dir: save every received BLOB in this folder, as
        ``device.property.member.format``, numbered ``-0002``, ``-0003``, ... when
        that file exists (a series never overwrites an image); set
        :attr:`blob_dir` later to start.
    :param connect_timeout: seconds allowed to open the TCP connection.

    The client is a mapping of device name to
    :class:`~indiflask.core.mirror.RemoteDevice`: ``client["led"]["LED"]["ON"]``.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 7624,
        *,
        device: str | None = None,
        reconnect: bool = True,
        max_backoff: float = 10.0,
        blob_dir: str | Path | None = None,
        connect_timeout: float = 10.0,
    ) -> None:
        #: Server address and port.
        self.host, self.port = host, port
        #: The device asked for, or ``None`` for all.
        self.device = device
        #: Whether a lost link is re-established.
        self.reconnect = reconnect
        #: Longest pause between reconnection attempts.
        self.max_backoff = max_backoff
        #: Folder where received BLOBs are written (``None``: not saved).
        self.blob_dir: Path | None = Path(blob_dir) if blob_dir is not None else None
        #: Seconds allowed to open the TCP connection.
        self.connect_timeout = connect_timeout
        #: The mirror of every device, property and member learned.
        self.mirror = Mirror()
        #: Whether the link is up right now.
        self.connected = False
        self._writer: asyncio.StreamWriter | None = None
        self._reader: asyncio.StreamReader | None = None
        self._task: asyncio.Task[None] | None = None
        self._wire = Wire()
        self._closing = False
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []
        self._queues: list[Subscription] = []
        self._stamps = ChangeStamps()
        self._watches: list[AnswerWatch] = []
        #: Whether each device echoes change timestamps (learned from the first change).
        self._echoes: dict[str, bool] = {}
        self._blob_modes: dict[tuple[str, str | None], BlobMode] = {}
        self._pings: dict[str, asyncio.Future[None]] = {}
        self._ping_count = 0

    # ------------------------------------------------------------------ lifecycle
    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def connect(self) -> Client:
        """Open the link, ask for the properties and start reading.

        :raises OSError: when the server cannot be reached (no retry for the first link).
        """
        if self._task is not None:
            return self
        self._closing = False
        await self._open()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="indi-client")
        return self

    async def close(self) -> None:
        """Close the link and stop reconnecting; pending waits raise :class:`ConnectionError`."""
        self._closing = True
        task, self._task = self._task, None
        if self._writer is not None:
            self._writer.close()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._lost("closed")
        for _, fut in self._waiters:
            if not fut.done():
                fut.set_exception(ConnectionError("the client was closed"))
        self._waiters.clear()

    async def _open(self) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, limit=_READ_BYTES * 4),
            self.connect_timeout,
        )
        self._wire = Wire()
        self.connected = True
        await self.send(ev.GetProperties(device=self.device, version="1.7"))
        for (device, name), mode in self._blob_modes.items():
            await self.send(ev.EnableBLOB(device=device, name=name, mode=mode))
        self._publish(Update("connected", message=f"{self.host}:{self.port}"))

    async def _run(self) -> None:
        backoff = 0.25
        while True:
            reason = "connection closed by the server"
            try:
                await self._read_all()
            except (OSError, ProtocolError) as exc:
                reason = str(exc) or type(exc).__name__
            self._lost(reason)
            if self._closing or not self.reconnect:
                return
            while not self._closing:
                await asyncio.sleep(backoff)
                try:
                    await self._open()
                except (OSError, TimeoutError) as exc:
                    log.debug("reconnect to %s:%s failed: %s", self.host, self.port, exc)
                    backoff = min(backoff * 2, self.max_backoff)
                else:
                    backoff = 0.25
                    break

    def _lost(self, reason: str) -> None:
        if not self.connected:
            return
        self.connected = False
        if self._writer is not None:
            self._writer.close()
        self._writer = None
        log.info("INDI link to %s:%s lost: %s", self.host, self.port, reason)
        self._publish(Update("disconnected", message=reason))
        self._check_waiters()

    async def _read_all(self) -> None:
        reader = self._reader
        assert reader is not None
        reported = 0
        while True:
            data = await reader.read(_READ_BYTES)
            for item in self._wire.receive(data):
                await self._handle(item.event, item.wire)
                reported = 0
            if not data:
                return
            progress = self._wire.progress()
            if progress is not None and progress.received - reported >= _PROGRESS_STEP:
                reported = progress.received
                self._publish(_progress_update(progress))

    async def _handle(self, event: ev.Event, wire: Mapping[str, str] | None) -> None:
        if isinstance(event, ev.PingRequest):
            await self.send(ev.PingReply(uid=event.uid))
            return
        if isinstance(event, ev.PingReply):
            waiter = self._pings.pop(event.uid, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return
        if isinstance(event, ev.Invalid | ev.Unknown):
            log.debug("ignored from server: %s", event)
            return
        prop = self.mirror.apply(event, wire)
        for watch in self._watches:
            if watch.see(event) and (watch.echoed or watch.barrier_seen):
                self._echoes[watch.device] = watch.echoed
        paths: tuple[Path, ...] = ()
        if isinstance(event, ev.SetBLOBVector) and self.blob_dir is not None:
            paths = await self._save_blobs(event)
        self._publish(Update.from_event(event, prop, paths, wire))
        self._check_waiters()

    async def _save_blobs(self, event: ev.SetBLOBVector) -> tuple[Path, ...]:
        folder = self.blob_dir
        assert folder is not None
        items = [(k, v) for k, v in event.values.items() if v.size or v.b64]

        def write() -> tuple[Path, ...]:
            folder.mkdir(parents=True, exist_ok=True)
            written = []
            for member, value in items:
                path = free_blob_path(folder, event.device, event.name, member, value)
                path.write_bytes(value.data)
                written.append(path)
            return tuple(written)

        try:
            return await asyncio.to_thread(write)
        except (OSError, ValueError) as exc:
            log.warning("could not save BLOB %s.%s: %s", event.device, event.name, exc)
            return ()

    # ------------------------------------------------------------------ notifications
    def _publish(self, update: Update) -> None:
        for sub in self._queues:
            if sub.device is not None and update.device not in (sub.device, None):
                continue
            if sub.name is not None and update.name not in (sub.name, None):
                continue
            sub.queue.put_nowait(update)

    def _check_waiters(self) -> None:
        keep = []
        for test, fut in self._waiters:
            if fut.done():
                continue
            try:
                ready = test()
            except Exception as exc:  # a failing predicate fails its waiter
                fut.set_exception(exc)
                continue
            if ready:
                fut.set_result(None)
            else:
                keep.append((test, fut))
        self._waiters = keep

    async def wait_until(self, test: Callable[[], bool], timeout: float | None = None) -> None:
        """Wait until ``test()`` is true; it is checked now and after every element received.

        :raises TimeoutError: after ``timeout`` seconds.
        """
        if test():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((test, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        finally:
            if not fut.done():
                fut.cancel()

    async def wait_for(
        self, device: str, name: str, timeout: float | None = None
    ) -> RemoteProperty:
        """Return the live mirrored property once it is defined.

        :raises TimeoutError: when it is not defined within ``timeout`` seconds.
        """
        try:
            await self.wait_until(
                lambda: self.mirror.get_property(device, name) is not None, timeout
            )
        except TimeoutError:
            why = f"{device}.{name} was not defined within {timeout} s"
            if device not in self.mirror:
                known = ", ".join(sorted(self.mirror)) or "none"
                why += f" (no device {device!r}; the server has: {known})"
            raise TimeoutError(why) from None
        prop = self.mirror.get_property(device, name)
        assert prop is not None
        return prop

    async def wait_for_state(
        self, device: str, name: str, state: State | str, timeout: float | None = None
    ) -> RemoteProperty:
        """Wait until the property is defined and in ``state`` (``"Ok"``, ``State.OK``, ...).

        :raises TimeoutError: naming the state reached instead, after ``timeout`` seconds.
        """
        wanted = State.coerce(state)

        def reached() -> bool:
            prop = self.mirror.get_property(device, name)
            return prop is not None and prop.state == wanted

        try:
            await self.wait_until(reached, timeout)
        except TimeoutError:
            prop = self.mirror.get_property(device, name)
            now = prop.state.value if prop is not None else "undefined"
            raise TimeoutError(
                f"{device}.{name} did not reach {wanted.value} within {timeout} s (it is {now})"
            ) from None
        prop = self.mirror.get_property(device, name)
        assert prop is not None
        return prop

    def updates(self, device: str | None = None, name: str | None = None) -> Subscription:
        """Updates and messages from now on, as an async iterator (optionally one device/property).

        The subscription starts at once, so nothing is missed between this call
        and the first ``async for`` step. Connection changes and global messages
        are included whatever the filter. It never ends on its own: ``break``,
        or call :meth:`Subscription.close`.
        """
        return Subscription(self, device, name)

    # ------------------------------------------------------------------ actions
    async def send(self, event: ev.Event) -> None:
        """Send any event to the server.

        :raises ConnectionError: when the link is down.
        """
        writer = self._writer
        if writer is None or not self.connected:
            raise ConnectionError(f"not connected to {self.host}:{self.port}")
        writer.write(self._wire.send(event))
        await writer.drain()

    async def get_properties(self, device: str | None = None, name: str | None = None) -> None:
        """Ask again for definitions (all, one device, or one property)."""
        await self.send(ev.GetProperties(device=device, name=name, version="1.7"))

    async def enable_blob(
        self, device: str, mode: BlobMode | str = BlobMode.ALSO, name: str | None = None
    ) -> None:
        """Choose BLOB delivery for a device (or one BLOB property): Never, Also or Only.

        The choice is repeated after a reconnection.
        """
        blob_mode = BlobMode(BlobMode.coerce(mode))
        self._blob_modes[(device, name)] = blob_mode
        await self.send(ev.EnableBLOB(device=device, name=name, mode=blob_mode))

    async def set(
        self,
        device: str,
        name: str,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        wait: str = "answer",
        check: bool = False,
        timeout: float | None = 10.0,
        **members: Any,
    ) -> RemoteProperty:
        """Send a change with the named members only, then wait for the driver's answer.

        Values are Python values: ``True``/``"On"`` for switches, numbers or
        decimal/sexagesimal text for numbers (checked against min/max), ``str``
        for texts, and for BLOBs ``bytes``, ``(bytes, format)``, or a path (a
        :class:`~pathlib.Path`, or a ``str`` naming an existing file) whose
        suffix becomes the format. Members may be given as a mapping (for names
        that are not identifiers) or as keywords.

        The change carries a timestamp of its own; an indiflask driver stamps its
        answer with it, so the answer is told apart from routine updates and
        other clients' answers. A driver that does not echo it (libindi's) is
        answered, as INDI always was, by the next update of the property. The
        first change to a device is followed by a ``getProperties`` for the
        property, which tells the two kinds of driver apart (see
        :mod:`indiflask.core.answers`).

        :param wait: ``"answer"`` (default): return at the driver's first answer
            (a Busy update counts); ``"done"``: wait for the final answer (not
            ``Busy``); ``"sent"``: return once the bytes are written.
        :param check: raise :class:`~indiflask.errors.ChangeRefused` when the
            driver refused the change: it answered Alert, or refused it with a
            message (busy with a previous change, read-only, unknown).
        :param timeout: seconds for the property to be defined and to be answered.
        :returns: the live mirrored property.
        :raises InvalidValue: when the values do not fit the property (nothing is sent).
        :raises TimeoutError: when no (final) answer comes in time.
        """
        if wait not in ("answer", "done", "sent"):
            raise ValueError(f"wait must be 'answer', 'done' or 'sent', not {wait!r}")
        prop = self.mirror.get_property(device, name) or await self.wait_for(device, name, timeout)
        sent = {**(values or {}), **members}
        if prop.kind == "BLOB":
            sent = {k: await _read_blob_arg(v) for k, v in sent.items()}
        stamp = self._stamps.next(time.time())
        event = build_change(prop, sent, timestamp=stamp)
        if wait == "sent":
            await self.send(event)
            return prop
        watch = AnswerWatch(device, name, stamp, echoes=self._echoes.get(device))
        self._watches.append(watch)
        try:
            await self.send(event)
            if watch.echoes is None:  # the barrier that tells whether the device echoes
                await self.send(ev.GetProperties(device=device, name=name, version="1.7"))
            await self.wait_until(lambda: watch.finished(final=wait == "done"), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{device}.{name}: no answer from the driver within {timeout} s"
            ) from None
        finally:
            self._watches.remove(watch)
        prop = self.mirror.get_property(device, name) or prop
        if check:
            where = f"{device}.{name}"
            if watch.progress in (Progress.REFUSED, Progress.DELETED):
                raise ChangeRefused(where, watch.reason or "refused", prop)
            if prop.state == State.ALERT:
                raise ChangeRefused(where, prop.message or "no reason given", prop, alert=True)
        return prop

    # ------------------------------------------------------------------ settling
    async def wait_settled(self, device: str | None = None, timeout: float | None = 10.0) -> None:
        """Wait until the server has sent every definition it has (of ``device``, or all).

        Sends a ``pingRequest`` after the ``getProperties`` (the one sent at
        connection, or one for ``device`` if that did not cover it) and waits
        for the ``pingReply``; a server answers its client's requests in order,
        so indiflask's server has sent every definition it knows by then. The
        round trip is repeated until one brings no new property: that also
        covers a device the server does not know yet (an executable driver
        still starting) and libindi's indiserver, which forwards
        ``getProperties`` to its drivers and answers pings itself. A property
        still missing then is not there.

        :param device: the device whose definitions matter (``None``: all).
        :param timeout: seconds for the whole wait.
        :raises TimeoutError: when the server does not answer, or ``device``
            does not appear, within ``timeout``.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout

        def left() -> float | None:
            return None if deadline is None else max(0.0, deadline - loop.time())

        def known() -> int:
            if device is None:
                return sum(len(dev) for dev in self.mirror.values())
            return len(self.mirror[device]) if device in self.mirror else 0

        if device is not None and self.device not in (None, device):
            await self.get_properties(device)
        before = -1
        while True:
            await self._ping_round_trip(left())
            count = known()
            if count == before and (count or device is None):
                return
            if not count and device is not None:
                try:
                    await self.wait_until(lambda: device in self.mirror, left())
                except TimeoutError:
                    raise TimeoutError(f"no device {device!r} within {timeout} s") from None
                count = known()
            before = count

    async def _ping_round_trip(self, timeout: float | None) -> None:
        self._ping_count += 1
        uid = f"indiflask-settled-{self._ping_count}"
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pings[uid] = waiter
        try:
            await self.send(ev.PingRequest(uid=uid))
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            raise TimeoutError(f"no pingReply from {self.host}:{self.port}") from None
        finally:
            self._pings.pop(uid, None)

    # ------------------------------------------------------------------ mirror access
    def get_property(self, device: str, name: str) -> RemoteProperty | None:
        """The mirrored property, or ``None`` when it is not defined (no waiting)."""
        return self.mirror.get_property(device, name)

    @property
    def messages(self) -> list[tuple[str | None, str | None, str]]:
        """Messages received, oldest first: (device or None, timestamp, text)."""
        return self.mirror.messages

    def snapshot(self) -> dict[str, Any]:
        """The mirror as JSON-ready data, with the server and connection state."""
        data = self.mirror.snapshot()
        data["server"] = f"{self.host}:{self.port}"
        data["connected"] = self.connected
        return data

    def __getitem__(self, device: str) -> RemoteDevice:
        return self.mirror[device]

    def __iter__(self) -> Iterator[str]:
        return iter(self.mirror)

    def __len__(self) -> int:
        return len(self.mirror)

    def __repr__(self) -> str:
        phase = "connected" if self.connected else "not connected"
        return f"<Client {self.host}:{self.port} {phase}, {len(self.mirror)} devices>"


async def _read_blob_arg(value: Any) -> Any:
    """Turn a path argument into ``(bytes, suffix)``; leave data as it is."""
    if isinstance(value, str) and not Path(value).is_file():
        raise InvalidValue(f"BLOB value {value!r} is not an existing file (pass bytes for data)")
    if isinstance(value, str | Path):
        path = Path(value)
        data = await asyncio.to_thread(path.read_bytes)
        return (data, "".join(path.suffixes) or "")
    if isinstance(value, BlobValue | bytes | bytearray | memoryview | tuple):
        return value
    raise InvalidValue(f"a BLOB needs bytes, (bytes, format) or a path, not {type(value).__name__}")
