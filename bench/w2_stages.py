"""W2 per stage: where a round trip's time goes, in an in-process indiflask server.

::

    python bench/w2_stages.py [ROUND_TRIPS]

Serves ``bench/drivers/indiflask_app.py`` in this process and runs W2's client
(``newNumberVector ECHO`` -> ``setNumberVector ECHO``, one at a time, 0.2 ms
apart) in another. Both take ``time.perf_counter`` stamps, which on Linux is
the system-wide monotonic clock; the server's stamps come from wrapping five
internal functions (a little slower than the real thing). Prints the median
of each stage: client write -> ``data_received`` -> event parsed (the router
gets it) -> the app's handler starts -> the answer is queued for the client
-> the client has read it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness.impls import free_port  # noqa: E402
from indiflask.runtime import engine  # noqa: E402
from indiflask.server import client_link, server, writer  # noqa: E402

CLIENT = """
import json, sys, time
sys.path.insert(0, {root!r})
from bench.harness.loadgen import *
s = connect({port}, 10)
sets = Counter(END_SET_NUMBER)
wait_definitions(s, [Counter(END_DEF_NUMBER), sets], time.monotonic() + 10)
out = []
for i in range({count} + 50):
    want = sets.count + 1
    t0 = time.perf_counter()
    s.sendall(echo(i))
    while sets.count < want:
        sets.feed(s.recv(1 << 16))
    out.append((t0, time.perf_counter()))
    time.sleep(0.0002)
print(json.dumps(out[50:]))
"""


def _stamp(cls: type, name: str, stamps: list[float], when=lambda *a: True) -> None:
    """Wrap ``cls.name`` so that each call it accepts appends the time to ``stamps``."""
    real = getattr(cls, name)

    def wrapper(*args, **kwargs):
        if when(*args):
            stamps.append(time.perf_counter())
        return real(*args, **kwargs)

    setattr(cls, name, wrapper)


def main() -> None:
    """Measure and print the stages."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    spec = importlib.util.spec_from_file_location(
        "bench_app", ROOT / "bench/drivers/indiflask_app.py"
    )
    assert spec is not None and spec.loader is not None
    app_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app_module)
    received: list[float] = []
    parsed: list[float] = []
    handled: list[float] = []
    queued: list[float] = []
    _stamp(client_link.ClientLink, "data_received", received)
    _stamp(
        server.Server,
        "on_event",
        parsed,
        lambda self, link, event: type(event).__name__ == "NewNumberVector",
    )
    _stamp(engine.AppDriver, "_run_handler", handled)
    echo_head = b'<setNumberVector device="Bench" name="ECHO"'
    _stamp(writer.BatchWriter, "send", queued, lambda self, data, *a: data.startswith(echo_head))
    port = free_port()

    async def run() -> list[tuple[float, float]]:
        srv = server.Server(app_module.app, port=port)
        task = asyncio.create_task(srv.serve())
        await srv.started()
        code = CLIENT.format(root=str(ROOT), port=port, count=count)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate()
        srv.shutdown()
        await task
        return [tuple(pair) for pair in json.loads(out)]

    trips = asyncio.run(run())
    n = len(trips)
    sent = [t[0] for t in trips]
    read = [t[1] for t in trips]
    points = [sent, received[-n:], parsed[-n:], handled[-n:], queued[-n:], read]
    names = [
        "client write -> data_received",
        "data_received -> parsed (router)",
        "parsed -> handler starts",
        "handler starts -> answer queued",
        "answer queued -> client read",
    ]
    median = statistics.median
    print(f"round trip p50 {median(b - a for a, b in trips) * 1e6:.1f} us ({n} round trips)")
    for name, start, end in zip(names, points, points[1:], strict=False):
        print(
            f"  {name:34s} {median(y - x for x, y in zip(start, end, strict=True)) * 1e6:6.1f} us"
        )


if __name__ == "__main__":
    main()
