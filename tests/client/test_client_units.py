"""Spec parsing, change building, the getprop printer and reconnection, without a real server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from indiflask.client import Client
from indiflask.client.tools import getprop_lines, parse_assignment, parse_query
from indiflask.client.updates import Update
from indiflask.client.wire import Wire, build_change
from indiflask.core.mirror import Mirror
from indiflask.errors import InvalidValue
from indiflask.protocol import events as ev

DEF = (
    b'<defNumberVector device="Mount" name="EQ" state="Ok" perm="rw" timeout="60">'
    b'<defNumber name="RA" format="%010.6m" min="0" max="24" step="0">\n5.5034076071965198906\n'
    b'</defNumber><defNumber name="DEC" format="%g" min="-90" max="90" step="0">12:30'
    b"</defNumber></defNumberVector>\n"
)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("a.b.c=1", ("a", "b", {"c": "1"})),
        ("Tel Sim.EQ.RA;DEC=5.5;20", ("Tel Sim", "EQ", {"RA": "5.5", "DEC": "20"})),
        ("d.p.RA=5;DEC=-20:30", ("d", "p", {"RA": "5", "DEC": "-20:30"})),
        ("d.p.T=a=b", ("d", "p", {"T": "a=b"})),
    ],
)
def test_parse_assignment(spec: str, expected: object) -> None:
    assert parse_assignment(spec) == expected


@pytest.mark.parametrize("spec", ["a.b", "a.b.c", "a.b.c;d=1", ".b.c=1", "a.b.x=1;y"])
def test_parse_assignment_errors(spec: str) -> None:
    with pytest.raises(InvalidValue):
        parse_assignment(spec)


def test_parse_query() -> None:
    assert str(parse_query("led")) == "led.*.*"
    assert not parse_query("a.b.c").wildcard
    assert parse_query("CCD*.b.c").wildcard


def _received() -> tuple[Mirror, Update]:
    [item] = Wire().receive(DEF)
    mirror = Mirror()
    prop = mirror.apply(item.event, item.wire)
    return mirror, Update.from_event(item.event, prop, (), item.wire)


def test_wire_texts_kept_and_printed_verbatim() -> None:
    mirror, update = _received()
    prop = mirror["Mount"]["EQ"]
    assert prop["DEC"] == 12.5
    assert prop.wire_text("RA") == "5.5034076071965198906"
    assert prop.formatted("RA") == "   5:30:12"
    lines, matched, _ = getprop_lines(update, [parse_query("Mount.EQ.*")])
    assert matched
    assert lines == ["Mount.EQ.RA=5.5034076071965198906", "Mount.EQ.DEC=12:30"]
    lines, _, _ = getprop_lines(update, [parse_query("Mount.EQ._TO")], just_value=True)
    assert lines == ["60"]


def test_build_change_checks() -> None:
    mirror, _ = _received()
    prop = mirror["Mount"]["EQ"]
    change = build_change(prop, {"RA": "12:30:00"})
    assert isinstance(change, ev.NewNumberVector)
    assert dict(change.values) == {"RA": 12.5}
    for bad, why in [
        ({"RA": 25}, "outside"),
        ({"RA": "x"}, "RA"),
        ({"RA": True}, "not a number"),
        ({}, "at least one"),
        ({"ALT": 1}, "no member"),
    ]:
        with pytest.raises(InvalidValue, match=why):
            build_change(prop, bad)


def test_reconnects_after_loss() -> None:
    """A server that drops the link: the client comes back and is redefined in place."""

    async def main() -> None:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            try:
                request = await reader.readuntil(b"/>")
                assert b'version="1.7"' in request
                state = b'state="Busy"' if connections > 1 else b'state="Ok"'
                writer.write(DEF.replace(b'state="Ok"', state))
                await writer.drain()
                if connections > 1:
                    await reader.read()
            finally:
                writer.close()
                await writer.wait_closed()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            client = Client("127.0.0.1", port, max_backoff=0.2)
            sub = client.updates()
            async with client:
                prop = await client.wait_for("Mount", "EQ", timeout=30)
                kinds = []
                while "connected" not in kinds[1:]:
                    kinds.append((await sub.get(timeout=30)).kind)
                assert kinds[:3] == ["connected", "def", "disconnected"]
                await client.wait_for_state("Mount", "EQ", "Busy", timeout=30)
                assert client.get_property("Mount", "EQ") is prop
            assert not client.connected

    asyncio.run(main())


def test_received_blobs_never_overwrite_each_other(tmp_path: Path) -> None:
    from indiflask.client.updates import free_blob_path
    from indiflask.protocol.blobs import BlobValue

    value = BlobValue.from_bytes(b"SIMPLE", ".fits")
    names = []
    for _ in range(3):
        path = free_blob_path(tmp_path, "CCD", "CCD1", "CCD1", value)
        path.write_bytes(b"x")
        names.append(path.name)
    assert names == ["CCD.CCD1.CCD1.fits", "CCD.CCD1.CCD1-0002.fits", "CCD.CCD1.CCD1-0003.fits"]
