"""The panel's API in front of libindi's indiserver and its simulators (``indiflask web``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from web_kit import Process, web_for

pytestmark = [pytest.mark.interop, pytest.mark.slow]

TEL, CCD = "Telescope%20Simulator", "CCD%20Simulator"


@pytest.fixture(scope="module")
def panel(libindi_simulators: int) -> Iterator[Process]:
    process = web_for(libindi_simulators).start()
    try:
        yield process
    finally:
        process.stop()


def post(panel: Process, device: str, name: str, body: Any, query: str = "") -> Any:
    return panel.post(f"/api/properties/{device}/{name}{query}", body, timeout=90)


def test_properties_and_changes(panel: Process) -> None:
    connection = panel.wait_for("Telescope Simulator", "CONNECTION")
    assert connection["kind"] == "Switch" and set(connection["members"]) == {
        "CONNECT",
        "DISCONNECT",
    }
    panel.wait_for("CCD Simulator", "CONNECTION")
    answer = post(panel, TEL, "CONNECTION", {"CONNECT": True})
    assert answer.status == 200 and answer.json()["members"]["CONNECT"] is True
    assert post(panel, CCD, "CONNECTION", {"CONNECT": True}).status == 200
    panel.wait_for("Telescope Simulator", "TELESCOPE_PARK")
    listed = panel.get("/api/properties").json()
    assert {"Telescope Simulator", "CCD Simulator"} <= {p["device"] for p in listed}
    for prop in listed:
        for value in prop["members"].values():
            kinds = {"Number": (int, float), "Switch": bool, "Text": str, "Light": str}
            if prop["kind"] in kinds and value is not None:
                assert isinstance(value, kinds[prop["kind"]]), prop["name"]


def test_alert_is_409_and_a_parked_mount_answers_idle(panel: Process) -> None:
    panel.wait_for("CCD Simulator", "CCD_FRAME")
    # each number lies in its range, but the frame does not fit the sensor: Alert
    answer = post(panel, CCD, "CCD_FRAME", {"X": 1000, "WIDTH": 1000})
    assert answer.status == 409, answer.body
    body = answer.json()
    assert body["property"]["state"] == "Alert" and "refused" in body["error"]
    # a parked mount answers a slew with Idle (and a separate message): not a refusal
    panel.wait_for("Telescope Simulator", "TELESCOPE_PARK")
    assert post(panel, TEL, "TELESCOPE_PARK", {"PARK": True}).status == 200
    answer = post(panel, TEL, "EQUATORIAL_EOD_COORD", {"RA": "5:30", "DEC": 20})
    assert answer.status == 200 and answer.json()["state"] == "Idle"
    assert post(panel, TEL, "TELESCOPE_PARK", {"UNPARK": True}).status == 200


def test_malformed_unknown_and_timeout(panel: Process) -> None:
    panel.wait_for("Telescope Simulator", "EQUATORIAL_EOD_COORD")
    assert post(panel, TEL, "EQUATORIAL_EOD_COORD", {"DEC": 100}).status == 400
    assert post(panel, TEL, "NO_SUCH_PROPERTY", {"X": 1}).status == 404
    assert post(panel, TEL, "TELESCOPE_PARK", {"UNPARK": True}).status == 200
    assert post(panel, TEL, "ON_COORD_SET", {"SLEW": True}).status == 200
    ra = panel.get(f"/api/properties/{TEL}/EQUATORIAL_EOD_COORD").json()["members"]["RA"]
    far = {"RA": (ra + 1) % 24, "DEC": 5}
    answer = post(panel, TEL, "EQUATORIAL_EOD_COORD", far, "?timeout=0.2")
    assert answer.status == 504  # a slew of degrees is still Busy after 0.2 s
    near = {"RA": (ra + 0.02) % 24, "DEC": "20:00:00"}
    deadline = time.monotonic() + 60
    while True:  # wait out the long slew; the simulator then takes the short one
        answer = post(panel, TEL, "EQUATORIAL_EOD_COORD", near)
        if answer.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert answer.status == 200, answer.body
    assert answer.json()["members"]["DEC"] == pytest.approx(20, abs=0.01)
    assert answer.json()["formatted"]["DEC"].startswith("20:")


def test_exposure_blob_preview_and_websocket(panel: Process) -> None:
    panel.wait_for("CCD Simulator", "CCD_EXPOSURE")
    answer = post(panel, CCD, "CCD_EXPOSURE", {"CCD_EXPOSURE_VALUE": 0.2})
    assert answer.status == 200
    deadline = time.monotonic() + 30
    while panel.get(f"/api/properties/{CCD}/CCD1").json()["members"]["CCD1"]["size"] == 0:
        assert time.monotonic() < deadline, "no image arrived"
        time.sleep(0.1)
    blob = panel.get(f"/api/blobs/{CCD}/CCD1/CCD1")
    assert blob.status == 200 and blob.body.startswith(b"SIMPLE  =")
    assert blob.headers["Content-Type"] == "application/fits"
    preview = panel.get(f"/api/preview/{CCD}/CCD1/CCD1")
    assert preview.status == 200 and preview.body.startswith(b"\x89PNG")
    header = panel.get(f"/api/header/{CCD}/CCD1/CCD1").json()
    assert any(card[0] == "NAXIS1" for card in header["cards"])

    async def hello() -> dict[str, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(panel.url + "/api/ws") as ws,
        ):
            return await ws.receive_json(timeout=10)  # type: ignore[no-any-return]

    first = asyncio.run(hello())
    assert first["type"] == "hello" and first["connected"] is True
    ccd1 = next(p for p in first["properties"] if p["name"] == "CCD1")
    assert ccd1["serials"]["CCD1"] >= 1
