"""The asyncio client and its blocking facade against ``indiflask run examples/led.py``."""

from __future__ import annotations

import asyncio
import json

import pytest

from indiflask.client import BlockingClient, ChangeRefused, Client
from indiflask.errors import InvalidValue
from indiflask.protocol.values import State


def test_api_contract(led_server: int) -> None:
    async def main() -> None:
        async with Client("127.0.0.1", led_server) as c:
            led = await c.wait_for("led", "LED", timeout=30)
            await c.set("led", "LED", ON=True)
            await c.wait_for_state("led", "LED", "Ok", timeout=30)
            assert led["ON"] is True
            assert led["OFF"] is False
            assert led.state is State.OK
            await c.set("led", "LED", OFF=True)
            assert led["ON"] is False

    asyncio.run(main())


def test_typed_values_and_formats(led_server: int) -> None:
    async def main() -> None:
        async with Client("127.0.0.1", led_server) as c:
            temp = await c.wait_for("led", "TEMPERATURE", timeout=30)
            assert isinstance(temp["TEMP"], float)
            assert temp.formatted("TEMP") == f"{temp['TEMP']:6.2f}"
            assert c["led"]["EXPOSURE"].members["SECONDS"].max == 3600

    asyncio.run(main())


def test_refusals_and_checks(led_server: int) -> None:
    async def main() -> None:
        async with Client("127.0.0.1", led_server) as c:
            await c.wait_for("led", "EXPOSURE", timeout=30)
            with pytest.raises(ChangeRefused, match="dark slide"):
                await c.set("led", "EXPOSURE", SECONDS=900, check=True)
            prop = await c.set("led", "EXPOSURE", SECONDS=900)  # no check: no raise
            assert prop.state is State.ALERT
            with pytest.raises(InvalidValue, match="outside"):
                await c.set("led", "EXPOSURE", SECONDS=5000)
            with pytest.raises(InvalidValue, match="read-only"):
                await c.set("led", "TEMPERATURE", TEMP=1)
            with pytest.raises(InvalidValue, match="no member"):
                await c.set("led", "LED", DIM=True)
            with pytest.raises(InvalidValue, match="one member"):
                await c.set("led", "LED", ON=True, OFF=True)
            # sexagesimal input is parsed before sending; "done" waits out Busy
            prop = await c.set("led", "EXPOSURE", SECONDS="0:00:18", wait="done", timeout=30)
            assert prop.state is State.OK
            assert prop["SECONDS"] == pytest.approx(0.005)
            with pytest.raises(TimeoutError, match=r"led\.NO_SUCH was not defined") as info:
                await c.wait_for("led", "NO_SUCH", timeout=0.2)
            assert "no device" not in str(info.value)
            with pytest.raises(TimeoutError, match="no device 'LED Driver'; the server has: led"):
                await c.wait_for("LED Driver", "LED", timeout=0.2)
            with pytest.raises(TimeoutError, match="did not reach"):
                await c.wait_for_state("led", "TEMPERATURE", "Alert", timeout=0.2)

    asyncio.run(main())


def test_updates_and_snapshot(led_server: int) -> None:
    async def main() -> None:
        async with Client("127.0.0.1", led_server) as c:
            await c.wait_for("led", "TEMPERATURE", timeout=30)
            with c.updates("led", "TEMPERATURE") as sub:
                update = await sub.get(timeout=30)
                while update.kind != "set":
                    update = await sub.get(timeout=30)
            assert update.device == "led" and update.name == "TEMPERATURE"
            assert isinstance(update["TEMP"], float)
            assert update.wire["TEMP"]
            snap = json.loads(json.dumps(c.snapshot()))
            assert snap["connected"] is True
            assert snap["devices"]["led"]["LED"]["kind"] == "Switch"
            assert snap["devices"]["led"]["TEMPERATURE"]["numbers"]["TEMP"]["format"] == "%6.2f"

    asyncio.run(main())


def test_blocking_facade(led_server: int) -> None:
    with BlockingClient("127.0.0.1", led_server) as c:
        led = c.wait_for("led", "LED", timeout=30)
        c.set("led", "LED", ON=True)
        assert c.wait_for_state("led", "LED", "Ok", timeout=30) is led
        assert c["led"]["LED"]["ON"] is True
        c.set("led", "LED", {"OFF": "On"})
        assert led["ON"] is False
        for update in c.updates("led", timeout=30):
            if update.kind == "set":
                break
        else:
            pytest.fail("no update within 5 s")
        assert update.device == "led"
        assert "led" in c.snapshot()["devices"]
    assert not c.connected


def test_connect_refused() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        with pytest.raises(OSError):
            await Client("127.0.0.1", port).connect()

    asyncio.run(main())
