"""The change transaction in the test client: refusals, answers, final updates, aborts.

Each test here reproduces a problem users met (a busy refusal read as success,
a final update that repeated the progress message or went out twice, a test
client that behaved unlike the server, setup mistakes accepted silently).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from indiflask import App, DeviceTemplate, Number, Reject, SetupError, State, Switch
from indiflask.errors import ChangeRefused
from indiflask.protocol import events as ev


def slow_app() -> App:
    app = App("Slow", device="slow")

    @app.number("MOVE", members=[Number("TO", min=0, max=100)])
    async def move(change):  # type: ignore[no-untyped-def]
        move.state = "Busy"
        move.send("working...")
        await asyncio.sleep(5)

    return app


def updates_of(client, name: str) -> list[ev.SetVector]:  # type: ignore[no-untyped-def]
    return [e for e in client.received if isinstance(e, ev.SetVector) and e.name == name]


# ----------------------------------------------------------------- 1. busy refusals
def test_a_change_while_busy_is_refused_and_the_refusal_is_recognised() -> None:
    with slow_app().test_client() as client:
        client.set("slow", "MOVE", TO=5, wait=False)
        assert client["slow"]["MOVE"].state is State.BUSY
        client.received.clear()
        with pytest.raises(ChangeRefused, match="busy with the previous change"):
            client.set("slow", "MOVE", TO=7, check=True)
        # other clients are not misled: no update, the state stays Busy
        assert updates_of(client, "MOVE") == []
        assert client["slow"]["MOVE"].state is State.BUSY
        client.advance(5)
        assert client["slow"]["MOVE"]["TO"] == 5.0
        assert client["slow"]["MOVE"].state is State.OK


def test_a_refusal_without_check_returns_the_unchanged_property() -> None:
    with slow_app().test_client() as client:
        client.set("slow", "MOVE", TO=5, wait=False)
        prop = client.set("slow", "MOVE", TO=7)
        assert prop.state is State.BUSY and prop["TO"] == 0.0
        assert any("busy" in m for m in client.messages)


def test_refusal_message_carries_the_changes_timestamp() -> None:
    with slow_app().test_client() as client:
        client.set("slow", "MOVE", TO=5, wait=False)
        stamp = "2030-01-01T00:00:00.123456"
        client.received.clear()
        client.send(
            ev.NewNumberVector(device="slow", name="MOVE", timestamp=stamp, values={"TO": 1})
        )
        [refusal] = client.received
        assert isinstance(refusal, ev.Message) and refusal.timestamp == stamp


def test_routine_updates_are_not_taken_for_the_answer() -> None:
    app = App("Routine", device="r")

    @app.number("POS", members=[Number("X", min=0, max=100)])
    async def pos(change):  # type: ignore[no-untyped-def]
        await asyncio.sleep(1)

    @app.hardware(every=0.1)
    def poll() -> None:
        pos.send()  # a routine update of the same property, ten times a second

    with app.test_client() as client:
        started = client.now
        client.set("r", "POS", X=42)
        # set() returned at the change's own final answer, not at a routine update
        assert client.now - started == pytest.approx(1.0)
        assert client["r"]["POS"]["X"] == 42.0


# ----------------------------------------------------------------- 2. final updates
def test_the_final_update_does_not_repeat_the_progress_message() -> None:
    with slow_app().test_client() as client:
        client.received.clear()
        client.set("slow", "MOVE", TO=5)
        states = [(u.state, u.message) for u in updates_of(client, "MOVE")]
        assert states == [(State.BUSY, "working..."), (State.OK, None)]


def test_a_handler_that_sends_its_own_final_update_sends_it_once() -> None:
    app = App("Own", device="own")

    @app.number("GOTO", members=[Number("TO", min=0, max=10)])
    def goto(change):  # type: ignore[no-untyped-def]
        goto["TO"] = change["TO"]
        goto.state = "Ok"
        goto.send("arrived")

    with app.test_client() as client:
        client.received.clear()
        client.set("own", "GOTO", TO=3)
        assert [(u.state, u.message) for u in updates_of(client, "GOTO")] == [(State.OK, "arrived")]


def test_a_message_set_after_the_last_send_goes_with_the_final_update() -> None:
    app = App("Msg", device="m")

    @app.switch("GO", members=["A", "B"])
    def go(change):  # type: ignore[no-untyped-def]
        go.message = "switched"

    with app.test_client() as client:
        client.received.clear()
        client.set("m", "GO", B=True)
        assert [u.message for u in updates_of(client, "GO")] == ["switched"]


# ----------------------------------------------------------------- 3. like the server
def test_a_plain_handler_sees_a_running_loop() -> None:
    app = App("Loop", device="l")
    seen: list[object] = []

    @app.switch("GO", members=["A", "B"])
    def go(change):  # type: ignore[no-untyped-def]
        seen.append(asyncio.get_running_loop())

    with app.test_client(raise_handler_errors=True) as client:
        client.set("l", "GO", B=True)
    assert len(seen) == 1


def test_sleeping_handlers_and_own_tasks_run_on_virtual_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App("Tasks", device="t")
    ticks: list[float] = []

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(0.5)
            ticks.append(asyncio.get_running_loop().time())

    @app.on_start
    def start() -> None:
        app.hw.task = asyncio.get_running_loop().create_task(heartbeat())

    @app.number("WAIT", members=[Number("S", min=0, max=100)])
    async def wait(change):  # type: ignore[no-untyped-def]
        await asyncio.sleep(change["S"])

    wall = time.monotonic()
    with app.test_client() as client:
        client.set("t", "WAIT", S=2)
        assert client.now == pytest.approx(2.0)
        client.advance(1)
        assert ticks == pytest.approx([0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
    assert time.monotonic() - wall < 1.5  # three virtual seconds cost no real waiting
    assert "was destroyed but it is pending" not in caplog.text


def test_async_snoop_errors_are_raised_like_sync_ones() -> None:
    app = App("Snoop", device="s")

    @app.snoop("Mount")
    async def mount(event):  # type: ignore[no-untyped-def]
        raise RuntimeError("snoop broke")

    with (
        app.test_client(raise_handler_errors=True) as client,
        pytest.raises(RuntimeError, match="snoop broke"),
    ):
        client.inject(ev.Message(device="Mount", message="hello"))


# ----------------------------------------------------------------- aborts
def wheel_app() -> App:
    app = App("Wheel", device="wheel")
    slot = app.number("FILTER_SLOT", members=[Number("FILTER_SLOT_VALUE", min=1, max=5, value=1)])

    @slot
    async def select(change):  # type: ignore[no-untyped-def]
        app.hw.abort = asyncio.Event()
        target = int(change["FILTER_SLOT_VALUE"])
        slot.state = "Busy"
        slot.send()
        while slot["FILTER_SLOT_VALUE"] != target:
            try:
                await asyncio.wait_for(app.hw.abort.wait(), timeout=1.0)  # 1 s per slot
            except TimeoutError:
                slot["FILTER_SLOT_VALUE"] += 1 if target > slot["FILTER_SLOT_VALUE"] else -1
                slot.send()
                continue
            raise Reject(f"aborted at slot {slot['FILTER_SLOT_VALUE']:g}")

    @app.switch("FILTER_ABORT_MOTION", rule="AtMostOne", members=[Switch("ABORT")])
    def abort(change):  # type: ignore[no-untyped-def]
        if slot.running:
            app.hw.abort.set()
        return {"ABORT": False}

    return app


def test_filter_wheel_abort_on_virtual_time() -> None:
    wall = time.monotonic()
    with wheel_app().test_client() as client:
        client.set("wheel", "FILTER_SLOT", FILTER_SLOT_VALUE=3, wait=False)
        client.advance(1.0)
        assert client["wheel"]["FILTER_SLOT"]["FILTER_SLOT_VALUE"] == 2.0
        client.set("wheel", "FILTER_ABORT_MOTION", ABORT=True)
        prop = client["wheel"]["FILTER_SLOT"]
        assert prop.state is State.ALERT and prop.message == "aborted at slot 2"
        assert prop["FILTER_SLOT_VALUE"] == 2.0  # where the wheel stopped: the handler's value
        client.set("wheel", "FILTER_SLOT", FILTER_SLOT_VALUE=4)
        assert prop["FILTER_SLOT_VALUE"] == 4.0 and prop.state is State.OK
        virtual = client.now
    assert virtual == pytest.approx(3.0)  # 1 s to slot 2, then 2 s to slot 4
    # the three seconds cost no real waiting (well under 0.1 s on an idle machine)
    assert time.monotonic() - wall < virtual / 2


def test_a_handler_waiting_forever_times_out_in_virtual_time() -> None:
    app = App("Forever", device="f")

    @app.switch("GO", members=["A", "B"])
    async def go(change):  # type: ignore[no-untyped-def]
        await asyncio.Event().wait()

    with app.test_client() as client, pytest.raises(TimeoutError, match="wait=False"):
        client.set("f", "GO", B=True, timeout=10)


# ----------------------------------------------------------------- 4. setup mistakes
def test_declarations_after_start_raise_setup_error() -> None:
    app = App("Late", device="late")
    app.number("A", members=["X"])
    with app.test_client():
        with pytest.raises(SetupError, match="already started"):
            app.number("B", members=["X"])
        with pytest.raises(SetupError, match="already started"):
            app.hardware(every=1)(lambda: None)
        with pytest.raises(SetupError, match="already started"):
            app.snoop("Other")(lambda event: None)
        with pytest.raises(SetupError, match="already started"):
            app.device("New")
        with pytest.raises(SetupError, match="already started"):
            app.on_stop(lambda: None)


def test_property_update_sets_members_like_a_dict() -> None:
    app = App("Upd", device="u")
    prop = app.number("P", perm="ro", members=["X", "Y"])
    prop.update({"X": 5}, Y=6)
    assert prop["X"] == 5.0 and prop["Y"] == 6.0 and prop.message is None
    with pytest.raises(KeyError, match="NOPE"):
        prop.update(NOPE=1)
    assert prop["X"] == 5.0


def test_reject_applies_the_handlers_values_but_never_the_clients() -> None:
    app = App("Rej", device="rej")
    pos = app.number("POS", members=[Number("X", min=0, max=100), Number("Y", min=0, max=100)])

    @pos
    def move(change):  # type: ignore[no-untyped-def]
        pos["Y"] = 50  # the hardware moved this far before it failed
        raise Reject("motor stalled")

    with app.test_client() as client:
        client.set("rej", "POS", X=10, Y=90)
        prop = client["rej"]["POS"]
        assert prop.state is State.ALERT and prop.message == "motor stalled"
        assert prop["X"] == 0.0  # the client's value was not applied
        assert prop["Y"] == 50.0  # what the handler set describes the hardware: it stays


def test_template_decorators_return_the_declaration_and_snoops_work() -> None:
    template = DeviceTemplate()
    heard: list[tuple[str, str | None]] = []

    @template.switch("POWER", members=["ON", "OFF"])
    def power(change):  # type: ignore[no-untyped-def]
        return None

    @template.snoop("Weather", "WEATHER_STATUS")
    def weather(device, event):  # type: ignore[no-untyped-def]
        heard.append((device.name, event.kind))

    assert power.name == "POWER" and callable(power.handler)
    app = App("Hub", device="hub")
    one = app.register(template, device="Heater 1")
    two = app.register(template, device="Heater 2")
    assert power.on(one) is one["POWER"] and power.on(two) is not one["POWER"]
    with app.test_client() as client:
        client.inject(ev.Message(device="Weather", message="rain"))
        client.set("Heater 2", "POWER", ON=True)
        assert client["Heater 2"]["POWER"]["ON"] is True
    assert heard == [("Heater 1", "message"), ("Heater 2", "message")]
