"""Golden tables for the codec, both ways, plus DTD validity of everything we write."""

from __future__ import annotations

import math

import pytest
from lxml import etree
from protocol_samples import DTD, GOLDEN, SENDABLE_CLASSES, transcript

from indiflask.errors import LocalProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.blobs import BlobValue
from indiflask.protocol.codec import decode, encode, escape_attr, escape_text
from indiflask.protocol.values import BlobMode, Perm, Rule, State


def _ids(table: list[tuple[object, object]]) -> list[str]:
    return [f"{i}-{type(e).__name__}" for i, (e, _) in enumerate(table)]


def test_golden_covers_every_sendable_class() -> None:
    assert {type(e) for e, _ in GOLDEN} == SENDABLE_CLASSES


@pytest.mark.parametrize(("event", "xml"), GOLDEN, ids=_ids(GOLDEN))
def test_encode_golden(event: ev.Event, xml: bytes) -> None:
    assert encode(event) == xml


@pytest.mark.parametrize(("event", "xml"), GOLDEN, ids=_ids(GOLDEN))
def test_decode_golden(event: ev.Event, xml: bytes) -> None:
    assert decode(xml) == [event]


@pytest.mark.parametrize(("event", "xml"), GOLDEN, ids=_ids(GOLDEN))
def test_emitted_xml_is_valid_against_dtd(event: ev.Event, xml: bytes) -> None:
    element = etree.fromstring(xml)
    assert DTD.validate(element), DTD.error_log.filter_from_errors()


@pytest.mark.parametrize(("event", "xml"), GOLDEN, ids=_ids(GOLDEN))
def test_round_trip(event: ev.Event, xml: bytes) -> None:
    [again] = decode(encode(event))
    assert again == event
    assert encode(again) == xml


# ---------------------------------------------------------------- forgiving parsing

SLOPPY: list[tuple[bytes, ev.Event]] = [
    # single quotes, no version (libindi tools and drivers)
    (b"<getProperties device='Echo'/>", ev.GetProperties(device="Echo", version=None)),
    # indiserver's re-serialization: indentation, values on their own lines
    (
        b'<setNumberVector device="T" name="EQ" state="Busy" timeout="60" timestamp="t">\n'
        b'    <oneNumber name="RA">\n19.272983902611173335\n    </oneNumber>\n'
        b"</setNumberVector>",
        ev.SetNumberVector(
            device="T",
            name="EQ",
            state=State.BUSY,
            timeout=60.0,
            timestamp="t",
            values={"RA": 19.272983902611173335},
        ),
    ),
    # libindi's update-limits extra attributes
    (
        b"<setNumberVector device='C' name='F'><oneNumber name='X' min='0' max='1279' step='1'>"
        b"0</oneNumber><oneNumber name='Y' max='9'>2</oneNumber>"
        b"<oneNumber name='Z'>3</oneNumber></setNumberVector>",
        ev.SetNumberVector(
            device="C",
            name="F",
            values={"X": 0.0, "Y": 2.0, "Z": 3.0},
            limits={"X": (0.0, 1279.0, 1.0), "Y": (None, 9.0, None)},
        ),
    ),
    # sexagesimal numbers in a change
    (
        b'<newNumberVector device="M" name="EQ"><oneNumber name="RA">12:30:00</oneNumber>'
        b'<oneNumber name="DEC">-10:30:18</oneNumber></newNumberVector>',
        ev.NewNumberVector(device="M", name="EQ", values={"RA": 12.5, "DEC": -10.505}),
    ),
    # trimmed text, unknown attributes and unknown children ignored
    (
        b'<setTextVector device="D" name="T" colour="red"><oneText name="A" x="1">  lead tail \n'
        b"</oneText><comment>ignored</comment></setTextVector>",
        ev.SetTextVector(device="D", name="T", values={"A": "lead tail"}),
    ),
    # libindi BLOB extras: len kept, enclen and attached ignored, base64 trimmed
    (
        b'<setBLOBVector device="C" name="CCD1"><oneBLOB name="I" size="5" format=".fits" '
        b'len="5" enclen="8">\naGVs\nbG8=\n</oneBLOB></setBLOBVector>',
        ev.SetBLOBVector(
            device="C",
            name="CCD1",
            values={"I": BlobValue(format=".fits", size=5, b64=b"aGVs\nbG8=", length=5)},
        ),
    ),
    (
        b'<setBLOBVector device="C" name="CCD1"><oneBLOB name="I" size="0" format=".fits" '
        b'attached="true"/></setBLOBVector>',
        ev.SetBLOBVector(
            device="C", name="CCD1", values={"I": BlobValue(format=".fits", size=0, b64=b"")}
        ),
    ),
    # a wo switch vector, lower-case switch words, missing optional attributes
    (
        b'<defSwitchVector device="T" name="MOUNT_TYPE" state="Ok" perm="wo" rule="OneOfMany">'
        b'<defSwitch name="A">on</defSwitch><defSwitch name="B">\nOff\n</defSwitch>'
        b"</defSwitchVector>",
        ev.DefSwitchVector(
            device="T",
            name="MOUNT_TYPE",
            state=State.OK,
            perm=Perm.WO,
            rule=Rule.ONE_OF_MANY,
            members=(ev.DefSwitch(name="A", value=True), ev.DefSwitch(name="B", value=False)),
        ),
    ),
    # missing state/perm take defaults; missing min/max/step/format too
    (
        b'<defNumberVector device="D" name="N"><defNumber name="X">1.5</defNumber>'
        b"</defNumberVector>",
        ev.DefNumberVector(device="D", name="N", members=(ev.DefNumber(name="X", value=1.5),)),
    ),
    (
        b'<defBLOBVector device="D" name="B" state="Idle"><defBLOB name="X"/></defBLOBVector>',
        ev.DefBLOBVector(device="D", name="B", perm=Perm.RO, members=(ev.DefBLOB(name="X"),)),
    ),
    # character references and predefined entities
    (
        b'<message device="D" message="&#65;&#x263A; &apos;q&apos; &quot;x&quot;"/>',
        ev.Message(device="D", message="A\u263a 'q' \"x\""),
    ),
    (b"<enableBLOB device='C'> Also </enableBLOB>", ev.EnableBLOB(device="C", mode=BlobMode.ALSO)),
    (b"<pingRequest/>", ev.PingRequest(uid="")),
    # a whole-device delProperty
    (b'<delProperty device="D"></delProperty>', ev.DelProperty(device="D")),
]


@pytest.mark.parametrize(("xml", "event"), SLOPPY)
def test_sloppy_input_is_accepted(xml: bytes, event: ev.Event) -> None:
    assert decode(xml) == [event]


INVALID: list[tuple[bytes, str, str | None, str | None]] = [
    (
        b'<setNumberVector name="X"><oneNumber name="A">1</oneNumber></setNumberVector>',
        "no device attribute",
        None,
        "X",
    ),
    (
        b'<setNumberVector device="D"><oneNumber name="A">1</oneNumber></setNumberVector>',
        "no name attribute",
        "D",
        None,
    ),
    (
        b'<setNumberVector device="D" name="N"><oneNumber name="A">abc</oneNumber>'
        b"</setNumberVector>",
        "member A",
        "D",
        "N",
    ),
    (
        b'<setNumberVector device="D" name="N"><oneNumber name="A">nan</oneNumber>'
        b"</setNumberVector>",
        "not finite",
        "D",
        "N",
    ),
    (
        b'<setNumberVector device="D" name="N"><oneNumber>1</oneNumber></setNumberVector>',
        "no name attribute",
        "D",
        "N",
    ),
    (
        b'<setNumberVector device="D" name="N" state="Good"><oneNumber name="A">1</oneNumber>'
        b"</setNumberVector>",
        "state 'Good'",
        "D",
        "N",
    ),
    (
        b'<setNumberVector device="D" name="N"><oneNumber name="A">1</oneNumber>'
        b'<oneNumber name="A">2</oneNumber></setNumberVector>',
        "twice",
        "D",
        "N",
    ),
    (
        b'<setNumberVector device="D" name="N" timeout="soon"><oneNumber name="A">1</oneNumber>'
        b"</setNumberVector>",
        "timeout",
        "D",
        "N",
    ),
    (
        b'<setSwitchVector device="D" name="S"><oneSwitch name="A">Maybe</oneSwitch>'
        b"</setSwitchVector>",
        "neither On nor Off",
        "D",
        "S",
    ),
    (
        b'<setLightVector device="D" name="L"><oneLight name="A">Green</oneLight></setLightVector>',
        "light value",
        "D",
        "L",
    ),
    (
        b'<setBLOBVector device="D" name="B"><oneBLOB name="I" format=".x">AA==</oneBLOB>'
        b"</setBLOBVector>",
        "no size",
        "D",
        "B",
    ),
    (
        b'<setBLOBVector device="D" name="B"><oneBLOB name="I" size="12k" format=".x">'
        b"AA==</oneBLOB></setBLOBVector>",
        "not a byte count",
        "D",
        "B",
    ),
    (
        b'<setBLOBVector device="D" name="B"><oneBLOB name="I" size="1" len="x" format=".x">AA=='
        b"</oneBLOB></setBLOBVector>",
        "len",
        "D",
        "B",
    ),
    (
        b'<defTextVector device="D" name="T" state="Idle" perm="rw"></defTextVector>',
        "no <defText> members",
        "D",
        "T",
    ),
    (
        b'<defTextVector device="D" name="T" state="Idle" perm="rx"><defText name="A"/>'
        b"</defTextVector>",
        "perm 'rx'",
        "D",
        "T",
    ),
    (
        b'<defSwitchVector device="D" name="S" state="Idle" perm="rw" rule="Many">'
        b'<defSwitch name="A">On</defSwitch></defSwitchVector>',
        "rule 'Many'",
        "D",
        "S",
    ),
    (
        b'<defTextVector device="D" name="T" state="Idle" perm="rw"><defText name="A"/>'
        b'<defText name="A"/></defTextVector>',
        "twice",
        "D",
        "T",
    ),
    (
        b'<defNumberVector device="D" name="N"><defNumber name="X" min="low">1</defNumber>'
        b"</defNumberVector>",
        "X min",
        "D",
        "N",
    ),
    (b'<enableBLOB device="D">Sometimes</enableBLOB>', "enableBLOB mode", "D", None),
    (b"<enableBLOB>Also</enableBLOB>", "no device", None, None),
    (b'<delProperty name="X"/>', "no device", None, "X"),
    (
        b'<newTextVector device="D" name="T"><oneText>x</oneText></newTextVector>',
        "no name attribute",
        "D",
        "T",
    ),
]


@pytest.mark.parametrize(("xml", "reason", "device", "name"), INVALID)
def test_bad_content_becomes_invalid(
    xml: bytes, reason: str, device: str | None, name: str | None
) -> None:
    [event] = decode(xml)
    assert isinstance(event, ev.Invalid)
    assert reason in event.reason
    assert event.device == device
    assert event.name == name
    assert event.element_tag == etree.fromstring(xml).tag
    assert etree.fromstring(event.element_xml).tag == event.element_tag


def test_unknown_tags_are_kept_raw() -> None:
    xml = b'<newLightVector device="D" name="L"><oneLight name="A">Ok</oneLight></newLightVector>'
    [event] = decode(b"\n" + xml + b"  \n")
    assert event == ev.Unknown(element_tag="newLightVector", element_xml=xml)
    assert encode(event) == xml + b"\n"


def test_namespaced_unknown_tag() -> None:
    [event] = decode(b'<x:a xmlns:x="urn:x"/>')
    assert isinstance(event, ev.Unknown)
    assert event.element_tag == "{urn:x}a"


def test_real_transcript_parses_without_invalid_and_round_trips() -> None:
    events = decode(transcript())
    assert len(events) > 150
    assert not [e for e in events if isinstance(e, (ev.Invalid, ev.Unknown))]
    assert any(isinstance(e, ev.SetNumberVector) and e.limits for e in events)
    again = decode(b"".join(encode(e) for e in events))
    assert again == events
    for e in events:
        assert DTD.validate(etree.fromstring(encode(e))), (e, DTD.error_log)


# ---------------------------------------------------------------- writing rules


def test_attribute_escaping_keeps_whitespace_controls() -> None:
    text = 'a&b<c>d"e\tf\ng\rh'
    assert escape_attr(text) == "a&amp;b&lt;c&gt;d&quot;e&#9;f&#10;g&#13;h"
    [event] = decode(encode(ev.Message(device="D", message=text)))
    assert isinstance(event, ev.Message)
    assert event.message == text


def test_text_escaping_keeps_carriage_returns() -> None:
    assert escape_text("a&b<c>d\re") == "a&amp;b&lt;c&gt;d&#13;e"
    values = {"A": "x\r\ny"}
    [event] = decode(encode(ev.SetTextVector(device="D", name="T", values=values)))
    assert isinstance(event, ev.SetTextVector)
    assert event.values == values


def test_non_ascii_is_utf8() -> None:
    data = encode(ev.Message(device="Kamera", message="Temperatur 5 °C, 星"))
    assert "°C, 星".encode() in data
    assert decode(data) == [ev.Message(device="Kamera", message="Temperatur 5 °C, 星")]


@pytest.mark.parametrize("bad", ["\x00", "a\x1bb", "\ud800", "\uffff"])
def test_unsendable_characters_raise(bad: str) -> None:
    with pytest.raises(LocalProtocolError, match="XML cannot carry"):
        encode(ev.Message(message=bad))
    with pytest.raises(LocalProtocolError):
        encode(ev.SetTextVector(device="D", name="T", values={"A": bad}))


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_raise(number: float) -> None:
    with pytest.raises(LocalProtocolError, match="finite"):
        encode(ev.SetNumberVector(device="D", name="N", values={"X": number}))


def test_wrong_value_types_raise_local_protocol_error() -> None:
    with pytest.raises(LocalProtocolError):
        encode(ev.SetNumberVector(device="D", name="N", values={"X": "fast"}))  # type: ignore[dict-item]
    with pytest.raises(LocalProtocolError, match="BlobValue"):
        encode(ev.SetBLOBVector(device="D", name="B", values={"X": b"raw"}))  # type: ignore[dict-item]
    with pytest.raises(LocalProtocolError, match="cannot hold"):
        encode(ev.DefNumberVector(device="D", name="N", members=(ev.DefText(name="A"),)))  # type: ignore[arg-type]
    with pytest.raises(LocalProtocolError, match="cannot be sent"):
        encode(ev.Invalid(reason="x"))


def test_blob_payload_is_passed_through_untouched() -> None:
    b64 = b"aGVs\nbG8=\n" * 3
    data = encode(ev.SetBLOBVector(device="C", name="B", values={"I": BlobValue(".x", 15, b64)}))
    assert b64 in data
    assert b"enclen" not in data
    assert b"attached" not in data
    with pytest.raises(LocalProtocolError, match="base64"):
        encode(ev.SetBLOBVector(device="C", name="B", values={"I": BlobValue(".x", 1, b"<a/>")}))


def test_enum_spellings_are_normalised() -> None:
    event = ev.SetLightVector(device="D", name="L", state="ok", values={"A": "busy"})  # type: ignore[arg-type, dict-item]
    assert b'state="Ok"' in encode(event)
    assert b">Busy</oneLight>" in encode(event)
    with pytest.raises(LocalProtocolError):
        encode(ev.SetLightVector(device="D", name="L", state="fine"))  # type: ignore[arg-type]


def test_get_properties_always_carries_a_version() -> None:
    assert encode(ev.GetProperties(version=None)) == b'<getProperties version="1.7"/>\n'


def test_whole_timeouts_are_written_as_integers() -> None:
    data = encode(ev.SetNumberVector(device="D", name="N", timeout=60.0, values={"X": 1.0}))
    assert b'timeout="60"' in data
    data = encode(ev.SetNumberVector(device="D", name="N", timeout=0.25, values={"X": 1.0}))
    assert b'timeout="0.25"' in data


def test_parsing_never_raises_for_odd_but_well_formed_xml() -> None:
    odd = [
        b"<setNumberVector/>",
        b"<defLightVector device='d' name='n'><defLight/></defLightVector>",
        b"<oneNumber name='x'>1</oneNumber>",
        b"<getProperties device='' name=''/>",
        b"<setBLOBVector device='d' name='n'><oneBLOB name='x' size='' format=''/></setBLOBVector>",
        b"<setBLOBVector device='d' name='n'><oneBLOB name='x' size='\xd9\xa3' format=''/>"
        b"</setBLOBVector>",
    ]
    for xml in odd:
        [event] = decode(xml)
        assert isinstance(event, ev.Event)
    assert isinstance(decode(b"<x><y/></x>")[0], ev.Unknown)
