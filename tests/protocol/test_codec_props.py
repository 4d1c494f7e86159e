"""Property tests: random events round-trip exactly, validate against the DTD, survive chunking."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from protocol_samples import DTD

from indiflask.protocol import events as ev
from indiflask.protocol.blobs import BlobValue, encode_base64
from indiflask.protocol.codec import decode, encode
from indiflask.protocol.connection import Connection, Role
from indiflask.protocol.numbers import number_to_wire, parse_number
from indiflask.protocol.values import BlobMode, Perm, Rule, State

# Characters XML 1.0 can carry (no C0 controls but tab/newline/CR, no surrogates, no U+FFFE/F).
XML_CHARS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(0x20) if c not in (9, 10, 13)]
    + ["\ufffe", "\uffff"],
)
ANY_TEXT = st.text(XML_CHARS, max_size=30)
SPECIALS = st.sampled_from(["&", "<", ">", '"', "'", "\t", "\n", "\r", "]]>", "&amp;", " "])
TEXT = st.lists(st.one_of(ANY_TEXT, SPECIALS), max_size=5).map("".join)
# Member text is trimmed of XML whitespace on receipt, as libindi does.
MEMBER_TEXT = TEXT.map(lambda s: s.strip(" \t\n\r"))
NAMES = st.text(XML_CHARS, min_size=1, max_size=12)
OPT = st.none() | TEXT
NUMBER = st.floats(allow_nan=False, allow_infinity=False)
STATE = st.sampled_from(list(State))


def member_names(min_size: int = 1) -> st.SearchStrategy[list[str]]:
    return st.lists(NAMES, min_size=min_size, max_size=4, unique=True)


def values_of(value: st.SearchStrategy[object]) -> st.SearchStrategy[dict[str, object]]:
    return member_names().flatmap(
        lambda names: st.tuples(*[value for _ in names]).map(
            lambda vs: dict(zip(names, vs, strict=True))
        )
    )


BLOB = st.builds(
    lambda data, fmt, length: BlobValue(fmt, len(data), encode_base64(data), length),
    st.binary(max_size=64),
    TEXT,
    st.none() | st.integers(0, 10**9),
)
KIND_VALUES = {
    "Text": MEMBER_TEXT,
    "Number": NUMBER,
    "Switch": st.booleans(),
    "Light": STATE,
    "BLOB": BLOB,
}
DEF_MEMBERS = {
    "Text": lambda n, lab: st.builds(ev.DefText, name=st.just(n), label=lab, value=MEMBER_TEXT),
    "Number": lambda n, lab: st.builds(
        ev.DefNumber,
        name=st.just(n),
        label=lab,
        format=TEXT,
        min=NUMBER,
        max=NUMBER,
        step=NUMBER,
        value=NUMBER,
    ),
    "Switch": lambda n, lab: st.builds(
        ev.DefSwitch, name=st.just(n), label=lab, value=st.booleans()
    ),
    "Light": lambda n, lab: st.builds(ev.DefLight, name=st.just(n), label=lab, value=STATE),
    "BLOB": lambda n, lab: st.builds(ev.DefBLOB, name=st.just(n), label=lab),
}


@st.composite
def def_vectors(draw: st.DrawFn) -> ev.Event:
    kind = draw(st.sampled_from(list(ev.VECTOR_CLASSES)))
    cls = ev.VECTOR_CLASSES[kind][0]
    names = draw(member_names())
    members = tuple(draw(DEF_MEMBERS[kind](n, OPT)) for n in names)
    kwargs: dict[str, object] = {
        "device": draw(NAMES),
        "name": draw(NAMES),
        "label": draw(OPT),
        "group": draw(OPT),
        "state": draw(STATE),
        "timestamp": draw(OPT),
        "message": draw(OPT),
        "members": members,
    }
    if kind != "Light":
        kwargs["perm"] = draw(st.sampled_from(list(Perm)))
        kwargs["timeout"] = draw(st.floats(0, 1e6))
    if kind == "Switch":
        kwargs["rule"] = draw(st.sampled_from(list(Rule)))
    return cls(**kwargs)  # type: ignore[arg-type]


@st.composite
def set_vectors(draw: st.DrawFn) -> ev.Event:
    kind = draw(st.sampled_from(list(ev.VECTOR_CLASSES)))
    cls = ev.VECTOR_CLASSES[kind][1]
    values = draw(values_of(KIND_VALUES[kind]))
    kwargs: dict[str, object] = {
        "device": draw(NAMES),
        "name": draw(NAMES),
        "state": draw(st.none() | STATE),
        "timestamp": draw(OPT),
        "message": draw(OPT),
        "values": values,
    }
    if kind != "Light":
        kwargs["timeout"] = draw(st.none() | st.floats(0, 1e6))
    if kind == "Number" and draw(st.booleans()):
        lim = st.none() | NUMBER
        kwargs["limits"] = {
            n: draw(st.tuples(lim, lim, lim).filter(lambda t: t != (None, None, None)))
            for n in values
        }
    return cls(**kwargs)  # type: ignore[arg-type]


@st.composite
def new_vectors(draw: st.DrawFn) -> ev.Event:
    kind = draw(st.sampled_from([k for k, v in ev.VECTOR_CLASSES.items() if v[2] is not None]))
    cls = ev.VECTOR_CLASSES[kind][2]
    assert cls is not None
    return cls(
        device=draw(NAMES),
        name=draw(NAMES),
        timestamp=draw(OPT),
        values=draw(values_of(KIND_VALUES[kind])),
    )


OTHER = st.one_of(
    st.builds(ev.GetProperties, device=OPT, name=OPT, version=st.just("1.7") | NAMES),
    st.builds(ev.DelProperty, device=NAMES, name=OPT, timestamp=OPT, message=OPT),
    st.builds(ev.Message, device=OPT, timestamp=OPT, message=OPT),
    st.builds(ev.EnableBLOB, device=NAMES, name=OPT, mode=st.sampled_from(list(BlobMode))),
    st.builds(ev.PingRequest, uid=TEXT),
    st.builds(ev.PingReply, uid=TEXT),
)
EVENTS = st.one_of(def_vectors(), set_vectors(), new_vectors(), OTHER)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(EVENTS)
def test_random_events_round_trip_exactly_and_validate(event: ev.Event) -> None:
    data = encode(event)
    assert decode(data) == [event]
    assert DTD.validate(etree.fromstring(data)), DTD.error_log.filter_from_errors()


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EVENTS, min_size=1, max_size=8), st.data())
def test_random_streams_survive_random_chunking(
    events: list[ev.Event], data: st.DataObject
) -> None:
    stream = b"".join(encode(e) for e in events)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=20)))
    conn = Connection(Role.CLIENT, checked=False)
    received: list[ev.Event] = []
    previous = 0
    for cut in [*cuts, len(stream)]:
        if cut > previous:
            conn.receive_data(stream[previous:cut])
            received += conn.events()
        previous = cut
    conn.receive_data(b"")
    received += conn.events()
    assert received == events
    assert decode(stream) == events


@given(NUMBER)
def test_numbers_round_trip_bit_for_bit(number: float) -> None:
    [event] = decode(encode(ev.SetNumberVector(device="D", name="N", values={"X": number})))
    assert isinstance(event, ev.SetNumberVector)
    again = event.values["X"]
    assert again == number
    assert math.copysign(1.0, again) == math.copysign(1.0, number)
    assert parse_number(number_to_wire(number)) == number
