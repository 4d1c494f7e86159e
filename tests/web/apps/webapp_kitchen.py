"""A driver with every kind of property, for the web panel's tests (device ``bench``).

* ``FOCUS`` (numbers, one sexagesimal): accepted, except POS=1234 (refused, Alert).
* ``SLOW`` (number): Busy for SECONDS, then Ok. ``SILENT``: never answers within 30 s.
* ``NOTE`` (text), ``MODE`` (AnyOfMany switch), ``STATUS`` (lights), ``COUNTER`` (read-only).
* ``ACTION`` (AtMostOne switch): DELETE / DEFINE the ``EXTRA`` property, SAY a message,
  BURST: 300 ``COUNTER`` updates at 100 per second (the last is 300).
* ``IMAGE`` (read-only BLOB) is set by ``MAKE`` (FITS made with astropy, PNG or JPEG made
  with Pillow) and by uploads to ``UPLOAD`` (writable BLOB), which are echoed into it.
"""

from __future__ import annotations

import asyncio
import io

import numpy as np
from astropy.io import fits
from PIL import Image

from indiflask import App, Blob, Light, Number, Reject

app = App("Web Test Driver", device="bench")

BURST = 300


@app.number(
    "FOCUS",
    label="Focuser",
    group="Main",
    timeout=5,
    members=[
        Number("POS", label="Position", format="%6.0f", min=0, max=10000, value=500),
        Number("RA", label="Right ascension", format="%010.6m", min=0, max=24, value=5.5),
    ],
)
def focus(change):
    if change["POS"] == 1234:
        raise Reject("1234 is an unlucky position")


@app.number("SLOW", group="Main", members=[Number("SECONDS", min=0, max=60, value=0)])
async def slow(change):
    slow.state = "Busy"
    slow.send()
    await asyncio.sleep(change["SECONDS"])


@app.number("SILENT", group="Main", members=[Number("X", min=0, max=10, value=0)])
async def silent(change):
    await asyncio.sleep(30)


@app.text("NOTE", label="Note", group="Main", members={"TEXT": "hello"})
def note(change):
    pass


@app.switch("MODE", group="Main", rule="AnyOfMany", members={"A": False, "B": True})
def mode(change):
    pass


status = app.light(
    "STATUS", group="Live", members=[Light("POWER", value="Ok"), Light("FAN", value="Alert")]
)
counter = app.number(
    "COUNTER", group="Live", perm="ro", members=[Number("N", format="%.0f", value=0)]
)
extra = app.text("EXTRA", group="Live", perm="ro", members={"X": "here"})


@app.switch(
    "ACTION",
    group="Live",
    rule="AtMostOne",
    members={"DELETE": False, "DEFINE": False, "SAY": False, "BURST": False},
)
async def action(change):
    if change["DELETE"]:
        extra.delete("going away")
    elif change["DEFINE"]:
        extra.define()
    elif change["SAY"]:
        app.message("hello from the bench")
    elif change["BURST"]:
        for n in range(1, BURST + 1):
            counter["N"] = n
            counter.send()
            await asyncio.sleep(0.01)
    return {k: False for k in change}  # a momentary button: every member Off again


image = app.blob("IMAGE", group="Images", members=[Blob("IMG", label="Image")])


def _fits() -> bytes:
    y, x = np.mgrid[0:48, 0:64]
    pixels = 1000 + 30 * np.sin(x / 5.0) + 5000 * np.exp(-((x - 20) ** 2 + (y - 30) ** 2) / 8.0)
    hdu = fits.PrimaryHDU(pixels.astype(np.float32))
    hdu.header["OBJECT"] = "web test star"
    out = io.BytesIO()
    hdu.writeto(out)
    return out.getvalue()


def _picture(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(out, format=fmt)
    return out.getvalue()


@app.switch(
    "MAKE", group="Images", rule="AtMostOne", members={"FITS": False, "PNG": False, "JPEG": False}
)
def make(change):
    if change["FITS"]:
        image.set_blob("IMG", _fits(), format=".fits")
    elif change["PNG"]:
        image.set_blob("IMG", _picture("PNG"), format=".png")
    elif change["JPEG"]:
        image.set_blob("IMG", _picture("JPEG"), format=".jpg")
    image.state = "Ok"
    image.send()
    return {k: False for k in change}


@app.blob("UPLOAD", group="Images", perm="wo", members=["FILE"])
def upload(change):
    image.set_blob("IMG", change["FILE"], format=change.format)
    image.send()
