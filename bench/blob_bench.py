"""Hand-run benchmark: BLOB encode and decode throughput in MB/s.

Encodes 16 MiB of random bytes with :meth:`indiflask.protocol.blobs.BlobValue.from_bytes`
and decodes them again through :attr:`~indiflask.protocol.blobs.BlobValue.data`, for a
one-line payload and a libindi-style payload wrapped at 72 columns, and prints
the best of several runs as a small table, with the bare C decoder as the
ceiling for comparison. The target is at least 300 MB/s
(of raw payload) for each::

    .venv/bin/python -m bench.blob_bench [--size-mib 16] [--runs 7]   # from the repo root
"""

from __future__ import annotations

import argparse
import binascii
import os
import sys
import time
from collections.abc import Callable

from indiflask.protocol.blobs import BlobValue

TARGET_MB_S = 300.0


def best_seconds(func: Callable[[], object], runs: int) -> float:
    """Return the fastest wall time of ``runs`` calls of ``func``."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def wrap72(b64: bytes) -> bytes:
    """Wrap base64 text with ``\\n`` every 72 characters, as libindi does."""
    return b"\n".join(b64[i : i + 72] for i in range(0, len(b64), 72))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write the table to stdout; return 1 below target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=16)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    payload = os.urandom(args.size_mib * 2**20)
    blob = BlobValue.from_bytes(payload, ".bin")
    wrapped = BlobValue(format=".bin", size=len(payload), b64=wrap72(blob.b64))
    assert blob.data == payload and wrapped.data == payload, "round trip failed"
    cases: list[tuple[str, Callable[[], object]]] = [
        ("encode (from_bytes)", lambda: BlobValue.from_bytes(payload, ".bin")),
        ("decode (.data), one line", lambda: blob.data),
        ("decode (.data), 72 columns", lambda: wrapped.data),
        ("binascii.a2b_base64 alone", lambda: binascii.a2b_base64(wrapped.b64)),
    ]
    out = sys.stdout
    out.write(f"payload {args.size_mib} MiB random, best of {args.runs} runs\n\n")
    out.write(f"| {'operation':<28} | {'MB/s':>8} | {'ms':>8} |\n")
    out.write(f"|{'-' * 30}|{'-' * 10}|{'-' * 10}|\n")
    slow = False
    for name, func in cases:
        seconds = best_seconds(func, args.runs)
        rate = len(payload) / seconds / 1e6
        slow = slow or (rate < TARGET_MB_S and not name.startswith("binascii"))
        out.write(f"| {name:<28} | {rate:8.0f} | {seconds * 1e3:8.1f} |\n")
    out.write(f"\ntarget: >= {TARGET_MB_S:.0f} MB/s each: {'MISSED' if slow else 'met'}\n")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
