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
Entities are never expanded and nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from ..protocol import events as ev
from ..protocol.blobs import BlobValue
from ..protocol.codec_parse import parse_element
from ..protocol.values import format_switch

__all__ = ["ConfigDocument", "parse_config", "render_config"]

#: The largest configuration file read, in bytes (a BLOB or two at most).
MAX_CONFIG_BYTES = 16 * 2**20

_CHANGE_TAGS = frozenset(f"new{kind}Vector" for kind in ("Number", "Text", "Switch", "BLOB"))


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
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"not a configuration file: {exc}") from None
    if root is None:
        raise ConfigError("not a configuration file: empty")
    document = ConfigDocument()
    for child in root:
        if not isinstance(child.tag, str):
            continue  # a comment or processing instruction
        where = f"line {child.sourceline}: <{child.tag}>"
        if child.tag not in _CHANGE_TAGS:
            document.problems.append(f"{where} is not a saved property (new*Vector); skipped")
            continue
        if not child.get("device") or not child.get("name"):
            document.problems.append(f"{where} names no device or property; skipped")
            continue
        event = parse_element(child)
        if isinstance(event, ev.NewVector):
            document.entries.append(event)
        else:
            reason = getattr(event, "reason", "unreadable")
            document.problems.append(f"{where} {child.get('name')!r}: {reason}; skipped")
    return document


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
