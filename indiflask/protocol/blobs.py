"""BLOB payloads: base64 on the wire, the ``.z`` zlib convention, ``size`` and ``len``.

A :class:`BlobValue` keeps the base64 text exactly as it travelled, so a server
can forward a BLOB without decoding and re-encoding it; :attr:`BlobValue.data`
decodes on demand. :meth:`BlobValue.from_bytes` builds one from raw data.

Conventions (the INDI protocol's, and libindi's extensions):

* ``size`` is the byte count of the data after base64 decoding *and* after
  decompression (the original data size).
* a format ending in ``.z`` means the decoded bytes are a zlib stream; the real
  format is the suffix without ``.z``.
* libindi's ``len`` is the byte count of the carried (possibly compressed) data;
  when present, only the first ``len`` decoded bytes are the payload (libindi pads
  compressed BLOBs with zeros).
"""

from __future__ import annotations

import binascii
import zlib
from dataclasses import dataclass

from ..errors import InvalidValue

__all__ = ["BlobValue", "decode_base64", "encode_base64"]

_WHITESPACE = b" \t\r\n\f\v"


def encode_base64(data: bytes | bytearray | memoryview) -> bytes:
    """Encode ``data`` as one line of standard base64 (no line breaks), as bytes."""
    return binascii.b2a_base64(data, newline=False)


def decode_base64(text: bytes | str) -> bytes:
    """Decode base64 text, ignoring any whitespace in it.

    Characters outside the base64 alphabet, data after ``=`` padding and a
    missing padding are errors, not silently dropped.

    :raises InvalidValue: when the text is not valid base64.
    """
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    try:
        # Fast path (one line, or libindi's "\n" every 72 columns): the lenient
        # decoder skips newlines at C speed; the length check below proves that
        # it skipped nothing else.
        decoded = binascii.a2b_base64(raw, strict_mode=False)
    except binascii.Error as exc:
        raise InvalidValue(f"BLOB payload is not valid base64: {exc}") from None
    if len(decoded) == _expected_length(raw):
        return decoded
    # Other whitespace (CR, spaces, tabs) or junk: remove whitespace, then decode strictly.
    try:
        return binascii.a2b_base64(raw.translate(None, _WHITESPACE), strict_mode=True)
    except binascii.Error as exc:
        raise InvalidValue(f"BLOB payload is not valid base64: {exc}") from None


def _expected_length(raw: bytes) -> int:
    """Decoded length of ``raw`` if it is base64 wrapped with ``\n`` at a fixed width.

    Only newlines at the positions of a regular wrap (the width of the first
    line) and one at the very end are counted; every other character is
    assumed to be a base64 character or ``=`` padding. Returns -1 when that
    count is not a multiple of 4. If the assumption is wrong, the lenient
    decoder dropped something, and its output is shorter than this number:
    the count of characters it kept is then never 1 more than a multiple of 4,
    the only place where ``n * 3 // 4`` does not grow.
    """
    newlines = 0
    first = raw.find(b"\n")
    if first != -1:
        period = first + 1
        newlines = raw[first::period].count(b"\n")
        if raw.endswith(b"\n") and (len(raw) - period) % period:
            newlines += 1
    chars = len(raw) - newlines
    if chars % 4:
        return -1
    tail = raw[-8:].rstrip(b"\n")
    padding = len(tail) - len(tail.rstrip(b"="))
    return (chars - padding) * 3 // 4


@dataclass(frozen=True, slots=True)
class BlobValue:
    """One BLOB member's payload as it travels on the wire.

    :param format: the wire format, e.g. ``".fits"`` or ``".fits.z"``.
    :param size: the original (decoded, decompressed) size in bytes.
    :param b64: the base64 text, possibly with whitespace, as bytes.
    :param length: libindi's ``len`` attribute, if the peer sent one.
    """

    #: The wire format suffix, e.g. ``".fits"`` (``.z`` included when compressed).
    format: str
    #: Original size in bytes, after decoding and decompression.
    size: int
    #: The base64 text exactly as on the wire.
    b64: bytes
    #: libindi's ``len``: bytes actually carried, or ``None``.
    length: int | None = None

    @classmethod
    def from_bytes(
        cls, data: bytes | bytearray | memoryview, format: str = "", *, compress: bool = False
    ) -> BlobValue:
        """Build a value from raw ``data``; with ``compress=True`` zlib it and add ``.z``."""
        size = len(data)
        if compress:
            payload: bytes | bytearray | memoryview = zlib.compress(data)
            if not format.endswith(".z"):
                format = format + ".z"
        else:
            payload = data
        return cls(format=format, size=size, b64=encode_base64(payload))

    @property
    def compressed(self) -> bool:
        """True when the format says the payload is a zlib stream (``.z`` suffix)."""
        return self.format.endswith(".z")

    @property
    def data_format(self) -> str:
        """The format of :attr:`data`: the wire format without a ``.z`` suffix."""
        return self.format[:-2] if self.compressed else self.format

    @property
    def data(self) -> bytes:
        """The payload: base64-decoded, cut to ``len``, and inflated if ``.z``.

        :raises InvalidValue: when the base64 or the zlib stream is corrupt.
        """
        raw = decode_base64(self.b64)
        if self.length is not None and 0 <= self.length < len(raw):
            raw = raw[: self.length]
        if self.compressed:
            try:
                return zlib.decompress(raw)
            except zlib.error as exc:
                raise InvalidValue(f"BLOB {self.format} payload does not inflate: {exc}") from None
        return raw

    @property
    def b64_length(self) -> int:
        """Length of the base64 text in bytes (whitespace included)."""
        return len(self.b64)
