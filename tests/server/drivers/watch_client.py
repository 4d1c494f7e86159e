#!/usr/bin/env python3
"""A client that prints each INDI element it receives as one JSON line, with a timestamp.

``watch_client.py HOST PORT``: sends ``getProperties``, then prints
``{"t": <time.monotonic()>, "tag": "defNumberVector", "device": ..., "name": ...,
"x": ...}`` for every element (``x``: the value of member X, when there is one).
Used by the network test, where it runs inside a network namespace; the clock
is the machine's monotonic clock, shared with the test. Exits at end of input.
"""

from __future__ import annotations

import json
import socket
import sys
import time

from indiflask.protocol.connection import Connection, Role


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    deadline = time.monotonic() + 60
    while True:
        try:
            sock = socket.create_connection((host, port), timeout=30)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    sock.settimeout(None)
    sock.sendall(b'<getProperties version="1.7"/>')
    reader = Connection(Role.CLIENT, checked=False, max_element_bytes=2**26)
    while data := sock.recv(65536):
        now = time.monotonic()
        reader.receive_data(data)
        for event in reader.events():
            name = type(event).__name__
            values = getattr(event, "values", None)
            line = {
                "t": now,
                "tag": name[:1].lower() + name[1:],
                "device": getattr(event, "device", None),
                "name": getattr(event, "name", None),
            }
            if isinstance(values, dict) and "X" in values:
                line["x"] = values["X"]
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
