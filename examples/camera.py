"""A simulated camera: an exposure makes a small FITS image and sends it as a BLOB.

Run it:   indiflask run examples/camera.py              (an INDI server on 127.0.0.1:7624)
Then:     indi_setprop 'Camera Simulator.CCD_EXPOSURE.CCD_EXPOSURE_VALUE=0.5'
          indi_getprop -B ...   or any INDI client that sends enableBLOB Also
Under indiserver:  indiflask shim examples/camera.py indi_flask_camera --dir ~/bin
                   indiserver ~/bin/indi_flask_camera           (an absolute path)

The image is a real (tiny) FITS file, written with the standard library only:
a header of 80-character cards padded to 2880-byte blocks, then 16-bit
big-endian pixels (BZERO 32768 makes them unsigned), padded to 2880 bytes too.
Clients receive BLOBs only after ``enableBLOB Also`` (INDI's rule).
"""

import array
import asyncio
import math
import random
import sys
from datetime import UTC, datetime

from indiflask import App, Blob, Number, Reject

app = App("Camera Simulator")

WIDTH, HEIGHT = 64, 48
FITS_BLOCK = 2880


def fits_card(key: str, value: object = None, comment: str = "") -> bytes:
    """One 80-byte FITS header card (``END`` when ``value`` is None and no comment)."""
    if value is None:
        text = key
    else:
        if isinstance(value, bool):
            shown = "T" if value else "F"
        elif isinstance(value, str):
            shown = "'" + value.replace("'", "''").ljust(8) + "'"
            shown = shown.ljust(20)
        else:
            shown = str(value)
        text = f"{key:<8}= {shown:>20}"
        if comment:
            text += f" / {comment}"
    return text[:80].ljust(80).encode("ascii")


def make_fits(pixels: list[int], width: int, height: int, exptime: float) -> bytes:
    """A complete FITS file: a primary header and 16-bit unsigned pixel data."""
    cards = [
        fits_card("SIMPLE", True, "conforms to FITS standard"),
        fits_card("BITPIX", 16, "16-bit integers"),
        fits_card("NAXIS", 2),
        fits_card("NAXIS1", width),
        fits_card("NAXIS2", height),
        fits_card("BZERO", 32768, "unsigned 16-bit data"),
        fits_card("BSCALE", 1),
        fits_card("EXPTIME", float(exptime), "seconds"),
        fits_card("DATE-OBS", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")),
        fits_card("INSTRUME", "indiflask camera simulator"),
        fits_card("END"),
    ]
    header = b"".join(cards)
    header += b" " * (-len(header) % FITS_BLOCK)
    data = array.array("h", (p - 32768 for p in pixels))  # stored value = pixel - BZERO
    if sys.byteorder == "little":
        data.byteswap()  # FITS is big-endian
    raw = data.tobytes()
    raw += b"\0" * (-len(raw) % FITS_BLOCK)
    return header + raw


def simulate_image(seconds: float, rng: random.Random) -> list[int]:
    """A star field in noise: brighter for longer exposures, clipped to 16 bits."""
    sky = 1000 + 200 * seconds
    stars = [
        (rng.uniform(0, WIDTH), rng.uniform(0, HEIGHT), rng.uniform(2e3, 2e4)) for _ in range(5)
    ]
    pixels = []
    for y in range(HEIGHT):
        for x in range(WIDTH):
            value = sky + rng.gauss(0, 30)
            for sx, sy, flux in stars:
                value += flux * seconds * math.exp(-((x - sx) ** 2 + (y - sy) ** 2) / 4)
            pixels.append(min(65535, max(0, round(value))))
    return pixels


@app.on_start
def open_camera():
    app.hw.rng = random.Random()


app.number(
    "CCD_INFO",
    label="CCD Information",
    group="Image Info",
    perm="ro",
    members=[
        Number("CCD_MAX_X", label="Width", format="%4.0f", value=WIDTH),
        Number("CCD_MAX_Y", label="Height", format="%4.0f", value=HEIGHT),
        Number("CCD_BITSPERPIXEL", label="Bits per pixel", format="%2.0f", value=16),
    ],
)

image = app.blob(
    "CCD1", label="Image", group="Image", members=[Blob("CCD1", label="Image", format=".fits")]
)


@app.number(
    "CCD_EXPOSURE",
    label="Expose",
    group="Main Control",
    timeout=60,
    members=[
        Number(
            "CCD_EXPOSURE_VALUE",
            label="Duration (s)",
            format="%5.2f",
            min=0,
            max=60,
            step=0.1,
            value=1,
        )
    ],
)
async def exposure(change):
    seconds = change["CCD_EXPOSURE_VALUE"]
    if seconds <= 0:
        raise Reject("an exposure needs a duration above 0 s")
    exposure.state = "Busy"
    left = seconds
    while left > 0:  # count down, as camera drivers do
        exposure["CCD_EXPOSURE_VALUE"] = left
        exposure.send()
        await asyncio.sleep(min(1.0, left))
        left = round(left - min(1.0, left), 6)
    pixels = simulate_image(seconds, app.hw.rng)
    image.set_blob("CCD1", make_fits(pixels, WIDTH, HEIGHT, seconds), format=".fits")
    image.state = "Ok"
    image.send()  # setBLOBVector to every client that asked for BLOBs
    exposure["CCD_EXPOSURE_VALUE"] = 0
    # returning: CCD_EXPOSURE goes Ok with value 0, as libindi cameras report it
