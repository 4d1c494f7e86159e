#!/usr/bin/env python3
"""A small stdio INDI driver for server tests (stdlib only).

Device ``ECHO_DEVICE`` (default "StdioEcho") with a rw number vector VALUES (X)
and a ro BLOB vector IMAGE. Options by environment:

* ``ECHO_TICK``: seconds between automatic X updates (0: none);
* ``ECHO_BLOB``: bytes of a BLOB sent with each tick (0: none), format
  ``ECHO_FORMAT`` (default ".bin"); after each BLOB the driver sends
  ``pingRequest`` and waits for ``pingReply`` before the next, like libindi;
* ``ECHO_SNOOP``: a device to snoop; snooped updates are counted in X;
* ``ECHO_RAW``: bytes written as they are after the first definitions (to send
  malformed output on purpose);
* ``ECHO_BURST``: a ``newSwitchVector`` named BURST makes it send this many
  BLOBs of ``ECHO_BLOB`` bytes in a row, without pingRequest (BLOB number N is
  N repeated), like a plain driver writing as fast as its pipe takes it.

Every ``new*`` it receives is reported back in a ``message`` of the device:
``received newNumberVector VALUES: X='abc'``, the member texts as they arrived.
A number it cannot read turns VALUES Alert.
"""

from __future__ import annotations

import base64
import os
import select
import sys
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

DEV = os.environ.get("ECHO_DEVICE", "StdioEcho")
TICK = float(os.environ.get("ECHO_TICK", "0"))
BLOB = int(os.environ.get("ECHO_BLOB", "0"))
FMT = os.environ.get("ECHO_FORMAT", ".bin")
SNOOP = os.environ.get("ECHO_SNOOP")
RAW = os.environ.get("ECHO_RAW", "")
BURST = int(os.environ.get("ECHO_BURST", "0"))
state = {"x": 0.0, "seq": 0, "await": None, "snooped": 0}


def write_all(data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def out(text: str) -> None:
    write_all(text.encode() + b"\n")


def define() -> None:
    out(
        f'<defNumberVector device="{DEV}" name="VALUES" state="Idle" perm="rw" timeout="0">'
        f'<defNumber name="X" format="%g" min="0" max="0" step="0">{state["x"]}</defNumber>'
        "</defNumberVector>"
    )
    out(
        f'<defBLOBVector device="{DEV}" name="IMAGE" state="Idle" perm="ro">'
        '<defBLOB name="DATA"/></defBLOBVector>'
    )


def update() -> None:
    out(
        f'<setNumberVector device="{DEV}" name="VALUES" state="Ok">'
        f'<oneNumber name="X">{state["x"]}</oneNumber></setNumberVector>'
    )


def blob(ping: bool = True) -> None:
    state["seq"] += 1
    data = base64.b64encode(bytes([state["seq"] % 256]) * BLOB)
    write_all(
        f'<setBLOBVector device="{DEV}" name="IMAGE" state="Ok">'
        f'<oneBLOB name="DATA" size="{BLOB}" format="{FMT}">'.encode()
        + data
        + b"</oneBLOB></setBLOBVector>\n"
    )
    if not ping:
        return
    uid = f"SetBLOB/{state['seq']}"
    state["await"] = uid
    out(f'<pingRequest uid="{uid}"/>')


def handle(el: ET.Element) -> None:
    a = el.attrib
    if el.tag == "getProperties":
        if a.get("version") != "1.7":
            sys.stderr.write("getProperties without version 1.7\n")
            sys.exit(1)
        if a.get("device", DEV) == DEV:
            define()
            if RAW and not state.get("raw"):
                state["raw"] = True
                write_all(RAW.encode())
        if SNOOP and not state.get("asked"):
            state["asked"] = True
            out(f'<getProperties version="1.7" device="{SNOOP}"/>')
    elif el.tag.startswith("new") and a.get("device") == DEV:
        got = " ".join(f"{one.get('name')}={one.text or ''!r}" for one in el)
        said = f"received {el.tag} {a.get('name')}: {got}"
        out(f"<message device={quoteattr(DEV)} message={quoteattr(said)}/>")
        if el.tag == "newSwitchVector" and a.get("name") == "BURST":
            for _ in range(BURST):
                blob(ping=False)
        if el.tag != "newNumberVector":
            return
        try:
            for one in el:
                state["x"] = float((one.text or "0").strip())
        except ValueError:
            out(
                f'<setNumberVector device="{DEV}" name="VALUES" state="Alert">'
                f'<oneNumber name="X">{state["x"]}</oneNumber></setNumberVector>'
            )
            return
        update()
    elif el.tag == "pingReply" and a.get("uid") == state["await"]:
        state["await"] = None
    elif SNOOP and a.get("device") == SNOOP and el.tag.startswith(("def", "set")):
        state["snooped"] += 1
        state["x"] = float(state["snooped"])
        update()


def main() -> None:
    sys.stderr.write(f"{DEV} driver starting\n")
    sys.stderr.flush()
    parser = ET.XMLPullParser(events=("start", "end"))
    parser.feed("<stream>")
    depth, root = 0, None
    next_tick = time.monotonic() + TICK if TICK else None
    while True:
        wait = None if next_tick is None else max(0.0, next_tick - time.monotonic())
        ready, _, _ = select.select([0], [], [], wait)
        if ready:
            data = os.read(0, 1 << 16)
            if not data:
                return
            parser.feed(data)
            for ev, el in parser.read_events():
                if ev == "start" and depth == 0:
                    root = el
                depth += 1 if ev == "start" else -1
                if ev == "end" and depth == 1:
                    handle(el)
                    assert root is not None
                    root.remove(el)
        if next_tick is not None and time.monotonic() >= next_tick:
            next_tick += TICK
            state["x"] += 1
            update()
            if BLOB and state["await"] is None:
                blob()


if __name__ == "__main__":
    main()
