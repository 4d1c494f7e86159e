"""Previews of received BLOBs: FITS images stretched to PNG, JPEG and PNG shown as they are.

A FITS file is read with :mod:`astropy.io.fits`; the first HDU holding an
image (two or more axes) is shown. A colour cube (three planes) becomes an RGB
image; otherwise the first plane is used. The automatic stretch is DS9's
*zscale* interval followed by an *asinh* stretch
(:mod:`astropy.visualization`), computed with numpy, and the result is
encoded as PNG by Pillow, flipped so that FITS row 1 is at the bottom and
reduced to at most :data:`MAX_PREVIEW` pixels a side. The FITS header is kept
as a list of cards for the panel.

These functions are CPU-bound: the web app runs them in a worker thread and
caches the result for each received BLOB.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MAX_PREVIEW", "Preview", "PreviewError", "content_type", "kind_of", "make_preview"]

#: The longest side of a preview, in pixels.
MAX_PREVIEW = 1600

_TYPES = {
    ".fits": "application/fits",
    ".fit": "application/fits",
    ".fts": "application/fits",
    ".fits.fz": "application/fits",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


class PreviewError(ValueError):
    """The BLOB is not an image that can be previewed (unknown format, or unreadable)."""


@dataclass(frozen=True)
class Preview:
    """A preview: PNG or JPEG bytes, their content type, and the FITS header if any."""

    #: The image to show.
    data: bytes
    #: ``"image/png"`` or ``"image/jpeg"``.
    content_type: str
    #: Width and height of the original image.
    size: tuple[int, int]
    #: FITS header cards as ``(keyword, value, comment)`` (empty for JPEG and PNG).
    header: list[tuple[str, str, str]] = field(default_factory=list)


def content_type(fmt: str) -> str:
    """The media type for a BLOB format (``.fits`` -> ``application/fits``).

    Anything else is ``application/octet-stream``: BLOB bytes are never served
    as HTML, SVG or script.
    """
    return _TYPES.get(fmt.lower(), "application/octet-stream")


def kind_of(fmt: str, data: bytes) -> str | None:
    """``"fits"``, ``"jpeg"``, ``"png"`` or ``None``, from the format and the first bytes."""
    fmt = fmt.lower()
    if data.startswith(b"SIMPLE  =") or content_type(fmt) == "application/fits":
        return "fits"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def make_preview(data: bytes, fmt: str) -> Preview:
    """Make a preview of one BLOB.

    :raises PreviewError: when it is not a FITS, JPEG or PNG image that can be read.
    """
    kind = kind_of(fmt, data)
    if kind == "fits":
        return _fits_preview(data)
    if kind in ("png", "jpeg"):
        return _picture_preview(data, kind)
    raise PreviewError(f"no preview for {fmt or 'data without a format'}")


def _picture_preview(data: bytes, kind: str) -> Preview:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            size = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PreviewError(f"not a readable {kind.upper()} image: {exc}") from None
    return Preview(data, f"image/{kind}", size)


def _fits_preview(data: bytes) -> Preview:
    import numpy as np
    from astropy.io import fits

    try:
        with fits.open(io.BytesIO(data), memmap=False, lazy_load_hdus=False) as hdus:
            for hdu in hdus:
                if hdu.is_image and hdu.data is not None and hdu.data.ndim >= 2:
                    pixels = np.asarray(hdu.data, dtype=np.float64)
                    header = _cards(hdus[0].header) + (
                        _cards(hdu.header) if hdu is not hdus[0] else []
                    )
                    break
            else:
                raise PreviewError("the FITS file holds no image")
    except PreviewError:
        raise
    except Exception as exc:  # astropy raises many kinds for a damaged file
        raise PreviewError(f"not a readable FITS file: {exc}") from None
    planes = _planes(pixels)
    height, width = planes.shape[-2:]
    step = -(-max(height, width) // MAX_PREVIEW)  # keep every step-th pixel of big frames
    planes = planes[..., ::step, ::step]
    return Preview(_encode_png(_stretch(planes)), "image/png", (int(width), int(height)), header)


def _cards(header: Any) -> list[tuple[str, str, str]]:
    cards = []
    for card in header.cards:
        value = card.value
        text = "T" if value is True else "F" if value is False else str(value)
        cards.append((str(card.keyword), text, str(card.comment)))
    return cards


def _planes(pixels: Any) -> Any:
    """A 2-D image, or a (3, h, w) colour cube, from any image HDU's data."""
    if pixels.ndim == 3 and pixels.shape[0] == 3:
        return pixels
    while pixels.ndim > 2:
        pixels = pixels[0]
    return pixels


def _stretch(planes: Any) -> Any:
    """zscale + asinh to 0..255 bytes; NaNs (blank pixels) become black."""
    import numpy as np
    from astropy.visualization import AsinhStretch, ZScaleInterval

    finite = np.isfinite(planes)
    if not finite.any():
        return np.zeros(planes.shape, dtype=np.uint8)
    low, high = ZScaleInterval().get_limits(planes[finite])
    if not high > low:
        low, high = float(planes[finite].min()), float(planes[finite].max())
    span = high - low if high > low else 1.0
    scaled = np.clip((np.where(finite, planes, low) - low) / span, 0.0, 1.0)
    stretched = AsinhStretch(0.5)(scaled, clip=True)
    return np.round(np.asarray(stretched) * 255.0).astype(np.uint8)


def _encode_png(pixels: Any) -> bytes:
    import numpy as np
    from PIL import Image

    if pixels.ndim == 3:  # (3, h, w) -> (h, w, 3)
        image = Image.fromarray(np.ascontiguousarray(np.moveaxis(pixels, 0, -1)[::-1]), "RGB")
    else:
        image = Image.fromarray(np.ascontiguousarray(pixels[::-1]), "L")
    image.thumbnail((MAX_PREVIEW, MAX_PREVIEW))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
