"""The benchmark device "Bench" as an indiflask app (run with ``indiflask run``).

The same device is served by ``bench_driver.c`` (under libindi's indiserver)
and ``indipy_bench.py`` (indipydriver + indipyserver); see bench/run.py.
Sizes come from the environment: ``BENCH_N`` updates per flood,
``BENCH_BLOB_COUNT`` BLOBs of ``BENCH_BLOB_SIZE`` bytes per BLOB request,
``BENCH_DEVICE`` the device name (``Bench``) and ``BENCH_PROPS`` how many
4-member vectors ``P00``... it has (50); W7 runs many drivers with distinct names.
"""

from __future__ import annotations

import functools
import os
import random

from indiflask import App, Blob, Number, Switch

FLOOD_N = int(os.environ.get("BENCH_N", "20000"))
BLOB_COUNT = int(os.environ.get("BENCH_BLOB_COUNT", "8"))
BLOB_SIZE = int(os.environ.get("BENCH_BLOB_SIZE", str(16 * 2**20)))
DEVICE = os.environ.get("BENCH_DEVICE") or "Bench"
PROPS = int(os.environ.get("BENCH_PROPS", "50"))

app = App(DEVICE, device=DEVICE, standard=False)


@app.switch(
    "FLOOD", label="Flood", group="Bench", rule="AtMostOne", members=[Switch("GO", value=False)]
)
def flood(change):
    """Send ``FLOOD_N`` updates of FLOODED as fast as possible (workload W1)."""
    for i in range(FLOOD_N):
        flooded["V"] = i
        flooded.send()
    return {"GO": False}


flooded = app.number(
    "FLOODED",
    label="Flooded",
    group="Bench",
    perm="ro",
    members=[Number("V", format="%g", value=0)],
)


@app.number("ECHO", label="Echo", group="Bench", members=[Number("X", format="%g", value=0)])
def echo(change):
    """Accept the new value; indiflask answers with setNumberVector (workload W2)."""


@app.switch(
    "BLOB_GO",
    label="Send BLOBs",
    group="Bench",
    rule="AtMostOne",
    members=[Switch("GO", value=False)],
)
def blob_go(change):
    """Send ``BLOB_COUNT`` BLOBs of ``BLOB_SIZE`` random bytes (workload W3)."""
    payload = _payload()
    for _ in range(BLOB_COUNT):
        image.set_blob("DATA", payload, ".bin")
        image.send()
    return {"GO": False}


image = app.blob("IMAGE", label="Image", group="Bench", members=[Blob("DATA")])

for _p in range(PROPS):
    app.number(
        f"P{_p:02d}",
        label=f"P{_p:02d}",
        group="Storm",
        perm="ro",
        members=[Number(m, format="%.3f", value=_p * 4 + i) for i, m in enumerate("ABCD")],
    )


@functools.cache
def _payload() -> bytes:
    """Random BLOB payload, made on first use (so W4/W5 memory is not inflated)."""
    return random.Random(42).randbytes(BLOB_SIZE)
