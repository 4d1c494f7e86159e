"""Nodes: the light, plain-Python form of one received XML element.

The codec parses *nodes* rather than lxml elements. A node is a list, because
a list literal is the cheapest container Python can build, and the stream
reader (:mod:`indiflask.protocol.reader`) builds one per element on its hot
path::

    [tag, attrib, text, tail, children, nsmap]

========  ======================================================================
index     content
========  ======================================================================
``TAG``   the tag, with any namespace in Clark notation (``{urn:x}a``)
``ATTR``  the attributes, a read-only mapping of name to value
``TEXT``  the text before the first child, or ``None``
``TAIL``  the text after the element's end tag (inside its parent), or ``None``
``KIDS``  the child nodes: a list (the empty tuple for a leaf)
``NS``    the namespaces the element declares (prefix ``""`` is the default; may be empty)
========  ======================================================================

:func:`node_xml` serializes a node back to XML exactly as lxml would serialize
the element it came from, for :class:`~indiflask.protocol.events.Unknown` and
:class:`~indiflask.protocol.events.Invalid` events.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .codec_write import escape_attr, escape_text

__all__ = ["ATTR", "KIDS", "NS", "TAG", "TAIL", "TEXT", "Node", "node_xml"]

#: A node: ``[tag, attrib, text, tail, children, nsmap]`` (see the module docstring).
Node = list[Any]

TAG, ATTR, TEXT, TAIL, KIDS, NS = range(6)


def node_xml(node: Node) -> bytes:
    """Serialize ``node`` alone (without its tail) as UTF-8 bytes, as lxml does.

    Works without recursion, so arbitrarily deep nodes are fine. Never raises:
    a name that XML allows but XML namespaces do not (``a:``, ``:a``, ``a:b:c``),
    which libxml2 lets through and lxml will not build, is written as it came.
    """
    try:
        return _lxml_xml(node)
    except ValueError:
        return _plain_xml(node)


def _lxml_xml(node: Node) -> bytes:
    builder = etree.TreeBuilder()
    # Each entry is a node to open, or (tail, tag) to close a node and add its tail.
    todo: list[Any] = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, tuple):
            builder.end(item[1])
            if item[0]:
                builder.data(item[0])
            continue
        nsmap = item[NS]
        if nsmap:
            nsmap = {(prefix or None): uri for prefix, uri in nsmap.items()}
        builder.start(item[TAG], dict(item[ATTR]), nsmap)  # type: ignore[call-arg]
        if item[TEXT]:
            builder.data(item[TEXT])
        todo.append((item[TAIL] if item is not node else None, item[TAG]))
        todo.extend(reversed(item[KIDS]))
    root = builder.close()
    return etree.tostring(root, encoding="utf-8", with_tail=False)


def _plain_xml(node: Node) -> bytes:
    """``node`` written by hand: names as they came (a namespace URI is dropped)."""
    parts: list[str] = []
    todo: list[Any] = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, tuple):
            parts.append(f"</{item[1]}>")
            if item[0]:
                parts.append(escape_text(item[0]))
            continue
        tag = _local(item[TAG])
        attrs = [f' {_local(k)}="{escape_attr(v)}"' for k, v in item[ATTR].items()]
        for prefix, uri in (item[NS] or {}).items():
            attrs.append(f' xmlns{":" if prefix else ""}{prefix or ""}="{escape_attr(uri)}"')
        kids = item[KIDS]
        if not kids and not item[TEXT]:
            parts.append(f"<{tag}{''.join(attrs)}/>")
            if item[TAIL] and item is not node:
                parts.append(escape_text(item[TAIL]))
            continue
        parts.append(f"<{tag}{''.join(attrs)}>")
        if item[TEXT]:
            parts.append(escape_text(item[TEXT]))
        todo.append((item[TAIL] if item is not node else None, tag))
        todo.extend(reversed(kids))
    return "".join(parts).encode("utf-8")


def _local(name: str) -> str:
    """``name`` without a ``{namespace}`` part."""
    return name.rpartition("}")[2] if name.startswith("{") else name
