"""Parse an INDI byte stream element by element, without building lxml trees.

:class:`StreamReader` is the parsing half of the one way from bytes to events,
which :class:`~indiflask.protocol.connection.Connection` drives. It keeps every
rule of :class:`~indiflask.protocol.stream.StreamCutter` (any chunking, BLOB
text far above 10 MB, the per-element byte cap, no DTD or entity expansion,
sticky :class:`~indiflask.errors.RemoteProtocolError`, flat memory) and adds
the parser: an :class:`lxml.etree.XMLParser` with a *target*, which libxml2
calls back (``start``/``end``/``data``) as it reads. The target builds light
:mod:`~indiflask.protocol.nodes` (plain lists) instead of an element tree, so
no ``_Element`` proxies, tree bookkeeping or per-attribute method calls are
paid for, and text arrives through ``list.append`` with no Python frame at all.

Each top-level node is handed to a ``convert`` function the moment it closes
(:func:`~indiflask.protocol.codec_parse.parse_node`, or the connection's checking
version of it), and freed right after::

    reader = StreamReader(parse_node)
    reader.feed(b'<pingRequest uid="1"/><getProp')   # [PingRequest(uid='1')]
    reader.feed(b'erties version="1.7"/>')           # [GetProperties(...)]
    reader.close()                                   # at EOF
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from lxml import etree

from .codec_parse import TOP_LEVEL_TAGS
from .nodes import Node
from .stream import DEFAULT_MAX_ELEMENT_BYTES, PARSER_OPTIONS, StreamCutter

__all__ = ["Partial", "StreamReader"]

_T = TypeVar("_T")


class _Target:
    """The parser target: builds one node tree per top-level element.

    INDI elements are two levels deep (a vector and its members), so the open
    top-level node and the open member are kept in fields; only deeper nesting,
    which INDI never uses, goes through a stack.

    ``data`` is the bound ``append`` of :attr:`buf`, so text costs no Python
    frame; it is settled on each ``start``/``end`` into the node it belongs to
    (the open node's text, or the tail of its last child).
    """

    __slots__ = ("broken", "buf", "convert", "data", "deep", "done", "member", "rooted", "top")

    def __init__(self, convert: Callable[[Node], Any]) -> None:
        # What a finished top-level node becomes. Converting at once (rather than
        # after the feed) frees each node right away, which keeps the cyclic
        # garbage collector from running every few elements.
        self.convert = convert
        self.done: list[Any] = []  # finished top-level items, taken after each feed
        self.top: Node | None = None  # the open top-level node
        self.member: Node | None = None  # its open child
        self.deep: list[Node] = []  # open nodes below the member
        self.buf: list[str] = []  # text not yet settled
        self.data = self.buf.append
        self.rooted = False  # the synthetic root was seen
        #: Why the stream cannot be INDI (an element left open), or ``None``.
        self.broken: str | None = None

    def start(self, tag: str, attrib: Mapping[str, str], nsmap: Mapping[str, str]) -> None:
        # A leaf keeps the empty tuple as its children; the first child makes a list.
        node = [tag, attrib, None, None, (), nsmap]
        top = self.top
        if top is not None and tag in TOP_LEVEL_TAGS and self.broken is None:
            # INDI never nests these: the element before was left open (a missing "/>").
            self.broken = f"<{tag}> inside <{top[0]}>: the <{top[0]}> before it was never closed"
        if self.member is not None:
            self._start_deep(node)
            return
        if top is not None:
            kids = top[4]
            buf = self.buf
            if buf:
                self._settle(top)
            if kids:
                kids.append(node)
            else:
                top[4] = [node]
            self.member = node
        elif self.rooted:
            self.buf.clear()  # text between top-level elements
            self.top = node
        else:
            self.rooted = True

    def end(self, tag: str) -> None:
        if self.deep:
            self._settle(self.deep.pop())
            return
        member = self.member
        buf = self.buf
        if member is not None:
            self.member = None
            if buf:
                if member[4]:
                    self._settle(member)
                else:
                    member[2] = "".join(buf)
                    buf.clear()
            return
        top = self.top
        if top is None:
            return  # the synthetic root, at close()
        if buf:
            self._settle(top)
        self.top = None
        self.done.append(self.convert(top))

    def close(self) -> None:
        return None

    def _settle(self, node: Node) -> None:
        """Give the gathered text to ``node`` (before its first child) or its last child."""
        buf = self.buf
        text = "".join(buf)
        buf.clear()
        kids = node[4]
        if kids:
            kids[-1][3] = text
        else:
            node[2] = text

    def _start_deep(self, node: Node) -> None:
        deep = self.deep
        parent = deep[-1] if deep else self.member
        assert parent is not None
        if self.buf:
            self._settle(parent)
        if parent[4]:
            parent[4].append(node)
        else:
            parent[4] = [node]
        deep.append(node)


class Partial(NamedTuple):
    """The top-level element being received, before it is complete."""

    #: Its tag.
    tag: str
    #: Its attributes.
    attrib: Mapping[str, str]
    #: The attributes of its open member (child element), or ``None`` between members.
    member: Mapping[str, str] | None
    #: Bytes received since the previous element closed (what the byte cap counts).
    received: int


class StreamReader(StreamCutter[_T]):
    """Incremental reader of an INDI byte stream: what each top-level element becomes.

    :param convert: what a complete top-level :mod:`node <indiflask.protocol.nodes>`
        becomes (called as soon as the element closes; it must not raise).
    :param max_element_bytes: the largest top-level element accepted, in bytes.

    :meth:`~indiflask.protocol.stream.StreamCutter.feed` returns the converted
    elements a chunk completed; when complete elements precede malformed bytes,
    they are returned and :attr:`~indiflask.protocol.stream.StreamCutter.error`
    is set, and the next call raises it.
    """

    def __init__(
        self, convert: Callable[[Node], _T], *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES
    ) -> None:
        self._target = _Target(convert)
        target: Any = self._target  # lxml's stubs want str | bytes tags
        super().__init__(
            etree.XMLParser(target=target, **PARSER_OPTIONS), max_element_bytes=max_element_bytes
        )

    def _after_feed(self, out: list[_T]) -> None:
        target = self._target
        done = target.done
        if done:
            out += done
            done.clear()
        if target.broken is not None:
            self._fail(f"malformed INDI: {target.broken}")
        top = target.top
        if top is not None:
            self._depth = 1
            self._tag = top[0]
        else:
            self._depth = 0
            self._tag = None
            target.buf.clear()

    def partial(self) -> Partial | None:
        """The top-level element being received, or ``None`` between elements.

        Lets a receiver show progress on a large element (a BLOB) before it is complete.
        """
        target = self._target
        top = target.top
        if top is None:
            return None
        member = target.member
        return Partial(top[0], top[1], member[1] if member is not None else None, self._count)
