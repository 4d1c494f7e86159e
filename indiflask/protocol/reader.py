"""Read an INDI byte stream straight into events, without building lxml trees.

:class:`EventReader` is the fast path from bytes to events. It keeps every
guarantee of :class:`~indiflask.protocol.framer.Framer` (any chunking, BLOB
text far above 10 MB, the per-element byte cap, no DTD or entity expansion,
sticky :class:`~indiflask.errors.RemoteProtocolError`, flat memory), because it
shares the framer's stream handling (:class:`~indiflask.protocol.framer.StreamCutter`)
and libxml2 options. Only the parser differs: an
:class:`lxml.etree.XMLParser` with a *target* calls back ``start``/``end``/
``data`` as it reads, and the target builds light
:mod:`~indiflask.protocol.nodes` (plain lists) instead of an element tree.
libxml2 does the same parsing work, but no ``_Element`` proxies, tree
bookkeeping or per-attribute method calls are paid for; text arrives through
``list.append`` with no Python frame at all.

:class:`NodeReader` hands out the nodes themselves, for callers that need more
than the event (the raw XML of a refused element, the member texts as written).

::

    reader = EventReader()
    reader.feed(b'<pingRequest uid="1"/><getProp')   # [PingRequest(uid='1')]
    reader.feed(b'erties version="1.7"/>')           # [GetProperties(...)]
    reader.close()                                   # at EOF
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from . import events as ev
from .codec_parse import TOP_LEVEL_TAGS, parse_node
from .framer import _ROOT_START, DEFAULT_MAX_ELEMENT_BYTES, PARSER_OPTIONS, StreamCutter
from .nodes import Node

__all__ = ["EventReader", "NodeReader"]


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

    def __init__(self, convert: Callable[[Node], Any] | None) -> None:
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
        convert = self.convert
        self.done.append(top if convert is None else convert(top))

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


class _TargetReader(StreamCutter[Any]):
    """A :class:`StreamCutter` over a target parser; ``_convert`` turns nodes into items."""

    _convert: Callable[[Node], Any] | None = None

    def __init__(self, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES) -> None:
        super().__init__(max_element_bytes=max_element_bytes)
        self._target = _Target(self._convert)
        target: Any = self._target  # lxml's stubs want str | bytes tags
        self._parser = etree.XMLParser(target=target, **PARSER_OPTIONS)
        self._parser.feed(_ROOT_START)

    def _after_feed(self, out: list[Any]) -> None:
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

    def partial(self) -> tuple[Mapping[str, str], Mapping[str, str] | None] | None:
        """The attributes of the top-level element being received, and of its open member.

        ``None`` between elements. Lets a receiver show progress on a large
        element (a BLOB) before it is complete.
        """
        target = self._target
        top = target.top
        if top is None:
            return None
        member = target.member
        return top[1], member[1] if member is not None else None


class EventReader(_TargetReader):
    """Incremental reader of an INDI byte stream into events.

    :meth:`feed` and :meth:`close` behave as the
    :class:`~indiflask.protocol.framer.Framer`'s, but return events, as
    :func:`~indiflask.protocol.codec.parse_element` would make them.

    :param max_element_bytes: the largest top-level element accepted, in bytes.

    .. versionadded:: 0.1
    """

    _convert = staticmethod(parse_node)

    def feed(self, data: bytes) -> list[ev.Event]:
        """Feed a chunk of the stream; return the events of the elements it completed.

        :raises RemoteProtocolError: as :meth:`Framer.feed <indiflask.protocol.framer.Framer>`.
        """
        return super().feed(data)

    def close(self) -> list[ev.Event]:
        """Signal EOF; return the events of any last elements.

        :raises RemoteProtocolError: if the stream ended inside an element.
        """
        return super().close()


class NodeReader(_TargetReader):
    """Incremental reader of an INDI byte stream into top-level nodes.

    Parse them with :func:`~indiflask.protocol.codec_parse.parse_node`;
    :func:`~indiflask.protocol.nodes.node_xml` gives their XML.

    :param max_element_bytes: the largest top-level element accepted, in bytes.

    .. versionadded:: 0.1
    """

    def feed(self, data: bytes) -> list[Node]:
        """Feed a chunk of the stream; return the top-level nodes it completed.

        :raises RemoteProtocolError: as :meth:`Framer.feed <indiflask.protocol.framer.Framer>`.
        """
        return super().feed(data)

    def close(self) -> list[Node]:
        """Signal EOF; return any last nodes.

        :raises RemoteProtocolError: if the stream ended inside an element.
        """
        return super().close()
