"""The benchmark device "Bench" with indipydriver 3.1.2, served by indipyserver.

Runs in the separate venv that bench/run.py creates under ``bench/.envs/``.
Same device and environment variables as ``indiflask_app.py`` and
``bench_driver.c``. Usage: ``python indipy_bench.py PORT CONNECTIONS``, with
``--remote UPSTREAM_PORT`` or ``--exdrivers PROGRAM...`` after them, or
``python indipy_bench.py --stdio``.

indipyserver accepts 1-10 for ``maxconnections``; the workloads need more
clients than that, so after building the server with 10 this script adds
further (otherwise identical) connection slots to its pool. The pool is sized
per workload because indipyserver does work per slot for every message.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys

import indipydriver as ipd
import indipyserver
from indipyserver.ipyserver import _ClientConnection

FLOOD_N = int(os.environ.get("BENCH_N", "20000"))
BLOB_COUNT = int(os.environ.get("BENCH_BLOB_COUNT", "8"))
BLOB_SIZE = int(os.environ.get("BENCH_BLOB_SIZE", str(16 * 2**20)))
DEVICE = os.environ.get("BENCH_DEVICE") or "Bench"
PROPS = int(os.environ.get("BENCH_PROPS", "50"))


class BenchDriver(ipd.IPyDriver):
    """Answers the three triggers the same way the other bench drivers do."""

    async def rxevent(self, event):
        """Handle a client's change."""
        if event.devicename != DEVICE:
            return
        device = self[DEVICE]
        if isinstance(event, ipd.newSwitchVector) and event.vectorname == "FLOOD":
            flooded = device["FLOODED"]
            for i in range(FLOOD_N):
                flooded["V"] = i
                await flooded.send_setVector(state="Ok")
            event.vector["GO"] = "Off"
            await event.vector.send_setVector(state="Ok")
        elif isinstance(event, ipd.newSwitchVector) and event.vectorname == "BLOB_GO":
            image = device["IMAGE"]
            if not self.driverdata["payload"]:  # made on first use, as in the other drivers
                self.driverdata["payload"] = random.Random(42).randbytes(BLOB_SIZE)
            for _ in range(BLOB_COUNT):
                image["DATA"] = self.driverdata["payload"]
                await image.send_setVectorMembers(state="Ok", members=["DATA"])
            event.vector["GO"] = "Off"
            await event.vector.send_setVector(state="Ok")
        elif isinstance(event, ipd.newNumberVector) and event.vectorname == "ECHO":
            if "X" in event:
                event.vector["X"] = event["X"]
            await event.vector.send_setVector(state="Ok")


def make_driver() -> BenchDriver:
    """Build the Bench device."""

    def switch(name: str, label: str) -> ipd.SwitchVector:
        return ipd.SwitchVector(
            name=name,
            label=label,
            group="Bench",
            perm="rw",
            rule="AtMostOne",
            state="Idle",
            switchmembers=[ipd.SwitchMember("GO", "GO", "Off")],
        )

    def number(
        name: str, perm: str, members: list[tuple[str, str, str]], group: str = "Bench"
    ) -> ipd.NumberVector:
        return ipd.NumberVector(
            name=name,
            label=name.title(),
            group=group,
            perm=perm,
            state="Idle",
            numbermembers=[ipd.NumberMember(m, m, format=f, membervalue=v) for m, f, v in members],
        )

    props = [
        switch("FLOOD", "Flood"),
        number("FLOODED", "ro", [("V", "%g", "0")]),
        number("ECHO", "rw", [("X", "%g", "0")]),
        switch("BLOB_GO", "Send BLOBs"),
        ipd.BLOBVector(
            name="IMAGE",
            label="Image",
            group="Bench",
            perm="ro",
            state="Idle",
            blobmembers=[ipd.BLOBMember("DATA", "DATA", blobformat=".bin")],
        ),
    ]
    for p in range(PROPS):
        props.append(
            number(
                f"P{p:02d}",
                "ro",
                [(m, "%.3f", str(p * 4 + i)) for i, m in enumerate("ABCD")],
                group="Storm",
            )
        )
    return BenchDriver(ipd.Device(DEVICE, properties=props), payload=b"")


def main() -> None:
    """Serve on 127.0.0.1:PORT with CONNECTIONS client slots.

    With ``--remote UPSTREAM`` (workload W6) the server has no driver of its
    own: it serves the devices of the server on 127.0.0.1:UPSTREAM
    (``IPyServer.add_remote``); with ``--exdrivers PROGRAM...`` (W7) it runs
    those executables (``IPyServer.add_exdriver``). ``--stdio`` alone runs the
    driver on stdin/stdout instead.
    """
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if sys.argv[1:2] == ["--stdio"]:
        asyncio.run(make_driver().asyncrun())
        return
    port, slots = int(sys.argv[1]), int(sys.argv[2])
    if sys.argv[3:4] == ["--remote"]:
        server = indipyserver.IPyServer(host="127.0.0.1", port=port, maxconnections=10)
        server.add_remote("127.0.0.1", int(sys.argv[4]))
    elif sys.argv[3:4] == ["--exdrivers"]:
        server = indipyserver.IPyServer(host="127.0.0.1", port=port, maxconnections=10)
        for program in sys.argv[4:]:
            server.add_exdriver(program)
    else:
        server = indipyserver.IPyServer(
            make_driver(), host="127.0.0.1", port=port, maxconnections=10
        )
    for _ in range(max(0, slots - 10)):
        server.con_id += 1
        server.connectionpool.append(_ClientConnection(server.con_id, server.xml_data_que))
    asyncio.run(server.asyncrun())


if __name__ == "__main__":
    main()
