"""The LED driver of indipydriver's documentation, unchanged but for its import line."""

from __future__ import annotations

import asyncio

from compat_kit import RawClient, is_, load_example, serving

from indiflask.protocol import events as ev

GET = '<getProperties version="1.7"/>'


def new_led(value: str) -> str:
    return (
        '<newSwitchVector device="led" name="ledvector">'
        f'<oneSwitch name="ledmember">{value}</oneSwitch></newSwitchVector>'
    )


def test_led_over_tcp() -> None:
    led = load_example("led")

    async def main() -> None:
        driver = led.make_driver("led", 17)
        ledobject = driver.driverdata["ledobj"]
        async with serving(driver) as server:
            client = await RawClient.connect(server.port)
            await client.send(GET)
            d = await client.expect(is_(ev.DefSwitchVector, "led", "ledvector"))
            assert d.label == "LED" and d.group == "Control Group"
            assert d.perm == "wo" and d.rule == "AtMostOne" and d.state == "Ok"
            assert [(m.name, m.label, m.value) for m in d.members] == [
                ("ledmember", "LED Value", False)
            ]
            await client.send(new_led("On"))
            s = await client.expect(is_(ev.SetSwitchVector, "led", "ledvector"))
            assert s.values == {"ledmember": True} and s.state == "Ok"
            assert ledobject.is_lit is True
            assert driver["led"]["ledvector"]["ledmember"] == "On"
            await client.send(new_led("Off"))
            s = await client.expect(is_(ev.SetSwitchVector, "led", "ledvector"))
            assert s.values == {"ledmember": False}
            assert ledobject.is_lit is False
            assert b"<setSwitchVector" in client.raw
            await client.close()

    asyncio.run(main())


def test_led_two_clients_and_bad_writes() -> None:
    led = load_example("led")

    async def main() -> None:
        driver = led.make_driver("led", 17)
        async with serving(driver) as server:
            watcher = await RawClient.connect(server.port)
            await watcher.send(GET)
            await watcher.expect(is_(ev.DefSwitchVector, "led"))
            writer = await RawClient.connect(server.port)
            await writer.send(GET)
            await writer.expect(is_(ev.DefSwitchVector, "led"))
            # unknown member: dropped as indipydriver drops it, nothing sent
            await writer.send(
                '<newSwitchVector device="led" name="ledvector">'
                '<oneSwitch name="nosuch">On</oneSwitch></newSwitchVector>'
            )
            assert not [e for e in await writer.quiet(0.3) if isinstance(e, ev.SetVector)]
            await writer.send(new_led("On"))
            s = await watcher.expect(is_(ev.SetSwitchVector, "led", "ledvector"))
            assert s.values == {"ledmember": True}
            await watcher.close()
            await writer.close()

    asyncio.run(main())
