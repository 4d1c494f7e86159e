"""The framer: chunking, tolerated junk, errors, entity safety, byte caps, BLOB size, memory."""

from __future__ import annotations

import gc
import random
import resource
import tracemalloc

import pytest
from lxml import etree
from protocol_samples import transcript

from indiflask.errors import RemoteProtocolError
from indiflask.protocol.codec import parse_element
from indiflask.protocol.framer import DEFAULT_MAX_ELEMENT_BYTES, Framer


def frame(chunks: list[bytes], **kwargs: int) -> list[bytes]:
    """Feed ``chunks`` then EOF; return each element's XML."""
    framer = Framer(**kwargs)
    out = []
    for chunk in chunks:
        out += framer.feed(chunk)
    out += framer.close()
    return [etree.tostring(el, with_tail=False) for el in out]


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
    framer = Framer()
    assert framer.feed(b'<pingRequest uid="1"/><getProp') != []
    assert framer.current_tag is None  # the start tag is not complete yet
    assert framer.feed(b'erties version="1.7">') == []
    assert framer.current_tag == "getProperties"
    [element] = framer.feed(b"</getProperties>")
    assert element.tag == "getProperties"
    assert framer.current_tag is None
    assert element.getparent() is None  # detached from the synthetic root
    assert framer.close() == []


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


@pytest.mark.parametrize(("data", "words"), MALFORMED)
def test_malformed_input_raises_and_sticks(data: bytes, words: str | None) -> None:
    if words is None:  # an XML declaration between elements is fine
        assert len(frame([data])) == 1
        return
    framer = Framer()
    with pytest.raises(RemoteProtocolError) as info:
        framer.feed(data)
        framer.close()
    assert words.lower() in str(info.value).lower()
    assert framer.error is info.value
    with pytest.raises(RemoteProtocolError):
        framer.feed(b"<ok/>")
    with pytest.raises(RemoteProtocolError):
        framer.close()


def test_error_names_the_open_element() -> None:
    with pytest.raises(RemoteProtocolError, match=r"in <setNumberVector>.*mismatch"):
        Framer().feed(b'<setNumberVector device="D"><oneNumber name="X">1</oneText>')


def test_complete_elements_before_an_error_are_returned_first() -> None:
    framer = Framer()
    elements = framer.feed(b"<a/><b/><c></d>")
    assert [el.tag for el in elements] == ["a", "b"]
    assert framer.error is not None
    with pytest.raises(RemoteProtocolError):
        framer.feed(b"<e/>")


@pytest.mark.parametrize(
    "data", [b"<a><b>", b"<a", b"<?xml version", b"<a x='1'", b"<!-- open comment"]
)
def test_eof_inside_something_is_an_error(data: bytes) -> None:
    framer = Framer()
    framer.feed(data)
    with pytest.raises(RemoteProtocolError, match="ended"):
        framer.close()


def test_feed_after_close_is_an_error() -> None:
    framer = Framer()
    framer.feed(b"<a/>")
    framer.close()
    with pytest.raises(RemoteProtocolError, match="after the end"):
        framer.feed(b"<b/>")


# ---------------------------------------------------------------- entities and DTDs

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<message device="x" message="&xxe;"/><getProperties version="1.7">&xxe;</getProperties>'
)
XXE_PARAM = b'<!DOCTYPE foo [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]><a/>'
XXE_EXTERNAL_DTD = b'<!DOCTYPE foo SYSTEM "http://127.0.0.1:9/evil.dtd"><a>&e;</a>'
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1)) for _ in range(10)))
        for i in range(1, 10)
    )
    + b"]>\n<lolz>&lol9;</lolz>"
)


@pytest.mark.parametrize("data", [XXE, XXE_PARAM, XXE_EXTERNAL_DTD, LAUGHS])
def test_dtds_and_entities_are_refused_and_leak_nothing(data: bytes) -> None:
    passwd = b"root:x:0:0"
    tracemalloc.start()
    try:
        for chunks in ([data], [data[i : i + 1] for i in range(len(data))]):
            framer = Framer()
            got = []
            with pytest.raises(RemoteProtocolError) as info:
                for chunk in chunks:
                    got += framer.feed(chunk)
                framer.close()
            assert passwd.decode() not in str(info.value)
            assert all(passwd not in etree.tostring(el) for el in got)
            assert all(el.tag != "lolz" for el in got)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20


def test_an_undefined_entity_mid_stream_is_an_error() -> None:
    framer = Framer()
    [ok] = framer.feed(b"<a>&lt;&amp;&#65;</a>")
    assert ok.text == "<&A"
    with pytest.raises(RemoteProtocolError, match="Entity 'xxe' not defined"):
        framer.feed(b"<b>&xxe;</b>")


# ---------------------------------------------------------------- byte cap


def test_byte_cap_refuses_an_oversized_element() -> None:
    framer = Framer(max_element_bytes=10_000)
    framer.feed(b'<setBLOBVector device="C" name="B"><oneBLOB name="I" size="9" format=".x">')
    with pytest.raises(RemoteProtocolError, match=r"<setBLOBVector> element exceeds max_element"):
        for _ in range(100):
            framer.feed(b"A" * 1000)
    with pytest.raises(RemoteProtocolError):
        framer.feed(b"<a/>")


def test_byte_cap_in_one_big_chunk() -> None:
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        Framer(max_element_bytes=10_000).feed(b"<a>" + b"x" * 50_000 + b"</a>")


def test_byte_cap_counts_per_element_not_per_stream() -> None:
    element = b'<message device="D" message="' + b"m" * 500 + b'"/>\n'
    data = element * 2000  # 1 MB in total, each element 500 bytes
    assert len(frame([data], max_element_bytes=4096)) == 2000
    rng = random.Random(1)
    assert len(frame(split(data, rng, 3000), max_element_bytes=4096)) == 2000


def test_byte_cap_counts_junk_between_elements() -> None:
    framer = Framer(max_element_bytes=10_000)
    with pytest.raises(RemoteProtocolError, match="data between elements"):
        for _ in range(100):
            framer.feed(b" " * 1000)


def test_default_cap_fits_64_mib_plus_margin() -> None:
    assert Framer().max_element_bytes == DEFAULT_MAX_ELEMENT_BYTES > 64 * 2**20


def test_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Framer(max_element_bytes=0)


# ---------------------------------------------------------------- big BLOBs and memory


def test_64_mib_blob_element_parses() -> None:
    payload_b64 = b"QUJD" * (2**26 // 3) + b"QQ=="  # 64 MiB of data as base64: ~85 MiB of text
    head = b'<setBLOBVector device="Cam" name="CCD1"><oneBLOB name="I" size="%d" format=".fits">'
    data = head % 2**26 + payload_b64 + b"</oneBLOB></setBLOBVector>"
    assert len(data) > 85 * 2**20
    framer = Framer(max_element_bytes=len(data) + 2**20)
    elements = []
    step = 2**20
    for pos in range(0, len(data), step):
        elements += framer.feed(data[pos : pos + step])
    [element] = elements
    event = parse_element(element)
    value = event.values["I"]  # type: ignore[attr-defined]
    assert value.b64_length == len(payload_b64)
    assert value.b64[:8] == b"QUJDQUJD"
    assert value.size == 64 * 2**20
    assert len(value.data) == 64 * 2**20
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        small = Framer()
        for pos in range(0, len(data), step):
            small.feed(data[pos : pos + step])


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
    framer = Framer()
    count = 0
    gc.collect()
    rss_start = 0
    tracemalloc.start()
    try:
        for i in range(400):  # 200,000 elements
            for el in framer.feed(chunk):
                count += 1
                del el
            if i == 40:
                gc.collect()
                rss_start = _rss_kib()
                tracemalloc.reset_peak()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    gc.collect()
    assert count == 200_000
    assert framer.close() == []
    assert peak < 4 * 2**20
    assert _rss_kib() - rss_start < 16 * 1024
