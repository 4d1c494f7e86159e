"""The workloads W1-W5: each starts a fresh server, drives it, and returns metrics.

Every workload function takes a prepared :class:`~bench.harness.impls.Impl`
and a :class:`Sizes` and returns ``{metric_name: value}``; it raises
:class:`BenchError` when the run is not valid (a client missed messages, the
server died, a deadline passed).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import loadgen
from .impls import Impl, Running, accepted, cpu_seconds, wait_ready


class BenchError(RuntimeError):
    """A run produced no valid measurement."""


@dataclass(frozen=True)
class Sizes:
    """Workload sizes (the full, quick and smoke presets are in bench/run.py)."""

    flood_n: int = 20_000
    fanout: tuple[int, ...] = (1, 20)
    roundtrips: int = 2_000
    warmup: int = 50
    blob_count: int = 8
    blob_size: int = 16 * 2**20
    storm_clients: int = 200
    idle_clients: int = 1_000
    workers: int = 4
    timeout: float = 300.0
    #: W1 stops counting after this many seconds (slow peers): rate = delivered / time.
    flood_cap: float = 60.0
    verify: bool = False
    #: W7: executable drivers behind one server, clients asking at once, and the
    #: updates each driver sends in the flood.
    many_drivers: int = 20
    many_clients: int = 50
    many_flood_n: int = 2_000


#: Metric name -> (unit, True if higher is better).
METRICS: dict[str, tuple[str, bool]] = {}

_ctx = mp.get_context("spawn")


def _env(sizes: Sizes) -> dict[str, str]:
    return {
        "BENCH_N": str(sizes.flood_n),
        "BENCH_BLOB_COUNT": str(sizes.blob_count),
        "BENCH_BLOB_SIZE": str(sizes.blob_size),
    }


def _server(impl: Impl, sizes: Sizes, clients: int, *, chain: bool = False) -> Running:
    if chain:
        try:
            running = impl.start_chain(_env(sizes), clients)
        except NotImplementedError as exc:
            raise BenchError(str(exc)) from None
    else:
        running = impl.start(_env(sizes), clients)
    try:
        wait_ready(running)
    except Exception:
        running.stop()
        raise
    return running


def _join(procs: list[Any], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for proc in procs:
        proc.join(max(0.1, deadline - time.monotonic()))
        if proc.is_alive():
            proc.terminate()
            proc.join(5)


def _check(running: Running, what: str) -> None:
    if not running.alive():
        raise BenchError(f"{running.name} died during {what}:\n{running.log_tail()}")


def w1_fanout(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W1: ``flood_n`` updates to K clients; messages delivered per second, per K."""
    return {f"W1 K={k}": _flood_rate(impl, sizes, k, chain=False) for k in sizes.fanout}


def _flood_rate(impl: Impl, sizes: Sizes, k: int, *, chain: bool) -> float:
    """Messages per second delivered to ``k`` clients (through a chain of two servers)."""
    what = "W6" if chain else f"W1 K={k}"
    running = _server(impl, sizes, k, chain=chain)
    try:
        ready, results, go = _ctx.Queue(), _ctx.Queue(), _ctx.Event()
        procs = [
            _ctx.Process(
                target=loadgen.flood_client,
                daemon=True,
                args=(
                    running.port,
                    sizes.flood_n,
                    i,
                    ready,
                    go,
                    results,
                    sizes.timeout,
                    sizes.flood_cap,
                ),
            )
            for i in range(k)
        ]
        for proc in procs:
            proc.start()
        for n in range(k):
            try:
                ready.get(timeout=sizes.timeout)
            except queue.Empty:
                raise BenchError(f"{what}: {n} clients got every definition") from None
        go.set()
        reports = [results.get(timeout=sizes.timeout + 10) for _ in range(k)]
        _join(procs, 10)
        _check(running, what)
    finally:
        running.stop()
    t0 = next(r[1] for r in reports if r[0] == 0)
    errors = [r[5] for r in reports if r[5]]
    delivered = sum(r[3] for r in reports)
    if errors or t0 is None:
        got = sorted(r[3] for r in reports)
        raise BenchError(f"{what}: deliveries {got} of {sizes.flood_n}; {errors[:3]}")
    if not delivered:
        return 0.0  # nothing within the cap (libindi's indiserver with 20 clients): 0 msgs/s
    elapsed = max(r[2] for r in reports) - t0
    if delivered < k * sizes.flood_n:
        # the clients waited the whole cap: a server that stalls is rated on that
        elapsed = max(elapsed, sizes.flood_cap)
    return float(delivered / elapsed)


def w2_roundtrip(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W2: sequential change -> update round trips; p50 and p99 in milliseconds."""
    p50, p99 = _roundtrip_ms(impl, sizes, chain=False)
    return {"W2 p50": p50, "W2 p99": p99}


def w6_chain(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W6: W1 with one client and W2, through a chain of two servers of the same kind
    (client -> server A -> server B, which hosts the driver)."""
    rate = _flood_rate(impl, sizes, 1, chain=True)
    p50, p99 = _roundtrip_ms(impl, sizes, chain=True)
    return {"W6 K=1": rate, "W6 p50": p50, "W6 p99": p99}


def _roundtrip_ms(impl: Impl, sizes: Sizes, *, chain: bool) -> tuple[float, float]:
    what = "W6" if chain else "W2"
    running = _server(impl, sizes, 1, chain=chain)
    try:
        results = _ctx.Queue()
        proc = _ctx.Process(
            target=loadgen.roundtrip_client,
            daemon=True,
            args=(running.port, sizes.roundtrips, sizes.warmup, results, sizes.timeout),
        )
        proc.start()
        latencies, error = results.get(timeout=sizes.timeout + 10)
        _join([proc], 10)
        _check(running, what)
    finally:
        running.stop()
    if error or len(latencies) != sizes.roundtrips:
        raise BenchError(f"{what}: {len(latencies)} of {sizes.roundtrips} round trips; {error}")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1e3, cuts[98] * 1e3


def w3_blob(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W3: ``blob_count`` BLOBs of ``blob_size`` bytes; MB/s of decoded payload, and
    the server's peak resident memory (driver processes included) in MiB."""
    running = _server(impl, sizes, 1)
    try:
        results = _ctx.Queue()
        proc = _ctx.Process(
            target=loadgen.blob_client,
            daemon=True,
            args=(running.port, sizes.blob_count, sizes.verify, results, sizes.timeout),
        )
        proc.start()
        t0, t_end, count, nbytes, decoded, error = results.get(timeout=sizes.timeout + 30)
        _join([proc], 10)
        _check(running, "W3")
        peak = running.peak_rss()
    finally:
        running.stop()
    if error or count < sizes.blob_count:
        raise BenchError(f"W3: {count} of {sizes.blob_count} BLOBs; {error}")
    if nbytes < sizes.blob_count * sizes.blob_size * 4 // 3:
        raise BenchError(f"W3: only {nbytes} bytes arrived for {count} BLOBs")
    if sizes.verify and decoded != [sizes.blob_size] * sizes.blob_count:
        raise BenchError(f"W3: decoded sizes {decoded}, expected {sizes.blob_size} each")
    return {
        "W3 BLOB": sizes.blob_count * sizes.blob_size / (t_end - t0) / 1e6,
        "W3 peak RSS": peak / 2**20,
    }


def _crowd(
    impl: Impl,
    sizes: Sizes,
    clients: int,
    fetch: bool,
    measure: Callable[[Running, float], dict[str, float]],
) -> dict[str, float]:
    """Start a server, then ``clients`` connections at once from a few worker processes."""
    running = _server(impl, sizes, clients)
    try:
        return _crowd_on(running, sizes, clients, fetch, measure)
    finally:
        running.stop()


def _crowd_on(
    running: Running,
    sizes: Sizes,
    clients: int,
    fetch: bool,
    measure: Callable[[Running, float], dict[str, float]],
    expect: int = loadgen.DEF_NUMBERS,
) -> dict[str, float]:
    """``clients`` connections at once to a running server, from a few worker processes."""
    workers = max(1, min(sizes.workers if fetch else 2, clients))
    shares = [clients // workers + (1 if i < clients % workers else 0) for i in range(workers)]
    go, stop = _ctx.Event(), _ctx.Event()
    done, results = _ctx.Queue(), _ctx.Queue()
    procs = [
        _ctx.Process(
            target=loadgen.storm_worker,
            daemon=True,
            args=(
                running.port,
                share,
                fetch,
                go,
                done,
                stop,
                results,
                sizes.timeout,
                0.0 if fetch else 0.005,
                expect,
            ),
        )
        for share in shares
    ]
    try:
        base_rss = running.rss()
        for proc in procs:
            proc.start()
        time.sleep(0.3 + 0.02 * workers)  # let the workers reach go.wait()
        t0 = time.perf_counter()
        go.set()
        reports = [results.get(timeout=sizes.timeout + 30) for _ in shares]
        errors = [r[2] for r in reports if r[2]]
        if errors:
            raise BenchError(f"{clients} clients: {errors[:3]}")
        _check(running, "the connect storm")
        held = clients
        if not fetch:
            # A handshake the server dropped (full listen backlog) is retried by the
            # client with a growing back-off: wait a while, then count what is held.
            deadline = time.monotonic() + min(30.0, sizes.timeout)
            while time.monotonic() < deadline:
                held = accepted(running.pids, running.port)
                if held >= clients:
                    break
                time.sleep(0.2)
            if held < 0.95 * clients:
                raise BenchError(f"the server accepted {held} of {clients} idle clients")
        elapsed = max(r[0] for r in reports) - t0
        metrics = measure(running, elapsed)
        metrics["_base_rss"] = base_rss
        metrics["_held"] = held
        return metrics
    finally:
        stop.set()
        _join(procs, 15)


def w4_storm(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W4: clients connect at once and fetch every definition; seconds and server RSS."""

    def measure(running: Running, elapsed: float) -> dict[str, float]:
        return {"W4 storm": elapsed, "W4 RSS": running.rss() / 2**20}

    metrics = _crowd(impl, sizes, sizes.storm_clients, True, measure)
    return {k: v for k, v in metrics.items() if not k.startswith("_")}


def w5_idle(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W5: idle connected clients; server memory per client in KiB.

    Divides by the connections the server holds, in case a few handshakes
    were still being retried (at most 5 %).
    """

    def measure(running: Running, elapsed: float) -> dict[str, float]:
        time.sleep(0.5)
        return {"_rss": running.rss()}

    metrics = _crowd(impl, sizes, sizes.idle_clients, False, measure)
    per_client = (metrics["_rss"] - metrics["_base_rss"]) / metrics["_held"] / 1024
    return {"W5 per client": per_client}


def w7_many_drivers(impl: Impl, sizes: Sizes) -> dict[str, float]:
    """W7: ``many_drivers`` executable drivers behind one server.

    ``many_clients`` clients send getProperties at once: seconds until each has
    every driver's number vectors. Then one client switches every driver's
    FLOOD: the server process's CPU time (``/proc``, its drivers excluded) per
    1,000 updates it routed, in milliseconds.
    """
    devices = [f"Bench{i:02d}" for i in range(sizes.many_drivers)]
    expect = 2 * len(devices)  # FLOODED and ECHO of each (no P00... vectors)
    env = {**_env(sizes), "BENCH_N": str(sizes.many_flood_n)}
    running = impl.start_many(env, sizes.many_clients + 2, devices, 0)
    try:
        wait_ready(running, timeout=sizes.timeout, expect=expect)

        def measure(running: Running, elapsed: float) -> dict[str, float]:
            return {"W7 getProperties": elapsed}

        metrics = _crowd_on(running, sizes, sizes.many_clients, True, measure, expect)
        cpu = _flood_cpu(running, devices, sizes, expect)
        _check(running, "W7")
    finally:
        running.stop()
    return {"W7 getProperties": metrics["W7 getProperties"], "W7 CPU": cpu}


def _flood_cpu(running: Running, devices: list[str], sizes: Sizes, expect: int) -> float:
    """Server CPU milliseconds per 1,000 updates while every driver floods one client."""
    want = len(devices) * sizes.many_flood_n
    deadline = time.monotonic() + sizes.timeout
    sets = loadgen.Counter(loadgen.END_SET_NUMBER)
    with loadgen.connect(running.port, sizes.timeout) as sock:
        loadgen.wait_definitions(
            sock, [loadgen.Counter(loadgen.END_DEF_NUMBER), sets], deadline, expect
        )
        before = cpu_seconds(running.proc.pid)
        sock.sendall(loadgen.flood_all(devices))
        sock.settimeout(0.5)
        while sets.count < want and time.monotonic() < deadline:
            try:
                data = sock.recv(loadgen.RECV)
            except TimeoutError:
                continue
            if not data:
                raise BenchError("W7: the server closed the flooded connection")
            sets.feed(data)
        after = cpu_seconds(running.proc.pid)
    if sets.count < want:
        raise BenchError(f"W7: {sets.count} of {want} updates arrived")
    return (after - before) * 1e3 / (sets.count / 1000)


#: Workload name -> function, in run order.
WORKLOADS: dict[str, Callable[[Impl, Sizes], dict[str, float]]] = {
    "W1": w1_fanout,
    "W2": w2_roundtrip,
    "W3": w3_blob,
    "W4": w4_storm,
    "W5": w5_idle,
    "W6": w6_chain,
    "W7": w7_many_drivers,
}

METRICS.update(
    {
        "W1 K=1": ("msgs/s", True),
        "W1 K=20": ("msgs/s", True),
        "W2 p50": ("ms", False),
        "W2 p99": ("ms", False),
        "W3 BLOB": ("MB/s", True),
        "W3 peak RSS": ("MiB", False),
        "W4 storm": ("s", False),
        "W4 RSS": ("MiB", False),
        "W5 per client": ("KiB", False),
        "W6 K=1": ("msgs/s", True),
        "W6 p50": ("ms", False),
        "W6 p99": ("ms", False),
        "W7 getProperties": ("s", False),
        "W7 CPU": ("CPU ms per 1,000 updates", False),
    }
)


def metric_info(name: str) -> tuple[str, bool]:
    """Unit and direction of a metric (W1 with any K counts as msgs/s)."""
    if name.startswith("W1 K="):
        return ("msgs/s", True)
    return METRICS[name]
