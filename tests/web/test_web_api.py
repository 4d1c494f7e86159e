"""The JSON API against ``indiflask run APP --web``: every endpoint and status code."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import aiohttp
import pytest
from web_kit import Process, http

pytestmark = pytest.mark.slow

CONTRACT = {"device", "name", "kind", "label", "group", "state", "perm", "message", "members"}


def _by_name(props: list[dict[str, Any]], device: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in props if p["device"] == device}


def test_properties_list_has_the_contract_keys_and_typed_members(kitchen_web: Process) -> None:
    kitchen_web.wait_for("bench", "IMAGE")
    answer = kitchen_web.get("/api/properties")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    props = _by_name(answer.json(), "bench")
    for prop in props.values():
        assert prop.keys() >= CONTRACT
    kinds = {p["kind"] for p in props.values()}
    assert kinds >= {"Number", "Switch", "Text", "Light", "BLOB"}
    focus = props["FOCUS"]
    assert focus["label"] == "Focuser" and focus["group"] == "Main" and focus["perm"] == "rw"
    assert focus["members"] == {"POS": 500, "RA": 5.5}
    assert isinstance(focus["members"]["POS"], float | int)
    assert focus["formatted"]["RA"] == "5:30:00"  # %010.6m: sexagesimal h:mm:ss
    assert focus["definitions"]["POS"]["max"] == 10000
    assert props["MODE"]["members"] == {"A": False, "B": True}
    assert props["NOTE"]["members"] == {"TEXT": "hello"}
    assert props["STATUS"]["members"] == {"POWER": "Ok", "FAN": "Alert"}
    assert props["IMAGE"]["members"]["IMG"] == {"size": 0, "format": ""}
    assert props["STATUS"]["state"] == "Idle"
    one = kitchen_web.get("/api/properties?device=bench").json()
    assert {p["device"] for p in one} == {"bench"}
    assert kitchen_web.get("/api/properties?device=nobody").json() == []


def test_change_answers_200_with_the_property(kitchen_web: Process) -> None:
    answer = kitchen_web.post("/api/properties/bench/FOCUS", {"POS": 700, "RA": "6:15"})
    assert answer.status == 200, answer.body
    prop = answer.json()
    assert prop["state"] == "Ok"
    assert prop["members"] == {"POS": 700, "RA": 6.25}
    answer = kitchen_web.post("/api/properties/bench/NOTE", {"TEXT": "clear skies <&>"})
    assert answer.status == 200 and answer.json()["members"]["TEXT"] == "clear skies <&>"
    answer = kitchen_web.post("/api/properties/bench/MODE", {"A": True, "B": "Off"})
    assert answer.json()["members"] == {"A": True, "B": False}
    # "done": a Busy change is answered when it ends
    started = time.monotonic()
    answer = kitchen_web.post("/api/properties/bench/SLOW", {"SECONDS": 0.5})
    assert answer.status == 200 and answer.json()["state"] == "Ok"
    assert time.monotonic() - started >= 0.5


def test_refusals_answer_409_with_the_reason(kitchen_web: Process) -> None:
    answer = kitchen_web.post("/api/properties/bench/FOCUS", {"POS": 1234})
    assert answer.status == 409
    body = answer.json()
    assert body["reason"] == "1234 is an unlucky position"
    assert "unlucky" in body["error"] and body["property"]["state"] == "Alert"


def test_a_busy_property_answers_409_and_the_running_change_still_200(
    kitchen_web: Process,
) -> None:
    async def main() -> tuple[int, int, dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            url = kitchen_web.url + "/api/properties/bench/SLOW"
            first = asyncio.ensure_future(session.post(url, json={"SECONDS": 3}))
            async with asyncio.timeout(30):  # the first change is running (Busy)
                while True:
                    async with session.get(url) as now:
                        if (await now.json())["state"] == "Busy":
                            break
                    await asyncio.sleep(0.02)
            async with session.post(url, json={"SECONDS": 1}) as second:
                refused = await second.json()
                second_status = second.status
            async with await first as response:
                return response.status, second_status, refused

    first, second, refused = asyncio.run(main())
    assert (first, second) == (200, 409)
    assert "busy" in refused["reason"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"POS": 20000}, "outside"),
        ({"NOPE": 1}, "no member"),
        ({"POS": "far"}, "not a number"),
        ({"POS": True}, "takes a number"),
        ({}, "JSON object"),
        ([1, 2], "JSON object"),
    ],
)
def test_malformed_changes_answer_400(kitchen_web: Process, body: Any, reason: str) -> None:
    answer = kitchen_web.post("/api/properties/bench/FOCUS", body)
    assert answer.status == 400, answer.body
    assert reason in answer.json()["error"]


def test_more_400s(kitchen_web: Process) -> None:
    url = kitchen_web.url + "/api/properties/bench/FOCUS"
    bad_json = http("POST", url, data=b"{nope", headers={"Content-Type": "application/json"})
    assert bad_json.status == 400 and "not JSON" in bad_json.json()["error"]
    assert kitchen_web.post("/api/properties/bench/COUNTER", {"N": 1}).status == 400  # ro
    assert kitchen_web.post("/api/properties/bench/STATUS", {"POWER": "Ok"}).status == 400
    assert kitchen_web.post("/api/properties/bench/NOTE", {"TEXT": 5}).status == 400
    assert kitchen_web.post("/api/properties/bench/MODE", {"A": "maybe"}).status == 400
    assert kitchen_web.post("/api/properties/bench/UPLOAD", {"FILE": "/etc/passwd"}).status == 400
    assert kitchen_web.post("/api/properties/bench/FOCUS?timeout=-1", {"POS": 1}).status == 400
    led = kitchen_web.post("/api/properties/bench/ACTION", {"DELETE": True, "SAY": True})
    assert led.status == 400 and "AtMostOne" in led.json()["error"]


def test_unknown_property_answers_404(kitchen_web: Process) -> None:
    assert kitchen_web.post("/api/properties/bench/NOPE", {"X": 1}).status == 404
    assert kitchen_web.post("/api/properties/nobody/FOCUS", {"POS": 1}).status == 404
    assert kitchen_web.get("/api/properties/bench/NOPE").status == 404
    assert kitchen_web.get("/api/blobs/bench/IMAGE/NOPE").status == 404
    assert kitchen_web.get("/api/blobs/bench/FOCUS/POS").status == 404  # not a BLOB
    assert kitchen_web.get("/api/history/bench/NOTE/TEXT").status == 404  # not a number


def test_no_answer_in_time_is_504(kitchen_web: Process) -> None:
    started = time.monotonic()
    answer = kitchen_web.post("/api/properties/bench/SILENT?timeout=0.5", {"X": 1})
    assert answer.status == 504
    assert "no answer" in answer.json()["error"]
    assert time.monotonic() - started < 5


def test_changes_need_a_json_content_type(kitchen_web: Process) -> None:
    url = kitchen_web.url + "/api/properties/bench/FOCUS"
    form = http("POST", url, data=b'{"POS": 1}', headers={"Content-Type": "text/plain"})
    assert form.status == 415


def test_blobs_fits_png_jpeg_download_preview_and_header(kitchen_web: Process) -> None:
    base = "/api/blobs/bench/IMAGE/IMG"
    kitchen_web.wait_for("bench", "IMAGE")
    for member, fmt, kind in [
        ("FITS", ".fits", "application/fits"),
        ("PNG", ".png", "image/png"),
        ("JPEG", ".jpg", "image/jpeg"),
    ]:
        assert kitchen_web.post("/api/properties/bench/MAKE", {member: True}).status == 200
        deadline = time.monotonic() + 10
        while (
            kitchen_web.get("/api/properties/bench/IMAGE").json()["members"]["IMG"]["format"] != fmt
        ):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        blob = kitchen_web.get(base)
        assert blob.status == 200
        assert blob.headers["Content-Type"] == kind
        assert blob.headers["X-BLOB-Format"] == fmt
        assert "attachment" in blob.headers["Content-Disposition"]
        preview = kitchen_web.get("/api/preview/bench/IMAGE/IMG")
        assert preview.status == 200
        if fmt == ".fits":
            assert blob.body.startswith(b"SIMPLE  =")
            assert preview.headers["Content-Type"] == "image/png"
            assert preview.body.startswith(b"\x89PNG")
            header = kitchen_web.get("/api/header/bench/IMAGE/IMG").json()
            assert header["size"] == [64, 48]
            assert ["OBJECT", "web test star", ""] in header["cards"]
        else:
            assert preview.body == blob.body
            assert kitchen_web.get("/api/header/bench/IMAGE/IMG").json()["cards"] == []


def test_upload_with_put_and_with_json(kitchen_web: Process) -> None:
    url = kitchen_web.url + "/api/blobs/bench/UPLOAD/FILE?format=.txt"
    answer = http(
        "PUT", url, data=b"flat field", headers={"Content-Type": "application/octet-stream"}
    )
    assert answer.status == 200, answer.body
    deadline = time.monotonic() + 10
    while kitchen_web.get("/api/blobs/bench/IMAGE/IMG").body != b"flat field":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert kitchen_web.get("/api/preview/bench/IMAGE/IMG").status == 415  # not an image
    encoded = base64.b64encode(b"dark frame").decode()
    answer = kitchen_web.post(
        "/api/properties/bench/UPLOAD", {"FILE": {"base64": encoded, "format": ".txt"}}
    )
    assert answer.status == 200
    bad = http("PUT", url.replace(".txt", "../x"), data=b"x")
    assert bad.status == 400
    assert (
        kitchen_web.post("/api/properties/bench/UPLOAD", {"FILE": {"base64": "%%%"}}).status == 400
    )


def test_status_and_history(kitchen_web: Process) -> None:
    status = kitchen_web.get("/api/status").json()
    assert status["connected"] is True and "bench" in status["devices"]
    kitchen_web.post("/api/properties/bench/FOCUS", {"POS": 11})
    kitchen_web.post("/api/properties/bench/FOCUS", {"POS": 12})
    points = kitchen_web.get("/api/history/bench/FOCUS/POS").json()["points"]
    assert points[-1][1] == 12
    assert abs(points[-1][0] / 1000 - time.time()) < 60


def test_websocket_carries_definitions_updates_deletions_and_messages(
    kitchen_web: Process,
) -> None:
    async def main() -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(kitchen_web.url + "/api/ws") as ws,
        ):
            hello = await ws.receive_json(timeout=10)
            seen.append(hello)
            for action in ("DELETE", "DEFINE", "SAY"):
                url = kitchen_web.url + "/api/properties/bench/ACTION"
                async with session.post(url, json={action: True}) as answer:
                    assert answer.status == 200
            kinds: set[str] = set()
            deadline = time.monotonic() + 10
            while not {"del", "def", "message", "set"} <= kinds:
                msg = await ws.receive_json(timeout=max(0.1, deadline - time.monotonic()))
                seen.append(msg)
                kinds.add(msg["type"])
        return seen

    seen = asyncio.run(main())
    hello = seen[0]
    assert hello["type"] == "hello" and hello["connected"] is True
    assert any(p["name"] == "FOCUS" for p in hello["properties"])
    deleted = next(m for m in seen if m["type"] == "del")
    assert deleted == {"type": "del", "device": "bench", "name": "EXTRA"}
    defined = next(m for m in seen if m["type"] == "def")
    assert defined["property"]["name"] == "EXTRA" and defined["property"].keys() >= CONTRACT
    said = next(
        m for m in seen if m["type"] == "message" and m["message"] == "hello from the bench"
    )
    assert said["device"] == "bench"
    update = next(m for m in seen if m["type"] == "set")
    assert update["property"].keys() >= CONTRACT
    json.dumps(seen)  # plain JSON all the way


def test_led_example_toggle_and_refusal(led_web: Process) -> None:
    led_web.wait_for("led", "LED")
    on = led_web.post("/api/properties/led/LED", {"ON": True})
    assert on.status == 200 and on.json()["members"] == {"ON": True, "OFF": False}
    refused = led_web.post("/api/properties/led/EXPOSURE", {"SECONDS": 900})
    assert refused.status == 409 and "dark slide" in refused.json()["reason"]
    assert led_web.post("/api/properties/led/EXPOSURE", {"SECONDS": 5000}).status == 400
    assert led_web.post("/api/properties/led/LED", {"OFF": True}).status == 200
