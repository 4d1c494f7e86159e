"""examples/camera.py: exposures with a countdown, abort, subframes and binning, FITS by astropy."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from astropy.io import fits
from example_kit import connect

from indiflask import State
from indiflask.driver.catalog import ccd
from indiflask.driver.lint import lint
from indiflask.protocol import events as ev

DEV = "Camera Simulator"


def expose(client: Any, seconds: float) -> fits.PrimaryHDU:
    """Take an exposure; return the primary HDU of the image received."""
    prop = client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=seconds)
    assert prop.state is State.OK, prop.message
    with fits.open(io.BytesIO(client[DEV]["CCD1"]["CCD1"])) as hdus:
        hdus[0].data  # noqa: B018 - read the pixels before the file closes
        return hdus[0]


def test_a_camera_as_ekos_reads_it(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        assert client[DEV]["DRIVER_INFO"]["DRIVER_INTERFACE"] == "2"
        connect(client, DEV)
        device = client[DEV]
        for name in ("CCD_EXPOSURE", "CCD_ABORT_EXPOSURE", "CCD_FRAME", "CCD_BINNING"):
            assert device[name].perm.value == "rw"  # Ekos aborts, subframes, bins only then
        info = device["CCD_INFO"]
        assert list(info) == list(ccd.CCD_INFO.member_names)  # read by position
        assert [info[m] for m in info] == [640, 480, 3.75, 3.75, 3.75, 16]
        assert [device["CCD_FRAME_TYPE"].members[m].label for m in device["CCD_FRAME_TYPE"]] == [
            "Light",
            "Bias",
            "Dark",
            "Flat",
        ]
        for name in ("CCD1", "UPLOAD_MODE", "UPLOAD_SETTINGS", "CCD_TRANSFER_FORMAT"):
            assert name in device
    assert lint(camera.app) == []


def test_an_exposure_counts_down_and_sends_a_fits_image(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        connect(client, DEV)
        client.enable_blob(DEV)
        client.set(DEV, "FITS_HEADER", FITS_OBSERVER="Caroline", FITS_OBJECT="M 42")
        client.set(DEV, "SCOPE_INFO", FOCAL_LENGTH=400, APERTURE=80)
        client.received.clear()
        before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        hdu = expose(client, 2.5)
        countdown = [
            (e.state.value, e.values["CCD_EXPOSURE_VALUE"])
            for e in client.received
            if isinstance(e, ev.SetNumberVector) and e.name == "CCD_EXPOSURE"
        ]
        assert countdown == [("Busy", 2.5), ("Busy", 1.5), ("Busy", 0.5), ("Ok", 0)]
        header = hdu.header
        assert hdu.data.shape == (480, 640) and hdu.data.dtype == np.uint16
        assert header["BITPIX"] == 16 and header["BZERO"] == 32768  # unsigned 16 bits
        assert header["EXPTIME"] == 2.5 and header["FRAME"] == "Light"
        assert header["INSTRUME"] == DEV
        assert header["OBSERVER"] == "Caroline" and header["OBJECT"] == "M 42"
        assert header["XBINNING"] == header["YBINNING"] == 1
        assert header["PIXSIZE1"] == header["PIXSIZE2"] == 3.75
        assert header["CCD-TEMP"] == 15.0
        assert header["FOCALLEN"] == 400 and header["APTDIA"] == 80
        started = datetime.fromisoformat(header["DATE-OBS"])
        assert before <= started.replace(microsecond=0) <= datetime.now(UTC).replace(tzinfo=None)
        assert hdu.data.max() > 5 * np.median(hdu.data)  # stars


def test_subframe_binning_and_frame_types(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        connect(client, DEV)
        client.enable_blob(DEV)
        client.set(DEV, "CCD_FRAME", X=100, Y=40, WIDTH=200, HEIGHT=120)
        client.set(DEV, "CCD_BINNING", HOR_BIN=2, VER_BIN=2)
        hdu = expose(client, 1)
        assert hdu.data.shape == (60, 100)
        assert hdu.header["XBINNING"] == 2 and hdu.header["PIXSIZE1"] == 7.5
        client.set(DEV, "CCD_FRAME_TYPE", FRAME_DARK=True)
        dark = expose(client, 1)
        assert dark.header["FRAME"] == "Dark" and dark.header["IMAGETYP"] == "Dark Frame"
        assert dark.data.max() < 5 * np.median(dark.data)  # no stars in a dark
        bad = client.set(DEV, "CCD_FRAME", X=600, WIDTH=200)
        assert bad.state is State.ALERT and "fit" in (bad.message or "")


def test_abort_ends_the_exposure_idle(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        connect(client, DEV)
        client.enable_blob(DEV)
        client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=10, wait=False)
        client.advance(2)
        client.set(DEV, "CCD_ABORT_EXPOSURE", ABORT=True)
        client.advance(0)
        exposure = client[DEV]["CCD_EXPOSURE"]
        assert exposure.state is State.IDLE and exposure.message == "exposure aborted"
        assert exposure["CCD_EXPOSURE_VALUE"] == 0
        assert client[DEV]["CCD1"].state is State.IDLE  # no image
        assert client.now < 3


def test_upload_local_saves_the_image_there(camera: ModuleType, tmp_path: Path) -> None:
    with camera.app.test_client() as client:
        connect(client, DEV)
        client.set(DEV, "UPLOAD_SETTINGS", UPLOAD_DIR=str(tmp_path), UPLOAD_PREFIX="M42_XXX")
        client.set(DEV, "UPLOAD_MODE", UPLOAD_LOCAL=True)
        prop = client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=0.5)
        saved = tmp_path / "M42_001.fits"
        assert prop.message == f"saved {saved}"
        with fits.open(saved) as hdus:
            assert hdus[0].header["EXPTIME"] == 0.5


def test_the_cooler_reaches_the_set_temperature(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        connect(client, DEV)
        prop = client.set(DEV, "CCD_TEMPERATURE", CCD_TEMPERATURE_VALUE=10)
        assert prop.state is State.BUSY and prop["CCD_TEMPERATURE_VALUE"] == 15
        client.advance(3)
        assert prop.state is State.BUSY and prop["CCD_TEMPERATURE_VALUE"] == 12
        client.advance(2)
        assert prop.state is State.OK and prop["CCD_TEMPERATURE_VALUE"] == 10
