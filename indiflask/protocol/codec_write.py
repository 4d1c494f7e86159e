"""Turn an event into INDI wire bytes (the sending half of the codec).

Serialization is on the hot path of a server, so it builds strings directly
with per-class functions and f-strings, never lxml trees. What it writes:

* UTF-8, double-quoted attributes, one element per line (a trailing ``\\n``);
* ``& < > "`` escaped in attributes, and ``\\t \\n \\r`` as character references
  so attribute values survive XML attribute normalisation; ``& < >`` and ``\\r``
  escaped in text;
* numbers with :func:`indiflask.protocol.numbers.number_to_wire` (full precision), timeouts
  as integers when they are whole; switches as ``On``/``Off``;
* BLOB base64 passed through byte for byte (never decoded), with libindi's ``len``
  when :attr:`~indiflask.protocol.blobs.BlobValue.length` is set; never ``enclen`` or
  ``attached``;
* ``getProperties`` always with a version (``1.7`` when the event has ``None``),
  since libindi drivers exit on a ``getProperties`` without one;
* ``setNumberVector`` limits (libindi's ``min``/``max``/``step`` extension) when
  the event carries them.

Escaped device, property and member names are cached, since they repeat.

Text that XML 1.0 cannot carry (C0 control characters other than tab, newline
and carriage return, lone surrogates, U+FFFE, U+FFFF), a non-finite number, or a
value of the wrong type raises :class:`~indiflask.errors.LocalProtocolError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import LocalProtocolError
from . import events as ev
from .blobs import BlobValue
from .numbers import number_to_wire
from .values import BlobMode, Perm, Rule, State

__all__ = ["encode", "escape_attr", "escape_text"]

_BAD_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_ATTR_SPECIAL = re.compile(f'[&<>"\t\n\r{_BAD_CHARS}]')
_TEXT_SPECIAL = re.compile(f"[&<>\r{_BAD_CHARS}]")
_BAD = re.compile(f"[{_BAD_CHARS}]")
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
    | {"\r": "&#13;"}
)
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NAME_CACHE: dict[str, str] = {}
_NAME_CACHE_MAX = 8192


def _check_chars(text: str) -> None:
    bad = _BAD.search(text)
    if bad is not None:
        raise LocalProtocolError(
            f"cannot send {text!r}: XML cannot carry the character U+{ord(bad.group()):04X}"
        )


def escape_attr(text: str) -> str:
    """Escape ``text`` for a double-quoted attribute value.

    :raises LocalProtocolError: if ``text`` holds a character XML cannot carry.
    """
    if _ATTR_SPECIAL.search(text) is None:
        return text
    _check_chars(text)
    return text.translate(_ATTR_ESCAPES)


def escape_text(text: str) -> str:
    """Escape ``text`` for element content.

    :raises LocalProtocolError: if ``text`` holds a character XML cannot carry.
    """
    if _TEXT_SPECIAL.search(text) is None:
        return text
    _check_chars(text)
    return text.translate(_TEXT_ESCAPES)


def _name(text: str) -> str:
    """Escape a device, property or member name, with a cache."""
    try:
        return _NAME_CACHE[text]
    except KeyError:
        pass
    escaped = escape_attr(text)
    if len(_NAME_CACHE) >= _NAME_CACHE_MAX:
        _NAME_CACHE.clear()
    _NAME_CACHE[text] = escaped
    return escaped


_STATE_WIRE: dict[object, str] = {m: m.value for m in State}
_PERM_WIRE: dict[object, str] = {m: m.value for m in Perm}
_RULE_WIRE: dict[object, str] = {m: m.value for m in Rule}
_MODE_WIRE: dict[object, str] = {m: m.value for m in BlobMode}


def _state(value: object) -> str:
    try:
        return _STATE_WIRE[value]
    except KeyError:
        return str(State.coerce(value).value)


def _enum(
    table: dict[object, str], cls: type[State | Perm | Rule | BlobMode], value: object
) -> str:
    try:
        return table[value]
    except KeyError:
        return str(cls.coerce(value).value)


def _timeout(value: float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return number_to_wire(value)


def _opt(out: list[str], attr: str, value: str | None) -> None:
    if value is not None:
        out.append(f' {attr}="{escape_attr(value)}"')


# ------------------------------------------------------------------ definitions


_DEF_MEMBER_CLASSES: dict[str, type[ev.DefMember]] = {
    "Text": ev.DefText,
    "Number": ev.DefNumber,
    "Switch": ev.DefSwitch,
    "Light": ev.DefLight,
    "BLOB": ev.DefBLOB,
}


def _def_member(kind: str, m: ev.DefMember) -> str:
    if not isinstance(m, _DEF_MEMBER_CLASSES[kind]):
        raise LocalProtocolError(
            f"a def{kind}Vector cannot hold a {type(m).__name__} member ({m.name!r})"
        )
    label = "" if m.label is None else f' label="{escape_attr(m.label)}"'
    name = _name(m.name)
    if isinstance(m, ev.DefNumber):
        return (
            f'<defNumber name="{name}"{label} format="{escape_attr(m.format)}"'
            f' min="{number_to_wire(m.min)}" max="{number_to_wire(m.max)}"'
            f' step="{number_to_wire(m.step)}">{number_to_wire(m.value)}</defNumber>'
        )
    if isinstance(m, ev.DefText):
        return f'<defText name="{name}"{label}>{escape_text(m.value)}</defText>'
    if isinstance(m, ev.DefSwitch):
        return f'<defSwitch name="{name}"{label}>{"On" if m.value else "Off"}</defSwitch>'
    if isinstance(m, ev.DefLight):
        return f'<defLight name="{name}"{label}>{_state(m.value)}</defLight>'
    return f'<defBLOB name="{name}"{label}/>'


def _def_vector(e: ev.DefVector) -> bytes:
    kind = e.kind
    out = [f'<{e.tag} device="{_name(e.device)}" name="{_name(e.name)}"']
    _opt(out, "label", e.label)
    _opt(out, "group", e.group)
    out.append(f' state="{_state(e.state)}"')
    perm = getattr(e, "perm", None)
    if kind != "Light":
        out.append(f' perm="{_enum(_PERM_WIRE, Perm, perm)}"')
    if isinstance(e, ev.DefSwitchVector):
        out.append(f' rule="{_enum(_RULE_WIRE, Rule, e.rule)}"')
    if kind != "Light":
        out.append(f' timeout="{_timeout(e.timeout)}"')
    _opt(out, "timestamp", e.timestamp)
    _opt(out, "message", e.message)
    out.append(">")
    out.extend(_def_member(kind, m) for m in e.members)
    out.append(f"</{e.tag}>\n")
    return "".join(out).encode()


# ------------------------------------------------------------------ set and new vectors


def _one_texts(values: Mapping[str, object]) -> str:
    return "".join(
        [f'<oneText name="{_name(k)}">{escape_text(v)}</oneText>' for k, v in values.items()]  # type: ignore[arg-type]
    )


def _one_numbers(values: Mapping[str, object]) -> str:
    return "".join(
        [
            f'<oneNumber name="{_name(k)}">{number_to_wire(v)}</oneNumber>'  # type: ignore[arg-type]
            for k, v in values.items()
        ]
    )


def _one_switches(values: Mapping[str, object]) -> str:
    return "".join(
        [
            f'<oneSwitch name="{_name(k)}">{"On" if v else "Off"}</oneSwitch>'
            for k, v in values.items()
        ]
    )


def _one_lights(values: Mapping[str, object]) -> str:
    return "".join(
        [f'<oneLight name="{_name(k)}">{_state(v)}</oneLight>' for k, v in values.items()]
    )


_MEMBER_WRITERS: dict[str, Callable[[Mapping[str, object]], str]] = {
    "Text": _one_texts,
    "Number": _one_numbers,
    "Switch": _one_switches,
    "Light": _one_lights,
}


def _numbers_with_limits(values: Mapping[str, float], limits: Mapping[str, ev.NumberLimits]) -> str:
    out = []
    for k, v in values.items():
        extra = ""
        lim = limits.get(k)
        if lim is not None:
            for attr, x in zip(("min", "max", "step"), lim, strict=True):
                if x is not None:
                    extra += f' {attr}="{number_to_wire(x)}"'
        out.append(f'<oneNumber name="{_name(k)}"{extra}>{number_to_wire(v)}</oneNumber>')
    return "".join(out)


def _blobs(head: str, values: Mapping[str, object], tail: str) -> bytes:
    """A BLOB vector element: ``head``, every ``oneBLOB``, ``tail``, joined in one copy."""
    parts: list[bytes] = [head.encode()]
    for k, v in values.items():
        if not isinstance(v, BlobValue):
            raise LocalProtocolError(f"BLOB member {k!r} needs a BlobValue, not {type(v).__name__}")
        b64 = v.b64
        if b"<" in b64 or b"&" in b64:
            raise LocalProtocolError(f"BLOB member {k!r}: the base64 text contains '<' or '&'")
        length = "" if v.length is None else f' len="{int(v.length)}"'
        head = f'<oneBLOB name="{_name(k)}" size="{int(v.size)}" format="{escape_attr(v.format)}"'
        parts.append(f"{head}{length}>".encode())
        parts.append(b64)
        parts.append(b"</oneBLOB>")
    parts.append(tail.encode())
    return b"".join(parts)


def _set_vector(e: ev.SetVector) -> bytes:
    head = f'<{e.tag} device="{_name(e.device)}" name="{_name(e.name)}"'
    if e.state is not None:
        head += f' state="{_state(e.state)}"'
    if e.timeout is not None and e.kind != "Light":
        head += f' timeout="{_timeout(e.timeout)}"'
    if e.timestamp is not None:
        head += f' timestamp="{escape_attr(e.timestamp)}"'
    if e.message is not None:
        head += f' message="{escape_attr(e.message)}"'
    kind = e.kind
    if kind == "BLOB":
        return _blobs(head + ">", e.values, f"</{e.tag}>\n")
    if isinstance(e, ev.SetNumberVector) and e.limits:
        body = _numbers_with_limits(e.values, e.limits)
    else:
        body = _MEMBER_WRITERS[kind](e.values)
    return f"{head}>{body}</{e.tag}>\n".encode()


_SET_NUMBER_HEADS: dict[tuple[str, str], str] = {}
_ONE_NUMBER_OPEN: dict[str, str] = {}
_TIMEOUT_WIRE: dict[float, str] = {}
_TIMESTAMP_WIRE: dict[str, str] = {}
_float_repr = float.__repr__


def _cached(table: dict[Any, str], key: Any, make: Callable[[Any], str]) -> str:
    text = table.get(key)
    if text is None:
        if len(table) >= _NAME_CACHE_MAX:
            table.clear()
        text = table[key] = make(key)
    return text


def _set_number(e: ev.SetNumberVector) -> bytes:
    """The hot path: ``setNumberVector`` without limits, from cached pieces."""
    if e.limits:
        return _set_vector(e)
    key = (e.device, e.name)
    head = _SET_NUMBER_HEADS.get(key)
    if head is None:
        head = _cached(
            _SET_NUMBER_HEADS,
            key,
            lambda k: f'<setNumberVector device="{_name(k[0])}" name="{_name(k[1])}"',
        )
    parts = [head]
    if e.state is not None:
        parts.append(f' state="{_STATE_WIRE.get(e.state) or _state(e.state)}"')
    timeout = e.timeout
    if timeout is not None:
        wire = _TIMEOUT_WIRE.get(timeout)
        if wire is None:
            wire = _cached(_TIMEOUT_WIRE, timeout, lambda t: f' timeout="{_timeout(t)}"')
        parts.append(wire)
    stamp = e.timestamp
    if stamp is not None:
        wire = _TIMESTAMP_WIRE.get(stamp)
        if wire is None:
            _TIMESTAMP_WIRE.clear()  # timestamps change once a second: keep the last one
            wire = _TIMESTAMP_WIRE[stamp] = f' timestamp="{escape_attr(stamp)}">'
        parts.append(wire)
    else:
        parts.append(">")
    if e.message is not None:
        parts[-1] = f'{parts[-1][:-1]} message="{escape_attr(e.message)}">'
    opens = _ONE_NUMBER_OPEN
    for member, value in e.values.items():
        opening = opens.get(member)
        if opening is None:
            opening = _cached(opens, member, lambda m: f'<oneNumber name="{_name(m)}">')
        if type(value) is float and value - value == 0.0:  # finite float: the common case
            text = _float_repr(value)
            if text[-2:] == ".0":
                text = text[:-2]
        else:
            text = number_to_wire(value)
        parts.append(f"{opening}{text}</oneNumber>")
    parts.append("</setNumberVector>\n")
    return "".join(parts).encode()


def _new_vector(e: ev.NewVector) -> bytes:
    head = f'<{e.tag} device="{_name(e.device)}" name="{_name(e.name)}"'
    if e.timestamp is not None:
        head += f' timestamp="{escape_attr(e.timestamp)}"'
    if e.kind == "BLOB":
        return _blobs(head + ">", e.values, f"</{e.tag}>\n")
    return f"{head}>{_MEMBER_WRITERS[e.kind](e.values)}</{e.tag}>\n".encode()


# ------------------------------------------------------------------ the rest


def _get_properties(e: ev.GetProperties) -> bytes:
    out = [f'<getProperties version="{escape_attr(e.version or "1.7")}"']
    _opt(out, "device", e.device)
    _opt(out, "name", e.name)
    out.append("/>\n")
    return "".join(out).encode()


def _del_property(e: ev.DelProperty) -> bytes:
    out = [f'<delProperty device="{_name(e.device)}"']
    _opt(out, "name", e.name)
    _opt(out, "timestamp", e.timestamp)
    _opt(out, "message", e.message)
    out.append("/>\n")
    return "".join(out).encode()


def _message(e: ev.Message) -> bytes:
    out = ["<message"]
    _opt(out, "device", e.device)
    _opt(out, "timestamp", e.timestamp)
    _opt(out, "message", e.message)
    out.append("/>\n")
    return "".join(out).encode()


def _enable_blob(e: ev.EnableBLOB) -> bytes:
    out = [f'<enableBLOB device="{_name(e.device)}"']
    _opt(out, "name", e.name)
    out.append(f">{_enum(_MODE_WIRE, BlobMode, e.mode)}</enableBLOB>\n")
    return "".join(out).encode()


def _ping_request(e: ev.PingRequest) -> bytes:
    return f'<pingRequest uid="{escape_attr(e.uid)}"/>\n'.encode()


def _ping_reply(e: ev.PingReply) -> bytes:
    return f'<pingReply uid="{escape_attr(e.uid)}"/>\n'.encode()


def _unknown(e: ev.Unknown) -> bytes:
    return e.element_xml + b"\n"


_ENCODERS: dict[type[ev.Event], Callable[[Any], bytes]] = {
    ev.GetProperties: _get_properties,
    ev.DelProperty: _del_property,
    ev.Message: _message,
    ev.EnableBLOB: _enable_blob,
    ev.PingRequest: _ping_request,
    ev.PingReply: _ping_reply,
    ev.Unknown: _unknown,
}
for _def_cls, _set_cls, _new_cls in ev.VECTOR_CLASSES.values():
    _ENCODERS[_def_cls] = _def_vector
    _ENCODERS[_set_cls] = _set_vector
    if _new_cls is not None:
        _ENCODERS[_new_cls] = _new_vector
_ENCODERS[ev.SetNumberVector] = _set_number


def _lookup(cls: type[ev.Event]) -> Callable[[Any], bytes]:
    for base in cls.__mro__:
        found = _ENCODERS.get(base)
        if found is not None:
            _ENCODERS[cls] = found
            return found
    raise LocalProtocolError(f"{cls.__name__} events cannot be sent")


def encode(event: ev.Event) -> bytes:
    """Serialize ``event`` to INDI wire bytes, without any direction checks.

    This is the fast path for code that already knows what it may send (a
    server forwarding updates); :meth:`Connection.send
    <indiflask.protocol.connection.Connection.send>` adds the checks.
    :class:`~indiflask.protocol.events.Unknown` is written back as its raw XML.

    :param event: any sendable event (not :class:`~indiflask.protocol.events.Invalid`).
    :returns: one complete element, UTF-8, ending in ``\\n``.
    :raises LocalProtocolError: for events that cannot be put on the wire: a
        non-finite number, text XML cannot carry, a value of the wrong type.

    .. versionadded:: 0.1
    """
    try:
        writer = _ENCODERS[type(event)]
    except KeyError:
        writer = _lookup(type(event))
    try:
        return writer(event)
    except LocalProtocolError:
        raise
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise LocalProtocolError(f"cannot send {type(event).__name__}: {exc}") from exc
