"""The event reader: same events as Framer + parse_element, same stream guarantees."""

from __future__ import annotations

import random

import pytest
from protocol_samples import transcript
from test_framer import LAUGHS, XXE, XXE_EXTERNAL_DTD, XXE_PARAM

from indiflask.errors import RemoteProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.codec import parse_element
from indiflask.protocol.framer import Framer
from indiflask.protocol.reader import EventReader, NodeReader

ODD = (
    b'<?xml version="1.0"?>\n<!-- hi --><x:a xmlns:x="urn:x" x:k="1"><x:b>t<?p?>u</x:b>tail'
    b'<c xmlns="urn:d"><d><e>deep</e></d></c></x:a>\n'
    b'<setNumberVector device="D" name="N">\n  <oneNumber name="A">\n abc \n  </oneNumber>'
    b"<!-- c -->\n</setNumberVector>"
    b'<newTextVector device="D" name="T"><oneText name="A">a<b>b</b>c</oneText></newTextVector>'
    b'<enableBLOB device="D">Also</enableBLOB><oneNumber name="X">1</oneNumber>'
    b'<getProperties version="1.7"/>'
)


def _framer_events(data: bytes) -> list[ev.Event]:
    framer = Framer()
    elements = framer.feed(data) + framer.close()
    return [parse_element(element) for element in elements]


def _reader_events(data: bytes, cuts: list[int]) -> list[ev.Event]:
    reader = EventReader()
    events: list[ev.Event] = []
    previous = 0
    for cut in [*cuts, len(data)]:
        events += reader.feed(data[previous:cut])
        previous = cut
    return events + reader.close()


@pytest.mark.parametrize("data", [transcript(), ODD], ids=["transcript", "odd"])
def test_same_events_as_the_framer_at_any_chunking(data: bytes) -> None:
    expected = _framer_events(data)
    assert _reader_events(data, []) == expected
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, 400)))
    assert _reader_events(data, cuts) == expected


def test_single_bytes() -> None:
    assert _reader_events(ODD, list(range(1, len(ODD)))) == _framer_events(ODD)


def test_unknown_and_invalid_keep_the_xml_lxml_would_write() -> None:
    events = _reader_events(ODD, [])
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "Unknown",
        "Invalid",
        "NewTextVector",
        "EnableBLOB",
        "Unknown",
        "GetProperties",
    ]
    assert events[0].element_xml.startswith(b'<x:a xmlns:x="urn:x" x:k="1"><x:b>tu</x:b>tail')


def test_nodes_come_out_for_callers_that_want_them() -> None:
    [node] = NodeReader().feed(b'<message device="D"> hi </message>')
    assert node[0] == "message" and node[1]["device"] == "D" and node[2] == " hi "


@pytest.mark.parametrize("data", [XXE, XXE_PARAM, XXE_EXTERNAL_DTD, LAUGHS])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    reader = EventReader()
    with pytest.raises(RemoteProtocolError):
        reader.feed(data)
        reader.close()
    with pytest.raises(RemoteProtocolError):
        reader.feed(b"<a/>")  # sticky


def test_byte_cap_and_sticky_error() -> None:
    reader = EventReader(max_element_bytes=1000)
    assert reader.feed(b'<pingRequest uid="1"/>') == [ev.PingRequest(uid="1")]
    with pytest.raises(RemoteProtocolError, match="message"):
        for _ in range(100):
            reader.feed(b"<message>" if _ == 0 else b"x" * 50)
    assert reader.error is not None


def test_complete_events_before_malformed_data_come_first() -> None:
    reader = EventReader()
    assert reader.feed(b'<pingRequest uid="1"/><a></b>') == [ev.PingRequest(uid="1")]
    assert reader.error is not None
    with pytest.raises(RemoteProtocolError):
        reader.feed(b"<a/>")


def test_blob_text_beyond_libxml2_limit() -> None:
    b64 = b"QUJD" * (4 * 2**20)  # 16 MiB of base64
    data = (
        b'<setBLOBVector device="C" name="I"><oneBLOB name="B" size="1" format=".f">'
        + b64
        + b"</oneBLOB></setBLOBVector>"
    )
    [event] = _reader_events(data, list(range(2**20, len(data), 2**20)))
    assert isinstance(event, ev.SetBLOBVector)
    assert len(event.values["B"].b64) == len(b64)


# ------------------------------------------------- malformed input ends at once

TEXT = b'<newTextVector device="D" name="X"><oneText name="A">%s</oneText></newTextVector>'
GET = b'<getProperties version="1.7"/>'

#: Input that must be refused as soon as it is fed (a valid element follows it,
#: and no later byte may be needed to notice): (name, bytes, words in the error).
REFUSED_AT_ONCE = [
    ("bare ampersand", TEXT % b"R&D", "'&' starts no entity"),
    ("spaced ampersand", TEXT % b"R & D", "'&' starts no entity"),
    ("ampersand at the end", TEXT % b"R&", "'&' starts no entity"),
    ("ampersand in an attribute", b'<getProperties version="1.7" device="R&D"/>', "'&'"),
    ("undefined entity", TEXT % b"&nbsp;", "nbsp"),
    ("character zero", TEXT % b"&#0;", "CharRef"),
    ("doctype", b'<!DOCTYPE x [<!ENTITY e "y">]>', ""),
    ("mismatched tags", b'<newTextVector device="D" name="X"><oneText name="A">x</oneNumber>', ""),
    ("unclosed element", b'<getProperties version="1.7">', "never closed"),
    ("unclosed vector", TEXT.replace(b"</newTextVector>", b"") % b"x", "never closed"),
    ("binary garbage", bytes(range(256)), ""),
    ("nul byte", TEXT % b"a\x00b", "0x0"),
    ("bad utf-8", TEXT % b"\xff\xfe", "encoding"),
]


@pytest.mark.parametrize(
    ("data", "words"), [c[1:] for c in REFUSED_AT_ONCE], ids=[c[0] for c in REFUSED_AT_ONCE]
)
@pytest.mark.parametrize("step", [0, 1, 5])
def test_malformed_input_is_refused_at_once(data: bytes, words: str, step: int) -> None:
    stream = data + GET
    chunks = [stream] if not step else [stream[i : i + step] for i in range(0, len(stream), step)]
    reader = EventReader()
    with pytest.raises(RemoteProtocolError) as info:
        for chunk in chunks:
            reader.feed(chunk)
    assert words.lower() in str(info.value).lower()
    assert reader.error is info.value


ACCEPTED = [
    TEXT % b"R&amp;D &lt;&gt;&quot;&apos; &#65;&#x42;",
    b"<!-- R&D & co -->" + GET,
    b"<?pi R&D?>" + GET,
    TEXT % b"<![CDATA[R&D]]>",
]


@pytest.mark.parametrize("data", ACCEPTED)
def test_references_comments_and_cdata_at_any_chunking(data: bytes) -> None:
    expected = _reader_events(data, [])
    assert expected and not any(isinstance(e, ev.Invalid) for e in expected)
    assert _reader_events(data, list(range(1, len(data)))) == expected
    for cut in range(1, len(data)):
        assert _reader_events(data, [cut]) == expected


@pytest.mark.parametrize(
    "data", [b'<forma: x="1"/>', b'<a x:="1">t&amp;<b c="&lt;"/>tail</a>', b"<a:b:c/>"]
)
def test_names_lxml_will_not_build_still_become_events(data: bytes) -> None:
    # XML allows them, XML namespaces do not; libxml2 lets them through.
    [event] = _reader_events(data, [])
    assert isinstance(event, ev.Unknown)
    assert event.element_xml == data
    assert _reader_events(event.element_xml, []) == [event]
