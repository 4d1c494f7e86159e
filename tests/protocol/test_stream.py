"""The stream rules, through Connection: chunking, tolerated junk, errors, entity
safety, byte caps, BLOB size, memory. Everything is read by an unchecked
connection (the server's mode) unless a test says otherwise: the rules are the
same in both modes, because both read through the same stream reader.
"""

from __future__ import annotations

import gc
import random
import resource
import tracemalloc
from collections.abc import Callable

import pytest
from protocol_samples import LAUGHS, XXE, XXE_EXTERNAL_DTD, XXE_PARAM, transcript

from indiflask.errors import RemoteProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.connection import Connection, Phase, Role
from indiflask.protocol.nodes import TEXT, Node, node_xml
from indiflask.protocol.stream import DEFAULT_MAX_ELEMENT_BYTES


def reader(**kwargs: int) -> Connection:
    return Connection(Role.CLIENT, checked=False, **kwargs)


def feed(conn: Connection, data: bytes) -> list[ev.Event]:
    """One chunk in (never EOF), the events it completed out."""
    assert data
    conn.receive_data(data)
    return conn.events()


def close(conn: Connection) -> list[ev.Event]:
    conn.receive_data(b"")
    return conn.events()


def frame(chunks: list[bytes], **kwargs: int) -> list[bytes]:
    """Feed ``chunks`` then EOF; return each element's XML, as the reader saw it."""
    out: list[bytes] = []
    conn = Connection(
        Role.CLIENT,
        checked=False,
        on_element=lambda node, event: out.append(node_xml(node)),
        **kwargs,
    )
    for chunk in chunks:
        feed(conn, chunk)
    close(conn)
    return out


def split(data: bytes, rng: random.Random, most: int) -> list[bytes]:
    chunks = []
    pos = 0
    while pos < len(data):
        step = rng.randint(1, most)
        chunks.append(data[pos : pos + step])
        pos += step
    return chunks


# ---------------------------------------------------------------- chunking


def test_transcript_is_framed_identically_at_any_chunking() -> None:
    data = transcript()
    whole = frame([data])
    assert len(whole) > 150
    rng = random.Random(7624)
    for most in (2, 7, 100, 5000):
        assert frame(split(data, rng, most)) == whole
    assert frame([data[i : i + 1] for i in range(len(data))]) == whole


def test_elements_come_out_as_soon_as_they_close() -> None:
    conn = reader()
    assert feed(conn, b'<pingRequest uid="1"/><getProp') == [ev.PingRequest(uid="1")]
    assert conn.partial() is None  # the start tag is not complete yet
    assert feed(conn, b'erties version="1.7">') == []
    partial = conn.partial()
    assert partial is not None
    assert partial.tag == "getProperties" and partial.attrib["version"] == "1.7"
    assert feed(conn, b"</getProperties>") == [ev.GetProperties(version="1.7")]
    assert conn.partial() is None
    assert close(conn) == []
    assert conn.peer_phase is Phase.CLOSED


def test_progress_of_a_large_element() -> None:
    conn = reader()
    head = b'<setBLOBVector device="C" name="B"><oneBLOB name="I" size="9" format=".x">'
    feed(conn, head + b"A" * 1000)
    partial = conn.partial()
    assert partial is not None
    assert partial.tag == "setBLOBVector" and partial.attrib["name"] == "B"
    assert partial.member is not None and partial.member["name"] == "I"
    assert partial.received == len(head) + 1000


TOLERATED = [
    b'<?xml version="1.0" encoding="UTF-8"?>\n<a/>\n<b/>',
    b'  \n\t<?xml version="1.0"?><a/><?xml version="1.0"?>\n<b/>',
    b"<!-- hello --><a/><!-- between -->\n<?pi data?><b/>",
    b"<a><!-- inside --></a>junk text<b/>trailing",
    b"\xef\xbb\xbf<a/><b/>",
]


@pytest.mark.parametrize("data", TOLERATED)
def test_tolerated_junk_between_elements(data: bytes) -> None:
    expected = [b"<a/>", b"<b/>"]
    assert frame([data]) == expected
    assert frame([data[i : i + 1] for i in range(len(data))]) == expected


# ---------------------------------------------------------------- errors

MALFORMED = [
    (b"<a></b>", "mismatch"),
    (b"<a x=1/>", "AttValue"),
    (b'<a x="1" x="2"/>', "redefined"),
    (b"<a>\x00</a>", "0x0"),
    (b"<a>\xb0</a>", "encoding"),
    (b"<a>&nbsp;</a>", "nbsp"),
    (b"<a>&#0;</a>", "CharRef"),
    (b'<a/><?xml version="1.0"?>', None),
    (b'<a><?xml version="1.0"?></a>', "XML declaration"),
    (b"</indiflask-stream><a/>", "Extra content"),
    (b"<1a/>", "name"),
]


@pytest.mark.parametrize("checked", [False, True], ids=["unchecked", "checked"])
@pytest.mark.parametrize(("data", "words"), MALFORMED)
def test_malformed_input_raises_and_sticks(data: bytes, words: str | None, checked: bool) -> None:
    if words is None:  # an XML declaration between elements is fine
        assert len(frame([data])) == 1
        return
    conn = Connection(Role.CLIENT, checked=checked)
    with pytest.raises(RemoteProtocolError) as info:
        feed(conn, data)
        close(conn)
    assert words.lower() in str(info.value).lower()
    assert conn.error is info.value
    assert conn.peer_phase is Phase.ERROR
    with pytest.raises(RemoteProtocolError):
        conn.events()
    # The one-call form says the same, and keeps saying it.
    server_side = reader()
    error = server_side.deliver(data, 1, lambda key, event: None) or server_side.deliver(
        b"", 1, lambda key, event: None
    )
    assert error is not None and words.lower() in str(error).lower()
    assert server_side.deliver(b"<ok/>", 1, lambda key, event: None) is error


def test_error_names_the_open_element() -> None:
    with pytest.raises(RemoteProtocolError, match=r"in <setNumberVector>.*mismatch"):
        feed(reader(), b'<setNumberVector device="D"><oneNumber name="X">1</oneText>')


def test_complete_elements_before_an_error_are_returned_first() -> None:
    conn = reader()
    events = feed(conn, b"<a/><b/><c></d>")
    assert [e.element_tag for e in events] == ["a", "b"]  # type: ignore[attr-defined]
    assert conn.error is not None
    with pytest.raises(RemoteProtocolError):
        feed(conn, b"<e/>")


def test_complete_elements_before_an_error_are_delivered_first() -> None:
    conn = reader()
    got: list[tuple[int, ev.Event]] = []
    error = conn.deliver(b'<pingRequest uid="1"/><c></d>', 7, lambda k, e: got.append((k, e)))
    assert got == [(7, ev.PingRequest(uid="1"))]
    assert error is not None and error is conn.error
    assert conn.deliver(b"<e/>", 7, lambda k, e: got.append((k, e))) is error
    assert len(got) == 1


@pytest.mark.parametrize(
    "data", [b"<a><b>", b"<a", b"<?xml version", b"<a x='1'", b"<!-- open comment"]
)
def test_eof_inside_something_is_an_error(data: bytes) -> None:
    conn = reader()
    feed(conn, data)
    with pytest.raises(RemoteProtocolError, match="ended"):
        close(conn)
    server_side = reader()
    assert server_side.deliver(data, 1, lambda key, event: None) is None
    error = server_side.deliver(b"", 1, lambda key, event: None)
    assert error is not None and "ended" in str(error)


def test_eof_ends_the_stream() -> None:
    conn = reader()
    assert conn.deliver(b"<a/>", 1, lambda key, event: None) is None
    assert conn.deliver(b"", 1, lambda key, event: None) is None
    assert conn.peer_phase is Phase.CLOSED
    error = conn.deliver(b"<b/>", 1, lambda key, event: None)
    assert error is not None and "after the end" in str(error)


# ---------------------------------------------------------------- entities and DTDs


def _collect_into(nodes: list[Node]) -> Callable[[Node, ev.Event], None]:
    return lambda node, event: nodes.append(node)


@pytest.mark.parametrize("data", [XXE, XXE_PARAM, XXE_EXTERNAL_DTD, LAUGHS])
def test_dtds_and_entities_are_refused_and_leak_nothing(data: bytes) -> None:
    passwd = b"root:x:0:0"
    tracemalloc.start()
    try:
        for chunks in ([data], [data[i : i + 1] for i in range(len(data))]):
            nodes: list[Node] = []
            conn = Connection(Role.CLIENT, checked=False, on_element=_collect_into(nodes))
            got: list[ev.Event] = []
            with pytest.raises(RemoteProtocolError) as info:
                for chunk in chunks:
                    got += feed(conn, chunk)
                close(conn)
            assert passwd.decode() not in str(info.value)
            assert all(passwd not in node_xml(node) for node in nodes)
            assert all(passwd.decode() not in repr(event) for event in got)
            assert all(node[0] != "lolz" for node in nodes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20


def test_an_undefined_entity_mid_stream_is_an_error() -> None:
    texts: list[str] = []
    conn = Connection(
        Role.CLIENT, checked=False, on_element=lambda node, event: texts.append(node[TEXT])
    )
    feed(conn, b"<a>&lt;&amp;&#65;</a>")
    assert texts == ["<&A"]
    with pytest.raises(RemoteProtocolError, match="Entity 'xxe' not defined"):
        feed(conn, b"<b>&xxe;</b>")


# ---------------------------------------------------------------- byte cap


def test_byte_cap_refuses_an_oversized_element() -> None:
    conn = reader(max_element_bytes=10_000)
    feed(conn, b'<setBLOBVector device="C" name="B"><oneBLOB name="I" size="9" format=".x">')
    with pytest.raises(RemoteProtocolError, match=r"<setBLOBVector> element exceeds max_element"):
        for _ in range(100):
            feed(conn, b"A" * 1000)
    with pytest.raises(RemoteProtocolError):
        feed(conn, b"<a/>")


def test_byte_cap_in_one_big_chunk() -> None:
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        feed(reader(max_element_bytes=10_000), b"<a>" + b"x" * 50_000 + b"</a>")


def test_byte_cap_counts_per_element_not_per_stream() -> None:
    element = b'<message device="D" message="' + b"m" * 500 + b'"/>\n'
    data = element * 2000  # 1 MB in total, each element 500 bytes
    assert len(frame([data], max_element_bytes=4096)) == 2000
    rng = random.Random(1)
    assert len(frame(split(data, rng, 3000), max_element_bytes=4096)) == 2000


def test_byte_cap_counts_junk_between_elements() -> None:
    conn = reader(max_element_bytes=10_000)
    with pytest.raises(RemoteProtocolError, match="data between elements"):
        for _ in range(100):
            feed(conn, b" " * 1000)


def test_default_cap_fits_64_mib_plus_margin() -> None:
    assert reader().max_element_bytes == DEFAULT_MAX_ELEMENT_BYTES > 64 * 2**20
    assert Connection(Role.DEVICE).max_element_bytes == DEFAULT_MAX_ELEMENT_BYTES


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        reader(max_element_bytes=0)


# ---------------------------------------------------------------- big BLOBs and memory


def test_64_mib_blob_element_parses() -> None:
    payload_b64 = b"QUJD" * (2**26 // 3) + b"QQ=="  # 64 MiB of data as base64: ~85 MiB of text
    head = b'<setBLOBVector device="Cam" name="CCD1"><oneBLOB name="I" size="%d" format=".fits">'
    data = head % 2**26 + payload_b64 + b"</oneBLOB></setBLOBVector>"
    assert len(data) > 85 * 2**20
    conn = reader(max_element_bytes=len(data) + 2**20)
    events = []
    step = 2**20
    for pos in range(0, len(data), step):
        events += feed(conn, data[pos : pos + step])
    [event] = events
    assert isinstance(event, ev.SetBLOBVector)
    value = event.values["I"]
    assert value.b64_length == len(payload_b64)
    assert value.b64[:8] == b"QUJDQUJD"
    assert value.size == 64 * 2**20
    assert len(value.data) == 64 * 2**20
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        small = reader()
        for pos in range(0, len(data), step):
            feed(small, data[pos : pos + step])


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() // 1024


def test_memory_stays_flat_over_a_long_stream() -> None:
    element = (
        b'<setNumberVector device="Telescope" name="EQ" state="Ok" timestamp="2026-11-24T19:04:42">'
        b'<oneNumber name="RA">19.272983902611173</oneNumber><oneNumber name="DEC">90</oneNumber>'
        b"</setNumberVector>\n"
    )
    chunk = element * 500
    conn = reader()
    count = 0

    def count_it(key: int, event: ev.Event) -> None:
        nonlocal count
        count += key

    gc.collect()
    rss_start = 0
    tracemalloc.start()
    try:
        for i in range(400):  # 200,000 elements
            assert conn.deliver(chunk, 1, count_it) is None
            if i == 40:
                gc.collect()
                rss_start = _rss_kib()
                tracemalloc.reset_peak()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    gc.collect()
    assert count == 200_000
    assert conn.deliver(b"", 1, count_it) is None
    assert peak < 4 * 2**20
    assert _rss_kib() - rss_start < 16 * 1024
