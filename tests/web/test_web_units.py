"""Pieces of the web panel without a network: previews, the fan-out's queues, JSON shapes."""

from __future__ import annotations

import asyncio
import io
import math
from typing import Any

import numpy as np
import pytest
from astropy.io import fits
from PIL import Image

from indiflask.client import RemoteProperty
from indiflask.protocol import events as ev
from indiflask.protocol.values import Perm, State
from indiflask.web.hub import Hub, Peer
from indiflask.web.images import PreviewError, content_type, kind_of, make_preview
from indiflask.web.model import BadChange, parse_change, property_json


def fits_bytes(data: Any, **header: Any) -> bytes:
    hdu = fits.PrimaryHDU(data)
    for key, value in header.items():
        hdu.header[key] = value
    out = io.BytesIO()
    hdu.writeto(out)
    return out.getvalue()


# ------------------------------------------------------------------ previews


def test_fits_preview_is_a_stretched_png_with_the_header() -> None:
    y, x = np.mgrid[0:50, 0:80]
    star = 1000 + np.random.default_rng(1).normal(0, 10, (50, 80))
    star += 40000 * np.exp(-((x - 60) ** 2 + (y - 10) ** 2) / 6.0)
    preview = make_preview(fits_bytes(star.astype(np.uint16), OBJECT="M42"), ".fits")
    assert preview.content_type == "image/png" and preview.size == (80, 50)
    assert ("OBJECT", "M42", "") in preview.header
    image = Image.open(io.BytesIO(preview.data))
    assert image.size == (80, 50) and image.mode == "L"
    pixels = np.asarray(image)
    # FITS row 0 is the bottom row: the star at y=10 is shown near the bottom
    assert np.unravel_index(pixels.argmax(), pixels.shape)[0] > 30
    assert pixels.max() == 255 and np.median(pixels) < 200  # sky is not saturated


def test_fits_colour_cube_nan_and_big_frames() -> None:
    cube = np.random.default_rng(2).normal(100, 5, (3, 20, 30)).astype(np.float32)
    cube[0, 0, 0] = np.nan
    preview = make_preview(fits_bytes(cube), ".fits")
    assert Image.open(io.BytesIO(preview.data)).mode == "RGB"
    flat = make_preview(fits_bytes(np.full((10, 10), 7, dtype=np.int16)), ".fits")
    assert flat.size == (10, 10)
    blank = make_preview(fits_bytes(np.full((4, 4), np.nan, dtype=np.float32)), ".fits")
    assert Image.open(io.BytesIO(blank.data)).getextrema() == (0, 0)
    big = make_preview(fits_bytes(np.zeros((2000, 3300), dtype=np.uint8)), ".fits")
    assert big.size == (3300, 2000)
    assert max(Image.open(io.BytesIO(big.data)).size) <= 1600


def test_jpeg_and_png_pass_through_and_junk_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (9, 7), (1, 2, 3)).save(out, format="PNG")
    png = out.getvalue()
    preview = make_preview(png, ".png")
    assert preview.data == png and preview.size == (9, 7) and preview.header == []
    assert kind_of("", png) == "png" and kind_of(".bin", b"\xff\xd8\xff\xe0") == "jpeg"
    with pytest.raises(PreviewError, match="no preview"):
        make_preview(b"hello", ".txt")
    with pytest.raises(PreviewError, match="not a readable FITS"):
        make_preview(b"SIMPLE  =  junk", ".fits")
    with pytest.raises(PreviewError, match="PNG"):
        make_preview(png[:20], ".png")
    with pytest.raises(PreviewError, match="no image"):
        make_preview(fits_bytes(None), ".fits")


def test_content_types_never_serve_markup() -> None:
    assert content_type(".fits") == "application/fits"
    assert content_type(".JPG") == "image/jpeg"
    for fmt in (".html", ".svg", ".js", ".txt", ""):
        assert content_type(fmt) == "application/octet-stream"


# ------------------------------------------------------------------ JSON shapes


def number_property(value: float = 1.5) -> RemoteProperty:
    definition = ev.DefNumberVector(
        device="d",
        name="N",
        state=State.OK,
        perm=Perm.RW,
        members=(
            ev.DefNumber(name="X", label="x", format="%5.2f", min=0, max=10, step=1, value=value),
        ),
    )
    return RemoteProperty(definition)


def test_property_json_numbers_are_finite_json() -> None:
    data = property_json(number_property())
    assert data["members"] == {"X": 1.5} and data["formatted"] == {"X": "1.50"}
    assert data["definitions"]["X"] == {
        "label": "x",
        "format": "%5.2f",
        "min": 0,
        "max": 10,
        "step": 1,
    }
    assert property_json(number_property(math.nan))["members"] == {"X": None}


def test_parse_change_checks_types_per_kind() -> None:
    prop = number_property()
    assert parse_change(prop, {"X": "1:30"}) == {"X": "1:30"}
    for bad in ({"X": True}, {"X": [1]}, {}, [], "X=1", None):
        with pytest.raises(BadChange):
            parse_change(prop, bad)


# ------------------------------------------------------------------ fan-out


class SlowSocket:
    """Takes 10 ms per message, like a page on a slow link."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed: int | None = None

    async def send_str(self, data: str) -> None:
        await asyncio.sleep(0.01)
        self.sent.append(data)

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        self.closed = code
        return True


def test_a_slow_page_gets_the_latest_value_of_each_property_in_order() -> None:
    async def main() -> SlowSocket:
        socket = SlowSocket()
        peer = Peer(socket)
        peer.start()
        peer.push("hello")
        for n in range(100):
            peer.push(f"A{n}", ("dev", "A"))
            peer.push(f"B{n}", ("dev", "B"))
        peer.push("message")
        peer.push("A-after", ("dev", "A"))
        for _ in range(500):
            if "A-after" in socket.sent:
                break
            await asyncio.sleep(0.01)
        await peer.close()
        assert peer.coalesced > 150
        return socket

    socket = asyncio.run(main())
    sent = socket.sent
    assert sent[0] == "hello"
    assert sent[-2:] == ["message", "A-after"]
    assert "A99" in sent and "B99" in sent
    assert sent.index("A99") < sent.index("message") < sent.index("A-after")
    assert len(sent) < 20


def test_a_page_too_far_behind_is_closed() -> None:
    async def main() -> SlowSocket:
        socket = SlowSocket()
        peer = Peer(socket, max_pending=50)
        peer.start()
        for n in range(100):
            peer.push(f"message {n}")  # messages are never merged
        await asyncio.sleep(0.05)
        await peer.close()
        return socket

    socket = asyncio.run(main())
    assert socket.closed == 1013
    assert len(socket.sent) < 100


class FakeClient:
    def updates(self) -> Any:
        class Nothing:
            def close(self) -> None:
                pass

        return Nothing()


def test_history_keeps_ten_points_a_second_and_the_latest_value() -> None:
    hub = Hub(FakeClient())  # type: ignore[arg-type]
    for n in range(50):
        hub._record("d", "N", {"X": float(n)})
    points = hub.history("d", "N", "X")
    assert points[-1][1] == 49.0
    assert len(points) <= 3  # 50 values within a few ms: merged
    hub._record("d", "N", {"X": math.nan})
    assert hub.history("d", "N", "X")[-1][1] == 49.0
