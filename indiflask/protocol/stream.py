"""The rules for reading an endless INDI byte stream, whatever becomes of its elements.

An INDI stream is a sequence of top-level elements with no document element
around them: a link may stay open for months. :class:`StreamCutter` feeds an
lxml feed parser a synthetic root start tag once and then the raw stream, so
each element that closes at depth 1 is one INDI message; a subclass says what
the parser builds and what a finished element becomes
(:class:`~indiflask.protocol.reader.StreamReader`).

Safety rules (the stream comes from the network):

* ``huge_tree=True`` lifts libxml2's 10 MB text-node limit, which BLOBs exceed.
  The cutter enforces its own per-element byte cap instead,
  :attr:`StreamCutter.max_element_bytes` (default :data:`DEFAULT_MAX_ELEMENT_BYTES`).
  The count covers every byte received since the previous top-level element
  closed (so junk between elements counts too). It may overcount by up to one
  feed slice (:data:`SLICE_BYTES`, or a quarter of the cap if smaller): an
  element over the cap is always refused, one within a slice below it may be.
* No DTD can ever take effect: the synthetic root is fed before any peer byte,
  so a ``<!DOCTYPE`` anywhere is a syntax error, and with no DTD the only
  entities are the five predefined ones plus numeric character references.
  Any other ``&name;`` is an "Entity not defined" error. Billion-laughs and XXE
  payloads therefore fail at their first byte of DTD and expand nothing.
  ``no_network=True`` and ``load_dtd=False`` are set as well.
* Malformed input raises :class:`~indiflask.errors.RemoteProtocolError` naming
  lxml's complaint and the top-level tag being read. A push parser cannot
  resynchronise, so the error is sticky: every later call raises it again.

Tolerated, as libindi tolerates them: whitespace, text, comments and processing
instructions between elements, and an XML declaration (``<?xml ...?>``) at the
start of the stream or between elements.

Why ``resolve_entities`` is left at lxml's ``"internal"`` default rather than
``False``: with ``False``, libxml2 does not report an undefined entity; the
element containing it never ends and a misleading error appears much later. As
no DTD can be declared, "internal" expands nothing beyond the predefined
entities.

A bare ``&`` in text (``R&D``, ``R & D``) is checked here, before libxml2 sees
it: libxml2's push parser waits for a ``;`` after an ``&`` in element text
before it judges the reference, so ``<oneText>R&D</oneText>`` followed by
anything without a ``;`` would stall the stream silently. Every ``&`` outside
comments, CDATA sections and processing instructions must start a reference
(``&name;``, ``&#N;`` or ``&#xH;``); otherwise the stream is malformed at once.
"""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from lxml import etree

from ..errors import RemoteProtocolError

__all__ = ["DEFAULT_MAX_ELEMENT_BYTES", "PARSER_OPTIONS", "SLICE_BYTES", "StreamCutter"]

#: Default cap on the bytes of one top-level element: 64 MiB of element plus
#: 1 MiB of margin for markup, whitespace and slice rounding. A 64 MiB element
#: carries a BLOB of about 48 MiB of raw data (base64 costs 4/3); raise the cap
#: for larger images.
DEFAULT_MAX_ELEMENT_BYTES = 65 * 2**20

#: Large chunks are fed to libxml2 in slices of at most this many bytes (or a
#: quarter of the cap, if smaller), which bounds both the tree built per feed
#: and the error of the byte count.
SLICE_BYTES = 256 * 2**10

_ROOT_TAG = "indiflask-stream"
_ROOT_START = b"<" + _ROOT_TAG.encode() + b">"
_ROOT_END = b"</" + _ROOT_TAG.encode() + b">"
_DECL = b"<?xml"
_DECL_END = b"?>"
_DECL_PREFIXES = (b"<?xm", b"<?x", b"<?", b"<")

_T = TypeVar("_T")

#: The libxml2 options every stream parser uses (see the module docstring).
PARSER_OPTIONS: dict[str, Any] = {
    "huge_tree": True,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}


#: A complete entity or character reference (libxml2 judges whether it is defined).
_REFERENCE = re.compile(rb"&(?:[A-Za-z_:][\w.:-]{0,63}|#[0-9]{1,16}|#x[0-9A-Fa-f]{1,16});")
#: The start of a reference cut off by the end of a chunk.
_REFERENCE_START = re.compile(rb"&(?:[A-Za-z_:][\w.:-]{0,63}|#[0-9]{0,16}|#x[0-9A-Fa-f]{0,16})?\Z")
#: What may contain a bare ``&``: comments, CDATA sections, processing instructions.
_OPAQUE = re.compile(rb"&|<!--|<!\[CDATA\[|<\?")
_OPAQUE_END = {b"<!--": b"-->", b"<![CDATA[": b"]]>", b"<?": b"?>"}


class _ReferenceCheck:
    """Finds an ``&`` that starts no reference, across chunk boundaries.

    Only the bytes libxml2 is fed pass through here. A chunk without ``&``,
    ``<!`` or ``<?`` (BLOB text, ordinary updates) costs three ``in`` tests.
    """

    __slots__ = ("_carry", "_until", "near")

    def __init__(self) -> None:
        #: The bytes from the bare ``&`` on, once one was found (for the error text).
        self.near = b""
        self._carry = b""  # bytes of the last chunk not judged yet (a cut-off token)
        self._until: bytes | None = None  # inside a comment/CDATA/PI: the bytes that end it

    def bad_ampersand(self, data: bytes) -> int:
        """The index in ``data`` of a bare ``&`` (0 if it was carried over), else -1."""
        if (
            not self._carry
            and self._until is None
            and b"&" not in data
            and b"<!" not in data
            and b"<?" not in data
            and not data.endswith(b"<")
        ):
            return -1
        carried = len(self._carry)
        window = self._carry + data
        self._carry = b""
        pos = 0
        while True:
            until = self._until
            if until is not None:
                end = window.find(until, pos)
                if end < 0:
                    self._carry = window[max(pos, len(window) - len(until) + 1) :]
                    return -1
                pos = end + len(until)
                self._until = None
                continue
            found = _OPAQUE.search(window, pos)
            if found is None:
                self._carry = _cut_opener(window, pos)
                return -1
            token = found.group()
            if token != b"&":
                self._until = _OPAQUE_END[token]
                pos = found.end()
                continue
            start = found.start()
            reference = _REFERENCE.match(window, start)
            if reference is not None:
                pos = reference.end()
                continue
            if _REFERENCE_START.match(window, start):
                self._carry = window[start:]  # the rest comes with the next chunk
                return -1
            self.near = window[start : start + 12]
            return max(0, start - carried)


def _cut_opener(window: bytes, pos: int) -> bytes:
    """The end of ``window`` (after ``pos``) that may begin ``<!--``, ``<![CDATA[`` or ``<?``."""
    cut = window.rfind(b"<", max(pos, len(window) - 8))
    if cut < 0:
        return b""
    tail = window[cut:]
    if any(opener.startswith(tail) for opener in _OPAQUE_END):
        return tail
    return b""


class StreamCutter(Generic[_T]):
    """The byte-level half of reading a stream: declarations, slices, the byte cap, sticky errors.

    A subclass passes the lxml feed parser to use (built with
    :data:`PARSER_OPTIONS`; the cutter feeds it the synthetic root start tag)
    and implements :meth:`_after_feed`, which moves the items the last feed
    completed into ``out`` and updates ``_depth`` (1 inside a top-level
    element, else 0) and ``_tag``.

    :param parser: the feed parser, not fed anything yet.
    :param max_element_bytes: the largest top-level element accepted, in bytes.
    """

    def __init__(
        self, parser: etree._FeedParser, *, max_element_bytes: int = DEFAULT_MAX_ELEMENT_BYTES
    ) -> None:
        if max_element_bytes < 1:
            raise ValueError("max_element_bytes must be positive")
        self._parser = parser
        #: The largest top-level element accepted, in bytes.
        self.max_element_bytes = max_element_bytes
        self._slice = max(1, min(SLICE_BYTES, max_element_bytes // 4))
        #: The sticky error once the stream turned out malformed, else ``None``.
        self.error: RemoteProtocolError | None = None
        self._depth = 0  # depth below the synthetic root
        self._tag: str | None = None  # tag of the open top-level element
        self._count = 0  # bytes received since the last top-level element closed
        self._held = b""  # a possible start of "<?xml" held back for the next chunk
        self._in_decl = False  # skipping an XML declaration up to "?>"
        self._closed = False
        self._references = _ReferenceCheck()
        parser.feed(_ROOT_START)

    @property
    def current_tag(self) -> str | None:
        """The tag of the top-level element being received, or ``None`` between elements."""
        return self._tag

    @property
    def buffered_bytes(self) -> int:
        """Bytes received since the last top-level element closed (what the cap counts)."""
        return self._count

    def feed(self, data: bytes) -> list[_T]:
        """Feed a chunk of the stream; return what its complete top-level elements became.

        :param data: the next bytes of the stream (``b""`` is a no-op; call
            :meth:`close` at EOF).
        :raises RemoteProtocolError: for malformed XML, a DTD or an unknown entity,
            an element over :attr:`max_element_bytes`, or any call after such an
            error or after :meth:`close`.
        """
        self._check_usable()
        out: list[_T] = []
        if not data:
            return out
        if self._held:
            data = self._held + data
            self._held = b""
        try:
            self._feed_filtered(data, out)
        except RemoteProtocolError as exc:
            self.error = exc
            if not out:
                raise
        return out

    def close(self) -> list[_T]:
        """Signal EOF; return what the last elements became.

        :raises RemoteProtocolError: if the stream ended inside an element (or
            inside an XML declaration), or after an earlier error.
        """
        self._check_usable()
        self._closed = True
        out: list[_T] = []
        try:
            if self._held or self._in_decl:
                self._fail("the stream ended inside an XML declaration")
            tag = self._tag
            try:
                self._parser.feed(_ROOT_END)
                self._after_feed(out)
                self._parser.close()
            except etree.XMLSyntaxError as exc:
                where = f" inside <{tag}>" if tag else ""
                self._fail(f"the stream ended{where} with incomplete XML ({exc})")
        except RemoteProtocolError as exc:
            self.error = exc
            raise
        return out

    # ------------------------------------------------------------------ internals

    def _check_usable(self) -> None:
        if self.error is not None:
            raise self.error
        if self._closed:
            raise RemoteProtocolError("data after the end of the stream")

    def _fail(self, reason: str) -> None:
        self.error = RemoteProtocolError(reason)
        raise self.error

    def _feed_filtered(self, data: bytes, out: list[_T]) -> None:
        """Feed ``data``, skipping XML declarations that appear between elements."""
        while data:
            if self._in_decl:
                end = data.find(_DECL_END)
                if end < 0:
                    self._count += len(data)
                    self._held = b"?" if data.endswith(b"?") else b""
                    self._check_cap()
                    return
                self._count += end + 2
                self._in_decl = False
                data = data[end + 2 :]
                continue
            pos = data.find(_DECL)
            if pos < 0:
                if b"<" in data[-4:]:
                    for prefix in _DECL_PREFIXES:
                        if data.endswith(prefix):
                            self._held = prefix
                            data = data[: -len(prefix)]
                            break
                self._feed_sliced(data, out)
                return
            self._feed_sliced(data[:pos], out)
            if self._depth:
                # Inside an element: let libxml2 judge (it is an error there).
                self._feed_sliced(data[pos:], out)
                return
            self._in_decl = True
            self._count += len(_DECL)
            data = data[pos + len(_DECL) :]

    def _feed_sliced(self, data: bytes, out: list[_T]) -> None:
        bad = self._references.bad_ampersand(data)
        if bad >= 0:
            self._feed_sliced_checked(data[:bad], out)
            where = f" in <{self._tag}>" if self._tag else " between elements"
            self._fail(
                f"malformed XML{where}: '&' starts no entity reference "
                f"(at {self._references.near!r}; a literal & is written &amp;)"
            )
        self._feed_sliced_checked(data, out)

    def _feed_sliced_checked(self, data: bytes, out: list[_T]) -> None:
        size = len(data)
        step = self._slice
        if size <= step:
            if size:
                self._feed_one(data, out)
            return
        for start in range(0, size, step):
            self._feed_one(data[start : start + step], out)

    def _feed_one(self, data: bytes, out: list[_T]) -> None:
        before = len(out)
        try:
            self._parser.feed(data)
        except etree.XMLSyntaxError as exc:
            self._after_feed(out)
            where = f" in <{self._tag}>" if self._tag else " between elements"
            self._fail(f"malformed XML{where}: {exc}")
        self._after_feed(out)
        if len(out) > before:
            self._count = len(data) if self._depth else 0
        else:
            self._count += len(data)
        self._check_cap()

    def _check_cap(self) -> None:
        if self._count > self.max_element_bytes:
            what = f"<{self._tag}> element" if self._tag else "data between elements"
            self._fail(
                f"{what} exceeds max_element_bytes={self.max_element_bytes} "
                f"({self._count} bytes received without a complete element)"
            )

    def _after_feed(self, out: list[_T]) -> None:
        raise NotImplementedError  # pragma: no cover
