"""BLOB payloads: base64, the .z convention, libindi's len, and corrupt input."""

from __future__ import annotations

import binascii
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indiflask.errors import InvalidValue
from indiflask.protocol.blobs import BlobValue, decode_base64, encode_base64


def _wrap(b64: bytes, width: int = 72, sep: bytes = b"\n") -> bytes:
    return sep.join(b64[i : i + width] for i in range(0, len(b64), width))


@given(st.binary(max_size=2000), st.booleans())
def test_round_trip(data: bytes, compress: bool) -> None:
    blob = BlobValue.from_bytes(data, ".fits", compress=compress)
    assert blob.size == len(data)
    assert blob.data == data
    assert blob.data_format == ".fits"
    assert blob.compressed is compress
    assert blob.format == (".fits.z" if compress else ".fits")


def test_encode_is_one_line_standard_base64() -> None:
    data = bytes(range(256)) * 3
    blob = BlobValue.from_bytes(data, ".bin")
    assert b"\n" not in blob.b64
    assert blob.b64 == binascii.b2a_base64(data, newline=False)
    assert blob.b64_length == len(blob.b64)
    assert encode_base64(memoryview(data)) == blob.b64
    assert BlobValue.from_bytes(bytearray(data), ".bin").data == data


def test_compress_keeps_existing_z_suffix_and_shrinks() -> None:
    data = b"\0" * 100_000
    blob = BlobValue.from_bytes(data, ".bin.z", compress=True)
    assert blob.format == ".bin.z"
    assert len(blob.b64) < 1000
    assert blob.data == data


@given(st.binary(min_size=1, max_size=3000), st.sampled_from([72, 76, 64, 4]))
def test_wrapped_base64_decodes(data: bytes, width: int) -> None:
    b64 = encode_base64(data)
    for sep in (b"\n", b"\r\n"):
        wrapped = _wrap(b64, width, sep)
        assert decode_base64(wrapped) == data
        assert decode_base64(wrapped + sep) == data
        assert BlobValue(format=".bin", size=len(data), b64=wrapped).data == data


@pytest.mark.parametrize(
    "text",
    [b"YWJj ZGVm", b"  YWJjZGVm\n", b"YW\tJj\fZG\vVm", b"Y\nW\nJ\nj\nZ\nG\nV\nm", "YWJjZGVm"],
)
def test_any_whitespace_is_ignored(text: bytes | str) -> None:
    assert decode_base64(text) == b"abcdef"


def test_libindi_len_cuts_zero_padding_of_compressed_payload() -> None:
    data = b"star field " * 500
    packed = zlib.compress(data)
    padded = packed + b"\0" * (2**16 - len(packed))  # as indiserver pads to its buffer size
    blob = BlobValue(format=".bin.z", size=len(data), b64=encode_base64(padded), length=len(packed))
    assert blob.data == data


def test_libindi_len_cuts_uncompressed_payload() -> None:
    data = b"\x01\x02\x03\x04\x05"
    blob = BlobValue(format=".raw", size=5, b64=encode_base64(data + b"\0" * 11), length=5)
    assert blob.data == data
    without_len = BlobValue(format=".raw", size=5, b64=encode_base64(data + b"\0" * 11))
    assert without_len.data == data + b"\0" * 11


def test_len_larger_than_payload_is_ignored() -> None:
    blob = BlobValue(format=".raw", size=3, b64=b"YWJj", length=99)
    assert blob.data == b"abc"


@pytest.mark.parametrize(
    "b64",
    [b"abc", b"YQ", b"Y===", b"YWJj@", b"@@@@", b"!!!!", b"YQ==YQ==", b"YW-J", b"YWJj\n@@@@",
     b"YWJj\0"],
)  # fmt: skip
def test_corrupt_base64_is_invalid_value(b64: bytes) -> None:
    with pytest.raises(InvalidValue, match="not valid base64"):
        BlobValue(format=".bin", size=3, b64=b64).data  # noqa: B018


def test_junk_at_any_position_of_a_wrapped_payload_is_caught() -> None:
    wrapped = _wrap(encode_base64(bytes(range(200))))
    for pos in range(len(wrapped)):
        if wrapped[pos : pos + 1] == b"\n":
            continue
        corrupt = wrapped[:pos] + b"*" + wrapped[pos + 1 :]
        with pytest.raises(InvalidValue):
            decode_base64(corrupt)


def test_corrupt_zlib_is_invalid_value() -> None:
    blob = BlobValue(format=".fits.z", size=10, b64=encode_base64(b"not a zlib stream"))
    with pytest.raises(InvalidValue, match="does not inflate"):
        blob.data  # noqa: B018
