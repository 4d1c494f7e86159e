"""Saved configuration files, sans-IO: libindi's ``<INDIDriver>`` format read and written.

A configuration file holds, inside one root element (``<INDIDriver>``), one
``new*Vector`` per saved property, each naming its ``device`` and ``name``,
with one ``one*`` element per member::

    <INDIDriver>
    <newNumberVector device='Focuser' name='FOCUS_MAX'>
      <oneNumber name='FOCUS_MAX_VALUE'>
          54321.099999999998545
      </oneNumber>
    </newNumberVector>
    </INDIDriver>

This is the layout libindi's drivers write: single quotes, numbers at full
precision (``%.20g``), switch vectors with every member, no timestamps. One file
may hold several devices' properties (when ``$INDICONFIG`` names it for a whole
driver). Reading is forgiving where libindi is (another root tag, double quotes,
extra attributes, an XML declaration, comments) and strict where a change would
be wrong: an element without ``device`` or ``name``, a tag that is not a
``new*Vector`` or a value that does not parse is reported, not applied.

The file is read the way every INDI stream is, by an unchecked
:class:`~indiflask.protocol.connection.Connection`: the root element's start and
end tags are cut off, and what was inside them is the stream. So the same rules
hold (entities are never expanded, nothing is fetched, no DTD takes effect) and
the values parse exactly as they do on the wire.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import RemoteProtocolError
from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.connection import Connection, Role
from ..protocol.values import format_switch

__all__ = ["ConfigDocument", "parse_config", "render_config"]

#: The largest configuration file read, in bytes (a BLOB or two at most).
MAX_CONFIG_BYTES = 16 * 2**20

_CHANGE_TAGS = frozenset(f"new{kind}Vector" for kind in ("Number", "Text", "Switch", "BLOB"))

#: What may come before the root element (the stream reader judges it).
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:[ \t\r\n]+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
#: The root element's start tag (group 1: its tag; group 2: "/" if it is empty).
_ROOT_START = re.compile(
    rb"<([A-Za-z_][\w.:-]*)(?:[ \t\r\n]+[^ \t\r\n=/>]+[ \t\r\n]*=[ \t\r\n]*"
    rb"(?:\"[^\"]*\"|'[^']*'))*[ \t\r\n]*(/?)>"
)


@dataclass(slots=True)
class ConfigDocument:
    """What a configuration file says: the saved changes, and what could not be read."""

    #: One ``new*Vector`` per saved property, in file order.
    entries: list[ev.NewVector] = field(default_factory=list)
    #: One sentence per element that was skipped, and why.
    problems: list[str] = field(default_factory=list)

    def for_device(self, device: str) -> list[ev.NewVector]:
        """The entries of one device."""
        return [e for e in self.entries if e.device == device]


class ConfigError(ValueError):
    """The file is not a configuration file at all (not XML, no root element, too big)."""


def parse_config(data: bytes) -> ConfigDocument:
    """Read a configuration file's bytes.

    :raises ConfigError: when the bytes are not an XML document with a root element.
    """
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{len(data)} bytes is too large for a configuration file")
    conn = Connection(Role.DEVICE, checked=False, max_element_bytes=MAX_CONFIG_BYTES)
    body = _inside_root(data)
    if body:
        conn.receive_data(body)
    conn.receive_data(b"")  # end of file
    try:
        events = conn.events()
        if conn.error is not None:
            raise conn.error
    except RemoteProtocolError as exc:
        raise ConfigError(f"not a configuration file: {exc}") from None
    document = ConfigDocument()
    for number, event in enumerate(events, 1):
        problem = _problem(event)
        if problem is None and isinstance(event, ev.NewVector):
            document.entries.append(event)
        else:
            document.problems.append(f"element {number}: {problem}; skipped")
    return document


def _inside_root(data: bytes) -> bytes:
    """``data`` without its root element's start and end tags (what is before and after stays).

    :raises ConfigError: when there is no root element, or it never ends.
    """
    prolog = _PROLOG.match(data)
    start = _ROOT_START.match(data, prolog.end() if prolog else 0)
    if start is None:
        raise ConfigError("not a configuration file: no root element")
    if start.group(2):  # <INDIDriver/>: nothing saved
        return data[: start.start()] + data[start.end() :]
    end_tag = b"</" + start.group(1)
    end = data.rfind(end_tag)
    close = data.find(b">", end) if end >= start.end() else -1
    if close < 0 or data[end + len(end_tag) : close].strip(b" \t\r\n"):
        raise ConfigError(f"not a configuration file: <{start.group(1).decode()}> never ends")
    return data[: start.start()] + data[start.end() : end] + data[close + 1 :]


def _problem(event: ev.Event) -> str | None:
    """Why ``event``, read from a configuration file, cannot be applied (``None``: it can)."""
    if isinstance(event, ev.Unknown):
        return f"<{event.element_tag}> is not a saved property (new*Vector)"
    if isinstance(event, ev.Invalid):
        if event.element_tag not in _CHANGE_TAGS:
            return f"<{event.element_tag}> is not a saved property (new*Vector)"
        if not event.device or not event.name:
            return f"<{event.element_tag}> names no device or property"
        return f"<{event.element_tag}> {event.name!r}: {event.reason}"
    if not isinstance(event, ev.NewVector):
        return f"<{event.tag}> is not a saved property (new*Vector)"
    if not event.device or not event.name:
        return f"<{event.tag}> names no device or property"
    return None


def render_config(entries: Iterable[ev.NewVector]) -> bytes:
    """The bytes of a configuration file holding ``entries``, in libindi's layout."""
    lines = ["<INDIDriver>"]
    for entry in entries:
        tag = entry.tag
        member = "one" + tag[3:-6]
        lines.append(f"<{tag} device={_q(entry.device)} name={_q(entry.name)}>")
        for name, value in entry.values.items():
            extra = ""
            if isinstance(value, BlobValue):
                extra = f" size='{value.size}' format={_q(value.format)}"
            lines.append(f"  <{member} name={_q(name)}{extra}>")
            lines.append(f"      {_text(value)}")
            lines.append(f"  </{member}>")
        lines.append(f"</{tag}>")
    lines.append("</INDIDriver>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _q(text: str) -> str:
    """An attribute value in single quotes, escaped (libindi's drivers write single quotes)."""
    return "'" + _escape(text).replace("'", "&apos;") + "'"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return format_switch(value)
    if isinstance(value, float):
        return "%.20g" % value  # noqa: UP031  (C's %.20g, as libindi writes numbers)
    if isinstance(value, BlobValue):
        return value.b64.decode("ascii")
    return _escape(str(value))
