"""Back-pressure and limits: slow clients, stream BLOB dropping, connection churn."""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import os
import sys
import tracemalloc
from pathlib import Path

import pytest
from serverkit import EchoDriver, RawClient, running, until

from indiflask.protocol.events import DefNumberVector, Event, SetNumberVector
from indiflask.server import Server

DRIVER = str(Path(__file__).parent / "drivers" / "stdio_echo.py")
MiB = 2**20


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def blob_server(monkeypatch: pytest.MonkeyPatch, fmt: str, **limits: int) -> Server:
    monkeypatch.setenv("ECHO_TICK", "0.01")
    monkeypatch.setenv("ECHO_BLOB", "200000")
    monkeypatch.setenv("ECHO_FORMAT", fmt)
    server = Server(port=0, **limits)
    server.add_exdriver(sys.executable, DRIVER)
    return server


async def silent_client(port: int) -> RawClient:
    """A client that asks for everything, BLOBs included, and then never reads."""
    slow = await RawClient.connect(port)
    slow.writer.transport.set_write_buffer_limits(0)  # type: ignore[attr-defined]
    sock = slow.writer.get_extra_info("socket")
    import socket

    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.writer.transport.pause_reading()  # type: ignore[attr-defined]
    await slow.send(
        '<getProperties version="1.7"/><enableBLOB device="StdioEcho">Also</enableBLOB>'
    )
    return slow


def test_slow_client_is_cut_and_never_slows_others(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A client that never reads, while the driver sends updates and 20 MB/s of BLOBs:
    the other client receives every update all along, the silent one is cut."""
    caplog.set_level(logging.INFO, "indiflask.server")
    result: dict[str, float] = {}

    def is_update(e: Event) -> bool:
        return isinstance(e, SetNumberVector)

    async def main() -> None:
        server = blob_server(monkeypatch, ".bin", max_queue=4 * MiB)
        async with running(server):
            fast = await RawClient.connect(server.port)
            await fast.send('<getProperties version="1.7"/>')
            await fast.read_until(lambda e: isinstance(e, DefNumberVector))
            before = rss()
            slow = await silent_client(server.port)
            await until(lambda: server.client_count == 2)
            fast.seen = []
            while server.client_count == 2:  # updates keep coming while the slow one lags
                await fast.read_until(is_update)
            for _ in range(20):  # and after it is gone
                await fast.read_until(is_update)
            values = [e.values["X"] for e in fast.seen if isinstance(e, SetNumberVector)]
            result["gaps"] = sum(b - a != 1 for a, b in itertools.pairwise(values))
            result["rss_growth"] = rss() - before
            await fast.close()
            await slow.close()

    asyncio.run(main())
    assert result["gaps"] == 0, "the reading client missed updates"
    assert any(
        "disconnecting" in r.getMessage() and "behind" in r.getMessage() for r in caplog.records
    )
    assert result["rss_growth"] < 32 * MiB, result


def test_stream_blobs_dropped_for_a_lagging_client(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "indiflask.server")

    async def main() -> int:
        server = blob_server(monkeypatch, ".stream", max_queue=64 * MiB, max_stream_queue=MiB)
        async with running(server):
            slow = await silent_client(server.port)
            await until(lambda: any("dropped" in r.getMessage() for r in caplog.records))
            (client,) = server._clients.values()
            queued = client._writer.queued if client._writer is not None else -1
            await slow.close()
            return queued

    queued = asyncio.run(main())
    assert 0 < queued < 2 * MiB
    assert any("dropped stream BLOB" in r.getMessage() for r in caplog.records)


def test_connect_disconnect_cycles_leak_nothing() -> None:
    async def cycle(port: int) -> None:
        c = await RawClient.connect(port)
        await c.send('<getProperties version="1.7"/>')
        await c.read_until(lambda e: isinstance(e, DefNumberVector))
        await c.close()

    async def main() -> dict[str, int]:
        async with running(Server(EchoDriver(), port=0)) as server:
            for _ in range(50):  # warm up caches and allocators
                await cycle(server.port)
            await until(lambda: server.client_count == 0)
            gc.collect()
            fds = len(os.listdir("/proc/self/fd"))
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            for _ in range(1000):
                await cycle(server.port)
            await until(lambda: server.client_count == 0)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - base
            tracemalloc.stop()
            return {
                "fds": len(os.listdir("/proc/self/fd")) - fds,
                "bytes": grown,
                "links": len(server.router.links()),
                "clients": server.client_count,
            }

    r = asyncio.run(main())
    assert r["fds"] <= 0 and r["clients"] == 0 and r["links"] == 1, r
    assert r["bytes"] < 64 * 1024, r
