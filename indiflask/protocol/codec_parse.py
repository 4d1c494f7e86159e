"""Turn one top-level element into an event (the receiving half of the codec).

Parsing is table-driven by tag and forgiving where real peers are sloppy
(libindi's peers among them):

* attribute quoting and unknown attributes do not matter; ``getProperties``
  may lack ``version`` (the event then has ``version=None``);
* member text is trimmed of XML whitespace (libindi trims it too, and
  indiserver re-indents what it forwards);
* a missing ``state``, ``perm``, ``rule``, ``label``, ``group``, ``timeout``
  or ``format`` takes the event's default (``perm`` defaults to ``rw``, or
  ``ro`` for BLOB vectors); ``wo`` switch vectors are accepted;
* libindi's extra ``min``/``max``/``step`` on ``oneNumber`` become
  :attr:`~indiflask.protocol.events.SetNumberVector.limits`; ``len`` on ``oneBLOB``
  becomes :attr:`~indiflask.protocol.blobs.BlobValue.length`; ``enclen`` and ``attached``
  are ignored;
* child elements with unexpected tags are ignored.

What cannot be accepted (a missing ``device``/``name``, a number that does not
parse, a switch that is neither On nor Off, a duplicate member, a definition
without members) becomes an :class:`~indiflask.protocol.events.Invalid` event
whose ``reason`` says what was wrong. Unrecognised tags become
:class:`~indiflask.protocol.events.Unknown`. No well-formed element raises.

BLOB base64 text is kept as it came (only surrounding whitespace is trimmed);
it is never decoded here.

The parsers work on :mod:`~indiflask.protocol.nodes` (plain lists), which the
stream reader (:mod:`~indiflask.protocol.reader`) builds straight from parser
callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

from . import events as ev
from .blobs import BlobValue
from .nodes import ATTR, KIDS, TAG, TEXT, Node, node_xml
from .numbers import parse_number
from .values import BlobMode, Perm, Rule, State

__all__ = ["TOP_LEVEL_TAGS", "parse_node"]

_WS = " \t\n\r"
_E = TypeVar("_E", bound=Enum)


class _Bad(Exception):
    """Raised inside the parsers; becomes an Invalid event."""


def _table(cls: type[_E]) -> dict[str, _E]:
    return {str(member.value): member for member in cls}


_STATES = _table(State)
_PERMS = _table(Perm)
_RULES = _table(Rule)
_MODES = _table(BlobMode)


def _enum(cls: type[_E], table: dict[str, _E], text: str, what: str) -> _E:
    found = table.get(text)
    if found is not None:
        return found
    try:
        return cls(text)
    except ValueError:
        allowed = ", ".join(table)
        raise _Bad(f"{what} {text!r} is not one of {allowed}") from None


def _or(value: str | None, default: str) -> str:
    return default if value is None else value


def _req(element: Node, attr: str) -> str:
    value: str | None = element[ATTR].get(attr)
    if value is None:
        raise _Bad(f"<{element[TAG]}> has no {attr} attribute")
    return value


def _number(text: str | None, what: str) -> float:
    try:
        return parse_number(text or "")
    except ValueError as exc:
        raise _Bad(f"{what}: {exc}") from None


def _switch(text: str | None, what: str) -> bool:
    word = (text or "").strip(_WS)
    if word == "On":
        return True
    if word == "Off":
        return False
    low = word.lower()
    if low in ("on", "off"):
        return low == "on"
    raise _Bad(f"{what}: switch value {word!r} is neither On nor Off")


def _light(text: str | None, what: str) -> State:
    return _enum(State, _STATES, (text or "").strip(_WS), f"{what}: light value")


def _state(element: Node) -> State | None:
    text = element[ATTR].get("state")
    return None if text is None else _enum(State, _STATES, text, "state")


def _timeout(element: Node) -> float | None:
    text = element[ATTR].get("timeout")
    return None if text is None else _number(text, "timeout")


def _members(element: Node, tag: str) -> list[Node]:
    return [child for child in element[KIDS] if child[TAG] == tag]


def _name(member: Node) -> str:
    name: str | None = member[ATTR].get("name")
    if name is None:
        raise _Bad(f"a <{member[TAG]}> has no name attribute")
    return name


# ------------------------------------------------------------------ definitions


def _def_text(m: Node) -> ev.DefText:
    return ev.DefText(name=_name(m), label=m[ATTR].get("label"), value=(m[TEXT] or "").strip(_WS))


def _def_number(m: Node) -> ev.DefNumber:
    name = _name(m)
    get = m[ATTR].get
    return ev.DefNumber(
        name=name,
        label=get("label"),
        format=_or(get("format"), "%g"),
        min=_number(get("min"), f"{name} min") if get("min") is not None else 0.0,
        max=_number(get("max"), f"{name} max") if get("max") is not None else 0.0,
        step=_number(get("step"), f"{name} step") if get("step") is not None else 0.0,
        value=_number(m[TEXT], f"member {name}"),
    )


def _def_switch(m: Node) -> ev.DefSwitch:
    name = _name(m)
    return ev.DefSwitch(
        name=name, label=m[ATTR].get("label"), value=_switch(m[TEXT], f"member {name}")
    )


def _def_light(m: Node) -> ev.DefLight:
    name = _name(m)
    return ev.DefLight(
        name=name, label=m[ATTR].get("label"), value=_light(m[TEXT], f"member {name}")
    )


def _def_blob(m: Node) -> ev.DefBLOB:
    return ev.DefBLOB(name=_name(m), label=m[ATTR].get("label"))


_DEF_MEMBERS: dict[str, tuple[str, Callable[[Node], ev.DefMember]]] = {
    "Text": ("defText", _def_text),
    "Number": ("defNumber", _def_number),
    "Switch": ("defSwitch", _def_switch),
    "Light": ("defLight", _def_light),
    "BLOB": ("defBLOB", _def_blob),
}


def _make_def(cls: type[ev.DefVector]) -> Callable[[Node], ev.Event]:
    member_tag, parse_member = _DEF_MEMBERS[cls.kind]
    has_perm = cls.kind != "Light"
    default_perm = Perm.RO if cls.kind == "BLOB" else Perm.RW

    def parse(element: Node) -> ev.Event:
        get = element[ATTR].get
        members = tuple(parse_member(m) for m in _members(element, member_tag))
        if not members:
            raise _Bad(f"<{element[TAG]}> defines no <{member_tag}> members")
        if len({m.name for m in members}) != len(members):
            raise _Bad(f"<{element[TAG]}> defines a member name twice")
        kwargs: dict[str, object] = {
            "device": _req(element, "device"),
            "name": _req(element, "name"),
            "label": get("label"),
            "group": get("group"),
            "state": _state(element) or State.IDLE,
            "timeout": _timeout(element) or 0.0,
            "timestamp": get("timestamp"),
            "message": get("message"),
            "members": members,
        }
        if has_perm:
            perm = get("perm")
            kwargs["perm"] = default_perm if perm is None else _enum(Perm, _PERMS, perm, "perm")
        if cls.kind == "Switch":
            rule = get("rule")
            kwargs["rule"] = Rule.ONE_OF_MANY if rule is None else _enum(Rule, _RULES, rule, "rule")
        return cls(**kwargs)  # type: ignore[arg-type]

    return parse


# ------------------------------------------------------------------ member values


def _text_values(members: list[Node]) -> dict[str, object]:
    return {_name(m): (m[TEXT] or "").strip(_WS) for m in members}


def _number_values(members: list[Node]) -> dict[str, object]:
    values: dict[str, object] = {}
    for m in members:
        name = _name(m)
        values[name] = _number(m[TEXT], f"member {name}")
    return values


def _switch_values(members: list[Node]) -> dict[str, object]:
    return {(name := _name(m)): _switch(m[TEXT], f"member {name}") for m in members}


def _light_values(members: list[Node]) -> dict[str, object]:
    return {(name := _name(m)): _light(m[TEXT], f"member {name}") for m in members}


def _blob_values(members: list[Node]) -> dict[str, object]:
    values: dict[str, object] = {}
    for m in members:
        name = _name(m)
        size_text = m[ATTR].get("size")
        if size_text is None:
            raise _Bad(f"oneBLOB {name} has no size attribute")
        size_text = size_text.strip(_WS)
        length_text = m[ATTR].get("len")
        if not size_text.isdigit() or not size_text.isascii():
            raise _Bad(f"oneBLOB {name}: size {size_text!r} is not a byte count")
        length: int | None = None
        if length_text is not None:
            length_text = length_text.strip(_WS)
            if not length_text.isdigit() or not length_text.isascii():
                raise _Bad(f"oneBLOB {name}: len {length_text!r} is not a byte count")
            length = int(length_text)
        text = m[TEXT]
        b64 = text.strip(_WS).encode() if text else b""
        values[name] = BlobValue(_or(m[ATTR].get("format"), ""), int(size_text), b64, length)
    return values


_ONE_VALUES: dict[str, tuple[str, Callable[[list[Node]], dict[str, object]]]] = {
    "Text": ("oneText", _text_values),
    "Number": ("oneNumber", _number_values),
    "Switch": ("oneSwitch", _switch_values),
    "Light": ("oneLight", _light_values),
    "BLOB": ("oneBLOB", _blob_values),
}


def _values(element: Node, kind: str) -> dict[str, object]:
    member_tag, parse_values = _ONE_VALUES[kind]
    members = _members(element, member_tag)
    values = parse_values(members)
    if len(values) != len(members):
        raise _Bad(f"<{element[TAG]}> names a member twice")
    return values


def _limits(element: Node) -> dict[str, ev.NumberLimits] | None:
    limits: dict[str, ev.NumberLimits] | None = None
    for m in element[KIDS]:
        if m[TAG] != "oneNumber":
            continue
        get = m[ATTR].get
        lo, hi, step = get("min"), get("max"), get("step")
        if lo is None and hi is None and step is None:
            continue
        name = get("name") or ""
        if limits is None:
            limits = {}
        limits[name] = (
            None if lo is None else _number(lo, f"{name} min"),
            None if hi is None else _number(hi, f"{name} max"),
            None if step is None else _number(step, f"{name} step"),
        )
    return limits


_SET_FIELDS = ("device", "name", "state", "timeout", "timestamp", "message", "values")
_NEW_FIELDS = ("device", "name", "timestamp", "values")


def _make_set(cls: type[ev.SetVector]) -> Callable[[Node], ev.Event]:
    kind = cls.kind
    build = ev.positional_builder(cls, _SET_FIELDS)

    def parse(element: Node) -> ev.Event:
        get = element[ATTR].get
        device = get("device")
        name = get("name")
        if device is None or name is None:
            raise _Bad(f"<{element[TAG]}> has no {'name' if device else 'device'} attribute")
        state = get("state")
        timeout = get("timeout")
        return build(
            device,
            name,
            None if state is None else _enum(State, _STATES, state, "state"),
            None if timeout is None else _number(timeout, "timeout"),
            get("timestamp"),
            get("message"),
            _values(element, kind),
        )

    return parse


#: Timeout texts seen so far (few distinct ones exist), to their values.
_TIMEOUTS: dict[str, float] = {}


def _timeout_value(text: str) -> float:
    value = _number(text, "timeout")
    if value and len(_TIMEOUTS) < 256:
        _TIMEOUTS[text] = value
    return value


_build_set_number = ev.positional_builder(ev.SetNumberVector, (*_SET_FIELDS, "limits"))


def _set_number(element: Node) -> ev.Event:
    """``setNumberVector``, the most frequent message, in one pass."""
    get = element[ATTR].get
    device = get("device")
    name = get("name")
    if device is None or name is None:
        raise _Bad(f"<setNumberVector> has no {'name' if device else 'device'} attribute")
    state = get("state")
    timeout = get("timeout")
    values: dict[str, float] = {}
    limits: dict[str, ev.NumberLimits] | None = None
    kids = element[KIDS]
    skipped = 0
    for m in kids:
        if m[TAG] != "oneNumber":
            skipped += 1
            continue
        attrs = m[ATTR]
        member = attrs.get("name")
        if member is None:
            raise _Bad("a <oneNumber> has no name attribute")
        if len(attrs) > 1 and limits is None:
            limits = _limits(element)  # libindi's min/max/step, if any
        text = m[TEXT]
        # parse_number inlined for plain decimals; anything else takes the full path.
        try:
            value = float(text)
        except (ValueError, TypeError):
            value = _number(text, f"member {member}")
        else:
            if value - value != 0.0 or "_" in text or not text.isascii():
                value = _number(text, f"member {member}")  # nan, inf or not plain
        values[member] = value
    if len(values) != len(kids) - skipped:
        raise _Bad("<setNumberVector> names a member twice")
    return _build_set_number(
        device,
        name,
        None if state is None else _STATES.get(state) or _enum(State, _STATES, state, "state"),
        None if timeout is None else _TIMEOUTS.get(timeout) or _timeout_value(timeout),
        get("timestamp"),
        get("message"),
        values,
        limits,
    )


def _make_new(cls: type[ev.NewVector]) -> Callable[[Node], ev.Event]:
    kind = cls.kind
    build = ev.positional_builder(cls, _NEW_FIELDS)

    def parse(element: Node) -> ev.Event:
        return build(
            _req(element, "device"),
            _req(element, "name"),
            element[ATTR].get("timestamp"),
            _values(element, kind),
        )

    return parse


# ------------------------------------------------------------------ the rest


def _get_properties(element: Node) -> ev.Event:
    get = element[ATTR].get
    return ev.GetProperties(device=get("device"), name=get("name"), version=get("version"))


def _del_property(element: Node) -> ev.Event:
    get = element[ATTR].get
    return ev.DelProperty(
        device=_req(element, "device"),
        name=get("name"),
        timestamp=get("timestamp"),
        message=get("message"),
    )


def _message(element: Node) -> ev.Event:
    get = element[ATTR].get
    return ev.Message(device=get("device"), timestamp=get("timestamp"), message=get("message"))


def _enable_blob(element: Node) -> ev.Event:
    mode = _enum(BlobMode, _MODES, (element[TEXT] or "").strip(_WS), "enableBLOB mode")
    return ev.EnableBLOB(device=_req(element, "device"), name=element[ATTR].get("name"), mode=mode)


def _ping_request(element: Node) -> ev.Event:
    return ev.PingRequest(uid=element[ATTR].get("uid") or "")


def _ping_reply(element: Node) -> ev.Event:
    return ev.PingReply(uid=element[ATTR].get("uid") or "")


_PARSERS: dict[str, Callable[[Node], ev.Event]] = {
    "getProperties": _get_properties,
    "delProperty": _del_property,
    "message": _message,
    "enableBLOB": _enable_blob,
    "pingRequest": _ping_request,
    "pingReply": _ping_reply,
}
for _def_cls, _set_cls, _new_cls in ev.VECTOR_CLASSES.values():
    _PARSERS[_def_cls.tag] = _make_def(_def_cls)
    _PARSERS[_set_cls.tag] = _make_set(_set_cls)
    if _new_cls is not None:
        _PARSERS[_new_cls.tag] = _make_new(_new_cls)
_PARSERS["setNumberVector"] = _set_number

#: The tags of INDI's top-level elements (never found inside another element).
TOP_LEVEL_TAGS = frozenset(_PARSERS)


def parse_node(node: Node) -> ev.Event:
    """Turn one complete top-level :mod:`node <indiflask.protocol.nodes>` into an event.

    :returns: the matching event; :class:`~indiflask.protocol.events.Invalid`
        for content that is not valid INDI; :class:`~indiflask.protocol.events.Unknown`
        for tags INDI does not define. Never raises for a well-formed element.

    .. versionadded:: 0.1
    """
    tag: str = node[TAG]
    parse = _PARSERS.get(tag)
    if parse is None:
        return ev.Unknown(element_tag=tag, element_xml=node_xml(node))
    try:
        return parse(node)
    except (_Bad, ValueError) as exc:
        get = node[ATTR].get
        return ev.Invalid(
            element_tag=tag,
            reason=str(exc),
            device=get("device"),
            name=get("name"),
            element_xml=node_xml(node),
            timestamp=get("timestamp"),
        )
