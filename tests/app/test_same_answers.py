"""One scripted scenario through the test client, ``--stdio`` and TCP: the same answers.

The scenario (tests/app/apps/scenario.py) exercises every kind of answer a
driver gives a write: Ok, a failed check (Alert), ``Reject``, a handler error,
a read-only refusal, a busy refusal, Busy progress, a handler's own final
update and a write to an unknown property. Each write carries a timestamp of
its own; the transcripts are compared after replacing timestamps by the label
of the write they echo ("-" for any other).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from indiflask.protocol import events as ev
from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.values import State
from tests.conftest import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
APP = HERE / "apps" / "scenario.py"


def stamp(n: int) -> str:
    return f"2030-01-01T00:00:{n:02d}.000{n:03d}"


def new(tag: str, name: str, n: int, members: str) -> bytes:
    kind = tag[3:-6]  # newNumberVector -> Number
    return f'<{tag} device="scn" name="{name}" timestamp="{stamp(n)}">{members}</{tag}>'.replace(
        "KIND", kind
    ).encode()


#: (label, xml, [(label of the write whose answer ends the step, final answer needed)])
STEPS: list[tuple[int, bytes, list[tuple[int, bool]]]] = [
    (1, new("newSwitchVector", "LAMP", 1, '<oneSwitch name="ON">On</oneSwitch>'), [(1, True)]),
    (2, new("newNumberVector", "LEVEL", 2, '<oneNumber name="V">20</oneNumber>'), [(2, True)]),
    (3, new("newNumberVector", "LEVEL", 3, '<oneNumber name="V">7</oneNumber>'), [(3, True)]),
    (4, new("newNumberVector", "LEVEL", 4, '<oneNumber name="V">9</oneNumber>'), [(4, True)]),
    (5, new("newTextVector", "STATUS", 5, '<oneText name="WHAT">x</oneText>'), [(5, True)]),
    (6, new("newNumberVector", "LEVEL", 6, '<oneNumber name="NOPE">1</oneNumber>'), [(6, True)]),
    (7, new("newNumberVector", "MOVE", 7, '<oneNumber name="TO">5</oneNumber>'), [(7, False)]),
    (8, new("newNumberVector", "MOVE", 8, '<oneNumber name="TO">6</oneNumber>'), [(8, True)]),
    (9, new("newSwitchVector", "RELEASE", 9, '<oneSwitch name="GO">On</oneSwitch>'),
     [(9, True), (7, True)]),
    (10, new("newNumberVector", "GHOST", 10, '<oneNumber name="X">1</oneNumber>'), [(10, True)]),
    (11, new("newNumberVector", "LEVEL", 11, '<oneNumber name="V">2.5</oneNumber>'), [(11, True)]),
]  # fmt: skip

_LABELS = {stamp(n): n for n, _, _ in STEPS}


def normal(event: ev.Event) -> tuple[object, ...] | None:
    """What must match across runners (DRIVER_INFO names the launcher: left out)."""
    if getattr(event, "name", None) == "DRIVER_INFO":
        return None
    label = _LABELS.get(getattr(event, "timestamp", None) or "", "-")
    if isinstance(event, ev.DefVector):
        return (event.tag, event.name, event.state, event.message, event.members, label)
    if isinstance(event, ev.SetVector):
        values = tuple(sorted((k, str(v)) for k, v in event.values.items()))
        return (event.tag, event.name, event.state, event.message, values, label)
    if isinstance(event, ev.Message):
        return ("message", event.device, event.message, label)
    return (event.tag,)


class Answers:
    """Tracks which writes have been answered, from the events received so far."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []
        self.answered: dict[int, bool] = {}  # label -> final answer seen

    def see(self, event: ev.Event) -> None:
        self.events.append(event)
        label = _LABELS.get(getattr(event, "timestamp", None) or "")
        if label is None:
            return
        final = not (isinstance(event, ev.SetVector) and event.state is State.BUSY)
        self.answered[label] = self.answered.get(label, False) or final

    def done(self, needs: list[tuple[int, bool]]) -> bool:
        return all(n in self.answered and (self.answered[n] or not final) for n, final in needs)

    def definitions(self) -> int:
        return sum(isinstance(e, ev.DefVector) for e in self.events)


def transcript(events: list[ev.Event]) -> list[tuple[object, ...]]:
    return [n for n in map(normal, events) if n is not None]


# ----------------------------------------------------------------- the three runners
def run_in_test_client() -> list[tuple[object, ...]]:
    sys.path.insert(0, str(APP.parent))
    try:
        import scenario  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(APP.parent))
    answers = Answers()
    with scenario.app.test_client() as client:
        for event in client.received:
            answers.see(event)
        for _, xml, needs in STEPS:
            before = len(client.received)
            client.send_xml(xml)
            for event in client.received[before:]:
                answers.see(event)
            assert answers.done(needs), xml
    return transcript(answers.events)


async def _drive(
    write: Callable[[bytes], None], read: Callable[[], asyncio.Future[bytes]]
) -> list[ev.Event]:
    conn = Connection(Role.CLIENT)
    answers = Answers()

    async def until(test: Callable[[], bool]) -> None:
        while not test():
            data = await asyncio.wait_for(read(), 10)
            assert data, "the driver closed its output"
            conn.receive_data(data)
            for event in conn.events():
                answers.see(event)

    write(b'<getProperties version="1.7"/>\n')
    await until(lambda: answers.definitions() >= 6)
    for _, xml, needs in STEPS:
        write(xml + b"\n")
        await until(lambda needs=needs: answers.done(needs))  # type: ignore[misc]
    return answers.events


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INDIFLASK_")}
    env["PYTHONPATH"] = str(ROOT)
    return env


async def run_stdio() -> list[tuple[object, ...]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "indiflask", "run", str(APP), "--stdio",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, env=_env(), cwd=ROOT,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    out = proc.stdout
    try:
        events = await _drive(proc.stdin.write, lambda: asyncio.ensure_future(out.read(65536)))
    finally:
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 10)
    return transcript(events)


async def run_tcp() -> list[tuple[object, ...]]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "indiflask", "run", str(APP), "--port", str(port),
        stderr=asyncio.subprocess.DEVNULL, env=_env(), cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            pytest.fail("indiflask run did not start listening")
        events = await _drive(writer.write, lambda: asyncio.ensure_future(reader.read(65536)))
        writer.close()
    finally:
        proc.terminate()
        await asyncio.wait_for(proc.wait(), 10)
    return transcript(events)


def test_test_client_stdio_and_tcp_give_the_same_answers() -> None:
    expected = run_in_test_client()
    # the scenario's answers, as the test client saw them, are what the issue asks for:
    labels = [entry[-1] for entry in expected if entry[0] != "defTextVector"]
    assert 8 in labels and 10 in labels and 5 in labels  # refusals answered with the stamp
    assert asyncio.run(run_stdio()) == expected
    assert asyncio.run(run_tcp()) == expected
