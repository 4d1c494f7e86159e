"""Value vocabularies: enum spellings, timestamps and switch helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from indiflask.errors import InvalidValue
from indiflask.protocol.values import (
    BlobMode,
    Perm,
    Rule,
    State,
    format_switch,
    format_timestamp,
    parse_switch,
    parse_timestamp,
    to_bool,
)


@pytest.mark.parametrize(
    ("enum", "spellings", "member"),
    [
        (State, ["Ok", "OK", "ok", " ok "], State.OK),
        (State, ["Alert", "ALERT", "alert"], State.ALERT),
        (Perm, ["rw", "RW", "Rw"], Perm.RW),
        (Rule, ["OneOfMany", "ONE_OF_MANY", "one_of_many", "oneofmany"], Rule.ONE_OF_MANY),
        (Rule, ["AtMostOne", "AT_MOST_ONE"], Rule.AT_MOST_ONE),
        (BlobMode, ["Also", "ALSO", "also"], BlobMode.ALSO),
    ],
)
def test_enums_accept_either_spelling(enum: type, spellings: list[str], member: object) -> None:
    for spelling in spellings:
        assert enum(spelling) is member
        assert enum.coerce(spelling) is member  # type: ignore[attr-defined]


def test_enum_values_are_the_wire_spelling() -> None:
    assert State.OK == "Ok"
    assert str(State.BUSY) == "Busy"
    assert [m.value for m in Rule] == ["OneOfMany", "AtMostOne", "AnyOfMany"]
    assert [m.value for m in Perm] == ["ro", "wo", "rw"]
    assert [m.value for m in BlobMode] == ["Never", "Also", "Only"]


@pytest.mark.parametrize("bad", ["Okay", "", "Sometimes", 3, None])
def test_enum_coerce_rejects_with_allowed_values(bad: object) -> None:
    with pytest.raises(InvalidValue, match="Idle, Ok, Busy, Alert"):
        State.coerce(bad)


def test_enum_call_rejects_unknown_as_value_error() -> None:
    with pytest.raises(ValueError):
        Perm("readwrite")


def test_format_timestamp_naive_is_utc_and_whole_seconds() -> None:
    assert format_timestamp(datetime(2026, 11, 24, 19, 4, 42, 999999)) == "2026-11-24T19:04:42"


def test_format_timestamp_converts_aware_to_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert format_timestamp(datetime(2026, 1, 1, 0, 30, tzinfo=cet)) == "2025-12-31T23:30:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T19:04:42", datetime(2026, 11, 24, 19, 4, 42, tzinfo=UTC)),
        ("2026-11-24T19:04:42Z", datetime(2026, 11, 24, 19, 4, 42, tzinfo=UTC)),
        (" 2026-11-24T19:04:42.5 ", datetime(2026, 11, 24, 19, 4, 42, 500000, tzinfo=UTC)),
        ("2026-11-24T20:04:42+01:00", datetime(2026, 11, 24, 19, 4, 42, tzinfo=UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01T00:00:00", "19:04:42"])
def test_parse_timestamp_rejects(text: str) -> None:
    with pytest.raises(InvalidValue, match="timestamp"):
        parse_timestamp(text)


def test_timestamp_round_trip() -> None:
    when = datetime(2030, 6, 1, 12, 0, 1, tzinfo=UTC)
    assert parse_timestamp(format_timestamp(when)) == when


@pytest.mark.parametrize(
    ("text", "expected"), [("On", True), ("Off", False), (" on\n", True), ("OFF", False)]
)
def test_parse_switch(text: str, expected: bool) -> None:
    assert parse_switch(text) is expected


@pytest.mark.parametrize("text", ["", "1", "yes", "Onn", "true"])
def test_parse_switch_rejects_anything_but_on_off(text: str) -> None:
    with pytest.raises(InvalidValue, match="neither On nor Off"):
        parse_switch(text)


def test_format_switch() -> None:
    assert format_switch(True) == "On"
    assert format_switch(False) == "Off"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (1, True), (0, False), ("On", True), ("off", False),
     ("true", True), ("NO", False), (" yes ", True)],
)  # fmt: skip
def test_to_bool(value: object, expected: bool) -> None:
    assert to_bool(value) is expected


@pytest.mark.parametrize("value", [2, -1, "maybe", None, 1.0, [], ""])
def test_to_bool_rejects(value: object) -> None:
    with pytest.raises(InvalidValue, match="not a switch value"):
        to_bool(value)
