"""Answers to changes over TCP: busy refusals, routine updates, final updates.

The same problems as tests/app/test_transaction.py, seen by real clients of
``indiflask run`` and of an in-process :class:`~indiflask.Server`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from click.testing import CliRunner

from indiflask import App, Blob, Number, Server, State
from indiflask.cli import main
from indiflask.client import ChangeRefused, Client
from indiflask.protocol import events as ev


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_set_refused_as_busy_exits_non_zero(led_server: int) -> None:
    port = str(led_server)
    assert run("set", "-p", port, "--wait", "sent", "led.EXPOSURE.SECONDS=3")[0] == 0
    code, _, err = run("set", "-p", port, "led.EXPOSURE.SECONDS=7")
    assert code == 1
    assert "busy with the previous change" in err
    # the running exposure is untouched, and another client sees it Busy, not Alert
    code, out, _ = run("get", "-p", port, "led.EXPOSURE.SECONDS", "led.EXPOSURE._STATE")
    assert out.splitlines() == ["led.EXPOSURE.SECONDS=1", "led.EXPOSURE._STATE=Busy"]


def routine_app() -> App:
    app = App("Routine", device="r")
    app.hw.finished = 0

    @app.number("POS", members=[Number("X", min=0, max=100)])
    async def pos(change):  # type: ignore[no-untyped-def]
        pos.state = "Busy"
        pos.send("moving")
        await asyncio.sleep(0.3)
        app.hw.finished += 1

    @app.hardware(every=0.005)
    def poll() -> None:
        if not pos.running:
            pos.send()  # routine updates, state as it is, 200 a second

    return app


def with_routine_server(body: Callable[[App, int], Awaitable[None]]) -> None:
    """Run ``body(app, port)`` against a server hosting :func:`routine_app`."""

    async def main() -> None:
        app = routine_app()
        server = Server(app, port=0)
        task = asyncio.ensure_future(server.serve())
        await server.started()
        try:
            await body(app, server.port)
        finally:
            server.shutdown()
            await task

    asyncio.run(main())


def test_wait_done_is_not_fooled_by_routine_updates() -> None:
    with_routine_server(_test_wait_done_is_not_fooled_by_routine_updates)


async def _test_wait_done_is_not_fooled_by_routine_updates(app: App, port: int) -> None:
    async with Client("127.0.0.1", port) as c:
        await c.wait_for("r", "POS", timeout=30)
        for target, runs in ((10, 1), (20, 2), (30, 3)):
            prop = await c.set("r", "POS", X=target, wait="done", timeout=30)
            # returned at the change's own final answer: the handler had finished
            assert app.hw.finished == runs
            assert prop["X"] == target and prop.state is State.OK


def test_wait_answer_returns_the_busy_answer_not_a_routine_update() -> None:
    with_routine_server(_test_wait_answer_returns_the_busy_answer_not_a_routine_update)


async def _test_wait_answer_returns_the_busy_answer_not_a_routine_update(
    _app: App, port: int
) -> None:
    async with Client("127.0.0.1", port) as c:
        await c.wait_for("r", "POS", timeout=30)
        await c.set("r", "POS", X=1, wait="done", timeout=30)  # learns that "r" echoes
        prop = await c.set("r", "POS", X=2, wait="answer", timeout=30)
        assert prop.state is State.BUSY and prop.message == "moving"


def test_check_raises_for_busy_and_final_updates_are_not_repeated() -> None:
    with_routine_server(_test_check_raises_for_busy_and_final_updates_are_not_repeated)


async def _test_check_raises_for_busy_and_final_updates_are_not_repeated(
    _app: App, port: int
) -> None:
    async with Client("127.0.0.1", port) as c, Client("127.0.0.1", port) as other:
        await c.wait_for("r", "POS", timeout=30)
        await other.wait_for("r", "POS", timeout=30)
        with other.updates("r", "POS") as seen:
            await c.set("r", "POS", X=5, wait="answer", timeout=30)
            with pytest.raises(ChangeRefused, match="busy"):
                await c.set("r", "POS", X=6, check=True, timeout=30)
            await c.wait_for_state("r", "POS", "Ok", timeout=30)
            answers = []
            while not seen.queue.empty():
                update = seen.queue.get_nowait()
                if update.kind == "set" and update.timestamp and "." in update.timestamp:
                    answers.append((update.state, update.message))
        # the other client saw Busy with its message, then Ok without it; no Alert
        assert answers == [(State.BUSY, "moving"), (State.OK, None)]


def test_raw_write_timestamp_is_echoed() -> None:
    with_routine_server(_test_raw_write_timestamp_is_echoed)


async def _test_raw_write_timestamp_is_echoed(_app: App, port: int) -> None:
    async with Client("127.0.0.1", port) as c:
        await c.wait_for("r", "POS", timeout=30)
        stamp = "2031-05-06T07:08:09.123456"
        with c.updates("r", "POS") as seen:
            await c.send(
                ev.NewNumberVector(device="r", name="POS", timestamp=stamp, values={"X": 3.0})
            )
            while True:
                update = await seen.get(5)
                if update.timestamp == stamp:
                    break
        assert update.state is State.BUSY


def blob_app() -> App:
    app = App("Big", device="big")
    image = app.blob("IMAGE", members=[Blob("DATA", format=".fits")])

    @app.switch("SHOOT", members=["GO", "STOP"])
    def shoot(change):  # type: ignore[no-untyped-def]
        image.set_blob("DATA", bytes(range(256)) * (6 * 2**20 // 256), format=".fits")
        image.send()

    return app


def test_a_large_blob_reports_progress_before_it_arrives() -> None:
    async def main() -> None:
        server = Server(blob_app(), port=0)
        task = asyncio.ensure_future(server.serve())
        await server.started()
        try:
            async with Client("127.0.0.1", server.port) as c:
                await c.wait_for("big", "IMAGE", timeout=30)
                await c.enable_blob("big", "Also")
                with c.updates("big", "IMAGE") as seen:
                    await c.set("big", "SHOOT", GO=True, timeout=30)
                    progress = []
                    while True:
                        update = await seen.get(20)
                        if update.kind == "set":
                            break
                        if update.kind == "progress":
                            progress.append(update)
                assert len(update["DATA"]) == 6 * 2**20
                received = [u.values["received"] for u in progress]
                assert len(received) >= 3 and received == sorted(received)
                assert all(u.values["expected"] >= 8 * 2**20 for u in progress)
                assert "receiving big.IMAGE.DATA" in (progress[-1].message or "")
                assert "%" in (progress[-1].message or "")
        finally:
            server.shutdown()
            await task

    asyncio.run(main())
