"""Hardware jobs, lifespan hooks, snooping and device templates."""

from __future__ import annotations

import asyncio

from indiflask import App, DeviceTemplate, Number, State
from indiflask.protocol import events as ev


def test_every_runs_each_due_tick_in_order() -> None:
    app = App("H", device="h")
    ticks: list[float] = []
    clock: dict[str, object] = {}

    @app.hardware(every=0.2)
    def poll() -> None:
        ticks.append(clock["client"].now)  # type: ignore[attr-defined]

    with app.test_client() as client:
        clock["client"] = client
        ticks.clear()  # the tick at start
        client.advance(1.0)
        assert len(ticks) == 5
        assert ticks == sorted(ticks)
        client.advance(0.1)
        assert len(ticks) == 5
        client.advance(0.1)
        assert len(ticks) == 6


def test_async_periodic_job_and_long_running_job() -> None:
    app = App("H", device="h")
    runs: list[str] = []

    @app.hardware(every=1.0)
    async def poll() -> None:
        await asyncio.sleep(0)
        runs.append("tick")

    @app.hardware()
    async def forever() -> None:
        runs.append("started")
        raise RuntimeError("sensor unplugged")

    with app.test_client() as client:
        client.advance(2.0)
        assert runs.count("tick") == 3
        assert "started" in runs
        assert any(isinstance(e, RuntimeError) for e in app.driver.errors)  # type: ignore[union-attr]


def test_hardware_error_is_logged_and_app_keeps_running() -> None:
    app = App("H", device="h")
    count = {"n": 0}

    @app.hardware(every=1.0)
    def flaky() -> None:
        count["n"] += 1
        raise OSError("i2c timeout")

    with app.test_client() as client:
        client.advance(3.0)
        assert count["n"] == 4


def test_hooks_run_in_order() -> None:
    app = App("H", device="h")
    seen: list[str] = []
    app.on_start(lambda: seen.append("start"))

    @app.on_stop
    async def stop() -> None:
        seen.append("stop")

    with app.test_client():
        assert seen == ["start"]
    assert seen == ["start", "stop"]


def test_snoop_requests_and_typed_events() -> None:
    app = App("S", device="s")
    got: list[tuple[str, object]] = []

    @app.snoop("Mount", "EQUATORIAL_EOD_COORD")
    def mount(event):  # type: ignore[no-untyped-def]
        got.append((event.kind, dict(event)))

    with app.test_client() as client:
        assert any(isinstance(e, ev.GetProperties) and e.device == "Mount" for e in client.received)
        client.inject(
            ev.DefNumberVector(
                device="Mount",
                name="EQUATORIAL_EOD_COORD",
                members=(ev.DefNumber(name="RA", value=1.5), ev.DefNumber(name="DEC", value=2.0)),
            )
        )
        client.inject(
            ev.SetNumberVector(
                device="Mount", name="EQUATORIAL_EOD_COORD", state=State.BUSY, values={"RA": 5.5}
            )
        )
        client.inject(ev.SetNumberVector(device="Mount", name="OTHER", values={"X": 1.0}))
        client.inject(ev.DelProperty(device="Mount"))
        assert got == [
            ("def", {"RA": 1.5, "DEC": 2.0}),
            ("set", {"RA": 5.5}),
            ("del", {}),
        ]


def test_template_registered_twice() -> None:
    focuser = DeviceTemplate()
    moved: list[tuple[str, float]] = []

    @focuser.number("POSITION", members=[Number("STEPS", min=0, max=1000)])
    def position(change):  # type: ignore[no-untyped-def]
        moved.append((change.device.name, change["STEPS"]))

    @focuser.hardware(every=1.0)
    def poll(device):  # type: ignore[no-untyped-def]
        device["POSITION"].send()

    app = App("Focusers", device="Focuser 1")
    app.register(focuser, device="Focuser 1")
    app.register(focuser, device="Focuser 2")
    with app.test_client() as client:
        client.set("Focuser 2", "POSITION", STEPS=500)
        client.set("Focuser 1", "POSITION", STEPS=100)
        assert moved == [("Focuser 2", 500.0), ("Focuser 1", 100.0)]
        assert client["Focuser 1"]["POSITION"]["STEPS"] == 100.0
        assert client["Focuser 2"]["POSITION"]["STEPS"] == 500.0
        client.received.clear()
        client.advance(1.0)
        assert sorted(e.device for e in client.received) == ["Focuser 1", "Focuser 2"]
