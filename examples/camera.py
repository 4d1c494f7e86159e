"""A camera KStars/Ekos can capture with: exposures, subframes, binning, frame types, FITS images.

Run it:   indiflask run examples/camera.py              (an INDI server on 127.0.0.1:7624)
Then:     indiflask set "Camera Simulator.CONNECTION.CONNECT=On"
          indiflask set "Camera Simulator.CCD_EXPOSURE.CCD_EXPOSURE_VALUE=1"
          (clients get the image, CCD1, after ``enableBLOB Also``, as INDI wants)
In KStars: an Ekos profile with "Remote host" 127.0.0.1, port 7624; Ekos' Capture
          and Focus modules take images with it.
Under indiserver (or a local Ekos profile):
          indiflask shim examples/camera.py indi_flask_camera --dir ~/bin
          indiserver ~/bin/indi_flask_camera           (an absolute path)

Needs astropy and numpy (``pip install indiflask[fits]``). The image is a
simulated star field, made with numpy and written by astropy as a FITS file
with the keywords libindi's cameras write and Ekos reads: EXPTIME, DATE-OBS
(when the exposure started), INSTRUME, FRAME and IMAGETYP, XBINNING/YBINNING,
PIXSIZE1/PIXSIZE2, CCD-TEMP, OBSERVER and OBJECT (from FITS_HEADER, which Ekos
sends before each capture), FOCALLEN and APTDIA (from SCOPE_INFO, which Ekos
sends from its optical train). CCD_INFO's six members are in libindi's order:
Ekos reads them by position.
"""

import asyncio
import io
import os
from datetime import UTC, datetime

import numpy as np
from astropy.io import fits

from indiflask import App, Reject, State
from indiflask.standard import ccd

app = App("Camera Simulator", interfaces="ccd")

WIDTH, HEIGHT = 640, 480  # pixels: small images, quick to make and to send
PIXEL_SIZE = 3.75  # microns
MAX_BIN = 4
COOLING_RATE = 1.0  # degrees per second towards the set temperature


@app.on_start
def open_camera():
    app.hw.rng = np.random.default_rng()
    app.hw.stop = asyncio.Event()  # set by CCD_ABORT_EXPOSURE
    app.hw.temperature = app.hw.target = 15.0  # the chip's and the set temperature (C)
    app.hw.saved = 0  # images saved by UPLOAD_LOCAL


# ------------------------------------------------- what Ekos reads first
info = app.standard(
    ccd.CCD_INFO,
    values={"CCD_MAX_X": WIDTH, "CCD_MAX_Y": HEIGHT, "CCD_BITSPERPIXEL": 16}
    | dict.fromkeys(("CCD_PIXEL_SIZE", "CCD_PIXEL_SIZE_X", "CCD_PIXEL_SIZE_Y"), PIXEL_SIZE),
)
image = app.standard(ccd.CCD1)  # the BLOB the image is sent in


@app.standard(
    ccd.CCD_FRAME,
    values={"WIDTH": WIDTH, "HEIGHT": HEIGHT},
    limits={"X": (0, WIDTH - 1), "Y": (0, HEIGHT - 1), "WIDTH": (1, WIDTH), "HEIGHT": (1, HEIGHT)},
)
def subframe(change):
    if change["X"] + change["WIDTH"] > WIDTH or change["Y"] + change["HEIGHT"] > HEIGHT:
        raise Reject(f"the subframe must fit in the {WIDTH}x{HEIGHT} chip")


@app.standard(ccd.CCD_BINNING, limits={"HOR_BIN": (1, MAX_BIN, 1), "VER_BIN": (1, MAX_BIN, 1)})
def binning(change):
    pass  # accepted as it is: the next exposure bins


@app.standard(ccd.CCD_FRAME_TYPE)
def frame_type(change):
    pass  # Ekos matches the labels: Light, Bias, Dark, Flat


@app.standard(ccd.CCD_TRANSFER_FORMAT)
def transfer_format(change):
    if change["FORMAT_NATIVE"]:
        raise Reject("this camera sends FITS only")


@app.standard(ccd.UPLOAD_MODE)
def upload_mode(change):
    pass  # UPLOAD_CLIENT: send; UPLOAD_LOCAL: save here; UPLOAD_BOTH: both


@app.standard(ccd.UPLOAD_SETTINGS, values={"UPLOAD_DIR": os.path.expanduser("~")})
def upload_settings(change):
    pass


@app.standard(ccd.FITS_HEADER)
def fits_header(change):
    pass  # the next images carry these OBSERVER and OBJECT


@app.standard(ccd.SCOPE_INFO)
def scope(change):
    pass  # focal length and aperture, for FOCALLEN and APTDIA


# -------------------------------------------------------------- cooler
@app.standard(ccd.CCD_TEMPERATURE, value=15.0)
def temperature(change):
    app.hw.target = change["CCD_TEMPERATURE_VALUE"]
    temperature["CCD_TEMPERATURE_VALUE"] = app.hw.temperature  # it shows the chip's temperature
    return State.BUSY  # until the cooler gets there (below)


@app.hardware(every=1.0)
def cool():
    if app.hw.temperature == app.hw.target:
        return
    step = app.hw.target - app.hw.temperature
    app.hw.temperature += max(-COOLING_RATE, min(COOLING_RATE, step))
    if temperature.defined and not temperature.running:
        temperature["CCD_TEMPERATURE_VALUE"] = app.hw.temperature
        temperature.state = "Ok" if app.hw.temperature == app.hw.target else "Busy"
        temperature.send()


# ------------------------------------------------------------ exposures
@app.standard(ccd.CCD_EXPOSURE, max=3600)
async def exposure(change):
    seconds = change["CCD_EXPOSURE_VALUE"]
    started = datetime.now(UTC)
    app.hw.stop.clear()
    exposure.state = "Busy"
    left = seconds
    while left > 0:  # count down, as libindi's cameras do
        exposure["CCD_EXPOSURE_VALUE"] = left
        exposure.send()
        try:
            await asyncio.wait_for(app.hw.stop.wait(), timeout=min(1.0, left))
        except TimeoutError:
            left = round(left - min(1.0, left), 6)
            continue
        exposure["CCD_EXPOSURE_VALUE"] = 0
        exposure.message = "exposure aborted"
        return State.IDLE  # aborted: Idle, as libindi's cameras report it
    data = make_fits(simulate(seconds), seconds, started)
    if not upload_mode["UPLOAD_LOCAL"]:  # UPLOAD_CLIENT or UPLOAD_BOTH
        image.set_blob("CCD1", data, format=".fits")
        image.state = "Ok"
        image.send()  # setBLOBVector to every client that asked for BLOBs
    if not upload_mode["UPLOAD_CLIENT"]:  # UPLOAD_LOCAL or UPLOAD_BOTH
        exposure.message = f"saved {save_locally(data)}"
    exposure["CCD_EXPOSURE_VALUE"] = 0
    return None  # CCD_EXPOSURE goes Ok with value 0


@app.standard(ccd.CCD_ABORT_EXPOSURE)
def abort(change):
    if exposure.running:
        app.hw.stop.set()
    return {"ABORT": False}  # a push button


# ---------------------------------------------------------------- images
def simulate(seconds: float) -> np.ndarray:
    """The subframe, binned: sky and read noise, stars in light frames, a flat field in flats."""
    x, y = round(subframe["X"]), round(subframe["Y"])
    bx, by = round(binning["HOR_BIN"]), round(binning["VER_BIN"])
    width, height = round(subframe["WIDTH"]) // bx, round(subframe["HEIGHT"]) // by
    rows, cols = np.mgrid[0:height, 0:width]
    rows, cols = y + (rows + 0.5) * by, x + (cols + 0.5) * bx  # chip coordinates
    kind = next(name for name in frame_type if frame_type[name])
    level = {"FRAME_LIGHT": 200 * seconds, "FRAME_FLAT": 20_000, "FRAME_BIAS": 0}
    pixels = 1000 + np.full((height, width), level.get(kind, 5.0 * seconds))
    if kind == "FRAME_LIGHT":
        stars = np.random.default_rng(42)  # the same sky every time, as a real one
        for sx, sy, flux in stars.uniform((0, 0, 2e3), (WIDTH, HEIGHT, 3e4), size=(40, 3)):
            pixels += flux * seconds * np.exp(-((cols - sx) ** 2 + (rows - sy) ** 2) / 8)
    pixels = pixels * bx * by + app.hw.rng.normal(0, 15, pixels.shape)
    return np.clip(pixels, 0, 65535).astype(np.uint16)


def make_fits(pixels: np.ndarray, seconds: float, started: datetime) -> bytes:
    """A FITS file made by astropy (unsigned 16 bits: BITPIX 16, BZERO 32768), libindi's keys."""
    hdu = fits.PrimaryHDU(pixels)
    kind = next(frame_type.members[name].label for name in frame_type if frame_type[name])
    header = {
        "EXPTIME": (seconds, "Total Exposure Time (s)"),
        "DARKTIME": (seconds, "Total Dark Exposure Time (s)"),
        "CCD-TEMP": (round(app.hw.temperature, 2), "CCD Temperature (Celsius)"),
        "PIXSIZE1": (PIXEL_SIZE * binning["HOR_BIN"], "Pixel Size 1 (microns)"),
        "PIXSIZE2": (PIXEL_SIZE * binning["VER_BIN"], "Pixel Size 2 (microns)"),
        "XBINNING": (round(binning["HOR_BIN"]), "Binning factor in width"),
        "YBINNING": (round(binning["VER_BIN"]), "Binning factor in height"),
        "XPIXSZ": (PIXEL_SIZE * binning["HOR_BIN"], "X binned pixel size in microns"),
        "YPIXSZ": (PIXEL_SIZE * binning["VER_BIN"], "Y binned pixel size in microns"),
        "FRAME": (kind, "Frame Type"),
        "IMAGETYP": (f"{kind} Frame", "Frame Type"),
        "INSTRUME": (app.default_device.name, "CCD Name"),
        "OBSERVER": (fits_header["FITS_OBSERVER"], "Observer name"),
        "OBJECT": (fits_header["FITS_OBJECT"], "Object name"),
        "DATE-OBS": (
            started.isoformat(timespec="milliseconds")[:23],
            "UTC start date of observation",
        ),
        "ROWORDER": ("TOP-DOWN", "Row Order"),
    }
    if scope["FOCAL_LENGTH"] > 0:  # Ekos sends SCOPE_INFO from its optical train
        header["FOCALLEN"] = (scope["FOCAL_LENGTH"], "Focal Length (mm)")
        header["APTDIA"] = (scope["APERTURE"], "Telescope diameter (mm)")
    hdu.header.update(header)
    out = io.BytesIO()
    hdu.writeto(out)
    return out.getvalue()


def save_locally(data: bytes) -> str:
    """UPLOAD_LOCAL: write the image to UPLOAD_DIR, as PREFIX with XXX made a counter."""
    app.hw.saved += 1
    name = upload_settings["UPLOAD_PREFIX"].replace("XXX", f"{app.hw.saved:03d}") + ".fits"
    path = os.path.join(upload_settings["UPLOAD_DIR"], name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path
