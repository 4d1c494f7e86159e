"""The stream reader: the same events as lxml's own element tree gives, at any
chunking, and malformed input refused the moment it arrives.

The reference is independent of the reader: lxml parses the whole stream as one
document, and each of its elements is converted to a node by hand.
"""

from __future__ import annotations

import dataclasses
import random
import re

import pytest
from lxml import etree
from protocol_samples import LAUGHS, XXE, XXE_EXTERNAL_DTD, XXE_PARAM, transcript

from indiflask.errors import RemoteProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.codec_parse import parse_node
from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.nodes import Node
from indiflask.protocol.reader import StreamReader

ODD = (
    b'<?xml version="1.0"?>\n<!-- hi --><x:a xmlns:x="urn:x" x:k="1"><x:b>t<?p?>u</x:b>tail'
    b'<c xmlns="urn:d"><d><e>deep</e></d></c></x:a>\n'
    b'<setNumberVector device="D" name="N">\n  <oneNumber name="A">\n abc \n  </oneNumber>'
    b"<!-- c -->\n</setNumberVector>"
    b'<newTextVector device="D" name="T"><oneText name="A">a<b>b</b>c</oneText></newTextVector>'
    b'<enableBLOB device="D">Also</enableBLOB><oneNumber name="X">1</oneNumber>'
    b'<getProperties version="1.7"/>'
)


def _element_node(element: etree._Element) -> Node:
    kids = [_element_node(child) for child in element if isinstance(child.tag, str)]
    return [element.tag, element.attrib, element.text, element.tail, kids, None]


def _lxml_events(data: bytes) -> list[ev.Event]:
    """What lxml's element tree says the stream holds (declarations dropped first)."""
    body = re.sub(rb"<\?xml[^>]*\?>", b"", data)
    parser = etree.XMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(b"<stream>" + body + b"</stream>", parser)
    events = []
    for element in root:
        event = parse_node(_element_node(element))
        if isinstance(event, ev.Unknown | ev.Invalid):  # the XML exactly as lxml writes it
            xml = etree.tostring(element, encoding="utf-8", with_tail=False)
            event = dataclasses.replace(event, element_xml=xml)
        events.append(event)
    return events


def _reader_events(data: bytes, cuts: list[int]) -> list[ev.Event]:
    conn = Connection(Role.CLIENT, checked=False)
    events: list[ev.Event] = []
    previous = 0
    for cut in [*cuts, len(data)]:
        if cut > previous:
            conn.receive_data(data[previous:cut])
            events += conn.events()
        previous = cut
    conn.receive_data(b"")
    return events + conn.events()


@pytest.mark.parametrize("data", [transcript(), ODD], ids=["transcript", "odd"])
def test_same_events_as_lxml_at_any_chunking(data: bytes) -> None:
    expected = _lxml_events(data)
    assert len(expected) > 5
    assert _reader_events(data, []) == expected
    rng = random.Random(7)
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, 400)))
    assert _reader_events(data, cuts) == expected


def test_single_bytes() -> None:
    assert _reader_events(ODD, list(range(1, len(ODD)))) == _lxml_events(ODD)


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


def test_the_reader_converts_each_node_as_it_closes() -> None:
    reader = StreamReader(lambda node: node)
    [node] = reader.feed(b'<message device="D"> hi </message>')
    assert node[0] == "message" and node[1]["device"] == "D" and node[2] == " hi "
    assert reader.close() == []


@pytest.mark.parametrize("data", [XXE, XXE_PARAM, XXE_EXTERNAL_DTD, LAUGHS])
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    conn = Connection(Role.CLIENT, checked=False)
    with pytest.raises(RemoteProtocolError):
        conn.receive_data(data)
        conn.events()
        conn.receive_data(b"")
        conn.events()
    with pytest.raises(RemoteProtocolError):
        conn.events()  # sticky


def test_byte_cap_and_sticky_error() -> None:
    conn = Connection(Role.CLIENT, checked=False, max_element_bytes=1000)
    conn.receive_data(b'<pingRequest uid="1"/>')
    assert conn.events() == [ev.PingRequest(uid="1")]
    with pytest.raises(RemoteProtocolError, match="message"):
        for _ in range(100):
            conn.receive_data(b"<message>" if _ == 0 else b"x" * 50)
            conn.events()
    assert conn.error is not None


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
    conn = Connection(Role.CLIENT, checked=False)
    error = None
    for chunk in chunks:
        error = conn.deliver(chunk, 0, lambda key, event: None)
        if error is not None:
            break
    assert error is not None and error is conn.error
    assert words.lower() in str(error).lower()


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
    assert expected == _lxml_events(data)
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
