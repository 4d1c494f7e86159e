"""Codec benchmark, run by hand: ``python bench/codec_bench.py [--n 100000]``.

Prints events parsed and serialized per second for small ``setNumberVector``
messages, lxml's own time for the same bytes (the 2x comparison), and MB/s for
BLOB base64 encode/decode through :mod:`indiflask.protocol.blobs`. Every reading
row goes through :class:`~indiflask.protocol.connection.Connection`, the one
path from bytes to events, in the mode each user of it runs: unchecked with
``deliver`` (the server's links), unchecked with ``receive_data``/``events``,
checked (drivers, the test client), and the client's wire (member texts kept).
Each figure is the best of several rounds of CPU time (not wall time: on a
shared machine another process's work would count), because shared machines
are noisy.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from lxml import etree

from indiflask.client.wire import Wire
from indiflask.protocol import events as ev
from indiflask.protocol.blobs import BlobValue, decode_base64, encode_base64
from indiflask.protocol.codec import encode
from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.values import State

EVENT = ev.SetNumberVector(
    device="Telescope Simulator",
    name="EQUATORIAL_EOD_COORD",
    state=State.OK,
    timeout=60,
    timestamp="2026-11-24T21:01:02",
    values={"RA": 19.272983902611173, "DEC": 89.99999999999999},
)


def best(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="messages per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--blob-mib", type=int, default=32)
    args = parser.parse_args()
    n, rounds = args.n, args.rounds
    message = encode(EVENT)
    stream = message * n
    chunks = [stream[i : i + 65536] for i in range(0, len(stream), 65536)]

    def lxml_raw() -> None:
        # What lxml alone needs: feed the same chunks, drain the end events, clear the tree.
        pull = etree.XMLPullParser(events=("end",))
        pull.feed(b"<stream><i/>")
        root = next(iter(pull.read_events()))[1].getparent()  # type: ignore[union-attr]
        for chunk in chunks:
            pull.feed(chunk)
            for _ in pull.read_events():
                pass
            root.clear()

    def unchecked_deliver() -> None:
        # What a server link does: one call per chunk, events to a callback.
        conn = Connection(Role.DEVICE, checked=False)
        sink: list[ev.Event] = []

        def on_event(link: int, event: ev.Event) -> None:
            sink.append(event)

        for chunk in chunks:
            conn.deliver(chunk, 1, on_event)
            sink.clear()

    def unchecked_events() -> None:
        conn = Connection(Role.CLIENT, checked=False)
        for chunk in chunks:
            conn.receive_data(chunk)
            conn.events()

    def checked_events() -> None:
        conn = Connection(Role.CLIENT)
        for chunk in chunks:
            conn.receive_data(chunk)
            conn.events()

    def client_wire() -> None:
        wire = Wire()
        for chunk in chunks:
            wire.receive(chunk)

    def encode_only() -> None:
        for _ in range(n):
            encode(EVENT)

    def send_validated() -> None:
        conn = Connection(Role.DEVICE)
        conn.send(
            ev.DefNumberVector(
                device=EVENT.device,
                name=EVENT.name,
                members=(ev.DefNumber(name="RA"), ev.DefNumber(name="DEC")),
            )
        )
        send = conn.send
        for _ in range(n):
            send(EVENT)

    rows: list[tuple[str, float, str]] = []
    raw = best(lxml_raw, rounds)
    rows.append(("lxml XMLPullParser alone (baseline)", n / raw, "1.00x"))
    for label, fn in [
        ("unchecked Connection.deliver (server)", unchecked_deliver),
        ("unchecked receive_data + events", unchecked_events),
        ("checked receive_data + events", checked_events),
        ("client Wire.receive (texts kept)", client_wire),
    ]:
        t = best(fn, rounds)
        rows.append((label, n / t, f"{t / raw:.2f}x"))
    rows.append(("encode(SetNumberVector)", n / best(encode_only, rounds), ""))
    rows.append(("Connection.send (validated)", n / best(send_validated, rounds), ""))

    print(f"small setNumberVector ({len(message)} bytes), {n} messages, best of {rounds}")
    print(f"{'operation':40} {'msgs/s':>12} {'vs lxml':>8}")
    for label, rate, ratio in rows:
        print(f"{label:40} {rate:12,.0f} {ratio:>8}")

    size = args.blob_mib * 2**20
    data = bytes(range(256)) * (size // 256)
    t_enc = best(lambda: encode_base64(data), 3)
    b64 = encode_base64(data)
    t_dec = best(lambda: decode_base64(b64), 3)
    blob = ev.SetBLOBVector(device="Cam", name="CCD1", values={"I": BlobValue(".fits", size, b64)})
    t_wire = best(lambda: encode(blob), 3)
    wire = encode(blob)

    def parse_blob() -> None:
        conn = Connection(Role.DEVICE, checked=False)
        for i in range(0, len(wire), 2**20):
            conn.deliver(wire[i : i + 2**20], 1, lambda link, event: None)

    t_parse = best(parse_blob, 3)
    mb = size / 1e6
    print(f"\nBLOB of {args.blob_mib} MiB ({len(b64) / 1e6:.1f} MB base64)")
    print(f"{'operation':40} {'MB/s':>12}")
    print(f"{'blobs.encode_base64':40} {mb / t_enc:12,.0f}")
    print(f"{'blobs.decode_base64':40} {mb / t_dec:12,.0f}")
    print(f"{'encode(SetBLOBVector) (pass-through)':40} {mb / t_wire:12,.0f}")
    print(f"{'unchecked Connection.deliver (BLOB)':40} {mb / t_parse:12,.0f}")


if __name__ == "__main__":
    main()
