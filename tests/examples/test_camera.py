"""examples/camera.py: an exposure produces a valid FITS BLOB, written by the example itself."""

from __future__ import annotations

import asyncio
from types import ModuleType, SimpleNamespace

import pytest

from indiflask import State
from indiflask.protocol import events as ev

DEV = "Camera Simulator"
BLOCK = 2880


@pytest.fixture(autouse=True)
def instant(camera: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exposures take no real time in these tests."""
    real_sleep = asyncio.sleep

    async def no_wait(seconds: float) -> None:
        await real_sleep(0)

    monkeypatch.setattr(camera, "asyncio", SimpleNamespace(sleep=no_wait))


def header_cards(data: bytes) -> dict[str, str]:
    cards: dict[str, str] = {}
    for offset in range(0, len(data), 80):
        card = data[offset : offset + 80].decode("ascii")
        key = card[:8].strip()
        if key == "END":
            return cards
        if card[8:10] == "= ":
            cards[key] = card[10:].split(" / ")[0].strip()
    raise AssertionError("no END card")


def blobs(client) -> list[ev.SetBLOBVector]:  # type: ignore[no-untyped-def]
    return [e for e in client.received if isinstance(e, ev.SetBLOBVector)]


def test_an_exposure_sends_a_fits_blob(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        client.enable_blob(DEV)
        client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=2.5)
        sent = blobs(client)
        assert len(sent) == 1
        blob = sent[0].values["CCD1"]
        assert blob.format == ".fits"
        data = blob.data
        header_size = BLOCK  # eleven cards fit one block
        data_size = camera.WIDTH * camera.HEIGHT * 2
        assert len(data) == header_size + -(-data_size // BLOCK) * BLOCK
        assert len(data) % BLOCK == 0
        assert blob.size == len(data)
        assert data.startswith(b"SIMPLE  =                    T")
        cards = header_cards(data)
        assert cards["BITPIX"] == "16"
        assert cards["NAXIS"] == "2"
        assert cards["NAXIS1"] == str(camera.WIDTH)
        assert cards["NAXIS2"] == str(camera.HEIGHT)
        assert cards["BZERO"] == "32768"
        assert float(cards["EXPTIME"]) == 2.5
        assert sent[0].state is State.OK
        exposure = client[DEV]["CCD_EXPOSURE"]
        assert exposure.state is State.OK and exposure["CCD_EXPOSURE_VALUE"] == 0


def test_the_pixels_decode(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=1)
        data = blobs(client)[0].values["CCD1"].data
        raw = data[BLOCK : BLOCK + camera.WIDTH * camera.HEIGHT * 2]
        pixels = [
            int.from_bytes(raw[i : i + 2], "big", signed=True) + 32768
            for i in range(0, len(raw), 2)
        ]
        assert len(pixels) == camera.WIDTH * camera.HEIGHT
        assert all(0 <= p <= 65535 for p in pixels)
        assert 900 < sorted(pixels)[len(pixels) // 2] < 1500  # the sky background
        assert max(pixels) > 2000  # a star
        assert data[BLOCK + len(raw) :] == b"\0" * (len(data) - BLOCK - len(raw))


def test_the_exposure_counts_down_while_busy(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        client.received.clear()
        client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=2.5)
        updates = [
            (e.state.value, e.values["CCD_EXPOSURE_VALUE"])
            for e in client.received
            if isinstance(e, ev.SetNumberVector) and e.name == "CCD_EXPOSURE"
        ]
        assert updates == [("Busy", 2.5), ("Busy", 1.5), ("Busy", 0.5), ("Ok", 0.0)]
        kinds = [type(e).__name__ for e in client.received]
        assert kinds.index("SetBLOBVector") < len(kinds) - 1  # the image precedes the final Ok


def test_a_zero_exposure_is_refused(camera: ModuleType) -> None:
    with camera.app.test_client() as client:
        client.set(DEV, "CCD_EXPOSURE", CCD_EXPOSURE_VALUE=0)
        assert client[DEV]["CCD_EXPOSURE"].state is State.ALERT
        assert blobs(client) == []


def test_make_fits_pads_header_and_data(camera: ModuleType) -> None:
    cam = camera
    data = cam.make_fits([0, 65535, 32768], 3, 1, 0.5)
    assert len(data) == 2 * BLOCK
    assert data[BLOCK : BLOCK + 6] == bytes.fromhex("8000 7fff 0000".replace(" ", ""))
    assert all(len(cam.fits_card("KEY", v)) == 80 for v in (1, 2.5, True, "text"))
