"""A short, bounded fuzz of the one bytes-to-events path with mutated real transcripts.

Only :class:`RemoteProtocolError` may come out of a connection, checked or not,
and every element must become an event without raising; both modes must agree
on where the stream breaks. The run is deterministic (fixed seeds) and bounded
to a few seconds.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from indiflask.errors import LocalProtocolError, RemoteProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.codec import encode
from indiflask.protocol.connection import Connection, Role

TRANSCRIPT = (Path(__file__).parent / "transcripts" / "indiserver-simulators.xml").read_bytes()
EXTRA = (
    b"<?xml version='1.0'?><getProperties version='1.7'/>\n"
    b"<pingRequest uid='SetBLOB/1'/><pingReply uid='SetBLOB/1'/>\n"
    b"<setBLOBVector device='CCD' name='CCD1' state='Ok'><oneBLOB name='CCD1' size='5' "
    b"format='.fits' len='5' enclen='8'>aGVs\nbG8=</oneBLOB></setBLOBVector>\n"
    b"<enableBLOB device='CCD'>Also</enableBLOB><!-- comment -->\n"
    b"<message device='CCD' message='&lt;&amp;&#65;'/><delProperty device='CCD'/>\n"
)
TOKENS = [
    b"<",
    b">",
    b"/>",
    b"</",
    b"&",
    b";",
    b"&amp;",
    b"&#0;",
    b"&#x41;",
    b"&lol;",
    b"'",
    b'"',
    b"=",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"<!DOCTYPE x [<!ENTITY e 'x'>]>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0'?>",
    b"<?",
    b"?>",
    b" ",
    b"\n",
    b"\r",
    b"\t",
    b"<oneNumber name='X'>nan</oneNumber>",
    b"<setNumberVector device='D' name='N'>",
    b"</setNumberVector>",
    b"size='-1'",
    b"state='Bogus'",
    b"<x:y xmlns:x='u'/>",
]
BUDGET_SECONDS = 3.0


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not buf:
            buf += rng.choice(TOKENS)
            continue
        pos = rng.randrange(len(buf))
        op = rng.randrange(6)
        if op == 0:
            buf[pos] = rng.randrange(256)
        elif op == 1:
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2:
            del buf[pos : pos + rng.randint(1, 40)]
        elif op == 3:
            end = min(len(buf), pos + rng.randint(1, 300))
            buf[pos:pos] = buf[pos:end]
        elif op == 4:
            del buf[pos:]
        else:
            other = rng.randrange(len(buf))
            buf[pos], buf[other] = buf[other], buf[pos]
    return bytes(buf)


def run_one(data: bytes, rng: random.Random) -> None:
    cap = rng.choice([200, 4096, 1 << 20])
    fast = Connection(rng.choice(list(Role)), checked=False, max_element_bytes=cap)
    conn = Connection(rng.choice(list(Role)), max_element_bytes=cap)
    counts = [0, 0]

    def take(which: int, event: ev.Event) -> None:
        assert isinstance(event, ev.Event)
        counts[which] += 1
        if not isinstance(event, ev.Invalid):
            try:
                encode(event)  # whatever we accepted, we can write back...
            except LocalProtocolError as exc:
                # ...except BLOB text that held an escaped '<' or '&' (never base64):
                # it is refused, not written (the server logs and drops it).
                assert "base64 text" in str(exc)

    pos = 0
    fast_error = None
    try:
        while pos < len(data):
            step = rng.choice([1, 3, 17, 512, 8192, len(data)])
            chunk = data[pos : pos + step]
            pos += step
            fast_error = fast_error or fast.deliver(chunk, 0, take)
            conn.receive_data(chunk)
            for event in conn.events():
                take(1, event)
        fast_error = fast_error or fast.deliver(b"", 0, take)
        conn.receive_data(b"")
        for event in conn.events():
            take(1, event)
        conn.events()  # raises if the last call returned events before an error
    except RemoteProtocolError as exc:
        assert fast_error is not None and str(fast_error) == str(exc)
    else:
        assert fast_error is None
    assert counts[0] == counts[1]


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_transcripts_only_raise_remote_protocol_error(seed: int) -> None:
    rng = random.Random(seed)
    pieces = [TRANSCRIPT[i : i + 2000] for i in range(0, len(TRANSCRIPT), 2000)] + [EXTRA]
    deadline = time.perf_counter() + BUDGET_SECONDS / 2
    runs = 0
    while time.perf_counter() < deadline:
        base = b"".join(rng.sample(pieces, k=rng.randint(1, 3)))
        run_one(mutate(base, rng), rng)
        runs += 1
    assert runs > 20
