"""The driver for bench/web_bench.py: a steady stream of time-stamped updates.

``STAMP.T`` carries the wall-clock time (ms since 1970) at which each update
was sent, ``WEB_BENCH_RATE`` times a second (default 100), so a page or a
client can tell how late it shows each one. ``ECHO`` answers every change at
once (round-trip probes).
"""

from __future__ import annotations

import asyncio
import os
import time

from indiflask import App, Number

RATE = float(os.environ.get("WEB_BENCH_RATE", "100"))

app = App("Web Bench", device="webbench", standard=False)

stamp = app.number(
    "STAMP",
    label="Sent at",
    group="Bench",
    perm="ro",
    members=[Number("T", label="ms since 1970", format="%.0f"), Number("SEQ", format="%.0f")],
)


@app.number("ECHO", group="Bench", members=[Number("N", format="%.0f", value=0)])
def echo(change):
    """Accept at once."""


@app.hardware()
async def stream():
    """Send STAMP at RATE per second, paced against the clock (no drift)."""
    period = 1.0 / RATE
    due = time.monotonic()
    seq = 0
    while True:
        seq += 1
        stamp["T"] = time.time() * 1000.0
        stamp["SEQ"] = seq
        stamp.send()
        due += period
        await asyncio.sleep(max(0.0, due - time.monotonic()))
