"""A blocking facade over :class:`~indiflask.client.Client`, for scripts and notebooks.

The asyncio client runs on an event loop in a background thread; every
method here submits a coroutine to it and waits for the result, so plain code
(and Jupyter, whose own loop is already running) can use it::

    from indiflask.client import BlockingClient

    with BlockingClient("127.0.0.1", 7624) as c:
        mount = c.wait_for("Telescope Simulator", "EQUATORIAL_EOD_COORD", timeout=5)
        c.set("Telescope Simulator", "EQUATORIAL_EOD_COORD", RA="5:30", DEC=20, wait="done",
              timeout=60)
        print(mount.formatted("RA"))

The mirror (``c["device"]["PROP"]``, :attr:`BlockingClient.mirror`) is updated by
the background thread: read it, do not modify it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from ..core.mirror import Mirror, RemoteDevice, RemoteProperty
from ..protocol.values import BlobMode, State
from .client import Client, Subscription
from .updates import Update

__all__ = ["BlockingClient"]

_T = TypeVar("_T")


class BlockingClient(Mapping[str, RemoteDevice]):
    """The same client, with blocking methods. Arguments are those of :class:`Client`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 7624, **options: Any) -> None:
        #: The asyncio client doing the work (on the background loop).
        self.client = Client(host, port, **options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> BlockingClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> BlockingClient:
        """Start the background loop and connect.

        :raises OSError: when the server cannot be reached.
        """
        if self._loop is None:
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def main() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            self._thread = threading.Thread(target=main, name="indi-client", daemon=True)
            self._thread.start()
            ready.wait()
            self._loop = loop
        try:
            self._call(self.client.connect())
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Disconnect and stop the background loop."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            self._call(self.client.close(), 10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()
            self._loop = self._thread = None

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        if self._loop is None:
            coro.close()
            raise ConnectionError("call connect() first, or use 'with BlockingClient(...)'")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    # ------------------------------------------------------------------ the client's methods
    def wait_for(self, device: str, name: str, timeout: float | None = None) -> RemoteProperty:
        """Return the live mirrored property once defined (see :meth:`Client.wait_for`)."""
        return self._call(self.client.wait_for(device, name, timeout))

    def wait_for_state(
        self, device: str, name: str, state: State | str, timeout: float | None = None
    ) -> RemoteProperty:
        """Wait until the property is in ``state`` (see :meth:`Client.wait_for_state`)."""
        return self._call(self.client.wait_for_state(device, name, state, timeout))

    def set(
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
        """Send a change and wait for the answer (see :meth:`Client.set`)."""
        return self._call(
            self.client.set(
                device, name, values, wait=wait, check=check, timeout=timeout, **members
            )
        )

    def enable_blob(
        self, device: str, mode: BlobMode | str = BlobMode.ALSO, name: str | None = None
    ) -> None:
        """Choose BLOB delivery (see :meth:`Client.enable_blob`)."""
        self._call(self.client.enable_blob(device, mode, name))

    def get_properties(self, device: str | None = None, name: str | None = None) -> None:
        """Ask again for definitions."""
        self._call(self.client.get_properties(device, name))

    def updates(
        self, device: str | None = None, name: str | None = None, *, timeout: float | None = None
    ) -> Iterator[Update]:
        """Iterate over updates from now on; stop after ``timeout`` seconds without one."""
        sub = self._call(_subscribe(self.client, device, name))
        try:
            while True:
                try:
                    yield self._call(sub.get(timeout))
                except TimeoutError:
                    return
        finally:
            sub.close()

    # ------------------------------------------------------------------ mirror access
    @property
    def mirror(self) -> Mirror:
        """The live mirror (updated by the background thread)."""
        return self.client.mirror

    @property
    def connected(self) -> bool:
        """Whether the link is up."""
        return self.client.connected

    @property
    def blob_dir(self) -> Path | None:
        """Folder where received BLOBs are saved (``None``: not saved)."""
        return self.client.blob_dir

    @blob_dir.setter
    def blob_dir(self, folder: str | Path | None) -> None:
        self.client.blob_dir = Path(folder) if folder is not None else None

    def get_property(self, device: str, name: str) -> RemoteProperty | None:
        """The mirrored property, or ``None`` (no waiting)."""
        return self.client.get_property(device, name)

    def snapshot(self) -> dict[str, Any]:
        """The mirror as JSON-ready data (see :meth:`Client.snapshot`)."""
        return self.client.snapshot()

    def __getitem__(self, device: str) -> RemoteDevice:
        return self.client.mirror[device]

    def __iter__(self) -> Iterator[str]:
        return iter(self.client.mirror)

    def __len__(self) -> int:
        return len(self.client.mirror)


async def _subscribe(client: Client, device: str | None, name: str | None) -> Subscription:
    return client.updates(device, name)
