"""Connection: direction rules, definition tracking, snoops, phases, and a client/device pair."""

from __future__ import annotations

import pytest
from protocol_samples import GOLDEN

from indiflask.errors import LocalProtocolError, RemoteProtocolError
from indiflask.protocol import events as ev
from indiflask.protocol.codec import encode
from indiflask.protocol.connection import Connection, Phase, Role
from indiflask.protocol.rules import DIRECTION_TABLE, SENDABLE
from indiflask.protocol.values import Perm, State

NUMBERS = ev.DefNumberVector(
    device="Echo", name="VALUES", perm=Perm.RW, members=(ev.DefNumber(name="X"),)
)
READ_ONLY = ev.DefTextVector(
    device="Echo", name="INFO", perm=Perm.RO, members=(ev.DefText(name="A"),)
)
SET = ev.SetNumberVector(device="Echo", name="VALUES", state=State.OK, values={"X": 1.5})
NEW = ev.NewNumberVector(device="Echo", name="VALUES", values={"X": 2.0})


def pair() -> tuple[Connection, Connection]:
    return Connection(Role.CLIENT), Connection(Role.DEVICE)


def carry(sender: Connection, receiver: Connection, event: ev.Event) -> list[ev.Event]:
    receiver.receive_data(sender.send(event))
    return receiver.events()


def test_a_whole_session_through_a_pair() -> None:
    client, device = pair()
    assert carry(client, device, ev.GetProperties()) == [ev.GetProperties()]
    assert carry(device, client, NUMBERS) == [NUMBERS]
    assert client.defined[("Echo", "VALUES")] == NUMBERS
    assert device.defined[("Echo", "VALUES")] == NUMBERS
    assert carry(client, device, NEW) == [NEW]
    assert carry(device, client, SET) == [SET]
    assert carry(client, device, ev.PingRequest(uid="1")) == [ev.PingRequest(uid="1")]
    assert carry(device, client, ev.PingReply(uid="1")) == [ev.PingReply(uid="1")]
    gone = ev.DelProperty(device="Echo")
    assert carry(device, client, gone) == [gone]
    assert not client.defined
    assert not device.defined


@pytest.mark.parametrize(("event", "xml"), GOLDEN, ids=[type(e).__name__ for e, _ in GOLDEN])
def test_every_event_passes_a_pair_in_its_direction(event: ev.Event, xml: bytes) -> None:
    client, device = pair()
    sender, receiver = (client, device) if isinstance(event, ev.NewVector) else (device, client)
    if isinstance(event, (ev.SetVector, ev.NewVector)):
        kind = ev.VECTOR_CLASSES[event.kind][0]
        members = tuple(
            {
                "Text": ev.DefText,
                "Number": ev.DefNumber,
                "Switch": ev.DefSwitch,
                "Light": ev.DefLight,
                "BLOB": ev.DefBLOB,
            }[event.kind](name=n)
            for n in event.values
        )
        definition = kind(device=event.device, name=event.name, members=members)
        if isinstance(definition, ev.DefBLOBVector) and isinstance(event, ev.NewVector):
            definition = ev.DefBLOBVector(
                device=event.device, name=event.name, perm=Perm.RW, members=members
            )
        carry(device, client, definition)
    assert sender.send(event) == xml
    receiver.receive_data(xml)
    assert receiver.events() == [event]


# ---------------------------------------------------------------- direction


def test_direction_table_matches_sendable() -> None:
    assert ev.NewNumberVector not in SENDABLE[Role.DEVICE]
    assert ev.NewNumberVector in SENDABLE[Role.CLIENT]
    assert ev.Invalid not in SENDABLE[Role.CLIENT] | SENDABLE[Role.DEVICE]
    assert [row[0] for row in DIRECTION_TABLE if not row[1]] == ["new*Vector"]


def test_device_may_not_send_changes() -> None:
    device = Connection(Role.DEVICE)
    with pytest.raises(LocalProtocolError, match="device connection cannot send NewNumberVector"):
        device.send(NEW)
    assert device.our_phase is Phase.OPEN  # nothing was written; the stream is intact
    assert device.send(NEW, validate=False).startswith(b"<newNumberVector")


def test_nobody_sends_invalid() -> None:
    for role in Role:
        with pytest.raises(LocalProtocolError):
            Connection(role).send(ev.Invalid(reason="x"))


def test_set_needs_a_def_first() -> None:
    device = Connection(Role.DEVICE)
    with pytest.raises(LocalProtocolError, match="never defined"):
        device.send(SET)
    device.send(NUMBERS)
    device.send(SET)
    text = ev.SetTextVector(device="Echo", name="VALUES", values={"X": "a"})
    with pytest.raises(LocalProtocolError, match="is a Number vector"):
        device.send(text)
    device.send(ev.DelProperty(device="Echo", name="VALUES"))
    with pytest.raises(LocalProtocolError, match="never defined"):
        device.send(SET)


def test_empty_vectors_are_refused() -> None:
    device = Connection(Role.DEVICE)
    with pytest.raises(LocalProtocolError, match="no members"):
        device.send(ev.DefNumberVector(device="Echo", name="VALUES"))
    device.send(NUMBERS)
    with pytest.raises(LocalProtocolError, match="no values"):
        device.send(ev.SetNumberVector(device="Echo", name="VALUES"))


def test_new_needs_a_writable_definition_from_the_peer() -> None:
    client, device = pair()
    with pytest.raises(LocalProtocolError, match="never defined"):
        client.send(NEW)
    carry(device, client, NUMBERS)
    carry(device, client, READ_ONLY)
    client.send(NEW)
    with pytest.raises(LocalProtocolError, match="read-only"):
        client.send(ev.NewTextVector(device="Echo", name="INFO", values={"A": "x"}))
    with pytest.raises(LocalProtocolError, match="no values"):
        client.send(ev.NewNumberVector(device="Echo", name="VALUES"))


def test_unencodable_events_raise_local_errors() -> None:
    device = Connection(Role.DEVICE)
    with pytest.raises(LocalProtocolError):
        device.send(ev.Message(message="bell\x07"))


# ---------------------------------------------------------------- receiving rules


def test_device_side_accepts_device_output_only_for_snooped_devices() -> None:
    device = Connection(Role.DEVICE)
    device.receive_data(
        b'<defTextVector device="Mount" name="P" state="Idle" perm="ro">'
        b'<defText name="A">x</defText></defTextVector>'
        b'<message message="global news"/><message device="Mount" message="hi"/>'
    )
    first, news, local = device.events()
    assert isinstance(first, ev.Invalid)
    assert "snoop" in first.reason
    assert (first.device, first.name) == ("Mount", "P")
    assert news == ev.Message(message="global news")
    assert isinstance(local, ev.Invalid)
    device.send(ev.GetProperties(device="Mount"))
    device.receive_data(
        b'<defTextVector device="Mount" name="P" state="Idle" perm="ro">'
        b'<defText name="A">x</defText></defTextVector>'
        b'<setTextVector device="Other" name="P"><oneText name="A">y</oneText></setTextVector>'
    )
    mount, other = device.events()
    assert isinstance(mount, ev.DefTextVector)
    assert isinstance(other, ev.Invalid)
    device.send(ev.GetProperties(device="*"))
    device.receive_data(b'<delProperty device="Other"/>')
    assert device.events() == [ev.DelProperty(device="Other")]


def test_client_side_refuses_changes_from_a_device() -> None:
    client = Connection(Role.CLIENT)
    client.receive_data(
        b'<newSwitchVector device="D" name="S"><oneSwitch name="A">On</oneSwitch></newSwitchVector>'
    )
    [event] = client.events()
    assert isinstance(event, ev.Invalid)
    assert "new*" in event.reason
    assert event.element_xml.startswith(b"<newSwitchVector")


def test_the_hook_sees_each_element_and_its_checked_event() -> None:
    seen: list[tuple[str, str]] = []
    client = Connection(
        Role.CLIENT, on_element=lambda node, event: seen.append((node[0], type(event).__name__))
    )
    client.receive_data(
        b'<newSwitchVector device="D" name="S"><oneSwitch name="A">On</oneSwitch></newSwitchVector>'
        b'<message message="hi"/>'
    )
    events = client.events()
    assert seen == [("newSwitchVector", "Invalid"), ("message", "Message")]
    assert [type(e).__name__ for e in events] == ["Invalid", "Message"]


# ---------------------------------------------------------------- unchecked


def test_unchecked_hands_out_events_as_parsed_and_records_nothing() -> None:
    device = Connection(Role.DEVICE, checked=False)
    assert not device.checked
    device.receive_data(
        b'<defTextVector device="Mount" name="P" state="Idle" perm="ro">'
        b'<defText name="A">x</defText></defTextVector>'
        b'<newSwitchVector device="D" name="S"><oneSwitch name="A">On</oneSwitch></newSwitchVector>'
    )
    definition, change = device.events()
    assert isinstance(definition, ev.DefTextVector)  # no snoop asked for, not refused
    assert isinstance(change, ev.NewSwitchVector)
    assert not device.defined


def test_unchecked_sends_without_checks_unless_asked() -> None:
    device = Connection(Role.DEVICE, checked=False)
    assert device.send(NEW) == encode(NEW)  # a device may not send new*: not checked here
    assert device.send(SET) == encode(SET)  # no def* first: not checked either
    with pytest.raises(LocalProtocolError):
        device.send(NEW, validate=True)
    checked = Connection(Role.DEVICE)
    with pytest.raises(LocalProtocolError):
        checked.send(NEW)
    assert checked.send(NEW, validate=False) == encode(NEW)


def test_deliver_hands_each_event_to_the_callback_with_the_key() -> None:
    got: list[tuple[str, ev.Event]] = []
    conn = Connection(Role.CLIENT, checked=False)
    data = encode(SET) + encode(ev.PingRequest(uid="1"))
    assert conn.deliver(data[:10], "k", lambda key, event: got.append((key, event))) is None
    assert got == []
    assert conn.deliver(data[10:], "k", lambda key, event: got.append((key, event))) is None
    assert got == [("k", SET), ("k", ev.PingRequest(uid="1"))]
    assert conn.error is None and conn.peer_phase is Phase.OPEN


def test_events_of_earlier_chunks_survive_an_error_in_a_later_one() -> None:
    for checked in (True, False):
        client = Connection(Role.CLIENT, checked=checked)
        client.receive_data(b'<message message="a"/>')
        client.receive_data(b"</oops>")
        assert client.events() == [ev.Message(message="a")]
        assert client.peer_phase is Phase.ERROR
        with pytest.raises(RemoteProtocolError):
            client.events()


# ---------------------------------------------------------------- phases


def test_eof_closes_the_peer_phase() -> None:
    client = Connection(Role.CLIENT)
    client.receive_data(b'<message message="a"/><mess')
    assert client.events() == [ev.Message(message="a")]
    client.receive_data(b'age message="b"/>')
    client.receive_data(b"")
    assert client.peer_phase is Phase.OPEN  # nothing parsed yet: receive_data only buffers
    assert client.events() == [ev.Message(message="b")]
    assert client.peer_phase is Phase.CLOSED
    assert client.events() == []
    with pytest.raises(LocalProtocolError, match="after EOF"):
        client.receive_data(b"<x/>")


def test_eof_inside_an_element_is_an_error() -> None:
    client = Connection(Role.CLIENT)
    client.receive_data(b"<message")
    client.receive_data(b"")
    with pytest.raises(RemoteProtocolError, match="ended"):
        client.events()
    assert client.peer_phase is Phase.ERROR


def test_malformed_input_errors_after_the_good_events() -> None:
    client = Connection(Role.CLIENT)
    client.receive_data(b'<message message="a"/><message message="b"></mess>')
    assert client.events() == [ev.Message(message="a")]
    assert client.peer_phase is Phase.ERROR
    with pytest.raises(RemoteProtocolError, match="mismatch"):
        client.events()
    client.receive_data(b"<ok/>")
    with pytest.raises(RemoteProtocolError):
        client.events()
    assert client.peer_phase is Phase.ERROR


def test_byte_cap_is_passed_to_the_reader() -> None:
    client = Connection(Role.CLIENT, max_element_bytes=1000)
    assert client.max_element_bytes == 1000
    client.receive_data(b'<message message="' + b"x" * 5000)
    with pytest.raises(RemoteProtocolError, match="exceeds"):
        client.events()


def test_our_phase() -> None:
    device = Connection(Role.DEVICE)
    assert device.our_phase is Phase.OPEN
    device.close()
    assert device.our_phase is Phase.CLOSED
    with pytest.raises(LocalProtocolError, match="closed"):
        device.send(ev.Message(message="late"))
    failed = Connection(Role.DEVICE)
    failed.send_failed()
    assert failed.our_phase is Phase.ERROR
    failed.close()
    assert failed.our_phase is Phase.ERROR
    assert "ours=error" in repr(failed)


def test_role_accepts_its_value() -> None:
    assert Connection("device").role is Role.DEVICE  # type: ignore[arg-type]


def test_send_update_skips_updates_of_undefined_properties() -> None:
    conn = Connection(Role.DEVICE)
    update = ev.SetNumberVector(device="d", name="p", values={"x": 1.0})
    assert conn.send_update(update) == b""
    conn.send(ev.DefNumberVector(device="d", name="p", members=(ev.DefNumber(name="x"),)))
    assert b"<setNumberVector" in conn.send_update(update)
