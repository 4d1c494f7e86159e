"""The hardware-loop, snooping and BLOB example drivers, over TCP."""

from __future__ import annotations

import asyncio
import base64

from compat_kit import RawClient, is_, load_example, serving

from indiflask.protocol import events as ev
from indiflask.protocol.values import State

GET = '<getProperties version="1.7"/>'


def new_number(device: str, name: str, member: str, value: str) -> str:
    return (
        f'<newNumberVector device="{device}" name="{name}">'
        f'<oneNumber name="{member}">{value}</oneNumber></newNumberVector>'
    )


def test_thermostat_hardware_loop_and_number_writes() -> None:
    thermostat = load_example("thermostat")

    async def main() -> None:
        driver = thermostat.make_driver("thermostat", interval=0.05)
        async with serving(driver) as server:
            client = await RawClient.connect(server.port)
            await client.send(GET)
            d = await client.expect(is_(ev.DefNumberVector, "thermostat", "temperaturevector"))
            assert d.perm == "ro" and d.members[0].format == "%3.1f"
            assert (d.members[0].min, d.members[0].max) == (-50, 99)
            assert d.members[0].value == 15
            await client.send(new_number("thermostat", "targetvector", "target", "25"))
            s = await client.expect(is_(ev.SetNumberVector, "thermostat", "targetvector"))
            assert s.values == {"target": 25.0} and s.state == State.OK
            temps = []
            for _ in range(3):
                # allvalues=False: a tick with no change sends the vector without members
                s = await client.expect(
                    lambda e: (
                        is_(ev.SetNumberVector, "thermostat", "temperaturevector")(e)
                        and "temperature" in e.values
                    )  # type: ignore[attr-defined]
                )
                temps.append(s.values["temperature"])
            assert 15 < temps[0] < temps[1] < temps[2] <= 25
            # sexagesimal input reaches the driver as text it can parse
            await client.send(new_number("thermostat", "targetvector", "target", "1:30"))
            s = await client.expect(is_(ev.SetNumberVector, "thermostat", "targetvector"))
            assert s.values == {"target": 1.5}
            await client.send(new_number("thermostat", "targetvector", "target", "200"))
            s = await client.expect(is_(ev.SetNumberVector, "thermostat", "targetvector"))
            assert s.state == State.ALERT and s.message == "Target out of range"
            # a write to a read-only vector is refused with a message, state unchanged
            await client.send(new_number("thermostat", "temperaturevector", "temperature", "3"))
            m = await client.expect(is_(ev.Message, "thermostat"))
            assert "read-only" in (m.message or "")
            await client.close()
        assert driver.stop

    asyncio.run(main())


def test_monitor_snoops_on_thermostat() -> None:
    thermostat = load_example("thermostat")
    monitor = load_example("monitor")

    async def main() -> None:
        hot = thermostat.make_driver("thermostat", interval=0.05)
        watcher = monitor.make_driver("monitor", "thermostat")
        async with serving(hot, watcher) as server:
            client = await RawClient.connect(server.port)
            await client.send(GET)
            await client.expect(is_(ev.DefLightVector, "monitor", "alarmvector"))
            s = await client.expect(is_(ev.SetNumberVector, "monitor", "seenvector"))
            assert 14 < s.values["seen"] < 16
            a = await client.expect(is_(ev.SetLightVector, "monitor", "alarmvector"))
            assert a.values == {"alarm": State.OK}
            await client.send(new_number("monitor", "limitvector", "limit", "16"))
            await client.expect(is_(ev.SetNumberVector, "monitor", "limitvector"))
            # the thermostat only sends changed values: make the temperature rise
            await client.send(new_number("thermostat", "targetvector", "target", "20"))
            a = await client.expect(
                lambda e: isinstance(e, ev.SetLightVector) and e.values == {"alarm": State.ALERT}
            )
            assert a.device == "monitor"
            assert watcher.snoopvectors[("thermostat", "temperaturevector")] is not None
            await client.close()

    asyncio.run(main())


def test_camera_sends_and_receives_blobs() -> None:
    camera = load_example("camera")

    async def main() -> None:
        driver = camera.make_driver("camera", exposure=0.01)
        async with serving(driver) as server:
            client = await RawClient.connect(server.port)
            await client.send(GET)
            d = await client.expect(is_(ev.DefBLOBVector, "camera", "imagevector"))
            assert d.members[0].name == "image"
            await client.send('<enableBLOB device="camera">Also</enableBLOB>')
            await client.send(
                '<newSwitchVector device="camera" name="exposevector">'
                '<oneSwitch name="expose">On</oneSwitch></newSwitchVector>'
            )
            busy = await client.expect(is_(ev.SetSwitchVector, "camera", "exposevector"))
            assert busy.state == State.BUSY and busy.values == {"expose": True}
            b = await client.expect(is_(ev.SetBLOBVector, "camera", "imagevector"))
            image = b.values["image"]
            assert image.format == ".pgm" and image.data == camera.take_image()
            assert image.size == len(camera.take_image()) and b.state == State.OK
            done = await client.expect(is_(ev.SetSwitchVector, "camera", "exposevector"))
            assert done.state == State.OK and done.values == {"expose": False}
            payload = base64.b64encode(b"hello world").decode()
            await client.send(
                '<newBLOBVector device="camera" name="uploadvector">'
                f'<oneBLOB name="upload" size="11" format=".txt">{payload}</oneBLOB>'
                "</newBLOBVector>"
            )
            t = await client.expect(is_(ev.SetTextVector, "camera", "infovector"))
            assert t.values == {"received": "11 bytes, format .txt"}
            ack = await client.expect(is_(ev.SetBLOBVector, "camera", "uploadvector"))
            assert ack.state == State.OK and dict(ack.values) == {}
            await client.close()

    asyncio.run(main())


def test_camera_blobs_withheld_without_enable_blob() -> None:
    camera = load_example("camera")

    async def main() -> None:
        driver = camera.make_driver("camera", exposure=0.01)
        async with serving(driver) as server:
            client = await RawClient.connect(server.port)
            await client.send(GET)
            await client.expect(is_(ev.DefTextVector, "camera", "infovector"))
            await client.send(
                '<newSwitchVector device="camera" name="exposevector">'
                '<oneSwitch name="expose">On</oneSwitch></newSwitchVector>'
            )
            done = await client.expect(
                lambda e: isinstance(e, ev.SetSwitchVector) and e.state == State.OK
            )
            assert done.values == {"expose": False}
            assert not any(isinstance(e, ev.SetBLOBVector) for e in client.received)
            await client.close()

    asyncio.run(main())
